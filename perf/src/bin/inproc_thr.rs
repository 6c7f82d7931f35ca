//! PUSH/PULL throughput over inproc in one process, as libzmq's inproc_thr.
//!
//! `inproc_thr <message-size> <message-count>`

use std::process::ExitCode;

use zmtp_perf::args::{number, positional};

fn main() -> ExitCode {
    zmtp_perf::runtime::main_of(zmtp_perf::runtime::INPROC_THREADS, async {
        let [size, count] = positional::<2>(std::env::args(), "<message-size> <message-count>")?;
        zmtp_perf::thr::inproc_thr(
            number(&size, "message-size")?,
            number(&count, "message-count")?,
        )
        .await
    })
}
