use serde_json::json;

use super::*;
use crate::case::Verdict;
use crate::runner::CaseResult;

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
        wire: Vec::new(),
        trace: Vec::new(),
        agent_stderr: String::new(),
    }
}

fn run() -> RunReport {
    RunReport {
        agent: "x".into(),
        manifest: json!({"version": "1"}),
        transport: "tcp".into(),
        profile: "default".into(),
        duration_ms: 10,
        results: vec![
            result("G01/1", Kind::Pass),
            result("G02/1", Kind::Fail),
            result("G03/1", Kind::Unsupported),
        ],
    }
}

#[test]
fn junit_counts_unexpected_results_as_failures_and_escapes() {
    let m = vec![Mismatch {
        id: "G02/1".into(),
        expected: "PASS".into(),
        got: "FAIL".into(),
        reason: String::new(),
    }];
    let x = junit(&run(), &m);
    assert!(
        x.contains("tests=\"3\" failures=\"1\" skipped=\"1\""),
        "{x}"
    );
    assert!(x.contains("d &lt;&amp;&gt;"));
    assert!(!x.contains("d <&>"));
}

#[test]
fn summary_names_unexpected_results() {
    let m = vec![Mismatch {
        id: "G02/1".into(),
        expected: "PASS".into(),
        got: "FAIL".into(),
        reason: String::new(),
    }];
    let s = summary(&run(), &m);
    assert!(s.contains("UNEXPECTED G02/1"));
    assert!(summary(&run(), &[]).contains("all results as expected"));
    assert_eq!(counts(&run()).get(&Kind::Fail), Some(&1));
}
