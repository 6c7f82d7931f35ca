//! PLAIN and CURVE with libzmq 4.3.5 (pyzmq) and omq.rs (pyomq), both
//! roles, we bind or we connect, over tcp and ipc; a ZAP denial and a
//! wrong server key, where no application data may cross.
//!
//! The peer authenticates through `peer.py`'s `PLAIN_AUTH`/`CURVE_AUTH`
//! (pyzmq: a ZAP handler thread; pyomq: its allow-list); we authenticate
//! with [`Socket::set_authenticator`]. Without the interpreter, or without
//! pyomq for the omq.rs cases, each test prints why and passes, unless
//! `ZMTP_REQUIRE_PEERS=1`.

// A test fails by panicking.
#![allow(clippy::unwrap_used)]

use crate::bounded::{LIMIT, Within, handshake_outcome};
use crate::child::output_within;
use crate::endpoints::wildcard;
use std::sync::Arc;
use std::time::Duration;

use zmtp::{Bytes, Context, Socket, SocketType, opt};
use zmtp_spec::security::KeyPair;
use zmtp_spec::security::zap::{FnAuthenticator, StatusCode, ZapRequest};

use crate::peer::{Peer, python};
use crate::{frames, msg};

/// Which third-party stack the peer runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stack {
    Libzmq,
    Omq,
}

const STACKS: [Stack; 2] = [Stack::Libzmq, Stack::Omq];

/// Whether the stack's Python module imports; says why not otherwise (and
/// fails under `ZMTP_REQUIRE_PEERS=1`).
fn available(stack: Stack) -> bool {
    let module = match stack {
        Stack::Libzmq => "zmq",
        Stack::Omq => "pyomq",
    };
    let why = match python() {
        Ok(p) => {
            let ok = output_within(
                std::process::Command::new(&p).args(["-c", &format!("import {module}")]),
                "python -c import",
                LIMIT,
            )
            .is_ok_and(|out| out.status.success());
            if ok {
                return true;
            }
            format!("{module} does not import in {}", p.display())
        }
        Err(why) => why,
    };
    assert!(
        std::env::var("ZMTP_REQUIRE_PEERS").as_deref() != Ok("1"),
        "ZMTP_REQUIRE_PEERS=1 but {why}"
    );
    eprintln!("skipped: {why}");
    false
}

fn module(stack: Stack) -> String {
    match stack {
        Stack::Libzmq => "MODULE=zmq".into(),
        Stack::Omq => "MODULE=pyomq".into(),
    }
}

/// Our authenticator: PLAIN admin/secret, and the CURVE key `allowed`.
fn authenticator(allowed: Option<[u8; 32]>) -> Arc<dyn zmtp_spec::security::Authenticator> {
    Arc::new(FnAuthenticator(move |r: &ZapRequest| {
        match &r.mechanism[..] {
            b"CURVE" if allowed.is_some_and(|k| r.credentials[0][..] == k[..]) => r.accept("c"),
            b"PLAIN" if r.credentials == [&b"admin"[..], &b"secret"[..]] => r.accept("admin"),
            _ => r.refuse(StatusCode::AuthenticationFailure, "no"),
        }
    }))
}

/// Which mechanism a case runs, and how each side is set up.
#[derive(Clone, Copy, Debug)]
enum Mech {
    Plain,
    Curve,
}

/// Keys of one case: the server's and the client's.
struct Keys {
    server: KeyPair,
    client: KeyPair,
}

fn our_server(s: &Socket, mech: Mech, keys: &Keys) {
    match mech {
        Mech::Plain => s.set(opt::PlainServer, true).unwrap(),
        Mech::Curve => {
            s.set(opt::CurveServer, true).unwrap();
            s.set(
                opt::CurveSecretKey,
                Bytes::from(keys.server.secret().to_z85().to_string()),
            )
            .unwrap();
        }
    }
    s.set_authenticator(Some(authenticator(Some(*keys.client.public().as_bytes()))));
}

fn our_client(s: &Socket, mech: Mech, keys: &Keys, server_key: Option<&KeyPair>) {
    match mech {
        Mech::Plain => {
            s.set(opt::PlainUsername, Bytes::from_static(b"admin"))
                .unwrap();
            s.set(opt::PlainPassword, Bytes::from_static(b"secret"))
                .unwrap();
        }
        Mech::Curve => {
            let server = server_key.unwrap_or(&keys.server);
            s.set(opt::CurveServerKey, Bytes::from(server.public().to_z85()))
                .unwrap();
            s.set(
                opt::CurvePublicKey,
                Bytes::from(keys.client.public().to_z85()),
            )
            .unwrap();
            s.set(
                opt::CurveSecretKey,
                Bytes::from(keys.client.secret().to_z85().to_string()),
            )
            .unwrap();
        }
    }
}

fn peer_server_options(stack: Stack, mech: Mech, keys: &Keys) -> Vec<String> {
    let mut o = vec![module(stack)];
    match mech {
        Mech::Plain => {
            o.push("PLAIN_SERVER=1".into());
            o.push("PLAIN_AUTH=admin:secret".into());
        }
        Mech::Curve => {
            o.push("CURVE_SERVER=1".into());
            o.push(format!(
                "CURVE_SECRETKEY={}",
                &*keys.server.secret().to_z85()
            ));
            o.push(format!("CURVE_PUBLICKEY={}", keys.server.public().to_z85()));
            o.push(format!("CURVE_AUTH={}", keys.client.public().to_z85()));
        }
    }
    o
}

fn peer_client_options(stack: Stack, mech: Mech, keys: &Keys, password: &str) -> Vec<String> {
    let mut o = vec![module(stack)];
    match mech {
        Mech::Plain => {
            o.push("PLAIN_USERNAME=admin".into());
            o.push(format!("PLAIN_PASSWORD={password}"));
        }
        Mech::Curve => {
            o.push(format!("CURVE_SERVERKEY={}", keys.server.public().to_z85()));
            o.push(format!("CURVE_PUBLICKEY={}", keys.client.public().to_z85()));
            o.push(format!(
                "CURVE_SECRETKEY={}",
                &*keys.client.secret().to_z85()
            ));
        }
    }
    o
}

/// Starts the peer as `theirs`, with `options`, binding or connecting to
/// `endpoint`.
async fn start(theirs: SocketType, mode: &str, endpoint: &str, options: &[String]) -> Peer {
    let refs: Vec<&str> = options.iter().map(String::as_str).collect();
    Peer::start(theirs, mode, endpoint, &refs)
        .await
        .expect("python checked")
}

/// Our DEALER talks to the peer's REP; we are the `mech` server or
/// client, binding or connecting, over each transport.
async fn request_reply(stack: Stack, mech: Mech, we_serve: bool) {
    if !available(stack) {
        return;
    }
    for we_bind in [true, false] {
        for transport in ["tcp", "ipc"] {
            eprintln!("{stack:?} {mech:?}, we serve: {we_serve}, we bind: {we_bind}, {transport}");
            let keys = Keys {
                server: zmtp::curve_keypair(),
                client: zmtp::curve_keypair(),
            };
            let ctx = Context::new().unwrap();
            let s = ctx.socket(SocketType::Dealer).unwrap();
            s.set(opt::Linger, Some(Duration::ZERO)).unwrap();
            let options = if we_serve {
                our_server(&s, mech, &keys);
                peer_client_options(stack, mech, &keys, "secret")
            } else {
                our_client(&s, mech, &keys, None);
                peer_server_options(stack, mech, &keys)
            };
            // pyomq does not resolve `ipc://*`: the peer binds a path.
            let dir = tempfile::tempdir().unwrap();
            let peer_bind = match transport {
                "tcp" => wildcard(transport).to_owned(),
                _ => format!("ipc://{}", dir.path().join("peer").display()),
            };
            let mut peer = if we_bind {
                s.bind(wildcard(transport)).unwrap();
                start(SocketType::Rep, "connect", &s.last_endpoint(), &options).await
            } else {
                let peer = start(SocketType::Rep, "bind", &peer_bind, &options).await;
                s.connect(&peer.endpoint).unwrap();
                peer
            };
            peer.command_nowait(r#"{"op":"echo"}"#).await;
            let request = ["", "hello", "secure"];
            s.send(msg(&request)).within("send").await.unwrap();
            let reply = s.recv().within("the reply").await.unwrap();
            assert_eq!(frames(&reply), request);
            peer.expect_ok().await;
            peer.exit().await;
        }
    }
}

#[tokio::test]
async fn curve_our_client_with_their_server() {
    for stack in STACKS {
        request_reply(stack, Mech::Curve, false).await;
    }
}

#[tokio::test]
async fn curve_our_server_with_their_client() {
    for stack in STACKS {
        request_reply(stack, Mech::Curve, true).await;
    }
}

#[tokio::test]
async fn plain_our_client_with_their_server() {
    for stack in STACKS {
        request_reply(stack, Mech::Plain, false).await;
    }
}

#[tokio::test]
async fn plain_our_server_with_their_client() {
    for stack in STACKS {
        request_reply(stack, Mech::Plain, true).await;
    }
}

/// RFC 27: our authenticator refuses the peer's CURVE key and PLAIN
/// password; the peer's request never reaches us, and our reply never
/// reaches it.
#[tokio::test]
async fn our_zap_denial_lets_no_data_cross() {
    for stack in STACKS {
        if !available(stack) {
            return;
        }
        for mech in [Mech::Curve, Mech::Plain] {
            let keys = Keys {
                server: zmtp::curve_keypair(),
                client: zmtp::curve_keypair(),
            };
            let ctx = Context::new().unwrap();
            let s = ctx.socket(SocketType::Router).unwrap();
            our_server(&s, mech, &keys);
            // Allow nobody: another client key, and the wrong password.
            s.set_authenticator(Some(authenticator(None)));
            s.bind("tcp://127.0.0.1:*").unwrap();
            let options = peer_client_options(stack, mech, &keys, "guess");
            let mut peer = start(SocketType::Dealer, "connect", &s.last_endpoint(), &options).await;
            // The peer may queue its message, or find no pipe to queue it
            // on once the denial is through (libzmq, pyomq): either way
            // it must not cross.
            peer.send_within(r#"["must-not-cross"]"#, 500).await;
            let got = tokio::time::timeout(Duration::from_millis(800), s.recv()).await;
            assert!(got.is_err(), "{stack:?} {mech:?}: {got:?}");
            assert_eq!(peer.recv_within(200).await, None);
            peer.exit().await;
        }
    }
}

/// 26-R04: our client with a wrong server key never gets through to the
/// peer's CURVE server.
#[tokio::test]
async fn wrong_server_key_lets_no_data_cross() {
    for stack in STACKS {
        if !available(stack) {
            return;
        }
        let keys = Keys {
            server: zmtp::curve_keypair(),
            client: zmtp::curve_keypair(),
        };
        let ctx = Context::new().unwrap();
        let s = ctx.socket(SocketType::Dealer).unwrap();
        s.set(opt::Linger, Some(Duration::ZERO)).unwrap();
        let wrong = zmtp::curve_keypair();
        our_client(&s, Mech::Curve, &keys, Some(&wrong));
        let options = peer_server_options(stack, Mech::Curve, &keys);
        let mut peer = start(SocketType::Router, "bind", "tcp://127.0.0.1:*", &options).await;
        s.connect(&peer.endpoint).unwrap();
        s.send(msg(&["must-not-cross"]))
            .within("send")
            .await
            .unwrap();
        assert_eq!(peer.recv_within(800).await, None, "{stack:?}");
        peer.exit().await;
    }
}

/// RFC 27 the other way: the peer's PLAIN server refuses our password.
/// libzmq sends ERROR "400" (in its malformed PLAIN form), which our
/// monitor reports as HANDSHAKE_FAILED_AUTH 400; omq.rs may just close.
/// Either way our handshake never succeeds and nothing crosses.
#[tokio::test]
async fn their_zap_denial_reaches_our_monitor() {
    for stack in STACKS {
        if !available(stack) {
            return;
        }
        let keys = Keys {
            server: zmtp::curve_keypair(),
            client: zmtp::curve_keypair(),
        };
        let ctx = Context::new().unwrap();
        let s = ctx.socket(SocketType::Dealer).unwrap();
        s.set(opt::Linger, Some(Duration::ZERO)).unwrap();
        our_client(&s, Mech::Plain, &keys, None);
        s.set(opt::PlainPassword, Bytes::from_static(b"guess"))
            .unwrap();
        let mut events = s.monitor();
        let options = peer_server_options(stack, Mech::Plain, &keys);
        let mut peer = start(SocketType::Router, "bind", "tcp://127.0.0.1:*", &options).await;
        s.connect(&peer.endpoint).unwrap();
        s.send(msg(&["must-not-cross"]))
            .within("send")
            .await
            .unwrap();
        let kind = handshake_outcome(&mut events).await.kind;
        if stack == Stack::Libzmq {
            assert_eq!(
                kind,
                zmtp::MonitorEventKind::HandshakeFailedAuth("400".into())
            );
        } else {
            assert_ne!(kind, zmtp::MonitorEventKind::HandshakeSucceeded);
        }
        assert_eq!(peer.recv_within(300).await, None, "{stack:?}");
        peer.exit().await;
    }
}
