//! Latency: REP echoes (local_lat), REQ times round trips (remote_lat),
//! both in one process over inproc (inproc_lat).

use std::time::Instant;

use bytes::Bytes;
use zmtp::{Context, Socket, SocketType};

use crate::error::PerfError;
use crate::report::LatReport;
use crate::security::Security;
use crate::thr::{check, wait_for_peer_to_leave};

/// The endpoint libzmq's inproc_lat uses.
pub const INPROC_LAT_ENDPOINT: &str = "inproc://lat_test";

/// local_lat: binds a REP socket to `bind` and echoes `roundtrips`
/// messages of `size` octets, then waits until the requester has closed
/// the connection so the last reply is not lost.
///
/// # Errors
/// Socket errors, and [`PerfError::WrongSize`].
pub async fn local_lat(bind: &str, size: usize, roundtrips: usize) -> Result<(), PerfError> {
    local_lat_with(bind, size, roundtrips, Security::Null).await
}

/// [`local_lat`] with a security mechanism: with [`Security::Curve`] the
/// REP is a CURVE server.
///
/// # Errors
/// As [`local_lat`].
pub async fn local_lat_with(
    bind: &str,
    size: usize,
    roundtrips: usize,
    security: Security,
) -> Result<(), PerfError> {
    let ctx = Context::new()?;
    let rep = ctx.socket(SocketType::Rep)?;
    security.apply_to_binder(&rep)?;
    let mut monitor = rep.monitor();
    rep.bind(bind)?;
    echo(&rep, size, roundtrips).await?;
    wait_for_peer_to_leave(&rep, &mut monitor).await;
    Ok(())
}

/// remote_lat: connects a REQ socket to `connect` and times `roundtrips`
/// round trips of `size` octets.
///
/// # Errors
/// Socket errors, and [`PerfError::WrongSize`].
pub async fn remote_lat(
    connect: &str,
    size: usize,
    roundtrips: usize,
) -> Result<LatReport, PerfError> {
    remote_lat_with(connect, size, roundtrips, Security::Null).await
}

/// [`remote_lat`] with a security mechanism: with [`Security::Curve`] the
/// REQ is the CURVE client of [`local_lat_with`]'s server.
///
/// # Errors
/// As [`remote_lat`].
pub async fn remote_lat_with(
    connect: &str,
    size: usize,
    roundtrips: usize,
    security: Security,
) -> Result<LatReport, PerfError> {
    let ctx = Context::new()?;
    let req = ctx.socket(SocketType::Req)?;
    security.apply_to_connecter(&req)?;
    req.connect(connect)?;
    time_roundtrips(&req, size, roundtrips).await
}

/// inproc_lat: remote_lat and local_lat in one process over inproc, the
/// echo in its own task.
///
/// # Errors
/// As [`remote_lat`].
pub async fn inproc_lat(size: usize, roundtrips: usize) -> Result<LatReport, PerfError> {
    let ctx = Context::new()?;
    let req = ctx.socket(SocketType::Req)?;
    req.bind(INPROC_LAT_ENDPOINT)?;
    let rep = ctx.socket(SocketType::Rep)?;
    rep.connect(INPROC_LAT_ENDPOINT)?;
    let echoer = tokio::spawn(async move { echo(&rep, size, roundtrips).await });
    let report = time_roundtrips(&req, size, roundtrips).await?;
    echoer.await.map_err(std::io::Error::other)??;
    Ok(report)
}

async fn echo(rep: &Socket, size: usize, roundtrips: usize) -> Result<(), PerfError> {
    for _ in 0..roundtrips {
        let m = rep.recv().await?;
        check(&m, size, 0)?;
        rep.send(m).await?;
    }
    Ok(())
}

async fn time_roundtrips(
    req: &Socket,
    size: usize,
    roundtrips: usize,
) -> Result<LatReport, PerfError> {
    let payload = Bytes::from(vec![0_u8; size]);
    let start = Instant::now();
    for _ in 0..roundtrips {
        req.send(payload.clone()).await?;
        check(&req.recv().await?, size, 0)?;
    }
    Ok(LatReport {
        size,
        roundtrips,
        elapsed: start.elapsed(),
    })
}
