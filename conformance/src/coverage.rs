//! `zmtp-conformance coverage`: every requirement of RFCs 23, 37, 28-31 and
//! G01-G17, with the cases that test it, its written exclusion if any, and
//! the places in the workspace's source that name it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One requirement of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// `37-R15`, `G07`, ...
    pub id: String,
    /// Its tags (`wire`, `behav`, `API`, `process`, `neg`).
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
}

/// The specs this suite covers (24, 26 and 27 with the security cases;
/// 24 has no keyword requirement, its rules are G-P1..G-P5).
pub const SCOPE: [&str; 9] = [
    "23-", "37-", "28-", "29-", "30-", "31-", "24-", "26-", "27-",
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
        for tag in ["wire", "behav", "API", "process", "neg"] {
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
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let rel = f.strip_prefix(root).unwrap_or(&f).display().to_string();
        for (n, line) in text.lines().enumerate() {
            for id in ids {
                if names(line, id) {
                    out.entry(id.clone())
                        .or_default()
                        .push(format!("{rel}:{}", n + 1));
                }
            }
        }
    }
    out
}

/// Whether `line` names `id` (not as part of a longer id such as G100).
fn names(line: &str, id: &str) -> bool {
    let mut start = 0;
    while let Some(i) = line[start..].find(id) {
        let at = start + i;
        let before = line[..at].chars().next_back();
        let after = line[at + id.len()..].chars().next();
        let ok_before = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
        let ok_after = !after.is_some_and(|c| c.is_ascii_digit());
        if ok_before && ok_after {
            return true;
        }
        start = at + id.len();
    }
    false
}

#[cfg(test)]
mod tests;
