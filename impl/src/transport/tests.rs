//! Messages with frames on both sides of the large-frame threshold cross
//! tcp and ipc intact and in order, with NULL and with CURVE (whose
//! frames are boxed, so its path copies): the receive side reads bodies
//! straight into their buffers, the send side queues large bodies as
//! chunks of a vectored write.

use std::time::Duration;

use bytes::Bytes;
use zmtp_spec::connection::LARGE_FRAME;

use crate::{Context, Message, Socket, SocketType, opt};

/// Frame sizes around every threshold: the short/long size encoding, the
/// large-frame threshold, the decoder's one-allocation limit (64 KiB) and
/// beyond it (geometric growth).
fn messages() -> Vec<Message> {
    let sizes = [
        0,
        1,
        255,
        256,
        LARGE_FRAME - 1,
        LARGE_FRAME,
        65_535,
        65_536,
        65_537,
        300_000,
    ];
    let mut all: Vec<Message> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| Message::from(vec![i as u8 + 1; n]))
        .collect();
    all.push(Message::from_frames([
        Bytes::from(vec![b'a'; 65_536]),
        Bytes::from_static(b"small"),
        Bytes::from(vec![b'b'; 100_000]),
        Bytes::new(),
    ]));
    all
}

fn wildcard(transport: &str) -> &'static str {
    if transport == "tcp" {
        "tcp://127.0.0.1:*"
    } else {
        "ipc://*"
    }
}

fn curve(pull: &Socket, push: &Socket) {
    let server = crate::curve_keypair();
    let client = crate::curve_keypair();
    pull.set(opt::CurveServer, true).expect("option");
    pull.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&server.secret().to_bytes()[..]),
    )
    .expect("option");
    push.set(
        opt::CurveServerKey,
        Bytes::copy_from_slice(server.public().as_bytes()),
    )
    .expect("option");
    push.set(
        opt::CurvePublicKey,
        Bytes::copy_from_slice(client.public().as_bytes()),
    )
    .expect("option");
    push.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&client.secret().to_bytes()[..]),
    )
    .expect("option");
}

async fn round_trip(transport: &str, with_curve: bool) {
    let ctx = Context::new().expect("context");
    let pull = ctx.socket(SocketType::Pull).expect("socket");
    let push = ctx.socket(SocketType::Push).expect("socket");
    if with_curve {
        curve(&pull, &push);
    }
    pull.bind(wildcard(transport)).expect("bind");
    push.connect(&pull.last_endpoint()).expect("connect");
    let sent = messages();
    // Several rounds, sent before any is received: writes batch many
    // messages and reads end anywhere in them.
    let rounds = 8;
    let sender = {
        let sent = sent.clone();
        async move {
            for _ in 0..rounds {
                for m in &sent {
                    push.send(m.clone()).await.expect("send");
                }
            }
            push
        }
    };
    let receiver = async {
        let mut got = Vec::new();
        for _ in 0..rounds * sent.len() {
            got.push(pull.recv().await.expect("recv"));
        }
        got
    };
    let (push, got) = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::join!(sender, receiver)
    })
    .await
    .expect("all messages within a minute");
    drop(push);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(
            m,
            &sent[i % sent.len()],
            "{transport} curve={with_curve}: message {i} differs"
        );
    }
}

#[tokio::test]
async fn large_and_small_frames_cross_tcp_and_ipc_in_order() {
    for transport in ["tcp", "ipc"] {
        round_trip(transport, false).await;
    }
}

#[tokio::test]
async fn large_frames_cross_curve_wrapped() {
    for transport in ["tcp", "ipc"] {
        round_trip(transport, true).await;
    }
}
