//! Fuzz target: PGM packets (RFC 3208 as libzmq and OpenPGM use it), libzmq's payload joiner and the receiver machine.
//! The body, and what it asserts, is `zmtp_spec::fuzzing::pgm`; `cargo test`
//! replays `fuzz/corpus/pgm/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::fuzzing::pgm(data));
