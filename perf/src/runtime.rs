//! The tokio runtime the tools run on.

use std::future::Future;

use crate::error::PerfError;

/// Worker threads for the tools that talk to another process (tcp, ipc):
/// 0, tokio's current-thread runtime. On the 2-core machines measured
/// here it gave 2.5x the throughput of a 2-worker runtime at 64 B over tcp
/// and lower latency, the other process using the other core.
pub const NETWORK_THREADS: usize = 0;

/// Worker threads for the inproc tools, whose two ends share the process:
/// 2, one per core, so sender and receiver run in parallel.
pub const INPROC_THREADS: usize = 2;

/// Runs `f` on a tokio runtime with `ZMTP_PERF_THREADS` worker threads
/// if that variable is set, else `default_threads`; 0 means tokio's
/// current-thread runtime.
///
/// # Errors
/// The runtime's start-up error converted into `E`, and whatever `f`
/// returns.
pub fn run<T: Send + 'static, E: From<std::io::Error> + Send + 'static>(
    default_threads: usize,
    f: impl Future<Output = Result<T, E>> + Send + 'static,
) -> Result<T, E> {
    let threads: usize = std::env::var("ZMTP_PERF_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_threads);
    let rt = if threads == 0 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()?
    };
    // The tool runs as a spawned task, not as `block_on`'s own future:
    // on the current-thread runtime a wake-up of `block_on`'s future
    // costs a poll of the I/O driver first (an `epoll_wait` with no
    // timeout per round trip), a spawned task's does not.
    rt.block_on(async move {
        tokio::spawn(f)
            .await
            .map_err(|e| E::from(std::io::Error::other(e)))?
    })
}

/// Runs a tool's `main` as [`run`] does: prints its error to stderr and exits with status
/// 1 on failure, as libzmq's tools do.
pub fn main_of<T: std::fmt::Display + Send + 'static>(
    default_threads: usize,
    f: impl Future<Output = Result<T, PerfError>> + Send + 'static,
) -> std::process::ExitCode {
    match run(default_threads, f) {
        Ok(out) => {
            print!("{out}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
