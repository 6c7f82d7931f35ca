//! Sending and receiving many messages per call: one lock of the socket
//! and one wake-up of each connection's task for the whole batch.
//!
//! A batch changes the cost, not the semantics: the pattern machine sees
//! the same sequence of sends (or receives) as that many calls of
//! [`Socket::try_send`] (or [`Socket::try_recv`]) made one after the
//! other with nothing in between, so load balancing, fair queueing, the
//! high-water marks and the pattern's state (REQ, REP) apply to each
//! message exactly as they would one call at a time.

use std::collections::VecDeque;

use zmtp_model::SendError;
use zmtp_spec::Message;

use super::Socket;
use super::io::{never_waits, recv_refused, send_refused, with_timeout};
use crate::error::{Error, InvalidMessage, Result};

impl Socket {
    /// Sends messages from the front of `batch`, in order, until one
    /// cannot be taken now; returns how many were sent (they are gone
    /// from `batch`, and what could not be sent stays at its front).
    ///
    /// # Errors
    /// [`Error::WouldBlock`] when not even the first message can be taken
    /// now. Any other refusal of [`Socket::try_send`] for the message it
    /// names: the messages before it were sent, that one is dropped from
    /// the batch (as `try_send` drops it), the rest stay.
    pub fn try_send_batch(&self, batch: &mut VecDeque<Message>) -> Result<usize> {
        let mut core = self.shared.lock();
        if core.closing {
            return Err(Error::Closed);
        }
        let mut sent = 0;
        let mut refused = None;
        while let Some(message) = batch.pop_front() {
            if message.is_empty() {
                refused = Some(Error::InvalidMessage(InvalidMessage::NoFrames));
                break;
            }
            match core.pattern.send(message) {
                Ok(()) => sent += 1,
                Err((SendError::WouldBlock, back)) => {
                    if let Some(m) = back {
                        batch.push_front(m);
                    }
                    break;
                }
                Err((e, _)) => {
                    refused = Some(send_refused(self.shared.socket_type, e));
                    break;
                }
            }
        }
        // One wake-up for the batch: the machine named each peer that got
        // output into an empty queue.
        if sent > 0 {
            core.dispatch();
        }
        drop(core);
        match refused {
            Some(e) => Err(e),
            None if sent == 0 && !batch.is_empty() => Err(Error::WouldBlock),
            None => Ok(sent),
        }
    }

    /// Sends every message of `batch`, in order, taking as many per lock
    /// as the peers can; waits while none can be taken, at most SNDTIMEO
    /// each time.
    ///
    /// Cancellation-safe: if the future is dropped, the messages not yet
    /// sent are still in `batch`.
    ///
    /// # Errors
    /// As [`Socket::send`]; on an error the messages sent are gone from
    /// `batch` and the rest stay (as [`Socket::try_send_batch`]).
    pub async fn send_batch(&self, batch: &mut VecDeque<Message>) -> Result<()> {
        let timeout = self.shared.lock().options.sndtimeo;
        loop {
            let notified = self.shared.writable.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.try_send_batch(batch) {
                Ok(_) if batch.is_empty() => {
                    if never_waits(self.shared.socket_type) {
                        // As in `send`: let the connections' tasks on this
                        // thread run.
                        tokio::task::consume_budget().await;
                    }
                    return Ok(());
                }
                Ok(_) | Err(Error::WouldBlock) => {}
                Err(e) => return Err(e),
            }
            with_timeout(timeout, async {
                notified.await;
                Ok(())
            })
            .await?;
        }
    }

    /// Receives up to `max` messages that are waiting, appending them to
    /// `out` in the order single receives would return them; returns how
    /// many.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] when none is waiting; as [`Socket::try_recv`]
    /// when the first receive is refused (a later refusal, such as REQ's
    /// after its one reply, ends the batch instead).
    pub fn try_recv_batch(&self, out: &mut Vec<Message>, max: usize) -> Result<usize> {
        if max == 0 {
            return Ok(0);
        }
        let mut core = self.shared.lock();
        let got = match core.pattern.recv_messages(out, max) {
            Ok(got) => got,
            Err(e) => {
                if core.closing {
                    return Err(Error::Closed);
                }
                return Err(recv_refused(self.shared.socket_type, e));
            }
        };
        // As after a receive: room again (RCVHWM), or a sender may go on.
        let send_allowed = core.dispatch();
        drop(core);
        if send_allowed {
            self.shared.writable.notify_waiters();
        }
        Ok(got)
    }

    /// Receives at least one message and up to `max`, waiting for the
    /// first at most RCVTIMEO; appends them to `out` and returns how many.
    ///
    /// Cancellation-safe: messages are taken only in the poll that
    /// returns them.
    ///
    /// # Errors
    /// As [`Socket::recv`].
    pub async fn recv_batch(&self, out: &mut Vec<Message>, max: usize) -> Result<usize> {
        match self.try_recv_batch(out, max) {
            Err(Error::WouldBlock) => {}
            other => return other,
        }
        let timeout = self.shared.lock().options.rcvtimeo;
        with_timeout(timeout, async {
            loop {
                let notified = self.shared.readable.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                match self.try_recv_batch(out, max) {
                    Err(Error::WouldBlock) => {}
                    other => return other,
                }
                notified.await;
            }
        })
        .await
    }
}
