//! Reports: a terminal summary, and per run a JSON file (the source of
//! truth), a markdown file and JUnit XML; an HTML matrix of every run.
//! Every count comes from one [`Tally`] of the run's [`Judged`] results, so
//! the closing line, the summary, the markdown, the JSON and the JUnit
//! agree.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::case::{Kind, TOLERANCES};
use crate::runner::{CaseResult, RunReport};
use crate::tally::{Judged, Status, Tally};
use crate::wirelog::{Direction, Entry, printable, unhex};

/// Counts per verdict.
pub fn counts(run: &RunReport) -> BTreeMap<Kind, usize> {
    let mut m = BTreeMap::new();
    for r in &run.results {
        *m.entry(r.verdict.kind).or_insert(0) += 1;
    }
    m
}

/// The judgement of each result, in the run's order (`judged` is
/// parallel to `run.results`).
fn pairs<'a>(
    run: &'a RunReport,
    judged: &'a [Judged],
) -> impl Iterator<Item = (&'a CaseResult, Option<&'a Judged>)> {
    run.results
        .iter()
        .enumerate()
        .map(move |(i, r)| (r, judged.get(i).filter(|j| j.id == r.id)))
}

/// The terminal summary of one run.
pub fn summary(run: &RunReport, judged: &[Judged]) -> String {
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
    if let Some(installed) = &run.installed {
        let _ = writeln!(s, "   installed: {installed}");
    }
    let c = counts(run);
    let parts: Vec<String> = c
        .iter()
        .map(|(k, n)| format!("{} {n}", k.label()))
        .collect();
    let _ = writeln!(s, "   verdicts: {}", parts.join(", "));
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
    let tally = Tally::of(judged);
    let _ = writeln!(s, "   {tally}");
    if tally.unexpected() == 0 {
        let _ = writeln!(s, "   all results as expected");
    } else {
        for j in judged.iter().filter(|j| j.status.is_unexpected()) {
            let _ = writeln!(
                s,
                "   UNEXPECTED {}: expected {}, got {}{}",
                j.id,
                j.expected,
                j.got,
                if j.reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", j.reason)
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
pub fn write_run(dir: &Path, run: &RunReport, judged: &[Judged]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stem = file_stem(run);
    let write = |name: String, body: String| {
        let p = dir.join(name);
        std::fs::write(&p, body).map_err(|e| format!("{}: {e}", p.display()))
    };
    write(format!("{stem}.json"), json(run, judged))?;
    write(format!("{stem}.md"), markdown(run, judged))?;
    write(format!("{stem}.junit.xml"), junit(run, judged))?;
    Ok(())
}

/// The JSON report ([`schema::Report`]): `counts` (the tally), `run` (the
/// agent, its manifest, every result with its wire log and trace) and
/// `judged` (each result's status). Bounded: octets on the wire as `len`
/// and the first [`crate::events::BODY_MAX`] in `hex` (`truncated` when
/// cut), agent requests and answers as their JSON with long strings cut
/// (without the note's text), model events as objects in `trace` (a wire
/// entry of the trace names its index instead of repeating it).
pub fn json(run: &RunReport, judged: &[Judged]) -> String {
    let report = schema::Report {
        format: schema::FORMAT,
        counts: Tally::of(judged),
        run: schema::Run {
            agent: run.agent.clone(),
            manifest: run.manifest.clone(),
            installed: run.installed.clone(),
            transport: run.transport.clone(),
            profile: run.profile.clone(),
            duration_ms: run.duration_ms,
            results: run
                .results
                .iter()
                .map(|r| {
                    let mut observed = 0u64;
                    schema::Case {
                        id: r.id.clone(),
                        requirements: r.requirements.clone(),
                        sends: r.sends.clone(),
                        expects: r.expects.clone(),
                        verdict: r.verdict.clone(),
                        duration_ms: r.duration_ms,
                        wire: r.wire.iter().map(|e| wire(e, &mut observed)).collect(),
                        trace: r.trace.clone(),
                        agent_stderr: r.agent_stderr.clone(),
                    }
                })
                .collect(),
        },
        judged: judged.to_vec(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// A wire entry as the report keeps it: octets (`hex` or `hex+more`) as
/// `len`, `hex` cut to [`crate::events::BODY_MAX`] octets and
/// `truncated`; an agent call as its JSON; a trace entry as its index
/// (`observed` counts them); a note as its text.
fn wire(e: &Entry, observed: &mut u64) -> schema::Wire {
    let mut w = schema::Wire {
        t_ms: e.t_ms,
        who: e.who.clone(),
        dir: e.dir,
        ..schema::Wire::default()
    };
    if e.dir != Direction::Note {
        let (head, more) = e.data.split_once('+').unwrap_or((&e.data, "0"));
        if let Some(octets) = unhex(head) {
            let more: usize = more.parse().unwrap_or(0);
            let shown = octets.len().min(crate::events::BODY_MAX);
            w.len = Some(octets.len() + more);
            w.hex = Some(crate::wirelog::hex(&octets[..shown]));
            w.truncated = (more > 0 || shown < octets.len()).then_some(true);
            return w;
        }
    }
    if e.json.is_some() {
        // An agent call: its JSON says what the note says.
        w.json.clone_from(&e.json);
    } else if e.who == "trace" {
        // The trace holds it, as an object: point there.
        w.trace = Some(*observed);
        *observed += 1;
    } else {
        w.data = Some(e.data.clone());
    }
    w
}

fn markdown(run: &RunReport, judged: &[Judged]) -> String {
    let mut s = String::new();
    let version = run.manifest["version"].as_str().unwrap_or("?");
    let _ = writeln!(
        s,
        "# {} ({version}) over {}, {} profile\n",
        run.agent, run.transport, run.profile
    );
    if let Some(installed) = &run.installed {
        let _ = writeln!(s, "Installed: {installed}\n");
    }
    let tally = Tally::of(judged);
    let _ = writeln!(s, "**{tally}**\n");
    for st in Status::ALL {
        let _ = writeln!(s, "- {}: {}", st.label(), tally.get(st));
    }
    let _ = writeln!(
        s,
        "\n| case | requirements | verdict | status | tolerance | detail |\n|---|---|---|---|---|---|"
    );
    for (r, j) in pairs(run, judged) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            r.id,
            r.requirements.join(" "),
            r.verdict.kind.label(),
            j.map_or("", |j| j.status.label()),
            r.verdict.tolerance.unwrap_or(""),
            r.verdict.detail.replace('|', "\\|")
        );
    }
    let _ = writeln!(s, "\n## Tolerances of the default profile\n");
    for t in TOLERANCES {
        let _ = writeln!(s, "- **{}**: {}", t.id, t.text);
    }
    if tally.unexpected() > 0 {
        let _ = writeln!(s, "\n## Unexpected results\n");
        for j in judged.iter().filter(|j| j.status.is_unexpected()) {
            let _ = writeln!(
                s,
                "- {} ({}): expected {}, got {}",
                j.id,
                j.status.label(),
                j.expected,
                j.got
            );
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

/// The family a case belongs to, for JUnit's classname: `rfc37` for
/// `37-R01/1`, `grammar` for `G07/2`, `grammar-plain` and `grammar-curve`
/// for `G-P*` and `G-C*`.
pub fn family(id: &str) -> String {
    if let Some(rest) = id.strip_prefix("G-") {
        return match rest.chars().next() {
            Some('P') => "grammar-plain".into(),
            Some('C') => "grammar-curve".into(),
            _ => "grammar".into(),
        };
    }
    if id.starts_with('G') {
        return "grammar".into();
    }
    let rfc: String = id.chars().take_while(char::is_ascii_digit).collect();
    if rfc.is_empty() {
        "other".into()
    } else {
        format!("rfc{rfc}")
    }
}

/// A wire log as text: time, who, direction, octets (hex and printable).
pub fn wire_text(entries: &[Entry]) -> String {
    let mut s = String::new();
    for e in entries {
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
            "{:>6} ms {:<8} {arrow} {}{decoded}",
            e.t_ms, e.who, e.data
        );
    }
    s
}

/// JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: an
/// unexpected result is a `<failure>` with the verdict as its type and the
/// wire log in its body; UNSUPPORTED and expected failures are
/// `<skipped>` with their reason.
fn junit(run: &RunReport, judged: &[Judged]) -> String {
    let tally = Tally::of(judged);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let name = xml(&file_stem(run));
    let suite = format!(
        "tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\"",
        tally.total(),
        tally.unexpected(),
        tally.unsupported + tally.expected_failure,
        run.duration_ms as f64 / 1000.0
    );
    let _ = writeln!(
        s,
        "<testsuites name=\"zmtp-conformance\" {suite}>\n<testsuite name=\"{name}\" {suite}>"
    );
    for (r, j) in pairs(run, judged) {
        let _ = write!(
            s,
            "  <testcase classname=\"{}.{}.{}\" name=\"{}\" time=\"{:.3}\">",
            xml(&run.agent),
            run.transport,
            family(&r.id),
            xml(&r.id),
            r.duration_ms as f64 / 1000.0
        );
        let detail = xml(&r.verdict.detail);
        match j.map(|j| (j, j.status)) {
            Some((j, Status::Failed)) => {
                let _ = write!(
                    s,
                    "<failure type=\"{}\" message=\"expected {}, got {}: {detail}\">{detail}\n\nwire log:\n{}{}</failure>",
                    xml(&j.got),
                    xml(&j.expected),
                    xml(&j.got),
                    xml(&wire_text(&r.wire)),
                    if r.agent_stderr.is_empty() {
                        String::new()
                    } else {
                        format!("\nagent stderr:\n{}", xml(&r.agent_stderr))
                    }
                );
            }
            Some((j, Status::UnexpectedPass)) => {
                let _ = write!(
                    s,
                    "<failure type=\"unexpected-pass\" message=\"expected {} ({}), got {}: update the expected-results file\">{detail}</failure>",
                    xml(&j.expected),
                    xml(&j.reason),
                    xml(&j.got)
                );
            }
            Some((_, Status::Unsupported)) => {
                let _ = write!(s, "<skipped message=\"unsupported: {detail}\"/>");
            }
            Some((j, Status::ExpectedFailure)) => {
                let _ = write!(
                    s,
                    "<skipped message=\"expected {}: {}\">{detail}</skipped>",
                    xml(&j.got),
                    xml(&j.reason)
                );
            }
            _ => {}
        }
        let _ = writeln!(
            s,
            "<system-out>{}: {detail}</system-out></testcase>",
            r.verdict.kind.label()
        );
    }
    s.push_str("</testsuite>\n</testsuites>\n");
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
            s.push_str(&xml(&wire_text(&r.wire)));
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

pub mod schema;

#[cfg(test)]
mod tests;
