//! # zmtp: ZeroMQ on tokio
//!
//! Not built yet: this crate will drive `zmtp-spec`'s connection machine
//! and `zmtp-model`'s pattern machines over tcp, ipc and inproc.
