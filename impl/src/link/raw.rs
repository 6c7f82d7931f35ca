//! A STREAM socket's link: raw octets over a byte stream, no ZMTP. The
//! connection is up as soon as the transport is (the machine is told at
//! once, with a peer of no socket type); each read becomes one
//! single-frame message of the octets read; each message the machine
//! queues is written as its octets. What the machine does with them
//! (routing ids, notifications) is zmtp-model's STREAM.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{BufMut, Bytes, BytesMut};
use tokio::io::AsyncWrite;
use zmtp_model::{Outgoing, PeerInfo};
use zmtp_spec::Message;
use zmtp_spec::connection::ErrorReason;
use zmtp_spec::wire::Metadata;

use super::{Input, Link};
use crate::transport::ReadIntoBuf;

/// Read size: one read is at most one message.
const READ_CHUNK: usize = 64 * 1024;
/// Stop pulling messages once this much waits to be written.
const WRITE_HIGH_WATER: usize = 256 * 1024;
/// At most this many buffers per vectored write.
const WRITE_SLICES: usize = 32;

/// Where a raw link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Up; the machine not told yet.
    New,
    /// Up and attached.
    Open,
    /// Closed by us.
    Closed,
}

/// Raw octets over `S`.
pub(crate) struct RawLink<S> {
    stream: S,
    state: State,
    input: VecDeque<Input>,
    out: VecDeque<Bytes>,
    out_len: usize,
    /// The read buffer; each read's octets are split off as a message.
    buf: BytesMut,
}

impl<S> RawLink<S> {
    pub(crate) fn new(stream: S) -> Self {
        Self {
            stream,
            state: State::New,
            input: VecDeque::new(),
            out: VecDeque::new(),
            out_len: 0,
            buf: BytesMut::new(),
        }
    }
}

impl<S: ReadIntoBuf + AsyncWrite + Send + Unpin + 'static> Link for RawLink<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.state == State::Closed {
            return Poll::Pending;
        }
        self.buf.reserve(READ_CHUNK);
        match self
            .stream
            .poll_read_into(cx, &mut (&mut self.buf).limit(READ_CHUNK))
        {
            Poll::Ready(Ok(0)) => Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into())),
            Poll::Ready(Ok(_)) => {
                let data = self.buf.split().freeze();
                self.input
                    .push_back(Input::Item(Outgoing::Message(Message::from_frames([data]))));
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_event(&mut self) -> Option<Input> {
        if self.state == State::New {
            self.state = State::Open;
            return Some(Input::Handshake(PeerInfo::default(), Metadata::default()));
        }
        self.input.pop_front()
    }

    fn send(&mut self, item: Outgoing) {
        if let Outgoing::Message(m) = item {
            for frame in m.frames() {
                if !frame.is_empty() {
                    self.out_len += frame.len();
                    self.out.push_back(frame.clone());
                }
            }
        }
    }

    fn wants_more(&self) -> bool {
        self.out_len < WRITE_HIGH_WATER
    }

    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.out.is_empty() {
            let mut slices = [io::IoSlice::new(&[]); WRITE_SLICES];
            let k = self.out.len().min(WRITE_SLICES);
            for (slot, b) in slices.iter_mut().zip(self.out.iter()) {
                *slot = io::IoSlice::new(b);
            }
            let mut n = match Pin::new(&mut self.stream).poll_write_vectored(cx, &slices[..k]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            self.out_len -= n;
            while n > 0 {
                let Some(front) = self.out.front_mut() else {
                    break;
                };
                if front.len() <= n {
                    n -= front.len();
                    self.out.pop_front();
                } else {
                    let _ = front.split_to(n);
                    n = 0;
                }
            }
        }
        Poll::Ready(Ok(()))
    }

    fn poll_timer(&mut self, _cx: &mut Context<'_>) {}

    fn close(&mut self, _reason: Option<ErrorReason>) {
        if self.state != State::Closed {
            self.state = State::Closed;
            self.input.push_back(Input::Closed);
        }
    }

    fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    fn has_output(&self) -> bool {
        !self.out.is_empty()
    }
}
