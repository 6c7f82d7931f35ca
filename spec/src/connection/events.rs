//! The connection's queue of events for its driver: messages kept apart
//! from the other events, so that a driver can take the messages queued
//! ahead of the next other event as one run ([`EventQueue::take_messages`])
//! while [`EventQueue::pop`] still gives every event in the order it
//! happened.

use std::collections::VecDeque;

use super::event::Event;
use crate::Message;

/// Events in order, messages apart.
#[derive(Debug, Default)]
pub(super) struct EventQueue {
    /// Messages from the peer, oldest first.
    messages: VecDeque<Message>,
    /// The other events, oldest first, each with the number of messages
    /// queued before it (counted from the first message ever queued).
    others: VecDeque<(u64, Event)>,
    /// How many messages were ever taken out of `messages`.
    taken: u64,
}

impl EventQueue {
    /// How many messages were ever queued.
    fn queued(&self) -> u64 {
        self.taken + self.messages.len() as u64
    }

    /// Queues an event after every event queued so far.
    pub(super) fn push(&mut self, event: Event) {
        match event {
            Event::Message(message) => self.push_message(message),
            other => {
                let at = self.queued();
                self.others.push_back((at, other));
            }
        }
    }

    /// Queues a message after every event queued so far.
    #[inline]
    pub(super) fn push_message(&mut self, message: Message) {
        self.messages.push_back(message);
    }

    /// The oldest event.
    pub(super) fn pop(&mut self) -> Option<Event> {
        if self.others.front().is_some_and(|(at, _)| *at == self.taken) || self.messages.is_empty()
        {
            return self.others.pop_front().map(|(_, event)| event);
        }
        self.taken += 1;
        self.messages.pop_front().map(Event::Message)
    }

    /// Moves the messages queued before the oldest other event to the back
    /// of `run`, oldest first, and returns how many. When `run` is empty
    /// and nothing else is queued, the two queues are swapped: no message
    /// is moved.
    pub(super) fn take_messages(&mut self, run: &mut VecDeque<Message>) -> usize {
        let n = match self.others.front() {
            // `at` lies between `taken` and `queued()`, so the difference
            // is at most `messages.len()`.
            Some((at, _)) => usize::try_from(*at - self.taken).unwrap_or(usize::MAX),
            None => self.messages.len(),
        }
        .min(self.messages.len());
        if n == 0 {
            return 0;
        }
        if run.is_empty() && n == self.messages.len() {
            core::mem::swap(run, &mut self.messages);
        } else {
            run.extend(self.messages.drain(..n));
        }
        self.taken += n as u64;
        n
    }
}

#[cfg(test)]
mod tests;
