//! # zmtp-conformance
//!
//! A conformance suite for ZeroMQ implementations, in the spirit of h2spec:
//! it plays the counterpart of the implementation under test, as a raw ZMTP
//! peer with octet-level control, and drives the implementation through an
//! agent (see `conformance/AGENTS.md`).
//!
//! ```text
//!   case registry --select--> runner --workers--> agent process (JSON lines) --> library under test
//!                                  \                                                  ^
//!                                   `--> raw ZMTP peer (tcp / ipc) ------ wire -------'
//!   verdicts --> expected-results judge --> tally --> text summary, JSON, markdown, JUnit, HTML report, HTML matrix
//! ```

pub mod agent;
pub mod case;
pub mod cases;
pub mod coverage;
pub mod data;
pub mod dissect;
pub mod events;
pub mod expected;
pub mod fuzz;
pub mod guide;
pub mod html;
pub mod mutants;
pub mod out;
pub mod peer;
pub mod report;
pub mod runner;
pub mod tally;
pub mod wirelog;
