//! Deeper model checking from the command line.
//!
//! ```text
//! cargo run -p zmtp-model --release --features check -- check push-pull --peers 3 --messages 5
//! cargo run -p zmtp-model --release --features check -- check all
//! cargo run -p zmtp-model --release --features check -- explore req-rep --addr 127.0.0.1:3000
//! cargo run -p zmtp-model --release --features check -- dot req
//! cargo run -p zmtp-model --release --features check -- dot lifecycle
//! ```

use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use stateright::{Checker, Model};
use zmtp_model::dot;
use zmtp_model::models::{Bounds, Scenario};

#[derive(Parser)]
#[command(about = "Check the zmtp socket-pattern models with stateright")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a scenario (or `all`) to completion and print the figures.
    Check {
        /// push-pull, req-rep, req-router, dealer-rep, dealer-router,
        /// pub-sub, xpub-xsub, pair, or all.
        scenario: String,
        #[command(flatten)]
        bounds: BoundArgs,
        /// Checker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
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
    /// Print the Graphviz dot of the REQ or REP machine, or of the peer
    /// lifecycle (`lifecycle`).
    Dot {
        /// req, rep or lifecycle.
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
        "{:<14} {:>12} states {:>10} unique  depth {:>3}  {:>8.2?}  ({bounds:?})",
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            scenario,
            bounds,
            threads,
        } => {
            let Some(list) = scenarios(&scenario) else {
                eprintln!("unknown scenario {scenario:?}");
                return ExitCode::FAILURE;
            };
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
        Command::Dot { machine } => match machine.as_str() {
            "req" => {
                print!("{}", dot::req());
                ExitCode::SUCCESS
            }
            "rep" => {
                print!("{}", dot::rep());
                ExitCode::SUCCESS
            }
            "lifecycle" => {
                print!("{}", zmtp_model::lifecycle::dot());
                ExitCode::SUCCESS
            }
            _ => {
                eprintln!("dot is available for req, rep and lifecycle");
                ExitCode::FAILURE
            }
        },
    }
}
