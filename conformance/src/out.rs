//! Terminal output that survives a closed pipe: `list | head` closes
//! standard output early, and `println!` would panic on the next write.
//! These writes report the failure instead; the program goes on (a run
//! still finishes, judges and exits with its code).

use std::io::Write;

/// Writes `text` to standard output; `false` once the stream is closed.
pub fn stdout(text: &str) -> bool {
    let mut o = std::io::stdout().lock();
    o.write_all(text.as_bytes())
        .and_then(|()| o.flush())
        .is_ok()
}

/// Writes `text` to standard error; `false` once the stream is closed.
pub fn stderr(text: &str) -> bool {
    let mut e = std::io::stderr().lock();
    e.write_all(text.as_bytes())
        .and_then(|()| e.flush())
        .is_ok()
}
