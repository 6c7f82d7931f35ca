//! Fuzz target: the sans-IO connection machine driven by byte chunks, clock moves and application calls.
//! The body, and what it asserts, is `zmtp_spec::fuzzing::connection`; `cargo test`
//! replays `fuzz/corpus/connection/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::fuzzing::connection(data));
