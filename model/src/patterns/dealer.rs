//! DEALER (RFC 28): load-balances out, fair-queues in, changes nothing.

use std::collections::VecDeque;

use zmtp_spec::Message;

use super::{Behaviour, Refused, fair_queue, fair_queue_run, load_balance};
use crate::core::{Core, Pick};
use crate::{PeerId, RecvError};

/// DEALER has no state beyond the shared core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Dealer;

impl Behaviour for Dealer {
    /// Each message is queued unchanged, so a run is queued as one.
    fn messages(&mut self, core: &mut Core, peer: PeerId, run: &mut VecDeque<Message>) {
        core.queue_in_run(peer, run);
    }

    /// With PROBE_ROUTER, an empty message goes to every new peer.
    fn created(&mut self, core: &mut Core, peer: PeerId) {
        if core.options.probe_router {
            core.queue_out_unbounded(peer, Message::from_frames([bytes::Bytes::new()]));
        }
    }

    /// Round-robin over available peers (28-R25, 28-R26); would-block when
    /// none, keeping the message (28-R27..R29); unmodified (28-R20).
    fn send(&mut self, core: &mut Core, msg: Message, pick: Pick) -> Result<(), Refused> {
        load_balance(core, msg, pick).map(|_| ())
    }

    /// Fair-queued, unmodified (28-R30, 28-R31).
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
