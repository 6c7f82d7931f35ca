//! # zmtp-conformance
//!
//! Not built yet: the conformance runner. See the README.

fn main() {
    eprintln!("zmtp-conformance: the conformance runner is not built yet");
    std::process::exit(2);
}
