//! Why a connection ended, split by who is at fault (style.md 5).

use bytes::Bytes;

use crate::wire::{EncodeError, Mechanism, WireError};

/// Why a connection ended.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The peer broke the protocol or is incompatible with us.
    #[error("peer error: {0}")]
    Peer(#[from] PeerError),
    /// Our own configuration cannot work with this peer.
    #[error("local error: {0}")]
    Local(#[from] LocalError),
    /// A timer ran out.
    #[error("timeout: {0}")]
    Timeout(#[from] Timeout),
    /// The peer sent an ERROR command, which is fatal (37-R16).
    #[error("peer sent ERROR {0:?} (37-R16)")]
    ErrorReceived(Bytes),
}

impl ConnectionError {
    /// Whether a connect endpoint may connect again after this ended its
    /// connection. Not after the peer refused the handshake with ERROR:
    /// the same credentials would be refused again (37-R17). An ERROR after
    /// the handshake, or any other end, is a temporary error (37-R18), as a
    /// plain disconnect is for libzmq.
    pub fn permits_reconnect(&self, handshake_done: bool) -> bool {
        handshake_done
            || !matches!(self, Self::ErrorReceived(_))
            || crate::mutant!(ReconnectAfterError)
    }
}

/// The peer's fault. Each maps to the ERROR reason we send, where the
/// protocol still allows a command ([`ErrorReason::from`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    /// Malformed bytes (the grammar rule is named in the [`WireError`]).
    #[error(transparent)]
    Malformed(#[from] WireError),
    /// The peer's mechanism is not ours (37-R15).
    #[error("peer mechanism {peer:?} does not match ours {ours:?} (37-R15)")]
    MechanismMismatch {
        /// What we sent.
        ours: Mechanism,
        /// What the peer sent.
        peer: Mechanism,
    },
    /// A ZMTP 1.0 or 2.0 peer while our mechanism is not NULL: a possible
    /// downgrade attack (37-R61, 37-R67).
    #[error("ZMTP 1.0/2.0 peer refused with mechanism {0:?} (37-R61, 37-R67)")]
    DowngradeRefused(Mechanism),
    /// A lower protocol we cannot speak with this configuration: 1.0 after
    /// we sent more than the pseudo-signature, 1.0/2.0 without detection,
    /// or 2.0 with a draft socket type that 2.0 cannot name (37-R09).
    #[error("cannot downgrade to the peer's protocol (37-R09)")]
    CannotDowngrade,
    /// The peer's socket type is missing, unknown or not compatible with
    /// ours (37-R33, zmtp-wire.md 5).
    #[error("peer socket type {0:?} is missing, unknown or incompatible (37-R33)")]
    InvalidSocketType(Option<Bytes>),
    /// The peer's Identity is longer than 255 octets or, in 3.1, starts
    /// with a zero octet (37-R34, 37-R35).
    #[error("invalid Identity property (37-R34, 37-R35)")]
    InvalidIdentity,
    /// A command other than the mechanism expects during the handshake,
    /// or a message frame before it finished (G05).
    #[error("unexpected {0} during the handshake (G05)")]
    UnexpectedDuringHandshake(&'static str),
    /// A handshake command after the handshake, e.g. a second READY.
    #[error("unexpected {0} after the handshake")]
    UnexpectedCommand(&'static str),
    /// A PLAIN or CURVE check failed: a box, a nonce, a cookie, a vouch,
    /// or the authenticator's refusal (RFC 24, 26, 27).
    #[error(transparent)]
    Security(#[from] crate::security::SecurityError),
}

/// Our fault, or the application's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocalError {
    /// The message has no frames.
    #[error("cannot send a message with no frames")]
    EmptyMessage,
    /// The connection is closed.
    #[error("the connection is closed")]
    Closed,
    /// Handshake commands (READY, ERROR, HELLO...) belong to the machine,
    /// not the application.
    #[error("{0} is not an application command")]
    NotAnApplicationCommand(&'static str),
    /// The configured routing id is longer than 255 octets or starts with
    /// a zero octet (37-R34, 37-R35).
    #[error("the configured routing id is invalid (37-R34, 37-R35)")]
    InvalidRoutingId,
    /// The ZWS subprotocol configured runs another mechanism than the one
    /// configured (45-R08).
    #[error("ZWS subprotocol {0} does not run the configured mechanism (45-R08)")]
    ZwsMechanism(&'static str),
    /// A message, command or metadata the grammar forbids (the encoder's
    /// [`EncodeError`] names the rule); nothing was sent.
    #[error("cannot encode: {0}")]
    Encode(#[from] EncodeError),
    /// CURVE used up the 2^64-1 short nonces of the connection (26-R19,
    /// 26-R51).
    #[error(transparent)]
    NoncesExhausted(#[from] crate::security::curve::Exhausted),
}

/// Which timer ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Timeout {
    /// The greeting and handshake took longer than the handshake timeout
    /// (libzmq's ZMQ_HANDSHAKE_IVL).
    #[error("handshake did not finish in time")]
    Handshake,
    /// Nothing arrived within the heartbeat timeout after our PING (37-R58).
    #[error("no traffic within the heartbeat timeout after a PING (37-R58)")]
    Heartbeat,
    /// Nothing arrived within the TTL the peer announced in its PING.
    #[error("no traffic within the TTL the peer announced")]
    PeerTtl,
}

/// An ERROR reason: 0-255 octets of VCHAR (`0x21..=0x7E`, no space: G11).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ErrorReason(Bytes);

impl ErrorReason {
    /// A reason, or `None` if it is longer than 255 octets or has an octet
    /// outside VCHAR (G11; a space is not VCHAR, zmtp-wire.md 6.1 #6).
    pub fn new(reason: impl Into<Bytes>) -> Option<Self> {
        let reason = reason.into();
        (reason.len() <= 255 && reason.iter().all(|c| (0x21..=0x7E).contains(c)))
            .then_some(Self(reason))
    }

    const fn from_static(reason: &'static str) -> Self {
        Self(Bytes::from_static(reason.as_bytes()))
    }

    /// The octets.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }
}

impl From<&PeerError> for ErrorReason {
    fn from(error: &PeerError) -> Self {
        Self::from_static(match error {
            PeerError::Malformed(_) => "malformed-command",
            PeerError::MechanismMismatch { .. } => "mechanism-mismatch",
            PeerError::DowngradeRefused(_) | PeerError::CannotDowngrade => "unsupported-version",
            PeerError::InvalidSocketType(_) => "invalid-socket-type",
            PeerError::InvalidIdentity => "invalid-identity",
            PeerError::UnexpectedDuringHandshake(_) | PeerError::UnexpectedCommand(_) => {
                "unexpected-command"
            }
            PeerError::Security(error) => error.error_reason().unwrap_or("security-error"),
        })
    }
}
