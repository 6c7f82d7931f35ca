//! Every socket option, with a test that its effect shows (issue 4 §4).
//! Options whose effect is inside the kernel (TCP keepalive, buffer
//! sizes) are checked on the socket they configure through `/proc`-free
//! means: they are applied without error to a working connection and
//! read back.

#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use raw::bounded::{Within, event_where, within};
use std::time::Duration;

use raw::RawPeer;
use zmtp::{Bytes, Context, Error, Message, MonitorEventKind, Socket, SocketType, opt};

fn text(m: &Message) -> Vec<String> {
    m.iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

/// An endpoint nobody listens on (bound, then released).
fn free_tcp_endpoint(ctx: &Context) -> String {
    let probe = ctx.socket(SocketType::Pull).expect("probe");
    probe.bind("tcp://127.0.0.1:*").expect("bind");
    let ep = probe.last_endpoint();
    probe.unbind(&ep).expect("unbind");
    ep
}

/// Binds an endpoint that was just unbound: the old listener closes
/// asynchronously, so let the runtime run a little between attempts.
async fn bind_again(s: &Socket, ep: &str) -> bool {
    for _ in 0..1000 {
        if s.bind(ep).is_ok() {
            return true;
        }
        tokio::task::yield_now().await;
    }
    false
}

async fn until(
    monitor: &mut zmtp::Monitor,
    want: impl Fn(&MonitorEventKind) -> bool,
) -> MonitorEventKind {
    event_where(monitor, "a matching monitor event", |e| want(&e.kind))
        .await
        .kind
}

async fn handshaken(s: &Socket, connect: impl FnOnce()) {
    let mut m = s.monitor();
    connect();
    until(&mut m, |k| *k == MonitorEventKind::HandshakeSucceeded).await;
}

#[tokio::test]
async fn sndhwm_bounds_the_queue_of_an_absent_peer() {
    let ctx = Context::new().expect("ctx");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::SndHwm, 5).expect("sndhwm");
    assert_eq!(push.get(opt::SndHwm).ok(), Some(5));
    push.connect(&free_tcp_endpoint(&ctx)).expect("connect");
    for i in 0..5 {
        push.try_send(format!("{i}")).expect("queued");
    }
    assert!(matches!(push.try_send("6"), Err(Error::WouldBlock)));
}

#[tokio::test]
async fn immediate_queues_nothing_for_an_absent_peer() {
    let ctx = Context::new().expect("ctx");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::Immediate, true).expect("immediate");
    push.connect(&free_tcp_endpoint(&ctx)).expect("connect");
    assert!(matches!(push.try_send("x"), Err(Error::WouldBlock)));
}

#[tokio::test]
async fn rcvhwm_and_buffers_make_a_stalled_receiver_block_the_sender_without_loss() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    pull.set(opt::RcvHwm, 10).expect("rcvhwm");
    pull.set(opt::RcvBuf, Some(4096)).expect("rcvbuf");
    assert_eq!(pull.get(opt::RcvBuf).ok(), Some(Some(4096)));
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::SndHwm, 10).expect("sndhwm");
    push.set(opt::SndBuf, Some(4096)).expect("sndbuf");
    assert_eq!(push.get(opt::SndBuf).ok(), Some(Some(4096)));
    handshaken(&push, || {
        push.connect(&pull.last_endpoint()).expect("connect");
    })
    .await;
    // Send until the sender stays blocked: with no HWM anywhere this loop
    // would never end.
    let mut sent = 0u32;
    let mut idle = 0;
    within("the PUSH to block", async {
        while idle < 1000 {
            match push.try_send(sent.to_string()) {
                Ok(()) => {
                    sent += 1;
                    idle = 0;
                }
                Err(Error::WouldBlock) => {
                    idle += 1;
                    tokio::task::yield_now().await;
                }
                Err(e) => panic!("{e}"),
            }
        }
    })
    .await;
    assert!(sent >= 20, "both queues fill: {sent}");
    for i in 0..sent {
        assert_eq!(
            text(&pull.recv().within("recv").await.expect("recv")),
            vec![i.to_string()]
        );
    }
}

#[tokio::test]
async fn linger_flushes_what_a_closed_socket_had_queued() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let push = ctx.socket(SocketType::Push).expect("push");
    assert_eq!(push.get(opt::Linger).ok(), Some(None));
    push.set(opt::Linger, Some(Duration::from_secs(30)))
        .expect("linger");
    push.connect(&pull.last_endpoint()).expect("connect");
    for i in 0..100 {
        push.send(format!("{i}"))
            .within("send")
            .await
            .expect("send");
    }
    drop(push);
    for i in 0..100 {
        assert_eq!(
            text(&pull.recv().within("recv").await.expect("recv")),
            vec![i.to_string()]
        );
    }
}

#[tokio::test]
async fn linger_zero_discards_at_close() {
    let ctx = Context::new().expect("ctx");
    let ep = free_tcp_endpoint(&ctx);
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::Linger, Some(Duration::ZERO)).expect("linger");
    push.connect(&ep).expect("connect");
    push.send("lost").within("send").await.expect("queued");
    drop(push);
    // The closed socket no longer connects: binding now meets nobody. A
    // later socket's message is the first to arrive.
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    if !bind_again(&pull, &ep).await {
        return; // another process took the port meanwhile
    }
    let push2 = ctx.socket(SocketType::Push).expect("push");
    push2.connect(&ep).expect("connect");
    push2.send("kept").within("send").await.expect("send");
    assert_eq!(
        text(&pull.recv().within("recv").await.expect("recv")),
        vec!["kept"]
    );
}

#[tokio::test]
async fn routing_id_is_what_a_router_sees() {
    let ctx = Context::new().expect("ctx");
    let router = ctx.socket(SocketType::Router).expect("router");
    router.bind("tcp://127.0.0.1:*").expect("bind");
    let dealer = ctx.socket(SocketType::Dealer).expect("dealer");
    dealer
        .set(opt::RoutingId, Bytes::from_static(b"abc"))
        .expect("routing id");
    assert_eq!(
        dealer.get(opt::RoutingId).ok(),
        Some(Bytes::from_static(b"abc"))
    );
    dealer.connect(&router.last_endpoint()).expect("connect");
    dealer.send("hi").within("send").await.expect("send");
    assert_eq!(
        text(&router.recv().within("recv").await.expect("recv")),
        vec!["abc", "hi"]
    );
    // And the router routes by it.
    router
        .send(Message::from(vec![
            Bytes::from_static(b"abc"),
            Bytes::from_static(b"back"),
        ]))
        .within("send")
        .await
        .expect("send");
    assert_eq!(
        text(&dealer.recv().within("recv").await.expect("recv")),
        vec!["back"]
    );
    assert!(
        dealer
            .set(opt::RoutingId, Bytes::from_static(b"\0x"))
            .is_err()
    );
}

#[tokio::test]
async fn connect_routing_id_names_the_connected_peer() {
    let ctx = Context::new().expect("ctx");
    let dealer = ctx.socket(SocketType::Dealer).expect("dealer");
    dealer.bind("tcp://127.0.0.1:*").expect("bind");
    let router = ctx.socket(SocketType::Router).expect("router");
    router
        .set(opt::ConnectRoutingId, Some(Bytes::from_static(b"d1")))
        .expect("connect routing id");
    router.set(opt::RouterMandatory, true).expect("mandatory");
    handshaken(&router, || {
        router.connect(&dealer.last_endpoint()).expect("connect");
    })
    .await;
    router
        .send(Message::from(vec![
            Bytes::from_static(b"d1"),
            Bytes::from_static(b"hello"),
        ]))
        .within("send")
        .await
        .expect("routed by the alias");
    assert_eq!(
        text(&dealer.recv().within("recv").await.expect("recv")),
        vec!["hello"]
    );
}

#[tokio::test]
async fn router_mandatory_reports_unknown_peers() {
    let ctx = Context::new().expect("ctx");
    let router = ctx.socket(SocketType::Router).expect("router");
    let unknown = Message::from(vec![
        Bytes::from_static(b"nobody"),
        Bytes::from_static(b"x"),
    ]);
    // Without the option the message is dropped silently.
    router.try_send(unknown.clone()).expect("dropped");
    router.set(opt::RouterMandatory, true).expect("mandatory");
    assert!(matches!(
        router.try_send(unknown),
        Err(Error::HostUnreachable)
    ));
}

#[tokio::test]
async fn router_handover_gives_the_id_to_the_newcomer() {
    for handover in [false, true] {
        let ctx = Context::new().expect("ctx");
        let router = ctx.socket(SocketType::Router).expect("router");
        router.set(opt::RouterHandover, handover).expect("handover");
        router.bind("inproc://handover").expect("bind");
        let first = ctx.socket(SocketType::Dealer).expect("dealer");
        first
            .set(opt::RoutingId, Bytes::from_static(b"same"))
            .expect("id");
        handshaken(&router, || {
            first.connect("inproc://handover").expect("connect");
        })
        .await;
        let second = ctx.socket(SocketType::Dealer).expect("dealer");
        second
            .set(opt::RoutingId, Bytes::from_static(b"same"))
            .expect("id");
        let mut rmon = router.monitor();
        second.connect("inproc://handover").expect("connect");
        let kind = until(&mut rmon, |k| {
            matches!(
                k,
                MonitorEventKind::HandshakeSucceeded | MonitorEventKind::HandshakeFailedProtocol(_)
            )
        })
        .await;
        assert_eq!(kind == MonitorEventKind::HandshakeSucceeded, handover);
        router
            .send(Message::from(vec![
                Bytes::from_static(b"same"),
                Bytes::from_static(b"to"),
            ]))
            .within("send")
            .await
            .expect("send");
        let receiver = if handover { &second } else { &first };
        assert_eq!(
            text(&receiver.recv().within("recv").await.expect("recv")),
            vec!["to"]
        );
    }
}

#[tokio::test]
async fn probe_router_sends_an_empty_message_on_connect() {
    let ctx = Context::new().expect("ctx");
    let router = ctx.socket(SocketType::Router).expect("router");
    router.bind("tcp://127.0.0.1:*").expect("bind");
    let dealer = ctx.socket(SocketType::Dealer).expect("dealer");
    dealer.set(opt::ProbeRouter, true).expect("probe");
    dealer
        .set(opt::RoutingId, Bytes::from_static(b"p"))
        .expect("id");
    dealer.connect(&router.last_endpoint()).expect("connect");
    assert_eq!(
        text(&router.recv().within("recv").await.expect("probe")),
        vec!["p", ""]
    );
}

#[tokio::test]
async fn req_relaxed_and_correlate() {
    let ctx = Context::new().expect("ctx");
    let router = ctx.socket(SocketType::Router).expect("router");
    router.bind("inproc://req-opts").expect("bind");
    let req = ctx.socket(SocketType::Req).expect("req");
    req.set(opt::ReqRelaxed, true).expect("relaxed");
    req.set(opt::ReqCorrelate, true).expect("correlate");
    req.connect("inproc://req-opts").expect("connect");
    req.send("first").within("send").await.expect("send");
    // Relaxed: a second request without waiting for the first reply.
    req.send("second")
        .within("send")
        .await
        .expect("second send");
    let a = router.recv().within("recv").await.expect("first");
    let b = router.recv().within("recv").await.expect("second");
    // Correlated: [routing id, request id (4 octets), "", body].
    assert_eq!(a.len(), 4);
    assert_eq!(a.frames()[1].len(), 4);
    assert_ne!(a.frames()[1], b.frames()[1]);
    // A reply to the abandoned first request is dropped; the second's
    // reply arrives.
    router.send(a).within("send").await.expect("stale reply");
    router.send(b).within("send").await.expect("reply");
    assert_eq!(
        text(&req.recv().within("recv").await.expect("reply")),
        vec!["second"]
    );
}

#[tokio::test]
async fn subscribe_and_unsubscribe_reach_the_publisher() {
    let ctx = Context::new().expect("ctx");
    let xpub = ctx.socket(SocketType::XPub).expect("xpub");
    xpub.bind("inproc://subs").expect("bind");
    let sub = ctx.socket(SocketType::Sub).expect("sub");
    sub.connect("inproc://subs").expect("connect");
    sub.subscribe("a").expect("subscribe");
    assert_eq!(
        xpub.recv().within("recv").await.expect("sub").frames()[0].as_ref(),
        b"\x01a"
    );
    sub.unsubscribe("a").expect("unsubscribe");
    assert_eq!(
        xpub.recv().within("recv").await.expect("cancel").frames()[0].as_ref(),
        b"\x00a"
    );
    assert!(matches!(
        sub.get(opt::Subscribe),
        Err(Error::InvalidOption { .. })
    ));
}

/// Two subscribers go through `phases` of (topic, subscribe?) operations,
/// each phase ended by a sentinel subscription per subscriber; returns
/// the subscription messages the XPUB passed up in each phase.
async fn xpub_sees(option: impl Fn(&Socket), phases: &[&[(&str, bool)]]) -> Vec<Vec<Vec<u8>>> {
    let ctx = Context::new().expect("ctx");
    let xpub = ctx.socket(SocketType::XPub).expect("xpub");
    option(&xpub);
    let name = format!("inproc://verbose-{:p}", &xpub);
    xpub.bind(&name).expect("bind");
    let subs: Vec<Socket> = (0..2)
        .map(|_| {
            let s = ctx.socket(SocketType::Sub).expect("sub");
            s.connect(&name).expect("connect");
            s
        })
        .collect();
    let mut seen = Vec::new();
    for (n, ops) in phases.iter().enumerate() {
        for (i, s) in subs.iter().enumerate() {
            for (topic, on) in ops.iter() {
                if *on {
                    s.subscribe(topic.to_string()).expect("sub");
                } else {
                    s.unsubscribe(topic.to_string()).expect("unsub");
                }
            }
            s.subscribe(format!("sentinel{n}-{i}")).expect("sentinel");
        }
        let mut phase = Vec::new();
        let mut sentinels = 0;
        while sentinels < 2 {
            let m = xpub.recv().within("recv").await.expect("recv");
            let f = m.frames()[0].to_vec();
            if f.starts_with(b"\x01sentinel") {
                sentinels += 1;
            } else {
                phase.push(f);
            }
        }
        seen.push(phase);
    }
    seen
}

#[tokio::test]
async fn xpub_verbose_passes_duplicate_subscriptions() {
    let phases: &[&[(&str, bool)]] = &[&[("a", true)]];
    let quiet = xpub_sees(|_| {}, phases).await;
    assert_eq!(quiet[0], vec![b"\x01a".to_vec()]);
    let verbose = xpub_sees(|x| x.set(opt::XPubVerbose, true).expect("verbose"), phases).await;
    assert_eq!(verbose[0], vec![b"\x01a".to_vec(), b"\x01a".to_vec()]);
}

#[tokio::test]
async fn xpub_verboser_passes_every_cancel() {
    let phases: &[&[(&str, bool)]] = &[&[("a", true)], &[("a", false)]];
    let verbose = xpub_sees(|x| x.set(opt::XPubVerbose, true).expect("verbose"), phases).await;
    assert_eq!(verbose[1], vec![b"\x00a".to_vec()]);
    let verboser = xpub_sees(
        |x| x.set(opt::XPubVerboser, true).expect("verboser"),
        phases,
    )
    .await;
    assert_eq!(verboser[1], vec![b"\x00a".to_vec(), b"\x00a".to_vec()]);
}

#[tokio::test]
async fn xpub_manual_applies_only_what_the_application_subscribes() {
    let ctx = Context::new().expect("ctx");
    let xpub = ctx.socket(SocketType::XPub).expect("xpub");
    xpub.set(opt::XPubManual, true).expect("manual");
    xpub.bind("inproc://manual").expect("bind");
    let sub = ctx.socket(SocketType::Sub).expect("sub");
    sub.connect("inproc://manual").expect("connect");
    sub.subscribe("").expect("subscribe all");
    assert_eq!(
        xpub.recv().within("recv").await.expect("sub").frames()[0].as_ref(),
        b"\x01"
    );
    // The application grants only "b" to that subscriber.
    xpub.subscribe("b").expect("manual subscribe");
    xpub.send("a-filtered").within("send").await.expect("send");
    xpub.send("b-passes").within("send").await.expect("send");
    assert_eq!(
        text(&sub.recv().within("recv").await.expect("recv")),
        vec!["b-passes"]
    );
}

#[tokio::test]
async fn xpub_welcome_msg_greets_each_subscriber() {
    let ctx = Context::new().expect("ctx");
    let xpub = ctx.socket(SocketType::XPub).expect("xpub");
    xpub.set(opt::XPubWelcomeMsg, Some(Bytes::from_static(b"welcome")))
        .expect("welcome");
    xpub.bind("tcp://127.0.0.1:*").expect("bind");
    let sub = ctx.socket(SocketType::Sub).expect("sub");
    sub.subscribe("welcome").expect("subscribe");
    sub.connect(&xpub.last_endpoint()).expect("connect");
    assert_eq!(
        text(&sub.recv().within("recv").await.expect("welcome")),
        vec!["welcome"]
    );
}

#[tokio::test]
async fn xpub_nodrop_blocks_instead_of_dropping() {
    let ctx = Context::new().expect("ctx");
    let xpub = ctx.socket(SocketType::XPub).expect("xpub");
    xpub.set(opt::XPubNoDrop, true).expect("nodrop");
    xpub.set(opt::SndHwm, 2).expect("sndhwm");
    // A subscriber that subscribes to everything and then never reads.
    let raw = RawPeer::listen().await;
    xpub.connect(&raw.endpoint()).expect("connect");
    let mut peer = raw.accept().await;
    peer.handshake(b"SUB").await;
    peer.send(&[
        0x04, 10, 9, b'S', b'U', b'B', b'S', b'C', b'R', b'I', b'B', b'E',
    ])
    .await;
    assert_eq!(
        xpub.recv()
            .within("recv")
            .await
            .expect("subscription")
            .frames()[0]
            .as_ref(),
        b"\x01"
    );
    // Sending ends in WouldBlock once the queue (and the socket buffers)
    // are full; without NODROP it would drop and never block.
    let payload = Bytes::from(vec![0u8; 1024]);
    let mut idle = 0;
    within("the XPUB to block", async {
        while idle < 1000 {
            match xpub.try_send(payload.clone()) {
                Ok(()) => idle = 0,
                Err(Error::WouldBlock) => {
                    idle += 1;
                    tokio::task::yield_now().await;
                }
                Err(e) => panic!("{e}"),
            }
        }
    })
    .await;
}

#[tokio::test]
async fn invert_matching_delivers_the_non_matching() {
    let ctx = Context::new().expect("ctx");
    let xpub = ctx.socket(SocketType::XPub).expect("xpub");
    xpub.set(opt::InvertMatching, true).expect("invert");
    xpub.bind("inproc://invert").expect("bind");
    let sub = ctx.socket(SocketType::Sub).expect("sub");
    sub.set(opt::InvertMatching, true).expect("invert");
    sub.connect("inproc://invert").expect("connect");
    sub.subscribe("a").expect("subscribe");
    xpub.recv()
        .within("recv")
        .await
        .expect("subscription arrived");
    xpub.send("a-matches").within("send").await.expect("send");
    xpub.send("b-other").within("send").await.expect("send");
    assert_eq!(
        text(&sub.recv().within("recv").await.expect("recv")),
        vec!["b-other"]
    );
}

#[tokio::test]
async fn conflate_keeps_only_the_newest() {
    let ctx = Context::new().expect("ctx");
    let ep = free_tcp_endpoint(&ctx);
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::Conflate, true).expect("conflate");
    push.set(opt::ReconnectIvl, Some(Duration::from_millis(10)))
        .expect("ivl");
    push.connect(&ep).expect("connect");
    for i in 0..5 {
        push.send(format!("{i}"))
            .within("send")
            .await
            .expect("send");
    }
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    if !bind_again(&pull, &ep).await {
        return; // another process took the port meanwhile
    }
    assert_eq!(
        text(&pull.recv().within("recv").await.expect("recv")),
        vec!["4"]
    );
}

#[tokio::test]
async fn maxmsgsize_disconnects_a_peer_that_sends_more() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    // libzmq applies the limit to every frame, READY included (about
    // 26 octets for PUSH), so the limit must leave room for it.
    pull.set(opt::MaxMsgSize, Some(64)).expect("maxmsgsize");
    let mut mon = pull.monitor();
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::ReconnectIvl, Some(Duration::from_millis(10)))
        .expect("ivl");
    push.connect(&pull.last_endpoint()).expect("connect");
    push.send(vec![b'x'; 100])
        .within("send")
        .await
        .expect("send");
    until(&mut mon, |k| {
        matches!(
            k,
            MonitorEventKind::Disconnected | MonitorEventKind::HandshakeFailedProtocol(_)
        )
    })
    .await;
    // The sender reconnects; small messages pass.
    push.send("small").within("send").await.expect("send");
    assert_eq!(
        text(&pull.recv().within("recv").await.expect("recv")),
        vec!["small"]
    );
}

#[tokio::test]
async fn reconnect_ivl_and_max_back_off() {
    let ctx = Context::new().expect("ctx");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::ReconnectIvl, Some(Duration::from_millis(2)))
        .expect("ivl");
    push.set(opt::ReconnectIvlMax, Some(Duration::from_millis(8)))
        .expect("max");
    let mut mon = push.monitor();
    push.connect(&free_tcp_endpoint(&ctx)).expect("connect");
    let mut delays = Vec::new();
    while delays.len() < 5 {
        if let MonitorEventKind::ConnectRetried(d) = until(&mut mon, |k| {
            matches!(k, MonitorEventKind::ConnectRetried(_))
        })
        .await
        {
            delays.push(d.as_millis());
        }
    }
    assert_eq!(delays, vec![2, 4, 8, 8, 8]);
}

#[tokio::test]
async fn heartbeats_ping_a_silent_peer_then_drop_it() {
    let ctx = Context::new().expect("ctx");
    let dealer = ctx.socket(SocketType::Dealer).expect("dealer");
    dealer
        .set(opt::HeartbeatIvl, Some(Duration::from_millis(10)))
        .expect("ivl");
    dealer
        .set(opt::HeartbeatTtl, Some(Duration::from_millis(2000)))
        .expect("ttl");
    dealer
        .set(opt::HeartbeatTimeout, Some(Duration::from_millis(30)))
        .expect("timeout");
    let mut mon = dealer.monitor();
    let raw = RawPeer::listen().await;
    dealer.connect(&raw.endpoint()).expect("connect");
    let mut peer = raw.accept().await;
    peer.handshake(b"ROUTER").await;
    // The first PING carries the TTL in tenths of a second.
    let ttl = peer.next_ping_ttl().await;
    assert_eq!(ttl, 20);
    // The peer answers nothing: the dealer gives up on it.
    until(&mut mon, |k| *k == MonitorEventKind::Disconnected).await;
}

#[tokio::test]
async fn handshake_ivl_drops_a_stalled_handshake() {
    let ctx = Context::new().expect("ctx");
    let dealer = ctx.socket(SocketType::Dealer).expect("dealer");
    dealer
        .set(opt::HandshakeIvl, Some(Duration::from_millis(20)))
        .expect("handshake ivl");
    let mut mon = dealer.monitor();
    let raw = RawPeer::listen().await;
    dealer.connect(&raw.endpoint()).expect("connect");
    let mut peer = raw.accept().await;
    // Never answer the greeting.
    let kind = until(&mut mon, |k| {
        matches!(k, MonitorEventKind::HandshakeFailedNoDetail(_))
    })
    .await;
    assert!(matches!(kind, MonitorEventKind::HandshakeFailedNoDetail(_)));
    assert!(peer.read_until_eof().await);
}

#[tokio::test]
async fn tcp_keepalive_options_are_applied_to_working_connections() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    pull.set(opt::TcpKeepalive, Some(true)).expect("keepalive");
    pull.set(opt::TcpKeepaliveCnt, Some(3)).expect("cnt");
    pull.set(opt::TcpKeepaliveIdle, Some(Duration::from_secs(30)))
        .expect("idle");
    pull.set(opt::TcpKeepaliveIntvl, Some(Duration::from_secs(5)))
        .expect("intvl");
    assert_eq!(pull.get(opt::TcpKeepalive).ok(), Some(Some(true)));
    assert_eq!(pull.get(opt::TcpKeepaliveCnt).ok(), Some(Some(3)));
    assert_eq!(
        pull.get(opt::TcpKeepaliveIdle).ok(),
        Some(Some(Duration::from_secs(30)))
    );
    assert_eq!(
        pull.get(opt::TcpKeepaliveIntvl).ok(),
        Some(Some(Duration::from_secs(5)))
    );
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::TcpKeepalive, Some(true)).expect("keepalive");
    push.connect(&pull.last_endpoint()).expect("connect");
    push.send("alive").within("send").await.expect("send");
    assert_eq!(
        text(&pull.recv().within("recv").await.expect("recv")),
        vec!["alive"]
    );
}

#[tokio::test]
async fn type_and_last_endpoint_are_read_only() {
    let ctx = Context::new().expect("ctx");
    let s = ctx.socket(SocketType::XSub).expect("xsub");
    assert_eq!(s.get(opt::Type).ok(), Some(SocketType::XSub));
    assert!(s.set(opt::Type, SocketType::Pub).is_err());
    s.bind("tcp://127.0.0.1:*").expect("bind");
    let ep = s.get(opt::LastEndpoint).expect("last endpoint");
    assert!(ep.starts_with("tcp://127.0.0.1:") && !ep.ends_with(":*") && !ep.ends_with(":0"));
    assert!(s.set(opt::LastEndpoint, String::new()).is_err());
}

#[tokio::test]
async fn xpub_nodrop_send_waits_for_room() {
    let ctx = Context::new().expect("ctx");
    let xpub = ctx.socket(SocketType::XPub).expect("xpub");
    xpub.set(opt::XPubNoDrop, true).expect("nodrop");
    xpub.set(opt::SndHwm, 1).expect("sndhwm");
    xpub.bind("inproc://nodrop-wait").expect("bind");
    let sub = ctx.socket(SocketType::Sub).expect("sub");
    // SUB drops at its RCVHWM: no limit here, so any loss would be the
    // publisher's.
    sub.set(opt::RcvHwm, 0).expect("rcvhwm");
    sub.connect("inproc://nodrop-wait").expect("connect");
    sub.subscribe("").expect("subscribe");
    xpub.recv()
        .within("recv")
        .await
        .expect("subscription arrived");
    // A send that meets a full queue waits instead of failing, and every
    // message arrives.
    let xpub = std::sync::Arc::new(xpub);
    let sender = {
        let xpub = xpub.clone();
        tokio::spawn(async move {
            for i in 0..3000u32 {
                xpub.send(i.to_string())
                    .within("send")
                    .await
                    .expect("send waits");
            }
        })
    };
    for i in 0..3000u32 {
        assert_eq!(
            text(&sub.recv().within("recv").await.expect("recv")),
            vec![i.to_string()]
        );
    }
    sender.within("the sender").await.expect("sender");
}

#[tokio::test]
async fn ipv6_makes_the_wildcard_dual_stack() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    assert_eq!(pull.get(opt::Ipv6).ok(), Some(false));
    pull.set(opt::Ipv6, true).expect("ipv6");
    pull.bind("tcp://*:*").expect("bind");
    let ep = pull.last_endpoint();
    assert!(ep.starts_with("tcp://[::]:"), "{ep}");
    let port = ep.rsplit(':').next().expect("port").to_owned();
    // Reachable over IPv6 and, dual stack, over IPv4.
    for host in ["[::1]", "127.0.0.1"] {
        let push = ctx.socket(SocketType::Push).expect("push");
        push.connect(&format!("tcp://{host}:{port}"))
            .expect("connect");
        push.send(host).within("send").await.expect("send");
        assert_eq!(
            text(&pull.recv().within("recv").await.expect("recv")),
            vec![host]
        );
    }
}

#[tokio::test]
async fn backlog_connect_timeout_tos_and_maxrt_apply_to_working_connections() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    assert_eq!(pull.get(opt::Backlog).ok(), Some(100));
    pull.set(opt::Backlog, 5).expect("backlog");
    pull.set(opt::Tos, Some(0x10)).expect("tos");
    pull.set(opt::TcpMaxRt, Some(Duration::from_secs(10)))
        .expect("maxrt");
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::ConnectTimeout, Some(Duration::from_secs(5)))
        .expect("connect timeout");
    push.set(opt::Tos, Some(0x10)).expect("tos");
    assert_eq!(push.get(opt::Tos).ok(), Some(Some(0x10)));
    assert_eq!(
        push.get(opt::ConnectTimeout).ok(),
        Some(Some(Duration::from_secs(5)))
    );
    push.connect(&pull.last_endpoint()).expect("connect");
    push.send("ok").within("send").await.expect("send");
    assert_eq!(
        text(&pull.recv().within("recv").await.expect("recv")),
        vec!["ok"]
    );
}

#[tokio::test]
async fn bind_to_device_pins_sockets_to_an_interface() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    pull.set(opt::BindToDevice, Some("lo".to_owned()))
        .expect("bindtodevice");
    match pull.bind("tcp://127.0.0.1:*") {
        Ok(()) => {}
        // SO_BINDTODEVICE needs CAP_NET_RAW.
        Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            eprintln!("skipped: no CAP_NET_RAW for SO_BINDTODEVICE");
            return;
        }
        Err(e) => panic!("{e}"),
    }
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::BindToDevice, Some("lo".to_owned()))
        .expect("bindtodevice");
    push.connect(&pull.last_endpoint()).expect("connect");
    push.send("via lo").within("send").await.expect("send");
    assert_eq!(
        text(&pull.recv().within("recv").await.expect("recv")),
        vec!["via lo"]
    );
    // A device that does not exist makes bind fail.
    let bad = ctx.socket(SocketType::Pull).expect("pull");
    bad.set(opt::BindToDevice, Some("no-such-if0".to_owned()))
        .expect("bindtodevice");
    assert!(bad.bind("tcp://127.0.0.1:*").is_err());
}

#[tokio::test]
async fn multicast_options_have_libzmq_defaults_and_names() {
    let ctx = Context::new().expect("ctx");
    let s = ctx.socket(SocketType::Pub).expect("pub");
    assert_eq!(s.get(opt::Rate).ok(), Some(100));
    assert_eq!(s.get(opt::RecoveryIvl).ok(), Some(10_000));
    assert_eq!(s.get(opt::MulticastHops).ok(), Some(1));
    assert_eq!(s.get(opt::MulticastMaxTpdu).ok(), Some(1500));
    s.set_by_name("ZMQ_RATE", "50000").expect("ZMQ_RATE");
    s.set_by_name("ZMQ_MULTICAST_HOPS", "4")
        .expect("ZMQ_MULTICAST_HOPS");
    assert_eq!(s.get(opt::Rate).ok(), Some(50_000));
    assert_eq!(s.get(opt::MulticastHops).ok(), Some(4));
    // pgm and epgm carry only PUB, XPUB, SUB and XSUB.
    let push = ctx.socket(SocketType::Push).expect("push");
    assert!(matches!(
        push.connect("epgm://127.0.0.1;239.192.1.1:5555"),
        Err(Error::InvalidEndpoint {
            reason: zmtp::error::InvalidEndpoint::MulticastSocketType,
            ..
        })
    ));
}
