//! Handshakes through the machine against this project's implementation:
//! NULL, PLAIN and CURVE complete and carry a message; a tampered READY
//! is refused; what follows the handshake stays unread.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::time::timeout;
use zmtp::security::zap::{FnAuthenticator, StatusCode, ZapRequest};
use zmtp::{Context, Socket, opt};
use zmtp_spec::connection::{Config, PacketKind, Side, Tamper};
use zmtp_spec::security::{Curve, Plain, Zap};
use zmtp_spec::wire::view::{CommandView, FrameView};
use zmtp_spec::{Message, SocketType};

use super::{HandshakeError, honest, machine};
use crate::peer::RawPeer;
use crate::wirelog::WireLog;

const WAIT: Duration = Duration::from_secs(5);

fn bound(ctx: &Context, kind: SocketType, setup: impl FnOnce(&Socket)) -> (Socket, String) {
    let s = ctx.socket(kind).expect("socket");
    s.set(opt::Linger, Some(Duration::ZERO)).expect("linger");
    setup(&s);
    s.bind("tcp://127.0.0.1:*").expect("bind");
    let ep = s.last_endpoint();
    (s, ep)
}

async fn recv(s: &Socket) -> Message {
    timeout(WAIT, s.recv())
        .await
        .expect("in time")
        .expect("a message")
}

#[tokio::test]
async fn null_handshake_then_a_raw_message() {
    let ctx = Context::new().expect("context");
    let (pull, ep) = bound(&ctx, SocketType::Pull, |_| {});
    let log = WireLog::new();
    let mut peer = RawPeer::connect(&ep, WAIT, &log, "raw")
        .await
        .expect("connect");
    let mut conn = machine(Config::new(SocketType::Push), Side::Client).expect("valid");
    let h = peer
        .handshake_through(&mut conn, &mut honest, WAIT)
        .await
        .expect("a handshake");
    assert_eq!(h.greeting.len(), 64, "a 3.1 greeting");
    assert_eq!(h.peer.socket_type, Some(SocketType::Pull));
    let ready = h.frames.last().expect("its READY");
    assert_eq!(ready.command_name().as_deref(), Some(&b"READY"[..]));
    conn.send_message(Message::from_frames([Bytes::from_static(b"hi")]))
        .expect("active");
    peer.flush(&mut conn, &mut honest).await.expect("sent");
    assert_eq!(recv(&pull).await.frames()[0], b"hi"[..]);
}

#[tokio::test]
async fn plain_handshake_with_the_machine() {
    let ctx = Context::new().expect("context");
    let (pull, ep) = bound(&ctx, SocketType::Pull, |s| {
        s.set(opt::PlainServer, true).expect("plain server");
        // Without a ZAP handler a PLAIN server refuses everyone.
        s.set_authenticator(Some(Arc::new(FnAuthenticator(|r: &ZapRequest| {
            if r.credentials.first().is_some_and(|u| u[..] == b"admin"[..]) {
                r.accept("admin")
            } else {
                r.refuse(StatusCode::AuthenticationFailure, "unknown user")
            }
        }))));
    });
    let log = WireLog::new();
    let mut peer = RawPeer::connect(&ep, WAIT, &log, "raw")
        .await
        .expect("connect");
    let mut config = Config::new(SocketType::Push);
    config.mechanism = Arc::new(Plain::client("admin", "secret").expect("valid"));
    let mut conn = machine(config, Side::Client).expect("valid");
    let mut names = Vec::new();
    let mut watch = |p: &zmtp_spec::connection::Packet| {
        if let PacketKind::Command { name, .. } = &p.kind {
            names.push(name.clone());
        }
        Tamper::Send
    };
    peer.handshake_through(&mut conn, &mut watch, WAIT)
        .await
        .expect("a handshake");
    assert_eq!(names, [&b"HELLO"[..], &b"INITIATE"[..]]);
    conn.send_message(Message::from_frames([Bytes::from_static(b"in")]))
        .expect("active");
    peer.flush(&mut conn, &mut honest).await.expect("sent");
    assert_eq!(recv(&pull).await.frames()[0], b"in"[..]);
}

#[tokio::test]
async fn curve_handshake_and_a_boxed_message() {
    let ctx = Context::new().expect("context");
    let server_keys = zmtp::curve_keypair();
    let secret = Bytes::from(server_keys.secret().to_z85().to_string());
    let (pull, ep) = bound(&ctx, SocketType::Pull, |s| {
        s.set(opt::CurveServer, true).expect("curve server");
        s.set(opt::CurveSecretKey, secret).expect("key");
    });
    let log = WireLog::new();
    let mut peer = RawPeer::connect(&ep, WAIT, &log, "raw")
        .await
        .expect("connect");
    let mut config = Config::new(SocketType::Push);
    config.mechanism = Arc::new(Curve::client(zmtp::curve_keypair(), *server_keys.public()));
    let mut conn = machine(config, Side::Client).expect("valid");
    peer.handshake_through(&mut conn, &mut honest, WAIT)
        .await
        .expect("a handshake");
    conn.send_message(Message::from_frames([Bytes::from_static(b"secret")]))
        .expect("active");
    peer.flush(&mut conn, &mut honest).await.expect("sent");
    assert_eq!(recv(&pull).await.frames()[0], b"secret"[..]);
}

#[tokio::test]
async fn a_curve_server_lends_its_cookie_jar() {
    let ctx = Context::new().expect("context");
    let server_keys = zmtp::curve_keypair();
    let listener = crate::peer::RawListener::bind_at("tcp://127.0.0.1:0", &WireLog::new(), "raw")
        .await
        .expect("listen");
    let push = ctx.socket(SocketType::Push).expect("socket");
    push.set(opt::Linger, Some(Duration::ZERO)).expect("linger");
    let client_keys = zmtp::curve_keypair();
    push.set(
        opt::CurveServerKey,
        Bytes::from(server_keys.public().to_z85()),
    )
    .expect("key");
    push.set(
        opt::CurvePublicKey,
        Bytes::from(client_keys.public().to_z85()),
    )
    .expect("key");
    push.set(
        opt::CurveSecretKey,
        Bytes::from(client_keys.secret().to_z85().to_string()),
    )
    .expect("key");
    push.connect(listener.endpoint()).expect("connect");
    let mut peer = listener.accept(WAIT, "raw").await.expect("accepted");
    let mut config = Config::new(SocketType::Pull);
    config.mechanism = Arc::new(Curve::server(server_keys, Zap::default()));
    let mut conn = machine(config, Side::Server).expect("valid");
    peer.handshake_through(&mut conn, &mut honest, WAIT)
        .await
        .expect("a handshake");
    timeout(
        WAIT,
        push.send(Message::from_frames([Bytes::from_static(b"up")])),
    )
    .await
    .expect("in time")
    .expect("sent");
    let mut got = None;
    for _ in 0..50 {
        let (octets, _) = peer.read_for(Duration::from_millis(100)).await;
        conn.handle_bytes(std::time::Instant::now(), &octets);
        if let Some(zmtp_spec::connection::Event::Message(m)) = conn.poll_event() {
            got = Some(m);
            break;
        }
    }
    assert_eq!(got.expect("a message").frames()[0], b"up"[..]);
}

#[tokio::test]
async fn a_ready_tampered_to_an_incompatible_type_is_refused() {
    let ctx = Context::new().expect("context");
    let (_pull, ep) = bound(&ctx, SocketType::Pull, |_| {});
    let log = WireLog::new();
    let mut peer = RawPeer::connect(&ep, WAIT, &log, "raw")
        .await
        .expect("connect");
    let mut conn = machine(Config::new(SocketType::Push), Side::Client).expect("valid");
    // PULL has as many octets as PUSH: every length stays valid, and a
    // PULL cannot talk to a PULL.
    let mut tamper = |p: &zmtp_spec::connection::Packet| match &p.kind {
        PacketKind::Command { name, .. } if name[..] == b"READY"[..] => {
            Tamper::Mutate(Box::new(|octets: &mut BytesMut| {
                let mut frame = FrameView::new(&mut octets[..]);
                let mut ready = CommandView::new(frame.body_mut().expect("a whole frame"));
                let mut md = ready.metadata_mut().expect("a name");
                let mut st = md.property_mut(0).expect("Socket-Type");
                st.value_mut().expect("a value").copy_from_slice(b"PULL");
            }))
        }
        _ => Tamper::Send,
    };
    let r = peer.handshake_through(&mut conn, &mut tamper, WAIT).await;
    assert!(
        matches!(r, Err(HandshakeError::Refused(_) | HandshakeError::Wire(_))),
        "{r:?}"
    );
}

/// An implementation that answers with a valid greeting, then a frame
/// declaring 2^62 octets: the handshake fails within its wait, and the
/// raw peer holds only what arrived (the declared size allocates
/// nothing).
#[tokio::test]
async fn a_huge_declared_frame_ends_the_handshake_in_time() {
    use tokio::io::AsyncWriteExt;
    use zmtp_spec::wire::view::{FrameBuilder, GreetingBuilder};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let ep = format!("tcp://{}", listener.local_addr().expect("addr"));
    let fake = tokio::spawn(async move {
        let (mut s, _) = timeout(WAIT, listener.accept())
            .await
            .expect("in time")
            .expect("accept");
        let mut out = GreetingBuilder::new().build().to_vec();
        out.extend(FrameBuilder::command(b"\x05READY").size(1 << 62).build());
        let _ = timeout(WAIT, s.write_all(&out)).await;
        // Keep the connection open past the raw peer's wait.
        tokio::time::sleep(Duration::from_secs(3)).await;
    });
    let log = WireLog::new();
    let mut peer = RawPeer::connect(&ep, WAIT, &log, "raw")
        .await
        .expect("connect");
    let mut conn = machine(Config::new(SocketType::Push), Side::Client).expect("valid");
    let started = std::time::Instant::now();
    let r = peer
        .handshake_through(&mut conn, &mut honest, Duration::from_millis(500))
        .await;
    assert!(
        matches!(
            r,
            Err(HandshakeError::Wire(crate::peer::PeerError::Timeout))
        ),
        "{r:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    fake.abort();
}
