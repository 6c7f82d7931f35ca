//! The state one socket shares with its connection drivers: the pattern
//! machine, the per-peer wakers, the options and the endpoints, behind
//! one lock taken once per batch (not per message) by the drivers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

use tokio::sync::Notify;
use tokio::task::AbortHandle;
use zmtp_model::{Event as PatternEvent, PeerId};
use zmtp_spec::SocketType;

use crate::context::ContextInner;
use crate::monitor::Monitors;
use crate::options::Options;
use crate::pattern::Pattern;

/// What a socket shares with its tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) core: Mutex<Core>,
    /// Woken when a message may be ready to receive.
    pub(crate) readable: Notify,
    /// Woken when a send may succeed.
    pub(crate) writable: Notify,
    pub(crate) ctx: Arc<ContextInner>,
    pub(crate) socket_type: SocketType,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Core> {
        // A poisoned lock means a panic elsewhere; the state is still
        // consistent at lock boundaries, so keep going.
        self.core
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A driver's entry.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    /// The driver's waker, set while it waits for output.
    pub(crate) waker: Option<Waker>,
    /// The machine has room again for a message it refused.
    pub(crate) resume: bool,
    /// The machine dropped this peer, or the linger time ran out: close.
    pub(crate) kill: bool,
    /// Whether the machine knows this peer (attached, pending or
    /// suspended).
    pub(crate) known: bool,
    /// Whether the peer's handshake is done and its connection up: the
    /// driver may pull its queue.
    pub(crate) attached: bool,
}

/// An endpoint the socket bound.
#[derive(Debug)]
pub(crate) struct Bound {
    /// As given to bind.
    pub(crate) given: String,
    /// With wildcards resolved.
    pub(crate) resolved: String,
    pub(crate) task: Option<AbortHandle>,
    /// The tcp or ipc listener, shared with the accept task.
    pub(crate) listener: Option<crate::socket::endpoints::SharedListener>,
}

impl Bound {
    /// Stops accepting: the listener is closed now (port released, ipc
    /// file removed), the accept task ends.
    pub(crate) fn close(self) {
        if let Some(l) = self.listener {
            let listener = l
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            drop(listener);
        }
        if let Some(t) = self.task {
            t.abort();
        }
    }
}

/// An endpoint the socket connects to.
#[derive(Debug)]
pub(crate) struct Connected {
    pub(crate) given: String,
    /// Tells the connect task to stop.
    pub(crate) stop: tokio::sync::watch::Sender<bool>,
    /// The peer kept across reconnects (none with IMMEDIATE).
    pub(crate) peer: Option<PeerId>,
    /// The peer of the live connection.
    pub(crate) live: Option<PeerId>,
}

/// The mutable state of a socket.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) pattern: Pattern,
    pub(crate) options: Options,
    pub(crate) slots: HashMap<PeerId, Slot>,
    next_peer: u64,
    /// close() was called: drivers flush (LINGER) and end.
    pub(crate) closing: bool,
    /// Stop flags of connects that keep trying during LINGER.
    pub(crate) lingering: Vec<tokio::sync::watch::Sender<bool>>,
    pub(crate) monitors: Monitors,
    pub(crate) bound: Vec<Bound>,
    pub(crate) connected: Vec<Connected>,
    /// The socket's ZAP callback ([`crate::Socket::set_authenticator`]).
    pub(crate) authenticator: Option<Arc<dyn zmtp_spec::security::Authenticator>>,
    /// The CURVE cookie-key rotation task runs.
    pub(crate) rotating: bool,
}

impl Core {
    pub(crate) fn new(pattern: Pattern, options: Options) -> Self {
        Self {
            pattern,
            options,
            slots: HashMap::new(),
            next_peer: 1,
            closing: false,
            lingering: Vec::new(),
            monitors: Monitors::default(),
            bound: Vec::new(),
            connected: Vec::new(),
            authenticator: None,
            rotating: false,
        }
    }

    /// A fresh peer id with its slot.
    pub(crate) fn new_peer(&mut self) -> PeerId {
        let id = PeerId(self.next_peer);
        self.next_peer += 1;
        self.slots.insert(id, Slot::default());
        id
    }

    /// Wakes every driver waiting for output: something was queued (the
    /// machine does not say for whom; a driver that finds nothing waits
    /// again).
    pub(crate) fn wake_senders(&mut self) {
        for slot in self.slots.values_mut() {
            if let Some(w) = slot.waker.take() {
                w.wake();
            }
        }
    }

    /// Acts on what the machine asked for.
    pub(crate) fn dispatch(&mut self) {
        while let Some(event) = self.pattern.poll_event() {
            let (peer, kill) = match event {
                PatternEvent::Disconnect(p) => (p, true),
                PatternEvent::InputResumed(p) => (p, false),
                _ => continue,
            };
            if let Some(slot) = self.slots.get_mut(&peer) {
                if kill {
                    // The machine has forgotten the peer already.
                    slot.kill = true;
                    slot.attached = false;
                    slot.known = false;
                } else {
                    slot.resume = true;
                }
                if let Some(w) = slot.waker.take() {
                    w.wake();
                }
            }
        }
    }

    /// A connection ended: its peer departs from the machine (out of every
    /// send path now, what it delivered still readable), or is suspended
    /// (its queue kept for the next connection) when `keep`.
    pub(crate) fn remove_peer(&mut self, id: PeerId, keep: bool) {
        if keep {
            if let Some(s) = self.slots.get_mut(&id) {
                s.waker = None;
                s.resume = false;
                s.kill = false;
                let was = std::mem::take(&mut s.attached);
                if was && s.known {
                    self.pattern.suspend(id);
                    if self.options.immediate {
                        s.known = false;
                    }
                }
            }
        } else if let Some(s) = self.slots.remove(&id)
            && s.known
        {
            self.pattern.depart(id);
        }
        self.dispatch();
    }
}
