//! The measurement tools every implementation provides, as one child
//! process each: `compare tool <impl> <tool> <args...>`.
//!
//! Receivers print libzmq's result lines (see `zmtp_perf::report`); a
//! subscriber prints `ready` on its first probe; the flood receiver prints
//! `peak rss: N [kB]`. A publisher starts its measured burst when a line
//! arrives on its standard input.

use std::fmt;
use std::str::FromStr;

/// A failure inside a tool process.
pub type ToolError = Box<dyn std::error::Error + Send + Sync>;

/// One of the implementations compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Impl {
    /// This project's `zmtp`.
    Ours,
    /// libzmq 4.3.4 through the `zmq` crate.
    Libzmq,
    /// zmq.rs (`zeromq` 0.7).
    Zmqrs,
    /// The same ZMTP frames over plain blocking sockets, no socket
    /// semantics: the ceiling (`crate::backend::raw`).
    Raw,
}

impl Impl {
    /// All four, libzmq (the reference) first.
    pub const ALL: [Impl; 4] = [Impl::Libzmq, Impl::Ours, Impl::Zmqrs, Impl::Raw];

    /// The name used on command lines and in the CSV.
    pub fn name(self) -> &'static str {
        match self {
            Impl::Ours => "zmtp",
            Impl::Libzmq => "libzmq",
            Impl::Zmqrs => "zmq.rs",
            Impl::Raw => "raw",
        }
    }
}

impl fmt::Display for Impl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Impl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Impl::ALL
            .into_iter()
            .find(|i| i.name() == s)
            .ok_or_else(|| format!("unknown implementation {s:?} (zmtp, libzmq, zmq.rs, raw)"))
    }
}

/// A parsed tool command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tool {
    /// PULL binds and measures.
    LocalThr {
        ep: String,
        size: usize,
        count: usize,
    },
    /// PUSH connects and sends.
    RemoteThr {
        ep: String,
        size: usize,
        count: usize,
    },
    /// REP binds and echoes.
    LocalLat {
        ep: String,
        size: usize,
        count: usize,
    },
    /// REQ connects and measures.
    RemoteLat {
        ep: String,
        size: usize,
        count: usize,
    },
    /// PUSH/PULL in one process over inproc.
    InprocThr { size: usize, count: usize },
    /// REQ/REP in one process over inproc.
    InprocLat { size: usize, count: usize },
    /// PUB binds, waits for a line on stdin, sends.
    PubThr {
        ep: String,
        size: usize,
        count: usize,
    },
    /// SUB connects, prints `ready`, measures.
    SubThr {
        ep: String,
        size: usize,
        count: usize,
    },
    /// ROUTER binds and measures.
    RouterThr {
        ep: String,
        size: usize,
        count: usize,
    },
    /// DEALER connects and sends.
    DealerThr {
        ep: String,
        size: usize,
        count: usize,
    },
    /// PULL binds, pauses `pause_ms` while flooded, drains, prints peak RSS.
    FloodRx {
        ep: String,
        size: usize,
        count: usize,
        pause_ms: u64,
    },
    /// A CURVE tool: the binding end is the server, the connecting end its
    /// client (local_thr, remote_thr, local_lat or remote_lat).
    Curve(Box<Tool>),
    /// A CURVE ROUTER (server) binds and echoes `count` messages.
    HandshakeServer { ep: String, count: usize },
    /// `count` CURVE DEALER clients, [`HANDSHAKE_WAVE`] at a time, each
    /// connecting, making one round trip and closing; prints the rate.
    HandshakeClients { ep: String, count: usize },
    /// PUB binds with the default high-water mark, waits for a line on
    /// stdin, sends.
    PubHwm {
        ep: String,
        size: usize,
        count: usize,
    },
    /// SUB connects with the default high-water mark and `subs`
    /// subscriptions (see `subscriptions`), prints `ready`, measures.
    SubMany {
        ep: String,
        size: usize,
        count: usize,
        subs: usize,
    },
    /// `peers` DEALERs in one process, `count` messages in all, round
    /// robin over them.
    Dealers {
        ep: String,
        size: usize,
        count: usize,
        peers: usize,
    },
    /// ROUTER binds, learns the routing ids of `peers` peers from one
    /// message each, then sends `count` messages round robin by routing
    /// id, with ROUTER_MANDATORY (waiting where a queue is full).
    RouterSend {
        ep: String,
        size: usize,
        count: usize,
        peers: usize,
    },
    /// `peers` DEALERs in one process connect, say hello, and receive
    /// `count` messages in all; prints the rate from the first to the
    /// last (and the count got, if a peer falls quiet first).
    DealersRecv {
        ep: String,
        size: usize,
        count: usize,
        peers: usize,
    },
    /// ROUTER binds and waits for one message from each of `count` peers;
    /// prints the accept rate and the memory per connection.
    ConnRouter { ep: String, count: usize },
    /// `count` DEALERs connect and each sends one message, then they stay
    /// connected until the process is ended.
    ConnClients { ep: String, count: usize },
    /// DISH binds, joins [`RADIO_GROUP`], prints `ready` on the first
    /// probe, counts DATA messages as a subscriber does.
    DishThr {
        ep: String,
        size: usize,
        count: usize,
    },
    /// RADIO connects, sends probes to [`RADIO_GROUP`] every 10 ms until a
    /// line arrives on stdin, then `count` DATA messages in bursts of
    /// [`RADIO_BURST`] (at most `rate` a second; 0: a yield between
    /// bursts, no more), then END markers.
    RadioThr {
        ep: String,
        size: usize,
        count: usize,
        rate: u32,
    },
    /// libzmq's side of a tool through zeromq.js in Node (ws, udp, and
    /// the tcp rows that calibrate them).
    Node(Box<Tool>),
}

/// The one group of the RADIO/DISH case.
pub const RADIO_GROUP: &str = "perf";

/// How many messages a RADIO queues before it lets the runtime write
/// them (zmtp's `send_group` never waits; zeromq.js's `send` is awaited
/// per message instead).
pub const RADIO_BURST: usize = 100;

/// How many CURVE clients handshake at once.
pub const HANDSHAKE_WAVE: usize = 16;

/// The subscriptions of a fan-out subscriber `k` of `subs` in all: the
/// three that match the publisher's probe, data and end markers, and
/// `subs - 3` that match nothing (distinct per subscriber, so the
/// publisher's table holds them all).
pub fn subscriptions(k: usize, subs: usize) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = [
        zmtp_perf::extra::PROBE,
        zmtp_perf::extra::DATA,
        zmtp_perf::extra::END,
    ]
    .iter()
    .map(|t| vec![*t])
    .collect();
    for i in 3..subs.max(3) {
        v.push(format!("X{k}-{i}").into_bytes());
    }
    v.truncate(subs.max(3));
    v
}

impl Tool {
    /// Parses `<tool> <args...>`.
    ///
    /// # Errors
    /// A usage message.
    pub fn parse(args: &[String]) -> Result<Tool, String> {
        let (name, rest) = args.split_first().ok_or("missing tool name")?;
        let num = |i: usize| -> Result<usize, String> {
            rest.get(i)
                .ok_or_else(|| format!("{name}: missing argument {}", i + 1))?
                .parse()
                .map_err(|_| format!("{name}: argument {} is not a number", i + 1))
        };
        let ep = || -> Result<String, String> {
            rest.first()
                .cloned()
                .ok_or_else(|| format!("{name}: missing endpoint"))
        };
        Ok(match name.as_str() {
            "local_thr" => Tool::LocalThr {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "remote_thr" => Tool::RemoteThr {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "local_lat" => Tool::LocalLat {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "remote_lat" => Tool::RemoteLat {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "inproc_thr" => Tool::InprocThr {
                size: num(0)?,
                count: num(1)?,
            },
            "inproc_lat" => Tool::InprocLat {
                size: num(0)?,
                count: num(1)?,
            },
            "pub_thr" => Tool::PubThr {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "sub_thr" => Tool::SubThr {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "router_thr" => Tool::RouterThr {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "dealer_thr" => Tool::DealerThr {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "flood_rx" => Tool::FloodRx {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
                pause_ms: num(3)? as u64,
            },
            "curve" => {
                let inner = Tool::parse(rest)?;
                match inner {
                    Tool::LocalThr { .. }
                    | Tool::RemoteThr { .. }
                    | Tool::LocalLat { .. }
                    | Tool::RemoteLat { .. } => Tool::Curve(Box::new(inner)),
                    _ => return Err("curve: local_thr, remote_thr, local_lat or remote_lat".into()),
                }
            }
            "handshake_server" => Tool::HandshakeServer {
                ep: ep()?,
                count: num(1)?,
            },
            "handshake_clients" => Tool::HandshakeClients {
                ep: ep()?,
                count: num(1)?,
            },
            "pub_hwm" => Tool::PubHwm {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "sub_many" => Tool::SubMany {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
                subs: num(3)?,
            },
            "dealers" => Tool::Dealers {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
                peers: num(3)?,
            },
            "router_send" => Tool::RouterSend {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
                peers: num(3)?,
            },
            "dealers_recv" => Tool::DealersRecv {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
                peers: num(3)?,
            },
            "conn_router" => Tool::ConnRouter {
                ep: ep()?,
                count: num(1)?,
            },
            "conn_clients" => Tool::ConnClients {
                ep: ep()?,
                count: num(1)?,
            },
            "dish_thr" => Tool::DishThr {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
            },
            "radio_thr" => Tool::RadioThr {
                ep: ep()?,
                size: num(1)?,
                count: num(2)?,
                rate: num(3)? as u32,
            },
            "node" => Tool::Node(Box::new(Tool::parse(rest)?)),
            other => return Err(format!("unknown tool {other:?}")),
        })
    }
}

/// Prints `ready` for the comparison and flushes it.
pub fn say_ready() {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ready");
    let _ = out.flush();
}

/// Prints the connection scale result lines: the rate from the first
/// peer's message to the last, and the resident memory each connection
/// added.
pub fn conn_lines(
    count: usize,
    elapsed: std::time::Duration,
    rss_before_kib: u64,
    rss_after_kib: u64,
) -> String {
    let rate = count as f64 / elapsed.as_secs_f64().max(1e-6);
    let per = rss_after_kib.saturating_sub(rss_before_kib) as f64 / count.max(1) as f64;
    format!(
        "connections: {count}\naccept rate: {rate:.1} [conn/s]\nrss per connection: {per:.3} [kB]\n"
    )
}

/// Prints the handshake clients' result line.
pub fn handshake_line(count: usize, elapsed: std::time::Duration) -> String {
    format!(
        "handshake rate: {:.1} [1/s]\n",
        count as f64 / elapsed.as_secs_f64().max(1e-6)
    )
}

/// This process's resident memory now (`VmRSS`), in KiB.
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Prints the flood receiver's result line.
pub fn rss_line(kib: u64) -> String {
    format!("peak rss: {kib} [kB]\n")
}

/// How long a sender that cannot tell when its messages are delivered
/// stays alive after sending (the comparison ends it as soon as the
/// receiver is done).
pub const SENDER_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs a tool of an implementation, returning what it prints.
///
/// # Errors
/// The tool's failure.
pub fn run(imp: Impl, tool: Tool) -> Result<String, ToolError> {
    match imp {
        Impl::Ours => crate::backend::ours::run(tool),
        Impl::Libzmq => crate::backend::libzmq::run(tool),
        Impl::Zmqrs => crate::backend::zmqrs::run(tool),
        Impl::Raw => crate::backend::raw::run(tool),
    }
}

/// The tokio runtime zmq.rs runs on: `ZMQRS_PERF_THREADS` workers, default
/// 2 (what `#[tokio::main]` gives on 2 cores, and zmq.rs's best here: a
/// current-thread runtime gave it 0.6x the throughput at 64 B over tcp); 0
/// is tokio's current-thread runtime. zmtp's runtime is chosen by
/// `zmtp_perf::runtime` (`ZMTP_PERF_THREADS`).
///
/// # Errors
/// When the runtime cannot start.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let threads: usize = std::env::var("ZMQRS_PERF_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    if threads == 0 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
}
