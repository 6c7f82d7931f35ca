use serde_json::json;

use super::*;

#[test]
fn answers_are_read_by_their_marker() {
    assert_eq!(
        Answer::from_json(&json!({"id": 1, "unsupported": "socket type CLIENT"})),
        Answer::Unsupported("socket type CLIENT".into())
    );
    assert!(matches!(
        Answer::from_json(&json!({"id": 1, "ok": true})),
        Answer::Ok(_)
    ));
    assert_eq!(
        Answer::from_json(&json!({"id": 1, "error": "recv timed out", "again": true})),
        Answer::Error {
            message: "recv timed out".into(),
            again: true
        }
    );
    // An answer with neither marker is an error, not a success.
    assert!(matches!(
        Answer::from_json(&json!({"id": 1})),
        Answer::Error { again: false, .. }
    ));
}

#[test]
fn every_agent_has_a_unique_name() {
    let mut names: Vec<_> = registry::AGENTS.iter().map(|a| a.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), registry::AGENTS.len());
    assert!(registry::find("pyzmq").is_some());
    assert!(registry::find("nope").is_none());
}
