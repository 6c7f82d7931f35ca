//! Fuzz target: metadata properties (READY bodies).
//! The body, and what it asserts, is `zmtp_spec::fuzzing::metadata`; `cargo test`
//! replays `fuzz/corpus/metadata/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::fuzzing::metadata(data));
