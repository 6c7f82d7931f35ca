//! The errors of the public API, split by who is at fault (style.md 5):
//! the application ([`Error::InvalidState`], [`Error::InvalidEndpoint`],
//! ...), a peer ([`Error::Peer`]), the operating system ([`Error::Io`]), or
//! nobody: a non-blocking call that would have had to wait
//! ([`Error::WouldBlock`]).

use std::io;

pub use zmtp_spec::connection::{ConnectionError, PeerError, Timeout};

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A non-blocking operation could not complete now (libzmq's EAGAIN
    /// with ZMQ_DONTWAIT).
    #[error("the operation would block")]
    WouldBlock,
    /// SNDTIMEO or RCVTIMEO ran out (libzmq's EAGAIN after a timeout).
    #[error("the operation timed out")]
    TimedOut,
    /// The operation is not allowed in the socket's current state, e.g. a
    /// REQ sending twice without receiving (libzmq's EFSM).
    #[error("invalid state: {0}")]
    InvalidState(&'static str),
    /// The endpoint string cannot be parsed or used (libzmq's EINVAL).
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The transport is known to ZeroMQ but not implemented here
    /// (libzmq's EPROTONOSUPPORT).
    #[error("transport not supported: {0:?}")]
    UnsupportedTransport(String),
    /// unbind or disconnect of an endpoint the socket does not have
    /// (libzmq's ENOENT).
    #[error("endpoint not found: {0:?}")]
    EndpointNotFound(String),
    /// An inproc name is already bound (libzmq's EADDRINUSE).
    #[error("address in use: {0:?}")]
    AddressInUse(String),
    /// The option does not apply to this socket type, or the value is out
    /// of range (libzmq's EINVAL).
    #[error("invalid option {option}: {reason}")]
    InvalidOption {
        /// The option's libzmq name.
        option: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The message cannot be sent as given: no frames, or a frame this
    /// socket type forbids.
    #[error("invalid message: {0}")]
    InvalidMessage(&'static str),
    /// A ROUTER with ROUTER_MANDATORY was asked to route to an unknown
    /// peer (libzmq's EHOSTUNREACH).
    #[error("no peer with that routing id")]
    HostUnreachable,
    /// The socket or its context is closed (libzmq's ETERM / ENOTSOCK).
    #[error("the socket is closed")]
    Closed,
    /// A peer broke the protocol or failed; the connection was dropped.
    #[error("peer error: {0}")]
    Peer(#[from] ConnectionError),
    /// The operating system refused an operation.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

impl Error {
    pub(crate) fn endpoint(endpoint: &str, reason: &'static str) -> Self {
        Self::InvalidEndpoint {
            endpoint: endpoint.to_owned(),
            reason,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;
