//! A hostile network between two peers: a userspace TCP relay on
//! 127.0.0.1 ([`FaultProxy`]) that delays every chunk in each direction,
//! throttles, resets both sides (SO_LINGER 0, so an RST) or black-holes
//! (keeps both connections open and forwards nothing: a dead peer, a
//! silent partition). This kernel has no `netem` qdisc, and loss and
//! reordering are invisible above TCP except as delay, so a relay is
//! what reaches the sockets (docs/src/faults.md).
//!
//! libzmq's figures go through the same relay, run here: the baseline
//! script connects to its port and drives it through a control port
//! (one line per command: `reset`, `blackhole`, `heal`, answered `ok`).
//!
//! 9a. delay + throttle: PUSH -> relay -> PULL, all delivered in order.
//! 9b. reset mid-stream: DEALER -> relay -> ROUTER, reconnect, no
//!     duplicates, everything sent after the reset was noticed arrives.
//! 9c. black-hole: heartbeats notice the dead peer within a small
//!     multiple of HEARTBEAT_TIMEOUT; what was queued meanwhile arrives
//!     once the network heals.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use zmtp::{Bytes, Context, MonitorEventKind, Socket, SocketType, opt};

use crate::support::{WAIT, beside, libzmq, report, scale, within, within_for};

/// How the relay treats the octets it carries.
#[derive(Clone, Copy, Default)]
struct Faults {
    /// Added to every chunk, in each direction.
    delay: Duration,
    /// Octets per second in each direction, if throttled.
    rate: Option<u64>,
}

struct Shared {
    upstream: SocketAddr,
    faults: Faults,
    /// `false` while black-holed.
    forwarding: watch::Sender<bool>,
    /// The task of every relayed connection pair, aborted on a reset.
    pairs: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    /// Drops every relayed connection, both sides with SO_LINGER 0.
    fn reset(&self) {
        for pair in self
            .pairs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            pair.abort();
        }
    }

    /// Keeps the connections, forwards nothing.
    fn black_hole(&self) {
        self.forwarding.send_replace(false);
    }

    /// Drops the black-holed connections and forwards again.
    fn heal(&self) {
        self.reset();
        self.forwarding.send_replace(true);
    }
}

/// The relay: listens on `port`, connects each accepted connection to
/// `upstream`, and takes commands on `control`.
struct FaultProxy {
    port: u16,
    control: u16,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.reset();
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// SO_LINGER 0: a close is an RST.
fn abortive(s: &TcpStream) {
    socket2::SockRef::from(s)
        .set_linger(Some(Duration::ZERO))
        .expect("SO_LINGER 0");
}

impl FaultProxy {
    async fn start(upstream: SocketAddr, faults: Faults) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let control = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let control_port = control.local_addr().expect("addr").port();
        let shared = Arc::new(Shared {
            upstream,
            faults,
            forwarding: watch::Sender::new(true),
            pairs: Mutex::new(Vec::new()),
        });
        let accept = {
            let shared = shared.clone();
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let pair = tokio::spawn(relay(client, shared.clone()));
                    let mut pairs = shared.pairs.lock().unwrap_or_else(|e| e.into_inner());
                    pairs.retain(|p| !p.is_finished());
                    pairs.push(pair);
                }
            })
        };
        let commands = {
            let shared = shared.clone();
            tokio::spawn(async move {
                while let Ok((c, _)) = control.accept().await {
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        let (r, mut w) = c.into_split();
                        let mut lines = BufReader::new(r).lines();
                        while let Ok(Some(line)) = lines.next_line().await {
                            match line.trim() {
                                "reset" => shared.reset(),
                                "blackhole" => shared.black_hole(),
                                "heal" => shared.heal(),
                                other => panic!("unknown relay command {other:?}"),
                            }
                            if w.write_all(b"ok\n").await.is_err() {
                                break;
                            }
                        }
                    });
                }
            })
        };
        Self {
            port,
            control: control_port,
            shared,
            tasks: vec![accept, commands],
        }
    }

    fn endpoint(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }
}

/// One relayed connection: both directions until either ends (then both
/// sides are dropped) or the task is aborted.
async fn relay(client: TcpStream, shared: Arc<Shared>) {
    abortive(&client);
    let Ok(server) = TcpStream::connect(shared.upstream).await else {
        return;
    };
    abortive(&server);
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    tokio::select! {
        () = pump(cr, sw, &shared) => {}
        () = pump(sr, cw, &shared) => {}
    }
}

/// One direction: a reader that stamps each chunk with when it is due,
/// and a writer that waits for that time, for the network to forward,
/// and for the throttle.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, shared: &Shared) {
    let Faults { delay, rate } = shared.faults;
    // Bounded: a relay that cannot write stops reading, like a network.
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(32);
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n @ 1..) = from.read(&mut buf).await {
            if tx
                .send((Instant::now() + delay, buf[..n].to_vec()))
                .await
                .is_err()
            {
                break;
            }
        }
    };
    let writer = async {
        let mut forwarding = shared.forwarding.subscribe();
        let mut next = Instant::now();
        // Throttled writes in slices of about 20 ms each.
        let slice = rate.map_or(usize::MAX, |r| usize::try_from(r / 50).unwrap_or(1).max(1));
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if forwarding.wait_for(|f| *f).await.is_err() {
                return;
            }
            for piece in chunk.chunks(slice) {
                if let Some(rate) = rate {
                    next = next.max(Instant::now());
                    tokio::time::sleep_until(next).await;
                    next += Duration::from_secs_f64(piece.len() as f64 / rate as f64);
                }
                if to.write_all(piece).await.is_err() {
                    return;
                }
            }
        }
    };
    tokio::join!(reader, writer);
}

/// A free port on 127.0.0.1 for a server that binds it later (the
/// baseline's).
fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("addr")
}

fn addr_of(socket: &Socket) -> SocketAddr {
    socket
        .last_endpoint()
        .strip_prefix("tcp://")
        .expect("a tcp endpoint")
        .parse()
        .expect("an address")
}

/// Message `n`: its number, zero-padded to 64 octets.
fn numbered(n: usize) -> Bytes {
    Bytes::from(format!("{n:064}"))
}

fn number(frame: &[u8]) -> usize {
    std::str::from_utf8(frame)
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("a numbered message")
}

/// Waits (bounded) for the next `kind` on `monitor`.
async fn seen(monitor: &mut zmtp::Monitor, kind: MonitorEventKind) {
    within(&format!("{kind:?} on the monitor"), async {
        loop {
            if monitor.next().await.expect("monitor open").kind == kind {
                return;
            }
        }
    })
    .await;
}

fn linger0(s: &Socket) {
    s.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
}

#[test]
fn delay_and_throttle_deliver_everything_in_order() {
    beside(async {
        let total = scale(2000, 20_000);
        let faults = Faults {
            delay: Duration::from_millis(20),
            rate: Some(512 * 1024),
        };
        let ctx = Context::new().expect("context");
        let pull = ctx.socket(SocketType::Pull).expect("socket");
        linger0(&pull);
        pull.bind("tcp://127.0.0.1:*").expect("bind");
        let proxy = FaultProxy::start(addr_of(&pull), faults).await;
        let push = ctx.socket(SocketType::Push).expect("socket");
        linger0(&push);
        let mut monitor = push.monitor();
        push.connect(&proxy.endpoint()).expect("connect");
        seen(&mut monitor, MonitorEventKind::HandshakeSucceeded).await;

        let start = Instant::now();
        let reader = tokio::spawn(async move {
            let (mut in_order, mut seen_at) = (0, HashMap::new());
            for i in 0..total {
                let m = within("a message through the relay", pull.recv())
                    .await
                    .expect("recv");
                let n = number(&m.frames()[0]);
                in_order += usize::from(n == i);
                *seen_at.entry(n).or_insert(0usize) += 1;
            }
            (in_order, seen_at)
        });
        for i in 0..total {
            within("a send", push.send(numbered(i)))
                .await
                .expect("send");
        }
        let (in_order, times) = within_for(WAIT * 3, "every message", reader)
            .await
            .expect("reader");
        let secs = start.elapsed().as_secs_f64();
        let duplicates = times.values().filter(|&&t| t > 1).count();
        let ours = serde_json::json!({
            "sent": total, "delivered": times.len(), "in_order": in_order,
            "duplicates": duplicates, "msgs_per_s": (total as f64 / secs).round(),
        });
        drop(proxy);

        let server = free_addr();
        let proxy = FaultProxy::start(server, faults).await;
        let theirs = libzmq(
            "network_throughput",
            &[
                server.port().to_string(),
                proxy.port.to_string(),
                total.to_string(),
            ],
            Duration::from_secs(120),
        )
        .await;
        drop(proxy);
        let check = |f: &serde_json::Value| {
            f["delivered"] == f["sent"] && f["in_order"] == f["sent"] && f["duplicates"] == 0
        };
        let ratio = theirs.as_ref().map(|t| {
            ours["msgs_per_s"].as_f64().unwrap_or(0.0) / t["msgs_per_s"].as_f64().unwrap_or(1.0)
        });
        report(
            "9a delay 20 ms each way + 512 KiB/s, PUSH->PULL",
            &format!(
                "{ours}{}",
                ratio.map_or(String::new(), |r| format!(" throughput ours/libzmq {r:.2}"))
            ),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            check(&ours) && theirs.as_ref().is_none_or(check),
        );
        assert!(check(&ours), "all delivered once, in order: {ours}");
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}

#[test]
fn a_reset_mid_stream_loses_no_later_message_and_duplicates_none() {
    beside(async {
        let total = scale(2000, 10_000);
        let reset_at = total / 2;
        let faults = Faults {
            delay: Duration::from_millis(5),
            rate: None,
        };
        let ctx = Context::new().expect("context");
        let router = ctx.socket(SocketType::Router).expect("socket");
        linger0(&router);
        router.bind("tcp://127.0.0.1:*").expect("bind");
        let proxy = FaultProxy::start(addr_of(&router), faults).await;
        let dealer = ctx.socket(SocketType::Dealer).expect("socket");
        linger0(&dealer);
        dealer
            .set(opt::ReconnectIvl, Some(Duration::from_millis(50)))
            .expect("RECONNECT_IVL");
        let mut monitor = dealer.monitor();
        dealer.connect(&proxy.endpoint()).expect("connect");
        seen(&mut monitor, MonitorEventKind::HandshakeSucceeded).await;

        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let m = within("a message at the ROUTER", router.recv())
                    .await
                    .expect("recv");
                let n = number(&m.frames()[1]);
                got.push(n);
                if n == total - 1 {
                    return got;
                }
            }
        });
        for i in 0..total {
            if i == reset_at {
                proxy.shared.reset();
                seen(&mut monitor, MonitorEventKind::Disconnected).await;
            }
            within("a send", dealer.send(numbered(i)))
                .await
                .expect("send");
            if i.is_multiple_of(10) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        let got = within("the last message", reader).await.expect("reader");
        drop(proxy);
        let mut times: HashMap<usize, usize> = HashMap::new();
        for n in got {
            *times.entry(n).or_default() += 1;
        }
        let ours = serde_json::json!({
            "sent": total, "reset_after": reset_at,
            "duplicates": times.values().filter(|&&t| t > 1).count(),
            "lost_before_reset": (0..reset_at).filter(|n| !times.contains_key(n)).count(),
            "lost_after_reset": (reset_at..total).filter(|n| !times.contains_key(n)).count(),
        });

        let server = free_addr();
        let proxy = FaultProxy::start(server, faults).await;
        let theirs = libzmq(
            "network_reset",
            &[
                server.port().to_string(),
                proxy.port.to_string(),
                proxy.control.to_string(),
                total.to_string(),
                reset_at.to_string(),
            ],
            Duration::from_secs(120),
        )
        .await;
        drop(proxy);
        let check = |f: &serde_json::Value| f["duplicates"] == 0 && f["lost_after_reset"] == 0;
        report(
            "9b reset (RST both sides) mid-stream, DEALER->ROUTER",
            &ours.to_string(),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            check(&ours) && theirs.as_ref().is_none_or(check),
        );
        assert_eq!(ours["duplicates"], 0, "no duplicates: {ours}");
        assert_eq!(
            ours["lost_after_reset"], 0,
            "everything sent once the reset was seen arrives: {ours}"
        );
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}

/// HEARTBEAT_IVL and HEARTBEAT_TIMEOUT of the black-hole scenario.
const HB_IVL: Duration = Duration::from_millis(100);
const HB_TIMEOUT: Duration = Duration::from_millis(300);

#[test]
fn heartbeats_notice_a_black_hole_and_queued_messages_follow_the_heal() {
    beside(async {
        let (warm, during, queued) = (10, 20, scale(50, 500));
        let ctx = Context::new().expect("context");
        let pull = ctx.socket(SocketType::Pull).expect("socket");
        linger0(&pull);
        pull.bind("tcp://127.0.0.1:*").expect("bind");
        let proxy = FaultProxy::start(addr_of(&pull), Faults::default()).await;
        let push = ctx.socket(SocketType::Push).expect("socket");
        linger0(&push);
        push.set(opt::HeartbeatIvl, Some(HB_IVL))
            .expect("HEARTBEAT_IVL");
        push.set(opt::HeartbeatTimeout, Some(HB_TIMEOUT))
            .expect("HEARTBEAT_TIMEOUT");
        push.set(opt::ReconnectIvl, Some(Duration::from_millis(50)))
            .expect("RECONNECT_IVL");
        let mut monitor = push.monitor();
        push.connect(&proxy.endpoint()).expect("connect");
        seen(&mut monitor, MonitorEventKind::HandshakeSucceeded).await;
        for i in 0..warm {
            within("a send", push.send(numbered(i)))
                .await
                .expect("send");
            within("a warm-up message", pull.recv())
                .await
                .expect("recv");
        }

        proxy.shared.black_hole();
        let start = Instant::now();
        for i in warm..warm + during {
            within("a send into the black hole", push.send(numbered(i)))
                .await
                .expect("send");
        }
        seen(&mut monitor, MonitorEventKind::Disconnected).await;
        let noticed = start.elapsed().as_secs_f64() / HB_TIMEOUT.as_secs_f64();
        let first_queued = warm + during;
        for i in first_queued..first_queued + queued {
            within("a send while disconnected", push.send(numbered(i)))
                .await
                .expect("send");
        }
        proxy.shared.heal();
        let mut got = HashMap::<usize, usize>::new();
        // Until the last queued one, or nothing for 5 s.
        while let Ok(m) = tokio::time::timeout(Duration::from_secs(5), pull.recv()).await {
            let n = number(&m.expect("recv").frames()[0]);
            *got.entry(n).or_default() += 1;
            if n == first_queued + queued - 1 {
                break;
            }
        }
        drop(proxy);
        let ours = serde_json::json!({
            "noticed_x_timeout": (noticed * 100.0).round() / 100.0,
            "sent_into_black_hole": during,
            "of_those_delivered": (warm..first_queued).filter(|n| got.contains_key(n)).count(),
            "queued_while_down": queued,
            "queued_delivered": (first_queued..first_queued + queued).filter(|n| got.contains_key(n)).count(),
            "duplicates": got.values().filter(|&&t| t > 1).count(),
        });

        let server = free_addr();
        let proxy = FaultProxy::start(server, Faults::default()).await;
        let theirs = libzmq(
            "network_black_hole",
            &[
                server.port().to_string(),
                proxy.port.to_string(),
                proxy.control.to_string(),
                HB_IVL.as_millis().to_string(),
                HB_TIMEOUT.as_millis().to_string(),
                warm.to_string(),
                during.to_string(),
                queued.to_string(),
            ],
            Duration::from_secs(120),
        )
        .await;
        drop(proxy);
        let check = |f: &serde_json::Value| {
            let x = f["noticed_x_timeout"].as_f64().unwrap_or(f64::NAN);
            (0.5..=5.0).contains(&x)
                && f["queued_delivered"] == f["queued_while_down"]
                && f["duplicates"] == 0
        };
        report(
            "9c black-hole, HEARTBEAT_IVL 100 ms, HEARTBEAT_TIMEOUT 300 ms, PUSH->PULL",
            &ours.to_string(),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            check(&ours) && theirs.as_ref().is_none_or(check),
        );
        assert!(
            (0.5..=5.0).contains(&noticed),
            "the dead peer noticed within 0.5-5 x HEARTBEAT_TIMEOUT: {ours}"
        );
        assert_eq!(
            ours["queued_delivered"], ours["queued_while_down"],
            "what was queued while disconnected arrives after the heal: {ours}"
        );
        assert_eq!(ours["duplicates"], 0, "no duplicates: {ours}");
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}
