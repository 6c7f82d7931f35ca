//! libzmq 4.3.4 through the `zmq` crate: the same loops as libzmq's own
//! perf tools (one reused `zmq_msg_t` to receive, one new message per
//! send).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use zmtp_perf::extra::{DATA, END, END_FOR, IDLE, PROBE, peak_rss_kib};
use zmtp_perf::{LatReport, ThrReport};

use zmtp_perf::security::{CLIENT_PUBLIC, CLIENT_SECRET, SERVER_PUBLIC, SERVER_SECRET};

use crate::tool::{Tool, ToolError, conn_lines, rss_kib, rss_line, say_ready, subscriptions};

/// The bound on every wait of the scale tools.
const WAIT_MS: i32 = 30_000;
/// How long the receiving peers of the routing case wait for a message
/// before they report what they got.
const QUIET_MS: i64 = 5_000;

/// The C tool that runs libzmq's side of the CURVE cases, against the
/// system's libzmq (Debian's is built with libsodium; the libzmq the `zmq`
/// crate builds has no CURVE).
const CURVE_C: &str = include_str!("libzmq_curve.c");
/// The pyzmq script that runs the same loops in Python: the fallback
/// where the C tool cannot be built (no libzmq headers), and the
/// calibration of the earlier results (`ZMTP_COMPARE_CURVE=pyzmq`).
const CURVE_SCRIPT: &str = include_str!("libzmq_curve.py");
/// How long the tool may run.
const CURVE_DEADLINE: Duration = Duration::from_secs(150);

/// Which libzmq runs the CURVE side, as the result notes name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CurveSide {
    /// The C tool against the system's libzmq.
    C,
    /// The pyzmq script.
    Pyzmq,
}

/// The C tool, compiled on first use into the repository's
/// `target/peers/libzmq-curve/` with `cc -O2 ... -lzmq` (or `$CC`), and
/// again whenever its source changed. `Err` says why it could not be
/// built (no compiler, no `zmq.h`: Debian's libzmq3-dev).
fn curve_c_tool() -> Result<std::path::PathBuf, String> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/peers/libzmq-curve");
    let bin = dir.join("libzmq_curve");
    let src = dir.join("libzmq_curve.c");
    if bin.exists() && std::fs::read_to_string(&src).is_ok_and(|s| s == CURVE_C) {
        return Ok(bin);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // The local and remote halves of a case start together: each builds
    // under its own name and renames it into place (atomic), the source
    // last, so a half that sees the source sees its binary.
    let pid = std::process::id();
    let (tmp_src, tmp_bin) = (
        dir.join(format!("libzmq_curve.{pid}.c")),
        dir.join(format!("libzmq_curve.{pid}")),
    );
    std::fs::write(&tmp_src, CURVE_C).map_err(|e| format!("{}: {e}", tmp_src.display()))?;
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let out = std::process::Command::new(&cc)
        .args(["-O2", "-o"])
        .arg(&tmp_bin)
        .arg(&tmp_src)
        .arg("-lzmq")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {cc}: {e}"))?;
    if !out.status.success() {
        let _ = std::fs::remove_file(&tmp_src);
        return Err(format!(
            "{cc} could not build the libzmq CURVE tool (libzmq's headers: Debian's \
             libzmq3-dev): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    std::fs::rename(&tmp_bin, &bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    std::fs::rename(&tmp_src, &src).map_err(|e| format!("{}: {e}", src.display()))?;
    Ok(bin)
}

/// Which side runs the CURVE cases: `ZMTP_COMPARE_CURVE=pyzmq` or `=c`
/// choose; by default the C tool if it builds, else pyzmq (saying why on
/// stderr).
fn curve_side() -> Result<(CurveSide, Option<std::path::PathBuf>), ToolError> {
    match std::env::var("ZMTP_COMPARE_CURVE").as_deref() {
        Ok("pyzmq") => Ok((CurveSide::Pyzmq, None)),
        Ok("c") => Ok((CurveSide::C, Some(curve_c_tool()?))),
        Ok(other) => Err(format!("ZMTP_COMPARE_CURVE={other}: expected c or pyzmq").into()),
        Err(_) => match curve_c_tool() {
            Ok(bin) => Ok((CurveSide::C, Some(bin))),
            Err(why) => {
                eprintln!("{why}; libzmq's CURVE side runs through pyzmq instead");
                Ok((CurveSide::Pyzmq, None))
            }
        },
    }
}

/// The Python with pyzmq (libzmq 4.3.5 built with libsodium) that runs
/// the script: `ZMTP_COMPARE_PYZMQ`, or the repository's
/// `target/peers/pyzmq/bin/python`.
fn pyzmq_python() -> std::path::PathBuf {
    std::env::var_os("ZMTP_COMPARE_PYZMQ").map_or_else(
        || {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/peers/pyzmq/bin/python")
        },
        std::path::PathBuf::from,
    )
}

/// Runs libzmq's side of a CURVE case, through the C tool or the pyzmq
/// script ([`curve_side`]), with the test key pairs in the environment.
fn curve_tool(args: &[String]) -> Result<String, ToolError> {
    let (side, bin) = curve_side()?;
    let mut cmd = match (side, bin) {
        (CurveSide::C, Some(bin)) => std::process::Command::new(bin),
        _ => {
            let mut cmd = std::process::Command::new(pyzmq_python());
            cmd.arg("-c").arg(CURVE_SCRIPT);
            cmd
        }
    };
    cmd.args(args)
        .env("ZMTP_CURVE_SERVER_PUBLIC", SERVER_PUBLIC)
        .env("ZMTP_CURVE_SERVER_SECRET", SERVER_SECRET)
        .env("ZMTP_CURVE_CLIENT_PUBLIC", CLIENT_PUBLIC)
        .env("ZMTP_CURVE_CLIENT_SECRET", CLIENT_SECRET)
        .stdin(std::process::Stdio::null());
    let what = match side {
        CurveSide::C => "the libzmq CURVE tool",
        CurveSide::Pyzmq => "the pyzmq CURVE tool",
    };
    run_script(cmd, what, CURVE_DEADLINE, true)
}

/// The zeromq.js script that runs libzmq's side of the udp cases.
const NODE_SCRIPT: &str = include_str!("libzmq_node.js");
/// How long the script may run (it ends itself after 140 s).
const NODE_DEADLINE: Duration = Duration::from_secs(150);

/// zeromq.js's `node_modules` (its draft libzmq 4.3.5 has ws and
/// RADIO/DISH over udp): `ZMTP_COMPARE_ZEROMQJS`, else the conformance
/// agent's under the repository's `target/agents/zeromqjs`, else the one
/// `zmtp-conformance setup` puts under `~/.local/share`.
fn zeromqjs_modules() -> Result<std::path::PathBuf, ToolError> {
    if let Some(p) = std::env::var_os("ZMTP_COMPARE_ZEROMQJS") {
        return Ok(p.into());
    }
    let mut tried = vec![
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/agents/zeromqjs/node_modules"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        tried.push(
            std::path::PathBuf::from(home)
                .join(".local/share/zmtp-conformance/agents/zeromqjs/node_modules"),
        );
    }
    tried
        .iter()
        .find(|p| p.join("zeromq/draft.js").exists())
        .cloned()
        .ok_or_else(|| {
            format!(
                "no zeromq.js at {tried:?} (zmtp-conformance setup --agent zeromqjs, or set \
                 ZMTP_COMPARE_ZEROMQJS to its node_modules)"
            )
            .into()
        })
}

/// Runs libzmq's side of a udp case (or of a tcp case beside it)
/// through zeromq.js in Node. The script's standard input and output are
/// this process's: the comparison's go line reaches a RADIO, and a
/// DISH's `ready` reaches the comparison as it is printed.
fn via_node(tool: &Tool) -> Result<String, ToolError> {
    let (name, ep, size, count, rate) = match tool {
        Tool::LocalThr { ep, size, count } => ("local_thr", ep, size, count, &0),
        Tool::RemoteThr { ep, size, count } => ("remote_thr", ep, size, count, &0),
        Tool::LocalLat { ep, size, count } => ("local_lat", ep, size, count, &0),
        Tool::RemoteLat { ep, size, count } => ("remote_lat", ep, size, count, &0),
        Tool::DishThr { ep, size, count } => ("dish_thr", ep, size, count, &0),
        Tool::RadioThr {
            ep,
            size,
            count,
            rate,
        } => ("radio_thr", ep, size, count, rate),
        other => return Err(format!("no zeromq.js variant of {other:?}").into()),
    };
    let mut cmd = std::process::Command::new("node");
    cmd.arg("-e")
        .arg(NODE_SCRIPT)
        .arg("--")
        .args([
            name,
            ep.as_str(),
            &size.to_string(),
            &count.to_string(),
            &rate.to_string(),
        ])
        .env("NODE_PATH", zeromqjs_modules()?)
        .env("NODE_NO_WARNINGS", "1");
    if !matches!(tool, Tool::RadioThr { .. }) {
        cmd.stdin(std::process::Stdio::null());
    }
    run_script(cmd, "the zeromq.js tool", NODE_DEADLINE, false)
}

/// Runs a script's process to its end (killed after `deadline`) and
/// returns its standard output when `capture` (else the script writes to
/// this process's own).
fn run_script(
    mut cmd: std::process::Command,
    what: &str,
    deadline: Duration,
    capture: bool,
) -> Result<String, ToolError> {
    if capture {
        cmd.stdout(std::process::Stdio::piped());
    }
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    // Read the output as it comes (a full pipe would stall the script).
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(deadline) {
        Ok(out) => out?,
        Err(_) => {
            // Ends only the script this tool started.
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            return Err(format!("{what} timed out").into());
        }
    };
    if !out.status.success() {
        return Err(format!("{what} failed: {}", out.status).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The command line of a CURVE tool for the script.
fn curve_args(tool: &Tool) -> Result<Vec<String>, ToolError> {
    let v = |name: &str, ep: &str, rest: &[usize]| {
        let mut v = vec![name.to_owned(), ep.to_owned()];
        v.extend(rest.iter().map(ToString::to_string));
        v
    };
    Ok(match tool {
        Tool::LocalThr { ep, size, count } => v("local_thr", ep, &[*size, *count]),
        Tool::RemoteThr { ep, size, count } => v("remote_thr", ep, &[*size, *count]),
        Tool::LocalLat { ep, size, count } => v("local_lat", ep, &[*size, *count]),
        Tool::RemoteLat { ep, size, count } => v("remote_lat", ep, &[*size, *count]),
        Tool::HandshakeServer { ep, count } => v("handshake_server", ep, &[*count]),
        Tool::HandshakeClients { ep, count } => v("handshake_clients", ep, &[*count]),
        other => return Err(format!("no CURVE variant of {other:?}").into()),
    })
}

/// Runs one tool.
///
/// # Errors
/// The tool's failure.
pub fn run(tool: Tool) -> Result<String, ToolError> {
    let ctx = zmq::Context::new();
    let out = match tool {
        Tool::LocalThr { ep, size, count } => {
            receive(&ctx, zmq::PULL, &ep, size, count)?.to_string()
        }
        Tool::RouterThr { ep, size, count } => {
            receive(&ctx, zmq::ROUTER, &ep, size, count)?.to_string()
        }
        Tool::RemoteThr { ep, size, count } => {
            send(&ctx, zmq::PUSH, &ep, size, count)?;
            String::new()
        }
        Tool::DealerThr { ep, size, count } => {
            send(&ctx, zmq::DEALER, &ep, size, count)?;
            String::new()
        }
        Tool::LocalLat { ep, size, count } => {
            let s = ctx.socket(zmq::REP)?;
            s.bind(&ep)?;
            echo(&s, size, count)?;
            String::new()
        }
        Tool::RemoteLat { ep, size, count } => {
            let s = ctx.socket(zmq::REQ)?;
            s.connect(&ep)?;
            roundtrips(&s, size, count)?.to_string()
        }
        Tool::InprocThr { size, count } => {
            let pull = ctx.socket(zmq::PULL)?;
            pull.bind("inproc://thr_test")?;
            let c2 = ctx.clone();
            let sender = std::thread::spawn(move || -> Result<(), zmq::Error> {
                let push = c2.socket(zmq::PUSH)?;
                push.connect("inproc://thr_test")?;
                for _ in 0..count {
                    push.send(zmq::Message::with_size(size), 0)?;
                }
                Ok(())
            });
            let r = time_receive(&pull, size, count, 0)?;
            sender.join().map_err(|_| "sender thread panicked")??;
            r.to_string()
        }
        Tool::InprocLat { size, count } => {
            let req = ctx.socket(zmq::REQ)?;
            req.bind("inproc://lat_test")?;
            let c2 = ctx.clone();
            let worker = std::thread::spawn(move || -> Result<(), ToolError> {
                let rep = c2.socket(zmq::REP)?;
                rep.connect("inproc://lat_test")?;
                echo(&rep, size, count)
            });
            let r = roundtrips(&req, size, count)?;
            worker.join().map_err(|_| "echo thread panicked")??;
            r.to_string()
        }
        Tool::PubThr { ep, size, count } => {
            let s = ctx.socket(zmq::PUB)?;
            s.set_sndhwm(0)?;
            s.bind(&ep)?;
            publish(&s, size, count)?;
            String::new()
        }
        Tool::SubThr { ep, size, count } => {
            let s = ctx.socket(zmq::SUB)?;
            s.set_rcvhwm(0)?;
            s.set_subscribe(b"")?;
            s.connect(&ep)?;
            subscribe(&s, size, count)?.to_string()
        }
        Tool::FloodRx {
            ep,
            size,
            count,
            pause_ms,
        } => {
            let s = ctx.socket(zmq::PULL)?;
            s.bind(&ep)?;
            let mut msg = zmq::Message::new();
            if count > 0 {
                recv_check(&s, &mut msg, size, 0)?;
                std::thread::sleep(Duration::from_millis(pause_ms));
                for _ in 1..count {
                    recv_check(&s, &mut msg, size, 0)?;
                }
            }
            rss_line(peak_rss_kib())
        }
        Tool::Curve(inner) => curve_tool(&curve_args(&inner)?)?,
        Tool::Node(inner) => via_node(&inner)?,
        tool @ (Tool::DishThr { .. } | Tool::RadioThr { .. }) => {
            return Err(format!(
                "the zmq crate's libzmq has no draft RADIO/DISH: {tool:?} runs through node"
            )
            .into());
        }
        tool @ (Tool::HandshakeServer { .. } | Tool::HandshakeClients { .. }) => {
            curve_tool(&curve_args(&tool)?)?
        }
        Tool::PubHwm { ep, size, count } => {
            let s = ctx.socket(zmq::PUB)?;
            s.set_sndtimeo(WAIT_MS)?;
            s.bind(&ep)?;
            publish(&s, size, count)?;
            String::new()
        }
        Tool::SubMany {
            ep,
            size,
            count,
            subs,
        } => {
            let s = ctx.socket(zmq::SUB)?;
            for t in subscriptions(std::process::id() as usize, subs) {
                s.set_subscribe(&t)?;
            }
            s.connect(&ep)?;
            subscribe(&s, size, count)?.to_string()
        }
        Tool::Dealers {
            ep,
            size,
            count,
            peers,
        } => {
            // The zmq crate cannot raise a context's 1023 sockets.
            let mut socks = Vec::with_capacity(peers);
            for _ in 0..peers {
                let s = ctx.socket(zmq::DEALER)?;
                s.set_sndtimeo(WAIT_MS)?;
                s.connect(&ep)?;
                socks.push(s);
            }
            for i in 0..count {
                socks[i % peers.max(1)].send(zmq::Message::with_size(size), 0)?;
            }
            // Dropping the sockets and then the context waits until
            // everything is sent (LINGER infinite).
            String::new()
        }
        Tool::RouterSend {
            ep,
            size,
            count,
            peers,
        } => {
            let s = ctx.socket(zmq::ROUTER)?;
            s.set_router_mandatory(true)?;
            s.set_rcvtimeo(WAIT_MS)?;
            s.set_sndtimeo(WAIT_MS)?;
            s.bind(&ep)?;
            let mut ids = Vec::with_capacity(peers);
            while ids.len() < peers.max(1) {
                let mut m = s.recv_multipart(0)?;
                ids.push(m.swap_remove(0));
            }
            for i in 0..count {
                s.send(&ids[i % ids.len()][..], zmq::SNDMORE)?;
                s.send(zmq::Message::with_size(size), 0)?;
            }
            // Dropping the socket and then the context waits until
            // everything is sent (LINGER infinite).
            String::new()
        }
        Tool::DealersRecv {
            ep,
            size,
            count,
            peers,
        } => {
            let mut socks = Vec::with_capacity(peers);
            for _ in 0..peers.max(1) {
                let s = ctx.socket(zmq::DEALER)?;
                s.set_sndtimeo(WAIT_MS)?;
                s.set_linger(0)?;
                s.connect(&ep)?;
                s.send("h", 0)?;
                socks.push(s);
            }
            // One thread over all the peers, as a libzmq application
            // does: zmq_poll, then each readable socket drained.
            let mut items: Vec<zmq::PollItem<'_>> =
                socks.iter().map(|s| s.as_poll_item(zmq::POLLIN)).collect();
            let mut msg = zmq::Message::new();
            let (mut got, mut first, mut last) = (0, None, Instant::now());
            while got < count {
                if zmq::poll(&mut items, QUIET_MS)? == 0 {
                    break;
                }
                first.get_or_insert_with(Instant::now);
                for (item, s) in items.iter().zip(&socks) {
                    if !item.is_readable() {
                        continue;
                    }
                    while s.recv(&mut msg, zmq::DONTWAIT).is_ok() {
                        if msg.len() != size || msg.get_more() {
                            return Err(format!("a message of {} octets", msg.len()).into());
                        }
                        got += 1;
                    }
                }
                last = Instant::now();
            }
            ThrReport {
                size,
                count: got,
                elapsed: first.map_or(Duration::ZERO, |f| last - f),
            }
            .to_string()
        }
        Tool::ConnRouter { ep, count } => {
            let before = rss_kib();
            let s = ctx.socket(zmq::ROUTER)?;
            s.set_rcvtimeo(WAIT_MS)?;
            s.set_linger(0)?;
            s.bind(&ep)?;
            let mut start = None;
            for _ in 0..count {
                s.recv_multipart(0)?;
                start.get_or_insert_with(Instant::now);
            }
            let elapsed = start.map_or(Duration::ZERO, |t| t.elapsed());
            conn_lines(count, elapsed, before, rss_kib())
        }
        Tool::ConnClients { ep, count } => {
            // A context holds at most 1023 sockets (the zmq crate cannot
            // raise it): a new one every 1000.
            let mut contexts = vec![ctx.clone()];
            let mut socks = Vec::with_capacity(count);
            for i in 0..count {
                if i > 0 && i % 1000 == 0 {
                    contexts.push(zmq::Context::new());
                }
                let s = contexts[contexts.len() - 1].socket(zmq::DEALER)?;
                s.set_linger(0)?;
                s.set_sndtimeo(WAIT_MS)?;
                s.connect(&ep)?;
                s.send("h", 0)?;
                socks.push(s);
            }
            // Stay connected until the comparison ends this process.
            std::thread::sleep(Duration::from_secs(120));
            String::new()
        }
    };
    Ok(out)
}

/// The publisher's probes, `count` DATA messages and END markers.
fn publish(s: &zmq::Socket, size: usize, count: usize) -> Result<(), ToolError> {
    let go = Arc::new(AtomicBool::new(false));
    let g2 = Arc::clone(&go);
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        g2.store(true, Ordering::Release);
    });
    while !go.load(Ordering::Acquire) {
        s.send(tagged(PROBE, size), 0)?;
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..count {
        s.send(tagged(DATA, size), 0)?;
    }
    let until = Instant::now() + END_FOR;
    while Instant::now() < until {
        s.send(tagged(END, size), 0)?;
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

fn tagged(tag: u8, size: usize) -> zmq::Message {
    let mut m = zmq::Message::with_size(size.max(1));
    m[0] = tag;
    m
}

fn receive(
    ctx: &zmq::Context,
    kind: zmq::SocketType,
    ep: &str,
    size: usize,
    count: usize,
) -> Result<ThrReport, ToolError> {
    let s = ctx.socket(kind)?;
    s.bind(ep)?;
    time_receive(&s, size, count, usize::from(kind == zmq::ROUTER))
}

fn time_receive(
    s: &zmq::Socket,
    size: usize,
    count: usize,
    envelope: usize,
) -> Result<ThrReport, ToolError> {
    let mut msg = zmq::Message::new();
    if count == 0 {
        return Ok(ThrReport {
            size,
            count,
            elapsed: Duration::ZERO,
        });
    }
    recv_check(s, &mut msg, size, envelope)?;
    let start = Instant::now();
    for _ in 1..count {
        recv_check(s, &mut msg, size, envelope)?;
    }
    Ok(ThrReport {
        size,
        count,
        elapsed: start.elapsed(),
    })
}

/// Receives `envelope` frames then one of `size` octets.
fn recv_check(
    s: &zmq::Socket,
    msg: &mut zmq::Message,
    size: usize,
    envelope: usize,
) -> Result<(), ToolError> {
    for _ in 0..envelope {
        s.recv(msg, 0)?;
        if !msg.get_more() {
            return Err("envelope without a body".into());
        }
    }
    s.recv(msg, 0)?;
    if msg.len() != size || msg.get_more() {
        return Err(format!("message of incorrect size received: {}", msg.len()).into());
    }
    Ok(())
}

fn send(
    ctx: &zmq::Context,
    kind: zmq::SocketType,
    ep: &str,
    size: usize,
    count: usize,
) -> Result<(), ToolError> {
    let s = ctx.socket(kind)?;
    s.connect(ep)?;
    for _ in 0..count {
        s.send(zmq::Message::with_size(size), 0)?;
    }
    // Dropping the socket and then the context waits for LINGER (infinite
    // by default) until everything is sent, as libzmq's remote_thr does.
    Ok(())
}

fn echo(s: &zmq::Socket, size: usize, count: usize) -> Result<(), ToolError> {
    let mut msg = zmq::Message::new();
    for _ in 0..count {
        recv_check(s, &mut msg, size, 0)?;
        s.send(std::mem::replace(&mut msg, zmq::Message::new()), 0)?;
    }
    Ok(())
}

fn roundtrips(s: &zmq::Socket, size: usize, count: usize) -> Result<LatReport, ToolError> {
    let mut msg = zmq::Message::new();
    let start = Instant::now();
    for _ in 0..count {
        s.send(zmq::Message::with_size(size), 0)?;
        recv_check(s, &mut msg, size, 0)?;
    }
    Ok(LatReport {
        size,
        roundtrips: count,
        elapsed: start.elapsed(),
    })
}

fn subscribe(s: &zmq::Socket, size: usize, count: usize) -> Result<ThrReport, ToolError> {
    let mut msg = zmq::Message::new();
    let mut ready = false;
    let mut received = 0;
    let mut first = None;
    let mut last = Instant::now();
    let millis = |d: Duration| i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
    s.set_rcvtimeo(millis(END_FOR * 6))?;
    while received < count {
        match s.recv(&mut msg, 0) {
            Err(zmq::Error::EAGAIN) => break,
            Err(e) => return Err(e.into()),
            Ok(()) => {}
        }
        match msg.first().copied() {
            Some(PROBE) => {
                if !ready {
                    ready = true;
                    say_ready();
                }
            }
            Some(DATA) => {
                if msg.len() != size.max(1) {
                    return Err(format!("message of incorrect size received: {}", msg.len()).into());
                }
                last = Instant::now();
                if first.is_none() {
                    first = Some(last);
                    s.set_rcvtimeo(millis(IDLE))?;
                }
                received += 1;
            }
            _ => break,
        }
    }
    Ok(ThrReport {
        size,
        count: received,
        elapsed: first.map_or(Duration::ZERO, |f| last - f),
    })
}
