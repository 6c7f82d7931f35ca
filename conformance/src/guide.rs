//! The book's conformance chapter (the repository's `docs/src/`), included
//! here so that its examples run as doctests against this crate
//! (`cargo test -p zmtp-conformance --doc`).

#[doc = include_str!("../guide/conformance.md")]
pub mod conformance {}
