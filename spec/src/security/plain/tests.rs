//! PLAIN: the HELLO layout, and two connection machines back to back.

use std::sync::Arc;

use bytes::Bytes;

use super::*;
use crate::connection::harness::{Pair, TestRng};
use crate::connection::{Config, Event, Side};
use crate::security::SecurityError;
use crate::security::zap::{FnAuthenticator, StatusCode, ZapRequest};
use crate::wire::{Decoder, Framing, Greeting, Item};
use crate::{Message, SocketType};

/// G-P3: ulen username plen password, any octets, 0-255 each.
#[test]
fn hello_layout_g_p3() {
    let hello = Hello {
        username: Bytes::from_static(b"admin"),
        password: Bytes::from_static(b"\x00pass word"),
    };
    let data = hello.encode();
    assert_eq!(&data[..], b"\x05admin\x0a\x00pass word");
    assert_eq!(Hello::parse(&data).unwrap(), hello);
    let empty = Hello::parse(&Bytes::from_static(b"\x00\x00")).unwrap();
    assert!(empty.username.is_empty() && empty.password.is_empty());
}

#[test]
fn malformed_hello_is_refused_g_p3() {
    for bad in [
        &b""[..],
        b"\x00",
        b"\x05adm",
        b"\x05admin\x04pas",
        b"\x05admin\x01p!",
    ] {
        assert!(Hello::parse(&Bytes::from_static(bad)).is_err(), "{bad:?}");
    }
    assert!(Plain::client(vec![0; 256], "").is_err());
    assert!(Plain::client("", vec![0; 256]).is_err());
    assert!(Plain::client(vec![b'u'; 255], vec![b'p'; 255]).is_ok());
}

/// The password never shows in `Debug` output (the client mechanism's or
/// a parsed HELLO's); the username does.
#[test]
fn debug_output_hides_the_password() {
    let client = Plain::client("admin", "hunter2-secret").unwrap();
    let shown = format!("{client:?}");
    assert!(shown.contains("admin"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    let hello = Hello::parse(&Bytes::from_static(b"\x05admin\x07hunter2")).unwrap();
    assert!(!format!("{hello:?}").contains("hunter2"));
}

/// The client's HELLO carries the credentials it was given (G-P3).
#[test]
fn client_hello_carries_the_credentials_g_p3() {
    let plain = Plain::client("admin", b"p\x00ss").unwrap();
    let mut session = plain.start(Side::Client, &Behaviour::default(), &mut TestRng::new(0));
    let metadata = Metadata::new();
    let ctx = HandshakeContext {
        side: Side::Client,
        metadata: &metadata,
    };
    let mut out = Vec::new();
    session.begin(&ctx, &mut out);
    let [Command::Mechanism { name, body }] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(*name, MechanismCommand::Hello);
    assert_eq!(&body[..], b"\x05admin\x04p\x00ss");
}

fn users() -> Zap {
    Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| {
        assert_eq!(&r.mechanism[..], b"PLAIN", "27-R37");
        match &r.credentials[..] {
            [user, pass] if &user[..] == b"admin" && &pass[..] == b"secret" => {
                let mut reply = r.accept("admin-user");
                reply.metadata.push("X-Role", &b"root"[..]);
                reply
            }
            [user, _] if &user[..] == b"later" => {
                r.refuse(StatusCode::TemporaryFailure, "try later")
            }
            [_, _] => r.refuse(StatusCode::AuthenticationFailure, "bad password"),
            _ => r.refuse(StatusCode::InternalError, "27-R38: two frames"),
        }
    })))
}

fn configs(user: &str, pass: &str, zap: Zap) -> (Config, Config) {
    let mut client = Config::new(SocketType::Req);
    client.mechanism = Arc::new(Plain::client(user.to_owned(), pass).unwrap());
    let mut server = Config::new(SocketType::Rep);
    server.mechanism = Arc::new(Plain::server(zap));
    (client, server)
}

fn names(log: &[u8]) -> Vec<Vec<u8>> {
    let mut decoder = Decoder::new(Framing::Zmtp3);
    decoder.set_raw_commands(true);
    decoder.push(log.get(Greeting::LEN..).unwrap_or_default());
    core::iter::from_fn(|| decoder.poll_item().ok().flatten())
        .filter_map(|item| match item {
            Item::RawCommand(body) => wire::command::split_command(&body)
                .ok()
                .map(|(n, _)| n.to_vec()),
            Item::Command(c) => Some(c.name().to_vec()),
            Item::Message(_) => None,
        })
        .collect()
}

fn failure(events: &[Event]) -> Option<&ConnectionError> {
    events.iter().find_map(|e| match e {
        Event::Failed(error) => Some(error),
        _ => None,
    })
}

fn messages(events: &[Event]) -> usize {
    received(events).len()
}

/// The messages among `events`, in order.
fn received(events: &[Event]) -> Vec<&Message> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

/// G-P1, G-P2, G-P5: HELLO, WELCOME, INITIATE, READY, then clear message
/// frames (37-R62); the server's peer carries the ZAP User-Id and
/// metadata; as-server is 1 on the server only.
#[test]
fn handshake_back_to_back_g_p2() {
    for max_chunk in [usize::MAX, 3, 1] {
        let (client, server) = configs("admin", "secret", users());
        let mut pair = Pair::new(client, server).unwrap();
        pair.max_chunk = max_chunk;
        pair.client
            .send_message(Message::from(&b"ping"[..]))
            .unwrap();
        pair.drive();
        assert!(
            pair.is_active(),
            "{:?} / {:?}",
            pair.client_events,
            pair.server_events
        );
        assert_eq!(names(&pair.to_server), [&b"HELLO"[..], &b"INITIATE"[..]]);
        assert_eq!(names(&pair.to_client), [&b"WELCOME"[..], &b"READY"[..]]);
        assert_eq!(pair.to_server[32], 0, "client as-server 0 (G-P1)");
        assert_eq!(pair.to_client[32], 1, "server as-server 1 (G-P1)");
        assert_eq!(messages(&pair.server_events), 1);
        let peer = pair.server.peer().unwrap();
        assert_eq!(
            peer.metadata.get("User-Id").map(|v| &v[..]),
            Some(&b"admin-user"[..])
        );
        assert_eq!(
            peer.metadata.get("X-Role").map(|v| &v[..]),
            Some(&b"root"[..])
        );
        assert_eq!(peer.socket_type, Some(SocketType::Req));
        assert_eq!(
            pair.client.peer().unwrap().socket_type,
            Some(SocketType::Rep)
        );
    }
}

/// 27-R25: the user id and metadata of the ZAP reply travel with every
/// message the server receives (libzmq's `zmq_msg_gets`), with the
/// peer's READY properties and the driver's own; the client's messages
/// carry the server's READY properties and no user id.
#[test]
fn received_messages_carry_the_zap_user_id_27_r25() {
    let (client, mut server) = configs("admin", "secret", users());
    server.message_properties = Metadata::new().with("Peer-Address", &b"10.0.0.7"[..]);
    let mut pair = Pair::new(client, server).unwrap();
    for body in [&b"one"[..], &b"two"[..]] {
        pair.client.send_message(Message::from(body)).unwrap();
    }
    pair.server
        .send_message(Message::from(&b"back"[..]))
        .unwrap();
    pair.drive();
    let messages = received(&pair.server_events);
    assert_eq!(messages.len(), 2, "{:?}", pair.server_events);
    for m in messages {
        assert_eq!(
            m.property("user-id").map(|v| &v[..]),
            Some(&b"admin-user"[..])
        );
        assert_eq!(m.property("X-Role").map(|v| &v[..]), Some(&b"root"[..]));
        assert_eq!(m.property("Socket-Type").map(|v| &v[..]), Some(&b"REQ"[..]));
        assert_eq!(
            m.property("Peer-Address").map(|v| &v[..]),
            Some(&b"10.0.0.7"[..])
        );
    }
    let back = *received(&pair.client_events).first().expect("the reply");
    assert_eq!(
        back.property("Socket-Type").map(|v| &v[..]),
        Some(&b"REP"[..])
    );
    assert_eq!(back.property("User-Id"), None);
}

/// 27-R25: a client cannot claim a user id: a `User-Id` (or a property
/// the handler sets) in its INITIATE metadata comes after the ZAP
/// handler's, so a lookup by name finds the handler's (libzmq gives its
/// ZAP properties the same precedence). Its own properties stay visible.
#[test]
fn a_client_claimed_user_id_does_not_shadow_the_zap_one_27_r25() {
    let (mut client, server) = configs("admin", "secret", users());
    client.metadata = Metadata::new()
        .with("User-Id", &b"root"[..])
        .with("X-Role", &b"nobody"[..])
        .with("X-Mine", &b"kept"[..]);
    let mut pair = Pair::new(client, server).unwrap();
    pair.client
        .send_message(Message::from(&b"one"[..]))
        .unwrap();
    pair.drive();
    let m = *received(&pair.server_events).first().expect("the message");
    assert_eq!(
        m.property("User-Id").map(|v| &v[..]),
        Some(&b"admin-user"[..])
    );
    assert_eq!(m.property("X-Role").map(|v| &v[..]), Some(&b"root"[..]));
    assert_eq!(m.property("X-Mine").map(|v| &v[..]), Some(&b"kept"[..]));
    assert_eq!(m.property("Socket-Type").map(|v| &v[..]), Some(&b"REQ"[..]));
    let peer = pair.server.peer().unwrap();
    assert_eq!(
        peer.metadata.get("user-id").map(|v| &v[..]),
        Some(&b"admin-user"[..])
    );
}

/// RFC 27 with libzmq's behaviour: a bad password gets ERROR "400" in
/// place of WELCOME (G-P2); no application data crosses.
#[test]
fn bad_password_gets_error_400() {
    let (client, server) = configs("admin", "wrong", users());
    let mut pair = Pair::new(client, server).unwrap();
    pair.client
        .send_message(Message::from(&b"data"[..]))
        .unwrap();
    pair.drive();
    assert_eq!(
        failure(&pair.client_events),
        Some(&ConnectionError::ErrorReceived(Bytes::from_static(b"400")))
    );
    assert_eq!(names(&pair.to_client), [&b"ERROR"[..]]);
    assert_eq!(names(&pair.to_server), [&b"HELLO"[..]]);
    assert_eq!(messages(&pair.server_events), 0);
}

/// zmtp-wire.md 6.2 #12: status 300 closes without ERROR.
#[test]
fn temporary_failure_closes_without_error() {
    let (client, server) = configs("later", "x", users());
    let mut pair = Pair::new(client, server).unwrap();
    pair.drive();
    assert!(pair.server.is_closed());
    assert!(names(&pair.to_client).is_empty());
    assert!(matches!(
        failure(&pair.server_events),
        Some(ConnectionError::Peer(PeerError::Security(
            SecurityError::Refused {
                status: StatusCode::TemporaryFailure,
                ..
            }
        )))
    ));
}

/// A PLAIN server without an authenticator refuses everyone, as libzmq's
/// does without a ZAP handler.
#[test]
fn no_authenticator_refuses() {
    let (client, server) = configs("admin", "secret", Zap::default());
    let mut pair = Pair::new(client, server).unwrap();
    pair.drive();
    assert_eq!(
        failure(&pair.client_events),
        Some(&ConnectionError::ErrorReceived(Bytes::from_static(b"500")))
    );
}

/// G-P2, G-P4: the client refuses a WELCOME with a body, and a READY
/// before WELCOME.
#[test]
fn client_refuses_bad_welcome_and_order_g_p4() {
    let ctx_md = Metadata::new();
    let ctx = HandshakeContext {
        side: Side::Client,
        metadata: &ctx_md,
    };
    let plain = Plain::client("u", "p").unwrap();
    let mut session = plain.start(Side::Client, &Behaviour::default(), &mut TestRng::new(0));
    let mut out = Vec::new();
    session.begin(&ctx, &mut out);
    assert_eq!(out.len(), 1);
    let welcome = Command::Mechanism {
        name: MechanismCommand::Welcome,
        body: Bytes::from_static(b"x"),
    };
    assert!(session.handle(welcome, &ctx, &mut Vec::new()).is_err());

    let mut session = plain.start(Side::Client, &Behaviour::default(), &mut TestRng::new(0));
    session.begin(&ctx, &mut Vec::new());
    let early = session.handle(Command::Ready(Metadata::new()), &ctx, &mut Vec::new());
    assert!(matches!(
        early,
        Err(ConnectionError::Peer(PeerError::UnexpectedDuringHandshake(
            "READY"
        )))
    ));
}

/// G-P2: the server refuses INITIATE before HELLO, and a malformed HELLO.
#[test]
fn server_refuses_bad_order_and_layout_g_p2() {
    let md = Metadata::new();
    let ctx = HandshakeContext {
        side: Side::Server,
        metadata: &md,
    };
    let plain = Plain::server(users());
    let mut session = plain.start(Side::Server, &Behaviour::default(), &mut TestRng::new(0));
    let initiate = Command::Mechanism {
        name: MechanismCommand::Initiate,
        body: Bytes::new(),
    };
    assert!(session.handle(initiate, &ctx, &mut Vec::new()).is_err());
    let mut session = plain.start(Side::Server, &Behaviour::default(), &mut TestRng::new(0));
    let hello = Command::Mechanism {
        name: MechanismCommand::Hello,
        body: Bytes::from_static(b"\x09admin"),
    };
    let mut out = Vec::new();
    let result = session.handle(hello, &ctx, &mut out);
    assert!(matches!(
        result,
        Err(ConnectionError::Peer(PeerError::Malformed(_)))
    ));
    assert!(out.is_empty());
}

/// 37-R61: PLAIN never downgrades to a ZMTP 1.0 peer.
#[test]
fn plain_refuses_a_zmtp_1_peer_37_r61() {
    let (client, _) = configs("admin", "secret", users());
    let now = std::time::Instant::now();
    let mut conn =
        crate::connection::Connection::new(client, Side::Client, now, TestRng::new(0)).unwrap();
    // A 1.0 peer: identity frame header (length 1, flags 0).
    conn.handle_bytes(now, &[0x01, 0x00]);
    assert!(conn.is_closed());
}

/// libzmq 4.3.5's PLAIN server sends its ZAP refusal as
/// `04 09 5E "RROR" 03 "400"` (observed on the wire); the client machine
/// reads it as ERROR "400" rather than a malformed command.
#[test]
fn libzmq_malformed_plain_error_is_read_as_error() {
    let body = Bytes::from_static(b"\x5ERROR\x03400");
    assert_eq!(libzmq_error_reason(&body), Some(Bytes::from_static(b"400")));
    assert_eq!(
        libzmq_error_reason(&Bytes::from_static(b"\x5ERROR\x04400")),
        None
    );
    assert_eq!(
        libzmq_error_reason(&Bytes::from_static(b"\x05ERROR\x03400")),
        None
    );

    let (client, _) = configs("admin", "wrong", users());
    let now = std::time::Instant::now();
    let mut conn =
        crate::connection::Connection::new(client, Side::Client, now, TestRng::new(0)).unwrap();
    let mut peer = Greeting::new(wire::Mechanism::PLAIN, true)
        .to_bytes()
        .to_vec();
    peer.extend_from_slice(b"\x04\x09\x5ERROR\x03400");
    conn.handle_bytes(now, &peer);
    let events: Vec<_> = core::iter::from_fn(|| conn.poll_event()).collect();
    assert_eq!(
        failure(&events),
        Some(&ConnectionError::ErrorReceived(Bytes::from_static(b"400")))
    );
}

/// RFC 27 with an external handler (libzmq's inproc REP): the server
/// pauses after HELLO until the driver passes the handler's reply.
#[test]
fn external_zap_handler_pauses_the_handshake() {
    for accept in [true, false] {
        let (client, server) = configs("admin", "secret", Zap::external());
        let mut pair = Pair::new(client, server).unwrap();
        pair.drive();
        assert!(!pair.is_active());
        assert_eq!(
            names(&pair.to_client),
            Vec::<Vec<u8>>::new(),
            "no WELCOME yet"
        );
        let request = pair.server.poll_zap_request().expect("a ZAP request");
        assert!(pair.server.poll_zap_request().is_none(), "taken once");
        assert_eq!(&request.mechanism[..], b"PLAIN");
        assert_eq!(request.credentials, [&b"admin"[..], &b"secret"[..]]);
        let reply = if accept {
            request.accept("admin")
        } else {
            request.refuse(StatusCode::AuthenticationFailure, "no")
        };
        pair.server.handle_zap_reply(pair.now, reply);
        pair.drive();
        if accept {
            assert!(pair.is_active());
            let peer = pair.server.peer().unwrap();
            assert_eq!(
                peer.metadata.get("User-Id").map(|v| &v[..]),
                Some(&b"admin"[..])
            );
        } else {
            assert_eq!(
                failure(&pair.client_events),
                Some(&ConnectionError::ErrorReceived(Bytes::from_static(b"400")))
            );
        }
    }
}

/// libzmq 4.3.5's PLAIN HELLO (spec/tests/golden/hello-plain.bin) parses
/// and re-encodes to the same octets (G-P3).
#[test]
fn libzmq_golden_hello_g_p3() {
    let frame = include_bytes!("../../../tests/golden/hello-plain.bin");
    let body = Bytes::from_static(&frame[2..]);
    let data = body.slice(6..);
    assert_eq!(&body[..6], b"\x05HELLO");
    let hello = Hello::parse(&data).unwrap();
    assert_eq!(&hello.username[..], b"admin");
    assert_eq!(&hello.password[..], b"secret");
    assert_eq!(hello.encode(), data);
}
