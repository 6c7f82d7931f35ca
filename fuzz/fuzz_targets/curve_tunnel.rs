//! Fuzz target `curve_tunnel`: the body, and what it asserts, is
//! `zmtp_spec::security::fuzzing::curve_tunnel`; `cargo test` replays
//! `fuzz/corpus/curve_tunnel/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::security::fuzzing::curve_tunnel(data));
