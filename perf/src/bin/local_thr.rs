//! Binds PULL and measures throughput, as libzmq's local_thr.
//!
//! `local_thr <bind-to> <message-size> <message-count> [curve]`

use std::process::ExitCode;

use zmtp_perf::args::{number, positional_and_optional};
use zmtp_perf::security::Security;

fn main() -> ExitCode {
    zmtp_perf::runtime::main_of(zmtp_perf::runtime::NETWORK_THREADS, async {
        let ([ep, size, count], security) = positional_and_optional::<3>(
            std::env::args(),
            "<bind-to> <message-size> <message-count> [curve]",
        )?;
        zmtp_perf::thr::local_thr_with(
            &ep,
            number(&size, "message-size")?,
            number(&count, "message-count")?,
            Security::from_arg(security.as_deref())?,
        )
        .await
    })
}
