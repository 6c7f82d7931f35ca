//! [`futures_core::Stream`] and [`futures_sink::Sink`] adapters over a
//! shared socket, for code written against those traits.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::Arc;

use zmtp_spec::Message;

use crate::error::{Error, Result};
use crate::socket::Socket;

type Pending<T> = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

/// The messages a socket receives, as a stream; it ends when the socket
/// is closed. Dropping it mid-receive loses nothing (receive is
/// cancellation-safe).
pub struct RecvStream {
    socket: Arc<Socket>,
    pending: Option<Pending<Message>>,
}

impl core::fmt::Debug for RecvStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecvStream").finish_non_exhaustive()
    }
}

impl RecvStream {
    /// A stream over `socket`.
    pub fn new(socket: Arc<Socket>) -> Self {
        Self {
            socket,
            pending: None,
        }
    }
}

impl futures_core::Stream for RecvStream {
    type Item = Result<Message>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Message>>> {
        let this = &mut *self;
        let fut = this.pending.get_or_insert_with(|| {
            let s = Arc::clone(&this.socket);
            Box::pin(async move { s.recv().await })
        });
        let r = core::task::ready!(fut.as_mut().poll(cx));
        this.pending = None;
        Poll::Ready(match r {
            Err(Error::Closed) => None,
            r => Some(r),
        })
    }
}

/// A sink of messages into a socket. `poll_ready` waits until the last
/// message was taken (a send that waits at SNDHWM, as [`Socket::send`]).
pub struct SendSink {
    socket: Arc<Socket>,
    pending: Option<Pending<()>>,
}

impl core::fmt::Debug for SendSink {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SendSink").finish_non_exhaustive()
    }
}

impl SendSink {
    /// A sink into `socket`.
    pub fn new(socket: Arc<Socket>) -> Self {
        Self {
            socket,
            pending: None,
        }
    }

    fn drive(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if let Some(fut) = &mut self.pending {
            let r = core::task::ready!(fut.as_mut().poll(cx));
            self.pending = None;
            return Poll::Ready(r);
        }
        Poll::Ready(Ok(()))
    }
}

impl futures_sink::Sink<Message> for SendSink {
    type Error = Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.drive(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, item: Message) -> Result<()> {
        let s = Arc::clone(&self.socket);
        self.pending = Some(Box::pin(async move { s.send(item).await }));
        Ok(())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.drive(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.drive(cx)
    }
}
