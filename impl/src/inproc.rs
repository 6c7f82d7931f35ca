//! inproc: sockets of one context exchange [`Message`] values through an
//! in-memory pipe, with no ZMTP encoding. Connect before bind works: the
//! connection waits in the registry until the name is bound.
//!
//! ```text
//!  connect("inproc://x") ── pipe end A ──> driver (connecting socket)
//!          └── pipe end B ──> registry["x"] ──> binder's accept task ──> driver
//! ```
//! Each end first sends a hello (socket type, routing id), which the
//! other end's driver treats as the handshake; the pattern machine then
//! checks the pair of socket types.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use tokio::sync::mpsc;
use zmtp_model::{Outgoing, PeerInfo};
use zmtp_spec::SocketType;
use zmtp_spec::connection::ErrorReason;

use crate::error::{Error, Result};
use crate::link::{Input, Link};

#[cfg(test)]
mod tests;

/// Items per direction before the writer waits (libzmq sizes an inproc
/// pipe by both HWMs; the pattern queues on each side add to this).
const PIPE_CAPACITY: usize = 256;

#[derive(Debug)]
enum Item {
    Hello {
        socket_type: SocketType,
        routing_id: Bytes,
    },
    /// Traffic, as the socket's machine speaks it (no serialization).
    Traffic(Outgoing),
}

#[derive(Debug, Default)]
struct Pipe {
    /// `queues[i]` is read by end `i`.
    queues: [VecDeque<Item>; 2],
    wakers: [Option<Waker>; 2],
    closed: [bool; 2],
}

/// One end of an inproc pipe.
#[derive(Debug)]
pub(crate) struct PipeEnd {
    pipe: Arc<Mutex<Pipe>>,
    side: usize,
}

impl PipeEnd {
    fn pair() -> (Self, Self) {
        let pipe = Arc::new(Mutex::new(Pipe::default()));
        (
            Self {
                pipe: Arc::clone(&pipe),
                side: 0,
            },
            Self { pipe, side: 1 },
        )
    }

    fn lock(&self) -> MutexGuard<'_, Pipe> {
        self.pipe
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut p = self.lock();
        p.closed[self.side] = true;
        if let Some(w) = p.wakers[1 - self.side].take() {
            w.wake();
        }
    }
}

/// A connection waiting for its binder.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) end: PipeEnd,
}

#[derive(Debug, Default)]
struct State {
    bound: HashMap<String, mpsc::UnboundedSender<Incoming>>,
    pending: HashMap<String, Vec<Incoming>>,
}

/// The inproc names of a context.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    state: Mutex<State>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Binds a name; connections made earlier arrive first.
    pub(crate) fn bind(&self, name: &str) -> Result<mpsc::UnboundedReceiver<Incoming>> {
        let mut st = self.lock();
        if st.bound.get(name).is_some_and(|tx| !tx.is_closed()) {
            return Err(Error::AddressInUse(format!("inproc://{name}")));
        }
        let (tx, rx) = mpsc::unbounded_channel();
        for inc in st.pending.remove(name).unwrap_or_default() {
            let _ = tx.send(inc);
        }
        st.bound.insert(name.to_owned(), tx);
        Ok(rx)
    }

    /// Whether a live socket has bound this name.
    pub(crate) fn is_bound(&self, name: &str) -> bool {
        self.lock()
            .bound
            .get(name)
            .is_some_and(|tx| !tx.is_closed())
    }

    /// Releases a name.
    pub(crate) fn unbind(&self, name: &str) {
        self.lock().bound.remove(name);
    }

    /// Connects to a name, bound or not yet; returns our end.
    pub(crate) fn connect(&self, name: &str) -> PipeEnd {
        let (ours, theirs) = PipeEnd::pair();
        let mut st = self.lock();
        let incoming = Incoming { end: theirs };
        let incoming = match st.bound.get(name) {
            Some(tx) => match tx.send(incoming) {
                Ok(()) => return ours,
                Err(mpsc::error::SendError(inc)) => inc,
            },
            None => incoming,
        };
        st.pending
            .entry(name.to_owned())
            .or_default()
            .push(incoming);
        ours
    }
}

/// A [`Link`] over an inproc pipe.
#[derive(Debug)]
pub(crate) struct InprocLink {
    end: PipeEnd,
    incoming: VecDeque<Item>,
    /// Items not yet in the pipe, oldest first; handed over whole (a swap,
    /// no per-item move) when the reader has taken everything before.
    outgoing: VecDeque<Item>,
    /// The other side's queue was full at the last write.
    full: bool,
    closed: bool,
    closed_event: bool,
}

impl InprocLink {
    pub(crate) fn new(end: PipeEnd, socket_type: SocketType, routing_id: Bytes) -> Self {
        Self {
            end,
            incoming: VecDeque::new(),
            outgoing: VecDeque::from([Item::Hello {
                socket_type,
                routing_id,
            }]),
            full: false,
            closed: false,
            closed_event: false,
        }
    }
}

impl Link for InprocLink {
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.incoming.is_empty() {
            // Deliver what was taken before taking more (a swap now would
            // put those items back behind newer ones).
            return Poll::Ready(Ok(()));
        }
        let me = self.end.side;
        let mut p = self.end.lock();
        if p.queues[me].is_empty() {
            if p.closed[1 - me] {
                return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
            }
            p.wakers[me] = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let was_full = p.queues[me].len() >= PIPE_CAPACITY;
        std::mem::swap(&mut self.incoming, &mut p.queues[me]);
        if was_full && let Some(w) = p.wakers[1 - me].take() {
            w.wake();
        }
        Poll::Ready(Ok(()))
    }

    fn poll_event(&mut self) -> Option<Input> {
        if self.closed {
            if self.closed_event {
                return None;
            }
            self.closed_event = true;
            return Some(Input::Closed);
        }
        Some(match self.incoming.pop_front()? {
            Item::Hello {
                socket_type,
                routing_id,
            } => {
                let mut info = PeerInfo::new(socket_type);
                if !routing_id.is_empty() {
                    info.routing_id = Some(routing_id);
                }
                Input::Handshake(info, zmtp_spec::wire::Metadata::new())
            }
            Item::Traffic(item) => Input::Item(item),
        })
    }

    fn send(&mut self, item: Outgoing) {
        self.outgoing.push_back(Item::Traffic(item));
    }

    fn wants_more(&self) -> bool {
        !self.full && self.outgoing.len() < 256
    }

    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.outgoing.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let me = self.end.side;
        let other = 1 - me;
        let mut p = self.end.lock();
        if p.closed[other] {
            self.outgoing.clear();
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let n = if p.queues[other].is_empty() && self.outgoing.len() <= PIPE_CAPACITY {
            // The reader took everything: hand the whole batch over.
            std::mem::swap(&mut p.queues[other], &mut self.outgoing);
            p.queues[other].len()
        } else {
            let room = PIPE_CAPACITY.saturating_sub(p.queues[other].len());
            let n = room.min(self.outgoing.len());
            p.queues[other].extend(self.outgoing.drain(..n));
            n
        };
        if n > 0
            && let Some(w) = p.wakers[other].take()
        {
            w.wake();
        }
        self.full = p.queues[other].len() >= PIPE_CAPACITY;
        if self.outgoing.is_empty() {
            Poll::Ready(Ok(()))
        } else {
            p.wakers[me] = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    fn poll_timer(&mut self, _cx: &mut Context<'_>) {
        // Room freed by the reader clears `full` on the next write.
        if self.full {
            let me = self.end.side;
            let p = self.end.lock();
            self.full = p.queues[1 - me].len() >= PIPE_CAPACITY;
        }
    }

    fn close(&mut self, _reason: Option<ErrorReason>) {
        self.closed = true;
    }

    fn is_closed(&self) -> bool {
        self.closed
    }

    fn has_output(&self) -> bool {
        !self.outgoing.is_empty()
    }
}
