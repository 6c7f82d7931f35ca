//! The HTML report: one self-contained file (`report.html`; no external
//! style sheet, script, font or image, so it reads offline and travels as
//! a CI artifact).
//!
//! ```text
//!   [(RunReport, [Judged])] --page--> summary header (a row per agent and transport)
//!                                     filters (a box per status, "unexpected only";
//!                                     `report.html#unexpected` opens with it)
//!                                     per run: requirements grouped by RFC, worst status first
//!                                              a section per case: verdict, expected, reason,
//!                                              and for a failure its wire log and dissection
//! ```
//!
//! Every element a tool may check carries data attributes: a run's
//! section `data-run` and one `data-<status>` count per status, a case's
//! section `data-case` and `data-status`, a requirement's row `data-req`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::case::Kind;
use crate::coverage::{Requirement, parse_catalogue};
use crate::data::{CATALOGUE, CATALOGUE_URL};
use crate::dissect::{dissect, render};
use crate::report::{family, wire_text};
use crate::runner::{CaseResult, RunReport};
use crate::tally::{Judged, Status, Tally};
use crate::wirelog::{Direction, Entry, unhex};

/// The file name [`write()`] gives the report.
pub const FILE: &str = "report.html";

/// Writes [`FILE`] into `dir`: every run with its judgement.
///
/// # Errors
/// The I/O error, as text.
pub fn write(dir: &Path, runs: &[(RunReport, Vec<Judged>)]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let p = dir.join(FILE);
    std::fs::write(&p, page(runs)).map_err(|e| format!("{}: {e}", p.display()))
}

/// Text made safe for HTML content and attribute values.
fn esc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An id fit for an anchor.
fn anchor(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The order requirements and cases are shown in: the worst first.
const fn rank(s: Status) -> u8 {
    match s {
        Status::Failed => 0,
        Status::UnexpectedPass => 1,
        Status::ExpectedFailure => 2,
        Status::Unsupported => 3,
        Status::Lenient => 4,
        Status::Passed => 5,
    }
}

/// Whether a case's section shows its wire log: anything but a pass.
fn shows_wire(r: &CaseResult, s: Status) -> bool {
    s.is_unexpected()
        || s == Status::ExpectedFailure
        || matches!(r.verdict.kind, Kind::Fail | Kind::NonStrict)
}

const STYLE: &str = "\
body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}\
th{background:#f3f3f3}.num{text-align:right}\
.passed{background:#cfc}.lenient{background:#e6f7d9}.failed{background:#f99}\
.unsupported{background:#e4e4e4}.expected-failure{background:#fde7b0}.unexpected-pass{background:#f9c}\
.verdict{font-family:monospace;font-size:12px;padding:1px 4px;border-radius:3px}\
pre{font-size:12px;background:#fafafa;border:1px solid #ddd;padding:6px;white-space:pre-wrap;word-break:break-all}\
section.case{border-left:4px solid #ccc;padding-left:8px;margin:6px 0}\
section.case.s-failed,section.case.s-unexpected-pass{border-color:#d00}\
section.case.s-expected-failure{border-color:#e90}\
#filters label{margin-right:1em}.req-text{color:#444}\
";

const SCRIPT: &str = "\
function applyFilters(){\
var on={};document.querySelectorAll('#filters input[data-status]').forEach(function(b){on[b.dataset.status]=b.checked;});\
document.querySelectorAll('[data-status]').forEach(function(e){if(e.tagName!=='INPUT'){e.hidden=!on[e.dataset.status];}});\
document.querySelectorAll('tr[data-req]').forEach(function(r){var any=false;\
r.querySelectorAll('a[data-case-status]').forEach(function(a){var v=on[a.dataset.caseStatus];a.hidden=!v;any=any||v;});r.hidden=!any;});}\
function onlyUnexpected(){document.querySelectorAll('#filters input[data-status]').forEach(function(b){\
b.checked=(b.dataset.status==='failed'||b.dataset.status==='unexpected-pass');});applyFilters();}\
function showAll(){document.querySelectorAll('#filters input[data-status]').forEach(function(b){b.checked=true;});applyFilters();}\
document.addEventListener('DOMContentLoaded',function(){if(location.hash==='#unexpected'){onlyUnexpected();}});\
";

/// The whole page.
pub fn page(runs: &[(RunReport, Vec<Judged>)]) -> String {
    let catalogue: BTreeMap<String, Requirement> = parse_catalogue(CATALOGUE)
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut s = format!(
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width,initial-scale=1\">\
         <title>zmtp-conformance report</title><style>{STYLE}</style><script>{SCRIPT}</script></head><body>\n\
         <h1>zmtp-conformance report</h1>\n"
    );
    summary(&mut s, runs);
    filters(&mut s);
    for (k, (run, judged)) in runs.iter().enumerate() {
        run_section(&mut s, k, run, judged, &catalogue);
    }
    let _ = writeln!(
        s,
        "<p>Requirement texts from the <a href=\"{CATALOGUE_URL}\">requirement catalogue</a>.</p></body></html>"
    );
    s
}

fn run_title(run: &RunReport) -> String {
    let version = run.manifest["version"].as_str().unwrap_or("?");
    format!(
        "{} ({version}) over {}, {} profile",
        run.agent, run.transport, run.profile
    )
}

fn summary(s: &mut String, runs: &[(RunReport, Vec<Judged>)]) {
    let mut total = Tally::default();
    s.push_str("<h2>Summary</h2>\n<table id=summary><tr><th>agent</th><th>version</th><th>installed</th><th>transport</th><th>profile</th><th>cases</th>");
    for st in Status::ALL {
        let _ = write!(s, "<th class=\"{0}\">{0}</th>", st.label());
    }
    s.push_str("<th>result</th></tr>\n");
    for (k, (run, judged)) in runs.iter().enumerate() {
        let t = Tally::of(judged);
        total.add(&t);
        let _ = write!(
            s,
            "<tr data-summary=\"{k}\"><td><a href=\"#run{k}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=num>{}</td>",
            esc(&run.agent),
            esc(run.manifest["version"].as_str().unwrap_or("?")),
            esc(run.installed.as_deref().unwrap_or("")),
            esc(&run.transport),
            esc(&run.profile),
            t.total()
        );
        for st in Status::ALL {
            let _ = write!(s, "<td class=num>{}</td>", t.get(st));
        }
        let _ = writeln!(s, "<td>{}</td></tr>", verdict_of(&t));
    }
    if runs.len() > 1 {
        let _ = write!(
            s,
            "<tr><th colspan=5>all runs</th><th class=num>{}</th>",
            total.total()
        );
        for st in Status::ALL {
            let _ = write!(s, "<th class=num>{}</th>", total.get(st));
        }
        let _ = writeln!(s, "<th>{}</th></tr>", verdict_of(&total));
    }
    s.push_str("</table>\n");
}

fn verdict_of(t: &Tally) -> &'static str {
    if t.unexpected() == 0 {
        "as expected"
    } else {
        "UNEXPECTED RESULTS"
    }
}

fn filters(s: &mut String) {
    s.push_str("<p id=filters><b>Show:</b> ");
    for st in Status::ALL {
        let _ = write!(
            s,
            "<label class=\"{0}\"><input type=checkbox checked data-status=\"{0}\" onchange=\"applyFilters()\"> {0}</label>",
            st.label()
        );
    }
    s.push_str(
        "<button onclick=\"onlyUnexpected()\">failures and unexpected only</button> \
         <button onclick=\"showAll()\">all</button></p>\n",
    );
}

/// A group of requirements for one RFC (or the grammar).
fn group_title(family: &str) -> String {
    match family.strip_prefix("rfc") {
        Some(n) => format!("RFC {n}"),
        None => match family {
            "grammar" => "ZMTP grammar (G)".into(),
            "grammar-plain" => "PLAIN grammar (G-P)".into(),
            "grammar-curve" => "CURVE grammar (G-C)".into(),
            other => other.into(),
        },
    }
}

fn run_section(
    s: &mut String,
    k: usize,
    run: &RunReport,
    judged: &[Judged],
    catalogue: &BTreeMap<String, Requirement>,
) {
    let status_of = |i: usize, r: &CaseResult| {
        judged
            .get(i)
            .filter(|j| j.id == r.id)
            .map_or(Status::Failed, |j| j.status)
    };
    let tally = Tally::of(judged);
    let _ = write!(
        s,
        "<section class=run id=\"run{k}\" data-run=\"{}\"",
        esc(&format!("{}-{}-{}", run.agent, run.transport, run.profile))
    );
    for st in Status::ALL {
        let _ = write!(s, " data-{}=\"{}\"", st.label(), tally.get(st));
    }
    let _ = writeln!(
        s,
        "><h2>{}</h2><p><b>{tally}</b> ({} cases in {:.1} s)</p>",
        esc(&run_title(run)),
        run.results.len(),
        run.duration_ms as f64 / 1000.0
    );

    // Requirement -> its cases (index into results), grouped by RFC.
    let mut groups: BTreeMap<String, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for (i, r) in run.results.iter().enumerate() {
        for req in &r.requirements {
            groups
                .entry(family(req))
                .or_default()
                .entry(req.clone())
                .or_default()
                .push(i);
        }
    }
    s.push_str("<h3>Requirements</h3>\n");
    for (fam, reqs) in &groups {
        let _ = writeln!(
            s,
            "<h4>{}</h4><table class=reqs><tr><th>requirement</th><th>status</th><th>text</th><th>cases</th></tr>",
            esc(&group_title(fam))
        );
        let mut rows: Vec<(&String, &Vec<usize>, Status)> = reqs
            .iter()
            .map(|(id, cases)| {
                let worst = cases
                    .iter()
                    .map(|&i| status_of(i, &run.results[i]))
                    .min_by_key(|&st| rank(st))
                    .unwrap_or(Status::Passed);
                (id, cases, worst)
            })
            .collect();
        rows.sort_by_key(|(id, _, st)| (rank(*st), (*id).clone()));
        for (id, cases, worst) in rows {
            let text = catalogue.get(id).map_or("", |r| req_text(id, &r.text));
            let _ = write!(
                s,
                "<tr data-req=\"{0}\"><td><a href=\"{CATALOGUE_URL}\" title=\"in the catalogue\">{0}</a></td><td><span class=\"verdict {1}\">{1}</span></td><td class=req-text>{2}</td><td>",
                esc(id),
                worst.label(),
                esc(text)
            );
            for &i in cases {
                let r = &run.results[i];
                let st = status_of(i, r);
                let _ = write!(
                    s,
                    "<a class=\"verdict {}\" data-case-status=\"{}\" href=\"#run{k}-{}\">{} {}</a> ",
                    st.label(),
                    st.label(),
                    anchor(&r.id),
                    esc(&r.id),
                    r.verdict.kind.label()
                );
            }
            s.push_str("</td></tr>\n");
        }
        s.push_str("</table>\n");
    }

    s.push_str("<h3>Cases</h3>\n");
    let mut order: Vec<usize> = (0..run.results.len()).collect();
    order.sort_by_key(|&i| rank(status_of(i, &run.results[i])));
    for i in order {
        let r = &run.results[i];
        let st = status_of(i, r);
        case_section(
            s,
            k,
            r,
            judged.get(i).filter(|j| j.id == r.id),
            st,
            catalogue,
        );
    }
    s.push_str("</section>\n");
}

fn case_section(
    s: &mut String,
    k: usize,
    r: &CaseResult,
    j: Option<&Judged>,
    st: Status,
    catalogue: &BTreeMap<String, Requirement>,
) {
    let _ = write!(
        s,
        "<section class=\"case s-{0}\" id=\"run{k}-{1}\" data-case=\"{2}\" data-status=\"{0}\">\
         <h4>{2} <span class=\"verdict {0}\">{0}</span> <span class=verdict>{3}</span>{4}</h4><dl>",
        st.label(),
        anchor(&r.id),
        esc(&r.id),
        r.verdict.kind.label(),
        r.verdict
            .tolerance
            .map(|t| format!(" tolerance {}", esc(t)))
            .unwrap_or_default()
    );
    for req in &r.requirements {
        let text = catalogue.get(req).map_or("", |c| req_text(req, &c.text));
        let _ = write!(
            s,
            "<dt>requirement <a href=\"{CATALOGUE_URL}\">{}</a></dt><dd class=req-text>{}</dd>",
            esc(req),
            esc(text)
        );
    }
    let _ = write!(
        s,
        "<dt>sends</dt><dd>{}</dd><dt>expects</dt><dd>{}</dd><dt>observed</dt><dd>{}</dd>",
        esc(&r.sends),
        esc(&r.expects),
        esc(&r.verdict.detail)
    );
    if let Some(j) = j {
        let _ = write!(s, "<dt>expected</dt><dd>{}</dd>", esc(&j.expected));
        if !j.reason.is_empty() {
            let _ = write!(s, "<dt>reason</dt><dd>{}</dd>", esc(&j.reason));
        }
    }
    s.push_str("</dl>");
    if shows_wire(r, st) {
        let _ = write!(
            s,
            "<details open class=wire><summary>wire log ({} entries, {} ms)</summary><pre>{}</pre>",
            r.wire.len(),
            r.duration_ms,
            esc(&wire_text(&r.wire))
        );
        for (stream, text) in dissections(&r.wire) {
            let _ = write!(
                s,
                "<p><b>dissection of {}</b></p><pre class=dissection>{}</pre>",
                esc(&stream),
                esc(&text)
            );
        }
        if !r.agent_stderr.is_empty() {
            let _ = write!(
                s,
                "<p><b>agent stderr</b></p><pre>{}</pre>",
                esc(&r.agent_stderr)
            );
        }
        s.push_str("</details>");
    }
    s.push_str("</section>\n");
}

/// A catalogue line without its list marker, number and ID
/// (`51. 37-R51 §Pub-Sub: ...` -> `§Pub-Sub: ...`, `- G01: ...` -> `...`).
fn req_text<'a>(id: &str, line: &'a str) -> &'a str {
    let t = line.trim_start();
    let t = t.strip_prefix("- ").unwrap_or(t);
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let t = match t.get(digits..).and_then(|r| r.strip_prefix(". ")) {
        Some(rest) if digits > 0 => rest,
        _ => t,
    };
    let t = t.strip_prefix(id).unwrap_or(t);
    t.trim_start_matches([':', ' '])
}

/// Each direction of each raw peer's connection, dissected: the octets it
/// logged, in order, up to the first write the log cut short.
pub fn dissections(wire: &[Entry]) -> Vec<(String, String)> {
    let mut streams: Vec<((String, Direction), Vec<u8>, bool)> = Vec::new();
    for e in wire {
        if e.dir == Direction::Note {
            continue;
        }
        let key = (e.who.clone(), e.dir);
        let at = match streams.iter().position(|(k, _, _)| *k == key) {
            Some(at) => at,
            None => {
                streams.push((key, Vec::new(), false));
                streams.len() - 1
            }
        };
        let (_, octets, cut) = &mut streams[at];
        if *cut {
            continue;
        }
        let (head, more) = e.data.split_once('+').unwrap_or((&e.data, ""));
        if let Some(b) = unhex(head) {
            octets.extend_from_slice(&b);
        }
        *cut = !more.is_empty();
    }
    streams
        .into_iter()
        .filter(|(_, o, _)| !o.is_empty())
        .map(|((who, dir), octets, cut)| {
            let name = match dir {
                Direction::Out => format!("{who} to the implementation"),
                _ => format!("the implementation to {who}"),
            };
            let mut text = render(&dissect(&octets));
            if cut {
                text.push_str(
                    "(the log kept only the start of a long write: the dissection stops there)\n",
                );
            }
            (name, text)
        })
        .collect()
}

#[cfg(test)]
mod tests;
