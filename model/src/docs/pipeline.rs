//! # PUSH and PULL (RFC 30)
//!
//! **PUSH** only sends (30-R01), unchanged (30-R02). It keeps a queue per
//! peer (30-R03), created when a connect starts and kept while the
//! connection is down (30-R04) or when a peer connects in (30-R05), and
//! discarded on detach (30-R06). Messages go round-robin (30-R08) to peers
//! whose queue has room (30-R07); with none, the send would block and the
//! message is not taken (30-R09..R11). What peers send is discarded.
//!
//! **PULL** only receives (30-R12), unchanged (30-R13), fair-queued over
//! one queue per peer (30-R14, 30-R18, 30-R19); a peer at RCVHWM is given
//! back its message ([`crate::Backpressure`]) so the driver stops reading
//! it.
//!
//! Options: SNDHWM, RCVHWM, CONFLATE, IMMEDIATE.
//!
//! Checked by: unit tests in `patterns/push/tests.rs` and
//! `patterns/pull/tests.rs`; the `push-pull` model (each message reaches
//! one peer only, FIFO, no duplicates, HWM; every message delivered and a
//! full queue blocking happen); the `pull-fair` model (K PUSHes into one
//! PULL that receives through its own fair queue: it never serves a peer
//! twice in a row while another waits); the mutation tests "PUSH
//! delivering twice" and "unfair queue".
