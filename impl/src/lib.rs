//! # zmtp: ZeroMQ on tokio
//!
//! Sockets of the 11 classic ZeroMQ types (REQ, REP, DEALER, ROUTER, PUB,
//! SUB, XPUB, XSUB, PUSH, PULL, PAIR) over tcp, ipc and inproc, speaking
//! ZMTP 3.1 (and downgrading to 3.0, 2.0 and 1.0 peers), interoperable with
//! libzmq.
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
//!   over a tcp/ipc byte stream, or an inproc pipe of whole messages
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
//!   `try_send`/`try_recv`, `send_blocking`/`recv_blocking`, typed options
//!   ([`opt`]), [`Socket::monitor`].
//! - [`Poller`], [`adapters`] (`Stream`/`Sink`), [`proxy()`] and
//!   [`proxy_steerable`].
//! - [`Endpoint`]: libzmq's endpoint syntax.
//! - [`Error`]: typed errors: would-block, invalid state, peer fault, I/O.
//!
//! ## Security
//!
//! Connections use the NULL mechanism. The spec crate's
//! `Config::mechanism` (an `Arc<dyn Mechanism>`) is where PLAIN and CURVE
//! plug in; this crate builds that configuration in one place
//! (`socket/endpoints.rs`, `config`), which is where a socket option for
//! a mechanism will set it.

pub mod adapters;
mod context;
mod driver;
pub mod endpoint;
pub mod error;
mod inproc;
mod link;
pub mod monitor;
pub mod options;
mod pattern;
pub mod poller;
pub mod proxy;
mod socket;
mod transport;

pub use bytes::Bytes;
pub use context::Context;
pub use endpoint::Endpoint;
pub use error::{Error, Result};
pub use monitor::{Monitor, MonitorEvent, MonitorEventKind};
pub use options::{SocketOption, opt};
pub use poller::{Interest, Poller};
pub use proxy::{proxy, proxy_steerable};
pub use socket::Socket;
pub use zmtp_spec::{Message, SocketType};
