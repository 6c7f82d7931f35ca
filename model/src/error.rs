//! Errors, split by who is at fault: the application (send, recv, options)
//! or a decision the machine makes about a peer (attach).

use zmtp_spec::SocketType;

use crate::PeerId;

/// Why [`Socket::send`](crate::Socket::send) did not take a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// No peer can take the message now (no peer, or every queue at
    /// SNDHWM): try again after the driver has drained a queue or attached
    /// a peer (libzmq EAGAIN). The message was not taken (28-R06, 28-R29,
    /// 30-R11, 31-R09).
    #[error("no peer can take the message now")]
    WouldBlock,
    /// The pattern's state forbids a send now: REQ waiting for a reply
    /// (28-R01), REP with no request to answer (28-R10) (libzmq EFSM).
    #[error("the socket's send/receive alternation forbids a send now")]
    InvalidState,
    /// ROUTER with ROUTER_MANDATORY: no peer has this routing id (28-R42,
    /// libzmq EHOSTUNREACH).
    #[error("no peer has this routing id")]
    HostUnreachable,
    /// This socket type never sends (PULL, SUB: 30-R12, 29-R26).
    #[error("{0} sockets do not send")]
    NotSupported(SocketType),
    /// The message has no frames, or ROUTER got no routing-id frame.
    #[error("the message has no frames")]
    EmptyMessage,
    /// A thread-safe socket type (CLIENT, SERVER, RADIO, DISH, SCATTER,
    /// PEER, CHANNEL) was given a multipart message: they send single-part
    /// messages only (37-R56). For SERVER and PEER the message is the
    /// routing-id frame and one body frame;
    /// for RADIO the group frame and one body frame.
    #[error("this socket type sends single-part messages only")]
    Multipart,
    /// RADIO: the message has no group frame, or its group is longer than
    /// 255 octets or holds a zero octet (RFC 48, G14; libzmq EINVAL).
    #[error("a RADIO message needs a group of at most 255 non-zero octets")]
    InvalidGroup,
}

/// Why [`Socket::recv`](crate::Socket::recv) returned no message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecvError {
    /// Nothing to receive now (libzmq EAGAIN).
    #[error("no message to receive now")]
    WouldBlock,
    /// The pattern's state forbids a receive now: REQ with no request
    /// outstanding, REP that owes a reply (libzmq EFSM).
    #[error("the socket's send/receive alternation forbids a receive now")]
    InvalidState,
    /// This socket type never receives (PUSH, PUB: 30-R01, 29-R01).
    #[error("{0} sockets do not receive")]
    NotSupported(SocketType),
}

/// Why [`Socket::attach`](crate::Socket::attach) refused a peer. The driver
/// closes that connection.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttachError {
    /// The peer's socket type cannot talk to ours (RFC 37's table).
    #[error("a {ours} socket cannot talk to a {theirs} peer")]
    Incompatible {
        /// Our type.
        ours: SocketType,
        /// The peer's type.
        theirs: SocketType,
    },
    /// PAIR (31-R10) or CHANNEL (52-R14) already has its one peer.
    #[error("PAIR or CHANNEL already has a peer")]
    PairBusy,
    /// ROUTER already has a peer with this routing id and ROUTER_HANDOVER
    /// is off.
    #[error("another peer already has this routing id")]
    DuplicateRoutingId,
    /// The driver reused a peer id the machine still knows.
    #[error("{0} is already attached")]
    AlreadyAttached(PeerId),
}

impl AttachError {
    /// The peer's fault, if the refusal is one: an incompatible socket
    /// type (37-R33). The others are no fault of the peer's protocol.
    pub fn peer_error(&self) -> Option<zmtp_spec::connection::PeerError> {
        match self {
            Self::Incompatible { theirs, .. } => {
                Some(zmtp_spec::connection::PeerError::InvalidSocketType(Some(
                    bytes::Bytes::from_static(theirs.as_str().as_bytes()),
                )))
            }
            _ => None,
        }
    }

    /// The reason the ERROR command that closes the refused connection
    /// carries (37-R16): the peer error's own reason, else `refused`.
    pub fn error_reason(&self) -> zmtp_spec::connection::ErrorReason {
        match self.peer_error() {
            Some(e) => zmtp_spec::connection::ErrorReason::from(&e),
            // "refused" is a valid reason; the fallback is never taken.
            None => zmtp_spec::connection::ErrorReason::new("refused").unwrap_or_else(|| {
                zmtp_spec::connection::ErrorReason::from(
                    &zmtp_spec::connection::PeerError::InvalidSocketType(None),
                )
            }),
        }
    }
}

/// Why [`Socket::set_option`](crate::Socket::set_option) refused an option.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OptionError {
    /// The option does not apply to this socket type (libzmq EINVAL).
    #[error("option {option} does not apply to {socket_type} sockets")]
    NotApplicable {
        /// The option's libzmq name.
        option: &'static str,
        /// Our socket type.
        socket_type: SocketType,
    },
    /// The value is out of range (a routing id of 0 or over 255 octets, or
    /// starting with a zero octet: 37-R34, 37-R35).
    #[error("invalid value for option {0}")]
    InvalidValue(&'static str),
}

/// [`Socket::new`](crate::Socket::new) was given a draft socket type this
/// crate does not model (SCATTER, GATHER, PEER, CHANNEL).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("socket type {0} is not supported")]
pub struct UnsupportedSocketType(pub SocketType);

/// A message a peer sent that the machine cannot queue now, given back to
/// the driver.
///
/// The peer's queue is at RCVHWM: the driver keeps this message, stops
/// reading from that peer, and offers the message again after
/// [`Event::InputResumed`](crate::Event::InputResumed) for that peer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the peer's incoming queue is full")]
pub struct Backpressure(pub zmtp_spec::Message);
