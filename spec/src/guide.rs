//! The teaching reference (the book in the repository's `docs/src/`): the
//! chapters on the wire, included here so that rustdoc shows them beside
//! the code they explain and every example in them runs as a doctest
//! (`cargo test -p zmtp-spec --doc`).

#[doc = include_str!("../../docs/src/wire.md")]
pub mod wire {}

#[doc = include_str!("../../docs/src/versions.md")]
pub mod versions {}

#[doc = include_str!("../../docs/src/connection.md")]
pub mod connection {}

#[doc = include_str!("../../docs/src/null-plain.md")]
pub mod null_plain {}

#[doc = include_str!("../../docs/src/curve.md")]
pub mod curve {}

#[doc = include_str!("../../docs/src/zap.md")]
pub mod zap {}

#[doc = include_str!("../../docs/src/fuzzing.md")]
pub mod fuzzing {}
