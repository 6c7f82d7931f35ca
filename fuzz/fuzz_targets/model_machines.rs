//! Fuzz target: every socket-pattern machine driven by an arbitrary
//! operation sequence (peers attaching, suspending, detaching, sending,
//! subscribing; the application sending and receiving; options changing).
//! The body, and the invariants it checks after every operation, is
//! `zmtp_model::exercise::fuzz` (the invariants, and the oracle explaining the run's own trace); the model crate's tests replay it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = zmtp_model::exercise::fuzz(data) {
        panic!("{violation}");
    }
});
