//! CLIENT (RFC 41, draft): a thread-safe DEALER for single-part messages.
//! Round-robin out, fair-queued in; a multipart message is refused on send
//! (37-R56) and discarded when it comes from the wire (37-R57).

use zmtp_spec::Message;

use super::{Behaviour, Refused, fair_queue, load_balance};
use crate::core::{Core, Pick};
use crate::{Backpressure, PeerId, RecvError, SendError};

/// CLIENT has no state beyond the shared core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Client;

impl Behaviour for Client {
    /// Single-part messages only; multipart ones are dropped (37-R57).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if msg.len() != 1 {
            return Ok(());
        }
        core.queue_in(peer, msg, false)
    }

    /// Refuses multipart messages (37-R56); otherwise round-robin over the
    /// peers with room, would-block when none (as DEALER).
    fn send(&mut self, core: &mut Core, msg: Message, pick: Pick) -> Result<(), Refused> {
        if msg.len() > 1 && !zmtp_spec::mutant!(ClientMultipart) {
            return Err((SendError::Multipart, None));
        }
        load_balance(core, msg, pick).map(|_| ())
    }

    /// Fair-queued.
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        fair_queue(core, pick)
    }

    fn send_choices(&self, core: &Core) -> Vec<PeerId> {
        core.send_choices()
    }

    fn can_send(&self, core: &Core) -> bool {
        core.can_send_any()
    }
}

#[cfg(test)]
mod tests;
