//! `zmtp-conformance coverage`: every requirement of the catalogue's RFCs
//! (13, 15, 23, 24, 26-32, 37, 41, 45, 48, 49, 51, 52) and its grammar
//! items, with the cases that test it, its written exclusion if any, its
//! `[pending]` marker if any, and the places in the workspace's source that
//! name it (ranges such as `26-R06..R08` name every id inside).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One requirement of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// `37-R15`, `G07`, ...
    pub id: String,
    /// Its tags (`wire`, `behav`, `API`, `process`, `neg`, `pending`).
    pub tags: Vec<String>,
    /// The catalogue line.
    pub text: String,
}

impl Requirement {
    /// Whether the catalogue asks for a case (a `[wire]` or `[behav]` item, or
    /// a grammar item).
    pub fn needs_case(&self) -> bool {
        self.id.starts_with('G') || self.tags.iter().any(|t| t == "wire" || t == "behav")
    }

    /// Whether the catalogue marks it `[pending]`: its case waits for work
    /// that has not been done (a socket type or transport the
    /// implementation lacks). Coverage counts and lists these apart from
    /// covered and excluded requirements.
    pub fn is_pending(&self) -> bool {
        self.tags.iter().any(|t| t == "pending")
    }

    /// The spec the id belongs to: `37` for `37-R15`, `G` for grammar items.
    pub fn spec(&self) -> &str {
        if self.id.starts_with('G') {
            "G"
        } else {
            self.id.split('-').next().unwrap_or(&self.id)
        }
    }
}

/// The specs this suite covers (24, 26 and 27 with the security cases;
/// 24 has no keyword requirement, its rules are G-P1..G-P5; 13 and 15 are
/// the downgrade, 32 is Z85, 41, 48, 49, 51 and 52 the thread-safe socket
/// types, 45 the WebSocket transport; 90 is libzmq's STREAM socket and 91
/// its socket options with an effect on the wire, which no RFC specifies).
pub const SCOPE: [&str; 20] = [
    "23-", "37-", "28-", "29-", "30-", "31-", "24-", "26-", "27-", "13-", "15-", "32-", "41-",
    "45-", "48-", "49-", "51-", "52-", "90-", "91-",
];

/// Reads the catalogue: numbered `NN-Rnn` lines and `- Gnn:` lines.
pub fn parse_catalogue(text: &str) -> Vec<Requirement> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let id = if let Some(rest) = t
            .strip_prefix("- G-P")
            .map(|r| ("G-P", r))
            .or_else(|| t.strip_prefix("- G-C").map(|r| ("G-C", r)))
        {
            // PLAIN and CURVE grammar items (G-P1.., G-C1..).
            let (prefix, rest) = rest;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty() && rest[digits.len()..].starts_with(':'))
                .then(|| format!("{prefix}{digits}"))
        } else if let Some(rest) = t.strip_prefix("- G") {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if digits.len() == 2 {
                Some(format!("G{digits}"))
            } else {
                None
            }
        } else {
            let mut words = t.split_whitespace();
            match (words.next(), words.next()) {
                (Some(n), Some(id))
                    if n.ends_with('.')
                        && n[..n.len() - 1].chars().all(|c| c.is_ascii_digit())
                        && is_req_id(id) =>
                {
                    Some(id.to_string())
                }
                _ => None,
            }
        };
        let Some(id) = id else { continue };
        if !(SCOPE.iter().any(|p| id.starts_with(p)) || id.starts_with('G')) {
            continue;
        }
        let mut tags = Vec::new();
        for tag in ["wire", "behav", "API", "process", "neg", "pending"] {
            if t.contains(&format!("[{tag}]"))
                || t.contains(&format!("[{tag}]["))
                || t.contains(&format!("][{tag}]"))
            {
                tags.push(tag.to_string());
            }
        }
        out.push(Requirement {
            id,
            tags,
            text: t.to_string(),
        });
    }
    out
}

/// Whether `s` looks like `NN-Rnn`.
pub fn is_req_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 6
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && &b[2..4] == b"-R"
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
}

/// Reads `exclusions.txt`: `ID reason` a line.
pub fn parse_exclusions(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(char::is_whitespace))
        .map(|(id, why)| (id.to_string(), why.trim().to_string()))
        .filter(|(_, why)| !why.is_empty())
        .collect()
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Where each id is named in the source of spec/, model/ and impl/
/// (conformance/ names ids in its cases, listed separately).
pub fn source_locations(root: &Path, ids: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut files = Vec::new();
    for d in ["spec/src", "model/src", "impl/src"] {
        rust_files(&root.join(d), &mut files);
    }
    let wanted: std::collections::BTreeSet<&String> = ids.iter().collect();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let rel = f.strip_prefix(root).unwrap_or(&f).display().to_string();
        for (n, line) in text.lines().enumerate() {
            let mut named = ids_in(line);
            named.sort();
            named.dedup();
            for id in named.into_iter().filter(|id| wanted.contains(id)) {
                out.entry(id).or_default().push(format!("{rel}:{}", n + 1));
            }
        }
    }
    out
}

/// Whether `line` names `id` (not as part of a longer id such as G100),
/// alone or inside a range.
#[cfg(test)]
fn names(line: &str, id: &str) -> bool {
    ids_in(line).iter().any(|x| x == id)
}

/// Every requirement id `line` names, ranges expanded: `26-R06..R08` (or
/// `26-R06..26-R08`) is R06, R07 and R08; `G01..G04` and `G-C1..C3` (or
/// `G-C1..G-C3`) likewise. A bare `R13` or `R13..R15` after a full id on the
/// same line takes that id's spec (`26-R06..R08, R13..R15, R20`).
pub fn ids_in(line: &str) -> Vec<String> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut spec: Option<&str> = None;
    let mut i = 0;
    while i < b.len() {
        // Ids are ASCII: a non-ASCII octet is never the start of one (and
        // may sit inside a character).
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-');
        if !boundary || !b[i].is_ascii() {
            i += 1;
            continue;
        }
        let rest = &line[i..];
        if let Some((s, n, used)) = full_id(rest) {
            spec = Some(&line[i..i + 2]);
            let (end, more) = range_end(&rest[used..], |t| {
                full_id(t)
                    .filter(|(s2, _, _)| *s2 == s)
                    .map(|(_, m, u)| (m, u))
                    .or_else(|| bare(t, 'R', 2))
            });
            push_range(&mut out, |k| format!("{s}-R{k:02}"), n, end);
            i += used + more;
        } else if let Some((n, used)) = bare(rest, 'R', 2).filter(|_| spec.is_some()) {
            let s = spec.unwrap_or_default();
            let (end, more) = range_end(&rest[used..], |t| bare(t, 'R', 2));
            push_range(&mut out, |k| format!("{s}-R{k:02}"), n, end);
            i += used + more;
        } else if let Some(kind) = ["G-P", "G-C"].into_iter().find(|k| rest.starts_with(k)) {
            let letter = char::from(kind.as_bytes()[2]);
            match digits(&rest[3..], 1..=2) {
                Some((n, used)) => {
                    let (end, more) = range_end(&rest[3 + used..], |t| {
                        t.strip_prefix("G-")
                            .and_then(|t| bare(t, letter, 0))
                            .map(|(m, u)| (m, u + 2))
                            .or_else(|| bare(t, letter, 0))
                    });
                    push_range(&mut out, |k| format!("{kind}{k}"), n, end);
                    i += 3 + used + more;
                }
                None => i += 3,
            }
        } else if let Some((n, used)) = bare(rest, 'G', 2) {
            let (end, more) = range_end(&rest[used..], |t| bare(t, 'G', 2));
            push_range(&mut out, |k| format!("G{k:02}"), n, end);
            i += used + more;
        } else {
            i += 1;
        }
    }
    out
}

/// `NN-Rnn` at the start of `t`: the spec, the number, the length.
fn full_id(t: &str) -> Option<(&str, u32, usize)> {
    let b = t.as_bytes();
    (b.len() >= 6 && b[0].is_ascii_digit() && b[1].is_ascii_digit() && &b[2..4] == b"-R")
        .then_some(())?;
    let (n, used) = digits(&t[4..], 2..=2)?;
    Some((&t[..2], n, 4 + used))
}

/// `<letter>` and digits (exactly `width` of them, or 1-2 when `width` is
/// 0) at the start of `t`, not followed by another digit.
fn bare(t: &str, letter: char, width: usize) -> Option<(u32, usize)> {
    let t2 = t.strip_prefix(letter)?;
    let range = if width == 0 { 1..=2 } else { width..=width };
    let (n, used) = digits(t2, range)?;
    Some((n, 1 + used))
}

/// A run of ASCII digits whose length is in `len`, as a number.
fn digits(t: &str, len: std::ops::RangeInclusive<usize>) -> Option<(u32, usize)> {
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if !len.contains(&n) {
        return None;
    }
    Some((t[..n].parse().ok()?, n))
}

/// After an id, `..` and the range's end as `end` reads it: the end (or
/// `None`) and the octets used.
fn range_end(t: &str, end: impl Fn(&str) -> Option<(u32, usize)>) -> (Option<u32>, usize) {
    match t.strip_prefix("..").and_then(end) {
        Some((m, used)) => (Some(m), 2 + used),
        None => (None, 0),
    }
}

/// Pushes `start`, or every id from `start` to `end` when that is a
/// forward range (a backward one names its two ends only).
fn push_range(out: &mut Vec<String>, id: impl Fn(u32) -> String, start: u32, end: Option<u32>) {
    match end {
        Some(end) if end >= start => out.extend((start..=end).map(id)),
        Some(end) => {
            out.push(id(start));
            out.push(id(end));
        }
        None => out.push(id(start)),
    }
}

/// What `coverage` found for one requirement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The cases that name it.
    pub cases: Vec<String>,
    /// Its written exclusion.
    pub excluded: Option<String>,
    /// Where the workspace's source names it.
    pub sources: Vec<String>,
}

/// The counts of one spec (or of all).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requirements in the catalogue.
    pub items: usize,
    /// Those that ask for a case ([`Requirement::needs_case`]).
    pub need_case: usize,
    /// Those with at least one case.
    pub covered: usize,
    /// Those with a written exclusion.
    pub excluded: usize,
    /// Those marked `[pending]` and still without a case.
    pub pending: usize,
    /// Those asking for a case with none, no exclusion and no marker.
    pub missing: usize,
}

/// The whole coverage report.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Per requirement, in catalogue order.
    pub entries: Vec<(Requirement, Entry)>,
    /// Per spec (`13`, ..., `G`), in first-seen order.
    pub per_spec: Vec<(String, Counts)>,
    /// Over all specs.
    pub total: Counts,
    /// Ids asking for a case that have none, no exclusion, no marker.
    pub missing: Vec<String>,
    /// Ids marked `[pending]` that have no case.
    pub pending: Vec<String>,
    /// Contradictions: `[pending]` with a case or an exclusion.
    pub stale: Vec<String>,
}

impl Report {
    /// Judges `catalogue` against the cases (`(case id, requirement ids)`),
    /// the exclusions and the source locations.
    pub fn new(
        catalogue: &[Requirement],
        cases: &[(&str, Vec<&str>)],
        exclusions: &BTreeMap<String, String>,
        sources: &BTreeMap<String, Vec<String>>,
    ) -> Self {
        let mut r = Self::default();
        for req in catalogue {
            let entry = Entry {
                cases: cases
                    .iter()
                    .filter(|(_, reqs)| reqs.contains(&req.id.as_str()))
                    .map(|(id, _)| (*id).to_string())
                    .collect(),
                excluded: exclusions.get(&req.id).cloned(),
                sources: sources.get(&req.id).cloned().unwrap_or_default(),
            };
            let spec = req.spec().to_string();
            let at = match r.per_spec.iter().position(|(s, _)| *s == spec) {
                Some(at) => at,
                None => {
                    r.per_spec.push((spec, Counts::default()));
                    r.per_spec.len() - 1
                }
            };
            let c = &mut r.per_spec[at].1;
            c.items += 1;
            c.need_case += usize::from(req.needs_case());
            c.covered += usize::from(!entry.cases.is_empty());
            c.excluded += usize::from(entry.excluded.is_some());
            if req.is_pending() && (!entry.cases.is_empty() || entry.excluded.is_some()) {
                r.stale.push(req.id.clone());
            } else if req.is_pending() {
                c.pending += 1;
                r.pending.push(req.id.clone());
            } else if req.needs_case() && entry.cases.is_empty() && entry.excluded.is_none() {
                c.missing += 1;
                r.missing.push(req.id.clone());
            }
            r.entries.push((req.clone(), entry));
        }
        for (_, c) in &r.per_spec {
            r.total.items += c.items;
            r.total.need_case += c.need_case;
            r.total.covered += c.covered;
            r.total.excluded += c.excluded;
            r.total.pending += c.pending;
            r.total.missing += c.missing;
        }
        r
    }

    /// Whether every requirement that asks for a case has one, a written
    /// exclusion or a `[pending]` marker, and no marker is stale.
    pub fn ok(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty()
    }

    /// The report as text lines: one block per requirement, a table per
    /// spec, the summary.
    pub fn lines(&self) -> Vec<String> {
        let mut v = Vec::new();
        for (req, e) in &self.entries {
            let tags = req
                .tags
                .iter()
                .map(|t| format!("[{t}]"))
                .collect::<String>();
            v.push(format!("{:<7} {tags}", req.id));
            if !e.cases.is_empty() {
                v.push(format!("    cases: {}", e.cases.join(" ")));
            }
            if let Some(why) = &e.excluded {
                v.push(format!("    excluded: {why}"));
            }
            if req.is_pending() && e.cases.is_empty() {
                v.push("    pending: no case yet (see the catalogue line)".into());
            }
            if !e.sources.is_empty() {
                let shown: Vec<&str> = e.sources.iter().take(6).map(String::as_str).collect();
                let more = e.sources.len().saturating_sub(6);
                let more = if more > 0 {
                    format!(" (+{more})")
                } else {
                    String::new()
                };
                v.push(format!("    source: {}{more}", shown.join(" ")));
            }
        }
        v.push(String::new());
        v.push(format!(
            "{:<5} {:>5} {:>9} {:>7} {:>8} {:>7} {:>7}",
            "spec", "items", "need case", "covered", "excluded", "pending", "missing"
        ));
        for (spec, c) in self
            .per_spec
            .iter()
            .chain([(String::from("all"), self.total)].iter())
        {
            v.push(format!(
                "{spec:<5} {:>5} {:>9} {:>7} {:>8} {:>7} {:>7}",
                c.items, c.need_case, c.covered, c.excluded, c.pending, c.missing
            ));
        }
        let specs: Vec<&str> = self.per_spec.iter().map(|(s, _)| s.as_str()).collect();
        v.push(format!(
            "\n{} requirements in scope ({}): {} with cases, {} excluded with a reason, {} pending",
            self.total.items,
            specs.join(", "),
            self.total.covered,
            self.total.excluded,
            self.total.pending,
        ));
        if !self.pending.is_empty() {
            v.push(format!("pending (no case yet): {}", self.pending.join(" ")));
        }
        if !self.stale.is_empty() {
            v.push(format!(
                "marked [pending] but covered or excluded (drop the marker): {}",
                self.stale.join(" ")
            ));
        }
        if self.missing.is_empty() {
            v.push(
                "every [wire]/[behav] requirement has a case, a written exclusion or a [pending] marker"
                    .into(),
            );
        } else {
            v.push(format!(
                "without case, exclusion or pending marker: {}",
                self.missing.join(" ")
            ));
        }
        v
    }
}

#[cfg(test)]
mod tests;
