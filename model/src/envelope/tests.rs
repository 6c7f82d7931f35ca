use super::*;

fn msg(frames: &[&'static str]) -> Message {
    Message::from_frames(frames.iter().map(|f| Bytes::from_static(f.as_bytes())))
}

#[test]
fn request_gets_an_empty_delimiter_28_r03() {
    assert_eq!(wrap_request(msg(&["hi"]), None), msg(&["", "hi"]));
    let with_id = wrap_request(msg(&["hi"]), Some(7));
    assert_eq!(with_id.frames()[0].as_ref(), [0, 0, 0, 7]);
    assert_eq!(with_id.frames()[1].len(), 0);
}

#[test]
fn reply_needs_delimiter_and_body_28_r08() {
    assert_eq!(unwrap_reply(msg(&["", "ok"]), None), Some(msg(&["ok"])));
    assert_eq!(unwrap_reply(msg(&["x", "ok"]), None), None);
    assert_eq!(unwrap_reply(msg(&[""]), None), None);
    assert_eq!(unwrap_reply(Message::new(), None), None);
}

#[test]
fn correlated_reply_must_carry_the_request_id() {
    let good = wrap_request(msg(&["ok"]), Some(3));
    assert_eq!(unwrap_reply(good, Some(3)), Some(msg(&["ok"])));
    let stale = wrap_request(msg(&["ok"]), Some(2));
    assert_eq!(unwrap_reply(stale, Some(3)), None);
}

#[test]
fn rep_splits_and_restores_the_envelope_28_r13_r16() {
    let (env, body) = split_request(msg(&["id1", "id2", "", "a", "b"])).unwrap();
    assert_eq!(env.len(), 3);
    assert_eq!(body, msg(&["a", "b"]));
    assert_eq!(wrap_reply(&env, msg(&["r"])), msg(&["id1", "id2", "", "r"]));
    assert_eq!(split_request(msg(&["a", "b"])), None);
    assert_eq!(split_request(msg(&["id", ""])), None);
}

/// 27-R25: the body REP delivers and the message ROUTER delivers keep
/// the properties of the connection the request came on.
#[test]
fn envelopes_keep_the_connection_properties_27_r25() {
    let props = std::sync::Arc::new(zmtp_spec::wire::Metadata::new().with("User-Id", "alice"));
    let request = msg(&["id", "", "a"]).with_metadata(props.clone());
    let (_, body) = split_request(request).unwrap();
    assert_eq!(
        body.property("User-Id").map(|v| &v[..]),
        Some(&b"alice"[..])
    );
    let routed = prefix_routing_id(
        Bytes::from_static(b"A"),
        msg(&["x"]).with_metadata(props.clone()),
    );
    assert!(routed.property("user-id").is_some());
    let reply = unwrap_reply(msg(&["", "ok"]).with_metadata(props), None).unwrap();
    assert!(reply.property("User-Id").is_some());
}

#[test]
fn router_routing_id_frame_28_r38_r40() {
    let m = prefix_routing_id(Bytes::from_static(b"A"), msg(&["x"]));
    assert_eq!(m, msg(&["A", "x"]));
    assert_eq!(
        take_routing_id(m),
        Some((Bytes::from_static(b"A"), msg(&["x"])))
    );
    assert_eq!(take_routing_id(Message::new()), None);
}
