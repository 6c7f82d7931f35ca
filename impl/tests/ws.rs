//! ws:// and wss:// (ZWS 2.0, RFC 45): our sockets to each other for every
//! socket type pair and security mechanism, TLS from the ZMQ_WSS_*
//! options, a raw WebSocket peer (tokio-tungstenite) whose messages come
//! from zmtp-spec's ZWS encoder and lenient builder, and libzmq where an
//! installed pyzmq has the ws transport (pyzmq 4.3.5's does not: the test
//! says so). The libzmq with ws that does build here, the `zmq` crate's
//! 4.3.4, is exercised by `perf/compare -- ws-interop` (that workspace
//! builds it; this one never builds libzmq), which CI runs.

// A test fails by panicking.
#![allow(clippy::unwrap_used)]

#[path = "common/bounded.rs"]
#[allow(dead_code)]
mod bounded;
#[path = "common/child.rs"]
#[allow(dead_code)]
mod child;
#[path = "common/pyzmq.rs"]
mod pyzmq;

use std::sync::Arc;
use std::time::Duration;

use bounded::{Within, within};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self as ws, Message as WsMessage};
use zmtp::{Bytes, Context, Message, Socket, SocketType, opt};
use zmtp_spec::security::Authenticator;
use zmtp_spec::security::zap::{FnAuthenticator, StatusCode, ZapRequest};
use zmtp_spec::wire::view::ZwsBuilder;
use zmtp_spec::wire::zws::{Subprotocol, ZwsFrame};
use zmtp_spec::wire::{Command, Encode, FrameKind, Metadata};

fn pair(ctx: &Context, a: SocketType, b: SocketType, endpoint: &str) -> (Socket, Socket) {
    let x = ctx.socket(a).unwrap();
    let y = ctx.socket(b).unwrap();
    x.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    y.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    x.bind(endpoint).unwrap();
    y.connect(&x.last_endpoint()).unwrap();
    (x, y)
}

#[test]
fn ws_endpoints_parse_and_bind_with_the_port_resolved() {
    let ctx = Context::new().unwrap();
    let s = ctx.socket(SocketType::Pull).unwrap();
    s.bind("ws://127.0.0.1:*/feed").unwrap();
    let last = s.last_endpoint();
    assert!(last.starts_with("ws://127.0.0.1:"), "{last}");
    assert!(last.ends_with("/feed"), "{last}");
    assert!(!last.contains(":*"), "{last}");
    // wss without a certificate cannot bind.
    let t = ctx.socket(SocketType::Pull).unwrap();
    assert!(matches!(
        t.bind("wss://127.0.0.1:*"),
        Err(zmtp::Error::InvalidOption { .. })
    ));
    assert!(s.connect("ws://*:5555/").is_err());
}

#[tokio::test]
async fn every_socket_type_pair_over_ws() {
    let ctx = Context::new().unwrap();
    let ep = "ws://127.0.0.1:*/zmq";
    let (pull, push) = pair(&ctx, SocketType::Pull, SocketType::Push, ep);
    push.send("p").within("push").await.unwrap();
    assert_eq!(pull.recv().within("pull").await.unwrap().frames()[0], "p");

    let (rep, req) = pair(&ctx, SocketType::Rep, SocketType::Req, ep);
    req.send(Message::from_frames([
        Bytes::from_static(b"a"),
        Bytes::from_static(b"b"),
    ]))
    .within("request")
    .await
    .unwrap();
    let got = rep.recv().within("request").await.unwrap();
    assert_eq!(got.len(), 2);
    rep.send("r").within("reply").await.unwrap();
    assert_eq!(req.recv().within("reply").await.unwrap().frames()[0], "r");

    let (router, dealer) = pair(&ctx, SocketType::Router, SocketType::Dealer, ep);
    dealer.set(opt::RoutingId, Bytes::from_static(b"d1")).ok();
    dealer.send("hi").within("dealer").await.unwrap();
    let got = router.recv().within("router").await.unwrap();
    assert_eq!(got.frames()[1], "hi");
    router.send(got).within("echo").await.unwrap();
    assert_eq!(
        dealer.recv().within("echo").await.unwrap().frames()[0],
        "hi"
    );

    for (publisher, subscriber) in [
        (SocketType::Pub, SocketType::Sub),
        (SocketType::XPub, SocketType::XSub),
    ] {
        let (publ, sub) = pair(&ctx, publisher, subscriber, ep);
        if subscriber == SocketType::Sub {
            sub.subscribe("news").unwrap();
        } else {
            sub.send(Bytes::from_static(b"\x01news"))
                .within("subscribe")
                .await
                .unwrap();
        }
        within("the subscription to arrive", async {
            loop {
                publ.send("news 1").within("publish").await.unwrap();
                if let Ok(Ok(m)) =
                    tokio::time::timeout(Duration::from_millis(100), sub.recv()).await
                {
                    assert_eq!(m.frames()[0], "news 1");
                    return;
                }
            }
        })
        .await;
    }

    let (a, b) = pair(&ctx, SocketType::Pair, SocketType::Pair, ep);
    b.send("pair").within("pair").await.unwrap();
    assert_eq!(a.recv().within("pair").await.unwrap().frames()[0], "pair");

    let (server, client) = pair(&ctx, SocketType::Server, SocketType::Client, ep);
    client.send("c").within("client").await.unwrap();
    let (id, m) = server.recv_from().within("server").await.unwrap();
    assert_eq!(m.frames()[0], "c");
    server.send_to(id, "s").within("server").await.unwrap();
    assert_eq!(
        client.recv().within("client").await.unwrap().frames()[0],
        "s"
    );

    let (dish, radio) = pair(&ctx, SocketType::Dish, SocketType::Radio, ep);
    dish.join(Bytes::from_static(b"g")).unwrap();
    within("the JOIN to arrive", async {
        loop {
            radio.send_group(Bytes::from_static(b"g"), "body").unwrap();
            if let Ok(Ok((group, m))) =
                tokio::time::timeout(Duration::from_millis(100), dish.recv_group()).await
            {
                assert_eq!(&group[..], b"g");
                assert_eq!(m.frames()[0], "body");
                return;
            }
        }
    })
    .await;
}

fn authenticator() -> Arc<dyn Authenticator> {
    Arc::new(FnAuthenticator(move |r: &ZapRequest| {
        match &r.mechanism[..] {
            b"PLAIN" if r.credentials == [&b"admin"[..], &b"secret"[..]] => r.accept("admin"),
            b"CURVE" => r.accept("curve"),
            _ => r.refuse(StatusCode::AuthenticationFailure, "no"),
        }
    }))
}

#[tokio::test]
async fn plain_and_curve_over_ws() {
    let ctx = Context::new().unwrap();
    // PLAIN: good credentials cross, with the ZAP User-Id.
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set(opt::PlainServer, true).unwrap();
    pull.set_authenticator(Some(authenticator()));
    pull.bind("ws://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    push.set(opt::PlainUsername, Bytes::from_static(b"admin"))
        .unwrap();
    push.set(opt::PlainPassword, Bytes::from_static(b"secret"))
        .unwrap();
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("plain").within("send").await.unwrap();
    let got = pull.recv().within("recv").await.unwrap();
    assert_eq!(got.frames()[0], "plain");
    assert_eq!(got.property("User-Id").map(|v| &v[..]), Some(&b"admin"[..]));

    // A NULL client offers no PLAIN subprotocol: the upgrade is refused
    // and nothing crosses (45-R08).
    let null = ctx.socket(SocketType::Push).unwrap();
    null.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    null.connect(&pull.last_endpoint()).unwrap();
    null.send("must not cross").within("queue").await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), pull.recv())
            .await
            .is_err()
    );

    // CURVE.
    let server_keys = zmtp::curve_keypair();
    let client_keys = zmtp::curve_keypair();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set(opt::CurveServer, true).unwrap();
    pull.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&server_keys.secret().to_bytes()[..]),
    )
    .unwrap();
    pull.set_authenticator(Some(authenticator()));
    pull.bind("ws://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    push.set(
        opt::CurveServerKey,
        Bytes::copy_from_slice(server_keys.public().as_bytes()),
    )
    .unwrap();
    push.set(
        opt::CurvePublicKey,
        Bytes::copy_from_slice(client_keys.public().as_bytes()),
    )
    .unwrap();
    push.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&client_keys.secret().to_bytes()[..]),
    )
    .unwrap();
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("curve").within("send").await.unwrap();
    let got = pull.recv().within("recv").await.unwrap();
    assert_eq!(got.frames()[0], "curve");
    assert_eq!(got.property("User-Id").map(|v| &v[..]), Some(&b"curve"[..]));
}

/// A self-signed certificate for `localhost`, and its key, as PEM.
fn certificate() -> (String, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    (cert.cert.pem(), cert.signing_key.serialize_pem())
}

#[tokio::test]
async fn wss_with_the_wss_options() {
    let (cert, key) = certificate();
    let ctx = Context::new().unwrap();
    let rep = ctx.socket(SocketType::Rep).unwrap();
    rep.set(opt::WssCertPem, Bytes::from(cert.clone())).unwrap();
    rep.set(opt::WssKeyPem, Bytes::from(key)).unwrap();
    rep.bind("wss://127.0.0.1:*/secure").unwrap();
    let ep = rep.last_endpoint();
    assert!(ep.starts_with("wss://"), "{ep}");
    let req = ctx.socket(SocketType::Req).unwrap();
    req.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    req.set(opt::WssTrustPem, Bytes::from(cert.clone()))
        .unwrap();
    req.set(opt::WssHostname, Some("localhost".to_owned()))
        .unwrap();
    req.connect(&ep).unwrap();
    req.send("over tls").within("send").await.unwrap();
    assert_eq!(
        rep.recv().within("recv").await.unwrap().frames()[0],
        "over tls"
    );
    rep.send("back").within("reply").await.unwrap();
    assert_eq!(
        req.recv().within("reply").await.unwrap().frames()[0],
        "back"
    );

    // A client that trusts nothing never gets through.
    let untrusting = ctx.socket(SocketType::Req).unwrap();
    untrusting.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    untrusting
        .set(opt::WssHostname, Some("localhost".to_owned()))
        .unwrap();
    untrusting.connect(&ep).unwrap();
    untrusting.send("refused").within("queue").await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), untrusting.recv())
            .await
            .is_err()
    );
    // Bad PEM is refused at bind.
    let bad = ctx.socket(SocketType::Rep).unwrap();
    bad.set(opt::WssCertPem, Bytes::from_static(b"not pem"))
        .unwrap();
    bad.set(opt::WssKeyPem, Bytes::from_static(b"not pem"))
        .unwrap();
    assert!(matches!(
        bad.bind("wss://127.0.0.1:*"),
        Err(zmtp::Error::InvalidOption { .. })
    ));
}

/// Set in the child run of [`wss_trusts_the_system_store_with_trust_system`]:
/// the PEM file it was given as the system's store (SSL_CERT_FILE).
const SYSTEM_STORE_CHILD: &str = "ZMTP_WS_SYSTEM_STORE_CHILD";

/// ZMQ_WSS_TRUST_SYSTEM: the test runs itself again with SSL_CERT_FILE
/// naming a store that holds only a fresh self-signed certificate (so the
/// environment of this process is never changed); in that run a client
/// with no ZMQ_WSS_TRUST_PEM reaches the server only with TRUST_SYSTEM
/// set.
#[tokio::test]
async fn wss_trusts_the_system_store_with_trust_system() {
    let Ok(store) = std::env::var(SYSTEM_STORE_CHILD) else {
        let (cert, key) = certificate();
        let dir = std::env::temp_dir().join(format!("zmtp-ws-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("store.pem"), &cert).unwrap();
        std::fs::write(dir.join("key.pem"), &key).unwrap();
        let out = child::output_within(
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "wss_trusts_the_system_store_with_trust_system",
                    "--nocapture",
                ])
                .env(SYSTEM_STORE_CHILD, &dir)
                .env("SSL_CERT_FILE", dir.join("store.pem"))
                .env("SSL_CERT_DIR", &dir),
            "the test's child run",
            Duration::from_secs(60),
        )
        .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 passed"),
            "child run: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    };
    let dir = std::path::PathBuf::from(store);
    let cert = std::fs::read(dir.join("store.pem")).unwrap();
    let key = std::fs::read(dir.join("key.pem")).unwrap();
    let ctx = Context::new().unwrap();
    let rep = ctx.socket(SocketType::Rep).unwrap();
    rep.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    rep.set(opt::WssCertPem, Bytes::from(cert)).unwrap();
    rep.set(opt::WssKeyPem, Bytes::from(key)).unwrap();
    rep.bind("wss://127.0.0.1:*/system").unwrap();
    let ep = rep.last_endpoint();
    let client = |trust_system: bool| {
        let req = ctx.socket(SocketType::Req).unwrap();
        req.set(opt::Linger, Some(Duration::ZERO)).unwrap();
        req.set(opt::WssHostname, Some("localhost".to_owned()))
            .unwrap();
        req.set(opt::WssTrustSystem, trust_system).unwrap();
        req.connect(&ep).unwrap();
        req
    };
    // Without TRUST_SYSTEM the store is not consulted: nothing gets through.
    let untrusting = client(false);
    untrusting.send("refused").within("queue").await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), rep.recv())
            .await
            .is_err(),
        "a client trusting nothing reached the server"
    );
    drop(untrusting);
    let trusting = client(true);
    trusting
        .send("via the system store")
        .within("send")
        .await
        .unwrap();
    assert_eq!(
        rep.recv().within("recv").await.unwrap().frames()[0],
        "via the system store"
    );
    rep.send("back").within("reply").await.unwrap();
    assert_eq!(
        trusting.recv().within("reply").await.unwrap().frames()[0],
        "back"
    );
}

// ---- a raw WebSocket peer ---------------------------------------------

type Raw = WebSocketStream<TcpStream>;

/// Upgrades to `endpoint` offering `protocols`.
async fn raw_connect(endpoint: &str, protocols: &str) -> ws::Result<(Raw, Option<String>)> {
    let mut request = endpoint.into_client_request()?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(protocols).unwrap(),
    );
    let address = endpoint
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let tcp = TcpStream::connect(address).within("tcp connect").await?;
    let (raw, response) = tokio_tungstenite::client_async(request, tcp)
        .within("the upgrade")
        .await?;
    let chosen = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok((raw, chosen))
}

/// A command as a ZWS message: spec's encoder writes the command, spec's
/// ZWS frame carries it.
fn command_message(command: &Command) -> WsMessage {
    let bytes = command.to_bytes().unwrap();
    // The ZMTP header (flags, size) comes off: ZWS has its own flags
    // octet and no size (45-R06).
    let frame = zmtp_spec::wire::frame::frame(&bytes).unwrap().1;
    WsMessage::Binary(
        ZwsFrame {
            kind: FrameKind::Command,
            body: frame.1,
        }
        .to_bytes(),
    )
}

async fn next_binary(raw: &mut Raw) -> Bytes {
    loop {
        match raw.next().within("a message").await {
            Some(Ok(WsMessage::Binary(b))) => return b,
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => {}
            other => panic!("expected a binary message, got {other:?}"),
        }
    }
}

/// The close frame's code, once the connection ends.
async fn close_code(raw: &mut Raw) -> Option<CloseCode> {
    loop {
        match raw.next().within("the close").await {
            Some(Ok(WsMessage::Close(frame))) => return frame.map(|f| f.code),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}

/// A NULL handshake as a raw peer: READY as a ZWS command, no greeting.
async fn raw_ready(endpoint: &str, socket_type: &str) -> Raw {
    let (mut raw, chosen) = raw_connect(endpoint, "ZWS2.0/NULL,ZWS2.0").await.unwrap();
    assert_eq!(chosen.as_deref(), Some("ZWS2.0/NULL"), "45-R03");
    let ready =
        Command::Ready(Metadata::new().with("Socket-Type", socket_type.as_bytes().to_vec()));
    raw.send(command_message(&ready))
        .within("READY")
        .await
        .unwrap();
    // The peer's first message is its READY command (45-R07).
    let theirs = next_binary(&mut raw).await;
    assert_eq!(theirs[0], 0x02);
    assert!(matches!(
        Command::parse(&theirs.slice(1..)),
        Ok(Command::Ready(_))
    ));
    raw
}

#[tokio::test]
async fn a_raw_peer_speaks_zws_with_us() {
    let ctx = Context::new().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("ws://127.0.0.1:*/raw").unwrap();
    let ep = pull.last_endpoint();
    let mut raw = raw_ready(&ep, "PUSH").await;
    // Two frames, two messages: 01 then 00 (45-R06).
    raw.send(WsMessage::Binary(Bytes::from_static(b"\x01one")))
        .within("send")
        .await
        .unwrap();
    raw.send(WsMessage::Binary(Bytes::from_static(b"\x00two")))
        .within("send")
        .await
        .unwrap();
    let got = pull.recv().within("recv").await.unwrap();
    assert_eq!(got.frames(), [&b"one"[..], &b"two"[..]]);

    // The bare ZWS2.0 subprotocol: routing ids first (45-R05).
    let (mut bare, chosen) = raw_connect(&ep, "ZWS2.0").await.unwrap();
    assert_eq!(chosen.as_deref(), Some("ZWS2.0"));
    bare.send(WsMessage::Binary(Bytes::from_static(b"\x00")))
        .within("identity")
        .await
        .unwrap();
    assert_eq!(&next_binary(&mut bare).await[..], b"\x00");
    bare.send(WsMessage::Binary(Bytes::from_static(b"\x00bare")))
        .within("send")
        .await
        .unwrap();
    assert_eq!(
        pull.recv().within("recv").await.unwrap().frames()[0],
        "bare"
    );

    // No ZWS subprotocol offered: refused (45-R08).
    assert!(matches!(
        raw_connect(&ep, "chat").await,
        Err(ws::Error::Http(r)) if r.status() == 400
    ));
}

#[tokio::test]
async fn malformed_zws_messages_end_the_connection_with_a_typed_close() {
    let ctx = Context::new().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set(opt::MaxMsgSize, Some(100)).unwrap();
    pull.bind("ws://127.0.0.1:*").unwrap();
    let ep = pull.last_endpoint();
    let cases: [(&str, WsMessage, CloseCode); 5] = [
        (
            "text message (45-R04)",
            WsMessage::Text("\u{0}hello".into()),
            CloseCode::Unsupported,
        ),
        (
            "empty message (45-R06)",
            WsMessage::Binary(ZwsBuilder::new().no_flags().build().into()),
            CloseCode::Protocol,
        ),
        (
            "ZMTP's command flag 04 (45-R06)",
            WsMessage::Binary(ZwsBuilder::new().flags(0x04).body(b"x").build().into()),
            CloseCode::Protocol,
        ),
        (
            "reserved flags (45-R06)",
            WsMessage::Binary(ZwsBuilder::new().flags(0x81).body(b"x").build().into()),
            CloseCode::Protocol,
        ),
        (
            "over MAXMSGSIZE",
            WsMessage::Binary(ZwsBuilder::new().body(&[7; 300]).build().into()),
            CloseCode::Size,
        ),
    ];
    for (what, message, code) in cases {
        let mut raw = raw_ready(&ep, "PUSH").await;
        raw.send(message).within(what).await.unwrap();
        assert_eq!(close_code(&mut raw).await, Some(code), "{what}");
    }
    // A malformed command (G08) is the machine's to refuse: ERROR, then
    // the close.
    let mut raw = raw_ready(&ep, "PUSH").await;
    raw.send(WsMessage::Binary(
        ZwsBuilder::command(b"\x00").build().into(),
    ))
    .within("bad command")
    .await
    .unwrap();
    let error = next_binary(&mut raw).await;
    assert!(matches!(
        Command::parse(&error.slice(1..)),
        Ok(Command::Error { .. })
    ));
    assert!(close_code(&mut raw).await.is_some());
    // Nothing malformed reached the application, and a good peer still
    // gets through.
    let mut raw = raw_ready(&ep, "PUSH").await;
    raw.send(WsMessage::Binary(Bytes::from_static(b"\x00ok")))
        .within("send")
        .await
        .unwrap();
    assert_eq!(pull.recv().within("recv").await.unwrap().frames()[0], "ok");
}

#[tokio::test]
async fn our_client_asks_for_the_host_path_and_subprotocols_45_r01_r02() {
    use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let ctx = Context::new().unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    push.connect(&format!("ws://127.0.0.1:{port}/a/b")).unwrap();
    let (tcp, _) = listener.accept().within("our connect").await.unwrap();
    let mut seen = None;
    let callback = |request: &Request, mut response: Response| {
        seen = Some((
            request.uri().path().to_owned(),
            request.headers().get("Host").cloned(),
            request.headers().get("Sec-WebSocket-Protocol").cloned(),
        ));
        response.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(Subprotocol::Null.name()),
        );
        Ok(response)
    };
    let mut raw = tokio_tungstenite::accept_hdr_async(tcp, callback)
        .within("the upgrade")
        .await
        .unwrap();
    let (path, host, protocols) = seen.unwrap();
    assert_eq!(path, "/a/b");
    assert_eq!(host.unwrap(), format!("127.0.0.1:{port}").as_str());
    assert_eq!(protocols.unwrap(), "ZWS2.0/NULL,ZWS2.0");
    // No greeting: READY first (45-R07).
    let first = loop {
        match raw.next().within("READY").await {
            Some(Ok(WsMessage::Binary(b))) => break b,
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(first[0], 0x02);
    assert!(matches!(
        Command::parse(&first.slice(1..)),
        Ok(Command::Ready(_))
    ));
}

/// libzmq with ws, where an installed build has it.
#[tokio::test]
async fn libzmq_over_ws_where_it_has_the_transport() {
    let Some(python) = pyzmq::python() else {
        return;
    };
    let mut probe = child::ChildGuard::spawn(
        std::process::Command::new(&python)
            .args(["-c", "import zmq; print(zmq.zmq_version(), zmq.has('ws'))"])
            .stdout(std::process::Stdio::piped()),
        "the ws probe",
    )
    .unwrap();
    probe.wait_within(Duration::from_secs(20));
    let mut out = String::new();
    std::io::Read::read_to_string(probe.child().stdout.as_mut().unwrap(), &mut out).unwrap();
    if !out.trim().ends_with("True") {
        eprintln!(
            "libzmq over ws skipped: the pyzmq at {} has libzmq {} built without ws \
             (zmq.has('ws') is False); ws is checked here between our sockets and \
             against a raw WebSocket peer, and against the zmq crate's libzmq 4.3.4 by \
             `cargo run --release --manifest-path perf/compare/Cargo.toml -- ws-interop`",
            python.display(),
            out.split_whitespace().next().unwrap_or("?")
        );
        return;
    }
    let ctx = Context::new().unwrap();
    let rep = ctx.socket(SocketType::Rep).unwrap();
    rep.bind("ws://127.0.0.1:*/zmq").unwrap();
    let script = format!(
        "import zmq\nc = zmq.Context()\ns = c.socket(zmq.REQ)\n\
         s.setsockopt(zmq.RCVTIMEO, 10000)\ns.setsockopt(zmq.SNDTIMEO, 10000)\n\
         s.setsockopt(zmq.LINGER, 0)\ns.connect('{}')\ns.send(b'ping')\n\
         assert s.recv() == b'pong'\n",
        rep.last_endpoint()
    );
    let mut peer = child::ChildGuard::spawn(
        std::process::Command::new(&python).args(["-c", &script]),
        "the libzmq REQ",
    )
    .unwrap();
    assert_eq!(
        rep.recv()
            .within("libzmq's request")
            .await
            .unwrap()
            .frames()[0],
        "ping"
    );
    rep.send("pong").within("reply").await.unwrap();
    assert!(peer.wait_within(Duration::from_secs(20)).success());
}

#[tokio::test]
async fn a_peer_that_drops_mid_upgrade_does_not_stop_the_listener() {
    use tokio::io::AsyncWriteExt;
    let ctx = Context::new().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("ws://127.0.0.1:*").unwrap();
    let ep = pull.last_endpoint();
    let address = ep
        .trim_start_matches("ws://")
        .trim_end_matches('/')
        .to_owned();
    // Half a request, then gone; garbage instead of a request.
    let mut half = TcpStream::connect(&address).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    drop(half);
    let mut junk = TcpStream::connect(&address).await.unwrap();
    junk.write_all(&[0xFF; 64]).await.unwrap();
    let mut raw = raw_ready(&ep, "PUSH").await;
    raw.send(WsMessage::Binary(Bytes::from_static(b"\x00fine")))
        .within("send")
        .await
        .unwrap();
    assert_eq!(
        pull.recv().within("recv").await.unwrap().frames()[0],
        "fine"
    );
    drop(junk);
}

#[tokio::test]
async fn a_fragmented_message_is_reassembled_as_rfc_6455_allows() {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let ctx = Context::new().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("ws://127.0.0.1:*").unwrap();
    let mut raw = raw_ready(&pull.last_endpoint(), "PUSH").await;
    let first = Frame::message(
        Bytes::from_static(b"\x00fr"),
        OpCode::Data(Data::Binary),
        false,
    );
    let rest = Frame::message(
        Bytes::from_static(b"ag"),
        OpCode::Data(Data::Continue),
        true,
    );
    for frame in [first, rest] {
        raw.send(WsMessage::Frame(frame))
            .within("a fragment")
            .await
            .unwrap();
    }
    assert_eq!(
        pull.recv().within("recv").await.unwrap().frames()[0],
        "frag"
    );
}

#[tokio::test]
async fn heartbeats_are_ping_commands_over_ws() {
    let ctx = Context::new().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set(opt::HeartbeatIvl, Some(Duration::from_millis(50)))
        .unwrap();
    pull.bind("ws://127.0.0.1:*").unwrap();
    let mut raw = raw_ready(&pull.last_endpoint(), "PUSH").await;
    let ping = next_binary(&mut raw).await;
    assert_eq!(ping[0], 0x02, "a ZWS command");
    assert!(matches!(
        Command::parse(&ping.slice(1..)),
        Ok(Command::Ping { .. })
    ));
}

#[tokio::test]
async fn an_unmasked_or_truncated_frame_from_a_client_ends_its_connection_only() {
    use tokio::io::AsyncWriteExt;
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let ctx = Context::new().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("ws://127.0.0.1:*").unwrap();
    let ep = pull.last_endpoint();
    // A client frame must be masked (RFC 6455 5.1): this one is not. The
    // frame is tungstenite's, written past the library onto the socket.
    let mut raw = raw_ready(&ep, "PUSH").await;
    let mut unmasked = Vec::new();
    Frame::message(
        Bytes::from_static(b"\x00bad"),
        OpCode::Data(Data::Binary),
        true,
    )
    .format(&mut unmasked)
    .unwrap();
    raw.get_mut().write_all(&unmasked).await.unwrap();
    assert_eq!(close_code(&mut raw).await, Some(CloseCode::Protocol));
    // Half a frame, then the connection drops.
    let mut raw = raw_ready(&ep, "PUSH").await;
    raw.get_mut().write_all(&unmasked[..3]).await.unwrap();
    drop(raw);
    // Neither reached the application; a good peer still does.
    let mut good = raw_ready(&ep, "PUSH").await;
    good.send(WsMessage::Binary(Bytes::from_static(b"\x00good")))
        .within("send")
        .await
        .unwrap();
    assert_eq!(
        pull.recv().within("recv").await.unwrap().frames()[0],
        "good"
    );
}
