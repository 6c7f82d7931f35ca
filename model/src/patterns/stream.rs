//! STREAM (libzmq's raw socket, no RFC): a ROUTER for peers that speak no
//! ZMTP. Each connection is a peer with a routing id of the socket's
//! choosing (a zero octet and a 32-bit counter, or the
//! CONNECT_ROUTING_ID of a connect), and the bytes it sends come in as
//! they arrive, tagged `[routing id, data]`; `[routing id, data]` sends
//! the data octets alone. With STREAM_NOTIFY (the default), the
//! application also reads `[routing id, ""]` when a connection comes up
//! and when it ends, after the data it brought. Sending `[routing id,
//! ""]` closes that connection: the peer is forgotten at once and what was
//! still queued for it is dropped, as libzmq's STREAM terminates its pipe
//! without delay. A connection never outlives itself: a connect endpoint
//! that connects again brings a new peer, with a new routing id and a new
//! connect notification. (90-R01..R11 in the requirement catalogue, section "libzmq STREAM".)

use std::collections::BTreeMap;

use bytes::Bytes;
use zmtp_spec::Message;

use super::{Behaviour, Refused};
use crate::core::{Core, Pick};
use crate::routing::RoutingTable;
use crate::{Backpressure, Event, PeerId, RecvError, SendError};

/// STREAM's state: its routing table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Stream {
    pub(crate) table: RoutingTable,
    /// The routing ids of ended connections whose data (and disconnect
    /// notification) is still unread: they tag it and route nothing.
    leaving: BTreeMap<PeerId, Bytes>,
}

/// The notification a STREAM reads when a connection comes or goes.
fn notification() -> Message {
    Message::from_frames([Bytes::new()])
}

impl Behaviour for Stream {
    fn keeps_queues_across_connections(&self) -> bool {
        false
    }

    /// Names the connection (90-R03): its CONNECT_ROUTING_ID, if the
    /// connect had one not in use, else a generated id; then the connect
    /// notification (90-R07).
    fn attached(&mut self, core: &mut Core, peer: PeerId) {
        if self.table.routing_id(peer).is_some() {
            return;
        }
        let alias = core
            .pipes
            .get(&peer)
            .and_then(|p| p.info.as_ref())
            .and_then(|i| i.alias.clone())
            .filter(|a| self.table.peer(a).is_none());
        let id = alias.unwrap_or_else(|| self.table.generate());
        self.table.insert(id, peer);
        if core.options.stream_notify {
            core.queue_in_unbounded(peer, notification());
        }
    }

    /// The disconnect notification follows the data (90-R08).
    fn lost(&mut self, core: &mut Core, peer: PeerId) {
        if core.options.stream_notify && self.table.routing_id(peer).is_some() {
            core.queue_in_unbounded(peer, notification());
        }
    }

    fn detaching(&mut self, _core: &mut Core, peer: PeerId) {
        self.table.remove(peer);
        self.leaving.remove(&peer);
    }

    fn departing(&mut self, _core: &mut Core, peer: PeerId) {
        if let Some(id) = self.table.remove(peer) {
            self.leaving.insert(peer, id);
        }
    }

    /// Raw octets, one chunk a message, as they arrived (90-R02).
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        core.queue_in(peer, msg, false)
    }

    /// `[routing id, data]`: the data to that connection (90-R04); an
    /// unknown id is `HostUnreachable` (90-R05); empty data closes the
    /// connection (90-R06); a full queue would block, the message
    /// given back whole.
    fn send(&mut self, core: &mut Core, mut msg: Message, _pick: Pick) -> Result<(), Refused> {
        match msg.len() {
            0 => return Err((SendError::EmptyMessage, None)),
            1 => return Err((SendError::HostUnreachable, None)),
            2 => {}
            _ => return Err((SendError::Multipart, None)),
        }
        let Some(id) = msg.pop_front() else {
            return Err((SendError::EmptyMessage, None));
        };
        let Some(peer) = self.table.peer(&id) else {
            return Err((SendError::HostUnreachable, None));
        };
        if msg.frames().first().is_some_and(Bytes::is_empty) {
            self.table.remove(peer);
            self.leaving.remove(&peer);
            core.remove_pipe(peer);
            core.events.push_back(Event::Disconnect(peer));
            return Ok(());
        }
        core.queue_out(peer, msg).map_err(|mut body| {
            body.push_front(id);
            (SendError::WouldBlock, Some(body))
        })
    }

    /// Fair-queued, tagged with the connection's routing id (90-R02).
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
        loop {
            let (peer, mut msg) = core.take_fair(pick).ok_or(RecvError::WouldBlock)?;
            let id = match self.table.routing_id(peer) {
                Some(id) => Some(id.clone()),
                None if core.knows(peer) => self.leaving.get(&peer).cloned(),
                None => self.leaving.remove(&peer),
            };
            if let Some(id) = id {
                msg.push_front(id);
                return Ok(msg);
            }
        }
    }

    /// Writable when some connection's queue has room.
    fn can_send(&self, core: &Core) -> bool {
        core.pipes.keys().any(|p| core.can_take(*p))
    }
}

#[cfg(test)]
mod tests;
