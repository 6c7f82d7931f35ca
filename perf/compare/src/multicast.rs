//! epgm (or norm) PUB/SUB throughput, zmtp against libzmq, at the same
//! ZMQ_RATE: `compare multicast [--transport epgm|norm] [--rate KBPS]
//! [--count N] [--rounds R]`.
//!
//! Over norm the two are not paced alike: libzmq 4.3.4's NORM sender runs
//! NORM-CC and ignores ZMQ_RATE, ours sends at ZMQ_RATE; the row says how
//! fast each delivers, not whether both reach one rate.
//!
//! The `zmq` crate's libzmq is built without OpenPGM, so libzmq's side is
//! Debian's libzmq 4.3.4 (`/usr/bin/python3` with python3-zmq), a PUB and a
//! SUB process. Ours is a zmtp PUB and SUB in this process. Everything runs
//! in a network namespace this command makes (`unshare -rn`, multicast
//! routed on the loopback), one implementation after the other, 64-octet
//! messages; the figure is what the subscriber receives per second, first
//! message to last. With the same RATE both are paced by their PGM rate
//! limiter, so the ratio says whether ours reaches the rate libzmq does.
//! libzmq's figure includes pyzmq's cost per message on its receiving
//! side, so it is a floor for libzmq, not its C speed.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Args;

/// The command line of `compare multicast`.
#[derive(Args, Clone, Debug)]
pub struct MulticastArgs {
    /// ZMQ_RATE for both implementations, kilobits per second.
    #[arg(long, default_value_t = 50_000)]
    rate: u32,
    /// Messages per round (enough that the first bucketful does not
    /// count: at the default RATE about half a second).
    #[arg(long, default_value_t = 50_000)]
    count: u32,
    /// Rounds (the median is reported).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// The multicast transport: epgm (PGM over UDP) or norm.
    #[arg(long, default_value = "epgm", value_parser = ["epgm", "norm"])]
    transport: String,
}

impl MulticastArgs {
    /// libzmq's SUB and PUB endpoints, then ours (distinct ports, and for
    /// norm distinct node ids: libnorm ignores packets from its own id).
    fn endpoints(&self) -> [&'static str; 4] {
        if self.transport == "norm" {
            [
                "norm://3,lo;239.192.1.1:5556",
                "norm://1,lo;239.192.1.1:5556",
                "norm://4,lo;239.192.1.1:5557",
                "norm://5,lo;239.192.1.1:5557",
            ]
        } else {
            [
                "epgm://127.0.0.1;239.192.1.1:5556",
                "epgm://127.0.0.1;239.192.1.1:5556",
                "epgm://127.0.0.1;239.192.1.1:5557",
                "epgm://127.0.0.2;239.192.1.1:5557",
            ]
        }
    }
}

const INNER: &str = "ZMTP_COMPARE_MULTICAST_INNER";
const SIZE: usize = 64;

/// libzmq's side: `sub ENDPOINT RATE COUNT` prints `@ready`, then
/// `@done N SECONDS`; `pub ENDPOINT RATE COUNT` prints `@ready`, waits for
/// a line, sends, prints `@sent` and stays until the next line (at most a
/// minute). Every socket has its timeouts set.
const PEER: &str = r#"
import select, sys, time, zmq
mode, ep, rate, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def say(s):
    sys.stdout.write("\n@" + s + "\n"); sys.stdout.flush()
ctx = zmq.Context()
if mode == "sub":
    s = ctx.socket(zmq.SUB)
    for o, v in ((zmq.LINGER, 0), (zmq.RCVTIMEO, 5000), (zmq.SNDTIMEO, 1000),
                 (zmq.RATE, rate), (zmq.RCVHWM, 0)):
        s.setsockopt(o, v)
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.connect(ep)
    time.sleep(1.0)
    say("ready")
    n, first, last = 0, None, None
    try:
        while n < count:
            s.recv()
            last = time.monotonic()
            if first is None:
                first = last
            n += 1
    except zmq.Again:
        pass
    say("done %d %.6f" % (n, (last - first) if n > 1 else 0.0))
else:
    s = ctx.socket(zmq.PUB)
    for o, v in ((zmq.LINGER, 5000), (zmq.SNDTIMEO, 5000), (zmq.RCVTIMEO, 1000),
                 (zmq.RATE, rate), (zmq.SNDHWM, 0)):
        s.setsockopt(o, v)
    s.connect(ep)
    say("ready")
    sys.stdin.readline()
    body = b"x" * 64
    for i in range(count):
        s.send(body)
    say("sent")
    # Stay until the harness says the SUB is done (at most a minute):
    # libzmq sends what is queued only while the socket lives.
    select.select([sys.stdin], [], [], 60.0)
s.close()
ctx.term()
"#;

/// Runs the comparison (inside a namespace it makes) and prints the rows.
pub fn run(args: &MulticastArgs) -> Result<(), String> {
    if std::env::var_os(INNER).is_none() {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let script = "ip link set lo up && ip link set lo multicast on && \
                      ip route add 224.0.0.0/4 dev lo && exec \"$0\" \"$@\"";
        let status = Command::new("unshare")
            .args(["-rn", "sh", "-c", script])
            .arg(exe)
            .args(std::env::args().skip(1))
            .env(INNER, "1")
            .status()
            .map_err(|e| format!("unshare: {e}"))?;
        return if status.success() {
            Ok(())
        } else {
            Err(format!("the run inside the namespace failed: {status}"))
        };
    }
    let script = std::env::temp_dir().join(format!("zmtp-compare-epgm-{}.py", std::process::id()));
    std::fs::write(&script, PEER).map_err(|e| e.to_string())?;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut failed = 0;
    for round in 0..args.rounds {
        // Alternate who goes first.
        for k in 0..2 {
            let (name, r) = if (round + k) % 2 == 0 {
                (
                    "libzmq",
                    libzmq_round(&script, args).map(|v| theirs.push(v)),
                )
            } else {
                ("zmtp", ours_round(args).map(|v| ours.push(v)))
            };
            match r {
                Ok(()) => {}
                // libzmq's NORM pair is erratic here (NORM-CC from a slow
                // start): a failed round of its is reported, not fatal.
                Err(e) if name == "libzmq" && args.transport == "norm" => {
                    eprintln!("round {round} {name}: {e}");
                    failed += 1;
                    continue;
                }
                Err(e) => return Err(format!("round {round} {name}: {e}")),
            }
            let last = if name == "zmtp" {
                ours.last()
            } else {
                theirs.last()
            };
            eprintln!(
                "round {round} {} 64B PUB/SUB {name:<7} {:.0} msg/s",
                args.transport,
                last.copied().unwrap_or(0.0)
            );
        }
    }
    let _ = std::fs::remove_file(&script);
    let (o, t) = (median(&mut ours), median(&mut theirs));
    if failed > 0 {
        println!(
            "libzmq: {failed} of {} rounds failed (its SUB timed out); the median is of the rest",
            args.rounds
        );
    }
    let wire = f64::from(args.rate) * 1000.0 / 8.0;
    println!("| case | RATE kbit/s | libzmq msg/s | zmtp msg/s | zmtp / libzmq |");
    println!("|---|---|---|---|---|");
    println!(
        "| {} 64B PUB/SUB | {} ({wire:.0} B/s) | {t:.0} | {o:.0} | {:.2} |",
        args.transport,
        args.rate,
        o / t
    );
    Ok(())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Lines from a python peer that start with `@`, waiting at most 30 s each.
fn peer_line(lines: &mut impl Iterator<Item = std::io::Result<String>>) -> Result<String, String> {
    for line in lines {
        let line = line.map_err(|e| e.to_string())?;
        if let Some(at) = line.find('@') {
            return Ok(line[at + 1..].to_owned());
        }
    }
    Err("the peer ended early".into())
}

fn libzmq_round(script: &std::path::Path, args: &MulticastArgs) -> Result<f64, String> {
    let [sub_ep, pub_ep, _, _] = args.endpoints();
    let spawn = |mode: &str| {
        let ep = if mode == "sub" { sub_ep } else { pub_ep };
        Command::new("/usr/bin/python3")
            .arg(script)
            .args([mode, ep, &args.rate.to_string(), &args.count.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("python3 (Debian's python3-zmq): {e}"))
    };
    let mut sub = spawn("sub")?;
    let mut sub_out = BufReader::new(sub.stdout.take().ok_or("stdout")?).lines();
    expect(peer_line(&mut sub_out)?, "ready")?;
    let mut publisher = spawn("pub")?;
    let mut pub_out = BufReader::new(publisher.stdout.take().ok_or("stdout")?).lines();
    expect(peer_line(&mut pub_out)?, "ready")?;
    std::thread::sleep(Duration::from_millis(300));
    let mut stdin = publisher.stdin.take().ok_or("stdin")?;
    writeln!(stdin, "go").map_err(|e| e.to_string())?;
    let done = peer_line(&mut sub_out)?;
    writeln!(stdin, "stop").map_err(|e| e.to_string())?;
    let _ = publisher.wait();
    let _ = sub.wait();
    let mut f = done.split(' ').skip(1);
    let n: f64 = f.next().and_then(|x| x.parse().ok()).ok_or("done count")?;
    let secs: f64 = f.next().and_then(|x| x.parse().ok()).ok_or("done span")?;
    if n < f64::from(args.count) {
        return Err(format!("libzmq's SUB received {n} of {}", args.count));
    }
    Ok((n - 1.0) / secs)
}

fn expect(got: String, want: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("expected {want:?} from the peer, got {got:?}"))
    }
}

fn ours_round(args: &MulticastArgs) -> Result<f64, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let ctx = zmtp::Context::new().map_err(|e| e.to_string())?;
        let sub = ctx
            .socket(zmtp::SocketType::Sub)
            .map_err(|e| e.to_string())?;
        let publisher = ctx
            .socket(zmtp::SocketType::Pub)
            .map_err(|e| e.to_string())?;
        let set = |r: zmtp::Result<()>| r.map_err(|e| e.to_string());
        set(sub.set(zmtp::opt::Rate, args.rate))?;
        set(sub.set(zmtp::opt::RcvHwm, 0))?;
        set(sub.set(zmtp::opt::Subscribe, bytes::Bytes::new()))?;
        set(publisher.set(zmtp::opt::Rate, args.rate))?;
        set(publisher.set(zmtp::opt::SndHwm, 0))?;
        let [_, _, sub_ep, pub_ep] = args.endpoints();
        set(sub.connect(sub_ep))?;
        set(publisher.connect(pub_ep))?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let body = bytes::Bytes::from(vec![b'x'; SIZE]);
        let count = args.count;
        let sender = tokio::spawn(async move {
            for _ in 0..count {
                if publisher.send(body.clone()).await.is_err() {
                    break;
                }
            }
            // Keep the socket while the rate limiter drains its queue.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            drop(publisher);
        });
        let mut first = None;
        let mut last = Instant::now();
        let mut n = 0u32;
        while n < args.count {
            match tokio::time::timeout(Duration::from_secs(5), sub.recv()).await {
                Ok(Ok(_)) => {
                    last = Instant::now();
                    first.get_or_insert(last);
                    n += 1;
                }
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => break,
            }
        }
        sender.abort();
        if n < args.count {
            return Err(format!("our SUB received {n} of {}", args.count));
        }
        let secs = (last - first.unwrap_or(last)).as_secs_f64();
        Ok(f64::from(n - 1) / secs)
    })
}
