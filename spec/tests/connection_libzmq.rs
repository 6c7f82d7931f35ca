//! The sans-IO connection machine against a real libzmq (4.3.5, through
//! pyzmq), over blocking `std::net` TCP with read timeouts. The crate does
//! no I/O; this test drives it the way the tokio driver does.
//!
//! The Python interpreter is `$ZMTP_PYTHON`, or
//! `<repo>/target/peers/pyzmq/bin/python` as created by `.ci/setup-pyzmq`.
//! Without it each test prints why and passes, unless
//! `ZMTP_REQUIRE_PEERS=1`, which makes a missing peer a failure.
//! Every endpoint is an ephemeral port on 127.0.0.1.

mod common;

use std::time::Duration;

use common::{DEADLINE, Driver, Peer, accept_on, connect, interpreter, listener};

use bytes::Bytes;
use zmtp_spec::connection::{Config, Event, Heartbeat};
use zmtp_spec::wire::greeting::Protocol;
use zmtp_spec::{Message, SocketType};

/// What every peer script starts with: `sock(kind)` makes a socket that
/// does not linger and gives up receiving or sending after 5 s.
const PRELUDE: &str = r#"
import sys, zmq
ctx = zmq.Context()
def sock(kind):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, 5000)
    s.setsockopt(zmq.SNDTIMEO, 5000)
    return s
"#;

/// Starts `script` under the pyzmq prelude, if pyzmq is installed.
fn start(script: &str, args: &[&str]) -> Option<Peer> {
    let python = interpreter("zmq")?;
    Some(Peer::start(python, &format!("{PRELUDE}{script}"), args))
}

/// Starts a peer that binds (it prints its endpoint) and connects to it
/// as a client with `config`.
fn dial(script: &str, args: &[&str], config: Config) -> Option<(Peer, Driver)> {
    let mut peer = start(script, args)?;
    let mut driver = connect(&peer.line(), config);
    driver.handshake();
    Some((peer, driver))
}

/// Binds an ephemeral port, starts a peer that connects to it (the port
/// is its first argument) and accepts it as a server with `config`.
fn serve(script: &str, config: Config) -> Option<(Peer, Driver)> {
    let (listener, port) = listener();
    let peer = start(script, &[&port])?;
    let mut driver = accept_on(&listener, config);
    driver.handshake();
    Some((peer, driver))
}

const REP_ECHO: &str = r#"
s = sock(zmq.REP)
ivl = int(sys.argv[1]) if len(sys.argv) > 1 else 0
if ivl:
    s.setsockopt(zmq.HEARTBEAT_IVL, ivl)
    s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 3 * ivl)
s.bind("tcp://127.0.0.1:*")
print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
try:
    while True:
        s.send_multipart(s.recv_multipart())
except zmq.Again:
    pass
"#;

#[test]
fn our_req_client_against_pyzmq_rep_echo() {
    let Some((_peer, mut d)) = dial(REP_ECHO, &["0"], Config::new(SocketType::Req)) else {
        return;
    };
    let info = d.conn.peer().expect("peer").clone();
    assert_eq!(info.socket_type, Some(SocketType::Rep));
    assert_eq!(info.protocol, Protocol::V3_1);
    // REQ's envelope (an empty delimiter) is the pattern's job; the
    // connection carries frames as given.
    let request = Message::from_frames([&b""[..], &b"hello"[..], &b"world"[..]]);
    d.conn.send_message(request.clone()).expect("open");
    assert_eq!(d.message(), request);
}

const DEALER_CLIENT: &str = r#"
s = sock(zmq.DEALER)
s.setsockopt(zmq.ROUTING_ID, b"py-dealer")
s.connect("tcp://127.0.0.1:" + sys.argv[1])
s.send_multipart([b"hi", b"there"])
print(b"|".join(s.recv_multipart()).decode(), flush=True)
"#;

#[test]
fn our_router_server_against_pyzmq_dealer() {
    let Some((mut peer, mut d)) = serve(DEALER_CLIENT, Config::new(SocketType::Router)) else {
        return;
    };
    let info = d.conn.peer().expect("peer").clone();
    assert_eq!(info.socket_type, Some(SocketType::Dealer));
    // libzmq's DEALER sends its routing id as Identity (37-R34).
    assert_eq!(info.routing_id.as_deref(), Some(&b"py-dealer"[..]));
    assert_eq!(
        d.message(),
        Message::from_frames([&b"hi"[..], &b"there"[..]])
    );
    d.conn
        .send_message(Message::from_frames([&b"back"[..], &b"again"[..]]))
        .expect("open");
    d.flush();
    assert_eq!(peer.line(), "back|again");
}

const SUB_CLIENT: &str = r#"
s = sock(zmq.SUB)
s.setsockopt(zmq.SUBSCRIBE, b"top")
s.connect("tcp://127.0.0.1:" + sys.argv[1])
print(s.recv().decode(), flush=True)
"#;

#[test]
fn our_pub_gets_a_subscribe_command_from_pyzmq_sub_37_r46() {
    let Some((mut peer, mut d)) = serve(SUB_CLIENT, Config::new(SocketType::Pub)) else {
        return;
    };
    let events = d.run_healthy(Some(&mut |e| matches!(e, Event::Subscribe(_))), DEADLINE);
    assert_eq!(
        events.last(),
        Some(&Event::Subscribe(Bytes::from_static(b"top")))
    );
    // It came as a SUBSCRIBE command (libzmq >= 4.3.3 to a 3.1 peer), not a
    // 01 message.
    assert!(
        count(&d.received, b"\x09SUBSCRIBE") == 1,
        "no SUBSCRIBE command in {:?}",
        d.received
    );
    d.conn
        .send_message(Message::from("top-news"))
        .expect("open");
    d.flush();
    assert_eq!(peer.line(), "top-news");
}

const PUB_SERVER: &str = r#"
import time
s = sock(zmq.PUB)
s.bind("tcp://127.0.0.1:*")
print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
end = time.time() + 5
while time.time() < end:
    s.send(b"other")
    s.send(b"top-news")
    time.sleep(0.01)
"#;

#[test]
fn our_sub_against_pyzmq_pub_in_31_and_30_g17() {
    // libzmq filters at the PUB (37-R45): only the subscribed topic
    // arrives, whether we subscribe by command (3.1) or by 01 message
    // (presenting 3.0, which libzmq's PUB accepts from anyone).
    for minor in [1, 0] {
        let mut config = Config::new(SocketType::Sub);
        config.behaviour.minor = minor;
        let Some((_peer, mut d)) = dial(PUB_SERVER, &[], config) else {
            return;
        };
        let expected = if minor == 1 {
            Protocol::V3_1
        } else {
            Protocol::V3_0
        };
        assert_eq!(d.conn.protocol(), Some(expected));
        d.conn
            .send_command(zmtp_spec::wire::Command::Subscribe(Bytes::from_static(
                b"top",
            )))
            .expect("open");
        for _ in 0..3 {
            assert_eq!(d.message(), Message::from("top-news"), "minor {minor}");
        }
    }
}

/// Connects to a pyzmq REP echo (`pyzmq_ivl_ms` its heartbeat interval,
/// 0 for none) with `config`, stays idle for `idle`, and returns the
/// driver; every octet pyzmq sent is in `Driver::received`.
fn idle_against_rep(pyzmq_ivl_ms: &str, config: Config, idle: Duration) -> Option<(Peer, Driver)> {
    let (peer, mut d) = dial(REP_ECHO, &[pyzmq_ivl_ms], config)?;
    d.run_healthy(None, idle);
    Some((peer, d))
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

#[test]
fn pyzmq_pings_are_answered_37_r58() {
    // pyzmq PINGs every 100 ms and drops us after 300 ms without traffic;
    // we send nothing but PONGs (no heartbeat of our own).
    let config = Config::new(SocketType::Req);
    let Some((_peer, mut d)) = idle_against_rep("100", config, Duration::from_millis(900)) else {
        return;
    };
    let pings = count(&d.received, b"\x04PING");
    assert!(pings >= 3, "pyzmq sent {pings} PINGs");
    // Still connected: only our PONGs kept libzmq's heartbeat timeout away.
    let request = Message::from_frames([&b""[..], &b"still-there"[..]]);
    d.conn.send_message(request.clone()).expect("open");
    assert_eq!(d.message(), request);
}

#[test]
fn our_pings_are_answered_by_pyzmq() {
    // pyzmq has no heartbeat of its own and sends nothing unasked: only
    // its PONGs keep our 250 ms heartbeat timeout from firing (Driver::run
    // panics on Event::Failed).
    let mut config = Config::new(SocketType::Req);
    config.heartbeat = Heartbeat {
        interval: Some(Duration::from_millis(100)),
        ttl: Some(Duration::from_secs(1)),
        timeout: Some(Duration::from_millis(250)),
    };
    let Some((_peer, d)) = idle_against_rep("0", config, Duration::from_millis(800)) else {
        return;
    };
    let pongs = count(&d.received, b"\x04PONG");
    assert!(pongs >= 3, "pyzmq answered {pongs} of our PINGs");
    assert!(!d.conn.is_closed());
}
