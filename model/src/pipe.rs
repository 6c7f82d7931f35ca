//! One peer's double queue (28-R21, 28-R32, 29-R13, 31-R02): messages from
//! the peer waiting for the application, and items waiting for the driver
//! to write to the peer, each bounded by its high-water mark.

use std::collections::VecDeque;

use zmtp_spec::Message;

use crate::subscriptions::Subscriptions;
use crate::{Outgoing, PeerInfo};

/// A peer as the machine keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Pipe {
    /// What the handshake said; `None` while the connection is not up (a
    /// pending connect, or one that is reconnecting).
    pub(crate) info: Option<PeerInfo>,
    /// Messages from the peer, oldest first.
    pub(crate) inbound: VecDeque<Message>,
    /// Items for the driver to write, oldest first (37-R44).
    pub(crate) outbound: VecDeque<Outgoing>,
    /// How many of `outbound` are messages (subscriptions do not count
    /// against SNDHWM, so they are never lost).
    out_messages: usize,
    /// Whether a message from this peer was refused for RCVHWM and the
    /// driver waits for `InputResumed`.
    pub(crate) input_blocked: bool,
    /// The peer's subscriptions (PUB and XPUB only).
    pub(crate) subscriptions: Subscriptions,
}

/// Whether a queue of `len` messages is below the high-water mark `hwm`
/// (0 means no limit).
#[inline]
pub(crate) fn below(len: usize, hwm: u32) -> bool {
    hwm == 0 || len < limit(hwm)
}

/// A high-water mark as a queue length (ZMQ_SNDHWM and ZMQ_RCVHWM are
/// libzmq ints, kept as `u32`; 0 stays 0, "no limit").
#[inline]
pub(crate) fn limit(hwm: u32) -> usize {
    usize::try_from(hwm).unwrap_or(usize::MAX)
}

impl Pipe {
    /// Whether the connection is up.
    pub(crate) fn is_connected(&self) -> bool {
        self.info.is_some()
    }

    /// The number of messages queued for the peer.
    pub(crate) fn out_messages(&self) -> usize {
        self.out_messages
    }

    /// Whether one more message may be queued for the peer.
    #[inline]
    pub(crate) fn out_has_room(&self, hwm: u32, conflate: bool) -> bool {
        conflate || below(self.out_messages, hwm) || zmtp_spec::mutant!(SndHwmIgnored)
    }

    /// Queues a message for the peer. With CONFLATE it replaces any message
    /// still queued.
    #[inline]
    pub(crate) fn push_out(&mut self, msg: Message, conflate: bool) {
        if conflate {
            self.outbound.retain(|o| !matches!(o, Outgoing::Message(_)));
            self.out_messages = 0;
        }
        self.outbound.push_back(Outgoing::Message(msg));
        self.out_messages += 1;
    }

    /// Queues a subscription item (not counted against SNDHWM).
    pub(crate) fn push_out_control(&mut self, item: Outgoing) {
        self.outbound.push_back(item);
    }

    /// Drops every subscription item still queued (they are queued again
    /// when the connection comes back).
    pub(crate) fn drop_out_control(&mut self) {
        self.outbound.retain(|o| matches!(o, Outgoing::Message(_)));
    }

    /// Takes the oldest item for the peer.
    #[inline]
    pub(crate) fn pop_out(&mut self) -> Option<Outgoing> {
        let item = self.outbound.pop_front()?;
        if matches!(item, Outgoing::Message(_)) {
            self.out_messages -= 1;
        }
        Some(item)
    }

    /// Whether one more message from the peer may be queued.
    #[inline]
    pub(crate) fn in_has_room(&self, hwm: u32, conflate: bool) -> bool {
        conflate || below(self.inbound.len(), hwm)
    }

    /// Queues a message from the peer. With CONFLATE it replaces any
    /// message still queued.
    #[inline]
    pub(crate) fn push_in(&mut self, msg: Message, conflate: bool) {
        if conflate {
            self.inbound.clear();
        }
        self.inbound.push_back(msg);
    }
}
