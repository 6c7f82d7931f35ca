//! The draft thread-safe socket types of RFCs 49, 51 and 52 between our
//! own sockets over tcp, ipc and inproc: SCATTER/GATHER, PEER (with
//! `connect_peer`) and CHANNEL, and their refusals of multipart messages.

#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use raw::bounded::Within;

use zmtp::error::{InvalidMessage, InvalidState};
use zmtp::{Bytes, Context, Error, Message, SocketType, opt};

fn endpoint(transport: &str, name: &str) -> String {
    match transport {
        "tcp" => "tcp://127.0.0.1:*".to_owned(),
        "ipc" => "ipc://*".to_owned(),
        _ => format!("inproc://draft-more-{name}-{}", std::process::id()),
    }
}

fn two(a: &'static str, b: &'static str) -> Message {
    Message::from_frames([
        Bytes::from_static(a.as_bytes()),
        Bytes::from_static(b.as_bytes()),
    ])
}

#[tokio::test]
async fn scatter_round_robins_to_gathers_every_transport_49_r11() {
    for t in ["tcp", "ipc", "inproc"] {
        let ctx = Context::new().expect("context");
        // SCATTER connects to both: with IMMEDIATE off each connect's
        // queue exists at once (49-R06), so the rotation covers both.
        let g1 = ctx.socket(SocketType::Gather).expect("gather");
        let g2 = ctx.socket(SocketType::Gather).expect("gather");
        g1.bind(&endpoint(t, "sg1")).expect("bind");
        g2.bind(&endpoint(t, "sg2")).expect("bind");
        let scatter = ctx.socket(SocketType::Scatter).expect("scatter");
        scatter.connect(&g1.last_endpoint()).expect("connect");
        scatter.connect(&g2.last_endpoint()).expect("connect");
        for m in ["a", "b", "c", "d"] {
            scatter.send(m).within("send").await.expect("send");
        }
        let mut got = Vec::new();
        for g in [&g1, &g2] {
            for _ in 0..2 {
                let m = g.recv().within("recv").await.expect("recv");
                assert_eq!(m.len(), 1, "{t}");
                got.push(m.frames()[0].clone());
            }
        }
        got.sort();
        assert_eq!(
            got,
            [b"a", b"b", b"c", b"d"].map(|m| Bytes::from_static(m)),
            "{t}"
        );
        assert!(matches!(
            scatter.send(two("x", "y")).within("send").await,
            Err(Error::InvalidMessage(InvalidMessage::Multipart))
        ));
        assert!(matches!(
            g1.send("x").within("send").await,
            Err(Error::InvalidState(_))
        ));
    }
}

#[tokio::test]
async fn connect_peer_names_the_peer_at_once_every_transport_51_r09() {
    for t in ["tcp", "ipc", "inproc"] {
        let ctx = Context::new().expect("context");
        let bound = ctx.socket(SocketType::Peer).expect("peer");
        bound.bind(&endpoint(t, "p2p")).expect("bind");
        let a = ctx.socket(SocketType::Peer).expect("peer");
        let id = a
            .connect_peer(&bound.last_endpoint())
            .expect("connect_peer");
        assert_ne!(id, 0, "{t}: 51-R08");
        // The id routes before the connection is up (51-R05).
        a.send_to(id, "hello")
            .within("send")
            .await
            .expect("send_to");
        let (back, m) = bound.recv_from().within("recv").await.expect("recv");
        assert_eq!(m.frames()[0].as_ref(), b"hello", "{t}");
        bound
            .send_to(back, "world")
            .within("send")
            .await
            .expect("send");
        let (from, m) = a.recv_from().within("recv").await.expect("recv");
        assert_eq!((from, m.frames()[0].as_ref()), (id, &b"world"[..]), "{t}");
        assert!(matches!(
            a.send_to(id.wrapping_add(1), "x").within("send").await,
            Err(Error::HostUnreachable)
        ));
        assert!(matches!(
            a.send_to(id, two("x", "y")).within("send").await,
            Err(Error::InvalidMessage(InvalidMessage::Multipart))
        ));
    }
}

#[tokio::test]
async fn connect_peer_is_for_peer_sockets_without_immediate() {
    let ctx = Context::new().expect("context");
    let dealer = ctx.socket(SocketType::Dealer).expect("dealer");
    assert!(matches!(
        dealer.connect_peer("tcp://127.0.0.1:1"),
        Err(Error::InvalidState(InvalidState::WrongSocketType { .. }))
    ));
    let peer = ctx.socket(SocketType::Peer).expect("peer");
    peer.set(opt::Immediate, true).expect("IMMEDIATE");
    assert!(matches!(
        peer.connect_peer("tcp://127.0.0.1:1"),
        Err(Error::InvalidState(InvalidState::ConnectPeerImmediate))
    ));
}

#[tokio::test]
async fn channel_pairs_single_part_every_transport_52() {
    for t in ["tcp", "ipc", "inproc"] {
        let ctx = Context::new().expect("context");
        let x = ctx.socket(SocketType::Channel).expect("channel");
        x.bind(&endpoint(t, "ch")).expect("bind");
        let y = ctx.socket(SocketType::Channel).expect("channel");
        y.connect(&x.last_endpoint()).expect("connect");
        y.send("ping").within("send").await.expect("send");
        let m = x.recv().within("recv").await.expect("recv");
        assert_eq!(m.frames()[0].as_ref(), b"ping", "{t}");
        x.send("pong").within("send").await.expect("send");
        let m = y.recv().within("recv").await.expect("recv");
        assert_eq!(m.frames()[0].as_ref(), b"pong", "{t}");
        assert!(matches!(
            x.send(two("x", "y")).within("send").await,
            Err(Error::InvalidMessage(InvalidMessage::Multipart))
        ));
    }
}
