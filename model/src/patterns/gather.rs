//! GATHER (RFC 49, draft): a thread-safe PULL for single-part messages.
//! Fair-queued in (49-R23); a multipart message from the wire is
//! discarded whole (49-R25, 37-R57); it never sends (49-R16).

use zmtp_spec::{Message, SocketType};

use super::{Behaviour, Refused, fair_queue};
use crate::core::{Core, Pick};
use crate::{Backpressure, PeerId, RecvError, SendError};

/// GATHER has no state beyond the shared core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Gather;

impl Behaviour for Gather {
    /// Single-part messages only; multipart ones are dropped (49-R25).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if msg.len() != 1 {
            return Ok(());
        }
        core.queue_in(peer, msg, false)
    }

    /// GATHER only receives (49-R16).
    fn send(&mut self, _core: &mut Core, _msg: Message, _pick: Pick) -> Result<(), Refused> {
        Err((SendError::NotSupported(SocketType::Gather), None))
    }

    /// Fair-queued, unmodified (49-R17, 49-R23, 49-R24).
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        fair_queue(core, pick)
    }

    fn can_send(&self, _core: &Core) -> bool {
        false
    }
}

#[cfg(test)]
mod tests;
