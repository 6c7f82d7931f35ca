//! Deeper model checking from the command line.
//!
//! ```text
//! cargo run -p zmtp-model --release --features check -- check push-pull --peers 3 --messages 5
//! cargo run -p zmtp-model --release --features check -- check all
//! cargo run -p zmtp-model --release --features check -- check req-rep --mutant req-two-outstanding
//! cargo run -p zmtp-model --release --features check -- explore req-rep --addr 127.0.0.1:3000
//! cargo run -p zmtp-model --release --features check -- dot req
//! cargo run -p zmtp-model --release --features check -- dot sub
//! cargo run -p zmtp-model --release --features check -- dot lifecycle
//! ```

use std::process::ExitCode;
use std::time::Instant;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand};
use stateright::{Checker, Model};
use zmtp_model::models::{Bounds, Scenario, Topology};
use zmtp_model::{Fault, SocketType, dot};

/// Every scenario `check all` runs, and `all`.
fn scenario_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Scenario::ALL.iter().map(|s| s.name()).collect();
    v.push("all");
    v
}

/// The names `--mutant` takes.
fn fault_names() -> Vec<&'static str> {
    Fault::ALL.iter().map(|f| f.name()).collect()
}

/// The machines `dot` draws: every socket type the model has (lower
/// case), and the peer lifecycle. (The names live as long as the
/// process, as clap's possible values want.)
fn machine_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = SocketType::ALL
        .into_iter()
        .filter(|t| dot::machine(*t).is_some())
        .map(|t| &*Box::leak(t.to_string().to_ascii_lowercase().into_boxed_str()))
        .collect();
    v.push("lifecycle");
    v
}

#[derive(Parser)]
#[command(about = "Check the zmtp socket-pattern models with stateright")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a scenario (or `all`, which runs every one) to completion and
    /// print the figures; with `--mutant`, against a deliberately broken
    /// machine, printing the counterexample step by step in words.
    Check {
        /// The scenario, or `all`.
        #[arg(value_parser = PossibleValuesParser::new(scenario_names()))]
        scenario: String,
        #[command(flatten)]
        bounds: BoundArgs,
        /// Checker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Break a machine on purpose and show how the checker catches it.
        #[arg(long, value_parser = PossibleValuesParser::new(fault_names()))]
        mutant: Option<String>,
    },
    /// Serve stateright's Explorer web UI for a scenario.
    Explore {
        /// The scenario.
        scenario: String,
        #[command(flatten)]
        bounds: BoundArgs,
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: String,
    },
    /// Print the Graphviz dot of a socket type's machine (req, rep, sub,
    /// ...), or of the peer lifecycle (`lifecycle`).
    Dot {
        /// The socket type in lower case, or lifecycle.
        #[arg(value_parser = PossibleValuesParser::new(machine_names()))]
        machine: String,
    },
}

#[derive(Args)]
struct BoundArgs {
    /// Peers on the side that has several (K).
    #[arg(long)]
    peers: Option<usize>,
    /// Messages per sending application (N).
    #[arg(long)]
    messages: Option<u8>,
    /// SNDHWM and RCVHWM (h).
    #[arg(long)]
    hwm: Option<u32>,
    /// Connection breaks per run.
    #[arg(long)]
    disconnects: Option<u8>,
    /// Items per wire.
    #[arg(long)]
    wire: Option<usize>,
    /// Subscription changes per run.
    #[arg(long)]
    sub_changes: Option<u8>,
}

impl BoundArgs {
    fn bounds(&self, scenario: Scenario) -> Bounds {
        let d = scenario.default_bounds();
        Bounds {
            peers: self.peers.unwrap_or(d.peers),
            messages: self.messages.unwrap_or(d.messages),
            hwm: self.hwm.unwrap_or(d.hwm),
            disconnects: self.disconnects.unwrap_or(d.disconnects),
            wire: self.wire.unwrap_or(d.wire),
            sub_changes: self.sub_changes.unwrap_or(d.sub_changes),
        }
    }
}

fn scenarios(name: &str) -> Option<Vec<Scenario>> {
    if name == "all" {
        Some(Scenario::ALL.to_vec())
    } else {
        Scenario::from_name(name).map(|s| vec![s])
    }
}

fn check(scenario: Scenario, bounds: Bounds, threads: usize) -> bool {
    let model = scenario.model(bounds);
    let names: Vec<&str> = model.properties().iter().map(|p| p.name).collect();
    let start = Instant::now();
    let checker = model.checker().threads(threads).spawn_bfs().join();
    let elapsed = start.elapsed();
    println!(
        "{:<14} {:>12} states {:>10} unique  depth {:>3}  {:>8.2?}  ({bounds})",
        scenario.name(),
        checker.state_count(),
        checker.unique_state_count(),
        checker.max_depth(),
        elapsed,
    );
    let mut ok = true;
    for (name, property) in names.iter().zip(scenario.model(bounds).properties()) {
        let found = checker.discovery(property.name).is_some();
        let fine = found != property.expectation.discovery_is_failure();
        ok &= fine;
        println!("    [{}] {name}", if fine { "ok" } else { "FAIL" });
    }
    ok
}

/// Checks `scenario` with `fault` in its machine and prints, for each
/// property the checker found broken, the path to it in words. `true` if
/// the checker caught the fault.
fn check_mutant(scenario: Scenario, bounds: Bounds, threads: usize, fault: Fault) -> bool {
    let model: Topology = scenario.model_with_fault(bounds, fault);
    println!("{}: {}", fault.name(), fault.describe());
    println!("checking {} with it ({bounds})", scenario.name());
    let checker = model.clone().checker().threads(threads).spawn_bfs().join();
    let mut caught = false;
    for property in model.properties() {
        if !property.expectation.discovery_is_failure() {
            continue;
        }
        let Some(path) = checker.discovery(property.name) else {
            continue;
        };
        caught = true;
        println!("\nbroken: {}", property.name);
        let steps = path.into_vec();
        let mut broke = !(property.condition)(&model, &steps[0].0);
        if broke {
            println!("  the first state already breaks it");
        }
        for (i, window) in steps.windows(2).enumerate() {
            let [(state, Some(action)), (next, _)] = window else {
                continue;
            };
            println!("{:>3}. {}", i + 1, model.narrate(state, action));
            if !broke && !(property.condition)(&model, next) {
                broke = true;
                println!("     ^ from here on the property no longer holds");
            }
        }
    }
    if !caught {
        println!(
            "\nno property of {} catches it at these bounds; {} does",
            scenario.name(),
            fault.scenario()
        );
    }
    caught
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            scenario,
            bounds,
            threads,
            mutant,
        } => {
            let Some(list) = scenarios(&scenario) else {
                eprintln!("unknown scenario {scenario:?}");
                return ExitCode::FAILURE;
            };
            if let Some(name) = mutant {
                let Some(fault) = Fault::from_name(&name) else {
                    eprintln!("unknown mutant {name:?}");
                    return ExitCode::FAILURE;
                };
                let mut ok = true;
                for s in list {
                    ok &= check_mutant(s, bounds.bounds(s), threads, fault);
                }
                return if ok {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                };
            }
            let mut ok = true;
            for s in list {
                ok &= check(s, bounds.bounds(s), threads);
            }
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Explore {
            scenario,
            bounds,
            addr,
        } => {
            let Some(s) = Scenario::from_name(&scenario) else {
                eprintln!("unknown scenario {scenario:?}");
                return ExitCode::FAILURE;
            };
            println!("serving the Explorer for {} on http://{addr}", s.name());
            s.model(bounds.bounds(s)).checker().serve(addr.as_str());
            ExitCode::SUCCESS
        }
        Command::Dot { machine } => {
            if machine == "lifecycle" {
                print!("{}", zmtp_model::lifecycle::dot());
                return ExitCode::SUCCESS;
            }
            let graph = SocketType::ALL
                .into_iter()
                .find(|t| t.to_string().eq_ignore_ascii_case(&machine))
                .and_then(dot::machine);
            match graph {
                Some(g) => {
                    print!("{g}");
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("no machine called {machine:?}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
