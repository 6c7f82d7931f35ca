//! Where the tests find libzmq: the Python interpreter with pyzmq that
//! `.ci/setup-pyzmq` installs (or `ZMTP_PYTHON`).

use std::path::PathBuf;

/// The Python interpreter with pyzmq, or `None` (after saying why) when
/// it is missing and peers are not required (`ZMTP_REQUIRE_PEERS=1` makes
/// a missing one a failure).
pub(crate) fn python() -> Option<PathBuf> {
    let p = std::env::var("ZMTP_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/peers/pyzmq/bin/python")
        });
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("ZMTP_REQUIRE_PEERS").as_deref() != Ok("1"),
        "ZMTP_REQUIRE_PEERS=1 but there is no pyzmq at {}",
        p.display()
    );
    eprintln!(
        "libzmq baseline skipped: no pyzmq at {} (run .ci/setup-pyzmq)",
        p.display()
    );
    None
}
