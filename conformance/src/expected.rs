//! Expected-results files (`conformance/expected/<agent>.txt`, or the path
//! an agent file or `--expected` names; the format is documented in
//! AGENTS.md).
//!
//! One entry a line: `[QUALIFIER:]...PATTERN VERDICT reason`, where a
//! pattern is a case id or a prefix ending in `*`, the qualifiers are
//! `tcp`, `ipc`, `strict` and `default`, and the reason is mandatory.
//! `#` starts a comment. A verdict may list alternatives, `FAIL|PASS-LENIENT`,
//! for a result that depends on timing inside the implementation (the reason
//! must say so). A case with no entry is expected to PASS (or
//! PASS-LENIENT); an UNSUPPORTED one is counted unsupported, never failed.
//! The most specific entry wins: more qualifiers first, then the longer
//! pattern. What each verdict then counts as: [`crate::tally`].

use std::fmt::Write as _;

use crate::case::Kind;
use crate::runner::RunReport;
use crate::tally::{Judged, Status};

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    qualifiers: Vec<String>,
    pattern: String,
    /// The expected verdicts (usually one).
    pub kinds: Vec<Kind>,
    /// Why.
    pub reason: String,
}

/// A parsed file.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    entries: Vec<Entry>,
}

impl Expected {
    /// Parses a file's text.
    ///
    /// # Errors
    /// The line number and problem of the first bad line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.splitn(3, char::is_whitespace);
            let (Some(pat), Some(kind), Some(reason)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(format!("line {}: want `PATTERN VERDICT reason`", n + 1));
            };
            let kinds = kind
                .split('|')
                .map(|k| {
                    Kind::parse(k).ok_or_else(|| format!("line {}: unknown verdict {k}", n + 1))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let reason = reason.trim().to_string();
            if reason.is_empty() {
                return Err(format!("line {}: every expectation needs a reason", n + 1));
            }
            let mut q: Vec<String> = pat.split(':').map(str::to_string).collect();
            let pattern = q.pop().unwrap_or_default();
            for x in &q {
                if !["tcp", "ipc", "ws", "strict", "default"].contains(&x.as_str()) {
                    return Err(format!("line {}: unknown qualifier {x}", n + 1));
                }
            }
            entries.push(Entry {
                qualifiers: q,
                pattern,
                kinds,
                reason,
            });
        }
        Ok(Self { entries })
    }

    /// The entry for case `id` in a run over `transport` with `profile`.
    pub fn lookup(&self, id: &str, transport: &str, profile: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.qualifiers.iter().all(|q| q == transport || q == profile))
            .filter(|e| match e.pattern.strip_suffix('*') {
                Some(prefix) => id.starts_with(prefix),
                None => e.pattern == id,
            })
            .max_by_key(|e| {
                let exact = !e.pattern.ends_with('*');
                (e.qualifiers.len(), exact, e.pattern.len())
            })
    }

    /// Judges one result (the table in [`crate::tally`]).
    pub fn judge(&self, id: &str, got: Kind, transport: &str, profile: &str) -> Judged {
        let entry = self.lookup(id, transport, profile);
        let listed = |k: Kind| entry.is_some_and(|e| e.kinds.contains(&k));
        let status = match got {
            Kind::Pass | Kind::PassLenient
                if entry.is_none() || listed(Kind::Pass) || listed(Kind::PassLenient) =>
            {
                if got == Kind::Pass {
                    Status::Passed
                } else {
                    Status::Lenient
                }
            }
            Kind::Pass | Kind::PassLenient => Status::UnexpectedPass,
            Kind::Unsupported if entry.is_none() || listed(got) => Status::Unsupported,
            Kind::NonStrict | Kind::Fail if listed(got) => Status::ExpectedFailure,
            Kind::Unsupported | Kind::NonStrict | Kind::Fail => Status::Failed,
        };
        Judged {
            id: id.to_string(),
            status,
            got: got.label().to_string(),
            expected: entry.map_or_else(
                || "PASS".to_string(),
                |e| {
                    e.kinds
                        .iter()
                        .map(|k| k.label())
                        .collect::<Vec<_>>()
                        .join("|")
                },
            ),
            reason: entry.map(|e| e.reason.clone()).unwrap_or_default(),
        }
    }

    /// Judges every result of `run`, in its order.
    pub fn judge_run(&self, run: &RunReport) -> Vec<Judged> {
        run.results
            .iter()
            .map(|r| self.judge(&r.id, r.verdict.kind, &run.transport, &run.profile))
            .collect()
    }
}

/// The longest reason `bless` copies from a verdict's detail.
const BLESS_REASON_MAX: usize = 300;

/// A first expected-results file from `runs` (one agent, one profile, any
/// transports; `run --bless`): an entry for every case that did not PASS
/// (or PASS-LENIENT), with the verdict's detail as its reason, so an
/// UNSUPPORTED entry carries the agent's own answer. A case with the same
/// verdict over every transport gets one entry, otherwise one per
/// transport; a strict run's entries are qualified `strict:`.
pub fn bless(runs: &[RunReport]) -> String {
    let mut s = String::new();
    let Some(first) = runs.first() else {
        return s;
    };
    let transports: Vec<&str> = runs.iter().map(|r| r.transport.as_str()).collect();
    let version = first.manifest["version"].as_str().unwrap_or("?");
    let _ = writeln!(
        s,
        "# Expected results for the agent {} ({version}), written by `zmtp-conformance run --bless`\n\
         # from a run over {}, {} profile. Each reason is what the run observed: replace it\n\
         # with why the implementation behaves so. Format: conformance/AGENTS.md.",
        first.agent,
        transports.join(" and "),
        first.profile
    );
    let strict = if first.profile == "strict" {
        "strict:"
    } else {
        ""
    };
    for r in &first.results {
        let per: Vec<(&str, Kind, &str)> = runs
            .iter()
            .filter_map(|run| {
                let x = run.results.iter().find(|x| x.id == r.id)?;
                Some((
                    run.transport.as_str(),
                    x.verdict.kind,
                    x.verdict.detail.as_str(),
                ))
            })
            .filter(|(_, k, _)| !matches!(k, Kind::Pass | Kind::PassLenient))
            .collect();
        let Some(&(_, kind, detail)) = per.first() else {
            continue;
        };
        if per.len() == runs.len() && per.iter().all(|(_, k, _)| *k == kind) {
            let _ = writeln!(s, "{strict}{} {} {}", r.id, kind.label(), reason(detail));
        } else {
            for (t, k, d) in per {
                let _ = writeln!(s, "{strict}{t}:{} {} {}", r.id, k.label(), reason(d));
            }
        }
    }
    s
}

/// A detail as an entry's reason: one line, no `#` (a comment), bounded.
fn reason(detail: &str) -> String {
    let mut r: String = detail
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect::<String>()
        .replace('#', "no. ");
    if r.len() > BLESS_REASON_MAX {
        let cut = (0..=BLESS_REASON_MAX)
            .rev()
            .find(|&i| r.is_char_boundary(i))
            .unwrap_or(0);
        r.truncate(cut);
        r.push_str("...");
    }
    let r = r.trim().to_string();
    if r.is_empty() {
        "(blessed from a run; say why)".to_string()
    } else {
        r
    }
}

#[cfg(test)]
mod tests;
