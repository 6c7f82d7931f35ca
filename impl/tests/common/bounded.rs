//! Every wait is bounded: a test that waits on the network, a peer
//! process or a monitor fails after [`LIMIT`], saying what it waited for,
//! instead of hanging (a hung test blocks every landing; a failed one at
//! least says why).
//!
//! `socket.recv().within("the reply").await`, or
//! `within("the reply", async { ... }).await` around a loop that waits
//! for a condition; a blocking body (the blocking facade, on plain
//! threads) goes through [`within_blocking`]. A timeout names the line
//! of the wait.

use std::future::Future;
use std::panic::Location;
use std::time::Duration;

/// How long one wait may take: far above what any passing wait needs on
/// a loaded 2-core machine, far below a hang.
pub(crate) const LIMIT: Duration = Duration::from_secs(20);

/// Awaits `fut`, failing the test with `what` and the caller's line
/// after [`LIMIT`].
#[track_caller]
pub(crate) fn within<F: Future>(what: &str, fut: F) -> impl Future<Output = F::Output> {
    within_for(LIMIT, what, fut)
}

/// Awaits `fut`, failing the test with `what` and the caller's line
/// after `limit`.
#[track_caller]
pub(crate) fn within_for<F: Future>(
    limit: Duration,
    what: &str,
    fut: F,
) -> impl Future<Output = F::Output> {
    let at = Location::caller();
    async move {
        match tokio::time::timeout(limit, fut).await {
            Ok(v) => v,
            Err(_) => panic!("{at}: timed out after {limit:?} waiting for {what}"),
        }
    }
}

/// [`within`] as a method: `socket.recv().within("the reply").await`.
pub(crate) trait Within: Future + Sized {
    /// Awaits `self`, failing the test with `what` and the caller's line
    /// after [`LIMIT`].
    #[track_caller]
    fn within(self, what: &str) -> impl Future<Output = Self::Output> {
        within_for(LIMIT, what, self)
    }
}

impl<F: Future> Within for F {}

/// The monitor's next event that `want` accepts (skipping the others),
/// failing the test with `what` and the caller's line when none comes
/// within [`LIMIT`] in all.
#[track_caller]
pub(crate) fn event_where<'a>(
    monitor: &'a mut zmtp::Monitor,
    what: &'a str,
    mut want: impl FnMut(&zmtp::MonitorEvent) -> bool + 'a,
) -> impl Future<Output = zmtp::MonitorEvent> + 'a {
    within_for(LIMIT, what, async move {
        loop {
            let e = monitor.next().await.expect("the monitor ended");
            if want(&e) {
                return e;
            }
        }
    })
}

/// The monitor's first HANDSHAKE_SUCCEEDED or HANDSHAKE_FAILED_* event,
/// as [`event_where`].
#[track_caller]
pub(crate) fn handshake_outcome(
    monitor: &mut zmtp::Monitor,
) -> impl Future<Output = zmtp::MonitorEvent> + '_ {
    use zmtp::MonitorEventKind::{
        HandshakeFailedAuth, HandshakeFailedNoDetail, HandshakeFailedProtocol, HandshakeSucceeded,
    };
    event_where(monitor, "a handshake outcome on the monitor", |e| {
        matches!(
            e.kind,
            HandshakeSucceeded
                | HandshakeFailedAuth(_)
                | HandshakeFailedProtocol(_)
                | HandshakeFailedNoDetail(_)
        )
    })
}

/// Runs `body` on a thread of its own and returns what it returns,
/// failing the test with `what` if it takes longer than [`LIMIT`] (the
/// thread is then left behind; the test process ends it).
#[track_caller]
pub(crate) fn within_blocking<T: Send + 'static>(
    what: &str,
    body: impl FnOnce() -> T + Send + 'static,
) -> T {
    let at = Location::caller();
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = tx.send(body());
    });
    match rx.recv_timeout(LIMIT) {
        Ok(v) => v,
        // The body panicked: its own message says why.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the body sent nothing yet returned"),
        },
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{at}: timed out after {LIMIT:?} waiting for {what}")
        }
    }
}
