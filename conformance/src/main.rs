//! The `zmtp-conformance` command line; see the library's documentation.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use zmtp_conformance::agent::custom::Custom;
use zmtp_conformance::agent::process::ProcessAgent;
use zmtp_conformance::agent::registry::{self, AGENTS, AgentSpec, find};
use zmtp_conformance::case::Settings;
use zmtp_conformance::out;
use zmtp_conformance::peer::{Transport, transport};
use zmtp_conformance::runner::Progress;
use zmtp_conformance::tally::Tally;
use zmtp_conformance::{agent, case, cases, coverage, data, expected, html, report, runner, tally};

/// A line to standard output; a closed pipe does not panic (see `out`).
macro_rules! say {
    ($($t:tt)*) => {{
        let _ = out::stdout(&format!("{}\n", format_args!($($t)*)));
    }};
}

/// A line to standard error, likewise.
macro_rules! warn {
    ($($t:tt)*) => {{
        let _ = out::stderr(&format!("{}\n", format_args!($($t)*)));
    }};
}

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "zmtp-conformance",
    version,
    about = "ZMTP conformance suite",
    after_help = "Exit status: 0 when every result is as expected, 1 on an unexpected result \
                  (a failure, or a pass where the expected-results file names a failure), \
                  2 on a usage or set-up error (unknown agent, an agent that does not start, \
                  a missing or bad file)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Where the shipped agents are installed (`agents/<name>/`) and their
    /// sources written out (`agent-sources/`). Default:
    /// `$ZMTP_CONFORMANCE_DATA`, else the workspace's `target/` under
    /// `cargo run`, else `$XDG_DATA_HOME/zmtp-conformance` or
    /// `~/.local/share/zmtp-conformance`.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Runs cases against an agent (or an already running peer).
    Run(Box<RunArgs>),
    /// Lists the cases with what they send and expect.
    List {
        /// Only cases whose id starts with this.
        #[arg(long, default_value = "")]
        cases: String,
    },
    /// Lists every requirement with its cases, exclusion and source
    /// locations; fails when a [wire]/[behav] requirement has neither.
    Coverage,
    /// Prints the JSON Schema of the JSON report (`run --report`'s
    /// `<agent>-<transport>-<profile>.json`; also
    /// conformance/report.schema.json).
    Schema,
    /// Dissects one direction of a ZMTP connection (a hex dump or raw
    /// octets), or every TCP direction of a pcap/pcapng capture,
    /// reassembled: each greeting field, frame and command with the rules
    /// and requirement IDs it answers to, and what breaks which rule.
    /// Exits 1 when a part is malformed.
    Dissect {
        /// The file (`-` for standard input).
        file: PathBuf,
    },
    /// Installs an agent's implementation (all agents with `--agent all`).
    Setup {
        /// The agent.
        #[arg(long)]
        agent: String,
    },
    /// Fuzzes an agent over the wire (see conformance/AGENTS.md).
    Fuzz(fuzz_cmd::FuzzArgs),
    /// Replays a fuzzer reproducer with its wire log; fails when it
    /// reproduces.
    Replay(fuzz_cmd::ReplayArgs),
    /// Runs the suite against the builtin agent with one deliberate defect
    /// at a time and prints the mutation score (needs `--features mutants`).
    Mutants(zmtp_conformance::mutants::Args),
}

mod fuzz_cmd;

#[derive(clap::Args, Debug, Default)]
struct RunArgs {
    /// A shipped agent: builtin, pyzmq, debian, zeromqjs, zmqrs, pyomq,
    /// jeromq, or all. The default when no agent is given: builtin.
    #[arg(long)]
    agent: Option<String>,
    /// Any agent program, run by `sh -c` from the current directory; its
    /// manifest names it in reports.
    #[arg(long, value_name = "COMMAND")]
    agent_cmd: Option<String>,
    /// The expected-results file of the `--agent-cmd` agent or the
    /// `--endpoint` peer (must exist unless `--bless`).
    #[arg(long, value_name = "PATH")]
    expected: Option<PathBuf>,
    /// An agent file (name, command, setup, workdir, expected; see
    /// AGENTS.md); give it more than once for a matrix.
    #[arg(long, value_name = "PATH")]
    agent_file: Vec<PathBuf>,
    /// Writes each agent's expected-results file from this run (its
    /// `expected` path, or `<name>.expected.txt` here).
    #[arg(long)]
    bless: bool,
    /// Only cases whose id starts with this (e.g. `37-`, `28-R1`).
    #[arg(long, default_value = "")]
    cases: String,
    /// One transport (tcp, ipc, ws, or udp for the datagram cases); tcp
    /// and ipc when omitted.
    #[arg(long)]
    transport: Option<String>,
    /// The strict profile: no tolerance for known libzmq deviations.
    #[arg(long)]
    strict: bool,
    /// Writes JSON, markdown and JUnit per agent and transport, and
    /// `report.html` (every run, self-contained) and `matrix.html` here.
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
    /// Every tcp port the run binds (the agent's and the raw peer's) from
    /// this range, `FIRST-LAST` inclusive; a case that finds every port
    /// in use fails saying so.
    #[arg(long, value_name = "FIRST-LAST")]
    port_range: Option<String>,
    /// Tests an already running peer at this endpoint (no agent).
    #[arg(long)]
    endpoint: Option<String>,
    /// The socket type of the peer at `--endpoint`.
    #[arg(long)]
    peer_type: Option<String>,
    /// Do not run an agent's setup step when it is missing.
    #[arg(long)]
    no_setup: bool,
    /// A line per case as it completes (on standard error); otherwise a
    /// progress line per agent and transport on a terminal, nothing under
    /// CI=true. The summary always prints.
    #[arg(short, long)]
    verbose: bool,
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
            warn!("zmtp-conformance: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let data = data::data_dir(cli.data_dir.as_deref());
    match cli.command {
        None => rt.block_on(run(
            &data,
            RunArgs {
                agent: Some("builtin".into()),
                jobs: 2,
                timeout_ms: 2000,
                quiet_ms: 300,
                ..RunArgs::default()
            },
        )),
        Some(Cmd::Run(args)) => rt.block_on(run(&data, *args)),
        Some(Cmd::List { cases }) => list(&cases),
        Some(Cmd::Coverage) => coverage_cmd(),
        Some(Cmd::Schema) => {
            let schema = report::schema::schema();
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
            let _ = out::stdout(&format!("{text}\n"));
            ExitCode::SUCCESS
        }
        Some(Cmd::Setup { agent }) => setup(&data, &agent),
        Some(Cmd::Dissect { file }) => dissect_cmd(&file),
        Some(Cmd::Fuzz(args)) => rt.block_on(fuzz_cmd::fuzz(args)),
        Some(Cmd::Replay(args)) => rt.block_on(fuzz_cmd::replay(args)),
        Some(Cmd::Mutants(args)) => rt.block_on(zmtp_conformance::mutants::main(args)),
    }
}

fn dissect_cmd(file: &std::path::Path) -> ExitCode {
    use std::io::Read as _;
    let mut input = Vec::new();
    let read = if file.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut input).map(|_| ())
    } else {
        std::fs::read(file).map(|b| input = b)
    };
    if let Err(e) = read {
        eprintln!("{}: {e}", file.display());
        return ExitCode::from(2);
    }
    use zmtp_conformance::dissect::{self, capture};
    if capture::is_capture(&input) {
        let directions = match capture::directions(&input) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                return ExitCode::from(2);
            }
        };
        if directions.is_empty() {
            eprintln!("{}: no TCP payload in the capture", file.display());
            return ExitCode::from(2);
        }
        let mut broken = false;
        for d in &directions {
            let lines = dissect::dissect(&d.octets);
            broken |= lines.iter().any(|l| l.error);
            // A closed pipe (`dissect | head`) is not an error.
            let _ = out::stdout(&format!("== {d}\n{}\n", dissect::render(&lines)));
        }
        return if broken {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let lines = dissect::dissect(&dissect::octets(&input));
    // A closed pipe (`dissect | head`) is not an error.
    let _ = out::stdout(&dissect::render(&lines));
    if lines.iter().any(|l| l.error) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn list(prefix: &str) -> ExitCode {
    let catalogue = coverage::parse_catalogue(data::CATALOGUE);
    for c in cases::select(prefix) {
        let text = catalogue
            .iter()
            .find(|r| r.id == c.requirement())
            .map(|r| r.text.clone())
            .unwrap_or_default();
        let mut entry = format!("{}  [{}]\n", c.id, c.requirements().join(" "));
        if !text.is_empty() {
            entry.push_str(&format!("    requirement: {text}\n"));
        }
        entry.push_str(&format!(
            "    sends:   {}\n    expects: {}\n",
            c.sends, c.expects
        ));
        if !out::stdout(&entry) {
            // The reader went away (`list | head`): that is not an error.
            break;
        }
    }
    ExitCode::SUCCESS
}

fn coverage_cmd() -> ExitCode {
    let catalogue = coverage::parse_catalogue(data::CATALOGUE);
    let exclusions = coverage::parse_exclusions(data::EXCLUSIONS);
    let all = cases::all();
    let ids: Vec<String> = catalogue.iter().map(|r| r.id.clone()).collect();
    // The source locations come from the workspace this binary was built
    // from, when it is still there; the rest is embedded.
    let tree = data::source_tree();
    let sources = tree
        .as_deref()
        .map(|root| coverage::source_locations(root, &ids))
        .unwrap_or_default();
    let named: Vec<(&str, Vec<&str>)> = all.iter().map(|c| (c.id, c.requirements())).collect();
    let report = coverage::Report::new(&catalogue, &named, &exclusions, &sources);
    for line in report.lines() {
        say!("{line}");
    }
    if tree.is_none() {
        say!(
            "source locations: not listed (the source tree this binary was built from is not here)"
        );
    }
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn setup(root: &std::path::Path, name: &str) -> ExitCode {
    let specs: Vec<_> = if name == "all" {
        AGENTS.to_vec()
    } else {
        match find(name) {
            Some(a) => vec![a],
            None => {
                warn!("unknown agent {name} (known: {})", registry::names());
                return ExitCode::from(2);
            }
        }
    };
    let mut ok = true;
    for a in specs {
        match a.setup(root) {
            Ok(()) if a.is_installed(root) => warn!("[setup {}] ready", a.name),
            Ok(()) => {
                warn!(
                    "[setup {}] finished but the agent is still not usable",
                    a.name
                );
                ok = false;
            }
            Err(e) => {
                warn!("[setup {}] failed: {e}", a.name);
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// What `run` tests: a shipped agent or one given by its command.
enum Target {
    Shipped(AgentSpec),
    Custom(Custom),
}

impl Target {
    /// The name for messages before the agent has told its own.
    fn label(&self) -> String {
        match self {
            Self::Shipped(a) => a.name.to_string(),
            Self::Custom(c) => c.name.clone().unwrap_or_else(|| c.command.shown()),
        }
    }
}

/// The agents `args` name, in order: `--agent` (builtin when nothing else
/// is given), then `--agent-cmd`, then every `--agent-file`.
fn targets(args: &RunArgs) -> Result<Vec<Target>, String> {
    let mut v = Vec::new();
    match args.agent.as_deref() {
        Some("all") => v.extend(AGENTS.iter().copied().map(Target::Shipped)),
        Some(n) => v.push(Target::Shipped(find(n).ok_or_else(|| {
            format!("unknown agent {n} (known: {})", registry::names())
        })?)),
        None if args.agent_cmd.is_none() && args.agent_file.is_empty() => {
            v.extend(find("builtin").map(Target::Shipped));
        }
        None => {}
    }
    if let Some(cmd) = &args.agent_cmd {
        v.push(Target::Custom(Custom::from_command(
            cmd,
            args.expected.clone(),
        )));
    } else if args.expected.is_some() {
        return Err("--expected goes with --agent-cmd (an agent file names its own)".into());
    }
    for f in &args.agent_file {
        v.push(Target::Custom(Custom::from_file(f)?));
    }
    Ok(v)
}

async fn run(data: &std::path::Path, args: RunArgs) -> ExitCode {
    let transports: Vec<&'static dyn Transport> = match args.transport.as_deref() {
        None => transport::ALL.to_vec(),
        Some(name) => match transport::by_name(name) {
            Some(t) => vec![t],
            None => {
                let known: Vec<&str> = transport::KNOWN
                    .iter()
                    .chain(&transport::DATAGRAM)
                    .map(|t| t.name())
                    .collect();
                warn!("unknown transport {name} ({})", known.join(", "));
                return ExitCode::from(2);
            }
        },
    };
    let transports = match confine(transports, args.port_range.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            warn!("{e}");
            return ExitCode::from(2);
        }
    };
    let selected = cases::select(&args.cases);
    if selected.is_empty() {
        warn!("no case matches {:?}", args.cases);
        return ExitCode::from(2);
    }
    if transports
        .iter()
        .all(|t| cases::over(&selected, *t).is_empty())
    {
        let names: Vec<&str> = transports.iter().map(|t| t.name()).collect();
        warn!(
            "no case matching {:?} runs over {} (udp runs the datagram cases 48-R31..48-R37, tcp and ipc the others)",
            args.cases,
            names.join(" or ")
        );
        return ExitCode::from(2);
    }
    if let Some(endpoint) = &args.endpoint {
        return run_endpoint(&args, endpoint, selected).await;
    }
    let targets = match targets(&args) {
        Ok(t) => t,
        Err(e) => {
            warn!("{e}");
            return ExitCode::from(2);
        }
    };
    let root = data.to_path_buf();
    let scratch_dir = std::env::temp_dir().join(format!("zmtp-conformance-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&scratch_dir);
    let mut runs = Vec::new();
    let mut tally = Tally::default();
    let mut broken = false;
    for target in targets {
        let label = target.label();
        let (factory, expected_src): (runner::Factory, ExpectedSource) = match &target {
            Target::Shipped(spec) => {
                let spec = *spec;
                if !spec.is_installed(&root) {
                    if args.no_setup {
                        say!(
                            "== {label}: not installed (run `zmtp-conformance setup --agent {label}`)"
                        );
                        broken = true;
                        continue;
                    }
                    warn!("[setup {label}] installing {}", spec.describes);
                    if let Err(e) = spec.setup(&root) {
                        say!("== {label}: setup failed: {e}");
                        broken = true;
                        continue;
                    }
                }
                let factory_root = root.clone();
                let factory: runner::Factory = if spec.is_builtin() {
                    Arc::new(|| {
                        Ok(Box::new(agent::builtin::Builtin::new()) as Box<dyn agent::Agent>)
                    })
                } else {
                    Arc::new(move || {
                        let cmd = spec
                            .command(&factory_root)
                            .map_err(agent::AgentFailure)?
                            .ok_or_else(|| agent::AgentFailure("no command".into()))?;
                        ProcessAgent::spawn(cmd).map(|a| Box::new(a) as Box<dyn agent::Agent>)
                    })
                };
                (factory, ExpectedSource::Shipped(spec.name))
            }
            Target::Custom(custom) => {
                if !args.no_setup
                    && let Err(e) = custom.run_setup(&label)
                {
                    say!("== {label}: setup failed: {e}");
                    broken = true;
                    continue;
                }
                let c = custom.clone();
                let factory: runner::Factory = Arc::new(move || {
                    let cmd = c.command().map_err(agent::AgentFailure)?;
                    ProcessAgent::spawn(cmd).map(|a| Box::new(a) as Box<dyn agent::Agent>)
                });
                (factory, ExpectedSource::File(custom.expected.clone()))
            }
        };
        let name = match &target {
            Target::Shipped(spec) => Some(spec.name.to_string()),
            Target::Custom(c) => c.name.clone(),
        };
        let mut expected = match expected_src.load(args.bless) {
            Ok(e) => e,
            Err(e) => {
                warn!("{e}");
                return ExitCode::from(2);
            }
        };
        let mut agent_runs = Vec::new();
        for &transport in &transports {
            let plan = runner::Plan {
                agent: name.clone(),
                factory: Arc::clone(&factory),
                settings: settings(&args, transport, scratch_dir.clone()),
                jobs: args.jobs,
                case_timeout: case_timeout(&args),
                progress: Progress::detect(args.verbose),
            };
            let cases = cases::over(&selected, transport);
            if cases.is_empty() {
                continue;
            }
            match runner::run(plan, cases).await {
                Ok(mut run) => {
                    if let Target::Shipped(spec) = &target {
                        run.installed = spec.installed_version(&root);
                    }
                    if args.bless {
                        agent_runs.push(run);
                        continue;
                    }
                    let judged = finish(&args, &expected, &run);
                    tally.add(&Tally::of(&judged));
                    runs.push((run, judged));
                }
                Err(e) => {
                    say!(
                        "== {label} over {}: the agent did not start: {e}",
                        transport.name()
                    );
                    broken = true;
                }
            }
        }
        if args.bless && !agent_runs.is_empty() {
            let text = expected::bless(&agent_runs);
            let path = expected_src
                .path()
                .unwrap_or_else(|| PathBuf::from(format!("{}.expected.txt", agent_runs[0].agent)));
            match std::fs::write(&path, &text) {
                Ok(()) => warn!(
                    "[bless {}] wrote {} ({} entries)",
                    agent_runs[0].agent,
                    path.display(),
                    text.lines().filter(|l| !l.starts_with('#')).count()
                ),
                Err(e) => {
                    warn!("{}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
            expected = match expected::Expected::parse(&text) {
                Ok(e) => e,
                Err(e) => {
                    warn!("blessed file {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            };
            for run in agent_runs {
                let judged = finish(&args, &expected, &run);
                tally.add(&Tally::of(&judged));
                runs.push((run, judged));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch_dir);
    if let Some(dir) = &args.report {
        write_html(dir, &runs);
    }
    say!("{tally}");
    if broken {
        ExitCode::from(2)
    } else if tally.unexpected() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `transports` with tcp confined to `range` (`--port-range`): a
/// [`transport::TcpRange`] that lives as long as the program. A range of
/// which no port is free now is refused.
fn confine(
    transports: Vec<&'static dyn Transport>,
    range: Option<&str>,
) -> Result<Vec<&'static dyn Transport>, String> {
    let Some(range) = range else {
        return Ok(transports);
    };
    let tcp: &'static transport::TcpRange = Box::leak(Box::new(transport::TcpRange::parse(range)?));
    tcp.take().map_err(|e| e.to_string())?;
    Ok(transports
        .into_iter()
        .map(|t| {
            if t.name() == "tcp" {
                tcp as &'static dyn Transport
            } else {
                t
            }
        })
        .collect())
}

/// Judges one run against `expected`, prints its summary and writes its
/// reports; gives its judgement.
fn finish(
    args: &RunArgs,
    expected: &expected::Expected,
    run: &runner::RunReport,
) -> Vec<tally::Judged> {
    let judged = expected.judge_run(run);
    out::stdout(&report::summary(run, &judged));
    if let Some(dir) = &args.report
        && let Err(e) = report::write_run(dir, run, &judged)
    {
        warn!("report: {e}");
    }
    judged
}

/// Writes the HTML report and the matrix of every run into `dir`.
fn write_html(dir: &std::path::Path, runs: &[(runner::RunReport, Vec<tally::Judged>)]) {
    if let Err(e) = html::write(dir, runs) {
        warn!("report: {e}");
    }
    let plain: Vec<runner::RunReport> = runs.iter().map(|(r, _)| r.clone()).collect();
    if let Err(e) = report::write_matrix(dir, &plain) {
        warn!("report: {e}");
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

/// Where an agent's expected results come from.
enum ExpectedSource {
    /// A shipped agent's file, embedded in the binary.
    Shipped(&'static str),
    /// The file an agent file or `--expected` names, if any.
    File(Option<PathBuf>),
}

impl ExpectedSource {
    /// The expected results. A named file must exist unless `bless` (which
    /// writes it); without one, every case must PASS or be UNSUPPORTED.
    fn load(&self, bless: bool) -> Result<expected::Expected, String> {
        match self {
            Self::Shipped(name) => {
                let text = data::expected(name)
                    .ok_or_else(|| format!("no expected-results file for the agent {name}"))?;
                expected::Expected::parse(text).map_err(|e| format!("expected/{name}.txt: {e}"))
            }
            Self::File(None) => Ok(expected::Expected::default()),
            Self::File(Some(p)) => match std::fs::read_to_string(p) {
                Ok(text) => {
                    expected::Expected::parse(&text).map_err(|e| format!("{}: {e}", p.display()))
                }
                Err(_) if bless => Ok(expected::Expected::default()),
                Err(e) => Err(format!(
                    "{}: {e} (`run --bless` writes a first one from a run)",
                    p.display()
                )),
            },
        }
    }

    /// Where `--bless` writes: the named file, a shipped agent's file in
    /// the clone under `cargo run` (`None` otherwise, or when none is
    /// named: `<name>.expected.txt` here).
    fn path(&self) -> Option<PathBuf> {
        match self {
            Self::Shipped(name) => {
                data::cargo_run_dir().map(|d| d.join("expected").join(format!("{name}.txt")))
            }
            Self::File(p) => p.clone(),
        }
    }
}

/// `run --endpoint`: every selected case a peer of `--peer-type` can
/// answer (those asking for its type, and the greeting cases, which any
/// peer answers), judged against `--expected` if given and counted as in
/// agent mode. Nothing answering at the endpoint is a set-up error.
async fn run_endpoint(args: &RunArgs, endpoint: &str, selected: Vec<case::Case>) -> ExitCode {
    let Some(peer_type) = args.peer_type.clone() else {
        warn!("--endpoint needs --peer-type");
        return ExitCode::from(2);
    };
    let Some((transport, address)) = transport::of_endpoint(endpoint) else {
        warn!("unknown transport in {endpoint}");
        return ExitCode::from(2);
    };
    let wait = Duration::from_millis(args.timeout_ms);
    match tokio::time::timeout(wait, transport.connect(address)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            warn!("nothing answers at {endpoint} ({e}): start the peer first; no case was run");
            return ExitCode::from(2);
        }
        Err(_) => {
            warn!(
                "nothing answers at {endpoint} within {} ms: start the peer first; no case was run",
                args.timeout_ms
            );
            return ExitCode::from(2);
        }
    }
    let expected = match ExpectedSource::File(args.expected.clone()).load(false) {
        Ok(e) => e,
        Err(e) => {
            warn!("{e}");
            return ExitCode::from(2);
        }
    };
    let scratch_dir = std::env::temp_dir().join(format!("zmtp-conformance-{}", std::process::id()));
    let label = format!("endpoint {endpoint}");
    let order: Vec<&str> = selected.iter().map(|c| c.id).collect();
    let (type_free, typed): (Vec<case::Case>, Vec<case::Case>) = selected
        .into_iter()
        .partition(|c| agent::fixed::TYPE_FREE.contains(&c.id));
    let mut merged: Option<runner::RunReport> = None;
    for (cases, any_type) in [(type_free, true), (typed, false)] {
        if cases.is_empty() {
            continue;
        }
        let (ep, ty) = (endpoint.to_string(), peer_type.clone());
        let factory: runner::Factory = Arc::new(move || {
            let peer = if any_type {
                agent::fixed::FixedPeer::any_type(&ep, &ty)
            } else {
                agent::fixed::FixedPeer::new(&ep, &ty)
            };
            Ok(Box::new(peer) as Box<dyn agent::Agent>)
        });
        let plan = runner::Plan {
            agent: Some(label.clone()),
            factory,
            settings: settings(args, transport, scratch_dir.clone()),
            jobs: 1,
            case_timeout: case_timeout(args),
            progress: Progress::detect(args.verbose),
        };
        match runner::run(plan, cases).await {
            Ok(run) => match &mut merged {
                None => merged = Some(run),
                Some(m) => {
                    m.duration_ms += run.duration_ms;
                    m.results.extend(run.results);
                }
            },
            Err(e) => {
                warn!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(mut run) = merged else {
        return ExitCode::from(2);
    };
    // Registry order, as in agent mode.
    run.results
        .sort_by_key(|r| order.iter().position(|id| *id == r.id));
    let judged = finish(args, &expected, &run);
    let tally = Tally::of(&judged);
    if let Some(dir) = &args.report {
        write_html(dir, &[(run, judged)]);
    }
    say!("{tally}");
    if tally.unexpected() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
