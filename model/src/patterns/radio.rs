//! RADIO (RFC 48, draft): sends each message to the peers that joined its
//! group. The machine speaks in two-frame messages, `[group, body]`,
//! which is also their form on the wire (G15: the group frame with MORE,
//! then the body).
//!
//! Over ZMTP the group membership is checked here, at the RADIO side
//! (37-R52): each peer's groups come from its JOIN and LEAVE commands,
//! counted, matched exactly (RFC 48). A datagram peer (libzmq's udp)
//! sends no JOIN: it takes every group, and the DISH behind it filters
//! (48-R35).

use bytes::Bytes;
use zmtp_spec::{Message, SocketType};

use super::group::valid_group;
use super::{Behaviour, Refused};
use crate::core::{Core, Pick};
use crate::{Backpressure, PeerId, PeerInfo, RecvError, SendError};

/// RADIO keeps each peer's groups in its pipe (`Pipe::subscriptions`,
/// counted); it has no state of its own.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Radio;

impl Behaviour for Radio {
    /// A reconnecting peer joins its groups again.
    fn suspended(&mut self, core: &mut Core, peer: PeerId) {
        if let Some(pipe) = core.pipes.get_mut(&peer) {
            pipe.subscriptions = Default::default();
        }
    }

    /// Messages from dishes are discarded (RFC 48).
    fn message(&mut self, _: &mut Core, _: PeerId, _: Message) -> Result<(), Backpressure> {
        Ok(())
    }

    /// JOIN from a peer (37-R53).
    fn join(&mut self, core: &mut Core, peer: PeerId, group: Bytes) {
        if let Some(pipe) = core.pipes.get_mut(&peer) {
            pipe.subscriptions.add(group);
        }
    }

    /// LEAVE from a peer (37-R54); a group it never joined is ignored.
    fn leave(&mut self, core: &mut Core, peer: PeerId, group: Bytes) {
        if let Some(pipe) = core.pipes.get_mut(&peer) {
            pipe.subscriptions.remove(&group);
        }
    }

    /// `[group, body]` to every peer that joined the group (exact match,
    /// 37-R52), and to every datagram peer (48-R35), that has room; a full peer misses it; never blocks (RFC 48).
    /// One body frame only (37-R56); a group is 0-255 non-zero octets.
    fn send(&mut self, core: &mut Core, msg: Message, _pick: Pick) -> Result<(), Refused> {
        match msg.len() {
            0 => return Err((SendError::EmptyMessage, None)),
            1 => return Err((SendError::InvalidGroup, None)),
            2 => {}
            _ => return Err((SendError::Multipart, None)),
        }
        let group = msg.frames()[0].clone();
        if !valid_group(&group) {
            return Err((SendError::InvalidGroup, None));
        }
        core.queue_out_all(&msg, |pipe| {
            pipe.subscriptions.count(&group) > 0
                || pipe.info.as_ref().is_some_and(PeerInfo::is_datagram)
                || zmtp_spec::mutant!(RadioIgnoresGroups)
        });
        Ok(())
    }

    /// RADIO never receives.
    fn recv(&mut self, _core: &mut Core, _pick: Pick) -> Result<Message, RecvError> {
        Err(RecvError::NotSupported(SocketType::Radio))
    }

    fn recv_choices(&self, _core: &Core) -> Vec<PeerId> {
        Vec::new()
    }

    fn can_recv(&self, _core: &Core) -> bool {
        false
    }

    fn can_send(&self, _core: &Core) -> bool {
        true
    }
}

#[cfg(test)]
mod tests;
