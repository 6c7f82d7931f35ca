//! The `fuzz` and `replay` subcommands: arguments in, the library's
//! [`zmtp_conformance::fuzz::campaign`] run, an exit status out.

use std::path::PathBuf;
use std::process::ExitCode;

use zmtp_conformance::agent::registry::repo_root;
use zmtp_conformance::fuzz::campaign::{self, Options};
use zmtp_conformance::fuzz::reproducer::{Reproducer, parse_expected};
use zmtp_conformance::peer::{Transport, transport};

/// `zmtp-conformance fuzz`.
#[derive(clap::Args, Debug)]
pub(crate) struct FuzzArgs {
    /// The agent: builtin, pyzmq, debian, zeromqjs, zmqrs, pyomq, jeromq.
    #[arg(long)]
    agent: String,
    /// How long to run, in seconds.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// The seed (a run is deterministic from it).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// tcp or ipc.
    #[arg(long, default_value = "tcp")]
    transport: String,
    /// Only this socket type for the agent (e.g. PULL).
    #[arg(long)]
    socket_type: Option<String>,
    /// Where reproducers go (default target/fuzz/AGENT).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Stop after this many iterations.
    #[arg(long)]
    iterations: Option<u64>,
    /// The agent's memory ceiling, in MiB.
    #[arg(long, default_value_t = 1024)]
    rss_mib: u64,
    /// Trials the minimizer may spend on one finding.
    #[arg(long, default_value_t = 24)]
    minimize_budget: usize,
    /// Findings listed in conformance/findings/expected-AGENT.txt do not
    /// fail the run (never for builtin: every finding in our own
    /// implementation fails).
    #[arg(long)]
    allow_expected: bool,
}

/// `zmtp-conformance replay`.
#[derive(clap::Args, Debug)]
pub(crate) struct ReplayArgs {
    /// The reproducer (JSON, from `fuzz --out`).
    file: PathBuf,
    /// The agent (default: the one that found it).
    #[arg(long)]
    agent: Option<String>,
    /// tcp or ipc (default: the reproducer's).
    #[arg(long)]
    transport: Option<String>,
    /// Attempts before it counts as not reproduced.
    #[arg(long, default_value_t = 3)]
    tries: usize,
}

fn transport_named(name: &str) -> Result<&'static dyn Transport, ExitCode> {
    // The fuzzer mutates octets ZWS has no field for: byte streams only.
    let stream = transport::ALL.into_iter().find(|t| t.name() == name);
    stream.ok_or_else(|| {
        eprintln!("unknown transport {name} (tcp or ipc)");
        ExitCode::from(2)
    })
}

fn scratch() -> PathBuf {
    std::env::temp_dir().join(format!("zmtp-fuzz-{}", std::process::id()))
}

pub(crate) async fn fuzz(args: FuzzArgs) -> ExitCode {
    let transport = match transport_named(&args.transport) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let root = repo_root();
    let expected = if args.allow_expected && args.agent != "builtin" {
        let p = root
            .join("conformance/findings")
            .join(format!("expected-{}.txt", args.agent));
        parse_expected(&std::fs::read_to_string(p).unwrap_or_default())
    } else {
        Vec::new()
    };
    let opts = Options {
        out: args
            .out
            .unwrap_or_else(|| root.join("target/fuzz").join(&args.agent)),
        agent: args.agent,
        seconds: args.seconds,
        max_iterations: args.iterations,
        seed: args.seed,
        transport,
        socket_type: args.socket_type,
        rss_ceiling_kib: args.rss_mib * 1024,
        minimize_budget: args.minimize_budget,
        expected,
        scratch: scratch(),
    };
    let result = campaign::run(&opts).await;
    let _ = std::fs::remove_dir_all(&opts.scratch);
    match result {
        Ok(summary) => {
            println!("{}", summary.line(&opts.agent));
            println!("in {:.0} s (seed {})", summary.seconds, opts.seed);
            for (f, path) in &summary.findings {
                let at = path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "not saved".into());
                let known = if opts.expected.contains(&f.signature) {
                    " [expected]"
                } else {
                    ""
                };
                println!("  {}{known}: {at}", f.signature);
            }
            if summary.unexpected(&opts.expected).next().is_some() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("zmtp-conformance fuzz: {e}");
            ExitCode::from(2)
        }
    }
}

pub(crate) async fn replay(args: ReplayArgs) -> ExitCode {
    let r = match Reproducer::load(&args.file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("zmtp-conformance replay: {e}");
            return ExitCode::from(2);
        }
    };
    let transport = match transport_named(args.transport.as_deref().unwrap_or(&r.transport)) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let dir = scratch();
    let result = campaign::replay(
        &r,
        args.agent.as_deref(),
        transport,
        args.tries,
        dir.clone(),
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(true) => ExitCode::FAILURE,
        Ok(false) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zmtp-conformance replay: {e}");
            ExitCode::from(2)
        }
    }
}
