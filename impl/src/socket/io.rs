//! Sending and receiving: async (cancellation-safe), non-blocking and
//! blocking, with SNDTIMEO and RCVTIMEO.

use core::future::Future;
use core::time::Duration;

use zmtp_model::{RecvError, SendError};
use zmtp_spec::{Message, SocketType};

use super::Socket;
use crate::error::{Error, InvalidMessage, InvalidState, Result};
use crate::runtime::block_on;

impl Socket {
    /// Sends a whole message (37-R41), waiting while no peer can take it
    /// (no peer yet, or every queue at SNDHWM), at most SNDTIMEO.
    ///
    /// Cancellation-safe: if the future is dropped before it completes,
    /// the message was not sent.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the pattern forbids a send now (REQ
    /// awaiting its reply), [`Error::TimedOut`] after SNDTIMEO,
    /// [`Error::HostUnreachable`] (ROUTER_MANDATORY), [`Error::Closed`].
    pub async fn send(&self, message: impl Into<Message>) -> Result<()> {
        // Fast path: no waiter registration when the send is taken at once.
        let message = match self.try_send_inner(message.into()) {
            Ok(()) => {
                if never_waits(self.shared.socket_type) {
                    // These sends never wait (the machine drops at the
                    // HWM instead), so a send loop would keep the
                    // connections' tasks on its thread from running
                    // until it ends, and nearly everything would be
                    // dropped: spending the task's cooperative budget
                    // lets them run. (Other types wait at the HWM, and
                    // yielding every 128 sends would only cut their
                    // write batches short.)
                    tokio::task::consume_budget().await;
                }
                return Ok(());
            }
            Err((Error::WouldBlock, Some(m))) => m,
            Err((e, _)) => return Err(e),
        };
        // The waiting future (a Notified, maybe a Sleep) is boxed so that
        // this one stays small: it is built and moved on every send, and
        // most sends never wait.
        let timeout = self.shared.lock().options.sndtimeo;
        Box::pin(with_timeout(timeout, self.send_wait(message))).await
    }

    async fn send_wait(&self, message: Message) -> Result<()> {
        let mut message = Some(message);
        loop {
            let notified = self.shared.writable.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(m) = message.take() {
                match self.try_send_inner(m) {
                    Ok(()) => return Ok(()),
                    Err((Error::WouldBlock, back)) => message = back,
                    Err((e, _)) => return Err(e),
                }
            }
            if message.is_none() {
                return Err(Error::WouldBlock);
            }
            notified.await;
        }
    }

    /// Sends without waiting.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] when no peer can take the message now (the
    /// message is then dropped; keep a clone to retry), and as
    /// [`Socket::send`].
    pub fn try_send(&self, message: impl Into<Message>) -> Result<()> {
        self.try_send_inner(message.into()).map_err(|(e, _)| e)
    }

    /// Sends, giving the message back when it could not be taken.
    fn try_send_inner(&self, message: Message) -> Result<(), (Error, Option<Message>)> {
        if message.is_empty() {
            return Err((Error::InvalidMessage(InvalidMessage::NoFrames), None));
        }
        let mut core = self.shared.lock();
        if core.closing {
            return Err((Error::Closed, None));
        }
        // One call: the machine picks the peer and takes the message, or
        // gives it back when it would block (no pre-check, no copy).
        match core.pattern.send(message) {
            Ok(()) => {
                // Wakes only the driver of the peer that got it (the
                // machine's Output event), if its queue was empty.
                core.dispatch();
                Ok(())
            }
            Err((SendError::WouldBlock, back)) => Err((Error::WouldBlock, back)),
            Err((e, _)) => Err((send_refused(self.shared.socket_type, e), None)),
        }
    }

    /// Receives a whole message, waiting at most RCVTIMEO.
    ///
    /// Cancellation-safe: a message is taken from the socket only in the
    /// poll that returns it, so dropping the future loses nothing and
    /// leaves REQ's state as it was.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the pattern forbids a receive now (REQ
    /// with no request outstanding), [`Error::TimedOut`] after RCVTIMEO,
    /// [`Error::Closed`].
    pub async fn recv(&self) -> Result<Message> {
        // Fast path: no waiter registration when a message is waiting.
        match self.try_recv() {
            Err(Error::WouldBlock) => {}
            other => return other,
        }
        // Boxed, as in `send`: most receives never wait.
        let timeout = self.shared.lock().options.rcvtimeo;
        Box::pin(with_timeout(timeout, self.recv_wait())).await
    }

    async fn recv_wait(&self) -> Result<Message> {
        loop {
            let notified = self.shared.readable.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.try_recv() {
                Err(Error::WouldBlock) => {}
                other => return other,
            }
            notified.await;
        }
    }

    /// Receives without waiting.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] when no message is waiting, and as
    /// [`Socket::recv`].
    pub fn try_recv(&self) -> Result<Message> {
        let mut core = self.shared.lock();
        let r = core.pattern.recv();
        match r {
            Ok(m) => {
                // A receive may free room (RCVHWM: the machine names the
                // driver to resume) or let a sender go on (the machine
                // says so: REQ got its reply, REP a request).
                let send_allowed = core.dispatch();
                drop(core);
                if send_allowed {
                    self.shared.writable.notify_waiters();
                }
                Ok(m)
            }
            Err(e) => {
                if core.closing {
                    return Err(Error::Closed);
                }
                Err(recv_refused(self.shared.socket_type, e))
            }
        }
    }

    /// Whether a receive would return a message now (a poller's
    /// readable).
    pub fn is_readable(&self) -> bool {
        self.shared.lock().pattern.can_recv()
    }

    /// Whether a send would be taken now (a poller's writable).
    pub fn is_writable(&self) -> bool {
        self.shared.lock().pattern.can_send()
    }

    /// Waits until a receive would return a message.
    pub async fn readable(&self) {
        loop {
            let notified = self.shared.readable.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_readable() || self.shared.lock().closing {
                return;
            }
            notified.await;
        }
    }

    /// Waits until a send would be taken.
    pub async fn writable(&self) {
        loop {
            let notified = self.shared.writable.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_writable() || self.shared.lock().closing {
                return;
            }
            notified.await;
        }
    }

    /// [`Socket::send`] from a plain thread.
    ///
    /// # Errors
    /// As [`Socket::send`]; [`Error::InvalidState`] if called from async
    /// code.
    pub fn send_blocking(&self, message: impl Into<Message>) -> Result<()> {
        block_on(&self.shared.ctx.handle, self.send(message))?
    }

    /// [`Socket::recv`] from a plain thread.
    ///
    /// # Errors
    /// As [`Socket::recv`]; [`Error::InvalidState`] if called from async
    /// code.
    pub fn recv_blocking(&self) -> Result<Message> {
        block_on(&self.shared.ctx.handle, self.recv())?
    }
}

/// Why the pattern machine of a `socket_type` socket refused a send,
/// other than that it would block.
pub(super) fn send_refused(socket_type: SocketType, e: SendError) -> Error {
    match e {
        SendError::WouldBlock => Error::WouldBlock,
        SendError::InvalidState => Error::InvalidState(match socket_type {
            SocketType::Req => InvalidState::ReqAwaitingReply,
            SocketType::Rep => InvalidState::RepNoRequest,
            t => InvalidState::OutOfTurn(t),
        }),
        SendError::HostUnreachable => Error::HostUnreachable,
        SendError::NotSupported(t) => Error::InvalidState(InvalidState::CannotSend(t)),
        // The message has frames (checked first): what is missing is the
        // routing id a ROUTER or SERVER message starts with.
        SendError::EmptyMessage => match socket_type {
            SocketType::Router | SocketType::Server => {
                Error::InvalidMessage(InvalidMessage::NoRoutingId)
            }
            _ => Error::InvalidMessage(InvalidMessage::NoFrames),
        },
        SendError::Multipart => Error::InvalidMessage(InvalidMessage::Multipart),
        SendError::InvalidGroup => Error::InvalidMessage(InvalidMessage::InvalidGroup),
        e => Error::InvalidMessage(InvalidMessage::Refused(e)),
    }
}

/// Why the pattern machine of a `socket_type` socket returned no message.
pub(super) fn recv_refused(socket_type: SocketType, e: RecvError) -> Error {
    match e {
        RecvError::InvalidState => Error::InvalidState(match socket_type {
            SocketType::Req => InvalidState::ReqNoRequest,
            SocketType::Rep => InvalidState::RepOwesReply,
            t => InvalidState::OutOfTurn(t),
        }),
        RecvError::NotSupported(t) => Error::InvalidState(InvalidState::CannotRecv(t)),
        _ => Error::WouldBlock,
    }
}

pub(super) async fn with_timeout<T>(
    timeout: Option<Duration>,
    f: impl Future<Output = Result<T>>,
) -> Result<T> {
    match timeout {
        None => f.await,
        Some(d) => match tokio::time::timeout(d, f).await {
            Ok(r) => r,
            Err(_) => Err(Error::TimedOut),
        },
    }
}

/// Whether a send of this socket type is taken at once whatever the peers
/// do (PUB, XPUB and RADIO drop at the high-water mark rather than wait).
pub(super) fn never_waits(socket_type: SocketType) -> bool {
    use zmtp_spec::SocketType as T;
    matches!(socket_type, T::Pub | T::XPub | T::Radio)
}
