//! The life of a peer (libzmq's pipe) as the socket's machine sees it:
//! one small machine per peer, owned by [`Socket`](crate::Socket), which
//! decides what a driver used to decide on its own: whether a lost
//! connection keeps the peer's queue for the next one or ends the peer,
//! whether anything may still be routed to it, and when it is forgotten.
//!
//! ```text
//!   connect --> Connecting --transport up--> Handshaking <-- accept
//!                 ^    ^                      |      |
//!                 |    +----lost, retried-----+      | handshake done
//!                 |                                  v
//!                 +--------lost, retried-------- Active
//!                                                 |   |
//!                        lost for good, input unread   lost for good, nothing unread,
//!                                                 |   closed, handed over
//!                                                 v   v
//!                                         Departing --last message read--> Gone
//! ```
//!
//! The table [`TRANSITIONS`] is that diagram as data; `zmtp-model dot
//! lifecycle` prints it as Graphviz. Each state says which paths the peer
//! is in:
//!
//! | state | load balancer, routing table | fair queue | its queues |
//! |---|---|---|---|
//! | Connecting | yes, with IMMEDIATE off (28-R22, 30-R04, 31-R03: messages wait for the connection) | yes | kept |
//! | Handshaking | only if it was Connecting with a queue | same | kept |
//! | Active | yes | yes | kept |
//! | Departing | no | until its last message is read | output discarded (28-R24, 28-R35, 29-R05, 30-R06, 31-R05), input readable |
//! | Gone | no | no | discarded |
//!
//! Who decides what: the driver reports what happened to the connection
//! ([`crate::Socket::connect`], [`crate::Socket::accept`],
//! [`crate::Socket::attach`], [`crate::Socket::connection_lost`]) and
//! whether it will retry (the transport and the protocol decide that:
//! `zmtp_spec`'s rule on reconnecting after an ERROR, 37-R17); the machine
//! decides the rest from the peer's [`Origin`] and IMMEDIATE.

/// Where a peer came from. It decides what a lost connection does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// Accepted on a bound endpoint: when its connection is lost the peer
    /// departs (the other side reconnects as a new peer).
    Accepted,
    /// One of the application's connect endpoints, reconnected by the
    /// driver: with IMMEDIATE off its queue outlives connections
    /// (queueing while away, 28-R22, 28-R33, 29-R03, 30-R04, 31-R03).
    Connected,
}

/// Where a peer is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeerState {
    /// A connect endpoint with no connection up: the first attempt, or a
    /// reconnect. With IMMEDIATE off its queue exists and takes messages;
    /// with IMMEDIATE on it has none.
    Connecting,
    /// The connection is up and its ZMTP handshake runs.
    Handshaking,
    /// The handshake is done: the peer is in every path its pattern gives
    /// it.
    Active,
    /// The connection ended for good while messages it delivered are
    /// unread: it is in no send path, and those messages stay readable.
    Departing,
    /// Forgotten: nothing of it is left. A peer id in this state is free.
    Gone,
}

impl PeerState {
    /// The state's name, as the diagram shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting",
            Self::Handshaking => "Handshaking",
            Self::Active => "Active",
            Self::Departing => "Departing",
            Self::Gone => "Gone",
        }
    }
}

/// What happens to a peer, as the driver or the machine reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LifeEvent {
    /// The application connects (or the driver retries a connect).
    Connect,
    /// A connection was accepted on a bound endpoint.
    Accept,
    /// A connect's transport connection is up; the handshake starts.
    TransportUp,
    /// The handshake succeeded and the pattern admitted the peer (a peer
    /// the pattern refuses stays where it was until the driver reports
    /// its connection lost).
    HandshakeDone,
    /// The connection was lost and the driver will connect again (connect
    /// side only).
    LostRetried,
    /// The connection was lost for good, with messages unread.
    LostWithInput,
    /// The connection was lost for good with nothing unread, or the
    /// application closed it (disconnect, unbind, close), or another peer
    /// took its routing id (ROUTER_HANDOVER).
    Ended,
    /// The application read a departing peer's last message.
    LastRead,
}

impl LifeEvent {
    /// The event's label, as the diagram shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Accept => "accept",
            Self::TransportUp => "transport up",
            Self::HandshakeDone => "handshake done",
            Self::LostRetried => "lost, retried",
            Self::LostWithInput => "lost for good, input unread",
            Self::Ended => "lost for good / closed / handed over",
            Self::LastRead => "last message read",
        }
    }
}

/// The lifecycle as data: `(from, event, to)`. `from == Gone` is a peer
/// the machine does not know yet. Anything not listed leaves the state
/// alone.
pub const TRANSITIONS: &[(PeerState, LifeEvent, PeerState)] = {
    use LifeEvent as E;
    use PeerState as S;
    &[
        (S::Gone, E::Connect, S::Connecting),
        (S::Gone, E::Accept, S::Handshaking),
        // An attach with no accept or connect reported first (the model
        // checker, the oracle, hand-driven tests): an accepted peer.
        (S::Gone, E::HandshakeDone, S::Active),
        (S::Connecting, E::TransportUp, S::Handshaking),
        (S::Connecting, E::HandshakeDone, S::Active),
        (S::Connecting, E::LostWithInput, S::Departing),
        (S::Connecting, E::Ended, S::Gone),
        (S::Handshaking, E::HandshakeDone, S::Active),
        (S::Handshaking, E::LostRetried, S::Connecting),
        (S::Handshaking, E::LostWithInput, S::Departing),
        (S::Handshaking, E::Ended, S::Gone),
        (S::Active, E::LostRetried, S::Connecting),
        (S::Active, E::LostWithInput, S::Departing),
        (S::Active, E::Ended, S::Gone),
        (S::Departing, E::LastRead, S::Gone),
        (S::Departing, E::Ended, S::Gone),
    ]
};

/// The state after `event` in state `from`, or `None` if the table has no
/// such transition.
pub fn next(from: PeerState, event: LifeEvent) -> Option<PeerState> {
    TRANSITIONS
        .iter()
        .find(|(f, e, _)| *f == from && *e == event)
        .map(|(_, _, to)| *to)
}

/// One peer's life as the machine keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Life {
    pub(crate) origin: Origin,
    pub(crate) state: PeerState,
}

/// The lifecycle as Graphviz dot, from [`TRANSITIONS`].
pub fn dot() -> String {
    let mut out = String::from(
        "digraph lifecycle {\n  rankdir=LR;\n  node [shape=box];\n  start [shape=point];\n  start -> Gone [label=\"unknown peer\"];\n",
    );
    for (from, event, to) in TRANSITIONS {
        out.push_str(&format!(
            "  {} -> {} [label=\"{}\"];\n",
            from.name(),
            to.name(),
            event.label()
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests;
