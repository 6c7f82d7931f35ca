//! SUB and XSUB (RFC 29): subscribe upstream, receive what matches.

use bytes::Bytes;
use zmtp_spec::{Message, SocketType};

use super::{Behaviour, Refused};
use crate::core::{Core, Pick};
use crate::subscriptions::Subscriptions;
use crate::{Backpressure, OptionError, Outgoing, PeerId, RecvError, SendError, SocketOption};

/// SUB's and XSUB's state: the socket's own subscriptions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Subscribe {
    /// XSUB rather than SUB.
    xsub: bool,
    /// Incoming messages are filtered by the subscriptions. SUB and XSUB
    /// MAY filter (29-S06, 29-S07): ours do; libzmq's XSUB does not, which
    /// [`Subscribe::unfiltered`] models for the oracle.
    filter: bool,
    pub(crate) subscriptions: Subscriptions,
}

impl Subscribe {
    pub(crate) fn new(xsub: bool) -> Self {
        Self {
            xsub,
            filter: true,
            subscriptions: Subscriptions::new(),
        }
    }

    /// The same socket delivering every message, subscribed or not: the
    /// other choice 29-S07 leaves an XSUB.
    pub(crate) fn unfiltered(&self) -> Self {
        Self {
            filter: false,
            ..self.clone()
        }
    }

    fn tell_all(core: &mut Core, item: &Outgoing) {
        for peer in core.peer_ids() {
            core.queue_control(peer, item.clone());
        }
    }

    /// Adds a subscription and tells every publisher (37-R46, 29-R48).
    /// SUB sends a topic once, however many times it is subscribed; XSUB
    /// passes every subscription on (as libzmq does, for XPUB_VERBOSE
    /// upstream).
    fn add(&mut self, core: &mut Core, topic: Bytes) {
        if self.subscriptions.add(topic.clone()) == 1 || self.xsub {
            Self::tell_all(core, &Outgoing::Subscribe(topic));
        }
    }

    /// Removes one subscription and tells every publisher when the topic's
    /// last count goes (37-R47). Sending CANCEL only then keeps the topic
    /// alive at publishers that count (37-R51) and at libzmq's, which do
    /// not. Messages already queued that no longer match are discarded.
    fn remove(&mut self, core: &mut Core, topic: Bytes) {
        let Some(left) = self.subscriptions.remove(&topic) else {
            return;
        };
        if left == 0 {
            Self::tell_all(core, &Outgoing::Cancel(topic));
        }
        if self.filter {
            let invert = core.options.invert_matching;
            let subscriptions = &self.subscriptions;
            core.retain_input(|m| matches(subscriptions, invert, m));
        }
    }
}

/// Whether a message passes the socket's own filter (29-S06, 29-S07).
fn matches(subscriptions: &Subscriptions, invert: bool, msg: &Message) -> bool {
    let first = msg.first().map_or(&[][..], |f| f.as_ref());
    subscriptions.matches(first) != invert
}

impl Behaviour for Subscribe {
    /// Every topic goes once to a new (or reconnected) publisher, before
    /// anything else queued for it.
    fn attached(&mut self, core: &mut Core, peer: PeerId) {
        let Some(pipe) = core.pipes.get_mut(&peer) else {
            return;
        };
        pipe.drop_out_control();
        if zmtp_spec::mutant!(SubscriptionsNotResent) {
            return;
        }
        let items: Vec<Outgoing> = self
            .subscriptions
            .iter()
            .map(|(topic, _)| Outgoing::Subscribe(topic.clone()))
            .collect();
        for item in items.into_iter().rev() {
            pipe.outbound.push_front(item);
        }
    }

    fn suspended(&mut self, core: &mut Core, peer: PeerId) {
        if let Some(pipe) = core.pipes.get_mut(&peer) {
            pipe.drop_out_control();
        }
    }

    /// Keeps what matches; drops it when the publisher's queue is full
    /// (29-R31, 29-R40); unchanged (29-R33, 29-R39).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if self.filter && !matches(&self.subscriptions, core.options.invert_matching, &msg) {
            return Ok(());
        }
        core.queue_in(peer, msg, true)
    }

    /// SUB never sends (29-R26). XSUB: a message whose first frame starts
    /// with `01` or `00` is a subscription or cancellation (29-R47); any
    /// other goes to every publisher with room, never blocking (29-R44..R46).
    fn send(&mut self, core: &mut Core, msg: Message, _pick: Pick) -> Result<(), Refused> {
        if !self.xsub {
            return Err((SendError::NotSupported(SocketType::Sub), None));
        }
        let first = msg
            .first()
            .cloned()
            .ok_or((SendError::EmptyMessage, None))?;
        match first.first() {
            Some(1) => self.add(core, first.slice(1..)),
            Some(0) => self.remove(core, first.slice(1..)),
            _ => {
                // Every publisher with room; a full one misses it.
                core.queue_out_all(&msg, |_| true);
            }
        }
        Ok(())
    }

    /// Fair-queued (29-R32, 29-R41), delivered as it came (29-R34, 29-R42).
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        core.take_fair(pick)
            .map(|(_, m)| m)
            .ok_or(RecvError::WouldBlock)
    }

    fn can_send(&self, _core: &Core) -> bool {
        self.xsub
    }

    /// SUB's SUBSCRIBE and UNSUBSCRIBE.
    fn set_option(&mut self, core: &mut Core, option: SocketOption) -> Result<(), OptionError> {
        match option {
            SocketOption::Subscribe(topic) => {
                self.add(core, topic);
                Ok(())
            }
            SocketOption::Unsubscribe(topic) => {
                self.remove(core, topic);
                Ok(())
            }
            SocketOption::InvertMatching(v) => {
                core.options.invert_matching = v;
                Ok(())
            }
            other => core.options.apply(other),
        }
    }
}

#[cfg(test)]
mod tests;
