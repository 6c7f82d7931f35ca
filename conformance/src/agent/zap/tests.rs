use std::time::Duration;

use bytes::Bytes;

use super::{HandlerKind, ZapPolicy, log_answer, parse_log};

fn frames(v: &[&[u8]]) -> Vec<Bytes> {
    v.iter().map(|f| Bytes::copy_from_slice(f)).collect()
}

#[test]
fn a_policy_survives_its_request() {
    let p = ZapPolicy {
        kind: HandlerKind::Rep,
        status: Bytes::from_static(b"299"),
        status_text: Bytes::from_static(b"odd"),
        user_id: Bytes::from_static(b"alice"),
        metadata: Bytes::from_static(b"\x01X\x00\x00\x00\x01y"),
        delay: Duration::from_millis(250),
        version: Bytes::from_static(b"2.0"),
        request_id: Some(Bytes::from_static(b"other")),
    };
    assert_eq!(ZapPolicy::from_request(&p.to_request()), Ok(p));
    let d = ZapPolicy::default();
    assert_eq!(ZapPolicy::from_request(&d.to_request()), Ok(d));
}

#[test]
fn absent_fields_take_their_defaults_and_bad_ones_are_named() {
    let p = ZapPolicy::from_request(&serde_json::json!({"op": "zap_handler"})).unwrap();
    assert_eq!(p, ZapPolicy::default());
    let e = ZapPolicy::from_request(&serde_json::json!({"user_id": "zz"})).unwrap_err();
    assert!(e.contains("user_id"), "{e}");
    let e = ZapPolicy::from_request(&serde_json::json!({"socket_type": "PUB"})).unwrap_err();
    assert!(e.contains("PUB"), "{e}");
    let long = ZapPolicy::from_request(&serde_json::json!({"delay_ms": 3_600_000})).unwrap();
    assert_eq!(long.delay, super::MAX_DELAY);
}

#[test]
fn a_router_reply_returns_the_envelope_and_echoes_the_request_id() {
    let request = frames(&[
        b"\x00\x01",
        b"",
        b"1.0",
        b"7",
        b"d",
        b"127.0.0.1",
        b"",
        b"NULL",
    ]);
    let reply = ZapPolicy {
        user_id: Bytes::from_static(b"u"),
        ..ZapPolicy::default()
    }
    .reply(&request);
    assert_eq!(
        reply,
        frames(&[b"\x00\x01", b"", b"1.0", b"7", b"200", b"OK", b"u", b""])
    );
}

#[test]
fn a_rep_reply_has_no_envelope_and_a_forged_id_replaces_the_echo() {
    let request = frames(&[b"1.0", b"7", b"d", b"", b"", b"PLAIN", b"a", b"b"]);
    let p = ZapPolicy {
        kind: HandlerKind::Rep,
        request_id: Some(Bytes::from_static(b"x")),
        ..ZapPolicy::status("400")
    };
    assert_eq!(
        p.reply(&request),
        frames(&[b"1.0", b"x", b"400", b"OK", b"", b""])
    );
}

#[test]
fn the_log_round_trips() {
    let log = vec![frames(&[b"a", b""]), frames(&[b"1.0"])];
    assert_eq!(parse_log(&log_answer(&log)), Some(log));
    assert_eq!(parse_log(&serde_json::json!({"requests": [["zz"]]})), None);
}
