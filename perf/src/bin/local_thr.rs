//! Binds PULL and measures throughput, as libzmq's local_thr.
//!
//! `local_thr <bind-to> <message-size> <message-count>`

use std::process::ExitCode;

use zmtp_perf::args::{number, positional};

fn main() -> ExitCode {
    zmtp_perf::runtime::main_of(zmtp_perf::runtime::NETWORK_THREADS, async {
        let [ep, size, count] =
            positional::<3>(std::env::args(), "<bind-to> <message-size> <message-count>")?;
        zmtp_perf::thr::local_thr(
            &ep,
            number(&size, "message-size")?,
            number(&count, "message-count")?,
        )
        .await
    })
}
