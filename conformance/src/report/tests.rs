use serde_json::{Value, json};

use super::*;
use crate::case::Verdict;
use crate::expected::Expected;
use crate::wirelog::Direction;

fn result(id: &str, kind: Kind) -> CaseResult {
    CaseResult {
        id: id.into(),
        requirements: vec![id.split('/').next().unwrap_or(id).into()],
        sends: "s".into(),
        expects: "e".into(),
        verdict: Verdict {
            kind,
            detail: "d <&>".into(),
            tolerance: None,
        },
        duration_ms: 5,
        wire: vec![Entry {
            t_ms: 1,
            who: "peer1".into(),
            dir: Direction::In,
            data: "ff00".into(),
            json: None,
        }],
        trace: Vec::new(),
        agent_stderr: String::new(),
    }
}

/// One result of every status against [`EXPECTED`].
fn run() -> RunReport {
    RunReport {
        agent: "x".into(),
        manifest: json!({"version": "1"}),
        installed: None,
        transport: "tcp".into(),
        profile: "default".into(),
        duration_ms: 10,
        results: vec![
            result("G01/1", Kind::Pass),           // passed
            result("G-C1/1", Kind::Pass),          // passed
            result("37-R01/1", Kind::PassLenient), // lenient
            result("G02/1", Kind::Fail),           // failed (no entry)
            result("G03/1", Kind::Unsupported),    // unsupported (no entry)
            result("37-R56/1", Kind::Unsupported), // unsupported (listed)
            result("37-R51/1", Kind::Fail),        // expected-failure
            result("37-R33/2", Kind::NonStrict),   // expected-failure
            result("26-R08/1", Kind::Pass),        // unexpected-pass
        ],
    }
}

const EXPECTED: &str = "\
37-R56/1 UNSUPPORTED no CLIENT socket
37-R51/1 FAIL idempotent subscriptions
37-R33/2 NON-STRICT no ERROR before closing
26-R08/1 FAIL padding not checked
";

const WANT: Tally = Tally {
    passed: 2,
    lenient: 1,
    failed: 1,
    unsupported: 2,
    expected_failure: 2,
    unexpected_pass: 1,
};

fn judged() -> Vec<Judged> {
    Expected::parse(EXPECTED).expect("valid").judge_run(&run())
}

fn attr(xml: &str, tag: &str, name: &str) -> usize {
    let at = xml.find(&format!("<{tag} ")).expect("tag");
    let rest = xml.get(at..).unwrap_or_default();
    let key = format!(" {name}=\"");
    let v = rest.find(&key).map(|i| i + key.len()).expect("attribute");
    let rest = rest.get(v..).unwrap_or_default();
    rest.get(..rest.find('"').unwrap_or(0))
        .and_then(|n| n.parse().ok())
        .expect("a number")
}

#[test]
fn the_counts_agree_across_every_output() {
    let run = run();
    let judged = judged();
    let tally = Tally::of(&judged);
    assert_eq!(tally, WANT);
    let line =
        "2 passed, 1 lenient, 1 failed, 2 unsupported, 2 expected-failure, 1 unexpected-pass";
    assert_eq!(tally.to_string(), line);

    let summary = summary(&run, &judged);
    assert!(summary.contains(line), "{summary}");
    assert!(summary.contains("UNEXPECTED G02/1: expected PASS, got FAIL"));
    assert!(summary.contains("UNEXPECTED 26-R08/1: expected FAIL, got PASS"));

    let md = markdown(&run, &judged);
    assert!(md.contains(line), "{md}");
    for st in Status::ALL {
        assert!(md.contains(&format!("- {}: {}", st.label(), tally.get(st))));
        let rows = md.matches(&format!("| {} |", st.label())).count();
        assert_eq!(rows, tally.get(st), "{} rows", st.label());
    }

    let v: Value = serde_json::from_str(&json(&run, &judged)).expect("JSON");
    assert_eq!(v["counts"], serde_json::to_value(WANT).expect("counts"));
    assert_eq!(v["counts"]["expected_failure"], 2);

    let x = junit(&run, &judged);
    for tag in ["testsuites", "testsuite"] {
        assert_eq!(attr(&x, tag, "tests"), tally.total());
        assert_eq!(attr(&x, tag, "failures"), tally.unexpected());
        assert_eq!(attr(&x, tag, "skipped"), 4);
        assert_eq!(attr(&x, tag, "errors"), 0);
    }
    assert_eq!(x.matches("<failure ").count(), tally.unexpected());
    assert_eq!(
        x.matches("<skipped ").count(),
        tally.unsupported + tally.expected_failure
    );
    assert_eq!(x.matches("<testcase ").count(), tally.total());
}

#[test]
fn junit_says_why_and_shows_the_wire() {
    let x = junit(&run(), &judged());
    assert!(
        x.contains("<failure type=\"FAIL\" message=\"expected PASS, got FAIL: d &lt;&amp;&gt;\">"),
        "{x}"
    );
    assert!(
        x.contains("wire log:\n     1 ms peer1    &lt;- ff00  &quot;\\xff\\x00&quot;"),
        "{x}"
    );
    assert!(x.contains(
        "<failure type=\"unexpected-pass\" message=\"expected FAIL (padding not checked), got PASS"
    ));
    assert!(x.contains("<skipped message=\"unsupported: d &lt;&amp;&gt;\"/>"));
    assert!(x.contains("<skipped message=\"expected FAIL: idempotent subscriptions\">"));
    assert!(x.contains("<skipped message=\"expected NON-STRICT: no ERROR before closing\">"));
    assert!(x.contains("classname=\"x.tcp.rfc37\" name=\"37-R51/1\""));
    assert!(x.contains("classname=\"x.tcp.grammar\" name=\"G01/1\""));
    assert!(x.contains("classname=\"x.tcp.grammar-curve\" name=\"G-C1/1\""));
    assert!(!x.contains("d <&>"));
}

#[test]
fn families_follow_the_rfc() {
    assert_eq!(family("37-R01/1"), "rfc37");
    assert_eq!(family("28-R08/1"), "rfc28");
    assert_eq!(family("G07/2"), "grammar");
    assert_eq!(family("G-P3/1"), "grammar-plain");
    assert_eq!(family("G-C9/1"), "grammar-curve");
}

#[test]
fn all_as_expected_only_without_unexpected_results() {
    let run = run();
    assert!(!summary(&run, &judged()).contains("all results as expected"));
    let only_expected: Vec<Judged> = judged()
        .into_iter()
        .filter(|j| !j.status.is_unexpected())
        .collect();
    assert!(summary(&run, &only_expected).contains("all results as expected"));
    assert_eq!(counts(&run).get(&Kind::Fail), Some(&2));
}

#[test]
fn the_json_keeps_octet_lengths_and_agent_answers_as_json() {
    let mut run = run();
    let log = crate::wirelog::WireLog::new();
    log.bytes("peer1", Direction::Out, &[0x79; 1000]);
    log.agent("<", &json!({"id": 1, "ok": true, "frames": ["6869"]}));
    log.note("trace", "Recv(...)");
    run.results[0].wire = log.entries();
    run.results[0].trace = vec![json!({"event": "recv", "message": []})];
    let v: Value = serde_json::from_str(&json(&run, &judged())).expect("JSON");
    let wire = &v["run"]["results"][0]["wire"];
    assert_eq!(wire[0]["len"], 1000);
    assert_eq!(wire[0]["truncated"], true);
    assert_eq!(
        wire[0]["hex"].as_str().map(str::len),
        Some(crate::events::BODY_MAX * 2)
    );
    assert_eq!(
        wire[1]["json"],
        json!({"id": 1, "ok": true, "frames": ["6869"]})
    );
    assert!(wire[1].get("data").is_none());
    assert_eq!(wire[2]["trace"], 0);
    assert_eq!(v["run"]["results"][0]["trace"][0]["event"], "recv");
}

/// Every output of [`json`] is valid against the published schema, which
/// is the one the types derive.
#[test]
fn the_json_report_is_valid_against_its_schema() {
    let schema = schema::schema();
    let published: Value =
        serde_json::from_str(include_str!("../../report.schema.json")).expect("schema file");
    assert_eq!(
        published, schema,
        "conformance/report.schema.json is out of date: \
         `cargo run -p zmtp-conformance -- schema > conformance/report.schema.json`"
    );
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let mut run = run();
    let log = crate::wirelog::WireLog::new();
    log.bytes("peer1", Direction::Out, &[0x79; 1000]);
    log.agent("<", &json!({"id": 1, "ok": true}));
    log.note("trace", "Recv(...)");
    log.note("peer1", "closed");
    run.results[0].wire = log.entries();
    let v: Value = serde_json::from_str(&json(&run, &judged())).expect("JSON");
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The schema can fail: a status it does not know, a field too many.
    let mut bad = v.clone();
    bad["judged"][0]["status"] = json!("skipped");
    assert!(!validator.is_valid(&bad));
    let mut bad = v;
    bad["run"]["results"][0]["extra"] = json!(1);
    assert!(!validator.is_valid(&bad));
}
