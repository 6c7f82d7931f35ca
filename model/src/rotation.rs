//! Round-robin over peers, written once for both directions:
//!
//! - the **fair queue** takes the next message from the next peer, in turn,
//!   that has one (28-R12, 28-R30, 28-R37, 29-R21, 29-R32, 29-R41, 30-R18);
//! - the **load balancer** gives the next message to the next peer, in
//!   turn, whose queue is not full (28-R04, 28-R25, 28-R26, 30-R07, 30-R08).
//!
//! Peers join the rotation in the order they attach. After a peer is
//! chosen, the turn passes to the one after it, so a peer that always has
//! input cannot starve the others.

use crate::PeerId;

/// A rotation cursor over peers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Rotation {
    order: Vec<PeerId>,
    next: usize,
}

impl Rotation {
    /// Adds a peer at the end of the turn order.
    pub(crate) fn insert(&mut self, peer: PeerId) {
        if self.order.contains(&peer) {
            return;
        }
        if zmtp_spec::mutant!(NewestPeerFirst) {
            // Still a rotation: the newcomer simply takes the next turn.
            let at = self.next.min(self.order.len());
            self.order.insert(at, peer);
        } else {
            self.order.push(peer);
        }
    }

    /// Removes a peer; the turn stays with the peer that had it, or passes
    /// to the next one if it was the removed peer's.
    pub(crate) fn remove(&mut self, peer: PeerId) {
        if let Some(i) = self.order.iter().position(|p| *p == peer) {
            self.order.remove(i);
            if i < self.next {
                self.next -= 1;
            }
            if self.next >= self.order.len() {
                self.next = 0;
            }
        }
    }

    /// The first eligible peer from the one whose turn it is, without
    /// moving the turn.
    pub(crate) fn peek(&self, mut eligible: impl FnMut(PeerId) -> bool) -> Option<PeerId> {
        let n = self.order.len();
        (0..n)
            .map(|k| self.order[(self.next + k) % n])
            .find(|p| eligible(*p))
    }

    /// The first eligible peer from the one whose turn it is; the turn
    /// passes to the peer after it. One walk of the rotation, no
    /// allocation: the send and receive hot path.
    #[inline]
    pub(crate) fn pick(&mut self, mut eligible: impl FnMut(PeerId) -> bool) -> Option<PeerId> {
        let n = self.order.len();
        let mut i = self.next;
        for _ in 0..n {
            if i >= n {
                i = 0;
            }
            let peer = self.order[i];
            if eligible(peer) {
                self.next = if i + 1 == n { 0 } else { i + 1 };
                return Some(peer);
            }
            i += 1;
        }
        None
    }

    /// Whether some peer is eligible (the answer `peek(..).is_some()`
    /// gives, for pollers).
    pub(crate) fn any(&self, eligible: impl FnMut(PeerId) -> bool) -> bool {
        self.order.iter().copied().any(eligible)
    }

    /// Every eligible peer, in turn order from the current one: the choices
    /// a nondeterministic run may make.
    pub(crate) fn eligible(&self, mut eligible: impl FnMut(PeerId) -> bool) -> Vec<PeerId> {
        let n = self.order.len();
        (0..n)
            .map(|k| self.order[(self.next + k) % n])
            .filter(|p| eligible(*p))
            .collect()
    }

    /// Gives the turn back to the first peer (the oracle's states do not
    /// depend on whose turn it is: it explores every choice anyway).
    pub(crate) fn reset_turn(&mut self) {
        self.next = 0;
    }

    /// Passes the turn to the peer after `peer`.
    pub(crate) fn advance_past(&mut self, peer: PeerId) {
        if let Some(i) = self.order.iter().position(|p| *p == peer) {
            self.next = (i + 1) % self.order.len();
        }
    }
}

#[cfg(test)]
mod tests;
