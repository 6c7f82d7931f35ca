//! The API features: poller, Stream/Sink, proxy, monitor, cancellation,
//! timeouts, the blocking facade, endpoints' life.

#[path = "common/bounded.rs"]
#[allow(dead_code)]
mod bounded;

use bounded::{Within, event_where, within, within_blocking};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use zmtp::adapters::{RecvStream, SendSink};
use zmtp::error::{InvalidEndpoint, InvalidState};
use zmtp::{
    Bytes, Context, Error, Fault, Interest, Message, MonitorEventKind, Poller, SocketType, opt,
};

fn text(m: &Message) -> String {
    m.iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect::<Vec<_>>()
        .join("|")
}

#[tokio::test]
async fn poller_reports_readable_and_writable() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    let push = ctx.socket(SocketType::Push).expect("push");
    pull.bind("inproc://poller").expect("bind");
    let mut p = Poller::new();
    p.add(&pull, Interest::READABLE);
    p.add(&push, Interest::WRITABLE);
    // No peer yet: nothing is ready.
    let none = p
        .poll(Some(Duration::ZERO))
        .within("poll")
        .await
        .expect("poll");
    assert_eq!(none, vec![Interest::default(); 2]);
    push.connect("inproc://poller").expect("connect");
    let ready = p.poll(None).within("poll").await.expect("poll");
    assert!(ready[1].writable);
    push.send("x").within("send").await.expect("send");
    let mut p = Poller::new();
    p.add(&pull, Interest::READABLE);
    let ready = p.poll(None).within("poll").await.expect("poll");
    assert!(ready[0].readable);
    assert_eq!(text(&pull.try_recv().expect("ready")), "x");
}

#[tokio::test]
async fn stream_and_sink_adapters() {
    let ctx = Context::new().expect("ctx");
    let pull = Arc::new(ctx.socket(SocketType::Pull).expect("pull"));
    let push = Arc::new(ctx.socket(SocketType::Push).expect("push"));
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    push.connect(&pull.last_endpoint()).expect("connect");
    let mut sink = SendSink::new(push);
    for i in 0..10 {
        sink.send(Message::from(format!("{i}")))
            .within("send")
            .await
            .expect("sink");
    }
    let got: Vec<String> = RecvStream::new(pull)
        .take(10)
        .map(|m| text(&m.expect("recv")))
        .collect()
        .within("ten messages from the stream")
        .await;
    assert_eq!(got, (0..10).map(|i| i.to_string()).collect::<Vec<_>>());
}

#[tokio::test]
async fn dropped_recv_loses_nothing_and_keeps_req_state() {
    let ctx = Context::new().expect("ctx");
    let rep = ctx.socket(SocketType::Rep).expect("rep");
    let req = ctx.socket(SocketType::Req).expect("req");
    rep.bind("inproc://cancel").expect("bind");
    req.connect("inproc://cancel").expect("connect");
    req.send("q").within("send").await.expect("send");
    // A receive abandoned before the reply exists.
    assert!(
        tokio::time::timeout(Duration::from_millis(1), req.recv())
            .await
            .is_err()
    );
    // REQ still awaits its reply: a second send is refused.
    assert!(matches!(
        req.try_send("again"),
        Err(Error::InvalidState(InvalidState::ReqAwaitingReply))
    ));
    let q = rep.recv().within("recv").await.expect("request");
    rep.send(q).within("send").await.expect("reply");
    assert_eq!(text(&req.recv().within("recv").await.expect("reply")), "q");
}

#[tokio::test]
async fn timeouts_and_would_block() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    let would_block = pull.try_recv().expect_err("nothing to receive");
    assert!(matches!(would_block, Error::WouldBlock));
    assert_eq!(would_block.fault(), Fault::Flow);
    pull.set(opt::RcvTimeo, Some(Duration::from_millis(10)))
        .expect("rcvtimeo");
    assert!(matches!(
        pull.recv().within("recv").await,
        Err(Error::TimedOut)
    ));
    let push = ctx.socket(SocketType::Push).expect("push");
    // No peer: PUSH cannot send.
    assert!(matches!(push.try_send("x"), Err(Error::WouldBlock)));
    push.set(opt::SndTimeo, Some(Duration::from_millis(10)))
        .expect("sndtimeo");
    assert!(matches!(
        push.send("x").within("send").await,
        Err(Error::TimedOut)
    ));
    assert!(matches!(
        pull.try_send("x"),
        Err(Error::InvalidState(InvalidState::CannotSend(
            SocketType::Pull
        )))
    ));
}

#[test]
fn blocking_facade_from_plain_threads() {
    within_blocking("the blocking request and reply", || {
        let ctx = Context::new().expect("ctx");
        let rep = ctx.socket(SocketType::Rep).expect("rep");
        rep.bind("tcp://127.0.0.1:*").expect("bind");
        let ep = rep.last_endpoint();
        let ctx2 = ctx.clone();
        let mut poller = Poller::new();
        poller.add(&rep, Interest::READABLE);
        assert_eq!(
            poller.poll_blocking(Some(Duration::ZERO)).expect("poll"),
            vec![Interest::default()]
        );
        let client = std::thread::spawn(move || {
            let req = ctx2.socket(SocketType::Req).expect("req");
            req.connect(&ep).expect("connect");
            req.send_blocking("hi").expect("send");
            text(&req.recv_blocking().expect("recv"))
        });
        assert!(poller.poll_blocking(None).expect("poll")[0].readable);
        let m = rep.recv_blocking().expect("recv");
        rep.send_blocking(m).expect("send");
        assert_eq!(client.join().expect("thread"), "hi");
    });
}

#[tokio::test]
async fn blocking_calls_from_async_code_are_refused() {
    let ctx = Context::new().expect("ctx");
    let s = ctx.socket(SocketType::Pull).expect("pull");
    assert!(matches!(
        s.recv_blocking(),
        Err(Error::InvalidState(InvalidState::BlockingInAsync))
    ));
}

#[tokio::test]
async fn proxy_forwards_and_captures() {
    let ctx = Context::new().expect("ctx");
    let front = ctx.socket(SocketType::Router).expect("router");
    let back = ctx.socket(SocketType::Dealer).expect("dealer");
    let capture = ctx.socket(SocketType::Push).expect("push");
    let captured = ctx.socket(SocketType::Pull).expect("pull");
    front.bind("inproc://proxy-front").expect("bind");
    back.bind("inproc://proxy-back").expect("bind");
    captured.bind("inproc://proxy-capture").expect("bind");
    capture.connect("inproc://proxy-capture").expect("connect");
    let client = ctx.socket(SocketType::Req).expect("req");
    client.connect("inproc://proxy-front").expect("connect");
    let worker = ctx.socket(SocketType::Rep).expect("rep");
    worker.connect("inproc://proxy-back").expect("connect");
    let proxy = tokio::spawn(async move {
        let _ = zmtp::proxy(&front, &back, Some(&capture)).await;
    });
    client.send("ping").within("send").await.expect("send");
    let req = worker.recv().within("recv").await.expect("request");
    assert_eq!(text(&req), "ping");
    worker.send("pong").within("send").await.expect("reply");
    assert_eq!(
        text(&client.recv().within("recv").await.expect("reply")),
        "pong"
    );
    // The capture saw the request (with its envelope) and the reply.
    let c1 = captured.recv().within("recv").await.expect("capture");
    assert!(text(&c1).ends_with("ping"));
    let c2 = captured.recv().within("recv").await.expect("capture");
    assert!(text(&c2).ends_with("pong"));
    proxy.abort();
}

#[tokio::test]
async fn steerable_proxy_pause_resume_statistics_terminate() {
    let ctx = Context::new().expect("ctx");
    let front = ctx.socket(SocketType::Pull).expect("pull");
    let back = ctx.socket(SocketType::Push).expect("push");
    let control = ctx.socket(SocketType::Pair).expect("pair");
    front.bind("inproc://sp-front").expect("bind");
    back.bind("inproc://sp-back").expect("bind");
    control.bind("inproc://sp-control").expect("bind");
    let input = ctx.socket(SocketType::Push).expect("push");
    input.connect("inproc://sp-front").expect("connect");
    let output = ctx.socket(SocketType::Pull).expect("pull");
    output.connect("inproc://sp-back").expect("connect");
    let steer = ctx.socket(SocketType::Pair).expect("pair");
    steer.connect("inproc://sp-control").expect("connect");
    let task =
        tokio::spawn(async move { zmtp::proxy_steerable(&front, &back, None, &control).await });
    input.send("one").within("send").await.expect("send");
    assert_eq!(
        text(&output.recv().within("recv").await.expect("recv")),
        "one"
    );
    steer.send("PAUSE").within("send").await.expect("pause");
    steer
        .send("STATISTICS")
        .within("send")
        .await
        .expect("stats");
    let stats = steer.recv().within("recv").await.expect("stats reply");
    assert_eq!(stats.len(), 8);
    let n = |i: usize| u64::from_ne_bytes(stats.frames()[i].as_ref().try_into().expect("u64"));
    assert_eq!((n(0), n(1), n(6), n(7)), (1, 3, 1, 3));
    input.send("two").within("send").await.expect("send");
    steer.send("RESUME").within("send").await.expect("resume");
    assert_eq!(
        text(&output.recv().within("recv").await.expect("recv")),
        "two"
    );
    steer
        .send("TERMINATE")
        .within("send")
        .await
        .expect("terminate");
    let final_stats = task
        .within("the proxy to end")
        .await
        .expect("task")
        .expect("proxy");
    assert_eq!(final_stats.frontend.frames_in, 2);
}

#[tokio::test]
async fn monitor_reports_the_connection_life() {
    let ctx = Context::new().expect("ctx");
    let server = ctx.socket(SocketType::Rep).expect("rep");
    let mut smon = server.monitor();
    server.bind("tcp://127.0.0.1:*").expect("bind");
    let ep = server.last_endpoint();
    let client = ctx.socket(SocketType::Req).expect("req");
    let mut cmon = client.monitor();
    client.connect(&ep).expect("connect");
    let mut kinds = Vec::new();
    let e = event_where(&mut cmon, "the client's HandshakeSucceeded", |e| {
        kinds.push(e.kind.clone());
        e.kind == MonitorEventKind::HandshakeSucceeded
    })
    .await;
    assert_eq!(e.endpoint, ep);
    assert!(e.peer_address.is_some());
    assert!(kinds.contains(&MonitorEventKind::Connected));
    let mut skinds = Vec::new();
    event_where(&mut smon, "the server's HandshakeSucceeded", |e| {
        skinds.push(e.kind.clone());
        e.kind == MonitorEventKind::HandshakeSucceeded
    })
    .await;
    assert_eq!(skinds[0], MonitorEventKind::Listening);
    assert!(skinds.contains(&MonitorEventKind::Accepted));
    drop(server);
    event_where(&mut cmon, "the Disconnected event", |e| {
        e.kind == MonitorEventKind::Disconnected
    })
    .await;
}

#[tokio::test]
async fn connect_before_bind_tcp_and_inproc() {
    let ctx = Context::new().expect("ctx");
    // inproc: the name is not bound yet.
    let push = ctx.socket(SocketType::Push).expect("push");
    push.connect("inproc://later").expect("connect");
    push.send("queued")
        .within("send")
        .await
        .expect("queued while away");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    pull.bind("inproc://later").expect("bind");
    assert_eq!(
        text(&pull.recv().within("recv").await.expect("recv")),
        "queued"
    );
    // tcp: learn a free port, release it, connect, then bind it.
    let probe = ctx.socket(SocketType::Pull).expect("pull");
    probe.bind("tcp://127.0.0.1:*").expect("bind");
    let ep = probe.last_endpoint();
    probe.unbind(&ep).expect("unbind");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::ReconnectIvl, Some(Duration::from_millis(10)))
        .expect("ivl");
    push.connect(&ep).expect("connect");
    push.send("early")
        .within("send")
        .await
        .expect("queued while away");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    // The unbound listener closes asynchronously; another process may
    // also take the port meanwhile (then skip the rest).
    let mut bound = false;
    for _ in 0..1000 {
        if pull.bind(&ep).is_ok() {
            bound = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    if bound {
        assert_eq!(
            text(&pull.recv().within("recv").await.expect("recv")),
            "early"
        );
    } else {
        eprintln!("skipped the tcp half: port {ep} was taken");
    }
}

#[tokio::test]
async fn unbind_removes_the_ipc_file_and_unknown_endpoints_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.ipc");
    let ep = format!("ipc://{}", path.display());
    let ctx = Context::new().expect("ctx");
    let s = ctx.socket(SocketType::Pull).expect("pull");
    s.bind(&ep).expect("bind");
    assert!(path.exists());
    s.unbind(&ep).expect("unbind");
    assert!(!path.exists(), "unbind removes the socket file at once");
    assert!(matches!(s.unbind(&ep), Err(Error::EndpointNotFound(_))));
    assert!(matches!(s.disconnect(&ep), Err(Error::EndpointNotFound(_))));
    assert!(matches!(
        s.bind("tcp://nowhere"),
        Err(Error::InvalidEndpoint { endpoint, reason: InvalidEndpoint::MissingPort })
            if endpoint == "tcp://nowhere"
    ));
    let wildcard = s.connect("tcp://*:5555").expect_err("connect to '*'");
    assert!(matches!(
        wildcard,
        Error::InvalidEndpoint {
            reason: InvalidEndpoint::WildcardHost,
            ..
        }
    ));
    assert_eq!(wildcard.fault(), Fault::Application);
}

#[tokio::test]
async fn abstract_ipc_and_inproc_names() {
    let ctx = Context::new().expect("ctx");
    let name = format!("ipc://@zmtp-test-{}", std::process::id());
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    pull.bind(&name).expect("bind");
    assert_eq!(pull.last_endpoint(), name);
    let push = ctx.socket(SocketType::Push).expect("push");
    push.connect(&name).expect("connect");
    push.send(Bytes::from_static(b"abstract"))
        .within("send")
        .await
        .expect("send");
    assert_eq!(
        text(&pull.recv().within("recv").await.expect("recv")),
        "abstract"
    );
    let other = ctx.socket(SocketType::Pull).expect("pull");
    other.bind("inproc://taken").expect("bind");
    assert!(matches!(
        other.bind("inproc://taken"),
        Err(Error::AddressInUse(_))
    ));
}

/// One error for an address in use, naming the endpoint, on every
/// transport: a tcp port, an abstract ipc name, an inproc name.
#[tokio::test]
async fn address_in_use_is_one_error_on_every_transport() {
    let ctx = Context::new().expect("ctx");
    let first = ctx.socket(SocketType::Pull).expect("pull");
    first.bind("tcp://127.0.0.1:*").expect("bind tcp");
    let tcp = first.last_endpoint();
    let abstract_name = format!("ipc://@zmtp-in-use-{}", std::process::id());
    first.bind(&abstract_name).expect("bind ipc");
    first.bind("inproc://in-use").expect("bind inproc");
    let second = ctx.socket(SocketType::Pull).expect("pull");
    for ep in [tcp.as_str(), abstract_name.as_str(), "inproc://in-use"] {
        match second.bind(ep) {
            Err(e @ Error::AddressInUse(_)) => {
                assert!(matches!(&e, Error::AddressInUse(at) if at == ep));
                assert_eq!(e.fault(), Fault::Application);
                assert!(e.to_string().contains(ep), "{e}");
            }
            other => panic!("{ep}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn disconnect_stops_delivery_to_that_peer() {
    let ctx = Context::new().expect("ctx");
    let a = ctx.socket(SocketType::Pull).expect("pull");
    let b = ctx.socket(SocketType::Pull).expect("pull");
    a.bind("inproc://dis-a").expect("bind");
    b.bind("inproc://dis-b").expect("bind");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.connect("inproc://dis-a").expect("connect");
    push.connect("inproc://dis-b").expect("connect");
    push.disconnect("inproc://dis-a").expect("disconnect");
    for i in 0..4 {
        push.send(format!("{i}"))
            .within("send")
            .await
            .expect("send");
    }
    for i in 0..4 {
        assert_eq!(
            text(&b.recv().within("recv").await.expect("recv")),
            i.to_string()
        );
    }
    assert!(matches!(a.try_recv(), Err(Error::WouldBlock)));
}

#[test]
fn sockets_and_contexts_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<zmtp::Socket>();
    send_sync::<Context>();
    send_sync::<zmtp::Monitor>();
    send_sync::<Error>();
}

#[tokio::test]
async fn unbind_frees_a_tcp_port_at_once() {
    let ctx = Context::new().expect("ctx");
    let a = ctx.socket(SocketType::Pull).expect("pull");
    a.bind("tcp://127.0.0.1:*").expect("bind");
    let ep = a.last_endpoint();
    a.unbind(&ep).expect("unbind");
    let b = ctx.socket(SocketType::Pull).expect("pull");
    // Only a process outside this test could take the port meanwhile.
    match b.bind(&ep) {
        Ok(()) => assert_eq!(b.last_endpoint(), ep),
        Err(e) => eprintln!("port taken by another process: {e}"),
    }
}

#[tokio::test]
async fn xsub_xpub_forwarder_passes_subscriptions_and_messages() {
    let ctx = Context::new().expect("ctx");
    let publisher = ctx.socket(SocketType::Pub).expect("pub");
    publisher.bind("inproc://fwd-in").expect("bind");
    let xsub = ctx.socket(SocketType::XSub).expect("xsub");
    xsub.connect("inproc://fwd-in").expect("connect");
    let xpub = ctx.socket(SocketType::XPub).expect("xpub");
    xpub.bind("tcp://127.0.0.1:*").expect("bind");
    let sub = ctx.socket(SocketType::Sub).expect("sub");
    sub.connect(&xpub.last_endpoint()).expect("connect");
    sub.subscribe("news").expect("subscribe");
    let forwarder = tokio::spawn(async move {
        let _ = zmtp::proxy(&xsub, &xpub, None).await;
    });
    // Publish until the subscription has travelled SUB -> XPUB -> XSUB ->
    // PUB and a matching message came back.
    within("the subscription to reach the publisher", async {
        loop {
            publisher
                .send("sports 1")
                .within("send")
                .await
                .expect("send");
            publisher.send("news 1").within("send").await.expect("send");
            if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_millis(20), sub.recv()).await {
                assert_eq!(text(&m), "news 1");
                break;
            }
        }
    })
    .await;
    forwarder.abort();
}

#[tokio::test]
async fn connect_from_a_source_address() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    let mut mon = pull.monitor();
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    // A free local port to connect from.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("probe");
    let src = probe.local_addr().expect("addr").port();
    drop(probe);
    let dst = pull.last_endpoint();
    let push = ctx.socket(SocketType::Push).expect("push");
    push.connect(&format!(
        "tcp://127.0.0.1:{src};{}",
        dst.trim_start_matches("tcp://")
    ))
    .expect("connect");
    let e = event_where(&mut mon, "the Accepted event", |e| {
        e.kind == MonitorEventKind::Accepted
    })
    .await;
    assert_eq!(e.peer_address, Some(format!("tcp://127.0.0.1:{src}")));
}

#[tokio::test]
async fn bind_failed_and_closed_events() {
    let ctx = Context::new().expect("ctx");
    let a = ctx.socket(SocketType::Pull).expect("pull");
    a.bind("tcp://127.0.0.1:*").expect("bind");
    let ep = a.last_endpoint();
    let b = ctx.socket(SocketType::Pull).expect("pull");
    let mut bmon = b.monitor();
    assert!(matches!(b.bind(&ep), Err(Error::AddressInUse(at)) if at == ep));
    assert!(matches!(
        bmon.next().within("event").await.expect("event").kind,
        MonitorEventKind::BindFailed(_)
    ));
    let mut amon = a.monitor();
    a.unbind(&ep).expect("unbind");
    let e = amon.next().within("event").await.expect("event");
    assert_eq!((e.kind, e.endpoint), (MonitorEventKind::Closed, ep));
}

/// `tokio::select!` over `recv()` and a timer, as in examples/select.rs:
/// the branch that loses drops its `recv()` future, and no message is lost.
#[tokio::test]
async fn select_over_recv_loses_no_message() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    pull.bind("inproc://select").expect("bind");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.connect("inproc://select").expect("connect");
    let mut got = Vec::new();
    let mut timer_won = 0;
    for n in 0..20 {
        if n % 2 == 0 {
            push.send(zmtp::msg!["n", n.to_string()])
                .within("send")
                .await
                .expect("send");
        }
        tokio::select! {
            m = pull.recv() => got.push(text(&m.expect("recv"))),
            () = tokio::time::sleep(Duration::from_millis(5)) => timer_won += 1,
        }
    }
    while got.len() < 10 {
        got.push(text(&pull.recv().within("recv").await.expect("recv")));
    }
    let want: Vec<String> = (0..20).step_by(2).map(|n| format!("n|{n}")).collect();
    assert_eq!(got, want);
    assert!(timer_won > 0);
}
