//! PUB and XPUB (RFC 29): each message goes to every peer with a matching
//! subscription; XPUB also passes subscriptions and peers' messages to the
//! application.

use std::collections::VecDeque;

use bytes::{BufMut, Bytes, BytesMut};
use zmtp_spec::wire::greeting::Protocol;
use zmtp_spec::{Message, SocketType};

use super::{Behaviour, Refused};
use crate::core::{Core, Pick};
use crate::options::Fault;
use crate::pipe::Pipe;
use crate::subscriptions::Subscriptions;
use crate::{Backpressure, OptionError, PeerId, RecvError, SendError, SocketOption};

/// PUB's and XPUB's state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Publish {
    /// XPUB rather than PUB.
    xpub: bool,
    /// Subscription messages (`01`/`00` + topic) for the XPUB application,
    /// with the peer they came from, oldest first.
    pending: VecDeque<(Option<PeerId>, Message)>,
    /// XPUB_MANUAL: the peer of the subscription message received last.
    last_peer: Option<PeerId>,
    /// All peers' subscriptions added up, to tell new topics (29-S05).
    totals: Subscriptions,
}

/// The message form of a subscription (`01` + topic) or cancellation
/// (`00` + topic), as XPUB delivers it (29-R24).
pub(crate) fn subscription_message(subscribe: bool, topic: &[u8]) -> Message {
    let mut frame = BytesMut::with_capacity(topic.len() + 1);
    frame.put_u8(u8::from(subscribe));
    frame.put_slice(topic);
    Message::from(frame.freeze())
}

impl Publish {
    pub(crate) fn new(xpub: bool) -> Self {
        Self {
            xpub,
            pending: VecDeque::new(),
            last_peer: None,
            totals: Subscriptions::new(),
        }
    }

    fn notify(&mut self, peer: Option<PeerId>, subscribe: bool, topic: &[u8]) {
        if self.xpub && !zmtp_spec::mutant!(XPubNoNotify) {
            self.pending
                .push_back((peer, subscription_message(subscribe, topic)));
        }
    }

    fn add(&mut self, core: &mut Core, peer: PeerId, topic: Bytes) -> bool {
        let Some(pipe) = core.pipes.get_mut(&peer) else {
            return false;
        };
        pipe.subscriptions.add(topic.clone());
        self.totals.add(topic) == 1
    }

    /// Removes one subscription of `peer`; `Some(last)` if it had one,
    /// with `last` telling whether no peer has the topic any more.
    fn remove(&mut self, core: &mut Core, peer: PeerId, topic: &[u8]) -> Option<bool> {
        core.pipes.get_mut(&peer)?.subscriptions.remove(topic)?;
        Some(self.totals.remove(topic) == Some(0))
    }

    /// Forgets every subscription of a peer that detaches or reconnects,
    /// telling the XPUB application as if the peer had cancelled them
    /// (29-R25).
    fn forget(&mut self, core: &mut Core, peer: PeerId) {
        let Some(pipe) = core.pipes.get_mut(&peer) else {
            return;
        };
        let subscriptions = std::mem::take(&mut pipe.subscriptions);
        let verboser = core.options.xpub_verboser;
        for (topic, count) in subscriptions.iter() {
            for _ in 0..count {
                let last = self.totals.remove(topic) == Some(0);
                if verboser || last {
                    self.notify(Some(peer), false, topic);
                }
            }
        }
        if self.last_peer == Some(peer) {
            self.last_peer = None;
        }
    }

    /// Whether a peer should get a message whose first frame is `first`:
    /// some subscription matches (29-R08), or none does with
    /// INVERT_MATCHING.
    fn wants(pipe: &Pipe, first: &[u8], invert_matching: bool) -> bool {
        pipe.subscriptions.matches(first) != invert_matching
    }
}

impl Behaviour for Publish {
    /// XPUB_WELCOME_MSG goes to every new peer.
    fn created(&mut self, core: &mut Core, peer: PeerId) {
        if self.xpub
            && let Some(welcome) = core.options.xpub_welcome_msg.clone()
        {
            core.queue_out_unbounded(peer, Message::from(welcome));
        }
    }

    /// A ZMTP 1.0 peer, which never subscribes, is subscribed to
    /// everything (zmtp-wire.md 6.2 #7).
    fn attached(&mut self, core: &mut Core, peer: PeerId) {
        let v1 = core
            .pipes
            .get(&peer)
            .and_then(|p| p.info.as_ref())
            .is_some_and(|i| i.protocol == Protocol::V1_0);
        if v1 {
            self.subscribe(core, peer, Bytes::new());
        }
    }

    fn suspended(&mut self, core: &mut Core, peer: PeerId) {
        // The subscriber sends its subscriptions again when it reconnects.
        self.forget(core, peer);
    }

    fn detaching(&mut self, core: &mut Core, peer: PeerId) {
        self.forget(core, peer);
    }

    /// PUB discards what subscribers send (29-R06); XPUB fair-queues it
    /// for the application (29-R21, 29-R22).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if self.xpub {
            core.queue_in(peer, msg, false)
        } else {
            Ok(())
        }
    }

    /// Counts the subscription (37-R50, 37-R51); XPUB tells the application
    /// about new topics, or every one with XPUB_VERBOSE(R) (29-R24); PUB
    /// never does (29-R12). With XPUB_MANUAL the application decides.
    fn subscribe(&mut self, core: &mut Core, peer: PeerId, topic: Bytes) {
        if self.xpub && core.options.xpub_manual {
            self.notify(Some(peer), true, &topic);
            return;
        }
        let verbose = core.options.xpub_verbose || core.options.xpub_verboser;
        if self.add(core, peer, topic.clone()) || verbose {
            self.notify(Some(peer), true, &topic);
        }
    }

    /// Removes one subscription; XPUB tells the application when no peer
    /// has the topic any more, or every time with XPUB_VERBOSER.
    fn cancel(&mut self, core: &mut Core, peer: PeerId, topic: Bytes) {
        if core.options.fault == Fault::PubIgnoresCancel {
            return;
        }
        if self.xpub && core.options.xpub_manual {
            self.notify(Some(peer), false, &topic);
            return;
        }
        if let Some(last) = self.remove(core, peer, &topic)
            && (last || core.options.xpub_verboser)
        {
            self.notify(Some(peer), false, &topic);
        }
    }

    /// To every matching peer (37-R45, 29-R08), unchanged (29-R07); a peer
    /// whose queue is full misses it (29-R09, 29-R19) and the send never
    /// blocks (29-R10, 29-R20), unless XPUB_NODROP.
    fn send(&mut self, core: &mut Core, msg: Message, _pick: Pick) -> Result<(), Refused> {
        let (hwm, conflate) = (core.options.sndhwm, core.options.conflate);
        let invert = core.options.invert_matching;
        let blocked = {
            let Some(first) = msg.first() else {
                return Err((SendError::EmptyMessage, None));
            };
            core.options.xpub_nodrop
                && core
                    .pipes
                    .values()
                    .any(|p| Self::wants(p, first, invert) && !p.out_has_room(hwm, conflate))
        };
        if blocked {
            return Err((SendError::WouldBlock, Some(msg)));
        }
        let first = msg.first().cloned().unwrap_or_default();
        // Peers in id order; each copy shares the frames' bodies.
        core.queue_out_all(&msg, |pipe| Self::wants(pipe, &first, invert));
        Ok(())
    }

    /// PUB never receives (29-R01). XPUB: subscription messages first, then
    /// peers' messages, fair-queued.
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        if !self.xpub {
            return Err(RecvError::NotSupported(SocketType::Pub));
        }
        if let Some((peer, msg)) = self.pending.pop_front() {
            self.last_peer = peer;
            return Ok(msg);
        }
        core.take_fair(pick)
            .map(|(_, m)| m)
            .ok_or(RecvError::WouldBlock)
    }

    fn recv_choices(&self, core: &Core) -> Vec<PeerId> {
        if self.xpub && self.pending.is_empty() {
            core.recv_choices()
        } else {
            Vec::new()
        }
    }

    fn can_recv(&self, core: &Core) -> bool {
        self.xpub && (!self.pending.is_empty() || core.has_any_input())
    }

    fn can_send(&self, _core: &Core) -> bool {
        true
    }

    /// XPUB_MANUAL: SUBSCRIBE and UNSUBSCRIBE apply to the peer whose
    /// subscription message the application received last.
    fn set_option(&mut self, core: &mut Core, option: SocketOption) -> Result<(), OptionError> {
        match option {
            SocketOption::Subscribe(_) | SocketOption::Unsubscribe(_)
                if !core.options.xpub_manual =>
            {
                Err(OptionError::NotApplicable {
                    option: option.name(),
                    socket_type: core.socket_type,
                })
            }
            SocketOption::Subscribe(topic) => {
                if let Some(peer) = self.last_peer {
                    self.add(core, peer, topic);
                }
                Ok(())
            }
            SocketOption::Unsubscribe(topic) => {
                if let Some(peer) = self.last_peer {
                    self.remove(core, peer, &topic);
                }
                Ok(())
            }
            other => core.options.apply(other),
        }
    }
}

#[cfg(test)]
mod tests;
