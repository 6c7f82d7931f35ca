//! The socket types that ZMTP names in its `Socket-Type` property, and which
//! pairs of them may talk to each other.

use core::fmt;

/// A ZeroMQ socket type, as carried in the `Socket-Type` metadata property
/// (37-R33, G16) and, for ZMTP 2.0 peers, as the one-octet type code.
///
/// The first eleven are the classic types of RFC 23; the rest are the draft
/// types that RFC 37 adds to the grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum SocketType {
    /// Exclusive pair (RFC 31).
    Pair,
    /// Publisher (RFC 29).
    Pub,
    /// Subscriber (RFC 29).
    Sub,
    /// Requester (RFC 28).
    Req,
    /// Replier (RFC 28).
    Rep,
    /// Asynchronous requester (RFC 28).
    Dealer,
    /// Asynchronous replier that routes by identity (RFC 28).
    Router,
    /// Pipeline receiver (RFC 30).
    Pull,
    /// Pipeline sender (RFC 30).
    Push,
    /// Publisher that sees subscriptions (RFC 29).
    XPub,
    /// Subscriber that sends subscriptions as messages (RFC 29).
    XSub,
    /// Draft: thread-safe client (RFC 41).
    Client,
    /// Draft: thread-safe server (RFC 41).
    Server,
    /// Draft: group publisher (RFC 48).
    Radio,
    /// Draft: group subscriber (RFC 48).
    Dish,
    /// Draft: thread-safe pipeline sender (RFC 49).
    Scatter,
    /// Draft: thread-safe pipeline receiver (RFC 49).
    Gather,
    /// Draft: peer-to-peer (RFC 51).
    Peer,
    /// Draft: thread-safe pair (RFC 52).
    Channel,
    /// libzmq's raw socket for peers that speak no ZMTP (plain tcp): not
    /// a ZMTP socket type, so not in [`SocketType::ALL`], never a
    /// `Socket-Type` value, compatible with no ZMTP peer.
    Stream,
}

impl SocketType {
    /// Every socket type, classic ones first.
    pub const ALL: [SocketType; 19] = [
        Self::Pair,
        Self::Pub,
        Self::Sub,
        Self::Req,
        Self::Rep,
        Self::Dealer,
        Self::Router,
        Self::Pull,
        Self::Push,
        Self::XPub,
        Self::XSub,
        Self::Client,
        Self::Server,
        Self::Radio,
        Self::Dish,
        Self::Scatter,
        Self::Gather,
        Self::Peer,
        Self::Channel,
    ];

    /// The eleven classic socket types of RFC 23.
    pub const CLASSIC: [SocketType; 11] = [
        Self::Pair,
        Self::Pub,
        Self::Sub,
        Self::Req,
        Self::Rep,
        Self::Dealer,
        Self::Router,
        Self::Pull,
        Self::Push,
        Self::XPub,
        Self::XSub,
    ];

    /// The exact upper-case name used on the wire (G16).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pair => "PAIR",
            Self::Pub => "PUB",
            Self::Sub => "SUB",
            Self::Req => "REQ",
            Self::Rep => "REP",
            Self::Dealer => "DEALER",
            Self::Router => "ROUTER",
            Self::Pull => "PULL",
            Self::Push => "PUSH",
            Self::XPub => "XPUB",
            Self::XSub => "XSUB",
            Self::Client => "CLIENT",
            Self::Server => "SERVER",
            Self::Radio => "RADIO",
            Self::Dish => "DISH",
            Self::Scatter => "SCATTER",
            Self::Gather => "GATHER",
            Self::Peer => "PEER",
            Self::Channel => "CHANNEL",
            Self::Stream => "STREAM",
        }
    }

    /// Parses a wire name. Matching is case-sensitive, as every
    /// implementation does it (zmtp-wire.md 6.1 #4, G16). `STREAM` is not
    /// one: a STREAM speaks no ZMTP.
    pub fn from_wire(name: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().as_bytes() == name)
    }

    /// Parses an API name: a wire name or `STREAM`.
    pub fn from_name(name: &[u8]) -> Option<Self> {
        Self::from_wire(name).or((name == b"STREAM").then_some(Self::Stream))
    }

    /// Whether this socket speaks raw octets instead of ZMTP (STREAM): no
    /// greeting, no handshake, no framing.
    pub const fn is_raw(self) -> bool {
        matches!(self, Self::Stream)
    }

    /// The socket-type octet of a ZMTP 2.0 greeting (RFC 15), which is also
    /// libzmq's type number. `None` for the draft types, which 2.0 cannot
    /// carry.
    pub const fn zmtp2_code(self) -> Option<u8> {
        match self {
            Self::Pair => Some(0),
            Self::Pub => Some(1),
            Self::Sub => Some(2),
            Self::Req => Some(3),
            Self::Rep => Some(4),
            Self::Dealer => Some(5),
            Self::Router => Some(6),
            Self::Pull => Some(7),
            Self::Push => Some(8),
            Self::XPub => Some(9),
            Self::XSub => Some(10),
            _ => None,
        }
    }

    /// The inverse of [`SocketType::zmtp2_code`]. Codes 9 and 10 (XPUB and
    /// XSUB) are accepted because libzmq sends them (zmtp-wire.md 6.2 #7).
    pub fn from_zmtp2_code(code: u8) -> Option<Self> {
        Self::CLASSIC
            .into_iter()
            .find(|t| t.zmtp2_code() == Some(code))
    }

    /// Whether a socket of this type may talk to a peer of type `peer`
    /// (the compatibility table of RFC 37, zmtp-wire.md 5).
    pub const fn is_compatible_with(self, peer: SocketType) -> bool {
        use SocketType::*;
        matches!(
            (self, peer),
            (Req, Rep | Router)
                | (Rep, Req | Dealer)
                | (Dealer, Rep | Dealer | Router)
                | (Router, Req | Dealer | Router)
                | (Pub | XPub, Sub | XSub)
                | (Sub | XSub, Pub | XPub)
                | (Push, Pull)
                | (Pull, Push)
                | (Pair, Pair)
                | (Client, Server)
                | (Server, Client)
                | (Radio, Dish)
                | (Dish, Radio)
                | (Scatter, Gather)
                | (Gather, Scatter)
                | (Peer, Peer)
                | (Channel, Channel)
        )
    }

    /// Whether this is one of the draft thread-safe types, which never send
    /// or accept application multipart messages (37-R56, 37-R57).
    pub const fn is_thread_safe(self) -> bool {
        matches!(
            self,
            Self::Client
                | Self::Server
                | Self::Radio
                | Self::Dish
                | Self::Scatter
                | Self::Gather
                | Self::Peer
                | Self::Channel
        )
    }

    /// Whether this socket type sends an `Identity` property in its READY
    /// (libzmq does for REQ, DEALER and ROUTER: zmtp-wire.md 6.2 #4).
    pub const fn sends_identity(self) -> bool {
        matches!(self, Self::Req | Self::Dealer | Self::Router)
    }
}

impl fmt::Display for SocketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for SocketType {
    type Err = UnknownSocketType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s.to_ascii_uppercase().as_bytes())
            .ok_or_else(|| UnknownSocketType(s.into()))
    }
}

/// A socket-type name that is not one of [`SocketType::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown socket type {0:?}")]
pub struct UnknownSocketType(pub String);

#[cfg(test)]
mod tests;
