//! Fuzz target: NORM packets (RFC 5740 as libzmq's libnorm sends them).
//! The body, and what it asserts, is `zmtp_spec::fuzzing::norm`; `cargo test`
//! replays `fuzz/corpus/norm/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::fuzzing::norm(data));
