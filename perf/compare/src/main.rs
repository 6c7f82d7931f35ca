//! # zmtp-perf-compare: zmtp against libzmq and zmq.rs, in one run
//!
//! ```text
//! cargo run --release --manifest-path perf/compare/Cargo.toml            # default: 5 rounds, about 6 minutes
//! cargo run --release --manifest-path perf/compare/Cargo.toml -- --long  # 9 rounds of 3x the messages
//! cargo run --release --manifest-path perf/compare/Cargo.toml -- --only "tcp 64B"
//! cargo run --release --manifest-path perf/compare/Cargo.toml -- multicast  # epgm (or --transport norm), Debian's libzmq
//! cargo run --release --manifest-path perf/compare/Cargo.toml -- --only "tcp 64B" --rounds 3 --with libzmq,zmtp,raw
//! cargo run --release --manifest-path perf/compare/Cargo.toml -- --set transports --with libzmq,zmtp  # ws, udp
//! ```
//!
//! One binary holds all four implementations: libzmq 4.3.4 (the `zmq`
//! crate builds it from source), zmq.rs (`zeromq` 0.7), zmtp (through
//! `zmtp-perf`, the same code as the perf tools) and `raw`, the same ZMTP
//! frames over plain blocking sockets with no socket semantics (push-pull
//! and req-rep over tcp and ipc only: the ceiling the others are measured
//! against). libzmq's udp RADIO/DISH rows (`--set transports`) run in Node
//! through zeromq.js's draft libzmq 4.3.5 (`backend/libzmq_node.js`): the
//! `zmq` crate's build has no draft API. Each measurement runs as
//! child processes of this binary (`compare tool <impl> <tool> ...`), one
//! per socket as libzmq's tools do; rounds alternate the implementations
//! (rotating who goes first). It prints the medians and the ratios to
//! libzmq and to raw, the issues' targets and goals, and writes `compare.csv`,
//! `compare-raw.csv`, `compare.md` and `compare.svg` under
//! `<repository>/target/perf/`.

mod backend;
mod multicast;
mod plan;
mod proc;
mod results;
mod runner;
mod smoke;
mod tool;
mod ws_interop;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::results::Results;
use crate::tool::Impl;

#[derive(Parser)]
#[command(about = "Throughput, latency and memory of zmtp, libzmq and zmq.rs, side by side")]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Rounds (default 5, or 9 with --long).
    #[arg(long)]
    rounds: Option<usize>,
    /// Longer run: 9 rounds of 3x the messages.
    #[arg(long)]
    long: bool,
    /// Only cases whose name contains this (e.g. "tcp 64B", "latency").
    #[arg(long)]
    only: Option<String>,
    /// Which cases: `core` (issue 7's), `curve-scale` (issue 18's CURVE
    /// and scale cases, against libzmq), `transports` (issue 15's ws and
    /// udp cases, libzmq's side through zeromq.js, with the tcp rows they
    /// are read against), or `all`.
    #[arg(long, default_value = "all")]
    set: CaseSet,
    /// Implementations to measure, comma-separated (libzmq is needed for
    /// the ratios).
    #[arg(
        long = "with",
        alias = "impls",
        default_value = "libzmq,zmtp,zmq.rs,raw",
        value_delimiter = ','
    )]
    impls: Vec<Impl>,
    /// Where to write the CSV, markdown and SVG files.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// A selection of cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CaseSet {
    All,
    Core,
    CurveScale,
    Transports,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs one tool of one implementation (used by the comparison itself).
    Tool {
        /// zmtp, libzmq or zmq.rs.
        imp: Impl,
        /// The tool and its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// epgm or norm PUB/SUB throughput, zmtp against Debian's libzmq (multicast.rs).
    Multicast(multicast::MulticastArgs),
    /// zmtp against libzmq over ws:// (the zmq crate's libzmq has ws), both
    /// ways and with either side binding; fails on the first wrong
    /// exchange (ws_interop.rs).
    WsInterop,
    /// The CI perf smoke: zmtp against raw, a few seconds per case; fails
    /// when a ratio falls below its baseline by more than its margin.
    Smoke {
        /// Run this many times and write the baseline instead of judging.
        #[arg(long)]
        calibrate: Option<usize>,
        /// The baseline file (default perf/results/smoke-baseline.csv).
        #[arg(long)]
        baseline: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Cmd::Multicast(args)) = &cli.command {
        return multicast::run(args).map_or_else(
            |e| {
                eprintln!("{e}");
                ExitCode::FAILURE
            },
            |()| ExitCode::SUCCESS,
        );
    }
    if let Some(Cmd::WsInterop) = &cli.command {
        return ws_interop::run().map_or_else(
            |e| {
                eprintln!("{e}");
                ExitCode::FAILURE
            },
            |()| ExitCode::SUCCESS,
        );
    }
    if let Some(Cmd::Smoke {
        calibrate,
        baseline,
    }) = &cli.command
    {
        let path = baseline.clone().unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../results/smoke-baseline.csv")
        });
        return match run_smoke(*calibrate, &path) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Cmd::Tool { imp, args }) = cli.command {
        let tool = match tool::Tool::parse(&args) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        return match tool::run(imp, tool) {
            Ok(out) => {
                print!("{out}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    match compare(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn compare(cli: &Cli) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let scale = if cli.long { 3 } else { 1 };
    let rounds = cli.rounds.unwrap_or(if cli.long { 9 } else { 5 });
    let cases: Vec<_> = plan::cases(scale)
        .into_iter()
        .filter(|c| cli.only.as_ref().is_none_or(|o| c.id.contains(o.as_str())))
        .filter(|c| match cli.set {
            CaseSet::All => true,
            CaseSet::Core => !c.is_curve_or_scale() && !c.is_transport(),
            CaseSet::CurveScale => c.is_curve_or_scale(),
            CaseSet::Transports => c.in_transport_set(),
        })
        .collect();
    if cases.is_empty() {
        return Err("no case matches --only".into());
    }
    let out_dir = cli
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/perf"));
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    eprintln!(
        "{} cases x {} implementations x {rounds} rounds; figures to {}",
        cases.len(),
        cli.impls.len(),
        out_dir.display()
    );
    let load_start = loadavg();
    let mut results = Results::default();
    let mut seq = 0;
    let mut failures = Vec::new();
    for round in 0..rounds {
        for (i, case) in cases.iter().enumerate() {
            // Rotate who goes first, so no implementation always follows
            // the same one.
            let n = cli.impls.len();
            for k in 0..n {
                let imp = cli.impls[(k + round + i) % n];
                seq += 1;
                match runner::measure(&exe, imp, case, seq) {
                    Ok(Some(f)) => {
                        eprintln!(
                            "round {round} {:<28} {:<7} {:.1} {}",
                            case.id,
                            imp,
                            f.value,
                            case.metric().name()
                        );
                        results.raw.push((round, i, imp, f));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        eprintln!("round {round} {:<28} {:<7} FAILED: {e}", case.id, imp);
                        failures.push(format!("{} {imp}: {e}", case.id));
                    }
                }
            }
        }
    }
    let rows = results.rows(&cases);
    let table = results::table(&rows);
    let targets = results::targets(&rows);
    let goals = results::raw_goals(&rows);
    let transports = results::transport_ratios(&rows);
    println!("{table}\n{targets}\n{goals}\n{transports}");
    let setup = format!(
        "Each socket in its own process (inproc: one process). zmtp: tokio current-thread \
         runtime over tcp/ipc, 2 workers over inproc (ZMTP_PERF_THREADS overrides); zmq.rs: \
         2 workers (ZMQRS_PERF_THREADS); libzmq: its default 1 I/O thread; raw: one blocking \
         thread per process. {} cores; load \
         average {} at the start, {} at the end.",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        load_start,
        loadavg()
    );
    println!("{setup}");
    let mut md = format!(
        "# zmtp vs libzmq vs zmq.rs vs raw ({rounds} rounds)\n\n{setup}\n\n{table}\n## Targets (issue 7)\n\n{targets}\n## Goals against raw (issue 18)\n\n{goals}"
    );
    if !transports.is_empty() {
        md.push_str(&format!(
            "\n## ws and udp against tcp (issue 15)\n\n{transports}"
        ));
    }
    if !failures.is_empty() {
        md.push_str("\n## Failed measurements\n\n");
        for f in &failures {
            md.push_str(&format!("- {f}\n"));
        }
        println!("{} measurements failed (see compare.md)", failures.len());
    }
    let write = |name: &str, text: &str| {
        std::fs::write(out_dir.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    results::write_csv(&out_dir, &cases, &results, &rows).map_err(|e| e.to_string())?;
    write("compare.md", &md)?;
    write("compare.svg", &results::svg(&rows))?;
    eprintln!(
        "wrote compare.csv, compare-raw.csv, compare.md, compare.svg in {}",
        out_dir.display()
    );
    Ok(())
}

/// Runs the smoke: judged against the baseline at `path`, or, with
/// `calibrate`, run that many times to write it.
fn run_smoke(calibrate: Option<usize>, path: &std::path::Path) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    if let Some(runs) = calibrate {
        let load = loadavg();
        let mut gains: Vec<Vec<f64>> = Vec::new();
        let mut ids = Vec::new();
        for _ in 0..runs.max(1) {
            let once = smoke::run_once(&exe)?;
            for (i, (case, g)) in once.into_iter().enumerate() {
                if gains.len() <= i {
                    gains.push(Vec::new());
                    ids.push(case.id);
                }
                gains[i].push(g);
            }
        }
        let baselines: Vec<_> = ids
            .iter()
            .zip(&gains)
            .filter_map(|(id, g)| smoke::Baseline::calibrate(id, g))
            .collect();
        let note = format!(
            "zmtp's speed over raw in the same run (latency inverted), median of {runs} smoke runs \
             of {} rounds; margin = twice the widest relative spread of a run, within {}-{}. \
             Load average {load} at the start, {} at the end. Written by \
             `zmtp-perf-compare smoke --calibrate {runs}`.",
            smoke::ROUNDS,
            smoke::MIN_MARGIN,
            smoke::MAX_MARGIN,
            loadavg()
        );
        std::fs::write(path, smoke::format_baselines(&baselines, &note))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
        return Ok(());
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let baselines = smoke::parse_baselines(&text);
    let mut failed = Vec::new();
    for (case, gain) in smoke::run_once(&exe)? {
        let Some(b) = baselines.iter().find(|b| b.case == case.id) else {
            return Err(format!("{}: no baseline in {}", case.id, path.display()));
        };
        let verdict = if b.passes(gain) { "ok" } else { "REGRESSED" };
        println!(
            "{:<28} zmtp/raw speed {gain:.3} (baseline {:.3}, floor {:.3}) {verdict}",
            case.id,
            b.gain,
            b.floor()
        );
        if !b.passes(gain) {
            failed.push(case.id);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "perf smoke: regressed beyond the noise margin: {}",
            failed.join(", ")
        ))
    }
}

/// The first three fields of `/proc/loadavg` (empty where it does not exist).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
