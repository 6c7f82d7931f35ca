//! Measurements beyond libzmq's six tools, used by the comparison command
//! (`perf/compare`): PUB/SUB fan-out throughput, ROUTER/DEALER throughput
//! and the receiver's peak memory under a flood.
//!
//! PUB/SUB protocol, the same for every implementation the comparison
//! measures: every message's first octet says what it is. The publisher
//! sends [`PROBE`] messages until it is told to go (the subscribers print
//! `ready` on their first probe and the comparison tells the publisher
//! through its standard input), then `count` [`DATA`] messages, then
//! [`END`] messages until it is stopped. A subscriber counts DATA messages
//! from the first to the last and stops on END, on `count`, or after
//! [`IDLE`] without one (PUB drops at its high-water mark, so END may be
//! lost too).
//!
//! So that the figure is a throughput rather than a drop rate, the
//! publisher's SNDHWM and the subscribers' RCVHWM are 0 (no limit) where
//! the implementation has them (zmtp, libzmq); zmq.rs has no high-water
//! mark option and drops, which the comparison reports as the share of
//! messages received.

use core::time::Duration;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use zmtp::{Context, SocketType, opt};

use crate::error::PerfError;
use crate::report::ThrReport;

/// First octet of a probe message.
pub const PROBE: u8 = b'P';
/// First octet of a measured message.
pub const DATA: u8 = b'D';
/// First octet of an end marker.
pub const END: u8 = b'E';
/// How long a subscriber waits for the next message before it stops.
pub const IDLE: Duration = Duration::from_millis(500);
/// How long a publisher keeps sending end markers.
pub const END_FOR: Duration = Duration::from_secs(10);

/// A message of `size` octets (at least one) whose first octet is `tag`.
pub fn tagged(tag: u8, size: usize) -> Bytes {
    let mut b = BytesMut::zeroed(size.max(1));
    b[0] = tag;
    b.freeze()
}

/// PUB side: binds to `bind` (SNDHWM 0), sends probes every 10 ms until `go`
/// completes, then `count` DATA messages of `size` octets, then END
/// markers every 10 ms for [`END_FOR`].
///
/// # Errors
/// Socket errors.
pub async fn publish(
    bind: &str,
    size: usize,
    count: usize,
    go: impl Future<Output = ()>,
) -> Result<(), PerfError> {
    publish_with(bind, size, count, go, Hwm::Unlimited).await
}

/// The high-water marks of a fan-out measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hwm {
    /// 0, no limit: the figure is a throughput (no message dropped).
    Unlimited,
    /// The socket's default (1000 messages): PUB drops what a slow
    /// subscriber cannot take.
    Default,
}

/// [`publish`] with the given high-water mark.
///
/// # Errors
/// Socket errors.
pub async fn publish_with(
    bind: &str,
    size: usize,
    count: usize,
    go: impl Future<Output = ()>,
    hwm: Hwm,
) -> Result<(), PerfError> {
    let ctx = Context::new()?;
    let publisher = ctx.socket(SocketType::Pub)?;
    if hwm == Hwm::Unlimited {
        publisher.set(opt::SndHwm, 0)?;
    }
    publisher.bind(bind)?;
    let probe = tagged(PROBE, size);
    tokio::pin!(go);
    loop {
        publisher.send(probe.clone()).await?;
        tokio::select! {
            () = &mut go => break,
            () = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
    }
    let data = tagged(DATA, size);
    for _ in 0..count {
        publisher.send(data.clone()).await?;
    }
    let end = tagged(END, size);
    let until = Instant::now() + END_FOR;
    while Instant::now() < until {
        publisher.send(end.clone()).await?;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// SUB side: connects to `connect` (RCVHWM 0), subscribes to everything, calls
/// `ready` on the first probe, then counts DATA messages as described in
/// the module docs. The report's count is the number received (at most
/// `count`).
///
/// # Errors
/// Socket errors, [`PerfError::WrongSize`].
pub async fn subscribe(
    connect: &str,
    size: usize,
    count: usize,
    ready: impl FnOnce(),
) -> Result<ThrReport, PerfError> {
    subscribe_with(connect, size, count, ready, &[Bytes::new()], Hwm::Unlimited).await
}

/// [`subscribe`] with these subscriptions (they must take in the probe,
/// data and end markers) and high-water mark.
///
/// # Errors
/// Socket errors, [`PerfError::WrongSize`].
pub async fn subscribe_with(
    connect: &str,
    size: usize,
    count: usize,
    ready: impl FnOnce(),
    topics: &[Bytes],
    hwm: Hwm,
) -> Result<ThrReport, PerfError> {
    let ctx = Context::new()?;
    let sub = ctx.socket(SocketType::Sub)?;
    if hwm == Hwm::Unlimited {
        sub.set(opt::RcvHwm, 0)?;
    }
    for t in topics {
        sub.subscribe(t.clone())?;
    }
    sub.connect(connect)?;
    let mut ready = Some(ready);
    let mut received = 0;
    let mut first = None;
    let mut last = Instant::now();
    while received < count {
        let wait = if first.is_some() { IDLE } else { END_FOR * 6 };
        let Ok(m) = tokio::time::timeout(wait, sub.recv()).await else {
            break;
        };
        let m = m?;
        let frame = m.frames().first().cloned().unwrap_or_default();
        match frame.first().copied() {
            Some(PROBE) => {
                if let Some(r) = ready.take() {
                    r();
                }
            }
            Some(DATA) => {
                crate::thr::check(&m, size.max(1), 0)?;
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

/// ROUTER side of the ROUTER/DEALER throughput: as local_thr with a
/// ROUTER socket (each message arrives behind its routing id).
///
/// # Errors
/// As [`crate::thr::local_thr`].
pub async fn router_receive(bind: &str, size: usize, count: usize) -> Result<ThrReport, PerfError> {
    crate::thr::receive(bind, SocketType::Router, size, count).await
}

/// DEALER side: as remote_thr with a DEALER socket.
///
/// # Errors
/// As [`crate::thr::remote_thr`].
pub async fn dealer_send(connect: &str, size: usize, count: usize) -> Result<(), PerfError> {
    crate::thr::send(connect, SocketType::Dealer, size, count).await
}

/// The receiver of a flood: binds PULL to `bind` with the default
/// high-water marks, does not read for `pause` while the sender floods,
/// then takes all `count` messages. Returns this process's peak resident
/// memory in KiB.
///
/// # Errors
/// Socket errors, [`PerfError::WrongSize`].
pub async fn flood_receive(
    bind: &str,
    size: usize,
    count: usize,
    pause: Duration,
) -> Result<u64, PerfError> {
    let ctx = Context::new()?;
    let pull = ctx.socket(SocketType::Pull)?;
    pull.bind(bind)?;
    if count > 0 {
        crate::thr::check(&pull.recv().await?, size, 0)?;
        tokio::time::sleep(pause).await;
        for _ in 1..count {
            crate::thr::check(&pull.recv().await?, size, 0)?;
        }
    }
    Ok(peak_rss_kib())
}

/// This process's peak resident set size in KiB (`VmHWM` in
/// `/proc/self/status`), or 0 where that file does not exist.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
