//! Runs one case for one implementation as child processes and reads its
//! figure.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zmtp_perf::report::parse_line;

use crate::plan::{
    CONN_CLIENT_PROCESSES, Case, FANOUT_SUBSCRIPTIONS, FLOOD_PAUSE_MS, Kind, Transport,
};
use crate::proc::Proc;
use crate::tool::Impl;

/// One measured figure.
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    /// In the case's metric.
    pub value: f64,
    /// For PUB/SUB, the share of published messages the subscribers got.
    pub delivered: Option<f64>,
}

/// How long one measurement may take before it is abandoned.
const DEADLINE: Duration = Duration::from_secs(120);

/// Runs `case` for `imp`, the tools being `exe tool <impl> ...`.
///
/// # Errors
/// A description of what failed; `Ok(None)` when `imp` cannot do the case
/// (zmq.rs has no inproc; raw has only push-pull and req-rep over tcp and
/// ipc).
pub fn measure(exe: &Path, imp: Impl, case: &Case, seq: usize) -> Result<Option<Figure>, String> {
    if imp == Impl::Zmqrs && case.transport == Transport::Inproc {
        return Ok(None);
    }
    if imp == Impl::Raw && !crate::backend::raw::supports(case.kind, case.transport) {
        return Ok(None);
    }
    if imp == Impl::Zmqrs && case.is_curve_or_scale() {
        return Ok(None);
    }
    // The ws and udp cases: zmtp, and libzmq through zeromq.js; the tcp
    // rows through Node: libzmq only.
    if (case.via_node && imp != Impl::Libzmq)
        || (case.is_transport() && matches!(imp, Impl::Zmqrs | Impl::Raw))
    {
        return Ok(None);
    }
    let deadline = Instant::now() + DEADLINE;
    let size = case.size.to_string();
    let count = case.count.to_string();
    let tool = |name: &str, rest: &[&str]| -> Vec<String> {
        let mut v = vec!["tool".to_owned(), imp.name().to_owned()];
        if imp == Impl::Libzmq && case.libzmq_via_node() {
            v.push("node".to_owned());
        }
        v.push(name.to_owned());
        v.extend(rest.iter().map(|s| (*s).to_owned()));
        v
    };
    if case.transport == Transport::Inproc {
        let name = if case.kind == Kind::ReqRep {
            "inproc_lat"
        } else {
            "inproc_thr"
        };
        let out = Proc::spawn(exe, &tool(name, &[&size, &count]), false)?.finish(deadline)?;
        return parse(case, &out).map(Some);
    }
    let ep = Endpoint::new(case.transport, seq)?;
    let ep_s = ep.address.as_str();
    let fig = match case.kind {
        Kind::PushPull
        | Kind::RouterDealer
        | Kind::ReqRep
        | Kind::Flood
        | Kind::CurvePushPull
        | Kind::CurveReqRep
        | Kind::CurveHandshakes
        | Kind::RouterPeers(_)
        | Kind::RouterTo(_) => {
            let pause = FLOOD_PAUSE_MS.to_string();
            let peers = match case.kind {
                Kind::RouterPeers(n) | Kind::RouterTo(n) => n.to_string(),
                _ => String::new(),
            };
            let (rx, rx_args, tx, tx_args): (&str, Vec<&str>, &str, Vec<&str>) = match case.kind {
                Kind::PushPull => (
                    "local_thr",
                    vec![ep_s, &size, &count],
                    "remote_thr",
                    vec![ep_s, &size, &count],
                ),
                Kind::RouterDealer => (
                    "router_thr",
                    vec![ep_s, &size, &count],
                    "dealer_thr",
                    vec![ep_s, &size, &count],
                ),
                Kind::ReqRep => (
                    "local_lat",
                    vec![ep_s, &size, &count],
                    "remote_lat",
                    vec![ep_s, &size, &count],
                ),
                Kind::Flood => (
                    "flood_rx",
                    vec![ep_s, &size, &count, &pause],
                    "remote_thr",
                    vec![ep_s, &size, &count],
                ),
                Kind::CurvePushPull => (
                    "curve",
                    vec!["local_thr", ep_s, &size, &count],
                    "curve",
                    vec!["remote_thr", ep_s, &size, &count],
                ),
                Kind::CurveReqRep => (
                    "curve",
                    vec!["local_lat", ep_s, &size, &count],
                    "curve",
                    vec!["remote_lat", ep_s, &size, &count],
                ),
                Kind::CurveHandshakes => (
                    "handshake_server",
                    vec![ep_s, &count],
                    "handshake_clients",
                    vec![ep_s, &count],
                ),
                Kind::RouterTo(_) => (
                    "router_send",
                    vec![ep_s, &size, &count, &peers],
                    "dealers_recv",
                    vec![ep_s, &size, &count, &peers],
                ),
                _ => (
                    "router_thr",
                    vec![ep_s, &size, &count],
                    "dealers",
                    vec![ep_s, &size, &count, &peers],
                ),
            };
            let binder = Proc::spawn(exe, &tool(rx, &rx_args), false)?;
            ep.wait_bound(deadline)?;
            let connecter = Proc::spawn(exe, &tool(tx, &tx_args), false)?;
            // The latency and handshake figures come from the connecting
            // side.
            let (measurer, other) = if matches!(
                case.kind,
                Kind::ReqRep | Kind::CurveReqRep | Kind::CurveHandshakes | Kind::RouterTo(_)
            ) {
                (connecter, binder)
            } else {
                (binder, connecter)
            };
            let out = measurer.finish(deadline);
            // libzmq's and ours exit by themselves once done; zmq.rs's
            // cannot tell when its queue is flushed and waits to be ended.
            let grace = Instant::now() + Duration::from_secs(2);
            let peer = other.finish(grace);
            match (out, peer) {
                (Ok(out), _) if matches!(case.kind, Kind::RouterTo(_)) => {
                    let mut fig = parse(case, &out)?;
                    let got = parse_line(&out, "message count: ", "").ok_or("no count")?;
                    fig.delivered = Some(got / case.count as f64);
                    fig
                }
                (Ok(out), _) => parse(case, &out)?,
                (Err(e), Err(peer)) => return Err(format!("{e}; peer: {peer}")),
                (Err(e), Ok(_)) => return Err(format!("{e}; peer exited normally")),
            }
        }
        Kind::ConnAccept(n) | Kind::ConnMemory(n) => {
            let binder = Proc::spawn(exe, &tool("conn_router", &[ep_s, &n.to_string()]), false)?;
            ep.wait_bound(deadline)?;
            let per = (n / CONN_CLIENT_PROCESSES).to_string();
            let mut clients = Vec::new();
            for _ in 0..CONN_CLIENT_PROCESSES {
                clients.push(Proc::spawn(
                    exe,
                    &tool("conn_clients", &[ep_s, &per]),
                    false,
                )?);
            }
            let out = binder.finish(deadline);
            for c in clients {
                c.kill();
            }
            parse(case, &out?)?
        }
        Kind::RadioDish(rate) => {
            // The DISH binds udp, the RADIO connects; as one PUB/SUB
            // subscriber otherwise.
            let mut dish = Proc::spawn(exe, &tool("dish_thr", &[ep_s, &size, &count]), false)?;
            ep.wait_bound(deadline)?;
            let rate = rate.to_string();
            let mut radio =
                Proc::spawn(exe, &tool("radio_thr", &[ep_s, &size, &count, &rate]), true)?;
            let ready = dish.wait_line("ready", deadline);
            if let Err(e) = ready {
                radio.kill();
                return Err(e);
            }
            radio.say("go");
            let out = dish.finish(deadline);
            radio.kill();
            let out = out?;
            let got = parse_line(&out, "message count: ", "").ok_or("no count")?;
            Figure {
                value: parse_line(&out, "mean throughput: ", "[msg/s]").ok_or("no rate")?,
                delivered: Some(got / case.count as f64),
            }
        }
        Kind::PubSub(n) | Kind::FanOut(n) => {
            let subs_n = FANOUT_SUBSCRIPTIONS.to_string();
            let (pub_tool, sub_tool, sub_args) = if matches!(case.kind, Kind::FanOut(_)) {
                ("pub_hwm", "sub_many", vec![ep_s, &size, &count, &subs_n])
            } else {
                ("pub_thr", "sub_thr", vec![ep_s, &size, &count])
            };
            let mut publisher = Proc::spawn(exe, &tool(pub_tool, &[ep_s, &size, &count]), true)?;
            ep.wait_bound(deadline)?;
            let mut subs = Vec::new();
            for _ in 0..n {
                subs.push(Proc::spawn(exe, &tool(sub_tool, &sub_args), false)?);
            }
            for s in &mut subs {
                s.wait_line("ready", deadline)?;
            }
            publisher.say("go");
            let mut rates = Vec::new();
            let mut got = 0.0;
            for s in subs {
                let out = s.finish(deadline)?;
                rates.push(parse_line(&out, "mean throughput: ", "[msg/s]").ok_or("no rate")?);
                got += parse_line(&out, "message count: ", "").ok_or("no count")?;
            }
            publisher.kill();
            Figure {
                value: rates.iter().sum::<f64>() / rates.len() as f64,
                delivered: Some(got / (n * case.count) as f64),
            }
        }
    };
    Ok(Some(fig))
}

fn parse(case: &Case, out: &str) -> Result<Figure, String> {
    let value = match case.kind {
        Kind::ReqRep => parse_line(out, "average latency: ", "[us]"),
        Kind::Flood => parse_line(out, "peak rss: ", "[kB]").map(|k| k / 1024.0),
        Kind::CurveReqRep => parse_line(out, "average latency: ", "[us]"),
        Kind::CurveHandshakes => parse_line(out, "handshake rate: ", "[1/s]"),
        Kind::ConnAccept(_) => parse_line(out, "accept rate: ", "[conn/s]"),
        Kind::ConnMemory(_) => parse_line(out, "rss per connection: ", "[kB]"),
        _ => parse_line(out, "mean throughput: ", "[msg/s]"),
    };
    value
        .map(|value| Figure {
            value,
            delivered: None,
        })
        .ok_or_else(|| format!("{}: no figure in {out:?}", case.id))
}

/// A fresh endpoint to bind.
struct Endpoint {
    address: String,
    port: Option<u16>,
    path: Option<PathBuf>,
    /// The port is a udp one (`/proc/net/udp`).
    udp: bool,
}

impl Endpoint {
    fn new(t: Transport, seq: usize) -> Result<Endpoint, String> {
        match t {
            Transport::Tcp | Transport::Ws => {
                // A port the kernel just handed out is free for a while.
                let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
                let port = l.local_addr().map_err(|e| e.to_string())?.port();
                Ok(Endpoint {
                    address: if t == Transport::Ws {
                        format!("ws://127.0.0.1:{port}/zmtp-perf")
                    } else {
                        format!("tcp://127.0.0.1:{port}")
                    },
                    port: Some(port),
                    path: None,
                    udp: false,
                })
            }
            Transport::Udp => {
                let l = std::net::UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
                let port = l.local_addr().map_err(|e| e.to_string())?.port();
                Ok(Endpoint {
                    address: format!("udp://127.0.0.1:{port}"),
                    port: Some(port),
                    path: None,
                    udp: true,
                })
            }
            Transport::Ipc => {
                let path = std::env::temp_dir()
                    .join(format!("zmtp-compare-{}-{seq}.ipc", std::process::id()));
                let _ = std::fs::remove_file(&path);
                Ok(Endpoint {
                    address: format!("ipc://{}", path.display()),
                    port: None,
                    path: Some(path),
                    udp: false,
                })
            }
            Transport::Inproc => Err("inproc has no endpoint to wait for".into()),
        }
    }

    /// Waits until something listens there, without connecting to it.
    fn wait_bound(&self, deadline: Instant) -> Result<(), String> {
        while Instant::now() < deadline {
            let bound = match (&self.port, &self.path) {
                (Some(p), _) if self.udp => udp_bound(*p),
                (Some(p), _) => tcp_listening(*p),
                (_, Some(path)) => path.exists(),
                _ => true,
            };
            if bound {
                if self.path.is_some() {
                    // The ipc file appears at bind(), before listen(): a
                    // libzmq sender connecting in between lost its messages
                    // about one run in ten here (its receiver then waits
                    // forever). Give the listener time to listen.
                    std::thread::sleep(Duration::from_millis(50));
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        Err(format!("nothing listens on {}", self.address))
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Whether `/proc/net/udp` shows a socket bound to `port`.
fn udp_bound(port: u16) -> bool {
    let want = format!(":{port:04X}");
    std::fs::read_to_string("/proc/net/udp").is_ok_and(|t| {
        t.lines().skip(1).any(|l| {
            l.split_whitespace()
                .nth(1)
                .is_some_and(|a| a.ends_with(&want))
        })
    })
}

/// Whether `/proc/net/tcp` shows a listening socket on `port`.
fn tcp_listening(port: u16) -> bool {
    let want = format!(":{port:04X}");
    std::fs::read_to_string("/proc/net/tcp").is_ok_and(|t| {
        t.lines().skip(1).any(|l| {
            let mut f = l.split_whitespace().skip(1);
            let local = f.next().unwrap_or("");
            let state = f.nth(1).unwrap_or("");
            local.ends_with(&want) && state == "0A"
        })
    })
}
