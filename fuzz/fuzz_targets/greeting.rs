//! Fuzz target: the 3.x greeting, partial greeting and version detection, and the 2.0/1.0 greetings.
//! The body, and what it asserts, is `zmtp_spec::fuzzing::greeting`; `cargo test`
//! replays `fuzz/corpus/greeting/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::fuzzing::greeting(data));
