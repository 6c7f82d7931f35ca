//! Throughput: PULL receives and measures (local_thr), PUSH sends
//! (remote_thr), both in one process over inproc (inproc_thr).

use std::time::Instant;

use bytes::Bytes;
use zmtp::{Context, Message, MonitorEventKind, Socket, SocketType};

use crate::error::PerfError;
use crate::report::ThrReport;
use crate::security::Security;

/// The endpoint libzmq's inproc_thr uses.
pub const INPROC_THR_ENDPOINT: &str = "inproc://thr_test";

/// local_thr: binds a PULL socket to `bind`, receives `count` messages of
/// `size` octets and times them from the first to the last.
///
/// # Errors
/// Socket errors, and [`PerfError::WrongSize`] for a message of another
/// size.
pub async fn local_thr(bind: &str, size: usize, count: usize) -> Result<ThrReport, PerfError> {
    local_thr_with(bind, size, count, Security::Null).await
}

/// [`local_thr`] with a security mechanism: with [`Security::Curve`] the
/// PULL is a CURVE server (libzmq's `local_thr ... curve`).
///
/// # Errors
/// As [`local_thr`].
pub async fn local_thr_with(
    bind: &str,
    size: usize,
    count: usize,
    security: Security,
) -> Result<ThrReport, PerfError> {
    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Pull)?;
    security.apply_to_binder(&socket)?;
    socket.bind(bind)?;
    time_receive(&socket, size, count, 0).await
}

/// remote_thr: connects a PUSH socket to `connect` and sends `count`
/// messages of `size` octets, then waits until the receiver has closed the
/// connection (libzmq's remote_thr waits for LINGER in `zmq_ctx_term`
/// instead).
///
/// # Errors
/// Socket errors.
pub async fn remote_thr(connect: &str, size: usize, count: usize) -> Result<(), PerfError> {
    remote_thr_with(connect, size, count, Security::Null).await
}

/// [`remote_thr`] with a security mechanism: with [`Security::Curve`] the
/// PUSH is the CURVE client of [`local_thr_with`]'s server.
///
/// # Errors
/// As [`remote_thr`].
pub async fn remote_thr_with(
    connect: &str,
    size: usize,
    count: usize,
    security: Security,
) -> Result<(), PerfError> {
    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Push)?;
    security.apply_to_connecter(&socket)?;
    send_on(&socket, connect, size, count).await
}

/// inproc_thr: local_thr and remote_thr in one process over inproc, the
/// sender in its own task.
///
/// # Errors
/// As [`local_thr`] and [`remote_thr`].
pub async fn inproc_thr(size: usize, count: usize) -> Result<ThrReport, PerfError> {
    let ctx = Context::new()?;
    let pull = ctx.socket(SocketType::Pull)?;
    pull.bind(INPROC_THR_ENDPOINT)?;
    let push = ctx.socket(SocketType::Push)?;
    push.connect(INPROC_THR_ENDPOINT)?;
    let sender = tokio::spawn(async move {
        let payload = payload(size);
        for _ in 0..count {
            push.send(payload.clone()).await?;
        }
        Ok::<_, PerfError>(push)
    });
    let report = time_receive(&pull, size, count, 0).await?;
    let _push = sender.await.map_err(std::io::Error::other)??;
    Ok(report)
}

/// Binds a receiving socket (PULL, ROUTER, ...) and times `count`
/// messages whose last frame is `size` octets.
///
/// # Errors
/// As [`local_thr`].
pub async fn receive(
    bind: &str,
    socket_type: SocketType,
    size: usize,
    count: usize,
) -> Result<ThrReport, PerfError> {
    let ctx = Context::new()?;
    let socket = ctx.socket(socket_type)?;
    socket.bind(bind)?;
    let envelope = usize::from(socket_type == SocketType::Router);
    time_receive(&socket, size, count, envelope).await
}

/// Connects a sending socket (PUSH, DEALER, ...), sends `count` messages of
/// `size` octets, and waits until the peer has closed the connection, so
/// that every message has been taken.
///
/// # Errors
/// Socket errors.
pub async fn send(
    connect: &str,
    socket_type: SocketType,
    size: usize,
    count: usize,
) -> Result<(), PerfError> {
    let ctx = Context::new()?;
    let socket = ctx.socket(socket_type)?;
    send_on(&socket, connect, size, count).await
}

/// Connects `socket`, sends `count` messages of `size` octets and waits
/// until the peer has closed the connection.
async fn send_on(
    socket: &Socket,
    connect: &str,
    size: usize,
    count: usize,
) -> Result<(), PerfError> {
    let mut monitor = socket.monitor();
    socket.connect(connect)?;
    let payload = payload(size);
    match batch_size() {
        0 => {
            for _ in 0..count {
                socket.send(payload.clone()).await?;
            }
        }
        b => {
            let mut batch = std::collections::VecDeque::with_capacity(b);
            let mut left = count;
            while left > 0 {
                let n = b.min(left);
                batch.extend((0..n).map(|_| Message::from(payload.clone())));
                socket.send_batch(&mut batch).await?;
                left -= n;
            }
        }
    }
    wait_for_peer_to_leave(socket, &mut monitor).await;
    Ok(())
}

/// The environment variable that makes the tcp and ipc throughput tools
/// use the batch calls ([`Socket::send_batch`], [`Socket::recv_batch`])
/// with this many messages per call.
pub const BATCH_ENV: &str = "ZMTP_PERF_BATCH";

/// Messages per batch call, from [`BATCH_ENV`]; 0 (unset): one call per
/// message, as libzmq's tools.
pub fn batch_size() -> usize {
    std::env::var(BATCH_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Waits for a Disconnected event on `socket`'s monitor: the peer has
/// received all it wanted and closed. Returns early if the monitor ends.
pub async fn wait_for_peer_to_leave(_socket: &Socket, monitor: &mut zmtp::Monitor) {
    while let Some(ev) = monitor.next().await {
        if matches!(
            ev.kind,
            MonitorEventKind::Disconnected | MonitorEventKind::MonitorStopped
        ) {
            return;
        }
    }
}

async fn time_receive(
    socket: &Socket,
    size: usize,
    count: usize,
    envelope: usize,
) -> Result<ThrReport, PerfError> {
    if count == 0 {
        return Ok(ThrReport {
            size,
            count,
            elapsed: core::time::Duration::ZERO,
        });
    }
    check(&socket.recv().await?, size, envelope)?;
    let start = Instant::now();
    match batch_size() {
        0 => {
            for _ in 1..count {
                check(&socket.recv().await?, size, envelope)?;
            }
        }
        b => {
            let mut got = Vec::with_capacity(b);
            let mut left = count - 1;
            while left > 0 {
                let n = socket.recv_batch(&mut got, b.min(left)).await?;
                for m in got.drain(..) {
                    check(&m, size, envelope)?;
                }
                left -= n;
            }
        }
    }
    Ok(ThrReport {
        size,
        count,
        elapsed: start.elapsed(),
    })
}

/// Checks that a message is `envelope` frames then one frame of `size`
/// octets.
///
/// # Errors
/// [`PerfError::WrongFrames`], [`PerfError::WrongSize`].
pub fn check(message: &Message, size: usize, envelope: usize) -> Result<(), PerfError> {
    let frames = message.frames();
    if frames.len() != envelope + 1 {
        return Err(PerfError::WrongFrames(frames.len()));
    }
    let got = frames[envelope].len();
    if got != size {
        return Err(PerfError::WrongSize {
            expected: size,
            got,
        });
    }
    Ok(())
}

/// libzmq's "very small message" limit on 64-bit targets: a body this
/// short lives inside its `zmq_msg_t`, with no heap block and no shared
/// reference count.
pub const SMALL_MESSAGE_MAX: usize = 33;

/// Zeros to lend small bodies from.
static ZEROS: [u8; SMALL_MESSAGE_MAX] = [0; SMALL_MESSAGE_MAX];

/// The body each sent message carries, cloned once per message. libzmq's
/// remote_thr builds every message afresh, and up to
/// [`SMALL_MESSAGE_MAX`] octets that message owns its body outright; the
/// equivalent here is a static body, whose clones share no counter
/// between the sending and the receiving thread (a shared heap `Bytes`
/// would bounce one cache line between them on every message). Larger
/// bodies are one heap buffer shared by all messages (libzmq allocates
/// one per message instead, which costs it more).
pub fn payload(size: usize) -> Bytes {
    match ZEROS.get(..size) {
        Some(zeros) => Bytes::from_static(zeros),
        None => Bytes::from(vec![0_u8; size]),
    }
}

#[cfg(test)]
mod tests;
