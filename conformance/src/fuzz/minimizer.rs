//! Delta debugging (Zeller's ddmin) of a failing mutation list, as a
//! sans-IO machine: [`Ddmin::candidate`] gives the next list to try,
//! [`Ddmin::report`] takes whether it still fails, so the caller runs each
//! trial however it likes (a live session, here; a closure in a test,
//! [`minimize`]).
//!
//! The empty list is tried first: a failure that needs no mutation at all
//! (zmq.rs closing on something every session does) shrinks to nothing.

use std::collections::VecDeque;

/// The minimizer's state.
#[derive(Debug)]
pub struct Ddmin<T> {
    current: Vec<T>,
    granularity: usize,
    /// The round's candidates, each marked as a chunk (true) or a
    /// complement (false).
    round: VecDeque<(Vec<T>, bool)>,
    trying: Option<(Vec<T>, bool)>,
    /// The current list changed since the last round was planned.
    fresh: bool,
    trials: usize,
    budget: usize,
    done: bool,
}

impl<T: Clone> Ddmin<T> {
    /// Minimizes `failing` (a list that fails) in at most `budget` trials.
    pub fn new(failing: Vec<T>, budget: usize) -> Self {
        let mut round = VecDeque::new();
        if !failing.is_empty() {
            round.push_back((Vec::new(), true));
        }
        Self {
            current: failing,
            granularity: 2,
            round,
            trying: None,
            fresh: true,
            trials: 0,
            budget,
            done: false,
        }
    }

    /// The next list to try, or `None` when the minimizer is done.
    pub fn candidate(&mut self) -> Option<Vec<T>> {
        if self.done || self.trials >= self.budget {
            return None;
        }
        if self.round.is_empty() && !self.plan_round() {
            self.done = true;
            return None;
        }
        let candidate = self.round.pop_front()?;
        self.trials += 1;
        let list = candidate.0.clone();
        self.trying = Some(candidate);
        Some(list)
    }

    /// Whether the list [`Ddmin::candidate`] gave last still fails.
    pub fn report(&mut self, fails: bool) {
        let Some((tried, chunk)) = self.trying.take() else {
            return;
        };
        if fails {
            self.current = tried;
            self.round.clear();
            self.fresh = true;
            self.granularity = if chunk {
                2
            } else {
                self.granularity.saturating_sub(1).max(2)
            };
            if self.current.is_empty() {
                self.done = true;
            }
        }
    }

    /// The smallest failing list found so far.
    pub fn result(&self) -> &[T] {
        &self.current
    }

    /// How many trials were run.
    pub fn trials(&self) -> usize {
        self.trials
    }

    /// Fills the next round: the chunks of the current granularity, then
    /// their complements. False when no finer cut is left.
    fn plan_round(&mut self) -> bool {
        let len = self.current.len();
        if len <= 1 {
            // Only the empty list is smaller, and it was tried first.
            return false;
        }
        if !self.fresh {
            // A whole round passed without a smaller failing list.
            if self.granularity >= len {
                return false;
            }
            self.granularity = (self.granularity * 2).min(len);
        }
        self.fresh = false;
        let n = self.granularity.min(len);
        let chunks = chunks(len, n);
        for &(from, to) in &chunks {
            self.round
                .push_back((self.current[from..to].to_vec(), true));
        }
        if n > 2 {
            for &(from, to) in &chunks {
                let mut rest = self.current[..from].to_vec();
                rest.extend_from_slice(&self.current[to..]);
                self.round.push_back((rest, false));
            }
        }
        true
    }
}

/// `len` items in `n` nearly equal chunks, as `(from, to)` ranges.
fn chunks(len: usize, n: usize) -> Vec<(usize, usize)> {
    let n = n.max(1);
    (0..n)
        .map(|i| (i * len / n, (i + 1) * len / n))
        .filter(|(a, b)| a < b)
        .collect()
}

/// Minimizes `failing` with `fails` as the test, in at most `budget`
/// trials.
pub fn minimize<T: Clone>(
    failing: Vec<T>,
    budget: usize,
    mut fails: impl FnMut(&[T]) -> bool,
) -> Vec<T> {
    let mut d = Ddmin::new(failing, budget);
    while let Some(c) = d.candidate() {
        let f = fails(&c);
        d.report(f);
    }
    d.result().to_vec()
}
