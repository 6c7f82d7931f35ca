//! DISH (RFC 48, draft): joins groups and receives the messages of the
//! groups it joined. The machine speaks in two-frame messages,
//! `[group, body]`, as they come from the wire (G15).
//!
//! [`Socket::join`](crate::Socket::join) sends JOIN to every peer, and to
//! every peer that attaches later (37-R53);
//! [`Socket::leave`](crate::Socket::leave) sends LEAVE (37-R54). Messages
//! are filtered here too, by exact group match: a RADIO that does not
//! check (or a message sent before our LEAVE reached it) cannot deliver
//! a group we are not in. Over datagrams (libzmq's udp) that filter is
//! the only one: a datagram peer is told no JOIN or LEAVE (48-R35).

use std::collections::BTreeSet;

use bytes::Bytes;
use zmtp_spec::{Message, SocketType};

use super::group::valid_group;
use super::{Behaviour, Refused};
use crate::core::{Core, Pick};
use crate::{Backpressure, OptionError, Outgoing, PeerId, RecvError, SendError};

/// DISH's state: the groups it joined.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Dish {
    pub(crate) groups: BTreeSet<Bytes>,
}

/// Whether a peer takes JOIN and LEAVE: every peer but a datagram one
/// (48-R35).
fn takes_commands(core: &Core, peer: PeerId) -> bool {
    core.pipes
        .get(&peer)
        .and_then(|p| p.info.as_ref())
        .is_none_or(|i| !i.is_datagram())
}

fn tell_all(core: &mut Core, item: &Outgoing) {
    for peer in core.peer_ids() {
        if takes_commands(core, peer) {
            core.queue_control(peer, item.clone());
        }
    }
}

/// Whether a message is `[group, body]` with a group we joined.
fn wanted(groups: &BTreeSet<Bytes>, msg: &Message) -> bool {
    match msg.frames() {
        [group, _body] => groups.contains(group),
        _ => false,
    }
}

impl Dish {
    /// Joins a group: JOIN to every peer (37-R53). A group already joined,
    /// or not 0-255 non-zero octets, is refused (libzmq EINVAL).
    pub(crate) fn join(&mut self, core: &mut Core, group: Bytes) -> Result<(), OptionError> {
        if !valid_group(&group) || self.groups.contains(&group) {
            return Err(OptionError::InvalidValue("ZMQ_JOIN"));
        }
        self.groups.insert(group.clone());
        if !zmtp_spec::mutant!(DishJoinNotSent) {
            tell_all(core, &Outgoing::Join(group));
        }
        Ok(())
    }

    /// Leaves a group: LEAVE to every peer (37-R54); messages of the group
    /// already queued are discarded. A group not joined is refused
    /// (libzmq EINVAL).
    pub(crate) fn leave(&mut self, core: &mut Core, group: Bytes) -> Result<(), OptionError> {
        if !self.groups.remove(&group) {
            return Err(OptionError::InvalidValue("ZMQ_LEAVE"));
        }
        tell_all(core, &Outgoing::Leave(group));
        let groups = &self.groups;
        core.retain_input(|m| wanted(groups, m));
        Ok(())
    }
}

impl Behaviour for Dish {
    /// A new pipe (a radio that attached, or a connect still pending) is
    /// told every group first (37-R53). JOIN and LEAVE made while a connect
    /// is pending queue after these, in order, as libzmq's pipes keep them.
    fn created(&mut self, core: &mut Core, peer: PeerId) {
        if !takes_commands(core, peer) {
            return;
        }
        for group in &self.groups {
            core.queue_control(peer, Outgoing::Join(group.clone()));
        }
    }

    /// A radio reconnecting is told every group again, once: what was
    /// queued for the lost connection is replaced.
    fn suspended(&mut self, core: &mut Core, peer: PeerId) {
        let Some(pipe) = core.pipes.get_mut(&peer) else {
            return;
        };
        pipe.drop_out_control();
        for group in self.groups.iter().rev() {
            pipe.outbound.push_front(Outgoing::Join(group.clone()));
        }
    }

    /// Keeps `[group, body]` messages of a joined group; drops anything
    /// else, and drops when the radio's queue is full (RFC 48).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if !wanted(&self.groups, &msg) {
            return Ok(());
        }
        core.queue_in(peer, msg, true)
    }

    /// DISH never sends.
    fn send(&mut self, _core: &mut Core, _msg: Message, _pick: Pick) -> Result<(), Refused> {
        Err((SendError::NotSupported(SocketType::Dish), None))
    }

    /// Fair-queued, `[group, body]` as it came (RFC 48).
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        core.take_fair(pick)
            .map(|(_, m)| m)
            .ok_or(RecvError::WouldBlock)
    }

    fn can_send(&self, _core: &Core) -> bool {
        false
    }
}

#[cfg(test)]
mod tests;
