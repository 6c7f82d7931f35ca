//! # zmtp-model: ZeroMQ socket patterns as pure state machines
//!
//! Not built yet: this crate will hold one deterministic machine per socket
//! pattern (RFCs 28-31), the stateright models that check them, and the
//! trace oracle the conformance runner judges peers with.
