//! The draft thread-safe socket types between our own sockets over tcp,
//! ipc and inproc, and against a raw peer: CLIENT/SERVER (RFC 41).

#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use std::time::Duration;

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
        c1.send("one").await.expect("send");
        c2.send("two").await.expect("send");
        let mut ids = Vec::new();
        for _ in 0..2 {
            let (id, m) = server.recv_from().await.expect("recv_from");
            assert_eq!(m.len(), 1, "{t}");
            ids.push((m.frames()[0].clone(), id));
        }
        ids.sort();
        let (one, two_) = (ids[0].1, ids[1].1);
        assert_ne!(one, two_, "{t}: each client has its own routing id");
        assert!(one != 0 && two_ != 0, "{t}");
        // Each reply reaches the client it is addressed to only.
        server.send_to(two_, "for two").await.expect("send_to");
        server.send_to(one, "for one").await.expect("send_to");
        assert_eq!(
            c1.recv().await.expect("c1"),
            Message::from("for one"),
            "{t}"
        );
        assert_eq!(
            c2.recv().await.expect("c2"),
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
        client.send(two("a", "b")).await,
        Err(Error::InvalidMessage(_))
    ));
    client.send("single").await.expect("send");
    let (id, m) = server.recv_from().await.expect("recv");
    assert_eq!(m, Message::from("single"), "the refused message never left");
    assert!(matches!(
        server.send_to(id, two("x", "y")).await,
        Err(Error::InvalidMessage(_))
    ));
}

#[tokio::test]
async fn server_reports_unknown_routing_ids() {
    let ctx = Context::new().expect("context");
    let server = ctx.socket(SocketType::Server).expect("server");
    server.bind("tcp://127.0.0.1:*").expect("bind");
    assert!(matches!(
        server.send_to(12345, "x").await,
        Err(Error::HostUnreachable)
    ));
    let client = ctx.socket(SocketType::Client).expect("client");
    assert!(matches!(
        client.send_to(1, "x").await,
        Err(Error::InvalidState(_))
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
    server.send_to(id, "back").await.expect("send_to");
    let (flags, body) = raw.frame().await.expect("reply frame");
    assert_eq!((flags, &body[..]), (0x00, &b"back"[..]));
}
