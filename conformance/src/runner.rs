//! Runs cases against an agent: a few workers, each with its own agent
//! process, take cases from a shared queue. A case that exceeds its time
//! limit is reported as hung and its agent is replaced; the run goes on.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::agent::{Agent, AgentFailure, Client, Stop};
use crate::case::{Case, Ctx, Judgement, Kind, Settings, Verdict};
use crate::peer::transport::{NOTES, Note, Notes};
use crate::wirelog::Entry;

/// Starts a fresh agent.
pub type Factory = Arc<dyn Fn() -> Result<Box<dyn Agent>, AgentFailure> + Send + Sync>;

/// The result of one case.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    /// The case id.
    pub id: String,
    /// The requirements it checks.
    pub requirements: Vec<String>,
    /// What it sends.
    pub sends: String,
    /// What it expects.
    pub expects: String,
    /// The verdict.
    pub verdict: Verdict,
    /// How long it took.
    pub duration_ms: u64,
    /// The wire log of both directions.
    pub wire: Vec<Entry>,
    /// The observable trace of a behavioural case: model events as objects
    /// ([`crate::events::event`]), other observations as `{"note": text}`.
    pub trace: Vec<Value>,
    /// The end of the agent's standard error, kept for failures.
    pub agent_stderr: String,
}

/// A whole run against one agent over one transport.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// The agent's name.
    pub agent: String,
    /// The agent's manifest.
    pub manifest: Value,
    /// A shipped agent's implementation as installed (`pyzmq 27.3.0`);
    /// `None` for other agents (the manifest's `version` tells).
    pub installed: Option<String>,
    /// `tcp` or `ipc`.
    pub transport: String,
    /// `strict` or `default`.
    pub profile: String,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// One entry per case, in registry order.
    pub results: Vec<CaseResult>,
}

/// What the runner shows while cases run (on standard error; the summary
/// after the run always prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Nothing (CI, or standard error is not a terminal).
    Quiet,
    /// One line per agent and transport, redrawn in place.
    Bar,
    /// A line per completed case (`-v`).
    Verbose,
}

impl Progress {
    /// `Verbose` when asked for; otherwise a bar on a terminal, and quiet
    /// under `CI=true` or without a terminal.
    pub fn detect(verbose: bool) -> Self {
        if verbose {
            Self::Verbose
        } else if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
            || !std::io::stderr().is_terminal()
        {
            Self::Quiet
        } else {
            Self::Bar
        }
    }
}

/// How a run is carried out.
#[derive(Clone)]
pub struct Plan {
    /// The agent's name, for the report; `None`: the name in its manifest.
    pub agent: Option<String>,
    /// Starts agents.
    pub factory: Factory,
    /// Shared settings.
    pub settings: Settings,
    /// Parallel workers (agent processes).
    pub jobs: usize,
    /// A case's time limit.
    pub case_timeout: Duration,
    /// What to show while cases run.
    pub progress: Progress,
}

async fn start(factory: &Factory) -> Result<(Box<dyn Agent>, Value), String> {
    let mut agent = factory().map_err(|AgentFailure(e)| e)?;
    let log = crate::wirelog::WireLog::new();
    let manifest = Client::new(agent.as_mut(), log, Duration::from_secs(20))
        .manifest()
        .await
        .map_err(|e| format!("agent manifest: {e:?}"))?;
    Ok((agent, manifest))
}

/// Runs `cases`.
///
/// # Errors
/// When no agent can be started at all.
pub async fn run(plan: Plan, cases: Vec<Case>) -> Result<RunReport, String> {
    let started = Instant::now();
    let (first, manifest) = start(&plan.factory).await?;
    let total = cases.len();
    let cases = Arc::new(cases);
    let next = Arc::new(Mutex::new(0usize));
    let results: Arc<Mutex<Vec<Option<CaseResult>>>> = Arc::new(Mutex::new(vec![None; total]));
    let done = Arc::new(Mutex::new(0usize));
    let agent_name = plan
        .agent
        .clone()
        .unwrap_or_else(|| manifest_name(&manifest));
    let label: Arc<str> = format!("{agent_name} {}", plan.settings.transport.name()).into();
    let mut workers = Vec::new();
    let mut first = Some((first, manifest.clone()));
    for w in 0..plan.jobs.max(1) {
        let plan = plan.clone();
        let cases = Arc::clone(&cases);
        let next = Arc::clone(&next);
        let results = Arc::clone(&results);
        let done = Arc::clone(&done);
        let label = Arc::clone(&label);
        let mut agent = first.take();
        workers.push(tokio::spawn(async move {
            loop {
                let i = {
                    let Ok(mut n) = next.lock() else { return };
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(case) = cases.get(i).copied() else {
                    return;
                };
                if agent.is_none() {
                    agent = start(&plan.factory).await.ok();
                }
                let (result, back) = match agent.take() {
                    Some((a, m)) => {
                        run_one(&plan, &case, a, m, (w as u32) * 100_000 + i as u32).await
                    }
                    None => (no_agent(&case), None),
                };
                agent = back;
                if let Ok(mut r) = results.lock()
                    && let Some(slot) = r.get_mut(i)
                {
                    *slot = Some(result.clone());
                }
                let n = done.lock().map(|mut d| {
                    *d += 1;
                    *d
                });
                progress(plan.progress, &label, n.unwrap_or(0), total, &result);
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    if plan.progress == Progress::Bar {
        // Clears the bar: the summary follows on standard output.
        crate::out::stderr(&format!("\r{:width$}\r", "", width = BAR_LINE));
    }
    let results = results
        .lock()
        .map(|r| r.iter().flatten().cloned().collect())
        .unwrap_or_default();
    Ok(RunReport {
        agent: agent_name,
        manifest,
        installed: None,
        transport: plan.settings.transport.name().to_string(),
        profile: if plan.settings.strict {
            "strict"
        } else {
            "default"
        }
        .to_string(),
        duration_ms: millis(started.elapsed()),
        results,
    })
}

/// The manifest's `name`, made fit for a file name (report files are
/// named after the agent).
pub fn manifest_name(manifest: &Value) -> String {
    let name: String = manifest["name"]
        .as_str()
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "agent".to_string()
    } else {
        name
    }
}

/// The width the bar's line is cleared to.
const BAR_LINE: usize = 100;

fn progress(mode: Progress, label: &str, n: usize, total: usize, r: &CaseResult) {
    match mode {
        Progress::Quiet => {}
        Progress::Bar => {
            let width = 30;
            let filled = n * width / total.max(1);
            crate::out::stderr(&format!(
                "\r[{label}] [{}{}] {n}/{total} {:<14} {:<12}",
                "#".repeat(filled),
                ".".repeat(width - filled),
                r.id,
                r.verdict.kind.label()
            ));
        }
        Progress::Verbose => {
            crate::out::stderr(&format!(
                "[{label} {n}/{total}] {:<12} {:<10} {} ms\n",
                r.verdict.kind.label(),
                r.id,
                r.duration_ms
            ));
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn no_agent(case: &Case) -> CaseResult {
    result_of(
        case,
        Verdict {
            kind: Kind::Fail,
            detail: "the agent could not be (re)started".into(),
            tolerance: None,
        },
        0,
        Vec::new(),
        Vec::new(),
        String::new(),
    )
}

fn result_of(
    case: &Case,
    verdict: Verdict,
    duration_ms: u64,
    wire: Vec<Entry>,
    trace: Vec<Value>,
    agent_stderr: String,
) -> CaseResult {
    CaseResult {
        id: case.id.to_string(),
        requirements: case.requirements().iter().map(|r| r.to_string()).collect(),
        sends: case.sends.to_string(),
        expects: case.expects.to_string(),
        verdict,
        duration_ms,
        wire,
        trace,
        agent_stderr,
    }
}

/// A case whose own checks passed fails when the model's trace oracle
/// cannot explain what was observed; otherwise the oracle's agreement is
/// added to the detail.
fn consult_oracle(mut verdict: Verdict, model: Option<&crate::case::ModelTrace>) -> Verdict {
    let Some(model) = model.filter(|m| !m.events.is_empty()) else {
        return verdict;
    };
    match (model.judge(), verdict.kind) {
        (Judgement::Rejected(why), Kind::Pass | Kind::PassLenient | Kind::NonStrict) => Verdict {
            kind: Kind::Fail,
            detail: format!(
                "{}; but the model oracle rejects the trace: {why}",
                verdict.detail
            ),
            tolerance: verdict.tolerance,
        },
        (Judgement::Rejected(why), _) => {
            verdict.detail = format!("{}; model oracle: {why}", verdict.detail);
            verdict
        }
        (Judgement::GaveUp(why), _) => {
            verdict.detail = format!("{} (model oracle gave up: {why})", verdict.detail);
            verdict
        }
        (Judgement::Explained(n), _) => {
            verdict.detail = format!("{} (model oracle: {n} events explained)", verdict.detail);
            verdict
        }
    }
}

async fn run_one(
    plan: &Plan,
    case: &Case,
    agent: Box<dyn Agent>,
    manifest: Value,
    serial: u32,
) -> (CaseResult, Option<(Box<dyn Agent>, Value)>) {
    let started = Instant::now();
    let mut cx = Ctx::new(agent, plan.settings.clone(), manifest.clone(), case, serial);
    let log = cx.log.clone();
    let run = case.run;
    let no_greeting = !plan.settings.transport.has_greeting();
    let notes = Notes::default();
    let outcome = tokio::time::timeout(
        plan.case_timeout,
        NOTES.scope(notes.clone(), async move {
            let r = if no_greeting && crate::cases::needs_greeting(case.id) {
                Err(Stop::Unsupported(format!(
                    "not applicable over {}: the case reads or forges the ZMTP greeting, \
                     which ZWS 2.0 does not have (45-R07)",
                    cx.settings.transport.name()
                )))
            } else if no_greeting && crate::cases::needs_byte_stream(case.id) {
                Err(Stop::Unsupported(format!(
                    "not applicable over {}: the case writes raw octets of its own (a STREAM \
                     peer, a fuzzer session), which a ZWS 2.0 message framing has no room for",
                    cx.settings.transport.name()
                )))
            } else {
                run(&mut cx).await
            };
            (cx, r)
        }),
    )
    .await;
    let duration_ms = millis(started.elapsed());
    match outcome {
        Ok((cx, r)) => {
            let verdict = match r {
                Ok(v) => v,
                Err(Stop::Unsupported(why)) => Verdict {
                    kind: Kind::Unsupported,
                    detail: why,
                    tolerance: None,
                },
                Err(Stop::Fail(why)) => Verdict {
                    kind: Kind::Fail,
                    detail: why,
                    tolerance: None,
                },
            };
            let verdict = consult_oracle(verdict, cx.model.as_ref());
            let verdict = judge_notes(verdict, notes.take(), plan.settings.transport.name());
            let trace =
                crate::events::trace(&cx.trace, cx.model.as_ref().map_or(&[][..], |m| &m.events));
            let mut agent = cx.into_agent();
            let stderr = if verdict.kind == Kind::Fail {
                agent.stderr_tail()
            } else {
                String::new()
            };
            let reset = Client::new(agent.as_mut(), log.clone(), plan.settings.op_timeout)
                .reset()
                .await;
            let back = reset.is_ok().then_some((agent, manifest));
            (
                result_of(case, verdict, duration_ms, log.entries(), trace, stderr),
                back,
            )
        }
        Err(_) => {
            let verdict = Verdict {
                kind: Kind::Fail,
                detail: format!(
                    "the case hung: no conclusion within {} s (agent restarted)",
                    plan.case_timeout.as_secs()
                ),
                tolerance: None,
            };
            (
                result_of(
                    case,
                    verdict,
                    duration_ms,
                    log.entries(),
                    Vec::new(),
                    String::new(),
                ),
                None,
            )
        }
    }
}

/// What the transport's bridge noted overrides the case's verdict: the
/// implementation breaking a ZWS rule is a FAIL, the raw peer doing what
/// ZWS cannot carry makes the case not applicable (see
/// [`crate::peer::transport::Ws`]).
fn judge_notes(verdict: Verdict, notes: Vec<Note>, transport: &str) -> Verdict {
    let violation = notes.iter().find_map(|n| match n {
        Note::Violation(why) => Some(why.clone()),
        Note::Unrepresentable(_) => None,
    });
    let unrepresentable = notes.iter().find_map(|n| match n {
        Note::Unrepresentable(why) => Some(why.clone()),
        Note::Violation(_) => None,
    });
    match (violation, unrepresentable) {
        (Some(why), _) => Verdict {
            kind: Kind::Fail,
            detail: why,
            tolerance: None,
        },
        (None, Some(why)) => Verdict {
            kind: Kind::Unsupported,
            detail: format!("not applicable over {transport}: the case sends {why}"),
            tolerance: None,
        },
        (None, None) => verdict,
    }
}

#[cfg(test)]
mod tests;
