//! The teaching reference (the repository's `docs/` folder), included here
//! through the symbolic links in `spec/guide/` (which `cargo package`
//! follows, so the published crate carries the text), so that rustdoc shows
//! it beside the code it explains and every example in it runs as a doctest
//! (`cargo test -p zmtp-spec --doc`).

#[doc = include_str!("../guide/wire.md")]
pub mod wire {}

#[doc = include_str!("../guide/connection.md")]
pub mod connection {}
