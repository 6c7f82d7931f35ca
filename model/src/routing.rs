//! ROUTER's routing table: a unique routing id per peer (28-R36).

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::PeerId;

/// Routing ids to peers and back.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RoutingTable {
    by_id: BTreeMap<Bytes, PeerId>,
    by_peer: BTreeMap<PeerId, Bytes>,
    next_generated: u32,
}

impl Default for RoutingTable {
    fn default() -> Self {
        Self {
            by_id: BTreeMap::new(),
            by_peer: BTreeMap::new(),
            next_generated: 1,
        }
    }
}

impl RoutingTable {
    /// The peer with this routing id.
    pub(crate) fn peer(&self, id: &[u8]) -> Option<PeerId> {
        self.by_id.get(id).copied()
    }

    /// The routing id of this peer.
    pub(crate) fn routing_id(&self, peer: PeerId) -> Option<&Bytes> {
        self.by_peer.get(&peer)
    }

    /// A fresh id for a peer that brought none: a zero octet and a 32-bit
    /// counter, as libzmq makes them (a leading zero is never a valid
    /// Identity, 37-R35, so it cannot clash with one).
    pub(crate) fn generate(&mut self) -> Bytes {
        loop {
            let n = self.next_generated;
            self.next_generated = self.next_generated.wrapping_add(1);
            let mut id = vec![0u8];
            id.extend_from_slice(&n.to_be_bytes());
            let id = Bytes::from(id);
            if !self.by_id.contains_key(&id) {
                return id;
            }
        }
    }

    /// Records `peer` under `id`; the caller has checked that `id` is free.
    pub(crate) fn insert(&mut self, id: Bytes, peer: PeerId) {
        self.by_id.insert(id.clone(), peer);
        self.by_peer.insert(peer, id);
    }

    /// Forgets a peer.
    pub(crate) fn remove(&mut self, peer: PeerId) -> Option<Bytes> {
        let id = self.by_peer.remove(&peer)?;
        self.by_id.remove(&id);
        Some(id)
    }
}

#[cfg(test)]
mod tests;
