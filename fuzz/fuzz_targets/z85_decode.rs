//! Fuzz target `z85_decode`: the body, and what it asserts, is
//! `zmtp_spec::security::fuzzing::z85_decode`; `cargo test` replays
//! `fuzz/corpus/z85_decode/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::security::fuzzing::z85_decode(data));
