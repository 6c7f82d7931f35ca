//! The tokio runtime the tools run on.

use std::future::Future;

use crate::error::PerfError;

/// Runs `f` on a multi-threaded tokio runtime with
/// `ZMTP_PERF_THREADS` worker threads (default 2, one per core of the
/// machines this project measures on), or on a current-thread runtime when
/// `ZMTP_PERF_THREADS=0`.
///
/// # Errors
/// [`PerfError::Io`] when the runtime cannot start, and whatever `f`
/// returns.
pub fn run<T>(f: impl Future<Output = Result<T, PerfError>>) -> Result<T, PerfError> {
    let threads: usize = std::env::var("ZMTP_PERF_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
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
    rt.block_on(f)
}

/// Runs a tool's `main`: prints its error to stderr and exits with status
/// 1 on failure, as libzmq's tools do.
pub fn main_of<T: std::fmt::Display>(
    f: impl Future<Output = Result<T, PerfError>>,
) -> std::process::ExitCode {
    match run(f) {
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
