//! The book's pattern chapters (the repository's `docs/src/`), included
//! here so that every example in them runs as a doctest against this crate
//! (`cargo test -p zmtp-model --doc`; the model-checking chapter needs the
//! `check` feature: `cargo test -p zmtp-model --features check --doc`).

#[doc = include_str!("../guide/req-rep.md")]
pub mod req_rep {}

#[doc = include_str!("../guide/dealer-router.md")]
pub mod dealer_router {}

#[doc = include_str!("../guide/pub-sub.md")]
pub mod pub_sub {}

#[doc = include_str!("../guide/push-pull.md")]
pub mod push_pull {}

#[doc = include_str!("../guide/pair.md")]
pub mod pair {}

#[doc = include_str!("../guide/draft.md")]
pub mod draft {}

#[doc = include_str!("../guide/lifecycle.md")]
pub mod lifecycle {}

#[cfg(feature = "check")]
#[doc = include_str!("../guide/model-checking.md")]
pub mod model_checking {}
