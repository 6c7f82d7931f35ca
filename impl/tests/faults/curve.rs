//! Our CURVE server under attack (keys from `zmtp::curve_keypair`):
//!
//! - the octets a real client sent (captured through a TCP proxy written
//!   here) replayed on a new connection: the replayed HELLO gets a fresh
//!   WELCOME (a server cannot tell a replayed HELLO, and need not: the
//!   replayer cannot open the WELCOME), and the replayed INITIATE after it
//!   is refused, since its cookie is not the one this connection was given;
//!   the replayed MESSAGE is never delivered;
//! - the captured INITIATE alone, without a HELLO, is refused;
//! - a flood of bad HELLOs (random transient keys and boxes, built with
//!   spec's CurveZMQ encoder): every one is refused without a WELCOME,
//!   while a good CURVE client completes its handshake and its message
//!   arrives. The cost of a bad HELLO is printed as a ratio to one good
//!   handshake; nothing is asserted on it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zmtp::security::KeyPair;
use zmtp::{Context, Error, MonitorEventKind, Socket, SocketType, opt};
use zmtp_spec::security::curve::PublicKey;
use zmtp_spec::security::curve::commands::{Hello, SIGNATURE_BOX_LEN};
use zmtp_spec::wire::{
    Command, Decoder, Encode, Frame, Framing, Greeting, Item, Mechanism, MechanismCommand,
};

use crate::support::{XorShift, beside, hex_lines_file, libzmq, report, within, within_for};
use crate::wire::{Peer, greeting};

/// Bad HELLOs in the flood (the count, in both modes: they are
/// cheap).
const BAD_HELLOS: usize = 2000;
/// Bad HELLOs sent this many connections at a time.
const CONCURRENT: usize = 8;
/// Good handshakes timed (alone) for the ratio.
const GOOD_RUNS: usize = 5;

struct Server {
    _ctx: Context,
    pull: Socket,
    monitor: zmtp::Monitor,
    endpoint: String,
    keys: KeyPair,
}

fn server() -> Server {
    let ctx = Context::new().expect("context");
    let keys = zmtp::curve_keypair();
    let pull = ctx.socket(SocketType::Pull).expect("socket");
    pull.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
    pull.set(opt::CurveServer, true).expect("CURVE_SERVER");
    pull.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&keys.secret().to_bytes()[..]),
    )
    .expect("CURVE_SECRETKEY");
    let monitor = pull.monitor();
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let endpoint = pull.last_endpoint();
    Server {
        _ctx: ctx,
        pull,
        monitor,
        endpoint,
        keys,
    }
}

/// A good CURVE PUSH client of `server_key`.
fn client(ctx: &Context, server_key: &PublicKey) -> Socket {
    let keys = zmtp::curve_keypair();
    let push = ctx.socket(SocketType::Push).expect("socket");
    push.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
    push.set(
        opt::CurveServerKey,
        Bytes::copy_from_slice(server_key.as_bytes()),
    )
    .expect("CURVE_SERVERKEY");
    push.set(
        opt::CurvePublicKey,
        Bytes::copy_from_slice(keys.public().as_bytes()),
    )
    .expect("CURVE_PUBLICKEY");
    push.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&keys.secret().to_bytes()[..]),
    )
    .expect("CURVE_SECRETKEY");
    push
}

/// A good client connects, sends `body`, and the server receives it;
/// how long that took.
async fn good_exchange(server: &Server, endpoint: &str, body: &'static str) -> Duration {
    let ctx = Context::new().expect("context");
    let push = client(&ctx, server.keys.public());
    let start = Instant::now();
    push.connect(endpoint).expect("connect");
    within("the good client's send", push.send(body))
        .await
        .expect("send");
    let got = within("the good client's message", server.pull.recv())
        .await
        .expect("recv");
    assert_eq!(got.frames()[0], body);
    start.elapsed()
}

/// What crossed a TCP proxy of one connection: client to server, server
/// to client.
type Captured = Arc<Mutex<(Vec<u8>, Vec<u8>)>>;

/// A TCP proxy of one connection to `target`, recording both ways; its
/// endpoint and the record.
async fn capture_proxy(target: &str) -> (String, Captured) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let endpoint = format!("tcp://{}", listener.local_addr().expect("addr"));
    let captured: Captured = Arc::default();
    let (record, target) = (captured.clone(), crate::wire::addr(target));
    tokio::spawn(async move {
        let Ok((client, _)) = listener.accept().await else {
            return;
        };
        let Ok(server) = TcpStream::connect(target).await else {
            return;
        };
        let (mut cr, mut cw) = client.into_split();
        let (mut sr, mut sw) = server.into_split();
        let up = {
            let record = record.clone();
            async move {
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n @ 1..) = cr.read(&mut buf).await {
                    record
                        .lock()
                        .expect("record")
                        .0
                        .extend_from_slice(&buf[..n]);
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        };
        let down = async move {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n @ 1..) = sr.read(&mut buf).await {
                record
                    .lock()
                    .expect("record")
                    .1
                    .extend_from_slice(&buf[..n]);
                if cw.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        };
        // Ends (and drops both connections) once either way ends.
        tokio::select! {
            () = up => {}
            () = down => {}
        }
    });
    (endpoint, captured)
}

/// The frames after a greeting: commands (HELLO, INITIATE, ...) and
/// message frames (libzmq's peers, and ours, send MESSAGE in them).
fn frames(stream: &[u8]) -> Vec<Frame> {
    let mut decoder = Decoder::new(Framing::Zmtp3);
    decoder.set_raw_commands(true);
    decoder.push(&stream[Greeting::LEN..]);
    let mut out = Vec::new();
    while let Some(item) = decoder.poll_item().expect("captured frames") {
        match item {
            Item::RawCommand(body) => out.push(Frame::command(body)),
            Item::Message(m) => out.extend(m.iter().map(|f| Frame::message(f.clone(), false))),
            other => panic!("unexpected {other:?}"),
        }
    }
    out
}

/// The first frame whose body starts with the command `name`.
fn named<'a>(frames: &'a [Frame], name: &[u8]) -> &'a Frame {
    frames
        .iter()
        .find(|f| {
            f.body.len() > name.len()
                && f.body[0] as usize == name.len()
                && &f.body[1..=name.len()] == name
        })
        .unwrap_or_else(|| panic!("no {} captured", String::from_utf8_lossy(name)))
}

fn wire(frame: &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    frame.encode(&mut out).expect("frame encodes");
    out
}

/// Whether nothing is delivered within 300 ms.
async fn nothing_delivered(pull: &Socket) -> bool {
    tokio::time::sleep(Duration::from_millis(300)).await;
    matches!(pull.try_recv(), Err(Error::WouldBlock))
}

/// Counts the handshake failures the monitor has reported so far.
fn failures(monitor: &mut zmtp::Monitor) -> usize {
    std::iter::from_fn(|| monitor.try_next())
        .filter(|e| {
            matches!(
                e.kind,
                MonitorEventKind::HandshakeFailedProtocol(_)
                    | MonitorEventKind::HandshakeFailedNoDetail(_)
                    | MonitorEventKind::HandshakeFailedAuth(_)
            )
        })
        .count()
}

#[test]
fn replayed_curve_hello_and_initiate_are_refused() {
    beside(async {
        let mut server = server();

        // A real client's octets, through the proxy.
        let (proxy, captured) = capture_proxy(&server.endpoint).await;
        good_exchange(&server, &proxy, "original").await;
        let (up, down) = within("the proxy's record", async {
            loop {
                // The client's MESSAGE is in once the server has the message.
                let (up, down) = captured.lock().expect("record").clone();
                if commands_complete(&up) {
                    return (up, down);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        let sent = frames(&up);
        let (hello, initiate, message) = (
            named(&sent, b"HELLO"),
            named(&sent, b"INITIATE"),
            named(&sent, b"MESSAGE"),
        );
        let welcome = named(&frames(&down), b"WELCOME").body.clone();
        let _ = failures(&mut server.monitor);

        // 1. The whole client side replayed on a new connection.
        let mut replay = Peer::connect(&server.endpoint).await;
        replay.send(&up[..Greeting::LEN]).await;
        replay.send(&wire(hello)).await;
        replay
            .their_greeting()
            .await
            .expect("the server's greeting");
        let fresh_welcome = match replay.item().await {
            Some(Item::RawCommand(body)) if body.starts_with(b"\x07WELCOME") => body,
            other => panic!("a replayed HELLO: expected a WELCOME, got {other:?}"),
        };
        let mut rest = wire(initiate);
        rest.extend(wire(message));
        let _ = within("the replayed INITIATE", replay.stream.write_all(&rest)).await;
        let initiate_closed = replay.closed_by_them().await;
        let replay_delivered = !nothing_delivered(&server.pull).await;

        // 2. The INITIATE alone, on a new connection.
        let mut alone_initiate = Peer::connect(&server.endpoint).await;
        alone_initiate.send(&up[..Greeting::LEN]).await;
        let _ = within(
            "the INITIATE without HELLO",
            alone_initiate.stream.write_all(&wire(initiate)),
        )
        .await;
        let alone_closed = alone_initiate.closed_by_them().await;
        let alone_delivered = !nothing_delivered(&server.pull).await;
        let refused = failures(&mut server.monitor);

        let ours = serde_json::json!({
            "replayed_hello_welcome_fresh": fresh_welcome != welcome,
            "replayed_initiate_closed": initiate_closed,
            "replayed_message_delivered": replay_delivered,
            "initiate_without_hello_closed": alone_closed,
            "initiate_without_hello_delivered": alone_delivered,
            "handshake_failures_reported": refused,
        });
        let theirs = libzmq("curve_replay", &[], Duration::from_secs(60)).await;
        let check = |f: &serde_json::Value| {
            f["replayed_hello_welcome_fresh"] == true
                && f["replayed_initiate_closed"] == true
                && f["replayed_message_delivered"] == false
                && f["initiate_without_hello_closed"] == true
                && f["initiate_without_hello_delivered"] == false
                && f["handshake_failures_reported"].as_u64() >= Some(2)
        };
        report(
            "7 CURVE replays",
            &ours.to_string(),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            check(&ours) && theirs.as_ref().is_none_or(check),
        );
        assert_ne!(
            fresh_welcome, welcome,
            "a fresh WELCOME for a replayed HELLO"
        );
        assert!(initiate_closed, "the replayed INITIATE is refused: {ours}");
        assert!(!replay_delivered, "no replayed message delivered: {ours}");
        assert!(alone_closed, "an INITIATE without HELLO is refused: {ours}");
        assert!(!alone_delivered, "{ours}");
        assert!(refused >= 2, "both refusals on the monitor: {ours}");
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}

/// Whether a captured client stream has its HELLO, INITIATE and a
/// MESSAGE.
fn commands_complete(up: &[u8]) -> bool {
    if up.len() < Greeting::LEN {
        return false;
    }
    let mut decoder = Decoder::new(Framing::Zmtp3);
    decoder.set_raw_commands(true);
    decoder.push(&up[Greeting::LEN..]);
    let mut n = 0;
    while let Ok(Some(_)) = decoder.poll_item() {
        n += 1;
    }
    n >= 3
}

/// A HELLO of a random transient key and a random box, on the wire.
fn bad_hello(rng: &mut XorShift) -> Vec<u8> {
    let mut key = [0u8; 32];
    rng.fill(&mut key);
    let mut signature = [0u8; SIGNATURE_BOX_LEN];
    rng.fill(&mut signature);
    let hello = Hello {
        client_transient: PublicKey::from_bytes(key),
        nonce: 1,
        signature,
    };
    let mut out = greeting(Mechanism::CURVE);
    Command::Mechanism {
        name: MechanismCommand::Hello,
        body: hello.encode(),
    }
    .encode(&mut out)
    .expect("HELLO encodes");
    out
}

/// Sends a bad HELLO on a new connection; true if the server refused it
/// (closed without a WELCOME).
async fn refused(endpoint: &str, hello: &[u8]) -> bool {
    let mut peer = Peer::connect(endpoint).await;
    if within("a bad HELLO", peer.stream.write_all(hello))
        .await
        .is_err()
    {
        return true;
    }
    if peer.their_greeting().await.is_none() {
        return true;
    }
    loop {
        match peer.item().await {
            None => return true,
            Some(Item::RawCommand(body)) if body.starts_with(b"\x07WELCOME") => return false,
            Some(_) => {}
        }
    }
}

#[test]
fn a_flood_of_bad_curve_hellos_is_refused_while_a_good_client_is_served() {
    beside(async {
        let n = BAD_HELLOS;
        let server = Arc::new(server());
        // One to warm up, then the timed ones.
        good_exchange(&server, &server.endpoint, "calm").await;
        let mut good = Vec::new();
        for _ in 0..GOOD_RUNS {
            good.push(good_exchange(&server, &server.endpoint, "calm").await);
        }
        let good_one = good.iter().sum::<Duration>() / GOOD_RUNS as u32;

        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let hellos: Arc<Vec<Vec<u8>>> = Arc::new((0..n).map(|_| bad_hello(&mut rng)).collect());
        let start = Instant::now();
        let flood: Vec<_> = (0..CONCURRENT)
            .map(|w| {
                let (endpoint, hellos) = (server.endpoint.clone(), hellos.clone());
                tokio::spawn(async move {
                    let mut refused_here = 0;
                    for hello in hellos.iter().skip(w).step_by(CONCURRENT) {
                        refused_here += usize::from(refused(&endpoint, hello).await);
                    }
                    refused_here
                })
            })
            .collect();
        // A good client during the flood.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let during = good_exchange(&server, &server.endpoint, "during the flood").await;
        let flood_still_on = flood.iter().any(|t| !t.is_finished());
        let mut refused_all = 0;
        within_for(Duration::from_secs(120), "the bad HELLOs", async {
            for t in flood {
                refused_all += t.await.expect("a flooding task");
            }
        })
        .await;
        let per_bad = start.elapsed() / n as u32;
        let ratio = per_bad.as_secs_f64() / good_one.as_secs_f64();
        let slowdown = during.as_secs_f64() / good_one.as_secs_f64();
        let ours = serde_json::json!({
            "bad_hellos": n, "refused": refused_all, "good_served_during_flood": true,
            "flood_still_on_then": flood_still_on,
            "bad_hello_per_good_handshake": (ratio * 1000.0).round() / 1000.0,
            "good_handshake_slowdown": (slowdown * 10.0).round() / 10.0,
        });
        let (_file, hellos_arg) = hex_lines_file(hellos.iter().cloned());
        let theirs = libzmq(
            "curve_flood",
            &[CONCURRENT.to_string(), GOOD_RUNS.to_string(), hellos_arg],
            Duration::from_secs(120),
        )
        .await;
        let check =
            |f: &serde_json::Value| f["refused"] == n && f["good_served_during_flood"] == true;
        report(
            "7 CURVE bad HELLO flood",
            &format!(
                "{ours} (ratio: wall time per bad HELLO, {CONCURRENT} at a time, to one good handshake)"
            ),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            check(&ours) && theirs.as_ref().is_none_or(check),
        );
        assert_eq!(refused_all, n, "every bad HELLO refused: {ours}");
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}
