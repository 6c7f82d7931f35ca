//! Peers that misbehave (issue 4 §8): garbage, an oversize frame, a wrong
//! socket type, an ERROR command, a stalled handshake. Each is
//! disconnected with a typed error and a monitor event, and the socket
//! keeps serving its other peers.

#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use raw::bounded::{Within, event_where};
use std::time::Duration;

use raw::{greeting, ready};
use zmtp::error::{ConnectionError, PeerError, PeerFault, Timeout};
use zmtp::{Context, Error, Fault, MonitorEvent, MonitorEventKind, Socket, SocketType, opt};

/// A ROUTER serving a well-behaved DEALER, and the ROUTER's monitor.
async fn server(ctx: &Context) -> (Socket, Socket, zmtp::Monitor) {
    let router = ctx.socket(SocketType::Router).expect("router");
    router.set(opt::MaxMsgSize, Some(1000)).expect("maxmsgsize");
    router
        .set(opt::HandshakeIvl, Some(Duration::from_millis(50)))
        .expect("handshake ivl");
    router.bind("tcp://127.0.0.1:*").expect("bind");
    let good = ctx.socket(SocketType::Dealer).expect("dealer");
    good.set(opt::RoutingId, zmtp::Bytes::from_static(b"good"))
        .expect("id");
    good.connect(&router.last_endpoint()).expect("connect");
    let mon = router.monitor();
    (router, good, mon)
}

/// The good peer still gets through.
async fn still_serving(router: &Socket, good: &Socket) {
    good.send("still there?")
        .within("send")
        .await
        .expect("send");
    let m = router.recv().within("recv").await.expect("recv");
    assert_eq!(m.frames()[0], "good");
    router.send(m).within("send").await.expect("echo");
    assert_eq!(
        good.recv().within("recv").await.expect("reply").frames()[0],
        "still there?"
    );
}

async fn failure(mon: &mut zmtp::Monitor) -> MonitorEvent {
    event_where(mon, "a failure on the router's monitor", |e| {
        matches!(
            e.kind,
            MonitorEventKind::HandshakeFailedProtocol(_)
                | MonitorEventKind::HandshakeFailedNoDetail(_)
                | MonitorEventKind::Disconnected
        ) && e.error.is_some()
    })
    .await
}

async fn raw_to(router: &Socket) -> raw::Raw {
    let ep = router.last_endpoint();
    let addr = ep.trim_start_matches("tcp://");
    raw::Raw {
        stream: tokio::net::TcpStream::connect(addr)
            .within("a connection to the router")
            .await
            .expect("connect"),
    }
}

#[tokio::test]
async fn garbage_is_a_protocol_failure() {
    let ctx = Context::new().expect("ctx");
    let (router, good, mut mon) = server(&ctx).await;
    let mut raw = raw_to(&router).await;
    // A greeting, then a message frame where READY must come (G05).
    let mut noise = greeting();
    noise.extend([0x00, 3, b'a', b'b', b'c']);
    raw.send(&noise).await;
    let e = failure(&mut mon).await;
    assert!(matches!(
        e.kind,
        MonitorEventKind::HandshakeFailedProtocol(_)
    ));
    assert!(matches!(e.error, Some(ConnectionError::Peer(_))));
    assert!(raw.read_until_eof().await);
    still_serving(&router, &good).await;
}

#[tokio::test]
async fn an_oversize_frame_disconnects_without_allocating_it() {
    let ctx = Context::new().expect("ctx");
    let (router, good, mut mon) = server(&ctx).await;
    let mut raw = raw_to(&router).await;
    raw.send(&greeting()).await;
    raw.send(&ready(b"DEALER")).await;
    // A long frame declaring 2^40 octets.
    let mut frame = vec![0x02];
    frame.extend((1u64 << 40).to_be_bytes());
    raw.send(&frame).await;
    let e = failure(&mut mon).await;
    assert!(matches!(
        e.error,
        Some(ConnectionError::Peer(PeerError::Malformed(_)))
    ));
    assert!(raw.read_until_eof().await);
    still_serving(&router, &good).await;
}

#[tokio::test]
async fn a_wrong_socket_type_is_refused() {
    let ctx = Context::new().expect("ctx");
    let (router, good, mut mon) = server(&ctx).await;
    let mut raw = raw_to(&router).await;
    raw.send(&greeting()).await;
    raw.send(&ready(b"PUB")).await;
    let e = failure(&mut mon).await;
    assert!(matches!(
        e.error,
        Some(ConnectionError::Peer(PeerError::InvalidSocketType(_)))
    ));
    // The same, as the crate's error: the peer's fault, the rule it broke
    // as the source.
    let error = e.to_error().expect("a peer error");
    assert_eq!(error.fault(), Fault::Peer);
    assert!(matches!(
        error,
        Error::Peer(PeerFault::Misbehaved(PeerError::InvalidSocketType(_)))
    ));
    let source = std::error::Error::source(&error).expect("the peer error");
    assert!(source.to_string().contains("37-R33"), "{source}");
    assert!(raw.read_until_eof().await);
    still_serving(&router, &good).await;
}

#[tokio::test]
async fn an_error_command_ends_the_connection() {
    let ctx = Context::new().expect("ctx");
    let (router, good, mut mon) = server(&ctx).await;
    let mut raw = raw_to(&router).await;
    raw.handshake(b"DEALER").await;
    // ERROR "bye" (37-R16).
    raw.send(&[
        0x04, 10, 5, b'E', b'R', b'R', b'O', b'R', 3, b'b', b'y', b'e',
    ])
    .await;
    let e = failure(&mut mon).await;
    assert_eq!(e.kind, MonitorEventKind::Disconnected);
    assert!(matches!(e.error, Some(ConnectionError::ErrorReceived(ref r)) if r.as_ref() == b"bye"));
    // The peer's reason reaches the crate's error.
    assert!(matches!(
        e.to_error(),
        Some(Error::Peer(PeerFault::Refused(ref r))) if r.as_ref() == b"bye"
    ));
    assert!(raw.read_until_eof().await);
    still_serving(&router, &good).await;
}

#[tokio::test]
async fn a_stalled_handshake_times_out() {
    let ctx = Context::new().expect("ctx");
    let (router, good, mut mon) = server(&ctx).await;
    let mut raw = raw_to(&router).await;
    // Half a greeting, then silence.
    raw.send(&greeting()[..12]).await;
    let e = failure(&mut mon).await;
    assert!(matches!(
        e.error,
        Some(ConnectionError::Timeout(Timeout::Handshake))
    ));
    assert!(matches!(
        e.to_error(),
        Some(Error::Peer(PeerFault::Silent(Timeout::Handshake)))
    ));
    assert!(raw.read_until_eof().await);
    still_serving(&router, &good).await;
}

#[tokio::test]
async fn memory_stays_bounded_by_maxmsgsize_for_many_frames() {
    // A peer streaming one message of many small frames past MAXMSGSIZE
    // is cut off once the total passes the limit.
    let ctx = Context::new().expect("ctx");
    let (router, good, mut mon) = server(&ctx).await;
    let mut raw = raw_to(&router).await;
    raw.send(&greeting()).await;
    raw.send(&ready(b"DEALER")).await;
    let mut frames = Vec::new();
    for _ in 0..200 {
        frames.extend([0x01, 10]);
        frames.extend([b'z'; 10]);
    }
    raw.send(&frames).await;
    let e = failure(&mut mon).await;
    assert!(matches!(e.error, Some(ConnectionError::Peer(_))));
    assert!(raw.read_until_eof().await);
    still_serving(&router, &good).await;
}

#[tokio::test]
async fn bytes_that_look_like_zmtp_1_0_then_stall_time_out() {
    // "GET ..." reads as a ZMTP 1.0 identity frame of 71 octets that
    // never completes: the handshake timer ends it.
    let ctx = Context::new().expect("ctx");
    let (router, good, mut mon) = server(&ctx).await;
    let mut raw = raw_to(&router).await;
    raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let e = failure(&mut mon).await;
    assert!(matches!(
        e.error,
        Some(ConnectionError::Timeout(Timeout::Handshake))
    ));
    assert!(raw.read_until_eof().await);
    still_serving(&router, &good).await;
}
