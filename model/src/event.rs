//! What the machine asks of its driver.

use bytes::Bytes;
use zmtp_spec::Message;

use crate::PeerId;

/// One item of a peer's outgoing queue, taken with
/// [`Socket::poll_transmit`](crate::Socket::poll_transmit).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outgoing {
    /// A message to send as message frames.
    Message(Message),
    /// Subscribe to a topic: the SUBSCRIBE command for a ZMTP 3.1 peer
    /// (37-R46), the `01` message for 3.0 and 2.0 (23-R41); nothing for 1.0.
    Subscribe(Bytes),
    /// Cancel a subscription: CANCEL (37-R47) or the `00` message (23-R42).
    Cancel(Bytes),
    /// DISH joins a group: the JOIN command (37-R53; ZMTP 3.1 only).
    Join(Bytes),
    /// DISH leaves a group: the LEAVE command (37-R54).
    Leave(Bytes),
}

impl Outgoing {
    /// The message, if this is one.
    pub fn message(&self) -> Option<&Message> {
        match self {
            Self::Message(m) => Some(m),
            _ => None,
        }
    }
}

/// Something the driver must act on, from
/// [`Socket::poll_event`](crate::Socket::poll_event).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event {
    /// The machine dropped this peer on its own (ROUTER_HANDOVER gave its
    /// routing id to a new peer): close the connection. The machine has
    /// already forgotten the peer; do not call `detach` for it.
    Disconnect(PeerId),
    /// A peer whose message was refused with
    /// [`Backpressure`](crate::Backpressure) has room again: offer the held
    /// message and resume reading.
    InputResumed(PeerId),
    /// Items wait for this peer and its queue was empty before: its
    /// connection, if idle, should call
    /// [`Socket::poll_transmit`](crate::Socket::poll_transmit). Only the
    /// peers named here need waking after a send.
    Output(PeerId),
    /// A receive changed what the pattern lets the application send: REQ
    /// got its reply and may send the next request, REP got a request and
    /// may reply. Senders waiting for that may try again.
    SendAllowed,
}
