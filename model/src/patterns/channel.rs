//! CHANNEL (RFC 52, draft): a thread-safe PAIR for single-part messages.
//! One peer at a time (52-R14), both directions, nothing changed
//! (52-R03); a multipart message is refused on send (52-R13, 37-R56) and
//! discarded when it comes from the wire (52-R16, 37-R57).

use zmtp_spec::Message;

use super::{Behaviour, Refused, fair_queue, load_balance};
use crate::core::{Core, Pick};
use crate::{AttachError, Backpressure, PeerId, PeerInfo, RecvError, SendError};

/// CHANNEL has no state beyond the shared core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Channel;

impl Behaviour for Channel {
    /// A second peer is refused while the first has a pipe (52-R14).
    fn admit(
        &self,
        core: &Core,
        peer: PeerId,
        _info: Option<&PeerInfo>,
    ) -> Result<(), AttachError> {
        if core.pipes.keys().any(|p| *p != peer) {
            Err(AttachError::PairBusy)
        } else {
            Ok(())
        }
    }

    /// Single-part messages only; multipart ones are dropped (52-R16).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if msg.len() != 1 {
            return Ok(());
        }
        core.queue_in(peer, msg, false)
    }

    /// To the one peer while its queue has room (52-R09); would-block
    /// otherwise, the message given back (52-R10..R12); multipart refused
    /// (52-R13).
    fn send(&mut self, core: &mut Core, msg: Message, pick: Pick) -> Result<(), Refused> {
        if msg.len() > 1 {
            return Err((SendError::Multipart, None));
        }
        load_balance(core, msg, pick).map(|_| ())
    }

    /// From the one peer (52-R15).
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
