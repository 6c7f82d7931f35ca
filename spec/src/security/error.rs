//! What a security mechanism refuses, beyond a malformed layout (which is a
//! [`WireError`](crate::wire::WireError)).

use bytes::Bytes;

use super::zap::StatusCode;

/// A peer's fault found by PLAIN or CURVE after the layout parsed: a box
/// that does not open, a nonce that does not increase, a cookie or vouch
/// that does not match, or an authenticator's refusal.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecurityError {
    /// A box did not open: wrong key, forged or altered octets (26-R14,
    /// 26-R29, 26-R40, 26-R47, 26-R57).
    #[error("the {0} box does not open (26-R14, 26-R29, 26-R40, 26-R47, 26-R57)")]
    BadBox(&'static str),
    /// A short nonce other than the peer's previous one plus 1: a
    /// replayed, reordered or dropped command (26-R20, 26-R21, 26-R52,
    /// 26-R53).
    #[error("{command} short nonce {nonce} does not follow the previous {last} (26-R20, 26-R52)")]
    UnexpectedNonce {
        /// The command that carried it.
        command: &'static str,
        /// The nonce received.
        nonce: u64,
        /// The previous nonce.
        last: u64,
    },
    /// A public key from the peer (C' in HELLO, S' in WELCOME, C in
    /// INITIATE) is a low-order point: the key agreement would be all
    /// zeros, as libsodium refuses too (26-R14, 26-R29, 26-R40).
    #[error("a low-order public key in {0} (26-R14, 26-R29, 26-R40)")]
    WeakKey(&'static str),
    /// The INITIATE cookie is not the one this connection's WELCOME
    /// carried, was made with a retired cookie key, or names another
    /// client transient key (26-R27, 26-R40).
    #[error("the INITIATE cookie does not belong to this connection (26-R27, 26-R40)")]
    CookieRejected,
    /// The vouch does not name this connection's client transient key and
    /// the server's permanent key (26-R40).
    #[error("the INITIATE vouch does not match the transient and server keys (26-R40)")]
    VouchMismatch,
    /// A MESSAGE payload flags octet with reserved bits set. Bit 1 (0x02)
    /// is tolerated: libzmq marks tunnelled commands with it (26-R56,
    /// zmtp-wire.md 6.2 #10).
    #[error("MESSAGE payload flags {0:#04x} set reserved bits (26-R56)")]
    ReservedPayloadFlags(u8),
    /// A frame that is not a MESSAGE command after a CURVE handshake (G-C8,
    /// 37-R64).
    #[error("a clear-text frame after the CURVE handshake (G-C8, 37-R64)")]
    ClearTextAfterHandshake,
    /// The authenticator refused the peer (RFC 27 status 300, 400 or 500).
    #[error("authentication refused with ZAP status {} {text:?} (27-R18)", status.as_str())]
    Refused {
        /// The ZAP status code.
        status: StatusCode,
        /// The handler's status text.
        text: Bytes,
    },
}

impl SecurityError {
    /// The reason of the ERROR a server sends for this failure, `None` when
    /// it sends none. A refusal carries the 3-digit ZAP status, as libzmq
    /// sends it (26-R60), and status 300 sends nothing (zmtp-wire.md 6.2
    /// #12). Whether any ERROR goes out at all is the mechanism's call
    /// (a CURVE client never sends one: 26-R03).
    pub fn error_reason(&self) -> Option<&'static str> {
        Some(match self {
            Self::Refused { status, .. } => match status {
                StatusCode::TemporaryFailure => return None,
                other => other.as_str(),
            },
            Self::BadBox(_) => "invalid-box",
            Self::WeakKey(_) => "invalid-key",
            Self::UnexpectedNonce { .. } => "invalid-nonce",
            Self::CookieRejected => "invalid-cookie",
            Self::VouchMismatch => "invalid-vouch",
            Self::ReservedPayloadFlags(_) | Self::ClearTextAfterHandshake => "invalid-message",
        })
    }
}
