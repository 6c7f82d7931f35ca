//! REQ/REP latency over inproc in one process, as libzmq's inproc_lat.
//!
//! `inproc_lat <message-size> <roundtrip-count>`

use std::process::ExitCode;

use zmtp_perf::args::{number, positional};

fn main() -> ExitCode {
    zmtp_perf::runtime::main_of(zmtp_perf::runtime::INPROC_THREADS, async {
        let [size, count] = positional::<2>(std::env::args(), "<message-size> <roundtrip-count>")?;
        zmtp_perf::lat::inproc_lat(
            number(&size, "message-size")?,
            number(&count, "roundtrip-count")?,
        )
        .await
    })
}
