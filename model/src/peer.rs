//! Who the machine talks to: peers as the driver names them.

use bytes::Bytes;
use zmtp_spec::SocketType;
use zmtp_spec::wire::greeting::Protocol;

/// A peer (libzmq calls it a pipe): one connection, or one connect endpoint
/// that is waiting for its connection, of the socket the machine runs.
///
/// The driver chooses the numbers and must not reuse one while the machine
/// still knows it (between [`Socket::attach`](crate::Socket::attach) and
/// [`Socket::detach`](crate::Socket::detach)). The machine orders peers by
/// their number only to be deterministic; the number carries no meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId(pub u64);

impl core::fmt::Display for PeerId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "peer#{}", self.0)
    }
}

/// What the handshake told the driver about a peer.
///
/// Build it from `zmtp_spec::connection::Peer` (the `HandshakeSucceeded`
/// event): the socket type, the Identity property and the protocol. A
/// default value stands for a ZMTP 3.1 peer of unknown type with no
/// identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PeerInfo {
    /// The peer's socket type; `None` when it did not say (ZMTP 1.0). When
    /// it is `Some`, [`Socket::attach`](crate::Socket::attach) refuses types
    /// that the compatibility table does not allow.
    pub socket_type: Option<SocketType>,
    /// The peer's routing id: its non-empty Identity property (37-R34,
    /// 37-R35), or its ZMTP 1.0/2.0 identity frame. Only ROUTER uses it
    /// (28-R36).
    pub routing_id: Option<Bytes>,
    /// The routing id the application chose for this outgoing connection
    /// with CONNECT_ROUTING_ID (take it with
    /// [`Socket::take_connect_routing_id`](crate::Socket::take_connect_routing_id)
    /// when connecting). ROUTER prefers it to `routing_id`.
    pub alias: Option<Bytes>,
    /// The protocol the connection speaks. A PUB or XPUB gives a ZMTP 1.0
    /// peer a subscription to everything, since such a peer never
    /// subscribes (zmtp-wire.md 6.2 #7).
    pub protocol: Protocol,
    /// How the peer's messages travel: ZMTP connections, or libzmq's udp
    /// datagrams, where RADIO and DISH exchange no JOIN or LEAVE (48-R35).
    pub carrier: Carrier,
}

/// How a peer's messages travel, which decides where RADIO/DISH group
/// membership is kept (48-R15, 48-R35).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Carrier {
    /// A ZMTP connection (tcp, ipc, inproc): a DISH sends JOIN and LEAVE,
    /// the RADIO sends a peer only the groups it joined (37-R52..37-R54).
    #[default]
    Zmtp,
    /// One whole message per datagram, one way (libzmq's udp): the RADIO
    /// sends every group to the peer, a DISH tells it nothing and keeps
    /// only the groups it joined itself (48-R35).
    Datagram,
}

impl Default for PeerInfo {
    fn default() -> Self {
        Self {
            socket_type: None,
            routing_id: None,
            alias: None,
            protocol: Protocol::V3_1,
            carrier: Carrier::Zmtp,
        }
    }
}

impl PeerInfo {
    /// A ZMTP 3.1 peer of the given socket type, with no routing id.
    pub fn new(socket_type: SocketType) -> Self {
        Self {
            socket_type: Some(socket_type),
            ..Self::default()
        }
    }

    /// The same, with the given routing id (Identity property).
    pub fn with_routing_id(mut self, routing_id: impl Into<Bytes>) -> Self {
        self.routing_id = Some(routing_id.into());
        self
    }

    /// The same, with the given CONNECT_ROUTING_ID alias.
    pub fn with_alias(mut self, alias: impl Into<Bytes>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// The same, carried as the given [`Carrier`] says.
    pub fn with_carrier(mut self, carrier: Carrier) -> Self {
        self.carrier = carrier;
        self
    }

    /// Whether the peer is reached by datagrams ([`Carrier::Datagram`]).
    pub fn is_datagram(&self) -> bool {
        self.carrier == Carrier::Datagram
    }

    /// The same, speaking the given protocol.
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }
}
