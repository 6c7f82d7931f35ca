//! Fuzz target: the streaming frame decoder: framing, MAXMSGSIZE and chunking chosen by the input.
//! The body, and what it asserts, is `zmtp_spec::fuzzing::decoder`; `cargo test`
//! replays `fuzz/corpus/decoder/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::fuzzing::decoder(data));
