//! # zmtp-perf: zmtp's perf tools
//!
//! The six binaries `local_thr`, `remote_thr`, `local_lat`, `remote_lat`,
//! `inproc_thr` and `inproc_lat` take libzmq's command lines and print
//! libzmq's result lines, so each pairs with libzmq's own tool in either
//! direction:
//!
//! ```text
//! local_thr  <bind-to>    <message-size> <message-count>      PULL, prints throughput
//! remote_thr <connect-to> <message-size> <message-count>      PUSH
//! local_lat  <bind-to>    <message-size> <roundtrip-count>    REP (echo)
//! remote_lat <connect-to> <message-size> <roundtrip-count>    REQ, prints latency
//! inproc_thr <message-size> <message-count>                   both ends, inproc
//! inproc_lat <message-size> <roundtrip-count>                 both ends, inproc
//! ```
//!
//! The library holds the measurements themselves ([`thr`], [`lat`],
//! [`extra`] for the PUB/SUB, ROUTER/DEALER and memory measurements of the
//! comparison command in `perf/compare`), the result lines ([`report`]),
//! and the regression timing of the conformance run and of model checking
//! ([`regress`], binary `zmtp-regress`).

pub mod args;
pub mod error;
pub mod extra;
pub mod lat;
pub mod regress;
pub mod report;
pub mod runtime;
pub mod security;
pub mod thr;

pub use error::PerfError;
pub use report::{LatReport, ThrReport};
