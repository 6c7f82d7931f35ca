//! # REQ (RFC 28)
//!
//! REQ sends one request, then receives its reply, then may send again
//! (28-R01). A request goes to the next peer in turn whose queue has room
//! (28-R04); with no such peer the send would block, and the request is
//! not taken (28-R05, 28-R06). REQ puts an empty delimiter frame in front
//! (28-R03); with REQ_CORRELATE, a 4-octet request id before it.
//!
//! Only the peer the request went to may answer (28-R07): anything from
//! another peer, a reply without the delimiter (or with the wrong request
//! id), and a second reply to the same request are discarded (28-R08). If
//! the asked peer goes away, REQ keeps waiting; a REQ_RELAXED socket may
//! send a new request instead, and the old reply is then discarded.
//! (libzmq also keeps waiting, but then takes a reply from any peer; we
//! keep 28-R07.)
//!
//! Options: SNDHWM, RCVHWM, PROBE_ROUTER, REQ_CORRELATE, REQ_RELAXED,
//! IMMEDIATE, ROUTING_ID.
//!
//! Checked by: unit tests in `patterns/req/tests.rs`; the `req-rep`,
//! `req-relaxed` (REQ_RELAXED + REQ_CORRELATE) and `req-router` models (28-R01, 28-R07, 37-R41..R44, HWM); the mutation
//! test "REQ allowing two outstanding requests"; the fuzz target.
//!
//! The machine's states, generated from the machine by [`crate::dot::req`]:
//!
//! ```text
//!   Ready --send request--> AwaitingReply --reply arrives--> ReplyQueued
//!     ^                          |                               |
//!     |                    peer detaches                   recv reply
//!     |                          v                               |
//!     |                   Orphaned (asked peer gone)             |
//!     +----------------------------------------------------------+
//! ```
