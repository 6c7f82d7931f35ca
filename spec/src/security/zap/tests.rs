use std::sync::Arc;

use bytes::Bytes;

use super::*;
use crate::security::SecurityError;

fn b(s: &'static str) -> Bytes {
    Bytes::from_static(s.as_bytes())
}

fn request() -> ZapRequest {
    ZapRequest {
        request_id: b("7"),
        domain: b("global"),
        address: b("127.0.0.1"),
        identity: Bytes::new(),
        mechanism: b("PLAIN"),
        credentials: vec![b("admin"), b("secret")],
    }
}

/// 27-R09..R11, 27-R38: the request frames in order, version 1.0.
#[test]
fn request_frames_in_order_27_r09() {
    let frames = request().frames();
    assert_eq!(
        frames,
        [
            b("1.0"),
            b("7"),
            b("global"),
            b("127.0.0.1"),
            Bytes::new(),
            b("PLAIN"),
            b("admin"),
            b("secret")
        ]
    );
    assert_eq!(ZapRequest::parse(&frames).unwrap(), request());
}

/// 27-R10, 27-R42, 27-R44: a DEALER or ROUTER sees the empty delimiter.
#[test]
fn delimiter_is_accepted_27_r10() {
    let mut frames = vec![Bytes::new()];
    frames.extend(request().frames());
    assert_eq!(ZapRequest::parse(&frames).unwrap(), request());
}

#[test]
fn bad_requests_are_refused_27_r11_r23() {
    let mut frames = request().frames();
    frames[0] = b("2.0");
    assert_eq!(ZapRequest::parse(&frames), Err(ZapError::Version));
    let mut frames = request().frames();
    frames[5] = Bytes::new();
    assert_eq!(ZapRequest::parse(&frames), Err(ZapError::EmptyMechanism));
    assert_eq!(
        ZapRequest::parse(&request().frames()[..5]),
        Err(ZapError::FrameCount(5))
    );
    assert_eq!(ZapRequest::parse(&[]), Err(ZapError::FrameCount(0)));
}

/// 27-R15..R20, 27-R24, 27-R25: reply frames, echoed id, metadata in the
/// property format.
#[test]
fn reply_round_trip_27_r15() {
    let mut reply = request().accept("admin");
    reply.metadata.push("X-Role", b("ops"));
    let frames = reply.frames().unwrap();
    assert_eq!(frames.len(), 6);
    assert_eq!(frames[0], b("1.0"));
    assert_eq!(frames[1], b("7"));
    assert_eq!(frames[2], b("200"));
    assert_eq!(frames[4], b("admin"));
    assert_eq!(&frames[5][..], b"\x06X-Role\x00\x00\x00\x03ops");
    assert_eq!(ZapReply::parse(&frames).unwrap(), reply);
    let refused = request().refuse(StatusCode::AuthenticationFailure, "no");
    assert!(refused.user_id.is_empty(), "27-R24");
    let frames = refused.frames().unwrap();
    assert_eq!(frames[2], b("400"));
    assert_eq!(ZapReply::parse(&frames).unwrap(), refused);
}

/// libzmq requires exactly 7 frames with the delimiter (zmtp-wire.md 6.2
/// #12); status codes other than the four are refused (27-R18).
#[test]
fn bad_replies_are_refused_27_r15_r18() {
    let frames = request().accept("u").frames().unwrap();
    let mut with_delimiter = vec![Bytes::new()];
    with_delimiter.extend(frames.iter().cloned());
    assert!(ZapReply::parse(&with_delimiter).is_ok());
    assert_eq!(ZapReply::parse(&frames[..5]), Err(ZapError::FrameCount(5)));
    let mut extra = frames.clone();
    extra.push(Bytes::new());
    assert_eq!(ZapReply::parse(&extra), Err(ZapError::FrameCount(7)));
    for code in ["201", "2000", "", "abc"] {
        let mut bad = frames.clone();
        bad[2] = b(code);
        assert_eq!(ZapReply::parse(&bad), Err(ZapError::StatusCode), "{code}");
    }
    let mut bad = frames.clone();
    bad[5] = b("\x00");
    assert!(matches!(ZapReply::parse(&bad), Err(ZapError::Metadata(_))));
    let mut bad = frames;
    bad[0] = b("1.1");
    assert_eq!(ZapReply::parse(&bad), Err(ZapError::Version));
}

#[test]
fn status_codes_27_r18() {
    for status in [
        StatusCode::Success,
        StatusCode::TemporaryFailure,
        StatusCode::AuthenticationFailure,
        StatusCode::InternalError,
    ] {
        assert_eq!(
            StatusCode::from_wire(status.as_str().as_bytes()),
            Some(status)
        );
    }
    assert_eq!(StatusCode::from_wire(b"404"), None);
}

#[test]
fn peer_properties_add_user_id() {
    let mut reply = request().accept("alice");
    reply.metadata.push("X-Team", b("blue"));
    let props = reply.peer_properties();
    assert_eq!(props.get("user-id"), Some(&b("alice")));
    assert_eq!(props.get("X-Team"), Some(&b("blue")));
    // libzmq 4.3.5 shows an empty User-Id after a ZAP exchange that gave
    // none (observed through pyzmq's Frame.get), and the user id frame
    // wins over a `User-Id` in the reply's metadata.
    assert_eq!(
        request().accept("").peer_properties().get("User-Id"),
        Some(&b(""))
    );
    let mut reply = request().accept("alice");
    reply.metadata.push("User-Id", b("mallory"));
    assert_eq!(reply.peer_properties().get("User-Id"), Some(&b("alice")));
    // Without a handler, libzmq shows no User-Id at all.
    let none = request().accept_without_handler();
    assert_eq!(none.status, StatusCode::Success);
    assert_eq!(none.peer_properties().get("User-Id"), None);
    // A parsed reply came from a handler.
    let parsed = ZapReply::parse(&request().accept("").frames().unwrap()).unwrap();
    assert_eq!(parsed.peer_properties().get("User-Id"), Some(&b("")));
}

/// The handler's properties come before the peer's, except the
/// Socket-Type and Identity the connection reads.
#[test]
fn accepted_peer_metadata_puts_the_handler_first() {
    let zap = Metadata::new()
        .with("User-Id", b("alice"))
        .with("Socket-Type", b("ROUTER"));
    let peer = Metadata::new()
        .with("Socket-Type", b("DEALER"))
        .with("User-Id", b("root"))
        .with("Identity", b("id"));
    let merged = accepted_peer_metadata(&zap, peer);
    assert_eq!(merged.get("user-id"), Some(&b("alice")));
    assert_eq!(merged.get("socket-type"), Some(&b("DEALER")));
    assert_eq!(merged.get("Identity"), Some(&b("id")));
    assert_eq!(merged.len(), 5);
}

fn accepted(asked: Result<Asked, SecurityError>) -> Metadata {
    match asked {
        Ok(Asked::Accepted(properties)) => properties,
        other => panic!("expected an accept, got {other:?}"),
    }
}

fn refused(asked: Result<Asked, SecurityError>) -> StatusCode {
    match asked {
        Err(SecurityError::Refused { status, .. }) => status,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// 27-R20: a reply with another request-id counts as a 500 refusal.
#[test]
fn mismatched_request_id_is_a_refusal_27_r20() {
    let zap = Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| {
        let mut reply = r.accept("x");
        reply.request_id = b("other");
        reply
    })));
    let asked = zap.ask("PLAIN", Bytes::new(), vec![], false);
    assert_eq!(refused(asked), StatusCode::InternalError);
}

/// zmtp-wire.md 6.2 #12: without a handler CURVE accepts and PLAIN
/// refuses; ZAP_ENFORCE_DOMAIN refuses for both.
#[test]
fn no_handler_and_enforced_domain() {
    let none = Zap::default();
    assert!(accepted(none.ask("CURVE", Bytes::new(), vec![], false)).is_empty());
    assert_eq!(
        refused(none.ask("PLAIN", Bytes::new(), vec![], true)),
        StatusCode::InternalError
    );
    let enforced = Zap {
        enforce_domain: true,
        ..Zap::default()
    };
    assert_eq!(
        refused(enforced.ask("CURVE", Bytes::new(), vec![], false)),
        StatusCode::InternalError
    );
}

/// An external handler gets the request back to forward; the verdict on
/// its reply is the same as a callback's.
#[test]
fn external_handler_gets_the_request() {
    let mut zap = Zap::external();
    zap.domain = b("dom");
    let Ok(Asked::Pending(request)) = zap.ask("CURVE", b("me"), vec![b("key")], false) else {
        panic!("pending");
    };
    assert_eq!(request.domain, b("dom"));
    assert_eq!(request.identity, b("me"));
    assert_eq!(request.credentials, [b("key")]);
    let props = verdict(&request.accept("u")).unwrap();
    assert_eq!(props.get("User-Id"), Some(&b("u")));
    assert!(verdict(&request.refuse(StatusCode::AuthenticationFailure, "no")).is_err());
}

/// The request the server builds: domain, mechanism, credentials.
#[test]
fn server_request_carries_domain_and_mechanism_27_r13() {
    let mut zap = Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| {
        assert_eq!(r.domain, b("dom"));
        assert_eq!(r.mechanism, b("CURVE"));
        assert_eq!(r.credentials, [b("key")]);
        r.accept("ok")
    })));
    zap.domain = b("dom");
    let props = accepted(zap.ask("CURVE", Bytes::new(), vec![b("key")], false));
    assert_eq!(props.get("User-Id"), Some(&b("ok")));
}

/// A PLAIN request's `Debug` shows the username, not the password; a
/// CURVE request's shows the (public) key.
#[test]
fn debug_output_hides_a_plain_password() {
    let shown = format!("{:?}", request());
    assert!(shown.contains("admin"), "{shown}");
    assert!(!shown.contains("secret"), "{shown}");
    assert!(shown.contains("<6 octets hidden>"), "{shown}");
    let mut curve = request();
    curve.mechanism = b("CURVE");
    curve.credentials = vec![b("public-key-octets")];
    assert!(format!("{curve:?}").contains("public-key-octets"));
}

/// libzmq's rule without a handler: PLAIN is refused with 500, CURVE and
/// NULL are accepted, unless ZAP_ENFORCE_DOMAIN refuses them all.
#[test]
fn the_no_handler_rule() {
    let plain = request();
    let mut curve = request();
    curve.mechanism = b("CURVE");
    let mut null = request();
    null.mechanism = b("NULL");
    assert_eq!(
        plain.reply_without_handler(false).status,
        StatusCode::InternalError
    );
    for r in [&curve, &null] {
        assert_eq!(r.reply_without_handler(false).status, StatusCode::Success);
        assert_eq!(
            r.reply_without_handler(true).status,
            StatusCode::InternalError
        );
    }
    assert_eq!(
        plain.reply_without_handler(true).status,
        StatusCode::InternalError
    );
}
