//! Fuzz target `curve_handshake`: the body, and what it asserts, is
//! `zmtp_spec::security::fuzzing::curve_handshake`; `cargo test` replays
//! `fuzz/corpus/curve_handshake/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::security::fuzzing::curve_handshake(data));
