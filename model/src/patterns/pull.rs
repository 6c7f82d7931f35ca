//! PULL (RFC 30): fair-queues messages from its peers; never sends.

use zmtp_spec::{Message, SocketType};

use super::{Behaviour, Refused, fair_queue};
use crate::core::{Core, Pick};
use crate::{RecvError, SendError};

/// PULL has no state beyond the shared core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Pull;

impl Behaviour for Pull {
    /// PULL only receives (30-R12).
    fn send(&mut self, _core: &mut Core, _msg: Message, _pick: Pick) -> Result<(), Refused> {
        Err((SendError::NotSupported(SocketType::Pull), None))
    }

    /// Fair-queued, unmodified (30-R13, 30-R18, 30-R19).
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        fair_queue(core, pick)
    }

    fn can_send(&self, _core: &Core) -> bool {
        false
    }
}

#[cfg(test)]
mod tests;
