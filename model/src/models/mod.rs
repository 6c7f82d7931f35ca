//! stateright models of socket topologies built from the shipped machines
//! (compiled with the `check` feature, and for the crate's tests).
//!
//! A [`Topology`] is a few [`Socket`](crate::Socket)s (the nodes), each
//! driven by a scripted application ([`Role`]), joined by connections
//! ([`Link`]) that each carry an ordered queue per direction. The checker
//! explores every interleaving of:
//!
//! - application sends (with every load-balancing choice) and receives
//!   (with every fair-queue choice), SUB subscription changes and DISH
//!   joins and leaves, proxy forwarding;
//! - the driver moving one item from a machine's out-queue onto the wire,
//!   and delivering the head of a wire to the other machine;
//! - a connection breaking (what is on the wire is lost; the connecting
//!   side keeps its queues, the binding side discards them) and
//!   reconnecting, a bounded number of times.
//!
//! Network assumptions: per connection, items arrive whole and in order
//! (37-R41, 37-R44); a break loses what is in flight; nothing is
//! duplicated or reordered; connections are independent.
//!
//! Properties carry the requirement ID they check in their name.
//! The scenarios are in [`catalog`].

pub mod catalog;
mod check;
mod model;
mod narrate;
mod properties;
mod topology;

pub use catalog::{Bounds, Scenario};
pub use topology::{Action, Ghost, Link, Node, Role, State, Topology};

#[cfg(test)]
mod tests;
