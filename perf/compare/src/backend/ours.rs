//! zmtp, through the `zmtp-perf` library (the same code as the perf
//! binaries).

use core::time::Duration;

use std::time::Instant;

use bytes::Bytes;
use tokio::io::AsyncBufReadExt;
use tokio::time::timeout;
use zmtp::{Context, Message, SocketType, opt};
use zmtp_perf::extra::Hwm;
use zmtp_perf::security::Security;
use zmtp_perf::{extra, lat, thr};

use crate::tool::{
    HANDSHAKE_WAVE, RADIO_BURST, RADIO_GROUP, Tool, ToolError, conn_lines, handshake_line, rss_kib,
    rss_line, say_ready, subscriptions,
};

/// The bound on every wait of the scale and CURVE tools.
const WAIT: Duration = Duration::from_secs(30);
/// How long a receiving peer of the routing case waits for its next
/// message before it reports what it got.
const QUIET: Duration = Duration::from_secs(5);

/// Runs one tool.
///
/// # Errors
/// The tool's failure.
pub fn run(tool: Tool) -> Result<String, ToolError> {
    let threads = match tool {
        Tool::InprocThr { .. } | Tool::InprocLat { .. } => zmtp_perf::runtime::INPROC_THREADS,
        _ => zmtp_perf::runtime::NETWORK_THREADS,
    };
    zmtp_perf::runtime::run(threads, async move {
        Ok::<_, ToolError>(match tool {
            Tool::LocalThr { ep, size, count } => {
                thr::local_thr(&ep, size, count).await?.to_string()
            }
            Tool::RemoteThr { ep, size, count } => {
                thr::remote_thr(&ep, size, count).await?;
                String::new()
            }
            Tool::LocalLat { ep, size, count } => {
                lat::local_lat(&ep, size, count).await?;
                String::new()
            }
            Tool::RemoteLat { ep, size, count } => {
                lat::remote_lat(&ep, size, count).await?.to_string()
            }
            Tool::InprocThr { size, count } => thr::inproc_thr(size, count).await?.to_string(),
            Tool::InprocLat { size, count } => lat::inproc_lat(size, count).await?.to_string(),
            Tool::PubThr { ep, size, count } => {
                extra::publish(&ep, size, count, stdin_line()).await?;
                String::new()
            }
            Tool::SubThr { ep, size, count } => extra::subscribe(&ep, size, count, say_ready)
                .await?
                .to_string(),
            Tool::RouterThr { ep, size, count } => {
                extra::router_receive(&ep, size, count).await?.to_string()
            }
            Tool::DealerThr { ep, size, count } => {
                extra::dealer_send(&ep, size, count).await?;
                String::new()
            }
            Tool::FloodRx {
                ep,
                size,
                count,
                pause_ms,
            } => rss_line(
                extra::flood_receive(&ep, size, count, Duration::from_millis(pause_ms)).await?,
            ),
            Tool::Curve(inner) => match *inner {
                Tool::LocalThr { ep, size, count } => {
                    thr::local_thr_with(&ep, size, count, Security::Curve)
                        .await?
                        .to_string()
                }
                Tool::RemoteThr { ep, size, count } => {
                    thr::remote_thr_with(&ep, size, count, Security::Curve).await?;
                    String::new()
                }
                Tool::LocalLat { ep, size, count } => {
                    lat::local_lat_with(&ep, size, count, Security::Curve).await?;
                    String::new()
                }
                Tool::RemoteLat { ep, size, count } => {
                    lat::remote_lat_with(&ep, size, count, Security::Curve)
                        .await?
                        .to_string()
                }
                other => return Err(format!("no CURVE variant of {other:?}").into()),
            },
            Tool::HandshakeServer { ep, count } => {
                let ctx = Context::new()?;
                let s = ctx.socket(SocketType::Router)?;
                Security::Curve.apply_to_binder(&s)?;
                s.bind(&ep)?;
                for _ in 0..count {
                    let m = timeout(WAIT, s.recv()).await??;
                    timeout(WAIT, s.send(m)).await??;
                }
                // The last replies are queued, not yet written: give them
                // time to leave (the comparison ends this process once the
                // clients are done).
                tokio::time::sleep(Duration::from_secs(2)).await;
                String::new()
            }
            Tool::HandshakeClients { ep, count } => {
                let ctx = Context::new()?;
                let start = Instant::now();
                let mut done = 0;
                while done < count {
                    let wave = HANDSHAKE_WAVE.min(count - done);
                    let mut socks = Vec::with_capacity(wave);
                    for _ in 0..wave {
                        let s = ctx.socket(SocketType::Dealer)?;
                        Security::Curve.apply_to_connecter(&s)?;
                        s.connect(&ep)?;
                        timeout(WAIT, s.send(Bytes::from_static(b"h"))).await??;
                        socks.push(s);
                    }
                    for s in &socks {
                        timeout(WAIT, s.recv()).await??;
                    }
                    for s in socks {
                        s.close();
                    }
                    done += wave;
                }
                handshake_line(count, start.elapsed())
            }
            Tool::PubHwm { ep, size, count } => {
                extra::publish_with(&ep, size, count, stdin_line(), Hwm::Default).await?;
                String::new()
            }
            Tool::SubMany {
                ep,
                size,
                count,
                subs,
            } => {
                let topics: Vec<Bytes> = subscriptions(std::process::id() as usize, subs)
                    .into_iter()
                    .map(Bytes::from)
                    .collect();
                extra::subscribe_with(&ep, size, count, say_ready, &topics, Hwm::Default)
                    .await?
                    .to_string()
            }
            Tool::Dealers {
                ep,
                size,
                count,
                peers,
            } => {
                let ctx = Context::new()?;
                let mut socks = Vec::with_capacity(peers);
                for _ in 0..peers.max(1) {
                    let s = ctx.socket(SocketType::Dealer)?;
                    s.connect(&ep)?;
                    socks.push(s);
                }
                let payload = thr::payload(size);
                for i in 0..count {
                    timeout(WAIT, socks[i % socks.len()].send(payload.clone())).await??;
                }
                // Until the ROUTER has taken everything and closed.
                tokio::time::sleep(WAIT).await;
                String::new()
            }
            Tool::RouterSend {
                ep,
                size,
                count,
                peers,
            } => {
                let ctx = Context::new()?;
                let s = ctx.socket(SocketType::Router)?;
                s.set(opt::RouterMandatory, true)?;
                s.bind(&ep)?;
                let mut ids = Vec::with_capacity(peers);
                while ids.len() < peers.max(1) {
                    let m = timeout(WAIT, s.recv()).await??;
                    ids.push(m.frames()[0].clone());
                }
                let payload = thr::payload(size);
                for i in 0..count {
                    let m = Message::from(vec![ids[i % ids.len()].clone(), payload.clone()]);
                    timeout(WAIT, s.send(m)).await??;
                }
                // Until the peers have taken everything (the comparison
                // ends this process once they are done).
                tokio::time::sleep(WAIT).await;
                String::new()
            }
            Tool::DealersRecv {
                ep,
                size,
                count,
                peers,
            } => {
                let ctx = Context::new()?;
                let peers = peers.max(1);
                let mut tasks = tokio::task::JoinSet::new();
                for k in 0..peers {
                    let s = ctx.socket(SocketType::Dealer)?;
                    s.connect(&ep)?;
                    timeout(WAIT, s.send(Bytes::from_static(b"h"))).await??;
                    // Message i goes to peer i % peers.
                    let share = count / peers + usize::from(k < count % peers);
                    tasks.spawn(async move {
                        let (mut got, mut first, mut last) = (0, None, None);
                        while got < share {
                            let Ok(m) = timeout(QUIET, s.recv()).await else {
                                break;
                            };
                            thr::check(&m?, size, 0)?;
                            let now = Instant::now();
                            first.get_or_insert(now);
                            last = Some(now);
                            got += 1;
                        }
                        Ok::<_, ToolError>((got, first, last))
                    });
                }
                let (mut got, mut first, mut last) = (0, None::<Instant>, None::<Instant>);
                while let Some(r) = tasks.join_next().await {
                    let (g, f, l) = r??;
                    got += g;
                    first = match (first, f) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    last = last.max(l);
                }
                let elapsed = match (first, last) {
                    (Some(f), Some(l)) => l - f,
                    _ => Duration::ZERO,
                };
                zmtp_perf::ThrReport {
                    size,
                    count: got,
                    elapsed,
                }
                .to_string()
            }
            Tool::ConnRouter { ep, count } => {
                let before = rss_kib();
                let ctx = Context::new()?;
                let s = ctx.socket(SocketType::Router)?;
                s.bind(&ep)?;
                let mut start = None;
                for _ in 0..count {
                    timeout(WAIT, s.recv()).await??;
                    start.get_or_insert_with(Instant::now);
                }
                let elapsed = start.map_or(Duration::ZERO, |t| t.elapsed());
                conn_lines(count, elapsed, before, rss_kib())
            }
            Tool::ConnClients { ep, count } => {
                let ctx = Context::new()?;
                let mut socks = Vec::with_capacity(count);
                for _ in 0..count {
                    let s = ctx.socket(SocketType::Dealer)?;
                    s.connect(&ep)?;
                    timeout(WAIT, s.send(Bytes::from_static(b"h"))).await??;
                    socks.push(s);
                }
                // Stay connected until the comparison ends this process.
                tokio::time::sleep(Duration::from_secs(120)).await;
                String::new()
            }
            Tool::DishThr { ep, size, count } => dish_thr(&ep, size, count).await?.to_string(),
            Tool::RadioThr {
                ep,
                size,
                count,
                rate,
            } => {
                radio_thr(&ep, size, count, rate).await?;
                String::new()
            }
            Tool::Node(inner) => {
                return Err(format!("{inner:?} runs through node for libzmq only").into());
            }
        })
    })
}

/// DISH side of the RADIO/DISH throughput: binds, joins the group, says
/// `ready` on the first probe, then counts DATA messages until an END
/// marker, [`extra::IDLE`] without one, or `count`, as
/// `extra::subscribe` does.
async fn dish_thr(
    bind: &str,
    size: usize,
    count: usize,
) -> Result<zmtp_perf::ThrReport, ToolError> {
    let ctx = Context::new()?;
    let dish = ctx.socket(SocketType::Dish)?;
    dish.bind(bind)?;
    dish.join(Bytes::from_static(RADIO_GROUP.as_bytes()))?;
    let mut ready = false;
    let mut received = 0;
    let mut first = None;
    let mut last = Instant::now();
    while received < count {
        let wait = if first.is_some() {
            extra::IDLE
        } else {
            extra::END_FOR * 6
        };
        let Ok(got) = timeout(wait, dish.recv_group()).await else {
            break;
        };
        let (_, m) = got?;
        match m.frames().first().and_then(|f| f.first()).copied() {
            Some(extra::PROBE) => {
                if !ready {
                    ready = true;
                    say_ready();
                }
            }
            Some(extra::DATA) => {
                thr::check(&m, size.max(1), 0)?;
                last = Instant::now();
                first.get_or_insert(last);
                received += 1;
            }
            _ => break,
        }
    }
    Ok(zmtp_perf::ThrReport {
        size,
        count: received,
        elapsed: first.map_or(Duration::ZERO, |f| last - f),
    })
}

/// RADIO side: connects, probes every 10 ms until a line on stdin, sends
/// `count` DATA messages in bursts of [`RADIO_BURST`] (`send_group` never
/// waits: between bursts the runtime writes the queued datagrams; with a
/// `rate`, each burst waits for its time), then END markers every 10 ms
/// for [`extra::END_FOR`].
async fn radio_thr(connect: &str, size: usize, count: usize, rate: u32) -> Result<(), ToolError> {
    let ctx = Context::new()?;
    let radio = ctx.socket(SocketType::Radio)?;
    radio.connect(connect)?;
    let group = Bytes::from_static(RADIO_GROUP.as_bytes());
    let probe = extra::tagged(extra::PROBE, size);
    let go = stdin_line();
    tokio::pin!(go);
    let until = Instant::now() + extra::END_FOR * 6;
    loop {
        let _ = radio.send_group(group.clone(), probe.clone());
        tokio::select! {
            () = &mut go => break,
            () = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
        if Instant::now() > until {
            return Err("no go from the comparison".into());
        }
    }
    let data = extra::tagged(extra::DATA, size);
    let start = tokio::time::Instant::now();
    for i in 0..count {
        if rate > 0 && i % RADIO_BURST == 0 {
            let due = Duration::from_secs_f64(i as f64 / f64::from(rate));
            tokio::time::sleep_until(start + due).await;
        }
        // A full queue drops the message (udp is lossy anyway): the
        // DISH's count says how many arrived.
        let _ = radio.send_group(group.clone(), data.clone());
        if i % RADIO_BURST == RADIO_BURST - 1 {
            tokio::task::yield_now().await;
        }
    }
    let end = extra::tagged(extra::END, size);
    let until = Instant::now() + extra::END_FOR;
    while Instant::now() < until {
        let _ = radio.send_group(group.clone(), end.clone());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Completes when a line (or end of file) arrives on standard input.
pub async fn stdin_line() {
    let mut line = String::new();
    let _ = tokio::io::BufReader::new(tokio::io::stdin())
        .read_line(&mut line)
        .await;
}
