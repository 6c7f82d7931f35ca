//! Connects REQ and measures round trips, as libzmq's remote_lat.
//!
//! `remote_lat <connect-to> <message-size> <roundtrip-count>`

use std::process::ExitCode;

use zmtp_perf::args::{number, positional};

fn main() -> ExitCode {
    zmtp_perf::runtime::main_of(zmtp_perf::runtime::NETWORK_THREADS, async {
        let [ep, size, count] = positional::<3>(
            std::env::args(),
            "<connect-to> <message-size> <roundtrip-count>",
        )?;
        zmtp_perf::lat::remote_lat(
            &ep,
            number(&size, "message-size")?,
            number(&count, "roundtrip-count")?,
        )
        .await
    })
}
