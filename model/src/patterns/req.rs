//! REQ (RFC 28): one request, then its reply, in strict alternation.
//!
//! ```text
//!            send (to the next available peer, envelope added)
//!   Ready ---------------------------------------------> AwaitingReply
//!     ^                                                      |
//!     +------------- recv (reply from that peer) ------------+
//!   (REQ_RELAXED: send is also allowed in AwaitingReply; the old reply is
//!    then discarded)
//! ```

use zmtp_spec::Message;

use super::{Behaviour, Refused};
use crate::core::{Core, Pick};
use crate::envelope::{unwrap_reply, wrap_request};
use crate::options::Fault;
use crate::{Backpressure, PeerId, RecvError, SendError};

/// Where REQ is in its alternation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum ReqState {
    /// May send a request.
    #[default]
    Ready,
    /// A request is outstanding; only its reply may be received.
    AwaitingReply,
}

/// REQ's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Req {
    pub(crate) state: ReqState,
    /// The peer the outstanding request went to (`None` if it detached).
    pub(crate) reply_from: Option<PeerId>,
    /// The id of the last request (REQ_CORRELATE).
    pub(crate) request_id: u32,
}

impl Req {
    fn expected_id(&self, core: &Core) -> Option<u32> {
        core.options.req_correlate.then_some(self.request_id)
    }
}

impl Behaviour for Req {
    /// With PROBE_ROUTER, an empty message goes to every new peer.
    fn created(&mut self, core: &mut Core, peer: PeerId) {
        if core.options.probe_router {
            core.queue_out_unbounded(peer, Message::from_frames([bytes::Bytes::new()]));
        }
    }

    fn detaching(&mut self, _core: &mut Core, peer: PeerId) {
        if self.reply_from == Some(peer) {
            self.reply_from = None;
        }
    }

    /// A peer departs with unread input: that input can only be the reply
    /// REQ waits for (it keeps nothing else), so REQ still takes it.
    fn departing(&mut self, _core: &mut Core, _peer: PeerId) {}

    /// Accepts a reply only from the peer the request went to, and only if
    /// it carries the delimiter (and request id); anything else is
    /// discarded silently (28-R07, 28-R08).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if self.state != ReqState::AwaitingReply
            || (self.reply_from != Some(peer) && !zmtp_spec::mutant!(ReqReplyFromAnyPeer))
        {
            return Ok(());
        }
        let Some(body) = unwrap_reply(msg, self.expected_id(core)) else {
            return Ok(());
        };
        // One reply per request: a second one is discarded.
        if core.has_input(peer) {
            return Ok(());
        }
        core.queue_in(peer, body, false)
    }

    /// Sends one request at a time (28-R01), round-robin over available
    /// peers (28-R04), with the empty delimiter in front (28-R03); blocks
    /// rather than discard (28-R05, 28-R06).
    fn send(&mut self, core: &mut Core, msg: Message, pick: Pick) -> Result<(), Refused> {
        let relaxed = core.options.req_relaxed
            || core.options.fault == Fault::ReqTwoOutstanding
            || zmtp_spec::mutant!(ReqTwoRequests);
        if self.state == ReqState::AwaitingReply && !relaxed {
            return Err((SendError::InvalidState, None));
        }
        if msg.is_empty() {
            return Err((SendError::EmptyMessage, None));
        }
        // The peer first, so a send that would block gives the message
        // back without its envelope.
        let Some(peer) = core.pick_send(pick) else {
            return Err((SendError::WouldBlock, Some(msg)));
        };
        let next_id = self.request_id.wrapping_add(1);
        let id = core.options.req_correlate.then_some(next_id);
        // `pick_send` chose a peer with room.
        let queued = core.queue_out(peer, wrap_request(msg, id));
        debug_assert!(queued.is_ok());
        // A reply to an abandoned request must not pass as the new one's.
        if let Some(old) = self.reply_from.take() {
            core.discard_input(old);
            core.resume_blocked();
        }
        self.request_id = next_id;
        self.state = ReqState::AwaitingReply;
        self.reply_from = Some(peer);
        Ok(())
    }

    /// The reply, without its envelope (28-R02).
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        if self.state != ReqState::AwaitingReply {
            return Err(RecvError::InvalidState);
        }
        let from = self.reply_from.ok_or(RecvError::WouldBlock)?;
        if matches!(pick, Pick::Peer(p) if p != from) {
            return Err(RecvError::WouldBlock);
        }
        let msg = core.take_from(from).ok_or(RecvError::WouldBlock)?;
        self.state = ReqState::Ready;
        self.reply_from = None;
        core.events.push_back(crate::Event::SendAllowed);
        Ok(msg)
    }

    fn send_choices(&self, core: &Core) -> Vec<PeerId> {
        if self.state == ReqState::AwaitingReply && !core.options.req_relaxed {
            Vec::new()
        } else {
            core.send_choices()
        }
    }

    fn recv_choices(&self, core: &Core) -> Vec<PeerId> {
        match self.reply_from {
            Some(p) if self.state == ReqState::AwaitingReply && core.has_input(p) => vec![p],
            _ => Vec::new(),
        }
    }

    fn can_recv(&self, core: &Core) -> bool {
        self.state == ReqState::AwaitingReply && self.reply_from.is_some_and(|p| core.has_input(p))
    }

    fn can_send(&self, core: &Core) -> bool {
        (self.state != ReqState::AwaitingReply || core.options.req_relaxed) && core.can_send_any()
    }
}

#[cfg(test)]
mod tests;
