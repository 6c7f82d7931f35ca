//! # ROUTER (RFC 28)
//!
//! ROUTER gives each peer a unique routing id (28-R36): the
//! CONNECT_ROUTING_ID chosen for an outgoing connection, else the peer's
//! Identity, else a generated one (a zero octet and a counter, which no
//! Identity can equal, 37-R35). A second peer with an id in use is refused,
//! unless ROUTER_HANDOVER gives it the id and disconnects the first.
//!
//! Incoming messages are fair-queued (28-R37) and get the routing id as a
//! first frame (28-R38, 28-R39). Outgoing messages lose their first frame,
//! which names the destination (28-R40); the message goes to that peer if
//! it has room (28-R41). An unknown id or a full queue drops the message
//! silently, or, with ROUTER_MANDATORY, is reported (`HostUnreachable`,
//! `WouldBlock`) (28-R42). ROUTER never blocks otherwise (28-R43).
//!
//! Options: SNDHWM, RCVHWM, ROUTER_MANDATORY, ROUTER_HANDOVER,
//! PROBE_ROUTER, CONNECT_ROUTING_ID, IMMEDIATE, ROUTING_ID.
//!
//! Checked by: unit tests in `patterns/router/tests.rs`; the `req-router`
//! and `dealer-router` models (28-R42 with ROUTER_MANDATORY, and a
//! `sometimes` property showing the report happens).
