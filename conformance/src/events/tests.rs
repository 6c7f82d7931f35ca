use bytes::Bytes;
use serde_json::json;
use zmtp_model::{PeerId, PeerInfo};
use zmtp_spec::SocketType;

use super::*;

#[test]
fn a_long_body_keeps_its_length_and_its_head() {
    let big = vec![0x79u8; 65536];
    let v = body(&big);
    assert_eq!(v["len"], 65536);
    assert_eq!(v["truncated"], true);
    assert_eq!(v["hex"].as_str().map(str::len), Some(BODY_MAX * 2));
    assert_eq!(body(b"hi"), json!({"len": 2, "hex": "6869"}));
}

#[test]
fn model_events_become_objects_and_notes_stay_text() {
    let send = TraceEvent::Send(Message::from_frames([Bytes::from(vec![0u8; 1000])]));
    let attach = TraceEvent::Attach(PeerId(1), PeerInfo::new(SocketType::Req));
    let texts = vec![
        format!("{attach:?}"),
        "peer1 closed".to_string(),
        format!("{send:?}"),
    ];
    let t = trace(&texts, &[attach, send]);
    assert_eq!(t[0]["event"], "attach");
    assert_eq!(t[0]["peer"], 1);
    assert_eq!(t[0]["socket_type"], "REQ");
    assert_eq!(t[1], json!({"note": "peer1 closed"}));
    assert_eq!(t[2]["event"], "send");
    assert_eq!(t[2]["message"][0]["len"], 1000);
    assert!(t.iter().all(|v| v.to_string().len() < 400), "{t:?}");
}

#[test]
fn an_answer_stays_json_with_long_strings_cut() {
    let long = "ab".repeat(1000);
    let v = bounded(&json!({"id": 3, "ok": true, "frames": [long, "6869"]}));
    assert_eq!(v["id"], 3);
    assert_eq!(v["ok"], true);
    assert_eq!(v["frames"][0]["len"], 2000);
    assert_eq!(
        v["frames"][0]["prefix"].as_str().map(str::len),
        Some(STRING_MAX)
    );
    assert_eq!(v["frames"][1], "6869");
}
