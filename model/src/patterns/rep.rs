//! REP (RFC 28): receives a request, then sends its reply back along the
//! envelope the request came with.
//!
//! ```text
//!              recv (fair-queued; envelope stored)
//!   Receiving ------------------------------------> Replying
//!       ^                                              |
//!       +--- send (envelope restored; to that peer) ---+
//! ```

use bytes::Bytes;
use zmtp_spec::Message;

use super::{Behaviour, Refused};
use crate::core::{Core, Pick};
use crate::envelope::{split_request, wrap_reply};
use crate::{Backpressure, PeerId, RecvError, SendError};

/// REP's state: the request being answered, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Rep {
    /// `Some` between a receive and its reply: the peer the request came
    /// from (`None` once it has detached) and the envelope.
    pub(crate) replying: Option<(Option<PeerId>, Vec<Bytes>)>,
}

/// Whether `split_request` would accept the message: a delimiter with at
/// least one body frame after it (28-R11). Looks without taking the
/// message apart or copying it.
fn is_request(msg: &Message) -> bool {
    let frames = msg.frames();
    frames
        .iter()
        .position(Bytes::is_empty)
        .is_some_and(|delimiter| delimiter + 1 < frames.len())
}

impl Behaviour for Rep {
    fn detaching(&mut self, _core: &mut Core, peer: PeerId) {
        if let Some((from, _)) = &mut self.replying
            && *from == Some(peer)
        {
            *from = None;
        }
    }

    /// Queues well-formed requests; one without a delimiter or a body is
    /// discarded (28-R11).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if !is_request(&msg) {
            return Ok(());
        }
        core.queue_in(peer, msg, false)
    }

    /// The reply: the stored envelope in front (28-R16), to the peer the
    /// request came from (28-R17); dropped if that peer is gone or full
    /// (28-R18), never blocking (28-R19).
    fn send(&mut self, core: &mut Core, msg: Message, _pick: Pick) -> Result<(), Refused> {
        if self.replying.is_none() {
            return Err((SendError::InvalidState, None));
        }
        if msg.is_empty() {
            return Err((SendError::EmptyMessage, None));
        }
        if let Some((to, envelope)) = self.replying.take()
            && let Some(peer) = to
        {
            // A full queue drops the reply (28-R18).
            let _ = core.queue_out(peer, wrap_reply(&envelope, msg));
        }
        Ok(())
    }

    /// One request at a time (28-R10), fair-queued (28-R12), with its
    /// envelope stripped and stored (28-R13, 28-R14).
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        if self.replying.is_some() {
            return Err(RecvError::InvalidState);
        }
        let (peer, msg) = core.take_fair(pick).ok_or(RecvError::WouldBlock)?;
        // Only well-formed requests are queued (see `message`).
        let (envelope, body) = split_request(msg).ok_or(RecvError::WouldBlock)?;
        self.replying = Some((Some(peer), envelope));
        core.events.push_back(crate::Event::SendAllowed);
        Ok(body)
    }

    fn recv_choices(&self, core: &Core) -> Vec<PeerId> {
        if self.replying.is_some() {
            Vec::new()
        } else {
            core.recv_choices()
        }
    }

    fn can_recv(&self, core: &Core) -> bool {
        self.replying.is_none() && core.has_any_input()
    }

    fn can_send(&self, _core: &Core) -> bool {
        self.replying.is_some()
    }
}

#[cfg(test)]
mod tests;
