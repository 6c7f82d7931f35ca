//! # zmtp: ZeroMQ on tokio
//!
//! WIP

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
