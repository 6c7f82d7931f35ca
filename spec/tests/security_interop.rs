//! PLAIN and CURVE against real peers: libzmq 4.3.5 (through pyzmq) and
//! omq.rs (through pyomq), both roles, over blocking `std::net` TCP. The
//! crate does no I/O; this test drives the sans-IO connection the way the
//! tokio driver does.
//!
//! The Python interpreter is `$ZMTP_PYTHON`, or
//! `<repo>/target/peers/pyzmq/bin/python` as created by `.ci/setup-pyzmq`.
//! Without it (or without the peer's module) each test prints why and
//! passes, unless `ZMTP_REQUIRE_PEERS=1`, which makes a missing peer a
//! failure. Every endpoint is an ephemeral port on 127.0.0.1.

// A test fails by panicking: unwrap on the machine's results is the point.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{
    DEADLINE, End, LIMIT, Peer, accept_on, connect, interpreter, listener, output_within,
};

use zmtp_spec::connection::harness::TestRng;
use zmtp_spec::connection::{Config, ConnectionError, Event, Heartbeat};
use zmtp_spec::security::zap::{FnAuthenticator, StatusCode, Zap, ZapRequest};
use zmtp_spec::security::{Curve, KeyPair, Plain, PublicKey, ZapNull};
use zmtp_spec::{Message, SocketType};

/// A key pair from a seeded generator: each call site its own seed.
fn key_pair(seed: u64) -> KeyPair {
    KeyPair::generate(&mut TestRng::new(seed))
}

/// Which third-party stack the Python peer runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stack {
    /// libzmq 4.3.5 via pyzmq.
    Libzmq,
    /// omq.rs via pyomq (a pyzmq-compatible API).
    Omq,
}

impl Stack {
    fn module(self) -> &'static str {
        match self {
            Self::Libzmq => "zmq",
            Self::Omq => "pyomq",
        }
    }
}

/// What every peer script starts with: `sock(kind)` makes a socket that
/// does not linger and gives up receiving or sending after 5 s; `z` turns
/// an argument into bytes.
fn prelude(stack: Stack) -> String {
    format!(
        r#"
import sys
import {} as zmq
ctx = zmq.Context()
def sock(kind):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, 5000)
    s.setsockopt(zmq.SNDTIMEO, 5000)
    return s
def z(i):
    return sys.argv[i].encode()
OMQ = {}
"#,
        stack.module(),
        if stack == Stack::Omq { "True" } else { "False" }
    )
}

/// Starts `script` under `stack`'s prelude, if that stack is installed.
fn start(stack: Stack, script: &str, args: &[&str]) -> Option<Peer> {
    let python = interpreter(stack.module())?;
    Some(Peer::start(
        python,
        &format!("{}{script}", prelude(stack)),
        args,
    ))
}

// ---- CURVE: we are the client ----------------------------------------------

/// A CURVE ROUTER server echoing every message: argv 1, 2 = its secret and
/// public key (Z85), argv 3 = heartbeat interval in ms (0: none), argv 4 =
/// the client public key omq's allow-list needs.
const CURVE_ROUTER_ECHO: &str = r#"
s = sock(zmq.ROUTER)
s.setsockopt(zmq.CURVE_SERVER, 1)
s.setsockopt(zmq.CURVE_SECRETKEY, z(1))
s.setsockopt(zmq.CURVE_PUBLICKEY, z(2))
ivl = int(sys.argv[3])
if ivl:
    s.setsockopt(zmq.HEARTBEAT_IVL, ivl)
    s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 3 * ivl)
if OMQ:
    s.set_curve_auth([z(4)])
s.bind("tcp://127.0.0.1:*")
print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
try:
    while True:
        s.send_multipart(s.recv_multipart())
except zmq.Again:
    pass
"#;

fn curve_client_config(keys: KeyPair, server: PublicKey) -> Config {
    let mut config = Config::new(SocketType::Dealer);
    config.mechanism = Arc::new(Curve::client(keys, server));
    config
}

fn our_curve_client(stack: Stack) {
    let server = key_pair(1);
    let client = key_pair(2);
    let args = [
        &*server.secret().to_z85(),
        &server.public().to_z85(),
        "100",
        &client.public().to_z85(),
    ];
    let Some(mut peer) = start(stack, CURVE_ROUTER_ECHO, &args) else {
        return;
    };
    let endpoint = peer.line();
    let mut config = curve_client_config(client, *server.public());
    // Our own PINGs: the peer's PONGs come back inside MESSAGE.
    config.heartbeat = Heartbeat {
        interval: Some(Duration::from_millis(100)),
        ttl: Some(Duration::from_secs(1)),
        timeout: Some(Duration::from_millis(400)),
    };
    let mut d = connect(&endpoint, config);
    d.handshake();
    assert_eq!(d.conn.peer().unwrap().socket_type, Some(SocketType::Router));
    let request = Message::from_frames([&b"hello"[..], &b"curve"[..]]);
    d.conn.send_message(request.clone()).unwrap();
    assert_eq!(d.message(), request);
    // Heartbeats both ways for a while, all tunnelled (the peer marks its
    // PING/PONG with payload flag 0x02): the connection must survive.
    let (end, _) = d.run(None, Duration::from_millis(700));
    assert!(matches!(end, End::Idle), "{stack:?}: {end:?}");
    let again = Message::from_frames([&b"still"[..], &b"here"[..]]);
    d.conn.send_message(again.clone()).unwrap();
    assert_eq!(d.message(), again);
    // Nothing readable went over the wire after the handshake.
    assert!(
        !d.received
            .windows(5)
            .any(|w| w == b"hello" || w == b"still")
    );
}

#[test]
fn our_curve_client_against_libzmq_router() {
    our_curve_client(Stack::Libzmq);
}

#[test]
fn our_curve_client_against_omq_router() {
    our_curve_client(Stack::Omq);
}

/// 26-R04, 26-R14: with a wrong server key libzmq cannot open our HELLO and
/// drops the connection; nothing gets through.
#[test]
fn our_curve_client_with_a_wrong_server_key_is_refused_by_libzmq() {
    let server = key_pair(3);
    let client = key_pair(4);
    let args = [
        &*server.secret().to_z85(),
        &server.public().to_z85(),
        "0",
        &client.public().to_z85(),
    ];
    let Some(mut peer) = start(Stack::Libzmq, CURVE_ROUTER_ECHO, &args) else {
        return;
    };
    let endpoint = peer.line();
    let wrong = *key_pair(5).public();
    let mut d = connect(&endpoint, curve_client_config(client, wrong));
    d.conn.send_message(Message::from(&b"nope"[..])).unwrap();
    let end = d.refused();
    assert!(
        matches!(
            end,
            End::Eof | End::Failed(ConnectionError::ErrorReceived(_))
        ),
        "{end:?}"
    );
}

// ---- CURVE: we are the server ---------------------------------------------

/// A CURVE DEALER client: argv 1 = our server key; it prints its own public
/// key, then a monitor verdict or the echoed reply.
const CURVE_DEALER: &str = r#"
s = sock(zmq.DEALER)
pub, sec = zmq.curve_keypair()
s.setsockopt(zmq.CURVE_SERVERKEY, z(1))
s.setsockopt(zmq.CURVE_PUBLICKEY, pub)
s.setsockopt(zmq.CURVE_SECRETKEY, sec)
print(pub.decode(), flush=True)
s.connect("tcp://127.0.0.1:" + sys.argv[2])
s.send_multipart([b"hi", b"there"])
try:
    print(b"|".join(s.recv_multipart()).decode(), flush=True)
except zmq.Again:
    print("timeout", flush=True)
"#;

/// Our CURVE ROUTER server that lets one key in, as user "py-client".
fn curve_server_config(keys: KeyPair, allowed: Option<PublicKey>) -> Config {
    let zap = Zap::new(Arc::new(FnAuthenticator(
        move |r: &ZapRequest| match allowed {
            Some(key) if r.credentials.first().map(|c| &c[..]) == Some(&key.as_bytes()[..]) => {
                r.accept("py-client")
            }
            _ => r.refuse(StatusCode::AuthenticationFailure, "unknown key"),
        },
    )));
    let mut config = Config::new(SocketType::Router);
    config.mechanism = Arc::new(Curve::server(keys, zap));
    config
}

fn our_curve_server(stack: Stack) {
    let server = key_pair(6);
    let (listener, port) = listener();
    let Some(mut peer) = start(stack, CURVE_DEALER, &[&server.public().to_z85(), &port]) else {
        return;
    };
    let client_key: PublicKey = peer.line().parse().expect("client key");
    let mut d = accept_on(&listener, curve_server_config(server, Some(client_key)));
    d.handshake();
    let info = d.conn.peer().unwrap().clone();
    assert_eq!(info.socket_type, Some(SocketType::Dealer));
    // RFC 27: the authenticator's user id is on the peer.
    assert_eq!(
        info.metadata.get("User-Id").map(|v| &v[..]),
        Some(&b"py-client"[..])
    );
    assert_eq!(
        d.message(),
        Message::from_frames([&b"hi"[..], &b"there"[..]])
    );
    d.conn
        .send_message(Message::from_frames([&b"back"[..], &b"again"[..]]))
        .unwrap();
    d.flush();
    assert_eq!(peer.line(), "back|again");
}

#[test]
fn our_curve_server_against_libzmq_dealer() {
    our_curve_server(Stack::Libzmq);
}

#[test]
fn our_curve_server_against_omq_dealer() {
    our_curve_server(Stack::Omq);
}

/// A CURVE DEALER client that reports libzmq's HANDSHAKE_FAILED_AUTH
/// monitor event and its ZAP status.
const CURVE_DEALER_MONITORED: &str = r#"
from zmq.utils.monitor import recv_monitor_message
s = sock(zmq.DEALER)
pub, sec = zmq.curve_keypair()
s.setsockopt(zmq.CURVE_SERVERKEY, z(1))
s.setsockopt(zmq.CURVE_PUBLICKEY, pub)
s.setsockopt(zmq.CURVE_SECRETKEY, sec)
m = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED)
m.setsockopt(zmq.RCVTIMEO, 5000)
m.setsockopt(zmq.SNDTIMEO, 5000)
m.setsockopt(zmq.LINGER, 0)
s.connect("tcp://127.0.0.1:" + sys.argv[2])
s.send(b"should-not-cross")
e = recv_monitor_message(m)
print(e["event"] == zmq.EVENT_HANDSHAKE_FAILED_AUTH, e["value"], flush=True)
"#;

/// RFC 27, 26-R60: a ZAP denial sends ERROR "400", which libzmq reports as
/// HANDSHAKE_FAILED_AUTH with status 400; its message never crosses.
#[test]
fn our_curve_server_denial_reaches_libzmq_as_auth_failure_400() {
    let server = key_pair(7);
    let (listener, port) = listener();
    let Some(mut peer) = start(
        Stack::Libzmq,
        CURVE_DEALER_MONITORED,
        &[&server.public().to_z85(), &port],
    ) else {
        return;
    };
    let mut d = accept_on(&listener, curve_server_config(server, None));
    let end = d.refused();
    assert!(
        matches!(
            &end,
            End::Failed(ConnectionError::Peer(e)) if e.to_string().contains("400")
        ),
        "{end:?}"
    );
    assert_eq!(peer.line(), "True 400");
}

// ---- PLAIN: we are the client ----------------------------------------------

/// A PLAIN ROUTER server echoing messages, with a ZAP handler (pyzmq's
/// ThreadAuthenticator; omq's allow-list) accepting admin/secret.
const PLAIN_ROUTER_ECHO: &str = r#"
if not OMQ:
    from zmq.auth.thread import ThreadAuthenticator
    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.configure_plain(domain="*", passwords={"admin": "secret"})
s = sock(zmq.ROUTER)
s.setsockopt(zmq.PLAIN_SERVER, 1)
if OMQ:
    s.set_plain_auth([("admin", "secret")])
s.bind("tcp://127.0.0.1:*")
print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
try:
    while True:
        s.send_multipart(s.recv_multipart())
except zmq.Again:
    pass
"#;

fn plain_client_config(user: &str, pass: &str) -> Config {
    let mut config = Config::new(SocketType::Dealer);
    config.mechanism = Arc::new(Plain::client(user.to_owned(), pass).unwrap());
    config
}

fn our_plain_client(stack: Stack) {
    let Some(mut peer) = start(stack, PLAIN_ROUTER_ECHO, &[]) else {
        return;
    };
    let endpoint = peer.line();
    let mut d = connect(&endpoint, plain_client_config("admin", "secret"));
    d.handshake();
    let request = Message::from_frames([&b"plain"[..], &b"text"[..]]);
    d.conn.send_message(request.clone()).unwrap();
    assert_eq!(d.message(), request);

    // A wrong password: the server refuses (libzmq: ERROR "400").
    let mut d = connect(&endpoint, plain_client_config("admin", "wrong"));
    d.conn.send_message(Message::from(&b"nope"[..])).unwrap();
    let end = d.refused();
    match stack {
        Stack::Libzmq => assert!(
            matches!(&end, End::Failed(ConnectionError::ErrorReceived(r)) if &r[..] == b"400"),
            "{end:?}"
        ),
        Stack::Omq => assert!(
            matches!(
                end,
                End::Eof | End::Failed(ConnectionError::ErrorReceived(_))
            ),
            "{end:?}"
        ),
    }
}

#[test]
fn our_plain_client_against_libzmq_router() {
    our_plain_client(Stack::Libzmq);
}

#[test]
fn our_plain_client_against_omq_router() {
    our_plain_client(Stack::Omq);
}

// ---- PLAIN: we are the server ----------------------------------------------

/// A PLAIN DEALER client: argv 1 = port, 2, 3 = username and password,
/// 4 = how long to wait for the reply, in ms.
const PLAIN_DEALER: &str = r#"
s = sock(zmq.DEALER)
s.setsockopt(zmq.RCVTIMEO, int(sys.argv[4]))
s.setsockopt(zmq.PLAIN_USERNAME, z(2))
s.setsockopt(zmq.PLAIN_PASSWORD, z(3))
s.connect("tcp://127.0.0.1:" + sys.argv[1])
s.send_multipart([b"hi", b"plain"])
try:
    print(b"|".join(s.recv_multipart()).decode(), flush=True)
except zmq.Again:
    print("timeout", flush=True)
"#;

fn plain_server_config() -> Config {
    let zap = Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| {
        match &r.credentials[..] {
            [user, pass] if &user[..] == b"admin" && &pass[..] == b"secret" => r.accept("admin"),
            _ => r.refuse(StatusCode::AuthenticationFailure, "bad credentials"),
        }
    })));
    let mut config = Config::new(SocketType::Router);
    config.mechanism = Arc::new(Plain::server(zap));
    config
}

fn our_plain_server(stack: Stack) {
    let (listener, port) = listener();
    let Some(mut peer) = start(stack, PLAIN_DEALER, &[&port, "admin", "secret", "5000"]) else {
        return;
    };
    let mut d = accept_on(&listener, plain_server_config());
    d.handshake();
    let info = d.conn.peer().unwrap().clone();
    assert_eq!(info.socket_type, Some(SocketType::Dealer));
    assert_eq!(
        info.metadata.get("User-Id").map(|v| &v[..]),
        Some(&b"admin"[..])
    );
    assert_eq!(
        d.message(),
        Message::from_frames([&b"hi"[..], &b"plain"[..]])
    );
    d.conn
        .send_message(Message::from_frames([&b"ok"[..]]))
        .unwrap();
    d.flush();
    assert_eq!(peer.line(), "ok");

    // A wrong password: ERROR "400", nothing crosses (the peer gives up
    // waiting for a reply that never comes after 300 ms).
    let Some(mut peer) = start(stack, PLAIN_DEALER, &[&port, "admin", "guess", "300"]) else {
        return;
    };
    let mut d = accept_on(&listener, plain_server_config());
    let end = d.refused();
    assert!(
        matches!(&end, End::Failed(ConnectionError::Peer(e)) if e.to_string().contains("400")),
        "{end:?}"
    );
    drop(d);
    assert_eq!(peer.line(), "timeout");
}

#[test]
fn our_plain_server_against_libzmq_dealer() {
    our_plain_server(Stack::Libzmq);
}

#[test]
fn our_plain_server_against_omq_dealer() {
    our_plain_server(Stack::Omq);
}

/// Keys made by libzmq read as ours: `zmq_curve_public` of a secret we
/// generate gives the public key we derive (X25519 agrees).
#[test]
fn libzmq_derives_our_public_keys() {
    let Some(python) = interpreter(Stack::Libzmq.module()) else {
        return;
    };
    let keys = key_pair(8);
    let out = output_within(
        std::process::Command::new(python).args([
            "-c",
            "import sys, zmq; print(zmq.curve_public(sys.argv[1].encode()).decode())",
            &keys.secret().to_z85(),
        ]),
        "python -c curve_public",
        LIMIT,
    )
    .expect("run python");
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert_eq!(text.trim(), keys.public().to_z85());
}

// ---- CURVE: subscriptions are tunnelled commands ---------------------------

/// A CURVE PUB server publishing two topics every 10 ms for 5 s: argv 1,
/// 2 = its secret and public key.
const CURVE_PUB: &str = r#"
import time
s = sock(zmq.PUB)
s.setsockopt(zmq.CURVE_SERVER, 1)
s.setsockopt(zmq.CURVE_SECRETKEY, z(1))
s.setsockopt(zmq.CURVE_PUBLICKEY, z(2))
s.bind("tcp://127.0.0.1:*")
print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
end = time.time() + 5
while time.time() < end:
    s.send(b"other")
    s.send(b"top-news")
    time.sleep(0.01)
"#;

/// Our SUBSCRIBE goes inside MESSAGE with payload flag 0x02, which libzmq
/// reads as a command: its PUB then filters for us (37-R46, G-C8).
#[test]
fn our_curve_sub_subscribes_at_libzmq_pub() {
    let server = key_pair(9);
    let (secret, public) = (server.secret().to_z85(), server.public().to_z85());
    let Some(mut peer) = start(Stack::Libzmq, CURVE_PUB, &[&secret, &public]) else {
        return;
    };
    let endpoint = peer.line();
    let mut config = Config::new(SocketType::Sub);
    config.mechanism = Arc::new(Curve::client(key_pair(10), *server.public()));
    let mut d = connect(&endpoint, config);
    d.handshake();
    d.conn
        .send_command(zmtp_spec::wire::Command::Subscribe(
            bytes::Bytes::from_static(b"top"),
        ))
        .unwrap();
    for _ in 0..3 {
        assert_eq!(d.message(), Message::from("top-news"));
    }
}

/// A CURVE SUB client: argv 1 = our server key, 2 = our port.
const CURVE_SUB: &str = r#"
s = sock(zmq.SUB)
pub, sec = zmq.curve_keypair()
s.setsockopt(zmq.CURVE_SERVERKEY, z(1))
s.setsockopt(zmq.CURVE_PUBLICKEY, pub)
s.setsockopt(zmq.CURVE_SECRETKEY, sec)
s.setsockopt(zmq.SUBSCRIBE, b"top")
s.connect("tcp://127.0.0.1:" + sys.argv[2])
print(s.recv().decode(), flush=True)
"#;

/// libzmq's SUBSCRIBE arrives inside MESSAGE with payload flag 0x02
/// (zmtp-wire.md 6.2 #10), and our reply reaches its SUB.
#[test]
fn libzmq_curve_sub_subscribes_at_our_pub() {
    let server = key_pair(11);
    let (listener, port) = listener();
    let Some(mut peer) = start(
        Stack::Libzmq,
        CURVE_SUB,
        &[&server.public().to_z85(), &port],
    ) else {
        return;
    };
    let mut config = Config::new(SocketType::Pub);
    config.mechanism = Arc::new(Curve::server(server, Zap::default()));
    let mut d = accept_on(&listener, config);
    d.handshake();
    let (end, events) = d.run(Some(&mut |e| matches!(e, Event::Subscribe(_))), DEADLINE);
    assert!(matches!(end, End::Matched), "{end:?}");
    assert!(matches!(events.last(), Some(Event::Subscribe(t)) if &t[..] == b"top"));
    d.conn.send_message(Message::from("top-news")).unwrap();
    d.flush();
    assert_eq!(peer.line(), "top-news");
}

// ---- NULL with ZAP ----------------------------------------------------------

/// A NULL DEALER client reporting libzmq's handshake monitor events:
/// argv 1 = our port.
const NULL_DEALER_MONITORED: &str = r#"
from zmq.utils.monitor import recv_monitor_message
s = sock(zmq.DEALER)
m = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED)
m.setsockopt(zmq.RCVTIMEO, 5000)
m.setsockopt(zmq.SNDTIMEO, 5000)
m.setsockopt(zmq.LINGER, 0)
s.connect("tcp://127.0.0.1:" + sys.argv[1])
e = recv_monitor_message(m)
print(e["event"] == zmq.EVENT_HANDSHAKE_FAILED_AUTH, e["value"], flush=True)
"#;

/// ZAP on a NULL socket (libzmq's ZAP_DOMAIN): our refusal reaches
/// libzmq as HANDSHAKE_FAILED_AUTH 400; an accept as a handshake.
#[test]
fn our_null_server_with_zap_against_libzmq() {
    for accept in [false, true] {
        let (listener, port) = listener();
        let Some(mut peer) = start(Stack::Libzmq, NULL_DEALER_MONITORED, &[&port]) else {
            return;
        };
        let zap = Zap::new(Arc::new(FnAuthenticator(move |r: &ZapRequest| {
            if accept {
                r.accept("anon")
            } else {
                r.refuse(StatusCode::AuthenticationFailure, "no")
            }
        })));
        let mut config = Config::new(SocketType::Router);
        config.mechanism = Arc::new(ZapNull::new(zap));
        let mut d = accept_on(&listener, config);
        if accept {
            d.handshake();
            assert_eq!(peer.line(), "False 0");
        } else {
            let end = d.refused();
            assert!(matches!(end, End::Failed(_) | End::Eof), "{end:?}");
            assert_eq!(peer.line(), "True 400");
        }
    }
}
