//! Binds REP and echoes, as libzmq's local_lat.
//!
//! `local_lat <bind-to> <message-size> <roundtrip-count>`

use std::process::ExitCode;

use zmtp_perf::args::{number, positional};

fn main() -> ExitCode {
    zmtp_perf::runtime::main_of(zmtp_perf::runtime::NETWORK_THREADS, async {
        let [ep, size, count] = positional::<3>(
            std::env::args(),
            "<bind-to> <message-size> <roundtrip-count>",
        )?;
        zmtp_perf::lat::local_lat(
            &ep,
            number(&size, "message-size")?,
            number(&count, "roundtrip-count")?,
        )
        .await?;
        Ok(zmtp_perf::report::Silent)
    })
}
