//! SCATTER (RFC 49, draft): a thread-safe PUSH for single-part messages.
//! Round-robin over the peers whose queue has room (49-R10, 49-R11); a
//! multipart message is refused (49-R02, 49-R15, 37-R56); it never
//! receives (49-R03), so whatever a peer sends is discarded.

use zmtp_spec::{Message, SocketType};

use super::{Behaviour, Refused, load_balance};
use crate::core::{Core, Pick};
use crate::{Backpressure, PeerId, RecvError, SendError};

/// SCATTER has no state beyond the shared core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Scatter;

impl Behaviour for Scatter {
    /// SCATTER only sends (49-R03).
    fn message(
        &mut self,
        _core: &mut Core,
        _peer: PeerId,
        _msg: Message,
    ) -> Result<(), Backpressure> {
        Ok(())
    }

    /// Single-part only (49-R15); otherwise as PUSH: would-block with
    /// the message given back when no peer has room (49-R12..R14).
    fn send(&mut self, core: &mut Core, msg: Message, pick: Pick) -> Result<(), Refused> {
        if msg.len() > 1 {
            return Err((SendError::Multipart, None));
        }
        load_balance(core, msg, pick).map(|_| ())
    }

    fn recv(&mut self, _core: &mut Core, _pick: Pick) -> Result<Message, RecvError> {
        Err(RecvError::NotSupported(SocketType::Scatter))
    }

    fn send_choices(&self, core: &Core) -> Vec<PeerId> {
        core.send_choices()
    }

    fn recv_choices(&self, _core: &Core) -> Vec<PeerId> {
        Vec::new()
    }

    fn can_send(&self, core: &Core) -> bool {
        core.can_send_any()
    }

    fn can_recv(&self, _core: &Core) -> bool {
        false
    }
}

#[cfg(test)]
mod tests;
