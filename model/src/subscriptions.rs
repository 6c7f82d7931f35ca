//! The subscription set with counts, written once for PUB and XPUB (one per
//! peer) and for SUB and XSUB (their own).
//!
//! A topic matches every message whose first frame starts with it
//! (37-R48, 29-R08); the empty topic matches everything (37-R49).
//! Subscriptions add up (37-R50) and are counted, not idempotent: two
//! subscribes to a topic need two cancels (37-R51).

use std::collections::BTreeMap;

use bytes::Bytes;

/// Topics with their subscription counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Subscriptions {
    counts: BTreeMap<Bytes, u32>,
}

impl Subscriptions {
    /// An empty set: matches nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one subscription to `topic`; returns its new count (1 when the
    /// topic is new).
    pub fn add(&mut self, topic: Bytes) -> u32 {
        let count = self.counts.entry(topic).or_insert(0);
        *count = count.saturating_add(1);
        *count
    }

    /// Removes one subscription to `topic`; returns its remaining count
    /// (0 when it was the last), or `None` if there was none to remove.
    pub fn remove(&mut self, topic: &[u8]) -> Option<u32> {
        let count = self.counts.get_mut(topic)?;
        *count -= 1;
        let left = *count;
        if left == 0 || zmtp_spec::mutant!(SubFiltersNotCounted) {
            self.counts.remove(topic);
        }
        Some(left)
    }

    /// Whether some subscribed topic is a prefix of `data` (the first frame
    /// of a message; an empty slice for a message with no frames).
    pub fn matches(&self, data: &[u8]) -> bool {
        // Look up each prefix of `data`: O(len * log n), independent of how
        // many topics do not match.
        if zmtp_spec::mutant!(SubPrefixExact) {
            return self.counts.contains_key(data) || self.counts.contains_key(&[][..]);
        }
        (0..=data.len()).any(|n| self.counts.contains_key(&data[..n]))
    }

    /// The count of `topic` (0 if not subscribed).
    pub fn count(&self, topic: &[u8]) -> u32 {
        self.counts.get(topic).copied().unwrap_or(0)
    }

    /// Every topic with its count, in byte order.
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, u32)> {
        self.counts.iter().map(|(t, c)| (t, *c))
    }

    /// The number of distinct topics.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether there is no subscription.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The sum of all counts.
    pub fn total(&self) -> u64 {
        self.counts.values().map(|c| u64::from(*c)).sum()
    }
}

#[cfg(test)]
mod tests;
