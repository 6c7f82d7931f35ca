//! Interoperability with libzmq 4.3.5 through pyzmq: every valid socket
//! type pair of RFC 37's table (zmtp-wire.md 5), our socket on either
//! side, we bind or we connect, over tcp and ipc.
//!
//! The peer is `peer.py`, run by `$ZMTP_PYTHON` or
//! `<repo>/target/peers/pyzmq/bin/python` (made by `.ci/setup-pyzmq`).
//! Without it each test prints why and passes, unless
//! `ZMTP_REQUIRE_PEERS=1`, which makes a missing peer a failure.

#[path = "../common/bounded.rs"]
#[allow(dead_code)]
mod bounded;
#[path = "../common/child.rs"]
#[allow(dead_code)]
mod child;

mod peer;

#[path = "../common/endpoints.rs"]
mod endpoints;
mod security;
mod stream;

use bounded::{Within, event_where, within};
use std::time::Duration;

use peer::Peer;
use zmtp::{Bytes, Context, Message, Socket, SocketType, opt};

fn frames(m: &Message) -> Vec<String> {
    m.iter()
        .map(|f| f.iter().map(|&b| b as char).collect())
        .collect()
}

fn msg(frames: &[&str]) -> Message {
    frames
        .iter()
        .map(|f| Bytes::copy_from_slice(f.as_bytes()))
        .collect()
}

/// Our socket and the peer, connected one way or the other.
async fn setup(
    ours: SocketType,
    theirs: SocketType,
    we_bind: bool,
    transport: &str,
) -> Option<(Context, Socket, Peer)> {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(ours).expect("socket");
    s.set(opt::Linger, Some(Duration::from_secs(2)))
        .expect("linger");
    let wildcard = if transport == "tcp" {
        "tcp://127.0.0.1:*"
    } else {
        "ipc://*"
    };
    let peer = if we_bind {
        s.bind(wildcard).expect("bind");
        Peer::start(theirs, "connect", &s.last_endpoint(), &[]).await?
    } else {
        let peer = Peer::start(theirs, "bind", wildcard, &[]).await?;
        s.connect(&peer.endpoint).expect("connect");
        peer
    };
    Some((ctx, s, peer))
}

/// Every orientation of one pair: both roles, both binders, tcp and ipc.
async fn each_orientation<F, Fut>(a: SocketType, b: SocketType, run: F)
where
    F: Fn(Socket, Peer, SocketType, SocketType) -> Fut,
    Fut: Future<Output = ()>,
{
    for (ours, theirs) in [(a, b), (b, a)] {
        for we_bind in [true, false] {
            for transport in ["tcp", "ipc"] {
                let Some((_ctx, s, peer)) = setup(ours, theirs, we_bind, transport).await else {
                    return;
                };
                eprintln!(
                    "{ours:?} (ours) <-> {theirs:?} (libzmq), we bind: {we_bind}, {transport}"
                );
                run(s, peer, ours, theirs).await;
            }
        }
    }
}

/// Request-reply: the client (REQ or DEALER) sends, the server (REP,
/// ROUTER or DEALER) echoes, the client checks the reply.
async fn request_reply(s: Socket, mut peer: Peer, ours: SocketType, theirs: SocketType) {
    let ours_is_client = matches!(
        (ours, theirs),
        (SocketType::Req, _)
            | (
                SocketType::Dealer,
                SocketType::Rep | SocketType::Router | SocketType::Dealer
            )
    );
    let (client, server) = if ours_is_client {
        (ours, theirs)
    } else {
        (theirs, ours)
    };
    let request: Vec<&str> = if client == SocketType::Dealer && server == SocketType::Rep {
        vec!["", "hello", "world"]
    } else {
        vec!["hello", "world"]
    };
    if ours_is_client {
        // The DEALER<->DEALER echo needs the peer ready to echo first.
        peer.command_nowait(r#"{"op":"echo"}"#).await;
        s.send(msg(&request)).within("send").await.expect("send");
        let reply = s.recv().within("recv").await.expect("recv");
        assert_eq!(frames(&reply), request);
        peer.expect_ok().await;
    } else {
        peer.command_nowait(&format!(r#"{{"op":"send","frames":{}}}"#, json(&request)))
            .await;
        peer.expect_ok().await;
        let got = s.recv().within("recv").await.expect("recv");
        // ROUTER sees the routing id first; REP strips the envelope.
        let body: Vec<String> = frames(&got);
        assert!(body.ends_with(
            &request.iter().map(|s| s.to_string()).collect::<Vec<_>>()
                [request.len().saturating_sub(2)..]
        ));
        s.send(got).within("send").await.expect("echo");
        let reply = peer.command(r#"{"op":"recv"}"#).await;
        assert_eq!(reply, request);
    }
    peer.exit().await;
}

fn json(frames: &[&str]) -> String {
    let quoted: Vec<String> = frames.iter().map(|f| format!("{f:?}")).collect();
    format!("[{}]", quoted.join(","))
}

/// Publish-subscribe: the subscriber subscribes to "t"; the publisher
/// publishes "t" and "u" messages until the subscriber has one, which must
/// be a "t" (37-R45, 37-R48).
async fn publish_subscribe(s: Socket, mut peer: Peer, ours: SocketType, _theirs: SocketType) {
    let ours_publishes = matches!(ours, SocketType::Pub | SocketType::XPub);
    if ours_publishes {
        peer.command_ok(r#"{"op":"subscribe","topic":"t"}"#).await;
        peer.command_nowait(r#"{"op":"recv"}"#).await;
        let s = std::sync::Arc::new(s);
        let publisher = {
            let s = s.clone();
            tokio::spawn(async move {
                loop {
                    s.send(msg(&["u", "skip"]))
                        .within("send")
                        .await
                        .expect("send");
                    s.send(msg(&["t", "keep"]))
                        .within("send")
                        .await
                        .expect("send");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        };
        let got = peer.read_frames().await;
        publisher.abort();
        assert_eq!(got, vec!["t", "keep"]);
        if ours == SocketType::XPub {
            // XPUB hands the subscription to the application.
            let sub = s.recv().within("recv").await.expect("subscription");
            assert_eq!(sub.frames()[0].as_ref(), b"\x01t");
        }
    } else {
        if ours == SocketType::XSub {
            s.send(Bytes::from_static(b"\x01t"))
                .within("send")
                .await
                .expect("subscribe");
        } else {
            s.subscribe("t").expect("subscribe");
        }
        peer.command_nowait(r#"{"op":"publish_until_line","each":[["u","skip"],["t","keep"]]}"#)
            .await;
        let got = s.recv().within("recv").await.expect("recv");
        assert_eq!(frames(&got), vec!["t", "keep"]);
        peer.command_ok("{}").await;
    }
    peer.exit().await;
}

/// Pipeline: three multipart messages arrive whole and in order.
async fn pipeline(s: Socket, mut peer: Peer, ours: SocketType, _theirs: SocketType) {
    let sent = [vec!["1", "a"], vec!["2"], vec!["3", "", "c"]];
    if ours == SocketType::Push {
        for m in &sent {
            s.send(msg(m)).within("send").await.expect("send");
        }
        for m in &sent {
            assert_eq!(&peer.command(r#"{"op":"recv"}"#).await, m);
        }
    } else {
        for m in &sent {
            peer.command_ok(&format!(r#"{{"op":"send","frames":{}}}"#, json(m)))
                .await;
        }
        for m in &sent {
            assert_eq!(&frames(&s.recv().within("recv").await.expect("recv")), m);
        }
    }
    peer.exit().await;
}

/// PAIR: a message each way.
async fn pair(s: Socket, mut peer: Peer, _ours: SocketType, _theirs: SocketType) {
    s.send(msg(&["ping", "1"]))
        .within("send")
        .await
        .expect("send");
    assert_eq!(peer.command(r#"{"op":"recv"}"#).await, vec!["ping", "1"]);
    peer.command_ok(r#"{"op":"send","frames":["pong"]}"#).await;
    assert_eq!(
        frames(&s.recv().within("recv").await.expect("recv")),
        vec!["pong"]
    );
    peer.exit().await;
}

#[tokio::test]
async fn req_rep() {
    each_orientation(SocketType::Req, SocketType::Rep, request_reply).await;
}

#[tokio::test]
async fn req_router() {
    each_orientation(SocketType::Req, SocketType::Router, request_reply).await;
}

#[tokio::test]
async fn dealer_rep() {
    each_orientation(SocketType::Dealer, SocketType::Rep, request_reply).await;
}

#[tokio::test]
async fn dealer_router() {
    each_orientation(SocketType::Dealer, SocketType::Router, request_reply).await;
}

#[tokio::test]
async fn dealer_dealer() {
    for we_bind in [true, false] {
        for transport in ["tcp", "ipc"] {
            let Some((_ctx, s, peer)) =
                setup(SocketType::Dealer, SocketType::Dealer, we_bind, transport).await
            else {
                return;
            };
            request_reply(s, peer, SocketType::Dealer, SocketType::Dealer).await;
        }
    }
}

#[tokio::test]
async fn pub_sub() {
    each_orientation(SocketType::Pub, SocketType::Sub, publish_subscribe).await;
}

#[tokio::test]
async fn pub_xsub() {
    each_orientation(SocketType::Pub, SocketType::XSub, publish_subscribe).await;
}

#[tokio::test]
async fn xpub_sub() {
    each_orientation(SocketType::XPub, SocketType::Sub, publish_subscribe).await;
}

#[tokio::test]
async fn xpub_xsub() {
    each_orientation(SocketType::XPub, SocketType::XSub, publish_subscribe).await;
}

#[tokio::test]
async fn push_pull() {
    each_orientation(SocketType::Push, SocketType::Pull, pipeline).await;
}

#[tokio::test]
async fn pair_pair() {
    for we_bind in [true, false] {
        for transport in ["tcp", "ipc"] {
            let Some((_ctx, s, peer)) =
                setup(SocketType::Pair, SocketType::Pair, we_bind, transport).await
            else {
                return;
            };
            pair(s, peer, SocketType::Pair, SocketType::Pair).await;
        }
    }
}

/// Our DEALER and libzmq's ROUTER both send heartbeats; after several
/// intervals the connection is still up and carries messages.
#[tokio::test]
async fn heartbeats_both_ways() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Dealer).expect("dealer");
    s.set(opt::HeartbeatIvl, Some(Duration::from_millis(20)))
        .expect("ivl");
    s.set(opt::HeartbeatTimeout, Some(Duration::from_millis(2000)))
        .expect("timeout");
    s.set(opt::HeartbeatTtl, Some(Duration::from_millis(3000)))
        .expect("ttl");
    let mut mon = s.monitor();
    let Some(mut peer) = Peer::start(
        SocketType::Router,
        "bind",
        "tcp://127.0.0.1:*",
        &[
            "HEARTBEAT_IVL=20",
            "HEARTBEAT_TIMEOUT=2000",
            "HEARTBEAT_TTL=3000",
        ],
    )
    .await
    else {
        return;
    };
    s.connect(&peer.endpoint).expect("connect");
    peer.command_nowait(r#"{"op":"echo"}"#).await;
    s.send("before").within("send").await.expect("send");
    assert_eq!(
        frames(&s.recv().within("recv").await.expect("echo")),
        vec!["before"]
    );
    peer.expect_ok().await;
    // Many heartbeat intervals pass with no other traffic.
    tokio::time::sleep(Duration::from_millis(400)).await;
    peer.command_nowait(r#"{"op":"echo"}"#).await;
    s.send("after").within("send").await.expect("send");
    assert_eq!(
        frames(&s.recv().within("recv").await.expect("echo")),
        vec!["after"]
    );
    peer.expect_ok().await;
    while let Some(e) = mon.try_next() {
        assert_ne!(e.kind, zmtp::MonitorEventKind::Disconnected, "{e:?}");
    }
    peer.exit().await;
}

/// The libzmq peer goes away and comes back on the same endpoint: what we
/// queued meanwhile reaches the new peer (and nothing is lost).
#[tokio::test]
async fn peer_restarted_gets_the_messages_queued_meanwhile() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Push).expect("push");
    s.set(opt::ReconnectIvl, Some(Duration::from_millis(20)))
        .expect("ivl");
    let mut mon = s.monitor();
    let Some(mut peer) = Peer::start(SocketType::Pull, "bind", "tcp://127.0.0.1:*", &[]).await
    else {
        return;
    };
    let ep = peer.endpoint.clone();
    s.connect(&ep).expect("connect");
    s.send("first").within("send").await.expect("send");
    assert_eq!(peer.command(r#"{"op":"recv"}"#).await, vec!["first"]);
    peer.exit().await;
    event_where(&mut mon, "the Disconnected event", |e| {
        e.kind == zmtp::MonitorEventKind::Disconnected
    })
    .await;
    for i in 0..5 {
        s.send(format!("queued{i}"))
            .within("send")
            .await
            .expect("queued while away");
    }
    let Some(mut peer) = Peer::start(SocketType::Pull, "bind", &ep, &[]).await else {
        return;
    };
    for i in 0..5 {
        assert_eq!(
            peer.command(r#"{"op":"recv"}"#).await,
            vec![format!("queued{i}")]
        );
    }
    peer.exit().await;
}

/// Our SUB's subscriptions are sent again to a restarted libzmq PUB.
#[tokio::test]
async fn subscriptions_are_resent_after_reconnect() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Sub).expect("sub");
    s.set(opt::ReconnectIvl, Some(Duration::from_millis(20)))
        .expect("ivl");
    s.subscribe("t").expect("subscribe");
    let mut mon = s.monitor();
    let Some(mut peer) = Peer::start(SocketType::Pub, "bind", "tcp://127.0.0.1:*", &[]).await
    else {
        return;
    };
    let ep = peer.endpoint.clone();
    s.connect(&ep).expect("connect");
    peer.command_nowait(r#"{"op":"publish_until_line","each":[["u","skip"],["t","one"]]}"#)
        .await;
    assert_eq!(
        frames(&s.recv().within("recv").await.expect("recv")),
        vec!["t", "one"]
    );
    peer.command_ok("{}").await;
    peer.exit().await;
    event_where(&mut mon, "the Disconnected event", |e| {
        e.kind == zmtp::MonitorEventKind::Disconnected
    })
    .await;
    // Drain what arrived before the restart.
    while s.try_recv().is_ok() {}
    let Some(mut peer) = Peer::start(SocketType::Pub, "bind", &ep, &[]).await else {
        return;
    };
    peer.command_nowait(r#"{"op":"publish_until_line","each":[["u","skip"],["t","two"]]}"#)
        .await;
    assert_eq!(
        frames(&s.recv().within("recv").await.expect("recv")),
        vec!["t", "two"]
    );
    peer.command_ok("{}").await;
    peer.exit().await;
}

/// ROUTER to ROUTER with known routing ids, our socket binding or
/// connecting, over tcp and abstract ipc.
#[tokio::test]
async fn router_router() {
    for we_bind in [true, false] {
        for transport in ["tcp", "abstract"] {
            let ctx = Context::new().expect("context");
            let s = ctx.socket(SocketType::Router).expect("router");
            s.set(opt::RoutingId, Bytes::from_static(b"ours"))
                .expect("id");
            s.set(opt::RouterMandatory, true).expect("mandatory");
            let wildcard = if transport == "tcp" {
                "tcp://127.0.0.1:*".to_owned()
            } else {
                format!("ipc://@zmtp-rr-{}-{we_bind}", std::process::id())
            };
            let opts = ["ROUTING_ID=theirs", "ROUTER_MANDATORY=1"];
            let mut peer = if we_bind {
                s.bind(&wildcard).expect("bind");
                match Peer::start(SocketType::Router, "connect", &s.last_endpoint(), &opts).await {
                    Some(p) => p,
                    None => return,
                }
            } else {
                let Some(p) = Peer::start(SocketType::Router, "bind", &wildcard, &opts).await
                else {
                    return;
                };
                s.connect(&p.endpoint).expect("connect");
                p
            };
            // The connecting side learns the other's id in the handshake;
            // retry until the route exists.
            let to_them = msg(&["theirs", "hello"]);
            within("a route to the peer", async {
                loop {
                    match s.send(to_them.clone()).within("send").await {
                        Ok(()) => break,
                        Err(zmtp::Error::HostUnreachable) => {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
            })
            .await;
            assert_eq!(
                peer.command(r#"{"op":"recv"}"#).await,
                vec!["ours", "hello"]
            );
            peer.command_ok(r#"{"op":"send_retry","frames":["ours","back"]}"#)
                .await;
            assert_eq!(
                frames(&s.recv().within("recv").await.expect("recv")),
                vec!["theirs", "back"]
            );
            peer.exit().await;
        }
    }
}
