//! # zmtp: ZeroMQ on tokio
//!
//! Sockets of the 11 classic ZeroMQ types (REQ, REP, DEALER, ROUTER, PUB,
//! SUB, XPUB, XSUB, PUSH, PULL, PAIR) and the draft thread-safe CLIENT,
//! SERVER, RADIO, DISH, SCATTER, GATHER, PEER and CHANNEL (RFC 41, 48, 49,
//! 51, 52) over tcp, ipc, inproc, and ws and wss (ZWS 2.0, RFC 45:
//! `ws://host:port/path`, TLS from the ZMQ_WSS_* options), speaking ZMTP
//! 3.1 (and downgrading to 3.0, 2.0 and 1.0 peers), and RADIO and DISH over
//! libzmq's udp datagrams too, interoperable with libzmq; PUB, XPUB, SUB and
//! XSUB also over epgm and pgm (PGM multicast, RFC 3208, as libzmq's
//! OpenPGM transport carries it); and libzmq's raw STREAM socket, which
//! speaks plain octets over tcp and ipc.
//!
//! ```text
//!   application: Socket::send / recv / try_* / *_blocking, Poller, proxy
//!        |                                  ^
//!        v                                  |
//!   +-------- socket core (one lock) -----------------------+
//!   |  zmtp-model pattern machine: routing, HWM queues,     |
//!   |  subscriptions, REQ/REP state  (every decision)       |
//!   +-------------------------------------------------------+
//!        | poll_transmit(peer)              ^ peer_message(peer)
//!        v                                  |
//!   one driver task per connection: batches of items under one lock,
//!   timers from poll_timeout, reconnect with backoff, LINGER
//!        |                                  ^
//!        v                                  |
//!   zmtp-spec Connection (greeting, NULL handshake, framing, heartbeats)
//!   over a tcp/ipc byte stream, or an inproc pipe of whole messages,
//!   or (udp, RADIO/DISH) zmtp-spec's datagram, one message each
//! ```
//!
//! This crate makes no protocol or routing decision of its own: the wire
//! belongs to `zmtp-spec`'s sans-IO [`Connection`](zmtp_spec::connection::Connection),
//! the patterns to `zmtp-model`'s machines.
//!
//! ## Example
//!
//! ```
//! # #[tokio::main] async fn main() -> zmtp::Result<()> {
//! use zmtp::{Context, SocketType};
//!
//! let ctx = Context::new()?;
//! let rep = ctx.socket(SocketType::Rep)?;
//! rep.bind("tcp://127.0.0.1:*")?;
//! let req = ctx.socket(SocketType::Req)?;
//! req.connect(&rep.last_endpoint())?;
//!
//! req.send("Hello").await?;
//! let request = rep.recv().await?;
//! assert_eq!(request.frames()[0], "Hello");
//! rep.send("World").await?;
//! assert_eq!(req.recv().await?.frames()[0], "World");
//! # Ok(()) }
//! ```
//!
//! ## Pieces
//!
//! - [`Context`]: the runtime (the current tokio runtime, or its own when
//!   made from a plain thread) and the inproc names.
//! - [`Socket`]: bind/connect/unbind/disconnect, async `send`/`recv`,
//!   `try_send`/`try_recv`, `send_blocking`/`recv_blocking`, many
//!   messages per call with `send_batch`/`recv_batch` (one lock and one
//!   wake-up per batch, each message judged by the pattern as a single
//!   call would be; DEALER, PAIR and PULL take a run from their one peer
//!   with input in one step) (`recv` is
//!   cancellation-safe: `examples/select.rs` waits on it with
//!   `tokio::select!`), typed options ([`opt`]) or options by libzmq name
//!   from text ([`Socket::set_by_name`]), [`Socket::monitor`].
//! - [`Message`]: frames of mixed types with [`msg!`] or `From` a tuple
//!   (`("topic", body)`) or an array.
//! - [`Poller`], [`adapters`] (`Stream`/`Sink`), [`proxy()`] and
//!   [`proxy_steerable`].
//! - [`Endpoint`]: libzmq's endpoint syntax.
//! - [`Error`]: typed errors, split by who is at fault ([`Error::fault`]):
//!   the application, with the rule it broke ([`error::InvalidState`],
//!   [`error::InvalidMessage`], [`error::InvalidEndpoint`],
//!   [`error::InvalidOption`]); a peer, with what it did
//!   ([`error::PeerFault`], from [`MonitorEvent::to_error`]); the
//!   operating system ([`Error::Io`]; an address in use on any transport
//!   is [`Error::AddressInUse`], naming the endpoint; tipc and vmci are
//!   [`Error::UnavailableTransport`], naming why); or flow ([`Error::WouldBlock`],
//!   [`Error::TimedOut`], [`Error::HostUnreachable`]).
//!
//! ## Security
//!
//! NULL by default; PLAIN (RFC 24) and CURVE (RFC 25/26) through the
//! options [`opt::PlainServer`], [`opt::PlainUsername`],
//! [`opt::PlainPassword`], [`opt::CurveServer`], [`opt::CurvePublicKey`],
//! [`opt::CurveSecretKey`], [`opt::CurveServerKey`] (keys as 32 octets or
//! 40 characters of Z85), [`opt::ZapDomain`], [`opt::ZapEnforceDomain`],
//! and the read-only [`opt::Mechanism`]. The socket builds the spec
//! crate's mechanism once per change of these options
//! (`options/security.rs`); its connections share it, and a CURVE server
//! socket rotates its cookie key every 30 s (26-R27).
//!
//! A server authenticates its peers (ZAP, RFC 27) with, in order: the
//! socket's [`Socket::set_authenticator`], the context's
//! [`Context::set_authenticator`], or a REP/ROUTER handler bound at
//! `inproc://zeromq.zap.01` in the same context, as in libzmq. With none,
//! libzmq's rule holds: a CURVE server (or NULL with a ZAP domain)
//! accepts everyone unless [`opt::ZapEnforceDomain`], a PLAIN server
//! refuses everyone. The user id and the handler's metadata are in the
//! peer's properties on the HANDSHAKE_SUCCEEDED monitor event
//! ([`MonitorEvent::properties`], `User-Id`); refusals are
//! [`MonitorEventKind::HandshakeFailedAuth`] with the ZAP status. A socket
//! whose mechanism is not NULL refuses ZMTP 1.0/2.0 peers and peers of
//! another mechanism (37-R15, 37-R61, 37-R67; the spec machine decides).
//! inproc connections carry no ZMTP and so no mechanism, as in libzmq:
//! security applies to tcp, ipc, ws and wss.
//!
//! ```no_run
//! # async fn f() -> zmtp::Result<()> {
//! use zmtp::{opt, Bytes, Context, SocketType};
//! let (server_keys, client_keys) = (zmtp::curve_keypair(), zmtp::curve_keypair());
//! let ctx = Context::new()?;
//! let server = ctx.socket(SocketType::Pull)?;
//! server.set(opt::CurveServer, true)?;
//! server.set(opt::CurveSecretKey, Bytes::from(server_keys.secret().to_z85().to_string()))?;
//! server.bind("tcp://127.0.0.1:*")?;
//! let client = ctx.socket(SocketType::Push)?;
//! client.set(opt::CurveServerKey, Bytes::from(server_keys.public().to_z85()))?;
//! client.set(opt::CurveSecretKey, Bytes::from(client_keys.secret().to_z85().to_string()))?;
//! client.connect(&server.last_endpoint())?;
//! # Ok(()) }
//! ```
//!
//! ### Message properties
//!
//! Every message [`Socket::recv`] returns from a tcp or ipc peer carries
//! the properties of the connection it came on, as libzmq's
//! `zmq_msg_gets` shows them ([`Message::property`], names ignore ASCII
//! case; [`Message::metadata`] lists them):
//!
//! - the ZAP handler's `User-Id` and metadata (27-R25). `User-Id` is
//!   there, maybe empty, whenever a handler was asked, and a peer cannot
//!   then shadow it with a `User-Id` of its own; without a handler there
//!   is none, as in libzmq;
//! - the peer's READY properties (`Socket-Type`, `Identity`, `X-*`);
//! - `Peer-Address`: the peer's IP address without the port over tcp
//!   (`127.0.0.1`), and `localhost:uid:gid:pid` of the peer process over
//!   ipc, as libzmq 4.3.5 gives them on Linux.
//!
//! ROUTER's routing-id frame and REP's envelope leave the properties in
//! place. inproc adds none: a message crossing inproc has the properties
//! its sender gave it (none for one the application built).
//!
//! ```no_run
//! # async fn f(server: zmtp::Socket) -> zmtp::Result<()> {
//! let m = server.recv().await?;
//! if let Some(user) = m.property("User-Id") {
//!     println!("from {}", String::from_utf8_lossy(user));
//! }
//! # Ok(()) }
//! ```

pub mod adapters;
mod context;
mod driver;
pub mod endpoint;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod guide;
mod inproc;
mod link;
pub mod monitor;
pub mod options;
mod pattern;
pub mod poller;
pub mod proxy;
mod runtime;
mod socket;
mod transport;
mod zap;

pub use bytes::Bytes;
pub use context::Context;
pub use endpoint::Endpoint;
pub use error::{Error, Fault, Result};
pub use monitor::{Monitor, MonitorEvent, MonitorEventKind};
pub use options::{SocketOption, opt};
pub use poller::{Interest, Poller};
pub use proxy::{proxy, proxy_steerable};
pub use socket::Socket;
pub use transport::udp::{DatagramDrops, DroppedDatagram};
/// The spec crate's security types: [`security::KeyPair`],
/// [`security::Authenticator`], [`security::zap`] (requests, replies,
/// status codes), [`security::z85`].
pub use zmtp_spec::security;
pub use zmtp_spec::{Message, SocketType, msg};

/// A fresh CURVE key pair from the operating system's generator (libzmq's
/// `zmq_curve_keypair`): spec's [`security::KeyPair::generate`] with
/// rand_core's `OsRng`.
pub fn curve_keypair() -> security::KeyPair {
    security::KeyPair::generate(&mut rand_core::OsRng)
}
