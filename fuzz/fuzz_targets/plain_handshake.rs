//! Fuzz target `plain_handshake`: the body, and what it asserts, is
//! `zmtp_spec::security::fuzzing::plain_handshake`; `cargo test` replays
//! `fuzz/corpus/plain_handshake/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::security::fuzzing::plain_handshake(data));
