//! PULL (RFC 30): fair-queues messages from its peers; never sends.

use std::collections::VecDeque;

use zmtp_spec::{Message, SocketType};

use super::{Behaviour, Refused, fair_queue, fair_queue_run};
use crate::core::{Core, Pick};
use crate::{PeerId, RecvError, SendError};

/// PULL has no state beyond the shared core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Pull;

impl Behaviour for Pull {
    /// Each message is queued unchanged, so a run is queued as one.
    fn messages(&mut self, core: &mut Core, peer: PeerId, run: &mut VecDeque<Message>) {
        core.queue_in_run(peer, run);
    }

    /// PULL only receives (30-R12).
    fn send(&mut self, _core: &mut Core, _msg: Message, _pick: Pick) -> Result<(), Refused> {
        Err((SendError::NotSupported(SocketType::Pull), None))
    }

    /// Fair-queued, unmodified (30-R13, 30-R18, 30-R19).
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        fair_queue(core, pick)
    }

    /// The plain fair queue, so a run comes from it in one step.
    fn recv_run(
        &mut self,
        core: &mut Core,
        out: &mut Vec<Message>,
        max: usize,
    ) -> Result<usize, RecvError> {
        fair_queue_run(core, out, max)
    }

    fn can_send(&self, _core: &Core) -> bool {
        false
    }
}

#[cfg(test)]
mod tests;
