//! The `zmtp-conformance` command line; see the library's documentation.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use zmtp_conformance::agent::process::ProcessAgent;
use zmtp_conformance::agent::registry::{AGENTS, find, repo_root};
use zmtp_conformance::case::Settings;
use zmtp_conformance::peer::{Transport, transport};
use zmtp_conformance::{agent, case, cases, coverage, expected, report, runner};

/// The command line.
#[derive(Parser, Debug)]
#[command(name = "zmtp-conformance", version, about = "ZMTP conformance suite")]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Runs cases against an agent (or an already running peer).
    Run(RunArgs),
    /// Lists the cases with what they send and expect.
    List {
        /// Only cases whose id starts with this.
        #[arg(long, default_value = "")]
        cases: String,
    },
    /// Lists every requirement with its cases, exclusion and source
    /// locations; fails when a [wire]/[behav] requirement has neither.
    Coverage,
    /// Installs an agent's implementation (all agents with `--agent all`).
    Setup {
        /// The agent.
        #[arg(long)]
        agent: String,
    },
    /// Runs the suite against the builtin agent with one deliberate defect
    /// at a time and prints the mutation score (needs `--features mutants`).
    Mutants(zmtp_conformance::mutants::Args),
}

#[derive(clap::Args, Debug, Default)]
struct RunArgs {
    /// The agent: builtin, pyzmq, debian, zeromqjs, zmqrs, pyomq, jeromq, or all.
    #[arg(long)]
    agent: Option<String>,
    /// Only cases whose id starts with this (e.g. `37-`, `28-R1`).
    #[arg(long, default_value = "")]
    cases: String,
    /// One transport (tcp, ipc); every transport when omitted.
    #[arg(long)]
    transport: Option<String>,
    /// The strict profile: no tolerance for known libzmq deviations.
    #[arg(long)]
    strict: bool,
    /// Writes JSON, markdown, JUnit and an HTML matrix here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Parallel agent processes.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// How long an expected event may take, in ms.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
    /// How long to watch for something that must not happen, in ms.
    #[arg(long, default_value_t = 300)]
    quiet_ms: u64,
    /// Tests an already running peer at this endpoint (no agent).
    #[arg(long)]
    endpoint: Option<String>,
    /// The socket type of the peer at `--endpoint`.
    #[arg(long)]
    peer_type: Option<String>,
    /// Do not run an agent's setup step when it is missing.
    #[arg(long)]
    no_setup: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zmtp-conformance: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        None => rt.block_on(run(RunArgs {
            agent: Some("builtin".into()),
            jobs: 2,
            timeout_ms: 2000,
            quiet_ms: 300,
            ..RunArgs::default()
        })),
        Some(Cmd::Run(args)) => rt.block_on(run(args)),
        Some(Cmd::List { cases }) => list(&cases),
        Some(Cmd::Coverage) => coverage_cmd(),
        Some(Cmd::Setup { agent }) => setup(&agent),
        Some(Cmd::Mutants(args)) => rt.block_on(zmtp_conformance::mutants::main(args)),
    }
}

fn list(prefix: &str) -> ExitCode {
    let catalogue = read_catalogue().unwrap_or_default();
    for c in cases::select(prefix) {
        let text = catalogue
            .iter()
            .find(|r| r.id == c.requirement())
            .map(|r| r.text.clone())
            .unwrap_or_default();
        println!("{}  [{}]", c.id, c.requirements().join(" "));
        if !text.is_empty() {
            println!("    requirement: {text}");
        }
        println!("    sends:   {}\n    expects: {}", c.sends, c.expects);
    }
    ExitCode::SUCCESS
}

fn catalogue_path() -> PathBuf {
    std::env::var_os("ZMTP_REQUIREMENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("conformance/requirements.md"))
}

fn read_catalogue() -> Result<Vec<coverage::Requirement>, String> {
    let p = catalogue_path();
    let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(coverage::parse_catalogue(&text))
}

fn coverage_cmd() -> ExitCode {
    let catalogue = match read_catalogue() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("zmtp-conformance coverage: cannot read the catalogue: {e}");
            return ExitCode::from(2);
        }
    };
    let root = repo_root();
    let excl_path = root.join("conformance/exclusions.txt");
    let exclusions =
        coverage::parse_exclusions(&std::fs::read_to_string(&excl_path).unwrap_or_default());
    let all = cases::all();
    let ids: Vec<String> = catalogue.iter().map(|r| r.id.clone()).collect();
    let sources = coverage::source_locations(&root, &ids);
    let mut missing = Vec::new();
    let (mut with_case, mut excluded) = (0, 0);
    for r in &catalogue {
        let covering: Vec<&str> = all
            .iter()
            .filter(|c| c.requirements().contains(&r.id.as_str()))
            .map(|c| c.id)
            .collect();
        let tags = r.tags.iter().map(|t| format!("[{t}]")).collect::<String>();
        println!("{:<7} {tags}", r.id);
        if !covering.is_empty() {
            with_case += 1;
            println!("    cases: {}", covering.join(" "));
        }
        if let Some(why) = exclusions.get(&r.id) {
            excluded += 1;
            println!("    excluded: {why}");
        }
        if let Some(locs) = sources.get(&r.id) {
            let shown: Vec<&str> = locs.iter().take(6).map(String::as_str).collect();
            let more = locs.len().saturating_sub(6);
            let more = if more > 0 {
                format!(" (+{more})")
            } else {
                String::new()
            };
            println!("    source: {}{more}", shown.join(" "));
        }
        if r.needs_case() && covering.is_empty() && !exclusions.contains_key(&r.id) {
            missing.push(r.id.clone());
        }
    }
    println!(
        "\n{} requirements in scope (23, 37, 28-31, 24, 26, 27, G01-G17, G-P, G-C): {with_case} with cases, {excluded} excluded with a reason",
        catalogue.len()
    );
    if missing.is_empty() {
        println!("every [wire]/[behav] requirement has a case or a written exclusion");
        ExitCode::SUCCESS
    } else {
        println!("without case or exclusion: {}", missing.join(" "));
        ExitCode::FAILURE
    }
}

fn setup(name: &str) -> ExitCode {
    let root = repo_root();
    let specs: Vec<_> = if name == "all" {
        AGENTS.to_vec()
    } else {
        match find(name) {
            Some(a) => vec![a],
            None => {
                eprintln!("unknown agent {name}");
                return ExitCode::from(2);
            }
        }
    };
    let mut ok = true;
    for a in specs {
        match a.setup(&root) {
            Ok(()) if a.is_installed(&root) => eprintln!("[setup {}] ready", a.name),
            Ok(()) => {
                eprintln!(
                    "[setup {}] finished but the agent is still not usable",
                    a.name
                );
                ok = false;
            }
            Err(e) => {
                eprintln!("[setup {}] failed: {e}", a.name);
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn run(args: RunArgs) -> ExitCode {
    let transports: Vec<&'static dyn Transport> = match args.transport.as_deref() {
        None => transport::ALL.to_vec(),
        Some(name) => match transport::by_name(name) {
            Some(t) => vec![t],
            None => {
                let known: Vec<&str> = transport::ALL.iter().map(|t| t.name()).collect();
                eprintln!("unknown transport {name} ({})", known.join(" or "));
                return ExitCode::from(2);
            }
        },
    };
    let selected = cases::select(&args.cases);
    if selected.is_empty() {
        eprintln!("no case matches {:?}", args.cases);
        return ExitCode::from(2);
    }
    if let Some(endpoint) = &args.endpoint {
        return run_endpoint(&args, endpoint, selected).await;
    }
    let root = repo_root();
    let names: Vec<String> = match args.agent.as_deref() {
        Some("all") => AGENTS.iter().map(|a| a.name.to_string()).collect(),
        Some(n) => vec![n.to_string()],
        None => {
            eprintln!("run needs --agent NAME (or --endpoint)");
            return ExitCode::from(2);
        }
    };
    let scratch_dir = std::env::temp_dir().join(format!("zmtp-conformance-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&scratch_dir);
    let mut runs = Vec::new();
    let mut unexpected = 0usize;
    let mut broken = false;
    for name in names {
        let Some(spec) = find(&name) else {
            eprintln!("unknown agent {name}");
            return ExitCode::from(2);
        };
        if !spec.is_installed(&root) {
            if args.no_setup {
                println!("== {name}: not installed (run `zmtp-conformance setup --agent {name}`)");
                broken = true;
                continue;
            }
            eprintln!("[setup {name}] installing {}", spec.describes);
            if let Err(e) = spec.setup(&root) {
                println!("== {name}: setup failed: {e}");
                broken = true;
                continue;
            }
        }
        let expected = match load_expected(&root, &name) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        for &transport in &transports {
            let factory_root = root.clone();
            let factory: runner::Factory = if spec.is_builtin() {
                Arc::new(|| Ok(Box::new(agent::builtin::Builtin::new()) as Box<dyn agent::Agent>))
            } else {
                Arc::new(move || {
                    let cmd = spec
                        .command(&factory_root)
                        .ok_or_else(|| agent::AgentFailure("no command".into()))?;
                    ProcessAgent::spawn(cmd).map(|a| Box::new(a) as Box<dyn agent::Agent>)
                })
            };
            let plan = runner::Plan {
                agent: name.clone(),
                factory,
                settings: settings(&args, transport, scratch_dir.clone()),
                jobs: args.jobs,
                case_timeout: case_timeout(&args),
            };
            match runner::run(plan, selected.clone()).await {
                Ok(run) => {
                    let profile = run.profile.clone();
                    let mismatches: Vec<_> = run
                        .results
                        .iter()
                        .filter_map(|r| {
                            expected.check(&r.id, r.verdict.kind, &run.transport, &profile)
                        })
                        .collect();
                    unexpected += mismatches.len();
                    print!("{}", report::summary(&run, &mismatches));
                    if let Some(dir) = &args.report
                        && let Err(e) = report::write_run(dir, &run, &mismatches)
                    {
                        eprintln!("report: {e}");
                    }
                    runs.push(run);
                }
                Err(e) => {
                    println!(
                        "== {name} over {}: the agent did not start: {e}",
                        transport.name()
                    );
                    broken = true;
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch_dir);
    if let Some(dir) = &args.report
        && let Err(e) = report::write_matrix(dir, &runs)
    {
        eprintln!("report: {e}");
    }
    let total: usize = runs.iter().map(|r| r.results.len()).sum();
    println!("{} passed, {} failed", total - unexpected, unexpected);
    if unexpected > 0 || broken {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn settings(args: &RunArgs, transport: &'static dyn Transport, scratch_dir: PathBuf) -> Settings {
    Settings {
        transport,
        strict: args.strict,
        op_timeout: Duration::from_millis(args.timeout_ms),
        quiet: Duration::from_millis(args.quiet_ms),
        scratch_dir,
    }
}

fn case_timeout(args: &RunArgs) -> Duration {
    Duration::from_millis(args.timeout_ms * 8 + 5000)
}

fn load_expected(root: &std::path::Path, name: &str) -> Result<expected::Expected, String> {
    let p = root
        .join("conformance/expected")
        .join(format!("{name}.txt"));
    match std::fs::read_to_string(&p) {
        Ok(text) => expected::Expected::parse(&text).map_err(|e| format!("{}: {e}", p.display())),
        Err(_) => Ok(expected::Expected::default()),
    }
}

async fn run_endpoint(args: &RunArgs, endpoint: &str, selected: Vec<case::Case>) -> ExitCode {
    let Some(peer_type) = args.peer_type.clone() else {
        eprintln!("--endpoint needs --peer-type");
        return ExitCode::from(2);
    };
    let Some((transport, _)) = transport::of_endpoint(endpoint) else {
        eprintln!("unknown transport in {endpoint}");
        return ExitCode::from(2);
    };
    let ep = endpoint.to_string();
    let factory: runner::Factory = Arc::new(move || {
        Ok(Box::new(agent::fixed::FixedPeer::new(&ep, &peer_type)) as Box<dyn agent::Agent>)
    });
    let scratch_dir = std::env::temp_dir().join(format!("zmtp-conformance-{}", std::process::id()));
    let plan = runner::Plan {
        agent: format!("endpoint {endpoint}"),
        factory,
        settings: settings(args, transport, scratch_dir),
        jobs: 1,
        case_timeout: case_timeout(args),
    };
    match runner::run(plan, selected).await {
        Ok(run) => {
            print!("{}", report::summary(&run, &[]));
            if let Some(dir) = &args.report {
                let _ = report::write_run(dir, &run, &[]);
                let _ = report::write_matrix(dir, std::slice::from_ref(&run));
            }
            let failed = run
                .results
                .iter()
                .filter(|r| r.verdict.kind == case::Kind::Fail)
                .count();
            println!("{} passed, {failed} failed", run.results.len() - failed);
            if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
