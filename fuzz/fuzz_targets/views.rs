//! Fuzz target `views`: the strict grammar equals the lenient views plus
//! their checks, for the greeting, frames, commands, metadata and the CURVE
//! layouts. The body, and what it asserts, is
//! `zmtp_spec::wire::view::fuzzing::views`; `cargo test` replays
//! `fuzz/corpus/views/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp_spec::wire::view::fuzzing::views(data));
