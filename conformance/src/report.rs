//! Reports: a terminal summary, and per run a JSON file (the source of
//! truth), a markdown file and JUnit XML; an HTML matrix of every run.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::case::{Kind, TOLERANCES};
use crate::expected::Mismatch;
use crate::runner::RunReport;
use crate::wirelog::{Direction, printable, unhex};

/// Counts per verdict.
pub fn counts(run: &RunReport) -> BTreeMap<Kind, usize> {
    let mut m = BTreeMap::new();
    for r in &run.results {
        *m.entry(r.verdict.kind).or_insert(0) += 1;
    }
    m
}

/// The terminal summary of one run.
pub fn summary(run: &RunReport, mismatches: &[Mismatch]) -> String {
    let mut s = String::new();
    let version = run.manifest["version"].as_str().unwrap_or("?");
    let _ = writeln!(
        s,
        "== {} ({version}) over {}, {} profile: {} cases in {:.1} s",
        run.agent,
        run.transport,
        run.profile,
        run.results.len(),
        run.duration_ms as f64 / 1000.0
    );
    let c = counts(run);
    let parts: Vec<String> = c
        .iter()
        .map(|(k, n)| format!("{} {n}", k.label()))
        .collect();
    let _ = writeln!(s, "   {}", parts.join(", "));
    for r in &run.results {
        if r.verdict.kind == Kind::Pass {
            continue;
        }
        let tol = r
            .verdict
            .tolerance
            .map(|t| format!(" [{t}]"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "   {:<12} {:<10}{tol} {}",
            r.verdict.kind.label(),
            r.id,
            r.verdict.detail
        );
    }
    if mismatches.is_empty() {
        let _ = writeln!(s, "   all results as expected");
    } else {
        for m in mismatches {
            let _ = writeln!(
                s,
                "   UNEXPECTED {}: expected {}, got {}{}",
                m.id,
                m.expected,
                m.got,
                if m.reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", m.reason)
                }
            );
        }
    }
    s
}

fn file_stem(run: &RunReport) -> String {
    format!("{}-{}-{}", run.agent, run.transport, run.profile)
}

/// Writes `<agent>-<transport>-<profile>.{json,md,junit.xml}` into `dir`.
///
/// # Errors
/// The I/O error, as text.
pub fn write_run(dir: &Path, run: &RunReport, mismatches: &[Mismatch]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stem = file_stem(run);
    let json = serde_json::json!({"run": run, "unexpected": mismatches});
    let write = |name: String, body: String| {
        let p = dir.join(name);
        std::fs::write(&p, body).map_err(|e| format!("{}: {e}", p.display()))
    };
    write(
        format!("{stem}.json"),
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    )?;
    write(format!("{stem}.md"), markdown(run, mismatches))?;
    write(format!("{stem}.junit.xml"), junit(run, mismatches))?;
    Ok(())
}

fn markdown(run: &RunReport, mismatches: &[Mismatch]) -> String {
    let mut s = String::new();
    let version = run.manifest["version"].as_str().unwrap_or("?");
    let _ = writeln!(
        s,
        "# {} ({version}) over {}, {} profile\n",
        run.agent, run.transport, run.profile
    );
    let c = counts(run);
    for (k, n) in &c {
        let _ = writeln!(s, "- {}: {n}", k.label());
    }
    let _ = writeln!(
        s,
        "\n| case | requirements | verdict | tolerance | detail |\n|---|---|---|---|---|"
    );
    for r in &run.results {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            r.id,
            r.requirements.join(" "),
            r.verdict.kind.label(),
            r.verdict.tolerance.unwrap_or(""),
            r.verdict.detail.replace('|', "\\|")
        );
    }
    let _ = writeln!(s, "\n## Tolerances of the default profile\n");
    for t in TOLERANCES {
        let _ = writeln!(s, "- **{}**: {}", t.id, t.text);
    }
    if !mismatches.is_empty() {
        let _ = writeln!(s, "\n## Unexpected results\n");
        for m in mismatches {
            let _ = writeln!(s, "- {}: expected {}, got {}", m.id, m.expected, m.got);
        }
    }
    s
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn junit(run: &RunReport, mismatches: &[Mismatch]) -> String {
    let failures = mismatches.len();
    let skipped = run
        .results
        .iter()
        .filter(|r| r.verdict.kind == Kind::Unsupported)
        .count();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let name = xml(&file_stem(run));
    let _ = writeln!(
        s,
        "<testsuites><testsuite name=\"{name}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">",
        run.results.len(),
        run.duration_ms as f64 / 1000.0
    );
    for r in &run.results {
        let _ = write!(
            s,
            "  <testcase classname=\"{name}\" name=\"{}\" time=\"{:.3}\">",
            xml(&r.id),
            r.duration_ms as f64 / 1000.0
        );
        if let Some(m) = mismatches.iter().find(|m| m.id == r.id) {
            let _ = write!(
                s,
                "<failure message=\"expected {} got {}\">{}</failure>",
                m.expected,
                m.got,
                xml(&r.verdict.detail)
            );
        } else if r.verdict.kind == Kind::Unsupported {
            let _ = write!(s, "<skipped message=\"{}\"/>", xml(&r.verdict.detail));
        }
        let _ = writeln!(
            s,
            "<system-out>{}: {}</system-out></testcase>",
            r.verdict.kind.label(),
            xml(&r.verdict.detail)
        );
    }
    s.push_str("</testsuite></testsuites>\n");
    s
}

/// Writes `matrix.html`: agents x cases, each cell linking to the case's
/// explanation and wire log (hex and decoded).
///
/// # Errors
/// The I/O error, as text.
pub fn write_matrix(dir: &Path, runs: &[RunReport]) -> Result<(), String> {
    let mut ids: Vec<&str> = Vec::new();
    for run in runs {
        for r in &run.results {
            if !ids.contains(&r.id.as_str()) {
                ids.push(&r.id);
            }
        }
    }
    let mut s = String::from(
        "<!doctype html><meta charset=utf-8><title>zmtp-conformance</title><style>\
         body{font:13px sans-serif}td,th{border:1px solid #ccc;padding:2px 4px}\
         .PASS{background:#bfb}.PASS-LENIENT{background:#dfd}.NON-STRICT{background:#ffb}\
         .UNSUPPORTED{background:#ddd}.FAIL{background:#fbb}pre{font-size:11px;white-space:pre-wrap}\
         </style><h1>zmtp-conformance matrix</h1><table><tr><th>case</th>",
    );
    for run in runs {
        let _ = write!(
            s,
            "<th>{}<br>{} {}</th>",
            xml(&run.agent),
            run.transport,
            run.profile
        );
    }
    s.push_str("</tr>");
    for id in &ids {
        let _ = write!(s, "<tr><td>{}</td>", xml(id));
        for (k, run) in runs.iter().enumerate() {
            match run.results.iter().find(|r| r.id == *id) {
                Some(r) => {
                    let l = r.verdict.kind.label();
                    let _ = write!(
                        s,
                        "<td class=\"{l}\"><a href=\"#r{k}-{}\">{l}</a></td>",
                        anchor(id)
                    );
                }
                None => s.push_str("<td></td>"),
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</table><h2>Details</h2>");
    for (k, run) in runs.iter().enumerate() {
        for r in &run.results {
            let _ = write!(
                s,
                "<h3 id=\"r{k}-{}\">{} / {} {}: <span class=\"{}\">{}</span></h3><p>Requirements: {}<br>Sends: {}<br>Expects: {}<br>Observed: {}{}</p><pre>",
                anchor(&r.id),
                xml(&run.agent),
                run.transport,
                xml(&r.id),
                r.verdict.kind.label(),
                r.verdict.kind.label(),
                xml(&r.requirements.join(" ")),
                xml(&r.sends),
                xml(&r.expects),
                xml(&r.verdict.detail),
                r.verdict
                    .tolerance
                    .map(|t| format!(" (tolerance {t})"))
                    .unwrap_or_default()
            );
            for e in &r.wire {
                let arrow = match e.dir {
                    Direction::Out => "->",
                    Direction::In => "<-",
                    Direction::Note => "  ",
                };
                let decoded = match e.dir {
                    Direction::Note => String::new(),
                    _ => unhex(e.data.split('+').next().unwrap_or(""))
                        .map(|b| format!("  \"{}\"", printable(&b)))
                        .unwrap_or_default(),
                };
                let _ = writeln!(
                    s,
                    "{:>6} ms {:<8} {arrow} {}{}",
                    e.t_ms,
                    xml(&e.who),
                    xml(&e.data),
                    xml(&decoded)
                );
            }
            s.push_str("</pre>");
        }
    }
    let p = dir.join("matrix.html");
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(&p, s).map_err(|e| format!("{}: {e}", p.display()))
}

fn anchor(id: &str) -> String {
    id.replace(['/', '-'], "_")
}

#[cfg(test)]
mod tests;
