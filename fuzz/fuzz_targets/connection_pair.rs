//! Fuzz target: two connection machines back to back on virtual time,
//! with compatible socket types, any pacing/version/chunking, exchanging
//! messages, subscriptions and PINGs.
//! The body, and what it asserts, is `zmtp_spec::fuzzing::connection_pair`;
//! `cargo test` replays `fuzz/corpus/connection_pair/` through the same
//! function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::fuzzing::connection_pair(data));
