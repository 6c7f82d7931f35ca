//! The `fuzz` and `replay` subcommands: arguments in, the library's
//! [`zmtp_conformance::fuzz::campaign`] run, an exit status out.

use std::path::PathBuf;
use std::process::ExitCode;

use zmtp_conformance::agent::registry::repo_root;
use zmtp_conformance::fuzz::campaign::{self, Options};
use zmtp_conformance::fuzz::reproducer::{Promotion, Reproducer, parse_expected};
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
    /// Promotes the reproducer to a regular case filed under this
    /// requirement ID instead of replaying it: the file goes to
    /// `conformance/findings/promoted/`, and the next build runs it as case
    /// `ID/F<hash>` against every agent.
    #[arg(long, value_name = "ID")]
    promote: Option<String>,
    /// With `--promote`: why the session breaks that requirement.
    #[arg(long, requires = "promote")]
    why: Option<String>,
}

fn transport_named(name: &str) -> Result<&'static dyn Transport, ExitCode> {
    // The fuzzer mutates ZMTP streams: the stream transports only.
    transport::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(|| {
            eprintln!("unknown or datagram transport {name} (the fuzzer runs over tcp or ipc)");
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
    if let Some(id) = &args.promote {
        return promote(r, id, args.why.as_deref());
    }
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

/// Writes `r` under `conformance/findings/promoted/` with its promotion.
fn promote(mut r: Reproducer, id: &str, why: Option<&str>) -> ExitCode {
    let catalogue = zmtp_conformance::coverage::parse_catalogue(zmtp_conformance::data::CATALOGUE);
    if !catalogue.iter().any(|req| req.id == id) {
        eprintln!("zmtp-conformance replay --promote: {id} is not a requirement of the catalogue");
        return ExitCode::from(2);
    }
    r.promoted = Some(Promotion {
        requirement: id.to_string(),
        why: why.map_or_else(|| r.finding.signature.clone(), str::to_string),
    });
    let dir = repo_root().join("conformance/findings/promoted");
    match r.save(&dir) {
        Ok(path) => {
            let hash = r
                .file_name()
                .trim_end_matches(".json")
                .rsplit('-')
                .next()
                .unwrap_or_default()
                .to_string();
            println!(
                "promoted to {}: case {id}/F{hash} from the next build on",
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("zmtp-conformance replay --promote: {e}");
            ExitCode::from(2)
        }
    }
}
