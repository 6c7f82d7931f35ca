//! Fuzz target: command parsing: parse -> encode -> parse, and 3.0 subscription messages.
//! The body, and what it asserts, is `zmtp_spec::fuzzing::command`; `cargo test`
//! replays `fuzz/corpus/command/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::fuzzing::command(data));
