//! The teaching reference (the repository's `docs/` folder), included here
//! so that rustdoc shows it beside the code it explains and every example
//! in it runs as a doctest (`cargo test -p zmtp-spec --doc`).

#[doc = include_str!("../../docs/src/wire.md")]
pub mod wire {}

#[doc = include_str!("../../docs/src/connection.md")]
pub mod connection {}
