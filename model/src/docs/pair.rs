//! # PAIR (RFC 31)
//!
//! PAIR changes no message (31-R01) and has one double queue for its one
//! peer (31-R02..R04), discarded on detach (31-R05). A second peer is
//! refused while the first is attached (31-R10). Sends go to the peer while
//! its queue has room (31-R06), and would block otherwise, without taking
//! the message (31-R07..R09). Everything from the peer is delivered
//! (31-R11).
//!
//! Options: SNDHWM, RCVHWM, IMMEDIATE.
//!
//! Checked by: unit tests in `patterns/pair/tests.rs`; the `pair` model (a
//! third PAIR keeps trying to connect: 31-R10).
