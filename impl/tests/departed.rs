//! A peer that went away takes no more sends (issue: departed peers lost
//! data). Each scenario runs on our sockets and, beside it, on libzmq's
//! through pyzmq (`departed_baseline.py`), and the figures must agree:
//!
//! - a bind-side DEALER whose peer left with a message unread sends every
//!   later message to the live peer (libzmq: 10 of 10);
//! - a bind-side PAIR whose peer left would block (libzmq: EAGAIN, 10 of
//!   10);
//! - a ROUTER with ROUTER_MANDATORY reports the departed id unreachable
//!   (libzmq: EHOSTUNREACH, 5 of 5, 28-R42);
//! - 200 peers that each sent one message and left keep no socket open
//!   (libzmq keeps 0), and their 200 messages are all still read.
//!
//! In every scenario the departed peer's message is still read afterwards,
//! as libzmq delivers it. Every wait is bounded (`common/bounded.rs`).

#[path = "common/bounded.rs"]
#[allow(dead_code)]
mod bounded;
#[path = "common/child.rs"]
#[allow(dead_code)]
mod child;
#[path = "common/endpoints.rs"]
mod endpoints;
#[path = "common/pyzmq.rs"]
mod pyzmq;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use bounded::{LIMIT, within};
use zmtp::{Context, Error, Message, MonitorEventKind, Socket, SocketType, opt};

struct Server {
    socket: Socket,
    monitor: zmtp::Monitor,
    endpoint: String,
}

impl Server {
    fn bind(ctx: &Context, t: SocketType, transport: &str) -> Server {
        let socket = ctx.socket(t).expect("socket");
        let monitor = socket.monitor();
        socket.bind(endpoints::wildcard(transport)).expect("bind");
        let endpoint = socket.last_endpoint();
        Server {
            socket,
            monitor,
            endpoint,
        }
    }

    /// Waits until `n` monitor events of this kind have been seen.
    async fn seen(&mut self, kind: MonitorEventKind, n: usize) {
        let mut count = 0;
        while count < n {
            let e = within(&format!("monitor event {kind:?}"), self.monitor.next())
                .await
                .expect("monitor open");
            if e.kind == kind {
                count += 1;
            }
        }
    }

    /// A peer of type `t` connects, sends one message the server does not
    /// read, and goes away; returns once the server saw it go.
    async fn departs(&mut self, ctx: &Context, t: SocketType, routing_id: Option<&'static str>) {
        let client = ctx.socket(t).expect("socket");
        // close() flushes the message, then disconnects.
        client.set(opt::Linger, Some(LIMIT)).expect("LINGER");
        if let Some(id) = routing_id {
            client
                .set(opt::RoutingId, zmtp::Bytes::from_static(id.as_bytes()))
                .expect("ROUTING_ID");
        }
        client.connect(&self.endpoint).expect("connect");
        self.seen(MonitorEventKind::HandshakeSucceeded, 1).await;
        within("send the unread message", client.send("unread"))
            .await
            .expect("send");
        client.close();
        self.seen(MonitorEventKind::Disconnected, 1).await;
    }
}

fn body(m: &Message) -> &[u8] {
    m.frames().last().expect("a frame")
}

/// libzmq's figures for a scenario, or `None` without pyzmq. The child is
/// killed if it outlives [`LIMIT`] (`child::output_within`).
async fn libzmq(scenario: &str, transport: &str) -> Option<serde_json::Value> {
    let python = pyzmq::python()?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/departed_baseline.py");
    let (scenario, transport) = (scenario.to_owned(), transport.to_owned());
    let out = tokio::task::spawn_blocking(move || {
        let mut command = Command::new(python);
        command.arg(script).arg(&scenario).arg(&transport);
        let out = child::output_within(&mut command, &scenario, LIMIT)
            .expect("start the libzmq baseline");
        assert!(
            out.status.success(),
            "libzmq baseline {scenario} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    })
    .await
    .expect("the baseline's thread");
    Some(serde_json::from_slice(&out.stdout).expect("baseline JSON"))
}

async fn dealer(transport: &str) -> serde_json::Value {
    let ctx = Context::new().expect("context");
    let mut server = Server::bind(&ctx, SocketType::Dealer, transport);
    server.departs(&ctx, SocketType::Dealer, None).await;
    let live = ctx.socket(SocketType::Dealer).expect("socket");
    live.connect(&server.endpoint).expect("connect");
    server.seen(MonitorEventKind::HandshakeSucceeded, 1).await;
    let mut sent = 0;
    for i in 0..10 {
        within("send", server.socket.send(i.to_string()))
            .await
            .expect("send");
        sent += 1;
    }
    let mut delivered = 0;
    for _ in 0..sent {
        match tokio::time::timeout(Duration::from_secs(2), live.recv()).await {
            Ok(Ok(_)) => delivered += 1,
            _ => break,
        }
    }
    let unread = within("read the departed peer's message", server.socket.recv())
        .await
        .expect("recv");
    serde_json::json!({"sent": sent, "delivered": delivered, "unread_readable": body(&unread) == b"unread"})
}

async fn pair(transport: &str) -> serde_json::Value {
    let ctx = Context::new().expect("context");
    let mut server = Server::bind(&ctx, SocketType::Pair, transport);
    server.departs(&ctx, SocketType::Pair, None).await;
    let (mut ok, mut would_block) = (0, 0);
    for _ in 0..10 {
        match server.socket.try_send("x") {
            Ok(()) => ok += 1,
            Err(Error::WouldBlock) => would_block += 1,
            Err(e) => panic!("PAIR send: {e}"),
        }
    }
    let unread = within("read the departed peer's message", server.socket.recv())
        .await
        .expect("recv");
    serde_json::json!({"ok": ok, "would_block": would_block, "unread_readable": body(&unread) == b"unread"})
}

async fn router(transport: &str) -> serde_json::Value {
    let ctx = Context::new().expect("context");
    let mut server = Server::bind(&ctx, SocketType::Router, transport);
    server
        .socket
        .set(opt::RouterMandatory, true)
        .expect("ROUTER_MANDATORY");
    server.departs(&ctx, SocketType::Dealer, Some("A")).await;
    let (mut ok, mut unreachable, mut other) = (0, 0, 0);
    for _ in 0..5 {
        let m: Message = ["A", "x"].into_iter().map(zmtp::Bytes::from).collect();
        match server.socket.try_send(m) {
            Ok(()) => ok += 1,
            Err(Error::HostUnreachable) => unreachable += 1,
            Err(_) => other += 1,
        }
    }
    let unread = within("read the departed peer's message", server.socket.recv())
        .await
        .expect("recv");
    let tagged =
        unread.frames().len() == 2 && unread.frames()[0] == "A" && body(&unread) == b"unread";
    serde_json::json!({"ok": ok, "unreachable": unreachable, "other": other, "unread_readable": tagged})
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

async fn fds(transport: &str) -> serde_json::Value {
    let ctx = Context::new().expect("context");
    let mut server = Server::bind(&ctx, SocketType::Pull, transport);
    let before = open_fds();
    for _ in 0..200 {
        server.departs(&ctx, SocketType::Push, None).await;
    }
    // The drivers end once the monitor has spoken; give the runtime a
    // moment to drop them.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = open_fds();
    let mut read = 0;
    for _ in 0..200 {
        let m = within("read a departed peer's message", server.socket.recv())
            .await
            .expect("recv");
        if body(&m) == b"unread" {
            read += 1;
        }
    }
    serde_json::json!({"kept": after.saturating_sub(before), "read": read})
}

/// Checks one scenario's figures on ours and on libzmq's over the same
/// transport.
async fn compare(
    scenario: &str,
    transport: &str,
    ours: serde_json::Value,
    check: impl Fn(&serde_json::Value),
) {
    eprintln!("{scenario} over {transport}: zmtp {ours}");
    check(&ours);
    if let Some(theirs) = libzmq(scenario, transport).await {
        eprintln!("{scenario} over {transport}: libzmq {theirs}");
        check(&theirs);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bind_side_dealer_sends_nothing_to_a_departed_peer() {
    for transport in ["tcp", "ipc"] {
        compare("dealer", transport, dealer(transport).await, |f| {
            assert_eq!(f["delivered"], 10, "{transport}: {f}");
            assert_eq!(f["unread_readable"], true, "{transport}: {f}");
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bind_side_pair_would_block_once_its_peer_departed() {
    for transport in ["tcp", "ipc"] {
        compare("pair", transport, pair(transport).await, |f| {
            assert_eq!(f["ok"], 0, "{transport}: {f}");
            assert_eq!(f["would_block"], 10, "{transport}: {f}");
            assert_eq!(f["unread_readable"], true, "{transport}: {f}");
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_mandatory_reports_a_departed_peer_unreachable() {
    for transport in ["tcp", "ipc"] {
        compare("router", transport, router(transport).await, |f| {
            assert_eq!(f["unreachable"], 5, "{transport}: {f}");
            assert_eq!(f["unread_readable"], true, "{transport}: {f}");
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn departed_peers_keep_no_socket_open() {
    for transport in ["tcp", "ipc"] {
        compare("fds", transport, fds(transport).await, |f| {
            // A few descriptors may come and go with the runtime; 200
            // held sockets may not.
            assert!(f["kept"].as_u64().unwrap() < 10, "{transport}: {f}");
            assert_eq!(f["read"], 200, "{transport}: {f}");
        })
        .await;
    }
}
