//! The teaching reference (the book in the repository's `docs/src/`): the
//! chapters on the wire, included here through the symbolic links in
//! `spec/guide/` (which `cargo package` follows, so the published crate
//! carries the text), so that rustdoc shows them beside
//! the code they explain and every example in them runs as a doctest
//! (`cargo test -p zmtp-spec --doc`).

#[doc = include_str!("../guide/wire.md")]
pub mod wire {}

#[doc = include_str!("../guide/websocket.md")]
pub mod websocket {}

#[doc = include_str!("../guide/versions.md")]
pub mod versions {}

#[doc = include_str!("../guide/connection.md")]
pub mod connection {}

#[doc = include_str!("../guide/null-plain.md")]
pub mod null_plain {}

#[doc = include_str!("../guide/curve.md")]
pub mod curve {}

#[doc = include_str!("../guide/zap.md")]
pub mod zap {}

#[doc = include_str!("../guide/fuzzing.md")]
pub mod fuzzing {}
