//! SERVER (RFC 41, draft): a thread-safe ROUTER for single-part messages,
//! and PEER (RFC 51, draft), the same machine on both ends of a
//! connection.
//!
//! Each peer gets a 32-bit routing id (never 0) when it attaches. The
//! machine speaks in two-frame messages, as ROUTER does: `recv` gives
//! `[routing id, body]` and `send` takes `[routing id, body]`, the id as
//! four octets in network order; only the body crosses the wire. A
//! multipart message from the wire is discarded (37-R57); a send with more
//! than one body frame is refused (37-R56).

use std::collections::BTreeMap;

use zmtp_spec::Message;

use super::{Behaviour, Refused};
use crate::core::{Core, Pick};
use crate::{Backpressure, PeerId, RecvError, SendError};

/// SERVER's state: the routing ids it gave its peers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Server {
    by_id: BTreeMap<u32, PeerId>,
    by_peer: BTreeMap<PeerId, u32>,
    /// The routing ids of departed peers whose messages are still unread:
    /// they tag those messages and route nothing.
    leaving: BTreeMap<PeerId, u32>,
    next: u32,
    /// When a peer gets its routing id.
    naming: Naming,
}

/// When SERVER and PEER name a peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Naming {
    /// When its handshake is done (SERVER).
    OnAttach,
    /// When its pipe is created, at a connect or an accepted handshake
    /// (PEER: 51-R09).
    OnCreate,
}

impl Default for Server {
    fn default() -> Self {
        Self::new(Naming::OnAttach)
    }
}

pub(crate) use crate::tagging::{frame_routing_id as frame_id, routing_id_frame as id_frame};

impl Server {
    /// A SERVER (`OnAttach`) or PEER (`OnCreate`) machine.
    pub(crate) fn new(naming: Naming) -> Self {
        Self {
            by_id: BTreeMap::new(),
            by_peer: BTreeMap::new(),
            leaving: BTreeMap::new(),
            next: 1,
            naming,
        }
    }

    /// Gives `peer` a fresh routing id unless it has one.
    fn name(&mut self, peer: PeerId) {
        if self.by_peer.contains_key(&peer) {
            return;
        }
        let id = self.generate();
        self.by_id.insert(id, peer);
        self.by_peer.insert(peer, id);
    }

    /// The routing id of a peer.
    pub(crate) fn routing_id(&self, peer: PeerId) -> Option<u32> {
        self.by_peer.get(&peer).copied()
    }

    /// The peer with a routing id.
    pub(crate) fn peer(&self, id: u32) -> Option<PeerId> {
        self.by_id.get(&id).copied()
    }

    /// A fresh id: the counter's next value that is neither 0 nor in use
    /// (by a live peer, or tagging a departed one's unread messages).
    fn generate(&mut self) -> u32 {
        loop {
            let id = self.next;
            self.next = self.next.wrapping_add(1);
            if id != 0 && !self.by_id.contains_key(&id) && !self.leaving.values().any(|l| *l == id)
            {
                return id;
            }
        }
    }

    fn forget(&mut self, peer: PeerId) {
        if let Some(id) = self.by_peer.remove(&peer) {
            self.by_id.remove(&id);
        }
    }
}

impl Behaviour for Server {
    /// A peer keeps its id across a reconnect of the same pipe; a new
    /// peer gets a fresh one.
    fn attached(&mut self, _core: &mut Core, peer: PeerId) {
        self.name(peer);
    }

    /// PEER names a peer as soon as its pipe exists (51-R09).
    fn created(&mut self, _core: &mut Core, peer: PeerId) {
        if self.naming == Naming::OnCreate {
            self.name(peer);
        }
    }

    fn detaching(&mut self, _core: &mut Core, peer: PeerId) {
        self.forget(peer);
        self.leaving.remove(&peer);
    }

    /// The routing id stops routing now; it still tags what the peer
    /// delivered.
    fn departing(&mut self, _core: &mut Core, peer: PeerId) {
        if let Some(id) = self.by_peer.remove(&peer) {
            self.by_id.remove(&id);
            self.leaving.insert(peer, id);
        }
    }

    /// Single-part messages only; multipart ones are dropped (37-R57).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if msg.len() != 1 && !zmtp_spec::mutant!(ServerMultipart) {
            return Ok(());
        }
        core.queue_in(peer, msg, false)
    }

    /// `[routing id, body]`: the body goes to that peer only. An unknown or
    /// malformed id is `HostUnreachable` (libzmq EHOSTUNREACH); more than
    /// one body frame is `Multipart` (37-R56); a full queue would block,
    /// the message given back whole (RFC 41: SERVER blocks or errors).
    fn send(&mut self, core: &mut Core, mut msg: Message, _pick: Pick) -> Result<(), Refused> {
        match msg.len() {
            0 => return Err((SendError::EmptyMessage, None)),
            1 => return Err((SendError::HostUnreachable, None)),
            2 => {}
            _ => return Err((SendError::Multipart, None)),
        }
        let Some(id_bytes) = msg.pop_front() else {
            return Err((SendError::EmptyMessage, None));
        };
        let Some(peer) = frame_id(&id_bytes).and_then(|id| self.peer(id)) else {
            return Err((SendError::HostUnreachable, None));
        };
        core.queue_out(peer, msg).map_err(|mut body| {
            body.push_front(id_bytes);
            (SendError::WouldBlock, Some(body))
        })
    }

    /// Fair-queued, tagged with the peer's routing id.
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        loop {
            let (peer, mut msg) = core.take_fair(pick).ok_or(RecvError::WouldBlock)?;
            let id = match self.routing_id(peer) {
                Some(id) => Some(id),
                None if core.knows(peer) => self.leaving.get(&peer).copied(),
                // That was a departed peer's last message.
                None => self.leaving.remove(&peer),
            };
            if let Some(id) = id {
                msg.push_front(id_frame(id));
                return Ok(msg);
            }
        }
    }

    /// Writable when some peer's queue has room (a send to a full one
    /// would block).
    fn can_send(&self, core: &Core) -> bool {
        self.by_peer.keys().any(|p| core.can_take(*p))
    }
}

#[cfg(test)]
mod tests;
