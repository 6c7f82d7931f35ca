//! Fuzz target: one socket of impl's core (its connection drivers and
//! pattern machine) driven through scripted links by arbitrary peer
//! events and application calls.
//! The body, and what it asserts, is `zmtp::fuzzing::socket_core`;
//! `cargo test -p zmtp --test fuzz_corpus` replays
//! `fuzz/corpus/socket_core/` through the same function.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| zmtp::fuzzing::socket_core(data));
