//! One module per implementation, each running every [`crate::tool::Tool`].

pub mod libzmq;
pub mod ours;
pub mod raw;
pub mod zmqrs;
