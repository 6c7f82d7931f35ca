//! Expected-results files (`conformance/expected/<agent>.txt`).
//!
//! One entry a line: `[QUALIFIER:]...PATTERN VERDICT reason`, where a
//! pattern is a case id or a prefix ending in `*`, the qualifiers are
//! `tcp`, `ipc`, `strict` and `default`, and the reason is mandatory.
//! `#` starts a comment. A verdict may list alternatives, `FAIL|PASS-LENIENT`,
//! for a result that depends on timing inside the implementation (the reason
//! must say so). A case with no entry is expected to PASS (or
//! PASS-LENIENT). The most specific entry wins: more qualifiers first, then
//! the longer pattern.

use serde::Serialize;

use crate::case::Kind;

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

/// How one result compares with the expectation.
#[derive(Clone, Debug, Serialize)]
pub struct Mismatch {
    /// The case.
    pub id: String,
    /// What was expected.
    pub expected: String,
    /// What happened.
    pub got: String,
    /// The expectation's reason, if it had one.
    pub reason: String,
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
                if !["tcp", "ipc", "strict", "default"].contains(&x.as_str()) {
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

    /// Compares one result; `None` when it is as expected.
    pub fn check(&self, id: &str, got: Kind, transport: &str, profile: &str) -> Option<Mismatch> {
        match self.lookup(id, transport, profile) {
            Some(e) if e.kinds.contains(&got) => None,
            Some(e) => Some(Mismatch {
                id: id.to_string(),
                expected: e
                    .kinds
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join("|"),
                got: got.label().to_string(),
                reason: e.reason.clone(),
            }),
            None if matches!(got, Kind::Pass | Kind::PassLenient) => None,
            None => Some(Mismatch {
                id: id.to_string(),
                expected: "PASS".to_string(),
                got: got.label().to_string(),
                reason: String::new(),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
