//! The book's chapters on using the library (the repository's
//! `docs/src/`), included here so that every example in them runs as a
//! doctest against this crate (`cargo test -p zmtp --doc`).

#[doc = include_str!("../guide/zeromq.md")]
pub mod zeromq {}

#[doc = include_str!("../guide/reliability.md")]
pub mod reliability {}

#[doc = include_str!("../guide/transports.md")]
pub mod transports {}
