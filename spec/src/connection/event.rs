//! What a connection reports to its driver.

use bytes::Bytes;

use super::error::ConnectionError;
use crate::wire::Metadata;
use crate::wire::greeting::{Protocol, Version};
use crate::{Message, SocketType};

/// An event for the driver, from [`super::Connection::poll_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The greeting and the mechanism handshake succeeded; messages may
    /// flow.
    HandshakeSucceeded(Peer),
    /// A whole message from the peer.
    Message(Message),
    /// The peer subscribed to a topic: a SUBSCRIBE command (37-R46), or a
    /// `01` subscription message received by a PUB or XPUB (G17).
    Subscribe(Bytes),
    /// The peer cancelled a subscription: CANCEL (37-R47) or a `00`
    /// subscription message received by a PUB or XPUB (G17).
    Cancel(Bytes),
    /// The peer joined a RADIO/DISH group (37-R53).
    Join(Bytes),
    /// The peer left a RADIO/DISH group (37-R54).
    Leave(Bytes),
    /// The application closed the connection.
    Closed,
    /// The connection failed.
    Failed(ConnectionError),
}

/// What the handshake told us about the peer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Peer {
    /// The protocol the connection speaks: the lower of the peer's and the
    /// one we present (37-R08). It decides the subscription encoding
    /// (zmtp-wire.md 6.1 #19).
    pub protocol: Protocol,
    /// The version in the peer's 3.x greeting (`None` for 1.0 and 2.0).
    pub version: Option<Version>,
    /// The peer's socket type (`None` for a ZMTP 1.0 peer, which does not
    /// say, or a 3.x peer that sent no Socket-Type when that is allowed).
    pub socket_type: Option<SocketType>,
    /// The peer's READY metadata, unknown properties included (empty for
    /// 1.0 and 2.0).
    pub metadata: Metadata,
    /// The peer's routing id: its non-empty Identity property when we are
    /// a ROUTER (37-R34, 37-R35), or its 1.0/2.0 identity frame.
    pub routing_id: Option<Bytes>,
}
