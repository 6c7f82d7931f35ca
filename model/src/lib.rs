//! # zmtp-model: ZeroMQ socket patterns as pure state machines
//!
//! ```text
//!   application: send(msg) / recv() / set_option(..)      pollers: can_send(), can_recv()
//!                    |            ^
//!                    v            |
//!   +------------------- Socket (one pattern machine) -------------------+
//!   |  REQ REP DEALER ROUTER PUB SUB XPUB XSUB PUSH PULL PAIR             |
//!   |  drafts: CLIENT SERVER RADIO DISH SCATTER GATHER PEER CHANNEL;      |
//!   |  STREAM (raw octets)                                                |
//!   |  shared: load balancer, fair queue, envelopes, subscriptions,       |
//!   |          routing table, per-peer double queues bounded by HWM       |
//!   +---------------------------------------------------------------------+
//!        ^  attach / suspend / depart / detach     |  poll_transmit(peer) -> Outgoing
//!        |  peer_message / peer_subscribe / cancel  v  poll_event() -> Event
//!   the driver: one zmtp_spec::Connection per peer, sockets, timers (zmtp, the
//!   conformance runner), or the model checker and the trace oracle (this crate)
//! ```
//!
//! Each socket pattern of RFCs 28 (REQ/REP/DEALER/ROUTER), 29 (PUB/SUB/
//! XPUB/XSUB), 30 (PUSH/PULL) and 31 (PAIR), the drafts of 41
//! (CLIENT/SERVER), 48 (RADIO/DISH), 49 (SCATTER/GATHER), 51 (PEER) and 52
//! (CHANNEL), and libzmq's STREAM is a [`Socket`]: a pure,
//! deterministic machine that does no I/O and reads no clock. It decides
//! every routing question: which peer gets a message, which message the
//! application gets next, what happens when a queue is full (block, drop or
//! error), and what REQ and REP allow in which state. The same machine
//! is the routing core of the tokio library, what the trace oracle judges
//! third-party peers with, and what the stateright models check.
//!
//! # Driving a socket
//!
//! The driver names each peer with a [`PeerId`] of its choice (libzmq calls
//! a peer a *pipe*: a connection, or a connect endpoint waiting for one).
//!
//! 1. **Peers.** When a connect starts and IMMEDIATE is off, call
//!    [`Socket::attach_pending`]: messages may queue for that peer before its
//!    connection is up. When a handshake succeeds (`Event::HandshakeSucceeded`
//!    of `zmtp_spec`), call [`Socket::attach`] with a [`PeerInfo`] (socket
//!    type, routing id, protocol); on `Err`, close that connection. When a
//!    connection is lost and the driver will reconnect it (connect side,
//!    IMMEDIATE off), call [`Socket::suspend`]. When a connection ends for
//!    good, call [`Socket::depart`]: the peer leaves every send path at
//!    once and what was queued for it is discarded, while what it
//!    delivered stays readable until the application has read it (as
//!    libzmq does); the driver may forget the peer then. To discard its
//!    unread messages too, as RFCs 28-31 word it, call [`Socket::detach`].
//! 2. **Input.** Give each whole message from a peer to
//!    [`Socket::peer_message`], and each SUBSCRIBE/CANCEL (command or
//!    `01`/`00` message, which `zmtp_spec` already turns into events) to
//!    [`Socket::peer_subscribe`] / [`Socket::peer_cancel`]. If
//!    `peer_message` returns [`Backpressure`], keep that message, stop
//!    reading the peer, and offer it again when [`Socket::poll_event`]
//!    yields [`Event::InputResumed`] for it.
//! 3. **Output.** After any call, [`Socket::peers_with_output`] lists the
//!    peers with queued items; for each whose connection is writable, drain
//!    [`Socket::poll_transmit`] and hand each [`Outgoing`] to its connection
//!    (`Message` as frames; `Subscribe`/`Cancel` in the form its protocol
//!    uses). The per-peer queue, bounded by SNDHWM, lives here; the driver
//!    tells the machine nothing else about writes.
//! 4. **Events.** Drain [`Socket::poll_event`] after each call:
//!    [`Event::Disconnect`] asks the driver to close a peer the machine has
//!    already forgotten (ROUTER_HANDOVER); [`Event::Output`] names a peer
//!    whose empty queue got items (wake that connection only);
//!    [`Event::InputResumed`] a peer to read again; [`Event::SendAllowed`]
//!    says a receive let the application send again (REQ, REP).
//! 5. **Application.** [`Socket::send`] and [`Socket::recv`] never block:
//!    [`SendError::WouldBlock`] / [`RecvError::WouldBlock`] tell the driver to
//!    wait; [`Socket::can_send`] and [`Socket::can_recv`] answer pollers and
//!    change only after one of the calls above, so a driver re-checks them
//!    after each call. Options change with [`Socket::set_option`].
//!    Every socket option, the driver's too, is defined once, in
//!    [`option_table!`]: libzmq name and number, value type, default,
//!    socket types and layer ([`options::OPTIONS`]); [`Options`],
//!    [`SocketOption`] and the `zmtp` crate's typed options are built from
//!    it.
//!
//! Two machines back to back, the driver's job done by hand:
//!
//! ```
//! use zmtp_model::{Message, Options, Outgoing, PeerId, PeerInfo, Socket, SocketType};
//!
//! let mut push = Socket::new(SocketType::Push, Options::default()).unwrap();
//! let mut pull = Socket::new(SocketType::Pull, Options::default()).unwrap();
//! // One connection: PeerId(7) at both ends (each driver picks its own ids).
//! push.attach(PeerId(7), PeerInfo::new(SocketType::Pull)).unwrap();
//! pull.attach(PeerId(7), PeerInfo::new(SocketType::Push)).unwrap();
//!
//! push.send(Message::from_frames(["job", "1"])).unwrap();
//! for peer in push.peers_with_output() {
//!     while let Some(item) = push.poll_transmit(peer) {
//!         // A real driver encodes `item` with zmtp_spec and writes it.
//!         if let Outgoing::Message(m) = item {
//!             pull.peer_message(peer, m).expect("room below RCVHWM");
//!         }
//!     }
//! }
//! assert!(pull.can_recv());
//! assert_eq!(pull.recv().unwrap(), Message::from_frames(["job", "1"]));
//! while let Some(event) = pull.poll_event() {
//!     // Disconnect / InputResumed: none here.
//!     let _ = event;
//! }
//! ```
//!
//! Load balancing and fair queueing are deterministic rotations. For the
//! model checker and the oracle, which must consider every peer a
//! third-party implementation might have chosen, [`Socket::send_choices`],
//! [`Socket::send_via`], [`Socket::recv_choices`] and [`Socket::recv_from`]
//! expose the choice.
//!
//! # What the machines assume of the network
//!
//! Per connection, items arrive whole (37-R41) and in order (37-R44); a
//! connection may break at any point, losing what was in flight; nothing
//! is duplicated. Between connections there is no order. The [`docs`]
//! module has a page per pattern with its properties and requirement IDs.
//!
//! # Checking the machines
//!
//! - [`oracle`]: given what was observed at one socket (attach and detach,
//!   items in and out per peer, application sends and receives), the set
//!   of model states consistent with it, or the first event no state
//!   explains together with the states that were possible.
//! - The stateright models (module `models`, feature `check`) join several
//!   machines with ordered, breakable connections; `cargo test -p
//!   zmtp-model` checks every scenario to completion at small bounds.
//!   Deeper checks, the Explorer web UI and the dot export:
//!
//!   ```text
//!   cargo run -p zmtp-model --release --features check -- check all
//!   cargo run -p zmtp-model --release --features check -- check push-pull --peers 3 --messages 5
//!   cargo run -p zmtp-model --release --features check -- explore req-rep --addr 127.0.0.1:3000
//!   cargo run -p zmtp-model --release --features check -- dot req
//!   ```
//! - `exercise` (hidden) drives a machine with operations decoded from
//!   bytes and checks invariants after each; the proptests and the
//!   `model_machines` fuzz target share it.
//!
//! Requirement IDs (`28-R07`, `37-R51`, ...) refer to the project's
//! requirement catalogue; the code that enforces one names it.

mod core;
pub mod docs;
pub mod dot;
mod envelope;
mod error;
mod event;
#[doc(hidden)]
pub mod exercise;
pub mod guide;
pub mod lifecycle;
#[cfg(any(test, feature = "check"))]
pub mod models;
pub mod options;
pub mod oracle;
mod patterns;
mod peer;
mod pipe;
mod rotation;
mod routing;
mod socket;
pub mod subscriptions;
pub mod tagging;
#[cfg(test)]
mod testutil;

pub use error::{
    AttachError, Backpressure, OptionError, RecvError, SendError, UnsupportedSocketType,
};
pub use event::{Event, Outgoing};
pub use lifecycle::{Origin, PeerState};
#[doc(hidden)]
pub use options::Fault;
pub use options::{Options, SocketOption};
pub use peer::{Carrier, PeerId, PeerInfo};
pub use socket::Socket;
pub use subscriptions::Subscriptions;
pub use zmtp_spec::{Message, SocketType};
