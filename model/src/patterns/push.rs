//! PUSH (RFC 30): load-balances messages over its peers; never receives.

use zmtp_spec::{Message, SocketType};

use super::{Behaviour, Refused, load_balance};
use crate::core::{Core, Pick};
use crate::options::Fault;
use crate::{Backpressure, PeerId, RecvError};

/// PUSH has no state beyond the shared core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Push;

impl Behaviour for Push {
    /// PUSH only sends (30-R01): whatever a peer sends is discarded.
    fn message(
        &mut self,
        _core: &mut Core,
        _peer: PeerId,
        _msg: Message,
    ) -> Result<(), Backpressure> {
        Ok(())
    }

    /// Round-robin over peers whose queue is not full (30-R07, 30-R08);
    /// would-block when there is none, without discarding (30-R09..R11).
    fn send(&mut self, core: &mut Core, msg: Message, pick: Pick) -> Result<(), Refused> {
        // Only the seeded fault needs a second copy.
        let copy = (core.options.fault == Fault::PushDeliversTwice).then(|| msg.clone());
        let first = load_balance(core, msg, pick)?;
        if let Some(copy) = copy
            && let Some(second) = core.send_choices().into_iter().find(|p| *p != first)
        {
            let _ = core.queue_out(second, copy);
        }
        Ok(())
    }

    fn recv(&mut self, _core: &mut Core, _pick: Pick) -> Result<Message, RecvError> {
        Err(RecvError::NotSupported(SocketType::Push))
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
