//! The errors of the public API, split by who is at fault (style.md 5):
//!
//! ```text
//!   Error ──fault()──> Fault::Application  InvalidState(InvalidState), InvalidMessage(..),
//!                                          InvalidEndpoint { reason: InvalidEndpoint },
//!                                          InvalidOption { reason: InvalidOption },
//!                                          Unsupported*, IncompatibleTransport,
//!                                          EndpointNotFound, AddressInUse,
//!                                          UnknownOption,
//!                                          Closed, Local(LocalError)
//!                      Fault::Peer         Peer(PeerFault): what the peer did, its reason
//!                      Fault::Io           Io(io::Error)
//!                      Fault::Flow         WouldBlock, TimedOut, HostUnreachable
//! ```
//!
//! A reason enum ([`InvalidState`], [`InvalidMessage`], [`InvalidEndpoint`],
//! [`InvalidOption`]) names the rule the call broke and is part of the
//! error's message. An error from the spec machine ([`PeerError`],
//! [`Timeout`], [`LocalError`]) is the error's
//! [`source`](std::error::Error::source) instead, and the message does not
//! repeat it: print the chain to see both. An [`io::Error`] is shown as
//! itself.
//!
//! Each variant names the libzmq errno it stands for, where there is one.

use std::io;

use bytes::Bytes;
use zmtp_model::SendError;
use zmtp_spec::SocketType;
pub use zmtp_spec::connection::{ConnectionError, LocalError, PeerError, Timeout};

#[cfg(test)]
mod tests;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operation is not allowed in the socket's current state, e.g. a
    /// REQ sending twice without receiving (libzmq's EFSM).
    #[error("invalid state: {0}")]
    InvalidState(InvalidState),
    /// The message cannot be sent as given: no frames, or a frame this
    /// socket type forbids (libzmq's EINVAL).
    #[error("invalid message: {0}")]
    InvalidMessage(InvalidMessage),
    /// The endpoint string cannot be parsed or used (libzmq's EINVAL).
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: InvalidEndpoint,
    },
    /// The option does not apply to this socket type, or the value is out
    /// of range (libzmq's EINVAL).
    #[error("invalid option {option}: {reason}")]
    InvalidOption {
        /// The option's libzmq name.
        option: &'static str,
        /// Why it was refused.
        reason: InvalidOption,
    },
    /// The transport is known to ZeroMQ but not implemented here
    /// (libzmq's EPROTONOSUPPORT).
    #[error("transport not supported: {0:?}")]
    UnsupportedTransport(String),
    /// The transport does not carry this socket type, or not in this
    /// role: udp takes a RADIO that connects and a DISH that binds, and
    /// nothing else (48-R36; libzmq's ENOCOMPATPROTO).
    #[error("{socket_type} cannot {role} over {transport}")]
    IncompatibleTransport {
        /// The transport (`udp`).
        transport: &'static str,
        /// The socket's type.
        socket_type: SocketType,
        /// `bind` or `connect`.
        role: &'static str,
    },
    /// A transport this crate decided not to carry, because what it runs
    /// on is not something a library can bring: tipc needs the Linux TIPC
    /// kernel module and a TIPC cluster, vmci a VMware hypervisor's VMCI
    /// device (libzmq's EPROTONOSUPPORT, as libzmq built without them).
    /// Refused at bind and at connect.
    #[error("transport not supported: {endpoint:?}: {reason}")]
    UnavailableTransport {
        /// The endpoint as given.
        endpoint: String,
        /// Why the transport is not offered.
        reason: UnavailableTransport,
    },
    /// A draft socket type this crate does not implement (SCATTER,
    /// GATHER, PEER, CHANNEL; libzmq's EINVAL).
    #[error("socket type {0} is not supported")]
    UnsupportedSocketType(SocketType),
    /// unbind or disconnect of an endpoint the socket does not have
    /// (libzmq's ENOENT).
    #[error("endpoint not found: {0:?}")]
    EndpointNotFound(String),
    /// The endpoint given to bind is taken, on any transport: a tcp
    /// address or an abstract ipc name another socket or process listens
    /// on, an inproc name already bound in the context (libzmq's
    /// EADDRINUSE). Holds the endpoint as given.
    #[error("cannot bind {0}: the address is already in use")]
    AddressInUse(String),
    /// The socket or its context is closed (libzmq's ETERM / ENOTSOCK).
    #[error("the socket is closed")]
    Closed,
    /// Our side could not keep a connection up: its configuration cannot
    /// work with this peer, or CURVE used up its nonces. The connection
    /// was dropped; the source says why.
    #[error("our side of the connection failed")]
    Local(#[source] LocalError),
    /// A peer ended its connection: it broke the protocol, refused us
    /// with an ERROR command, or went silent. Reported by the monitor
    /// ([`MonitorEvent::to_error`](crate::MonitorEvent::to_error)).
    #[error(transparent)]
    Peer(PeerFault),
    /// No option has this libzmq name (`Socket::set_by_name`; libzmq's
    /// EINVAL).
    #[error("no socket option is named {0:?}")]
    UnknownOption(String),
    /// The operating system refused an operation. Shown as the
    /// [`io::Error`] itself, whose message is the whole story.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// A non-blocking operation could not complete now (libzmq's EAGAIN
    /// with ZMQ_DONTWAIT).
    #[error(
        "the operation would block: no peer can take the message now (none connected, or its queue is at SNDHWM), or no message has arrived"
    )]
    WouldBlock,
    /// SNDTIMEO or RCVTIMEO ran out (libzmq's EAGAIN after a timeout).
    #[error(
        "the operation timed out: SNDTIMEO or RCVTIMEO ran out before a peer could take or give a message"
    )]
    TimedOut,
    /// A ROUTER with ROUTER_MANDATORY, or a SERVER, was asked to route to
    /// a peer it does not have (libzmq's EHOSTUNREACH).
    #[error("no peer with that routing id")]
    HostUnreachable,
}

/// Who is at fault, from [`Error::fault`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// The call was wrong for this socket, now or always: its arguments,
    /// its options, the pattern's state, or a closed socket.
    Application,
    /// A peer broke the protocol, refused us, or went silent.
    Peer,
    /// The operating system refused.
    Io,
    /// Nobody's: the call would have had to wait longer than it may
    /// (WouldBlock, TimedOut), or the peer it routes to is not there
    /// (HostUnreachable). Retrying later can succeed.
    Flow,
}

impl Error {
    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        match self {
            Self::InvalidState(_)
            | Self::InvalidMessage(_)
            | Self::InvalidEndpoint { .. }
            | Self::InvalidOption { .. }
            | Self::UnsupportedTransport(_)
            | Self::UnavailableTransport { .. }
            | Self::UnsupportedSocketType(_)
            | Self::IncompatibleTransport { .. }
            | Self::EndpointNotFound(_)
            | Self::AddressInUse(_)
            | Self::UnknownOption(_)
            | Self::Closed
            | Self::Local(_) => Fault::Application,
            Self::Peer(_) => Fault::Peer,
            Self::Io(_) => Fault::Io,
            Self::WouldBlock | Self::TimedOut | Self::HostUnreachable => Fault::Flow,
        }
    }

    /// Whether the operation would have had to wait: [`Error::WouldBlock`]
    /// or [`Error::TimedOut`] (libzmq's EAGAIN).
    pub fn is_again(&self) -> bool {
        matches!(self, Self::WouldBlock | Self::TimedOut)
    }

    pub(crate) fn endpoint(endpoint: &str, reason: InvalidEndpoint) -> Self {
        Self::InvalidEndpoint {
            endpoint: endpoint.to_owned(),
            reason,
        }
    }

    /// A bind's error: the operating system's "address in use" becomes
    /// [`Error::AddressInUse`] naming `endpoint`; anything else is kept.
    pub(crate) fn in_use_at(self, endpoint: &str) -> Self {
        match self {
            Self::Io(e) if e.kind() == io::ErrorKind::AddrInUse => {
                Self::AddressInUse(endpoint.to_owned())
            }
            e => e,
        }
    }

    pub(crate) fn option(option: &'static str, reason: InvalidOption) -> Self {
        Self::InvalidOption { option, reason }
    }

    /// A connection's end as this crate's error, split by fault; `None`
    /// for a kind of end this version does not classify (the
    /// [`ConnectionError`] itself still says).
    pub(crate) fn from_connection(error: &ConnectionError) -> Option<Self> {
        Some(match error {
            ConnectionError::Peer(e) => Self::Peer(PeerFault::Misbehaved(e.clone())),
            ConnectionError::ErrorReceived(reason) => {
                Self::Peer(PeerFault::Refused(reason.clone()))
            }
            ConnectionError::Timeout(t) => Self::Peer(PeerFault::Silent(*t)),
            ConnectionError::Local(e) => Self::Local(e.clone()),
            _ => return None,
        })
    }
}

/// What a peer did that ended its connection.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeerFault {
    /// It broke the protocol, is incompatible (socket type, mechanism,
    /// version) or failed authentication; we sent it ERROR where the
    /// protocol allows (37-R16). The source says which rule.
    #[error("the peer broke the protocol, is incompatible or failed authentication")]
    Misbehaved(#[source] PeerError),
    /// It closed the connection with an ERROR command, whose reason this
    /// is (37-R16; a ZAP status such as `400` when it refused our
    /// credentials, RFC 27).
    #[error("the peer sent ERROR \"{}\"", .0.escape_ascii())]
    Refused(Bytes),
    /// Its traffic stopped: the handshake or a heartbeat timer ran out
    /// (37-R58). The source says which.
    #[error("the peer went silent")]
    Silent(#[source] Timeout),
}

/// Why the socket's state forbids a call now (libzmq's EFSM), or why the
/// call does not apply to this socket type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidState {
    /// A REQ sent a request and has not received its reply (28-R01).
    #[error("a REQ socket must receive the reply before it sends again (28-R01)")]
    ReqAwaitingReply,
    /// A REQ has no request outstanding to receive a reply to.
    #[error("a REQ socket receives only after sending a request")]
    ReqNoRequest,
    /// A REP has no request to answer (28-R10).
    #[error("a REP socket sends only in reply to a request (28-R10)")]
    RepNoRequest,
    /// A REP received a request and has not sent its reply.
    #[error("a REP socket must send its reply before it receives again")]
    RepOwesReply,
    /// The pattern of this socket type forbids the call now.
    #[error("the {0} pattern forbids this call in the socket's current state")]
    OutOfTurn(SocketType),
    /// This socket type never sends (PULL, SUB, DISH: 30-R12, 29-R26).
    #[error("{0} sockets do not send")]
    CannotSend(SocketType),
    /// This socket type never receives (PUSH, PUB, RADIO: 30-R01, 29-R01).
    #[error("{0} sockets do not receive")]
    CannotRecv(SocketType),
    /// A call of one socket type's (e.g. `send_to`, SERVER's) on another.
    #[error("{call} is for {socket_type} sockets")]
    WrongSocketType {
        /// The method.
        call: &'static str,
        /// The socket type it is for.
        socket_type: SocketType,
    },
    /// PEER's `connect_peer` with IMMEDIATE on: the peer would have no
    /// queue, hence no routing id, until its connection is up (libzmq
    /// ENOTSUP).
    #[error("connect_peer needs IMMEDIATE off: the routing id names the connect's queue")]
    ConnectPeerImmediate,
    /// A `*_blocking` method called from async code, where it would
    /// block the runtime: use the async method.
    #[error("a blocking call from async code: use the async method")]
    BlockingInAsync,
}

/// Why a message cannot be sent (libzmq's EINVAL).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidMessage {
    /// The message has no frames.
    #[error("a message needs at least one frame")]
    NoFrames,
    /// A ROUTER, SERVER or PEER message must start with a routing-id
    /// frame (SERVER's and PEER's: four octets) followed by a body.
    #[error("the message has no routing-id frame and body")]
    NoRoutingId,
    /// The draft thread-safe types (CLIENT, SERVER, RADIO, DISH, SCATTER,
    /// GATHER, PEER, CHANNEL) send single-part messages only (37-R56).
    #[error("this socket type sends single-part messages only (37-R56)")]
    Multipart,
    /// A RADIO message's group is missing, longer than 255 octets or
    /// holds a zero octet (RFC 48, G14).
    #[error("a RADIO message needs a group of at most 255 non-zero octets (G14)")]
    InvalidGroup,
    /// The pattern refused the message for a reason of its own.
    #[error("refused by the pattern: {0}")]
    Refused(SendError),
}

/// Why a transport ZeroMQ names is not offered by this crate (the
/// decision is written down in the README's transport section and the
/// book's introduction).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum UnavailableTransport {
    /// `tipc://`: TIPC is a Linux kernel protocol (the `tipc` module and a
    /// configured TIPC network), not something that runs over IP.
    #[error(
        "tipc needs the Linux TIPC kernel module and a TIPC network; this crate does not carry it"
    )]
    Tipc,
    /// `vmci://`: VMCI is VMware's host-guest channel and exists only
    /// inside a VMware hypervisor.
    #[error("vmci needs a VMware hypervisor's VMCI device; this crate does not carry it")]
    Vmci,
}

/// What is wrong with an endpoint (libzmq's EINVAL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidEndpoint {
    /// Not of the form `TRANSPORT://ADDRESS`.
    #[error("expected TRANSPORT://ADDRESS")]
    NoTransport,
    /// A transport ZeroMQ does not know.
    #[error("unknown transport")]
    UnknownTransport,
    /// `ipc://` with no path.
    #[error("empty ipc path")]
    EmptyIpcPath,
    /// `ipc://@` with no abstract name.
    #[error("empty abstract name")]
    EmptyAbstractName,
    /// `inproc://` with no name.
    #[error("empty inproc name")]
    EmptyInprocName,
    /// A tcp address with no host.
    #[error("empty host")]
    EmptyHost,
    /// A host name with characters a DNS name cannot have.
    #[error("invalid host name")]
    InvalidHost,
    /// An IPv6 address written without brackets.
    #[error("IPv6 addresses must be written in brackets")]
    UnbracketedIpv6,
    /// `[` without its `]`.
    #[error("unclosed '[' in IPv6 address")]
    UnclosedBracket,
    /// Not an IPv6 address between the brackets.
    #[error("invalid IPv6 address")]
    InvalidIpv6,
    /// Something other than `:PORT` after `]`.
    #[error("junk after ']'")]
    JunkAfterBracket,
    /// A tcp address with no port.
    #[error("missing port")]
    MissingPort,
    /// A port that is not a number of 0 to 65535 or `*`.
    #[error("invalid port")]
    InvalidPort,
    /// The host name did not resolve.
    #[error("cannot resolve the host")]
    Unresolvable,
    /// The host name resolved to no address of the family asked for.
    #[error("the host has no address")]
    NoAddress,
    /// connect to `tcp://*:...`.
    #[error("cannot connect to '*'")]
    WildcardHost,
    /// connect to a wildcard port (`*` or 0).
    #[error("cannot connect to a wildcard port")]
    WildcardPort,
    /// connect to `ipc://*`.
    #[error("cannot connect to ipc://*")]
    WildcardIpc,
    /// A udp interface (before `;`) that is a multicast address or has
    /// a port.
    #[error("the udp interface must be a name, a unicast address or '*'")]
    InvalidInterface,
    /// A udp interface given for a destination that is not multicast
    /// (libzmq's EINVAL).
    #[error("a udp interface is only allowed with a multicast address")]
    InterfaceNeedsMulticast,
    /// A udp interface name the system does not know.
    #[error("no such network interface")]
    UnknownInterface,
    /// A pgm or epgm endpoint not of the form `INTERFACE;GROUP:PORT`.
    #[error("expected INTERFACE;GROUP:PORT")]
    PgmSyntax,
    /// A pgm or epgm interface given by name: this crate needs its IPv4
    /// address (`epgm://192.168.1.2;239.192.1.1:5555`).
    #[error("give the interface as its IPv4 address, not a name")]
    PgmInterfaceName,
    /// A pgm or epgm group that is not an IPv4 multicast address.
    #[error("the group is not an IPv4 multicast address")]
    NotMulticast,
    /// pgm, epgm or norm on a socket type other than PUB, XPUB, SUB and
    /// XSUB (libzmq's ENOCOMPATPROTO).
    #[error("pgm, epgm and norm carry only PUB, XPUB, SUB and XSUB")]
    MulticastSocketType,
    /// A norm node id (before `,`) that is not a decimal number from 1 to
    /// 4294967294.
    #[error("the norm node id must be a decimal number from 1 to 4294967294")]
    NormNodeId,
    /// A norm session address that is not an IPv4 address.
    #[error("the norm address must be an IPv4 address")]
    NormAddress,
}

/// Why an option was refused (libzmq's EINVAL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidOption {
    /// The option does not apply to this socket type.
    #[error("does not apply to {0} sockets")]
    NotApplicable(SocketType),
    /// The option can only be read.
    #[error("read-only")]
    ReadOnly,
    /// The option can only be written (SUBSCRIBE, UNSUBSCRIBE).
    #[error("write-only")]
    WriteOnly,
    /// The value is out of range, e.g. a routing id that is empty, over
    /// 255 octets or starts with a zero octet (37-R34, 37-R35).
    #[error("value out of range")]
    OutOfRange,
    /// The text given to `Socket::set_by_name` is not a value of the
    /// option's type; the text says what it takes.
    #[error("the value must be {0}")]
    Unreadable(&'static str),
    /// The value is longer than the option takes.
    #[error("longer than {max} octets")]
    TooLong {
        /// The most octets it takes.
        max: usize,
    },
    /// A CURVE key that is neither 32 octets nor 40 characters of Z85
    /// (RFC 32).
    #[error("a CURVE key is 32 octets or 40 characters of Z85")]
    InvalidCurveKey,
    /// The security mechanism chosen needs this option set, and it is not.
    #[error("the security mechanism needs it and it is not set")]
    Required,
    /// JOIN of a group already joined, or not 0 to 255 non-zero octets
    /// (G14).
    #[error("the group is already joined, or not 0-255 non-zero octets (G14)")]
    JoinRefused,
    /// LEAVE of a group not joined.
    #[error("the group is not joined")]
    NotJoined,
    /// A ZMQ_WSS_* value that is not PEM of what it names (a certificate,
    /// a private key), or a key that does not match the certificate.
    #[error("not PEM of a usable certificate or key")]
    BadPem,
}

/// The result type of this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;
