//! The state one socket shares with its connection drivers: the pattern
//! machine, the per-peer wakers, the options and the endpoints, behind
//! one lock taken once per batch (not per message) by the drivers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

use tokio::sync::Notify;
use tokio::task::AbortHandle;
use zmtp_model::{Event as PatternEvent, PeerId, PeerState};
use zmtp_spec::SocketType;

use crate::monitor::Monitors;
use crate::options::Options;
use crate::pattern::Pattern;
use crate::runtime::ContextInner;
use crate::transport::Listener;

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
    /// The datagrams the socket's udp endpoints dropped.
    pub(crate) drops: crate::transport::udp::SharedDrops,
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

/// What the socket asks of a driver the next time it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Order {
    /// Nothing.
    #[default]
    None,
    /// The machine has room again for a message it refused (RCVHWM).
    Resume,
    /// Close the connection: the machine dropped the peer
    /// (ROUTER_HANDOVER), the application disconnected, or LINGER ran out.
    Close,
}

/// A driver's entry. Where its peer is in its life is the machine's to
/// say ([`zmtp_model::PeerState`]); the slot only holds what the driver
/// needs to be woken and told.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    /// The driver's waker, set while it waits for output.
    pub(crate) waker: Option<Waker>,
    /// What the driver is to do when it next runs.
    pub(crate) order: Order,
}

impl Slot {
    /// Gives the driver an order (closing outranks resuming; `None` only
    /// wakes it) and wakes it.
    pub(crate) fn tell(&mut self, order: Order) {
        if self.order == Order::None || order == Order::Close {
            self.order = order;
        }
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }
}

/// A bound endpoint's listener, shared by the socket (which closes it) and
/// its accept task.
pub(crate) type SharedListener = Arc<Mutex<Option<Listener>>>;

/// An endpoint the socket bound.
#[derive(Debug)]
pub(crate) struct Bound {
    /// As given to bind.
    pub(crate) given: String,
    /// With wildcards resolved.
    pub(crate) resolved: String,
    pub(crate) task: Option<AbortHandle>,
    /// The tcp or ipc listener, shared with the accept task.
    pub(crate) listener: Option<SharedListener>,
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

    /// A connection accepted on a bound endpoint: a fresh peer, handshaking.
    pub(crate) fn accepted_peer(&mut self) -> PeerId {
        let id = self.new_peer();
        // A fresh id is never in use.
        let _ = self.pattern.accept(id);
        id
    }

    /// A connect endpoint's peer: with IMMEDIATE off the machine queues
    /// messages for it from now on (and may refuse to, PAIR being busy:
    /// its handshake then decides).
    pub(crate) fn connecting_peer(&mut self) -> PeerId {
        let id = self.new_peer();
        let _ = self.pattern.connect(id);
        id
    }

    /// Whether the machine lets the driver pull `id`'s queue: its
    /// handshake is done and its connection up.
    pub(crate) fn is_active(&self, id: PeerId) -> bool {
        self.pattern.peer_state(id) == PeerState::Active
    }

    /// Acts on what the machine asked for: wakes the drivers it names
    /// (only those: a peer with new output, one with room again, one to
    /// close). Returns whether a sender waiting on the pattern's state may
    /// go on (REQ got its reply, REP a request): the caller then notifies
    /// the writable waiters once the lock is released.
    pub(crate) fn dispatch(&mut self) -> bool {
        let mut send_allowed = false;
        while let Some(event) = self.pattern.poll_event() {
            let (peer, order) = match event {
                // The machine has forgotten the peer already.
                PatternEvent::Disconnect(p) => (p, Order::Close),
                PatternEvent::InputResumed(p) => (p, Order::Resume),
                PatternEvent::Output(p) => (p, Order::None),
                PatternEvent::SendAllowed => {
                    send_allowed = true;
                    continue;
                }
                _ => continue,
            };
            if let Some(slot) = self.slots.get_mut(&peer) {
                slot.tell(order);
            }
        }
        send_allowed
    }

    /// A peer's connection ended. `retry` says whether its connect
    /// endpoint will connect again; the machine decides the rest
    /// ([`zmtp_model::Socket::connection_lost`]): a kept peer's slot waits
    /// for the next connection, any other peer's slot goes (the machine
    /// still hands out what it delivered).
    pub(crate) fn connection_lost(&mut self, id: PeerId, retry: bool) {
        let retry = retry && !self.closing;
        match self.pattern.connection_lost(id, retry) {
            PeerState::Connecting => {
                if let Some(s) = self.slots.get_mut(&id) {
                    *s = Slot::default();
                }
            }
            _ => {
                self.slots.remove(&id);
            }
        }
        self.dispatch();
    }

    /// The application gave up a peer (a disconnect, a connect that
    /// stopped, a connection that could not start): its queues go.
    pub(crate) fn forget_peer(&mut self, id: PeerId) {
        self.slots.remove(&id);
        self.pattern.forget(id);
        self.dispatch();
    }
}
