//! zmq.rs (`zeromq` 0.7) on tokio. It has no inproc transport: the
//! comparison leaves those cells empty.

use std::time::{Duration, Instant};

use bytes::Bytes;
use zeromq::{Socket, SocketRecv, SocketSend, ZmqMessage};
use zmtp_perf::extra::{DATA, END, END_FOR, IDLE, PROBE, peak_rss_kib, tagged};
use zmtp_perf::{LatReport, ThrReport};

use crate::tool::{SENDER_GRACE, Tool, ToolError, rss_line, runtime, say_ready};

/// Runs one tool.
///
/// # Errors
/// The tool's failure, and inproc tools (not implemented by zmq.rs).
pub fn run(tool: Tool) -> Result<String, ToolError> {
    let rt = runtime()?;
    rt.block_on(async move {
        Ok(match tool {
            Tool::LocalThr { ep, size, count } => {
                let mut s = zeromq::PullSocket::new();
                s.bind(&ep).await?;
                time_receive(&mut s, size, count, 0).await?.to_string()
            }
            Tool::RouterThr { ep, size, count } => {
                let mut s = zeromq::RouterSocket::new();
                s.bind(&ep).await?;
                time_receive(&mut s, size, count, 1).await?.to_string()
            }
            Tool::RemoteThr { ep, size, count } => {
                let mut s = zeromq::PushSocket::new();
                s.connect(&ep).await?;
                send_all(&mut s, size, count).await?;
                String::new()
            }
            Tool::DealerThr { ep, size, count } => {
                let mut s = zeromq::DealerSocket::new();
                s.connect(&ep).await?;
                send_all(&mut s, size, count).await?;
                String::new()
            }
            Tool::LocalLat { ep, size, count } => {
                let mut s = zeromq::RepSocket::new();
                s.bind(&ep).await?;
                for _ in 0..count {
                    let m = s.recv().await?;
                    check(&m, size, 0)?;
                    s.send(m).await?;
                }
                // No way to wait for the last reply to be written: stay
                // until the comparison ends this process.
                tokio::time::sleep(SENDER_GRACE).await;
                String::new()
            }
            Tool::RemoteLat { ep, size, count } => {
                let mut s = zeromq::ReqSocket::new();
                s.connect(&ep).await?;
                let payload = Bytes::from(vec![0_u8; size]);
                let start = Instant::now();
                for _ in 0..count {
                    s.send(ZmqMessage::from(payload.clone())).await?;
                    check(&s.recv().await?, size, 0)?;
                }
                LatReport {
                    size,
                    roundtrips: count,
                    elapsed: start.elapsed(),
                }
                .to_string()
            }
            Tool::InprocThr { .. } | Tool::InprocLat { .. } => {
                return Err("zmq.rs has no inproc transport".into());
            }
            Tool::PubThr { ep, size, count } => {
                let mut s = zeromq::PubSocket::new();
                s.bind(&ep).await?;
                let go = super::ours::stdin_line();
                tokio::pin!(go);
                loop {
                    s.send(ZmqMessage::from(tagged(PROBE, size))).await?;
                    tokio::select! {
                        () = &mut go => break,
                        () = tokio::time::sleep(Duration::from_millis(10)) => {}
                    }
                }
                let data = tagged(DATA, size);
                for _ in 0..count {
                    s.send(ZmqMessage::from(data.clone())).await?;
                }
                let until = Instant::now() + END_FOR;
                while Instant::now() < until {
                    s.send(ZmqMessage::from(tagged(END, size))).await?;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                String::new()
            }
            Tool::SubThr { ep, size, count } => {
                let mut s = zeromq::SubSocket::new();
                s.connect(&ep).await?;
                s.subscribe("").await?;
                subscribe(&mut s, size, count).await?.to_string()
            }
            Tool::FloodRx {
                ep,
                size,
                count,
                pause_ms,
            } => {
                let mut s = zeromq::PullSocket::new();
                s.bind(&ep).await?;
                if count > 0 {
                    check(&s.recv().await?, size, 0)?;
                    tokio::time::sleep(Duration::from_millis(pause_ms)).await;
                    for _ in 1..count {
                        check(&s.recv().await?, size, 0)?;
                    }
                }
                rss_line(peak_rss_kib())
            }
            // The CURVE and scale cases compare zmtp with libzmq only
            // (zmq.rs 0.7 has no CURVE and no high-water mark option).
            other => return Err(format!("zmq.rs is not measured for {other:?}").into()),
        })
    })
}

fn check(m: &ZmqMessage, size: usize, envelope: usize) -> Result<(), ToolError> {
    if m.len() != envelope + 1 {
        return Err(format!("message with {} frames received", m.len()).into());
    }
    let got = m.get(envelope).map_or(0, Bytes::len);
    if got != size {
        return Err(format!("message of incorrect size received: {got}").into());
    }
    Ok(())
}

async fn time_receive(
    s: &mut impl SocketRecv,
    size: usize,
    count: usize,
    envelope: usize,
) -> Result<ThrReport, ToolError> {
    if count == 0 {
        return Ok(ThrReport {
            size,
            count,
            elapsed: Duration::ZERO,
        });
    }
    check(&s.recv().await?, size, envelope)?;
    let start = Instant::now();
    for _ in 1..count {
        check(&s.recv().await?, size, envelope)?;
    }
    Ok(ThrReport {
        size,
        count,
        elapsed: start.elapsed(),
    })
}

async fn send_all(s: &mut impl SocketSend, size: usize, count: usize) -> Result<(), ToolError> {
    let payload = Bytes::from(vec![0_u8; size]);
    for _ in 0..count {
        s.send(ZmqMessage::from(payload.clone())).await?;
    }
    // zmq.rs cannot wait until its queue is written: stay until the
    // comparison ends this process (as soon as the receiver is done).
    tokio::time::sleep(SENDER_GRACE).await;
    Ok(())
}

async fn subscribe(
    s: &mut zeromq::SubSocket,
    size: usize,
    count: usize,
) -> Result<ThrReport, ToolError> {
    let mut ready = false;
    let mut received = 0;
    let mut first = None;
    let mut last = Instant::now();
    while received < count {
        let wait = if first.is_some() { IDLE } else { END_FOR * 6 };
        let Ok(m) = tokio::time::timeout(wait, s.recv()).await else {
            break;
        };
        let m = m?;
        match m.get(0).and_then(|f| f.first()).copied() {
            Some(PROBE) => {
                if !ready {
                    ready = true;
                    say_ready();
                }
            }
            Some(DATA) => {
                check(&m, size.max(1), 0)?;
                last = Instant::now();
                first.get_or_insert(last);
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
