//! Connects PUSH and sends, as libzmq's remote_thr.
//!
//! `remote_thr <connect-to> <message-size> <message-count>`

use std::process::ExitCode;

use zmtp_perf::args::{number, positional};

fn main() -> ExitCode {
    zmtp_perf::runtime::main_of(zmtp_perf::runtime::NETWORK_THREADS, async {
        let [ep, size, count] = positional::<3>(
            std::env::args(),
            "<connect-to> <message-size> <message-count>",
        )?;
        zmtp_perf::thr::remote_thr(
            &ep,
            number(&size, "message-size")?,
            number(&count, "message-count")?,
        )
        .await?;
        Ok(zmtp_perf::report::Silent)
    })
}
