//! The draft thread-safe socket types between our own sockets over tcp,
//! ipc and inproc, and against a raw peer: CLIENT/SERVER (RFC 41),
//! RADIO/DISH (RFC 48).

#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use raw::bounded::Within;
use std::time::Duration;

use zmtp::error::{InvalidMessage, InvalidOption, InvalidState};
use zmtp::{Bytes, Context, Error, Message, SocketType};

fn endpoint(transport: &str, name: &str) -> String {
    match transport {
        "tcp" => "tcp://127.0.0.1:*".to_owned(),
        "ipc" => "ipc://*".to_owned(),
        _ => format!("inproc://draft-{name}-{}", std::process::id()),
    }
}

fn two(a: &'static str, b: &'static str) -> Message {
    Message::from_frames([
        Bytes::from_static(a.as_bytes()),
        Bytes::from_static(b.as_bytes()),
    ])
}

#[tokio::test]
async fn client_server_request_reply_every_transport() {
    for t in ["tcp", "ipc", "inproc"] {
        let ctx = Context::new().expect("context");
        let server = ctx.socket(SocketType::Server).expect("server");
        server.bind(&endpoint(t, "cs")).expect("bind");
        let c1 = ctx.socket(SocketType::Client).expect("client");
        let c2 = ctx.socket(SocketType::Client).expect("client");
        c1.connect(&server.last_endpoint()).expect("connect");
        c2.connect(&server.last_endpoint()).expect("connect");
        c1.send("one").within("send").await.expect("send");
        c2.send("two").within("send").await.expect("send");
        let mut ids = Vec::new();
        for _ in 0..2 {
            let (id, m) = server.recv_from().within("recv").await.expect("recv_from");
            assert_eq!(m.len(), 1, "{t}");
            ids.push((m.frames()[0].clone(), id));
        }
        ids.sort();
        let (one, two_) = (ids[0].1, ids[1].1);
        assert_ne!(one, two_, "{t}: each client has its own routing id");
        assert!(one != 0 && two_ != 0, "{t}");
        // Each reply reaches the client it is addressed to only.
        server
            .send_to(two_, "for two")
            .within("send")
            .await
            .expect("send_to");
        server
            .send_to(one, "for one")
            .within("send")
            .await
            .expect("send_to");
        assert_eq!(
            c1.recv().within("recv").await.expect("c1"),
            Message::from("for one"),
            "{t}"
        );
        assert_eq!(
            c2.recv().within("recv").await.expect("c2"),
            Message::from("for two"),
            "{t}"
        );
        assert!(matches!(c1.try_recv(), Err(Error::WouldBlock)), "{t}");
    }
}

#[tokio::test]
async fn client_refuses_multipart_37_r56() {
    let ctx = Context::new().expect("context");
    let server = ctx.socket(SocketType::Server).expect("server");
    server.bind("tcp://127.0.0.1:*").expect("bind");
    let client = ctx.socket(SocketType::Client).expect("client");
    client.connect(&server.last_endpoint()).expect("connect");
    assert!(matches!(
        client.send(two("a", "b")).within("send").await,
        Err(Error::InvalidMessage(InvalidMessage::Multipart))
    ));
    client.send("single").within("send").await.expect("send");
    let (id, m) = server.recv_from().within("recv").await.expect("recv");
    assert_eq!(m, Message::from("single"), "the refused message never left");
    assert!(matches!(
        server.send_to(id, two("x", "y")).within("send").await,
        Err(Error::InvalidMessage(_))
    ));
}

#[tokio::test]
async fn server_reports_unknown_routing_ids() {
    let ctx = Context::new().expect("context");
    let server = ctx.socket(SocketType::Server).expect("server");
    server.bind("tcp://127.0.0.1:*").expect("bind");
    assert!(matches!(
        server.send_to(12345, "x").within("send").await,
        Err(Error::HostUnreachable)
    ));
    let client = ctx.socket(SocketType::Client).expect("client");
    assert!(matches!(
        client.send_to(1, "x").within("send").await,
        Err(Error::InvalidState(InvalidState::WrongSocketType {
            call: "send_to",
            socket_type: SocketType::Server,
        }))
    ));
}

#[tokio::test]
async fn server_drops_multipart_from_the_wire_37_r57() {
    let peer = raw::RawPeer::listen().await;
    let ctx = Context::new().expect("context");
    let server = ctx.socket(SocketType::Server).expect("server");
    server.connect(&peer.endpoint()).expect("connect");
    let mut raw = peer.accept().await;
    raw.handshake(b"CLIENT").await;
    // [part](MORE) [two] then [single].
    raw.send(&[0x01, 4, b'p', b'a', b'r', b't', 0x00, 3, b't', b'w', b'o'])
        .await;
    raw.send(&[0x00, 6, b's', b'i', b'n', b'g', b'l', b'e'])
        .await;
    let (id, m) = tokio::time::timeout(Duration::from_secs(5), server.recv_from())
        .await
        .expect("in time")
        .expect("recv");
    assert_eq!(m, Message::from("single"));
    // The reply goes back as one frame.
    server
        .send_to(id, "back")
        .within("send")
        .await
        .expect("send_to");
    let (flags, body) = raw.frame().await.expect("reply frame");
    assert_eq!((flags, &body[..]), (0x00, &b"back"[..]));
}

// ----- RADIO/DISH (RFC 48) ---------------------------------------------------

/// Waits until the RADIO has `dish`'s JOIN for `group`: a JOIN reaches it
/// some time after `join` returns, and RADIO drops what nobody joined. It
/// sends to the group until one message arrives, then sends a marker and
/// receives up to it, so no earlier message is left in flight.
async fn sync(radio: &zmtp::Socket, dish: &zmtp::Socket, group: &'static str) {
    let mut through = false;
    for _ in 0..3000 {
        radio.send_group(group, "ping").expect("send_group");
        if let Ok(got) = tokio::time::timeout(Duration::from_millis(10), dish.recv_group()).await {
            got.expect("recv_group");
            through = true;
            break;
        }
    }
    assert!(through, "the dish never received group {group}");
    radio.send_group(group, "marker").expect("send_group");
    loop {
        let (g, m) = dish.recv_group().within("recv").await.expect("recv_group");
        assert_eq!(&g[..], group.as_bytes());
        if m == Message::from("marker") {
            return;
        }
    }
}

#[tokio::test]
async fn radio_dish_groups_every_transport_37_r52_r53() {
    for t in ["tcp", "ipc", "inproc"] {
        let ctx = Context::new().expect("context");
        let radio = ctx.socket(SocketType::Radio).expect("radio");
        radio.bind(&endpoint(t, "rd")).expect("bind");
        let dish = ctx.socket(SocketType::Dish).expect("dish");
        // Joined before connecting: the JOIN goes out once attached.
        dish.join("g").expect("join");
        dish.connect(&radio.last_endpoint()).expect("connect");
        sync(&radio, &dish, "g").await;
        radio.send_group("h", "not joined").expect("send");
        radio.send_group("g", "mine").expect("send");
        let (g, m) = dish.recv_group().within("recv").await.expect("recv");
        assert_eq!((&g[..], m), (&b"g"[..], Message::from("mine")), "{t}");
        // Joined after connecting.
        dish.join("h").expect("join");
        sync(&radio, &dish, "h").await;
        // After LEAVE only h arrives.
        dish.leave("g").expect("leave");
        radio.send_group("g", "left").expect("send");
        radio.send_group("h", "still").expect("send");
        let (g, m) = dish.recv_group().within("recv").await.expect("recv");
        assert_eq!((&g[..], m), (&b"h"[..], Message::from("still")), "{t}");
        // The plain calls see [group, body].
        radio
            .send(two("h", "plain"))
            .within("send")
            .await
            .expect("send");
        assert_eq!(
            dish.recv().within("recv").await.expect("recv"),
            two("h", "plain"),
            "{t}"
        );
    }
}

#[tokio::test]
async fn radio_and_dish_refuse_what_rfc_48_forbids() {
    let ctx = Context::new().expect("context");
    let radio = ctx.socket(SocketType::Radio).expect("radio");
    let dish = ctx.socket(SocketType::Dish).expect("dish");
    assert!(matches!(
        radio.send_group("g", two("a", "b")),
        Err(Error::InvalidMessage(_))
    ));
    let long = Bytes::from(vec![b'x'; 256]);
    assert!(matches!(
        radio.send_group(long.clone(), "x"),
        Err(Error::InvalidMessage(InvalidMessage::InvalidGroup))
    ));
    let refused = |r| matches!(r, Err(Error::InvalidOption { reason, .. }) if reason == InvalidOption::JoinRefused);
    assert!(refused(dish.join(long)));
    dish.join("g").expect("join");
    assert!(refused(dish.join("g")));
    assert!(matches!(
        dish.leave("h"),
        Err(Error::InvalidOption {
            option: "ZMQ_LEAVE",
            reason: InvalidOption::NotJoined
        })
    ));
    assert!(matches!(
        radio.join("g"),
        Err(Error::InvalidOption {
            option: "ZMQ_JOIN",
            reason: InvalidOption::NotApplicable(SocketType::Radio)
        })
    ));
    assert!(matches!(
        dish.send("x").within("send").await,
        Err(Error::InvalidState(InvalidState::CannotSend(
            SocketType::Dish
        )))
    ));
    assert!(matches!(
        radio.try_recv(),
        Err(Error::InvalidState(InvalidState::CannotRecv(
            SocketType::Radio
        )))
    ));
}

#[tokio::test]
async fn dish_sends_join_and_leave_commands_37_r53_r54() {
    let peer = raw::RawPeer::listen().await;
    let ctx = Context::new().expect("context");
    let dish = ctx.socket(SocketType::Dish).expect("dish");
    dish.join("a").expect("join");
    dish.connect(&peer.endpoint()).expect("connect");
    let mut raw = peer.accept().await;
    raw.handshake(b"RADIO").await;
    dish.join("b").expect("join");
    dish.leave("a").expect("leave");
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let (flags, body) = raw.frame().await.expect("frame");
        assert_eq!(flags, 0x04, "a command");
        seen.push(body);
    }
    assert_eq!(seen, [&b"\x04JOINa"[..], b"\x04JOINb", b"\x05LEAVEa"]);
    // A message of a joined group arrives as [group] + [body].
    raw.send(&[0x01, 1, b'b', 0x00, 2, b'h', b'i']).await;
    raw.send(&[0x01, 1, b'a', 0x00, 2, b'n', b'o']).await;
    raw.send(&[0x01, 1, b'b', 0x00, 3, b'y', b'e', b's']).await;
    let (g, m) = dish.recv_group().within("recv").await.expect("recv");
    assert_eq!((&g[..], m), (&b"b"[..], Message::from("hi")));
    let (g, m) = dish.recv_group().within("recv").await.expect("recv");
    assert_eq!(
        (&g[..], m),
        (&b"b"[..], Message::from("yes")),
        "group a was left"
    );
}
