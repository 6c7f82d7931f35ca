//! What counts as a finding, and how each class is detected.
//!
//! | class | detected by |
//! |---|---|
//! | crash | the agent process exited or died on a signal ([`crash_or_hang`]) |
//! | hang | the agent did not answer an op in time ([`crash_or_hang`]); or, in a session whose mutations all keep it valid, the raw peer's handshake did not finish, the connection was closed, or a valid message was not delivered within the bound (the driver) |
//! | memory | the agent's resident set (`VmRSS` of `/proc/PID/status`) passed the ceiling ([`rss_kib`]) |
//! | oracle | model's trace oracle explains no run of a correct socket of the agent's type that gives what was observed ([`crate::case::ModelTrace::judge`]) |
//! | defect | the built-in agent (our implementation) panicked ([`PanicWatch`]) or answered `error` to an op that cannot fail |

use std::fmt;
use std::process::ExitStatus;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

/// A finding's class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The agent process exited or died.
    Crash,
    /// The agent, or the implementation behind it on the wire, stopped
    /// answering.
    Hang,
    /// The agent's memory passed the ceiling.
    Memory,
    /// What the socket did could not come from a correct socket of its
    /// type.
    Oracle,
    /// Our own implementation (the built-in agent) panicked or failed.
    Defect,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Crash => "crash",
            Self::Hang => "hang",
            Self::Memory => "memory",
            Self::Oracle => "oracle",
            Self::Defect => "defect",
        })
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Its class.
    pub kind: Kind,
    /// A stable short name: findings with one signature are one defect
    /// (the expected lists and the campaign's deduplication use it).
    pub signature: String,
    /// What was seen, in full.
    pub detail: String,
}

impl Finding {
    /// A finding of `kind` whose signature is `kind: what`.
    pub fn new(kind: Kind, what: &str, detail: impl Into<String>) -> Self {
        Self {
            kind,
            signature: format!("{kind}: {what}"),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.signature, self.detail)
    }
}

/// An agent failure (the contract broke: it exited, or did not answer in
/// time) as a crash or a hang. `status` is the process's exit status when
/// it has one.
pub fn crash_or_hang(failure: &str, status: Option<ExitStatus>, op: &str) -> Finding {
    if let Some(status) = status.filter(|_| !failure.contains("did not answer")) {
        return match exit_signal(status) {
            Some(sig) => Finding::new(
                Kind::Crash,
                &format!("agent killed by signal {sig}"),
                format!("during {op}: {failure}"),
            ),
            None => Finding::new(
                Kind::Crash,
                &format!("agent exited ({status})"),
                format!("during {op}: {failure}"),
            ),
        };
    }
    if failure.contains("did not answer") || failure.contains("hung") {
        Finding::new(
            Kind::Hang,
            &format!("agent stopped answering ({op})"),
            failure.to_string(),
        )
    } else {
        Finding::new(
            Kind::Crash,
            "agent exited",
            format!("during {op}: {failure}"),
        )
    }
}

fn exit_signal(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

/// The resident set of process `pid` in KiB (`VmRSS` in
/// `/proc/PID/status`), if it can be read.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    vm_rss(&status)
}

/// The `VmRSS` of a `/proc/PID/status` text, in KiB.
pub fn vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A memory finding when `kib` is past `ceiling_kib`.
pub fn memory(kib: u64, ceiling_kib: u64) -> Option<Finding> {
    (kib > ceiling_kib).then(|| {
        Finding::new(
            Kind::Memory,
            "agent memory past the ceiling",
            format!("VmRSS {kib} KiB > {ceiling_kib} KiB"),
        )
    })
}

/// Panics anywhere in this process (the built-in agent's tasks included),
/// recorded by a panic hook that keeps the previous hook's output.
pub struct PanicWatch;

fn panics() -> &'static Mutex<Vec<String>> {
    static PANICS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    PANICS.get_or_init(|| Mutex::new(Vec::new()))
}

impl PanicWatch {
    /// Installs the hook (once per process).
    pub fn install() {
        static ONCE: OnceLock<()> = OnceLock::new();
        ONCE.get_or_init(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let place = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let text = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                if let Ok(mut p) = panics().lock() {
                    p.push(format!("{place}: {text}"));
                }
                previous(info);
            }));
        });
    }

    /// The panics since the last call, as findings.
    pub fn take() -> Vec<Finding> {
        let taken = panics()
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        taken
            .into_iter()
            .map(|p| {
                let place = p.split(": ").next().unwrap_or_default().to_string();
                Finding::new(Kind::Defect, &format!("panic at {place}"), p)
            })
            .collect()
    }
}

/// The built-in agent answered `error` to `op`, which a correct
/// implementation does not refuse here.
pub fn builtin_error(op: &str, message: &str) -> Finding {
    Finding::new(
        Kind::Defect,
        &format!("builtin {op} failed"),
        message.to_string(),
    )
}

/// A finding of the valid-exchange checks (the implementation stopped
/// responding to a valid exchange).
pub fn unresponsive(what: &str, detail: impl Into<String>) -> Finding {
    Finding::new(Kind::Hang, what, detail)
}

/// The trace oracle rejected the session's trace.
pub fn oracle(agent_type: &str, why: &str) -> Finding {
    // The event's variant names the defect; its fields vary.
    let event = why
        .split(" (")
        .nth(1)
        .and_then(|e| e.split('(').next())
        .unwrap_or("event");
    Finding::new(
        Kind::Oracle,
        &format!("{agent_type} {event} unexplained"),
        why.to_string(),
    )
}
