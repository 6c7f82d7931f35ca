//! Doc pages: one per pattern, with the machine in words, the options it
//! reads, the properties checked and their requirement IDs.
//!
//! # Network assumptions of the models
//!
//! The stateright models (module `models`, feature `check`) join machines
//! with connections that:
//!
//! - deliver every item whole (37-R41) and in the order it was written,
//!   per connection and per direction (37-R44); there is no order between
//!   connections;
//! - never duplicate an item (37-R43);
//! - may break at any point a bounded number of times: whatever is on the
//!   wire is lost; both ends report the loss to their machine
//!   (`Socket::connection_lost`), which decides through the peer
//!   lifecycle ([`crate::lifecycle`]): the connecting side keeps its queues
//!   and reconnects (IMMEDIATE off), the binding side's peer departs (its
//!   output discarded, what it delivered still readable) and the next
//!   connection is a new peer;
//! - hold at most a bounded number of items (the `wire` bound), so a slow
//!   reader pushes back on its writer through the HWMs.
//!
//! Messages may therefore be lost only by a break, by a full queue in a
//! pattern that drops (PUB, XPUB, SUB, XSUB, ROUTER without
//! ROUTER_MANDATORY, REP replying to a full or gone peer), or by a
//! detach, which discards the peer's queues as the RFCs require.
//!
//! # Properties and their scenarios
//!
//! | property | scenarios |
//! |---|---|
//! | 37-R41 multipart messages arrive whole | all |
//! | 37-R43 no message delivered twice | all |
//! | 37-R44 in order per connection | all |
//! | 28-R25/29-R09/30-R07 queues stay within HWM | all |
//! | 30-R08/28-R26 a load-balanced message reaches one peer only | push-pull |
//! | 30-R18/28-R30/29-R32 the fair queue never serves a peer twice while another waits | pull-fair |
//! | 28-R01 REQ never has two requests outstanding | req-rep, req-relaxed, req-router |
//! | 28-R07/28-R17 a reply reaches only the client that asked | req-rep, req-relaxed, req-router, dealer-rep, dealer-router |
//! | 28-R42 ROUTER_MANDATORY never drops silently | dealer-router |
//! | 37-R45/29-R08 PUB sends a peer only what matches its subscriptions | pub-sub, xpub-xsub |
//! | 37-R50/37-R51 the publisher's subscription counts balance | pub-sub, xpub-xsub |
//! | 37-R47 SUB delivers no topic after its CANCEL | pub-sub, xpub-xsub |
//! | 31-R10/52-R14 PAIR and CHANNEL have at most one peer | pair, channel |
//! | 37-R56/37-R57 the thread-safe types send and deliver single-part messages only | client-server, scatter-gather, peer-peer, channel |
//! | lifecycle: nothing is routed to a departed peer | all |
//! | sometimes a departed peer's message is read | pull-fair, dealer-router |
//! | sometimes a message queued while away arrives after reconnect | pull-fair, req-router, dealer-router |
//!
//! Each scenario also has `sometimes` properties (a reply arrives, a
//! message is delivered, every message is delivered, a full queue blocks a
//! send, ROUTER_MANDATORY reports an unknown id), so a model that could not
//! move would fail. The mutation tests build a REQ that allows two
//! outstanding requests, a PUB that ignores CANCEL, a PUSH that delivers
//! twice and a fair queue that never passes the turn on, and assert that
//! the checker finds each. The `req-relaxed` scenario (REQ_RELAXED with
//! REQ_CORRELATE) holds; without REQ_CORRELATE the checker finds a stale
//! reply taken for the new one, which is why the option exists.

pub mod dealer;
pub mod pair;
pub mod pipeline;
pub mod pubsub;
pub mod rep;
pub mod req;
pub mod router;
