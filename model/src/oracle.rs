//! The trace oracle: does some run of the model produce what was observed
//! at one socket?
//!
//! A [`Trace`] is what can be seen from outside one socket: connections
//! coming and going, the items each peer wrote to it and it wrote to each
//! peer, and the application's sends and receives. The oracle keeps the
//! set of model states consistent with the trace so far. Choices the model
//! leaves open stay open: which peer a load-balanced send went to, which
//! peer a fair-queued receive took from, and when the socket processed
//! what a peer wrote (anything between the write and the next observation
//! that needs it). When no state explains an event, [`Oracle::observe`]
//! reports its index and the states that were possible.
//!
//! ```
//! use zmtp_model::oracle::{Oracle, TraceEvent};
//! use zmtp_model::{Message, Options, Outgoing, PeerId, PeerInfo, SocketType};
//!
//! let mut oracle = Oracle::new(SocketType::Rep, Options::default()).unwrap();
//! let peer = PeerId(1);
//! let trace = [
//!     TraceEvent::Attach(peer, PeerInfo::new(SocketType::Req)),
//!     TraceEvent::FromPeer(peer, Outgoing::Message(Message::from_frames(["", "hi"]))),
//!     TraceEvent::Recv(Message::from("hi")),
//!     TraceEvent::Send(Message::from("ho")),
//!     TraceEvent::ToPeer(peer, Outgoing::Message(Message::from_frames(["", "ho"]))),
//! ];
//! assert!(oracle.observe_all(&trace).is_ok());
//! ```

use std::collections::{BTreeMap, HashSet, VecDeque};

use bytes::Bytes;

use crate::{
    Message, Options, Outgoing, PeerId, PeerInfo, Socket, SocketOption, SocketType,
    UnsupportedSocketType,
};

/// One observation at the socket under test.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TraceEvent {
    /// The application started a connect (IMMEDIATE off): the peer's queue
    /// exists before its connection.
    Connect(PeerId),
    /// A peer's handshake succeeded.
    Attach(PeerId, PeerInfo),
    /// A peer's connection was lost and will be retried (its queues stay).
    Suspend(PeerId),
    /// A peer's connection closed for good (its queues are discarded).
    Detach(PeerId),
    /// A peer's connection closed for good, what it delivered still
    /// readable ([`Socket::depart`], what zmtp and libzmq do).
    Depart(PeerId),
    /// A peer wrote this item to the socket (frames in).
    FromPeer(PeerId, Outgoing),
    /// The socket wrote this item to a peer (frames out).
    ToPeer(PeerId, Outgoing),
    /// The application sent this message, and the socket took it.
    Send(Message),
    /// The application sent this message and the socket refused it with
    /// an error (libzmq EAGAIN, EHOSTUNREACH, EFSM, ...): it took nothing.
    /// Explained by a state where no peer the pattern may choose can take
    /// it (ROUTER_MANDATORY and an unknown routing id, 28-R42; REQ
    /// awaiting a reply, 28-R01; every queue at SNDHWM, 30-R11).
    SendRefused(Message),
    /// The application received this message.
    Recv(Message),
    /// The application changed an option.
    SetOption(SocketOption),
    /// DISH: the application joined a group (libzmq `zmq_join`; RFC 48,
    /// 37-R53).
    Join(Bytes),
    /// DISH: the application left a group (libzmq `zmq_leave`; RFC 48,
    /// 37-R54).
    Leave(Bytes),
}

/// A trace: observations in the order they happened.
pub type Trace = Vec<TraceEvent>;

/// One model state consistent with a trace prefix: the machine, and what
/// each peer wrote that the socket may not have processed yet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OracleState {
    /// The machine.
    pub socket: Socket,
    /// Per peer, items written to the socket and not yet processed.
    pub in_flight: BTreeMap<PeerId, VecDeque<Outgoing>>,
}

/// An event no state explains.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "trace event {index} ({event:?}) is explained by none of {} possible states{}",
    possible.len(),
    if *limit_reached { " (state limit reached: no verdict)" } else { "" }
)]
pub struct Unexplained {
    /// The event's index in the trace (counting from 0).
    pub index: usize,
    /// The event.
    pub event: TraceEvent,
    /// The states that were possible just before it.
    pub possible: Vec<OracleState>,
    /// The oracle gave up because the states outgrew its limit (see
    /// [`Oracle::with_limit`]): no verdict on this event.
    pub limit_reached: bool,
}

/// The set of model states consistent with the trace so far.
#[derive(Clone, Debug)]
pub struct Oracle {
    states: Vec<OracleState>,
    index: usize,
    limit: usize,
}

impl Oracle {
    /// An oracle for a socket of this type and options, with no peer yet.
    pub fn new(socket_type: SocketType, options: Options) -> Result<Self, UnsupportedSocketType> {
        let socket = Socket::new(socket_type, options)?;
        Ok(Self {
            // Every choice the RFC leaves (an XSUB that does not filter,
            // 29-S07) is a correct socket too.
            states: socket
                .alternatives()
                .into_iter()
                .map(|socket| OracleState {
                    socket,
                    in_flight: BTreeMap::new(),
                })
                .collect(),
            index: 0,
            limit: 100_000,
        })
    }

    /// Caps how many states the oracle keeps (default 100,000); past it,
    /// an event is reported unexplained rather than exhausting memory.
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// The states consistent with the trace so far.
    pub fn states(&self) -> &[OracleState] {
        &self.states
    }

    /// How many events have been explained.
    pub fn position(&self) -> usize {
        self.index
    }

    /// Takes one event. On `Err` the oracle keeps its states, so the
    /// caller may inspect them.
    pub fn observe(&mut self, event: &TraceEvent) -> Result<(), Unexplained> {
        let closed = self.closure();
        let mut next = HashSet::new();
        for state in &closed {
            for s in step(state, event) {
                next.insert(s);
            }
            if next.len() > self.limit {
                break;
            }
        }
        let limit_reached = closed.len() > self.limit || next.len() > self.limit;
        if next.is_empty() || limit_reached {
            return Err(Unexplained {
                index: self.index,
                event: event.clone(),
                possible: closed,
                limit_reached,
            });
        }
        self.states = next.into_iter().collect();
        self.index += 1;
        Ok(())
    }

    /// Takes every event of a trace in turn.
    pub fn observe_all(&mut self, trace: &[TraceEvent]) -> Result<(), Unexplained> {
        trace.iter().try_for_each(|e| self.observe(e))
    }

    /// Every state reachable by the socket processing what peers wrote.
    fn closure(&self) -> Vec<OracleState> {
        let mut seen: HashSet<OracleState> = self.states.iter().cloned().collect();
        let mut queue: VecDeque<OracleState> = self.states.iter().cloned().collect();
        while let Some(s) = queue.pop_front() {
            if seen.len() > self.limit {
                break;
            }
            for peer in s.in_flight.keys().copied().collect::<Vec<_>>() {
                if let Some(n) = process(&s, peer)
                    && seen.insert(n.clone())
                {
                    queue.push_back(n);
                }
            }
        }
        seen.into_iter().collect()
    }
}

/// The socket processes the oldest item `peer` wrote; `None` if there is
/// none or the socket cannot take it yet (RCVHWM).
fn process(s: &OracleState, peer: PeerId) -> Option<OracleState> {
    let mut n = s.clone();
    let queue = n.in_flight.get_mut(&peer)?;
    let item = queue.pop_front()?;
    if queue.is_empty() {
        n.in_flight.remove(&peer);
    }
    n.socket.peer_item(peer, item).ok()?;
    drain_events(&mut n);
    Some(n)
}

/// The states one event leads to from one state.
fn step(s: &OracleState, event: &TraceEvent) -> Vec<OracleState> {
    let mut n = s.clone();
    match event {
        TraceEvent::Attach(peer, info) => {
            if n.socket.attach(*peer, info.clone()).is_err() {
                return Vec::new();
            }
        }
        TraceEvent::Connect(peer) => {
            if n.socket.attach_pending(*peer).is_err() {
                return Vec::new();
            }
        }
        TraceEvent::Suspend(peer) => {
            n.socket.suspend(*peer);
            n.in_flight.remove(peer);
        }
        TraceEvent::Detach(peer) => {
            n.socket.detach(*peer);
            n.in_flight.remove(peer);
        }
        TraceEvent::Depart(peer) => {
            n.socket.depart(*peer);
            n.in_flight.remove(peer);
        }
        TraceEvent::FromPeer(peer, item) => {
            if !n.socket.is_attached(*peer) {
                return Vec::new();
            }
            n.in_flight
                .entry(*peer)
                .or_default()
                .push_back(item.clone());
        }
        TraceEvent::ToPeer(peer, item) => {
            if n.socket.poll_transmit(*peer).as_ref() != Some(item) {
                return Vec::new();
            }
        }
        TraceEvent::SetOption(option) => {
            if n.socket.set_option(option.clone()).is_err() {
                return Vec::new();
            }
        }
        TraceEvent::Send(msg) => {
            return branch(
                &n,
                |sock, via| match via {
                    Some(p) => sock.send_via(p, msg.clone()).is_ok(),
                    None => sock.send(msg.clone()).is_ok(),
                },
                Socket::send_choices,
            );
        }
        TraceEvent::Join(group) => {
            if n.socket.join(group.clone()).is_err() {
                return Vec::new();
            }
        }
        TraceEvent::Leave(group) => {
            if n.socket.leave(group.clone()).is_err() {
                return Vec::new();
            }
        }
        TraceEvent::SendRefused(msg) => {
            if !refuses(&n.socket, msg) {
                return Vec::new();
            }
        }
        TraceEvent::Recv(msg) => {
            return branch(
                &n,
                |sock, from| {
                    let got = match from {
                        Some(p) => sock.recv_from(p),
                        None => sock.recv(),
                    };
                    got.as_ref() == Ok(msg)
                },
                Socket::recv_choices,
            );
        }
    }
    drain_events(&mut n);
    vec![n]
}

/// Whether the socket refuses `msg` whichever peer it would choose (the
/// socket is left as it was: a refused send takes nothing).
fn refuses(socket: &Socket, msg: &Message) -> bool {
    let choices = socket.send_choices();
    if choices.is_empty() {
        return socket.clone().send(msg.clone()).is_err();
    }
    choices
        .into_iter()
        .all(|p| socket.clone().send_via(p, msg.clone()).is_err())
}

/// Applies an application call under every choice the machine offers.
fn branch(
    s: &OracleState,
    call: impl Fn(&mut Socket, Option<PeerId>) -> bool,
    choices: fn(&Socket) -> Vec<PeerId>,
) -> Vec<OracleState> {
    let options = choices(&s.socket);
    let picks: Vec<Option<PeerId>> = if options.is_empty() {
        vec![None]
    } else {
        options.into_iter().map(Some).collect()
    };
    picks
        .into_iter()
        .filter_map(|pick| {
            let mut n = s.clone();
            call(&mut n.socket, pick).then(|| {
                drain_events(&mut n);
                n
            })
        })
        .collect()
}

/// The oracle's driver resumes reading by retrying, so events carry no
/// information for it.
fn drain_events(s: &mut OracleState) {
    while s.socket.poll_event().is_some() {}
    s.socket.reset_turns();
}

#[cfg(test)]
mod tests;
