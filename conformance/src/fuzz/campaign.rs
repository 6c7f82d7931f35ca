//! The fuzzing loop (`zmtp-conformance fuzz`) and the replay of a
//! reproducer (`zmtp-conformance replay`): sessions planned from the seed,
//! run through the driver, their findings judged by the detectors,
//! minimized and saved.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use serde_json::json;

use super::detectors::{self, Finding, PanicWatch};
use super::driver::{self, Env};
use super::minimizer::Ddmin;
use super::reproducer::Reproducer;
use super::{Menu, Session, plan};
use crate::agent::builtin::Builtin;
use crate::agent::process::ProcessAgent;
use crate::agent::registry::{self, AgentSpec};
use crate::agent::{Agent, Answer};
use crate::peer::Transport;
use crate::wirelog::{Direction, WireLog};

/// The running agent: in process, or a child process.
pub enum Handle {
    /// Our implementation.
    Builtin(Builtin),
    /// A third-party agent.
    Process(Box<ProcessAgent>),
}

impl Handle {
    /// Starts the agent `spec` describes.
    ///
    /// # Errors
    /// Why it could not start.
    pub fn start(spec: &AgentSpec) -> Result<Self, String> {
        if spec.is_builtin() {
            return Ok(Self::Builtin(Builtin::new()));
        }
        let cmd = spec
            .command(&crate::data::data_dir(None))?
            .ok_or_else(|| format!("{} has no command", spec.name))?;
        ProcessAgent::spawn(cmd)
            .map(|p| Self::Process(Box::new(p)))
            .map_err(|e| e.0)
    }

    /// The agent.
    pub fn agent(&mut self) -> &mut dyn Agent {
        match self {
            Self::Builtin(b) => b,
            Self::Process(p) => p.as_mut(),
        }
    }

    /// The process whose memory is the agent's (ours for the built-in).
    pub fn pid(&self) -> Option<u32> {
        match self {
            Self::Builtin(_) => Some(std::process::id()),
            Self::Process(p) => p.pid(),
        }
    }

    /// How the agent process ended, waiting up to half a second for it.
    async fn exit_status(&mut self) -> Option<ExitStatus> {
        let Self::Process(p) = self else { return None };
        for _ in 0..10 {
            if let Some(s) = p.exit_status() {
                return Some(s);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

/// What a fuzzing run is asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// The agent's name.
    pub agent: String,
    /// How long to run.
    pub seconds: u64,
    /// At most this many iterations (tests, smoke runs).
    pub max_iterations: Option<u64>,
    /// The seed.
    pub seed: u64,
    /// The transport.
    pub transport: &'static dyn Transport,
    /// Only this socket type for the agent.
    pub socket_type: Option<String>,
    /// Where reproducers go.
    pub out: PathBuf,
    /// The agent's memory ceiling, KiB.
    pub rss_ceiling_kib: u64,
    /// Trials the minimizer may run per finding.
    pub minimize_budget: usize,
    /// Signatures that do not count against the exit status (third-party
    /// agents' known findings).
    pub expected: Vec<String>,
    /// A scratch folder (ipc endpoints).
    pub scratch: PathBuf,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Summary {
    /// Iterations run.
    pub iterations: u64,
    /// Iterations skipped (the agent could not run the session).
    pub skipped: u64,
    /// Distinct findings, with their reproducer's path.
    pub findings: Vec<(Finding, Option<PathBuf>)>,
    /// Seconds run.
    pub seconds: f64,
    /// Coverage items reached.
    pub coverage: BTreeSet<String>,
}

impl Summary {
    /// Findings not in the expected list.
    pub fn unexpected<'a>(&'a self, expected: &'a [String]) -> impl Iterator<Item = &'a Finding> {
        self.findings
            .iter()
            .map(|(f, _)| f)
            .filter(|f| !expected.contains(&f.signature))
    }

    /// The progress line.
    pub fn line(&self, agent: &str) -> String {
        let count = |p: &str| self.coverage.iter().filter(|c| c.starts_with(p)).count();
        format!(
            "fuzz {agent}: {} iterations ({:.1}/s, {} skipped), states {}, transitions {}, reactions {}, findings {}",
            self.iterations,
            self.iterations as f64 / self.seconds.max(0.001),
            self.skipped,
            count("state:"),
            count("edge:"),
            count("reaction:") + count("failed:"),
            self.findings.len()
        )
    }
}

/// The fuzzer's own state: the agent, restarted after it dies.
pub struct Fuzzer {
    spec: AgentSpec,
    handle: Handle,
    env: Env,
    rss_ceiling_kib: u64,
}

impl Fuzzer {
    /// Starts `spec`'s agent for sessions over `transport`.
    ///
    /// # Errors
    /// Why the agent did not start.
    pub fn new(
        spec: AgentSpec,
        transport: &'static dyn Transport,
        scratch: PathBuf,
        rss_ceiling_kib: u64,
    ) -> Result<Self, String> {
        PanicWatch::install();
        let handle = Handle::start(&spec)?;
        let env = Env::new(transport, scratch, spec.is_builtin());
        Ok(Self {
            spec,
            handle,
            env,
            rss_ceiling_kib,
        })
    }

    /// The agent's manifest.
    ///
    /// # Errors
    /// Why the agent gave none.
    pub async fn manifest(&mut self) -> Result<serde_json::Value, String> {
        let a = self
            .handle
            .agent()
            .call(json!({"op": "manifest"}), Duration::from_secs(20))
            .await
            .map_err(|e| e.0)?;
        match a {
            Answer::Ok(v) => Ok(v),
            other => Err(format!("manifest: {other:?}")),
        }
    }

    /// Runs one session and gives its findings (every class) and outcome.
    pub async fn attempt(
        &mut self,
        session: &Session,
        log: &WireLog,
    ) -> (Vec<Finding>, driver::Outcome) {
        let _ = PanicWatch::take();
        let mut outcome = driver::run(self.handle.agent(), session, &self.env, log).await;
        let mut findings = std::mem::take(&mut outcome.findings);
        if let Some((failure, op)) = &outcome.agent_failure {
            let status = self.handle.exit_status().await;
            let mut f = detectors::crash_or_hang(failure, status, op);
            // What the agent said last (a panic message, an assertion).
            let tail = self.handle.agent().stderr_tail();
            let last: Vec<&str> = tail.lines().rev().take(3).collect();
            if !last.is_empty() {
                let last: Vec<&str> = last.into_iter().rev().collect();
                f.detail = format!("{}; agent stderr: {}", f.detail, last.join(" | "));
            }
            findings.insert(0, f);
            if let Ok(h) = Handle::start(&self.spec) {
                self.handle = h;
            }
        }
        if self.spec.is_builtin() {
            // Tasks that panicked after the session ended count too.
            tokio::time::sleep(Duration::from_millis(5)).await;
            findings.extend(PanicWatch::take());
        }
        if let Some(kib) = self.handle.pid().and_then(detectors::rss_kib)
            && let Some(f) = detectors::memory(kib, self.rss_ceiling_kib)
        {
            findings.push(f);
        }
        (findings, outcome)
    }

    /// Whether `session` still gives a finding with `signature` (in at
    /// most `tries` attempts).
    pub async fn reproduces(&mut self, session: &Session, signature: &str, tries: usize) -> bool {
        for _ in 0..tries {
            let (findings, _) = self.attempt(session, &WireLog::new()).await;
            if findings.iter().any(|f| f.signature == signature) {
                return true;
            }
        }
        false
    }

    /// Delta-debugs `session`'s mutation list against `signature`.
    pub async fn minimize(&mut self, session: &Session, signature: &str, budget: usize) -> Session {
        let mut d = Ddmin::new(session.mutations.clone(), budget);
        while let Some(candidate) = d.candidate() {
            let trial = Session {
                mutations: candidate,
                ..session.clone()
            };
            let fails = self.reproduces(&trial, signature, 1).await;
            d.report(fails);
        }
        Session {
            mutations: d.result().to_vec(),
            ..session.clone()
        }
    }
}

/// A fuzzing run.
///
/// # Errors
/// Why it could not start (an unknown or uninstalled agent).
pub async fn run(opts: &Options) -> Result<Summary, String> {
    let spec =
        registry::find(&opts.agent).ok_or_else(|| format!("unknown agent {}", opts.agent))?;
    if !spec.is_installed(&crate::data::data_dir(None)) {
        return Err(format!(
            "{} is not installed (zmtp-conformance setup --agent {})",
            opts.agent, opts.agent
        ));
    }
    let _ = std::fs::create_dir_all(&opts.scratch);
    let mut fuzzer = Fuzzer::new(
        spec,
        opts.transport,
        opts.scratch.clone(),
        opts.rss_ceiling_kib,
    )?;
    let manifest = fuzzer.manifest().await?;
    let menu = Menu::from_manifest(&manifest, opts.socket_type.as_deref());
    if menu.socket_types.is_empty() {
        return Err("no socket type to fuzz".into());
    }
    let start = Instant::now();
    let mut last_line = Instant::now();
    let mut summary = Summary::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut i = 0u64;
    while start.elapsed() < Duration::from_secs(opts.seconds)
        && opts.max_iterations.is_none_or(|m| i < m)
    {
        let Some(session) = plan(&menu, opts.seed, i) else {
            break;
        };
        let (findings, outcome) = fuzzer.attempt(&session, &WireLog::new()).await;
        summary.iterations += 1;
        if outcome.skipped.is_some() {
            summary.skipped += 1;
        }
        summary.coverage.extend(outcome.coverage);
        for f in findings {
            if !seen.insert(f.signature.clone()) {
                continue;
            }
            println!("finding at iteration {i}: {f}");
            let minimized = fuzzer
                .minimize(&session, &f.signature, opts.minimize_budget)
                .await;
            let r = Reproducer {
                format: super::reproducer::FORMAT,
                agent: opts.agent.clone(),
                seed: opts.seed,
                iteration: i,
                transport: opts.transport.name().to_string(),
                finding: f.clone(),
                mutations_before: session.mutations.len(),
                session: minimized,
                promoted: None,
            };
            let path = match r.save(&opts.out) {
                Ok(p) => {
                    println!(
                        "  reproducer {} ({} of {} mutations kept)",
                        p.display(),
                        r.session.mutations.len(),
                        r.mutations_before
                    );
                    Some(p)
                }
                Err(e) => {
                    eprintln!("  reproducer not saved: {e}");
                    None
                }
            };
            summary.findings.push((f, path));
        }
        i += 1;
        summary.seconds = start.elapsed().as_secs_f64();
        if last_line.elapsed() >= Duration::from_secs(5) {
            println!("{}", summary.line(&opts.agent));
            last_line = Instant::now();
        }
    }
    summary.seconds = start.elapsed().as_secs_f64();
    let _ = fuzzer
        .handle
        .agent()
        .call(json!({"op": "quit"}), Duration::from_secs(2))
        .await;
    Ok(summary)
}

/// Replays a reproducer against `agent` (its own agent when `None`),
/// printing the wire log; true when the finding reproduced.
///
/// # Errors
/// Why it could not run.
pub async fn replay(
    r: &Reproducer,
    agent: Option<&str>,
    transport: &'static dyn Transport,
    tries: usize,
    scratch: PathBuf,
) -> Result<bool, String> {
    let name = agent.unwrap_or(&r.agent);
    let spec = registry::find(name).ok_or_else(|| format!("unknown agent {name}"))?;
    let _ = std::fs::create_dir_all(&scratch);
    let mut fuzzer = Fuzzer::new(spec, transport, scratch, 4 * 1024 * 1024)?;
    let _ = fuzzer.manifest().await?;
    for attempt in 1..=tries.max(1) {
        let log = WireLog::new();
        let (findings, _) = fuzzer.attempt(&r.session, &log).await;
        println!("== attempt {attempt}: wire log");
        for e in log.entries() {
            let arrow = match e.dir {
                Direction::Out => ">>",
                Direction::In => "<<",
                Direction::Note => "--",
            };
            println!("{:>6} ms {:<6} {arrow} {}", e.t_ms, e.who, e.data);
        }
        for f in &findings {
            println!("finding: {f}");
        }
        if findings.iter().any(|f| f.signature == r.finding.signature) {
            println!("reproduced: {}", r.finding.signature);
            return Ok(true);
        }
    }
    println!("did not reproduce: {}", r.finding.signature);
    Ok(false)
}
