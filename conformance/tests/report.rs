//! The HTML report from real runs: every case and requirement of the JSON
//! report is there, with the same counts, and a failure carries its wire
//! log and dissection. With headless Chromium installed, a screenshot of it
//! is taken. Every wait is bounded (see `common`).

mod common;

use std::path::Path;
use std::process::Command;

use common::{conformance, pyzmq_python, root, wait_within};
use serde_json::Value;

const STATUSES: [&str; 6] = [
    "passed",
    "lenient",
    "failed",
    "unsupported",
    "expected-failure",
    "unexpected-pass",
];

/// Checks `report.html` in `dir` against each `*.json` report there;
/// gives the page.
fn html_agrees_with_json(dir: &Path) -> String {
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let mut jsons = 0;
    for e in std::fs::read_dir(dir).expect("report dir") {
        let p = e.expect("entry").path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        jsons += 1;
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("json")).expect("JSON");
        let run = &v["run"];
        let name = format!(
            "{}-{}-{}",
            run["agent"].as_str().expect("agent"),
            run["transport"].as_str().expect("transport"),
            run["profile"].as_str().expect("profile")
        );
        // The run's section, up to the next one.
        let at = html
            .find(&format!("data-run=\"{name}\""))
            .unwrap_or_else(|| panic!("no section for {name}"));
        let end = html[at..]
            .find("<section class=run ")
            .map_or(html.len(), |e| e + at);
        let section = &html[at..end];
        for st in STATUSES {
            let key = st.replace('-', "_");
            let want = v["counts"][&key].as_u64().expect("count") as usize;
            let head = format!("data-{st}=\"{want}\"");
            assert!(section.contains(&head), "{name}: {head}");
            let cases = section.matches(&format!("data-status=\"{st}\">")).count();
            assert_eq!(cases, want, "{name}: {st} cases");
        }
        for r in run["results"].as_array().expect("results") {
            let id = r["id"].as_str().expect("id");
            assert!(section.contains(&format!("data-case=\"{id}\"")), "{id}");
            for req in r["requirements"].as_array().expect("requirements") {
                let req = req.as_str().expect("requirement");
                assert!(section.contains(&format!("data-req=\"{req}\"")), "{req}");
            }
        }
        let total = run["results"].as_array().map_or(0, Vec::len);
        assert_eq!(section.matches("data-case=").count(), total);
    }
    assert!(jsons > 0, "no JSON report in {}", dir.display());
    assert!(
        dir.join("matrix.html").is_file(),
        "matrix.html is still written"
    );
    html
}

/// Each JSON report in `dir` is valid against the schema that
/// `zmtp-conformance schema` prints (checked by the `jsonschema` crate).
fn valid_against_the_schema(cwd: &Path, dir: &Path) {
    let o = conformance(cwd, &["schema"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let schema: Value = serde_json::from_str(&o.stdout).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut checked = 0;
    for e in std::fs::read_dir(dir).expect("report dir") {
        let p = e.expect("entry").path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("json")).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", p.display());
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn the_html_report_of_a_builtin_run_agrees_with_its_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = conformance(
        dir.path(),
        &[
            "run", "--agent", "builtin", "--cases", "G0", "--report", "out",
        ],
    );
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    let html = html_agrees_with_json(&dir.path().join("out"));
    valid_against_the_schema(dir.path(), &dir.path().join("out"));
    // Both transports, in the summary header.
    assert!(html.contains("data-summary=\"0\"") && html.contains("data-summary=\"1\""));
    assert!(html.contains("<h4>ZMTP grammar (G)</h4>"));
}

/// A real failure: libzmq 4.3 through the pyzmq agent fails 37-R51/1 (no
/// expected file is given, so it counts as failed).
#[test]
fn a_pyzmq_failure_carries_its_wire_log_and_screenshots_in_chromium() {
    let Some(python) = pyzmq_python() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let script = root().join("conformance/agents/python/agent.py");
    let cmd = format!("'{}' '{}'", python.display(), script.display());
    let o = conformance(
        dir.path(),
        &[
            "run",
            "--agent-cmd",
            &cmd,
            "--cases",
            "37-R5",
            "--transport",
            "tcp",
            "--report",
            "out",
        ],
    );
    assert_eq!(o.code, Some(1), "{}\n{}", o.stdout, o.stderr);
    let out = dir.path().join("out");
    let html = html_agrees_with_json(&out);
    valid_against_the_schema(dir.path(), &out);
    let at = html.find("data-case=\"37-R51/1\"").expect("37-R51/1");
    let case = &html[at..at + html[at..].find("</section>").expect("end")];
    assert!(case.contains("data-status=\"failed\""), "{case}");
    assert!(case.contains("wire log ("), "{case}");
    assert!(case.contains("<b>dissection of "), "{case}");
    assert!(case.contains("mechanism NULL"), "{case}");

    // The screenshot, where a headless browser is installed.
    let png = out.join("report.png");
    let mut child = Command::new(root().join("conformance/tools/screenshot-report.sh"))
        .arg(out.join("report.html"))
        .arg(&png)
        .spawn()
        .expect("the script starts");
    let status = wait_within(&mut child, "screenshot-report.sh");
    if status.code() == Some(3) {
        eprintln!(
            "skipped the screenshot: no headless browser installed (apt-get install chromium)"
        );
        return;
    }
    assert!(status.success(), "screenshot-report.sh: {status}");
    let bytes = std::fs::read(&png).expect("the PNG");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(bytes.len() > 10_000, "a {} octet PNG is blank", bytes.len());

    // The filter, run by the browser: `#unexpected` leaves the failure
    // shown and hides every other case.
    let dom = out.join("dom.html");
    let mut child = Command::new(root().join("conformance/tools/screenshot-report.sh"))
        .arg("--dom")
        .arg(format!("{}#unexpected", out.join("report.html").display()))
        .arg(&dom)
        .spawn()
        .expect("the script starts");
    assert!(wait_within(&mut child, "screenshot-report.sh --dom").success());
    let dom = std::fs::read_to_string(&dom).expect("the DOM");
    let cases: Vec<&str> = dom
        .split("<section class=\"case ")
        .skip(1)
        .map(|c| &c[..c.find('>').expect("a tag")])
        .collect();
    assert_eq!(cases.len(), 9, "{cases:?}");
    for c in cases {
        let hidden = c.contains(" hidden");
        assert_eq!(hidden, !c.contains("data-status=\"failed\""), "{c}");
    }
}

/// A shipped agent's report records its implementation as installed, at
/// the pinned version (where `setup --agent pyzmq` installed it).
#[test]
fn a_shipped_agent_report_records_the_installed_version() {
    let data = root().join("target");
    if !data.join("agents/pyzmq/bin/python").exists() {
        assert!(
            std::env::var("ZMTP_REQUIRE_AGENTS").as_deref() != Ok("1"),
            "the matrix was set up but the pyzmq agent is missing"
        );
        eprintln!("skipped: the pyzmq agent is not set up (zmtp-conformance setup --agent pyzmq)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = data.display().to_string();
    let o = conformance(
        dir.path(),
        &[
            "run",
            "--agent",
            "pyzmq",
            "--no-setup",
            "--data-dir",
            &data,
            "--cases",
            "G01/",
            "--transport",
            "tcp",
            "--report",
            "out",
        ],
    );
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("   installed: pyzmq 27.3.0"),
        "{}",
        o.stdout
    );
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/pyzmq-tcp-default.json")).expect("json"),
    )
    .expect("JSON");
    assert_eq!(json["run"]["installed"], "pyzmq 27.3.0");
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).expect("html");
    assert!(html.contains("<td>pyzmq 27.3.0</td>"));
}
