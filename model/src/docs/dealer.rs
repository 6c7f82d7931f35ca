//! # DEALER (RFC 28)
//!
//! DEALER changes no message (28-R20, 28-R31). It keeps a double queue per
//! peer (28-R21), created when a connect starts and kept while the
//! connection is down (28-R22), or when a peer connects in (28-R23); a
//! detach discards it (28-R24). Sends go round-robin (28-R26) to peers
//! whose queue has room (28-R25); with none, the send would block and the
//! message is not taken (28-R27..R29). Receives are fair-queued (28-R30).
//!
//! Options: SNDHWM, RCVHWM, PROBE_ROUTER, CONFLATE, IMMEDIATE, ROUTING_ID.
//!
//! Checked by: unit tests in `patterns/dealer/tests.rs`; the `dealer-rep`
//! and `dealer-router` models.
