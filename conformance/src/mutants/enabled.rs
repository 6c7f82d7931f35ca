//! The command itself, compiled with the `mutants` feature only.

use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use zmtp_spec::mutants::{self, Mutant};

use super::Args;
use crate::agent::registry::repo_root;
use crate::case::{Case, Settings};
use crate::peer::transport;
use crate::{agent, cases, expected, runner};

/// The cases run against each mutant: whole case ids, or id prefixes
/// (`"26-R"`). They are the cases meant to catch the defect; the score
/// says when a run was restricted to them (`--all-cases` runs them all).
pub const KILLERS: &[(Mutant, &[&str])] = &[
    (Mutant::FrameReservedFlags, &["G06/1"]),
    (Mutant::CommandWithMore, &["37-R20/2"]),
    (Mutant::LongSizeTopBit, &["G07/2"]),
    (Mutant::CommandInsideMessage, &["G09/1"]),
    (Mutant::MaxMsgSizeIgnored, &["G07/", "37-R28/2", "91-R01/1"]),
    (
        Mutant::MechanismMismatch,
        &["37-R15/1", "23-R15/1", "37-R67/1"],
    ),
    (
        Mutant::VersionNotDowngraded,
        &["23-R28/1", "23-R41/1", "23-R40/1", "23-R42/1"],
    ),
    (Mutant::AsServerFlipped, &["G03/1", "G-P2/1", "26-R22/1"]),
    (
        Mutant::SocketTypeNotChecked,
        &["37-R33/2", "37-R27/1", "23-R25/1", "26-R37/1"],
    ),
    (Mutant::ZeroIdentityAccepted, &["37-R35/1"]),
    (
        Mutant::EmptyPropertyName,
        &["37-R26/1", "23-R24/1", "G-C9/1"],
    ),
    (Mutant::MetadataTrailingOctets, &["G10/1"]),
    (
        Mutant::MetadataNameCaseSensitive,
        &["37-R27/", "23-R25/1", "26-R37/1"],
    ),
    (Mutant::NullServerReadyFirst, &["37-R25/2"]),
    (Mutant::NullClientWaits, &["37-R24/1"]),
    (Mutant::NullServerWaitsFor30, &["23-R28/1"]),
    (
        Mutant::ErrorDuringHandshakeIgnored,
        &["37-R16/", "23-R16/1"],
    ),
    (Mutant::CurveNonceNotChecked, &["26-R21/1", "26-R53/1"]),
    (Mutant::CurveHelloVersionNotChecked, &["26-R07/"]),
    (Mutant::CurveHelloPaddingNotChecked, &["26-R08/"]),
    (Mutant::CurveCookieNotChecked, &["26-R40/2", "26-R27/1"]),
    (Mutant::CurveVouchNotChecked, &["26-R40/1", "26-R40/3"]),
    (Mutant::PlainCredentialsIgnored, &["G-P2/2"]),
    (Mutant::ZapRefusalIgnored, &["G-P2/2", "26-R60/1"]),
    (Mutant::ReconnectAfterError, &["37-R17/1", "26-R02/1"]),
    (Mutant::ReqTwoRequests, &["28-R0", "28-R1"]),
    (Mutant::ReqReplyFromAnyPeer, &["28-R08/"]),
    (Mutant::ReqNoDelimiter, &["28-R03/1", "28-R04/1"]),
    (Mutant::RepEnvelopeDropped, &["28-R13/1", "28-R17/1"]),
    (Mutant::RouterMandatoryIgnored, &["28-R42/"]),
    (
        Mutant::RouterIgnoresIdentity,
        &["28-R36/1", "28-R40/1", "28-R42/2"],
    ),
    (
        Mutant::LoadBalanceStuck,
        &["28-R26/1", "30-R08/1", "28-R04/1"],
    ),
    (
        Mutant::FairQueueStuck,
        &[
            "28-R30/", "28-R37/1", "30-R18/1", "29-R32/1", "29-R41/1", "29-R21/1",
        ],
    ),
    (
        Mutant::SubFiltersNotCounted,
        &["37-R51/1", "37-R47/1", "23-R42/1"],
    ),
    (
        Mutant::SubPrefixExact,
        &["37-R45/1", "23-R40/1", "37-R50/1"],
    ),
    (Mutant::PairSecondPeer, &["31-R10/1"]),
    (Mutant::ClientMultipart, &["37-R56/1"]),
    (Mutant::ServerMultipart, &["37-R57/1"]),
    (Mutant::RadioIgnoresGroups, &["37-R52/1"]),
    (Mutant::XPubNoNotify, &["29-R07/1", "29-R44/1"]),
    (Mutant::SndHwmIgnored, &["28-R25/1"]),
    (Mutant::DishJoinNotSent, &["37-R53/1"]),
    (
        Mutant::SubscriptionsNotResent,
        &["29-R29/1", "29-R37/1", "29-R32/1"],
    ),
    (Mutant::ReadyIdentityOmitted, &["37-R34/1"]),
    (Mutant::ReadySocketTypeLowerCase, &["37-R33/1"]),
    (Mutant::SubscribeAsMessageTo31, &["37-R46/1"]),
    (Mutant::PongContextNotEchoed, &["37-R58/1"]),
    (Mutant::PingContextUnbounded, &["37-R59/1"]),
];

/// The cases run against each correct variant: those whose rule the
/// variant's difference touches. Every one must end without a FAIL (a
/// SHOULD the variant leaves out may be NON-STRICT), or the suite judges
/// a correct peer wrong.
pub(super) const VARIANT_CASES: &[(Mutant, &[&str])] = &[
    (
        Mutant::Speaks30,
        &[
            "G", "23-", "37-R0", "37-R1", "37-R2", "37-R3", "37-R4", "37-R5", "28-", "29-", "30-",
            "31-",
        ],
    ),
    (
        Mutant::GreetingAtOnce,
        &["G", "37-R0", "37-R1", "37-R6", "23-R0", "23-R1", "26-R0"],
    ),
    (Mutant::NoHeartbeats, &["37-R5", "37-R6", "23-R4"]),
    (
        Mutant::CloseWithoutError,
        &[
            "G0", "G1", "37-R1", "37-R2", "37-R3", "23-R1", "23-R2", "26-", "G-P",
        ],
    ),
    (
        Mutant::NewestPeerFirst,
        &["28-", "29-", "30-", "31-", "41-"],
    ),
];

/// Mutants that no wire test can tell from the correct implementation,
/// with why (at length in `conformance/FINDINGS.md`). One that survives is
/// listed as EQUIVALENT and left out of the second score; the first score
/// counts every mutant.
pub const EQUIVALENT: &[(Mutant, &str)] = &[
    (
        Mutant::CommandInsideMessage,
        "G09 binds the sender; a receiver that takes the command and keeps the message whole does what G09/1 allows",
    ),
    (
        Mutant::CurveCookieNotChecked,
        "redundant: a cookie from elsewhere does not name this connection's C' (or does not open), so INITIATE is refused the same way",
    ),
    (
        Mutant::PingContextUnbounded,
        "the PONG with the long context cannot be encoded, so the connection closes as when the PING is refused",
    ),
];

/// One case result, as a child reports it.
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    case: String,
    verdict: String,
    /// The result is what `expected/builtin.txt` asks for.
    expected: bool,
    detail: String,
}

/// Runs the command.
pub async fn main(args: Args) -> ExitCode {
    if let Some(name) = args.child.clone() {
        return child(&args, &name).await;
    }
    let chosen: Vec<Mutant> = if args.only.is_empty() {
        Mutant::ALL
            .iter()
            .chain(Mutant::VARIANTS)
            .copied()
            .collect()
    } else {
        let mut v = Vec::new();
        for name in &args.only {
            let Some(m) = Mutant::from_name(name) else {
                eprintln!("unknown mutant {name} (`mutants --list` names them)");
                return ExitCode::from(2);
            };
            v.push(m);
        }
        v
    };
    if args.list {
        for &m in &chosen {
            println!("{:<28} {}", m.name(), m.describe());
            println!("{:<28} cases: {}", "", killers(m).join(" "));
        }
        return ExitCode::SUCCESS;
    }
    parent(&args, &chosen).await
}

/// The case ids or prefixes listed for `m`.
fn killers(m: Mutant) -> &'static [&'static str] {
    KILLERS
        .iter()
        .chain(VARIANT_CASES)
        .find(|(k, _)| *k == m)
        .map_or(&[], |(_, cases)| cases)
}

/// The cases that `prefixes` select (all when empty), in registry order.
fn select(prefixes: &[String]) -> Vec<Case> {
    cases::all()
        .into_iter()
        .filter(|c| prefixes.is_empty() || prefixes.iter().any(|p| c.id.starts_with(p.as_str())))
        .collect()
}

/// The child: selects the mutant, runs the cases, prints the results.
async fn child(args: &Args, name: &str) -> ExitCode {
    if name != "none" {
        let Some(m) = Mutant::from_name(name) else {
            eprintln!("unknown mutant {name}");
            return ExitCode::from(2);
        };
        mutants::select(m);
    }
    let Some(transport) = transport::by_name(&args.transport) else {
        eprintln!("unknown transport {}", args.transport);
        return ExitCode::from(2);
    };
    let selected = cases::over(&select(&args.cases), transport);
    if selected.is_empty() {
        eprintln!("no case matches {:?}", args.cases);
        return ExitCode::from(2);
    }
    let path = repo_root().join("conformance/expected/builtin.txt");
    let expected = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| expected::Expected::parse(&t))
    {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let scratch_dir =
        std::env::temp_dir().join(format!("zmtp-conformance-mutants-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&scratch_dir);
    let plan = runner::Plan {
        agent: Some("builtin".into()),
        factory: Arc::new(|| Ok(Box::new(agent::builtin::Builtin::new()) as Box<dyn agent::Agent>)),
        settings: Settings {
            transport,
            strict: true,
            op_timeout: Duration::from_millis(args.timeout_ms),
            quiet: Duration::from_millis(args.quiet_ms),
            scratch_dir: scratch_dir.clone(),
        },
        jobs: args.jobs,
        case_timeout: case_timeout(args),
        progress: runner::Progress::Quiet,
    };
    let run = runner::run(plan, selected).await;
    let _ = std::fs::remove_dir_all(&scratch_dir);
    let run = match run {
        Ok(run) => run,
        Err(e) => {
            eprintln!("the agent did not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    for r in &run.results {
        let line = Line {
            case: r.id.clone(),
            verdict: r.verdict.kind.label().into(),
            expected: !matches!(
                expected
                    .judge(&r.id, r.verdict.kind, &run.transport, &run.profile)
                    .status,
                crate::tally::Status::Failed | crate::tally::Status::UnexpectedPass
            ),
            detail: r.verdict.detail.clone(),
        };
        match serde_json::to_string(&line) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("{}: {e}", r.id),
        }
    }
    ExitCode::SUCCESS
}

/// Runs each correct variant against its cases: any FAIL is a verdict the
/// suite got wrong. Returns (passed, refused); broken runs are counted in
/// `broken`.
async fn run_variants(args: &Args, variants: &[Mutant], broken: &mut usize) -> (usize, usize) {
    let (mut passed, mut refused) = (0usize, 0usize);
    for &m in variants {
        let prefixes = plan_for(args, m);
        let t = Instant::now();
        let outcome = spawn(args, m.name(), &prefixes).await;
        let secs = t.elapsed().as_secs_f64();
        match outcome {
            Outcome::Broken(why) => {
                *broken += 1;
                println!("ERROR    {:<28} ({secs:.1} s) {why}", m.name());
            }
            Outcome::Results(lines) => {
                let wrong: Vec<&Line> = lines.iter().filter(|l| l.verdict == "FAIL").collect();
                if wrong.is_empty() {
                    passed += 1;
                    println!(
                        "PASSED   {:<28} ({secs:.1} s) {} cases, none FAIL (a correct variant)",
                        m.name(),
                        lines.len()
                    );
                } else {
                    refused += 1;
                    println!(
                        "REFUSED  {:<28} ({secs:.1} s) a correct variant FAILs:",
                        m.name()
                    );
                    for l in wrong {
                        println!("         {:<28} {}: {}", "", l.case, l.detail);
                    }
                }
            }
        }
        println!("         {:<28} {}", "", m.describe());
    }
    (passed, refused)
}

fn case_timeout(args: &Args) -> Duration {
    Duration::from_millis(args.timeout_ms * 8 + 5000)
}

/// How one child run ended.
enum Outcome {
    /// Its results, one per case run.
    Results(Vec<Line>),
    /// It failed before reporting (exit status, timeout), with why.
    Broken(String),
}

/// Starts a child of this binary for mutant `name` over `prefixes` and
/// waits for it, at most as long as its cases may take one after another.
async fn spawn(args: &Args, name: &str, prefixes: &[String]) -> Outcome {
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => return Outcome::Broken(format!("cannot find this program: {e}")),
    };
    let n = select(prefixes).len() as u32;
    let limit = case_timeout(args) * n + Duration::from_secs(30);
    let mut cmd = tokio::process::Command::new(exe);
    cmd.args(["mutants", "--child", name])
        .args(["--transport", &args.transport])
        .args(["--jobs", &args.jobs.to_string()])
        .args(["--timeout-ms", &args.timeout_ms.to_string()])
        .args(["--quiet-ms", &args.quiet_ms.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if !prefixes.is_empty() {
        cmd.arg("--cases").arg(prefixes.join(","));
    }
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Outcome::Broken(format!("cannot start a child: {e}")),
    };
    let output = match tokio::time::timeout(limit, child.wait_with_output()).await {
        Err(_) => return Outcome::Broken(format!("no answer within {} s", limit.as_secs())),
        Ok(Err(e)) => return Outcome::Broken(format!("child: {e}")),
        Ok(Ok(o)) => o,
    };
    let lines: Vec<Line> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    if !output.status.success() || lines.is_empty() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Outcome::Broken(format!("{}: {}", output.status, tail.join(" | ")));
    }
    Outcome::Results(lines)
}

/// The cases a mutant runs, as the child is given them.
fn plan_for(args: &Args, m: Mutant) -> Vec<String> {
    if args.all_cases {
        Vec::new()
    } else {
        killers(m).iter().map(|s| (*s).to_string()).collect()
    }
}

/// The parent: a control run, then one child per mutant, then the score.
async fn parent(args: &Args, chosen: &[Mutant]) -> ExitCode {
    let started = Instant::now();
    // The control: the same cases with no mutant must all be as expected,
    // or a kill would prove nothing.
    let mut union: Vec<String> = Vec::new();
    if !args.all_cases {
        for &m in chosen {
            for p in plan_for(args, m) {
                if !union.contains(&p) {
                    union.push(p);
                }
            }
        }
    }
    println!(
        "== control: {} cases, strict profile over {}, with no mutant",
        select(&union).len(),
        args.transport
    );
    match spawn(args, "none", &union).await {
        Outcome::Broken(why) => {
            println!("   the control run broke: {why}");
            return ExitCode::from(2);
        }
        Outcome::Results(lines) => {
            let off: Vec<&Line> = lines.iter().filter(|l| !l.expected).collect();
            if !off.is_empty() {
                for l in off {
                    println!("   {} {}: {}", l.case, l.verdict, l.detail);
                }
                println!("   the suite is not clean without a mutant: no score");
                return ExitCode::from(2);
            }
            println!("   all {} as expected", lines.len());
        }
    }
    let (mut killed, mut broken, mut equivalent) = (0usize, 0usize, 0usize);
    let (defects, variants): (Vec<Mutant>, Vec<Mutant>) =
        chosen.iter().partition(|m| !m.is_variant());
    for &m in &defects {
        let prefixes = plan_for(args, m);
        let t = Instant::now();
        let outcome = spawn(args, m.name(), &prefixes).await;
        let secs = t.elapsed().as_secs_f64();
        let ran = if prefixes.is_empty() {
            "all cases".to_string()
        } else {
            prefixes.join(" ")
        };
        match outcome {
            Outcome::Broken(why) => {
                broken += 1;
                println!("ERROR    {:<28} ({secs:.1} s) {why}", m.name());
            }
            Outcome::Results(lines) => {
                let by: Vec<String> = lines
                    .iter()
                    .filter(|l| !l.expected)
                    .map(|l| format!("{} ({})", l.case, l.verdict))
                    .collect();
                let why = EQUIVALENT.iter().find(|(e, _)| *e == m).map(|(_, why)| why);
                if let (true, Some(why)) = (by.is_empty(), why) {
                    equivalent += 1;
                    println!(
                        "EQUIVALENT {:<26} ({secs:.1} s) ran: {ran}; {why}",
                        m.name()
                    );
                } else if by.is_empty() {
                    println!("SURVIVED {:<28} ({secs:.1} s) ran: {ran}", m.name());
                } else {
                    killed += 1;
                    println!(
                        "KILLED   {:<28} ({secs:.1} s) by {}",
                        m.name(),
                        by.join(", ")
                    );
                }
            }
        }
        println!("         {:<28} {}", "", m.describe());
    }
    let (passed, refused) = run_variants(args, &variants, &mut broken).await;
    let total = defects.len();
    let score = |of: usize| {
        if of == 0 {
            100.0
        } else {
            killed as f64 * 100.0 / of as f64
        }
    };
    let percent = score(total - equivalent);
    let scope = if args.all_cases {
        "every case against every mutant"
    } else {
        "each mutant against its listed cases"
    };
    println!(
        "\n{killed} of {total} killed ({:.1}%; {scope}; strict profile over {}; {broken} broken runs; {:.0} s)",
        score(total),
        args.transport,
        started.elapsed().as_secs_f64()
    );
    println!(
        "{killed} of {} killed ({percent:.1}%) without the {equivalent} equivalent survivors (FINDINGS.md)",
        total - equivalent
    );
    if !variants.is_empty() {
        println!(
            "{passed} of {} correct variants passed; {refused} judged wrong",
            variants.len()
        );
    }
    if percent < f64::from(args.threshold) {
        println!("below the threshold of {}%", args.threshold);
        ExitCode::FAILURE
    } else if refused > 0 {
        println!("the suite fails a correct peer: a false positive to fix");
        ExitCode::FAILURE
    } else if broken > 0 {
        println!("some runs broke before reporting a result");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests;
