//! ROUTER (RFC 28): tags each incoming message with its peer's routing id,
//! and routes each outgoing message by the routing id in its first frame.

use std::collections::VecDeque;

use std::collections::BTreeMap;

use bytes::Bytes;
use zmtp_spec::Message;

use super::{Behaviour, Refused};
use crate::core::{Core, Pick};
use crate::envelope::{prefix_routing_id, take_routing_id};
use crate::routing::RoutingTable;
use crate::{AttachError, Event, PeerId, PeerInfo, RecvError, SendError};

/// ROUTER's state: its routing table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Router {
    pub(crate) table: RoutingTable,
    /// The routing ids of departed peers whose messages are still unread:
    /// they tag those messages, and route nothing (28-R42).
    leaving: BTreeMap<PeerId, Bytes>,
}

/// The routing id a peer asks for: the CONNECT_ROUTING_ID alias, else its
/// Identity.
fn wanted_id(info: Option<&PeerInfo>) -> Option<Bytes> {
    let info = info?;
    if zmtp_spec::mutant!(RouterIgnoresIdentity) {
        return None;
    }
    info.alias.clone().or_else(|| info.routing_id.clone())
}

impl Behaviour for Router {
    /// Each message is queued unchanged, so a run is queued as one.
    fn messages(&mut self, core: &mut Core, peer: PeerId, run: &mut VecDeque<Message>) {
        core.queue_in_run(peer, run);
    }

    /// A routing id already in use is refused unless ROUTER_HANDOVER.
    fn admit(&self, core: &Core, peer: PeerId, info: Option<&PeerInfo>) -> Result<(), AttachError> {
        match wanted_id(info).and_then(|id| self.table.peer(&id)) {
            Some(other) if other != peer && !core.options.router_handover => {
                Err(AttachError::DuplicateRoutingId)
            }
            _ => Ok(()),
        }
    }

    /// Gives the peer its routing id (28-R36): the one it asked for, or a
    /// generated one. With ROUTER_HANDOVER, the peer that had it is
    /// dropped and the driver told to close it.
    fn attached(&mut self, core: &mut Core, peer: PeerId) {
        self.table.remove(peer);
        let id = match wanted_id(core.pipes.get(&peer).and_then(|p| p.info.as_ref())) {
            Some(id) => {
                if let Some(old) = self.table.peer(&id) {
                    self.table.remove(old);
                    core.remove_pipe(old);
                    core.events.push_back(Event::Disconnect(old));
                }
                id
            }
            None => self.table.generate(),
        };
        self.table.insert(id, peer);
    }

    /// With PROBE_ROUTER, an empty message goes to every new peer.
    fn created(&mut self, core: &mut Core, peer: PeerId) {
        if core.options.probe_router {
            core.queue_out_unbounded(peer, Message::from_frames([Bytes::new()]));
        }
    }

    fn detaching(&mut self, _core: &mut Core, peer: PeerId) {
        self.table.remove(peer);
        self.leaving.remove(&peer);
    }

    /// The routing id stops routing now; it still tags what the peer
    /// delivered.
    fn departing(&mut self, _core: &mut Core, peer: PeerId) {
        if let Some(id) = self.table.remove(peer) {
            self.leaving.insert(peer, id);
        }
    }

    /// The first frame names the destination and is not sent (28-R40); to
    /// that peer if it exists and has room (28-R41); otherwise dropped, or
    /// reported with ROUTER_MANDATORY (28-R42); never blocking (28-R43).
    fn send(&mut self, core: &mut Core, msg: Message, _pick: Pick) -> Result<(), Refused> {
        let (id, body) = take_routing_id(msg).ok_or((SendError::EmptyMessage, None))?;
        let mandatory =
            core.options.router_mandatory && !zmtp_spec::mutant!(RouterMandatoryIgnored);
        let Some(peer) = self.table.peer(&id) else {
            return if mandatory {
                Err((SendError::HostUnreachable, None))
            } else {
                Ok(())
            };
        };
        if body.is_empty() {
            return Ok(()); // a routing id alone: nothing to send
        }
        match core.queue_out(peer, body) {
            // Given back whole, routing id in front, to be offered again.
            Err(body) if mandatory => {
                Err((SendError::WouldBlock, Some(prefix_routing_id(id, body))))
            }
            _ => Ok(()),
        }
    }

    /// Fair-queued (28-R37), with the routing-id frame in front (28-R38,
    /// 28-R39).
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        loop {
            let (peer, msg) = core.take_fair(pick).ok_or(RecvError::WouldBlock)?;
            let id = match self.table.routing_id(peer) {
                Some(id) => Some(id.clone()),
                None if core.knows(peer) => self.leaving.get(&peer).cloned(),
                // That was a departed peer's last message.
                None => self.leaving.remove(&peer),
            };
            if let Some(id) = id {
                return Ok(prefix_routing_id(id, msg));
            }
        }
    }

    fn can_send(&self, _core: &Core) -> bool {
        true
    }
}

#[cfg(test)]
mod tests;
