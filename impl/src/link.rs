//! A link carries one peer's traffic for the connection driver: a ZMTP
//! [`Connection`] over a byte stream (tcp, ipc), an in-process pipe
//! (inproc, no serialization), or, for STREAM, raw octets over a byte
//! stream ([`RawLink`]).
//!
//! ```text
//!        socket core (pattern machine)            Link
//!   poll_transmit(peer) ── Outgoing ──> send() ──> Connection ──> poll_transmit_chunk ──> writev
//!   peer_message(peer)  <── Event ──── poll_event() <── Connection <── handle_read <── read into
//!                                                                      read_buffer
//! ```
//!
//! Large frame bodies cross without a copy: the sender's are chunks of
//! the vectored write as the application gave them, the receiver's are
//! read into buffers of their own that become the message frames.

use std::collections::VecDeque;
use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::BufMut;
use bytes::Bytes;
use tokio::io::AsyncWrite;
use tokio::time::Sleep;
use zmtp_model::{Outgoing, PeerInfo};
use zmtp_spec::Message;
use zmtp_spec::connection::{Connection, ConnectionError, ErrorReason, Event};
use zmtp_spec::security::{ZapReply, ZapRequest};
use zmtp_spec::wire::{Command, Metadata};

use crate::options::security::SharedCookieJar;
use crate::transport::ReadIntoBuf;

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod fake;
mod raw;
#[cfg(test)]
mod tests;

pub(crate) use raw::RawLink;

/// Read size between frames: large reads amortise the per-read cost.
/// (While a large frame body arrives, the connection sizes the read to
/// the body: see `Connection::read_buffer`.)
const READ_CHUNK: usize = 64 * 1024;
/// At most this many buffers per vectored write (Linux's IOV_MAX is 1024).
const WRITE_SLICES: usize = 32;
/// A vectored write takes buffers until they hold this many octets: more
/// rarely fits the kernel's send buffer, and the slices are rebuilt after
/// every partial write.
const WRITE_BYTES: usize = 256 * 1024;
/// Stop pulling messages from the pattern once this much is waiting to be
/// written (the socket's SNDHWM queue then holds the rest).
const WRITE_HIGH_WATER: usize = 256 * 1024;
/// At most this much is read per poll before the driver delivers.
const READ_BUDGET: usize = 512 * 1024;

/// What a link reports to the driver.
#[derive(Debug)]
pub(crate) enum Input {
    /// The handshake succeeded; this is the peer, and its properties (its
    /// READY metadata, plus the ZAP reply's `User-Id` and metadata).
    Handshake(PeerInfo, Metadata),
    /// What the peer sent, as the item type the socket's machine speaks in
    /// both directions: a whole message, a subscription or its
    /// cancellation, a JOIN (37-R53) or LEAVE (37-R54). The connection's
    /// events become items here and nowhere else.
    Item(Outgoing),
    /// We closed the link.
    Closed,
    /// The protocol failed.
    Failed(ConnectionError),
}

/// One peer's transport, as the driver sees it.
pub(crate) trait Link: Send + Unpin + 'static {
    /// Reads what is available and runs it through the protocol. `Ready(Ok)`
    /// when something was read, `Pending` when nothing is available.
    /// End of input is an `UnexpectedEof` error.
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// The next protocol event.
    fn poll_event(&mut self) -> Option<Input>;
    /// Moves the messages [`Link::poll_event`] would give next, up to its
    /// first other input, to the back of `run` as one run; how many. A
    /// link whose protocol has no such queue gives its messages through
    /// `poll_event` only.
    fn poll_messages(&mut self, run: &mut VecDeque<Message>) -> usize {
        let _ = run;
        0
    }
    /// Queues an item for the peer.
    fn send(&mut self, item: Outgoing);
    /// Whether more output is welcome now.
    fn wants_more(&self) -> bool;
    /// Writes what is queued. `Ready(Ok)` once everything is written.
    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Runs the timers; registers for the next deadline.
    fn poll_timer(&mut self, cx: &mut Context<'_>);
    /// Closes the protocol side, with an ERROR reason for the peer if any.
    fn close(&mut self, reason: Option<ErrorReason>);
    /// Whether the protocol side is closed.
    fn is_closed(&self) -> bool;
    /// Whether output is still waiting to be written.
    fn has_output(&self) -> bool;
    /// A ZAP request the handshake waits on (RFC 27), taken once.
    fn poll_zap_request(&mut self) -> Option<ZapRequest> {
        None
    }
    /// The ZAP handler's reply to the request from
    /// [`Link::poll_zap_request`].
    fn handle_zap_reply(&mut self, reply: ZapReply) {
        let _ = reply;
    }
}

/// ZMTP over a byte stream. Reads go straight into the connection's
/// receive buffer (large bodies into buffers of their own, which become
/// the messages' frames); writes take the connection's output as chunks
/// (large bodies are the application's `Bytes`) in vectored writes.
pub(crate) struct StreamLink<S> {
    conn: Connection,
    stream: S,
    out: VecDeque<Bytes>,
    out_len: usize,
    sleep: Pin<Box<Sleep>>,
    armed: Option<Instant>,
    /// A CURVE server socket's cookie jar, lent to the connection when
    /// its handshake waits for it.
    cookies: Option<SharedCookieJar>,
}

impl<S> StreamLink<S> {
    pub(crate) fn new(conn: Connection, stream: S) -> Self {
        Self {
            conn,
            stream,
            out: VecDeque::new(),
            out_len: 0,
            sleep: Box::pin(tokio::time::sleep_until(tokio::time::Instant::now())),
            armed: None,
            cookies: None,
        }
    }

    /// The socket's cookie jar, for a CURVE server.
    pub(crate) fn with_cookie_jar(mut self, cookies: Option<SharedCookieJar>) -> Self {
        self.cookies = cookies;
        self
    }

    /// Lends the cookie jar when the handshake waits for it (a CURVE
    /// server after HELLO and after INITIATE).
    fn lend_cookie_jar(&mut self) {
        if let Some(cookies) = &self.cookies
            && self.conn.needs_cookie_jar()
        {
            let mut jar = cookies.lock().unwrap_or_else(PoisonError::into_inner);
            self.conn.handle_cookie_jar(Instant::now(), &mut jar);
        }
    }

    /// Takes the connection's output while less than one vectored
    /// write's worth ([`WRITE_BYTES`]) waits here. The rest stays in the
    /// connection, which holds a PONG owed as one however many PINGs the
    /// peer sends: taken after every read while the peer reads nothing,
    /// PONGs would pile up here instead, one per read.
    fn collect_output(&mut self) {
        while self.out_len < WRITE_BYTES {
            let Some(bytes) = self.conn.poll_transmit_chunk() else {
                break;
            };
            self.out_len += bytes.len();
            self.out.push_back(bytes);
        }
    }
}

impl<S: ReadIntoBuf + AsyncWrite + Send + Unpin + 'static> Link for StreamLink<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut total = 0;
        while total < READ_BUDGET && !self.conn.is_closed() {
            let mut buf = self.conn.read_buffer(READ_CHUNK);
            let room = buf.remaining_mut();
            match self.stream.poll_read_into(cx, &mut buf) {
                Poll::Ready(Ok(n)) => {
                    if n == 0 {
                        return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
                    }
                    self.conn.handle_read(Instant::now());
                    self.lend_cookie_jar();
                    total += n;
                    if n < room {
                        // Most likely drained; let the driver deliver.
                        break;
                    }
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => break,
            }
        }
        self.collect_output();
        if total > 0 {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    fn poll_event(&mut self) -> Option<Input> {
        loop {
            return Some(match self.conn.poll_event()? {
                Event::HandshakeSucceeded(peer) => {
                    let mut info = PeerInfo::default().with_protocol(peer.protocol);
                    info.socket_type = peer.socket_type;
                    info.routing_id = peer.routing_id;
                    Input::Handshake(info, peer.metadata)
                }
                Event::Message(m) => Input::Item(Outgoing::Message(m)),
                Event::Subscribe(t) => Input::Item(Outgoing::Subscribe(t)),
                Event::Cancel(t) => Input::Item(Outgoing::Cancel(t)),
                Event::Join(g) => Input::Item(Outgoing::Join(g)),
                Event::Leave(g) => Input::Item(Outgoing::Leave(g)),
                Event::Closed => Input::Closed,
                Event::Failed(e) => Input::Failed(e),
                _ => continue,
            });
        }
    }

    fn poll_messages(&mut self, run: &mut VecDeque<Message>) -> usize {
        self.conn.poll_messages(run)
    }

    fn send(&mut self, item: Outgoing) {
        // Errors here mean the connection is closed; the driver sees that.
        let _ = match item {
            Outgoing::Message(m) => self.conn.send_message(m),
            Outgoing::Subscribe(t) => self.conn.send_command(Command::Subscribe(t)),
            Outgoing::Cancel(t) => self.conn.send_command(Command::Cancel(t)),
            Outgoing::Join(g) => self.conn.send_command(Command::Join(g)),
            Outgoing::Leave(g) => self.conn.send_command(Command::Leave(g)),
            _ => Ok(()),
        };
    }

    fn wants_more(&self) -> bool {
        self.out_len + self.conn.pending_transmit() < WRITE_HIGH_WATER
    }

    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            self.collect_output();
            if self.out.is_empty() {
                return Poll::Ready(Ok(()));
            }
            let n = {
                let mut slices = [io::IoSlice::new(&[]); WRITE_SLICES];
                let mut k = 0;
                let mut bytes = 0;
                for b in &self.out {
                    slices[k] = io::IoSlice::new(b);
                    k += 1;
                    bytes += b.len();
                    if k == WRITE_SLICES || bytes >= WRITE_BYTES {
                        break;
                    }
                }
                match Pin::new(&mut self.stream).poll_write_vectored(cx, &slices[..k]) {
                    Poll::Ready(Ok(0)) => {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    Poll::Ready(Ok(n)) => n,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                }
            };
            self.out_len -= n;
            let mut n = n;
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
    }

    fn poll_timer(&mut self, cx: &mut Context<'_>) {
        loop {
            let Some(at) = self.conn.poll_timeout() else {
                self.armed = None;
                return;
            };
            if self.armed != Some(at) {
                self.armed = Some(at);
                self.sleep
                    .as_mut()
                    .reset(tokio::time::Instant::from_std(at));
            }
            if self.sleep.as_mut().poll(cx).is_pending() {
                return;
            }
            self.armed = None;
            self.conn.handle_timeout(Instant::now());
            self.collect_output();
            if self.conn.poll_timeout() == Some(at) {
                // The machine did not move its deadline: avoid spinning.
                return;
            }
        }
    }

    fn close(&mut self, reason: Option<ErrorReason>) {
        self.conn.close(reason);
        self.collect_output();
    }

    fn is_closed(&self) -> bool {
        self.conn.is_closed()
    }

    fn has_output(&self) -> bool {
        !self.out.is_empty() || self.conn.pending_transmit() > 0
    }

    fn poll_zap_request(&mut self) -> Option<ZapRequest> {
        self.conn.poll_zap_request()
    }

    fn handle_zap_reply(&mut self, reply: ZapReply) {
        self.conn.handle_zap_reply(Instant::now(), reply);
        self.collect_output();
    }
}
