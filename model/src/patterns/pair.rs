//! PAIR (RFC 31): one peer, both directions, nothing changed.

use std::collections::VecDeque;

use zmtp_spec::Message;

use super::{Behaviour, Refused, fair_queue, fair_queue_run, load_balance};
use crate::core::{Core, Pick};
use crate::{AttachError, PeerId, PeerInfo, RecvError};

/// PAIR has no state beyond the shared core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Pair;

impl Behaviour for Pair {
    /// Each message is queued unchanged, so a run is queued as one.
    fn messages(&mut self, core: &mut Core, peer: PeerId, run: &mut VecDeque<Message>) {
        core.queue_in_run(peer, run);
    }

    /// A second peer is refused while the first is attached (31-R10).
    fn admit(
        &self,
        core: &Core,
        peer: PeerId,
        _info: Option<&PeerInfo>,
    ) -> Result<(), AttachError> {
        if core.pipes.keys().any(|p| *p != peer) && !zmtp_spec::mutant!(PairSecondPeer) {
            Err(AttachError::PairBusy)
        } else {
            Ok(())
        }
    }

    /// To the one peer while its queue has room (31-R06); would-block
    /// otherwise, keeping the message (31-R07..R09).
    fn send(&mut self, core: &mut Core, msg: Message, pick: Pick) -> Result<(), Refused> {
        load_balance(core, msg, pick).map(|_| ())
    }

    /// From the one peer (31-R11).
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

    fn send_choices(&self, core: &Core) -> Vec<PeerId> {
        core.send_choices()
    }

    fn can_send(&self, core: &Core) -> bool {
        core.can_send_any()
    }
}

#[cfg(test)]
mod tests;
