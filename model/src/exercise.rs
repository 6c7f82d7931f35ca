//! One harness for the fuzz target and the property tests: drive a machine
//! with an operation sequence decoded from bytes and check its invariants
//! after every step. It never panics on any input; a broken invariant is
//! returned as a [`Violation`].
//!
//! The input's first bytes choose the socket type and options, the rest is
//! a sequence of operations: peers attaching, suspending and detaching,
//! peers' messages and subscriptions, application sends and receives
//! (with or without a chosen peer), the driver draining queues, and option
//! changes; for the draft types, DISH's joins and leaves and a DISH
//! peer's JOIN and LEAVE at RADIO. With [`run_recorded`] the run also yields the trace an outside
//! observer would see, for the oracle.

use bytes::Bytes;

use crate::oracle::TraceEvent;
use crate::pipe::limit;
use crate::{
    Message, Options, Outgoing, PeerId, PeerInfo, PeerState, RecvError, SendError, Socket,
    SocketOption, SocketType,
};

/// An invariant the machine broke, with the index of the operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("after operation {step}: {what}")]
pub struct Violation {
    /// The operation's index.
    pub step: usize,
    /// The broken invariant.
    pub what: String,
}

struct Input<'a> {
    data: &'a [u8],
}

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.data.split_first()?;
        self.data = rest;
        Some(*first)
    }

    fn frame(&mut self) -> Option<Bytes> {
        let len = usize::from(self.byte()? % 4);
        let mut v = Vec::with_capacity(len);
        for _ in 0..len {
            v.push([0u8, 1, b'A', b'B'][usize::from(self.byte()? % 4)]);
        }
        Some(Bytes::from(v))
    }

    fn message(&mut self) -> Option<Message> {
        let n = 1 + self.byte()? % 3;
        (0..n)
            .map(|_| self.frame())
            .collect::<Option<Vec<_>>>()
            .map(Message::from)
    }

    /// A group of two, so JOINs and messages meet (RADIO and DISH).
    fn group(&mut self) -> Option<Bytes> {
        let g: &'static [u8] = if self.byte()? % 2 == 0 { b"A" } else { b"B" };
        Some(Bytes::from_static(g))
    }

    fn peer(&mut self) -> Option<PeerId> {
        Some(PeerId(u64::from(self.byte()? % 4)))
    }
}

/// The draft types the harness drives besides the classic ones. (STREAM
/// is left out: it has no ZMTP peer type to attach.)
const DRAFT: [SocketType; 8] = [
    SocketType::Client,
    SocketType::Server,
    SocketType::Radio,
    SocketType::Dish,
    SocketType::Scatter,
    SocketType::Gather,
    SocketType::Peer,
    SocketType::Channel,
];

/// The socket type a first byte chooses: a draft type when the byte is
/// 11-18 modulo 64, otherwise the classic type at the byte modulo 11 (so
/// inputs written for the classic types keep their meaning).
fn socket_type(b: u8) -> SocketType {
    match usize::from(b % 64) {
        n @ 11..=18 => DRAFT[n - 11],
        _ => SocketType::CLASSIC[usize::from(b) % SocketType::CLASSIC.len()],
    }
}

/// The socket type and options the input's first three bytes choose.
fn header(input: &mut Input<'_>) -> Option<(SocketType, Options)> {
    let t = socket_type(input.byte()?);
    let hwm = input.byte()?;
    let flags = input.byte()?;
    let bit = |n: u8| flags & (1 << n) != 0;
    let options = Options {
        sndhwm: u32::from(hwm % 4),
        rcvhwm: u32::from((hwm >> 2) % 4),
        router_mandatory: bit(0),
        router_handover: bit(1),
        probe_router: bit(2),
        req_relaxed: bit(3),
        req_correlate: bit(4),
        xpub_verbose: bit(5),
        invert_matching: bit(6),
        conflate: bit(7) && hwm & 0x80 != 0,
        xpub_nodrop: hwm & 0x40 != 0,
        immediate: hwm & 0x20 != 0,
        ..Options::default()
    };
    Some((t, options))
}

/// A peer type the socket accepts: the first compatible type, or the
/// second one for variety.
fn peer_type(t: SocketType, pick: u8) -> SocketType {
    let ok: Vec<SocketType> = SocketType::CLASSIC
        .into_iter()
        .chain(DRAFT)
        .filter(|p| t.is_compatible_with(*p))
        .collect();
    ok[usize::from(pick) % ok.len()]
}

/// What the runner remembers to check invariants that span steps.
#[derive(Default)]
struct Tracker {
    /// REQ: requests taken minus replies received.
    outstanding: u32,
    trace: Vec<TraceEvent>,
}

fn check(s: &Socket, tracker: &Tracker, step: usize) -> Result<(), Violation> {
    let fail = |what: String| Err(Violation { step, what });
    let o = s.options();
    for p in s.peers() {
        // One probe or welcome message may pass the HWM.
        if o.sndhwm != 0 && !o.conflate && s.queued_out(p) > limit(o.sndhwm) + 1 {
            return fail(format!(
                "{p}: {} queued out, SNDHWM {}",
                s.queued_out(p),
                o.sndhwm
            ));
        }
        if o.conflate && s.queued_out(p) > 2 {
            return fail(format!("{p}: CONFLATE keeps {} out", s.queued_out(p)));
        }
        let rcv = if o.conflate { 1 } else { limit(o.rcvhwm) };
        if rcv != 0 && s.queued_in(p) > rcv {
            return fail(format!("{p}: {} queued in, RCVHWM {rcv}", s.queued_in(p)));
        }
    }
    // The lifecycle agrees with the queues it governs.
    for p in s.peers() {
        let want = if s.is_connected(p) {
            vec![PeerState::Active]
        } else {
            vec![PeerState::Connecting, PeerState::Handshaking]
        };
        if !want.contains(&s.peer_state(p)) {
            return fail(format!("{p} has a pipe but is {:?}", s.peer_state(p)));
        }
    }
    for p in s.departed_peers() {
        if s.peer_state(p) != PeerState::Departing {
            return fail(format!("{p} departed but is {:?}", s.peer_state(p)));
        }
    }
    for p in s.departed_peers() {
        // A departed peer is in no send path and goes with its last
        // unread message.
        if s.is_attached(p) || s.queued_in(p) == 0 || s.outgoing(p).next().is_some() {
            return fail(format!("{p} departed but is still attached or empty"));
        }
        if s.send_choices().contains(&p) {
            return fail(format!("{p} departed but a send may choose it"));
        }
    }
    match s.socket_type() {
        SocketType::Pair if s.peers().len() > 1 => return fail("PAIR has two peers".into()),
        SocketType::Channel if s.peers().len() > 1 => {
            return fail("CHANNEL has two peers (52-R14)".into());
        }
        SocketType::Req => {
            if tracker.outstanding > 1 {
                return fail("REQ has two requests outstanding (28-R01)".into());
            }
            let waiting = s.awaiting_peer();
            if s.peers()
                .into_iter()
                .chain(s.departed_peers())
                .any(|p| Some(p) != waiting && s.queued_in(p) > 0)
            {
                return fail("REQ keeps a message from a peer it did not ask (28-R08)".into());
            }
        }
        SocketType::Router => {
            let mut ids = std::collections::BTreeSet::new();
            for p in s.peers() {
                if let Some(id) = s.routing_id(p)
                    && (!ids.insert(id.clone()) || s.peer_by_routing_id(id) != Some(p))
                {
                    return fail("ROUTER routing ids are not unique (28-R36)".into());
                }
            }
        }
        _ => {}
    }
    // The poller queries agree with what the calls do.
    let mut probe = s.clone();
    if s.can_recv() != probe.recv().is_ok() {
        return fail(format!("can_recv() is {} but recv disagrees", s.can_recv()));
    }
    let load_balancing = matches!(
        s.socket_type(),
        SocketType::Push
            | SocketType::Dealer
            | SocketType::Pair
            | SocketType::Req
            | SocketType::Client
            | SocketType::Scatter
            | SocketType::Channel
    );
    if load_balancing {
        let mut probe = s.clone();
        if s.can_send() != probe.send(Message::from("probe")).is_ok() {
            return fail(format!("can_send() is {} but send disagrees", s.can_send()));
        }
    }
    Ok(())
}

fn op(s: &mut Socket, input: &mut Input<'_>, tracker: &mut Tracker) -> Option<()> {
    let t = s.socket_type();
    let record = &mut tracker.trace;
    match input.byte()? % 13 {
        0 => {
            let peer = input.peer()?;
            let info = PeerInfo::new(peer_type(t, input.byte()?));
            let info = match input.byte()? % 3 {
                0 => info.with_routing_id(Bytes::from_static(b"id")),
                _ => info,
            };
            if s.attach(peer, info.clone()).is_ok() {
                record.push(TraceEvent::Attach(peer, info));
            }
        }
        1 => {
            let peer = input.peer()?;
            if !s.options().immediate && s.attach_pending(peer).is_ok() {
                record.push(TraceEvent::Connect(peer));
            }
        }
        2 => {
            let peer = input.peer()?;
            if s.is_attached(peer) {
                s.suspend(peer);
                record.push(TraceEvent::Suspend(peer));
            }
        }
        3 => {
            // Half the closes keep what the peer delivered readable
            // (`depart`, what the driver does), half discard it.
            let depart = input.data.first().is_some_and(|b| b % 2 == 0);
            let peer = input.peer()?;
            if s.is_attached(peer) && depart {
                s.depart(peer);
                record.push(TraceEvent::Depart(peer));
            } else if s.is_attached(peer) {
                s.detach(peer);
                record.push(TraceEvent::Detach(peer));
            }
        }
        4 => {
            let peer = input.peer()?;
            let mut msg = input.message()?;
            if t == SocketType::Dish && msg.len() == 2 {
                msg.pop_front();
                msg.push_front(input.group()?);
            }
            if s.is_connected(peer) && s.peer_message(peer, msg.clone()).is_ok() {
                record.push(TraceEvent::FromPeer(peer, Outgoing::Message(msg)));
            }
        }
        5 | 6 => {
            let subscribe = input.data.first().is_some_and(|b| b % 2 == 0);
            let peer = input.peer()?;
            let topic = if t == SocketType::Radio {
                input.group()?
            } else {
                input.frame()?
            };
            if s.is_connected(peer) && t == SocketType::Radio {
                // A DISH's JOIN and LEAVE (37-R53, 37-R54).
                let item = if subscribe {
                    s.peer_join(peer, topic.clone());
                    Outgoing::Join(topic)
                } else {
                    s.peer_leave(peer, topic.clone());
                    Outgoing::Leave(topic)
                };
                record.push(TraceEvent::FromPeer(peer, item));
            } else if s.is_connected(peer) {
                let item = if subscribe {
                    s.peer_subscribe(peer, topic.clone());
                    Outgoing::Subscribe(topic)
                } else {
                    s.peer_cancel(peer, topic.clone());
                    Outgoing::Cancel(topic)
                };
                record.push(TraceEvent::FromPeer(peer, item));
            }
        }
        7 | 8 => {
            let via = if input.data.first().is_some_and(|b| b % 2 == 0) {
                Some(input.peer()?)
            } else {
                None
            };
            let mut msg = input.message()?;
            if matches!(t, SocketType::Server | SocketType::Peer) {
                // Address a peer SERVER or PEER knows, when there is one.
                let to = input.peer()?;
                if let Some(id) = s.server_routing_id(to) {
                    if msg.len() > 1 {
                        msg.pop_front();
                    }
                    msg.push_front(Bytes::copy_from_slice(&id.to_be_bytes()));
                }
            }
            if t == SocketType::Radio && msg.len() < 3 {
                // Mostly well-formed `[group, body]`; three frames stay
                // for the refusal (37-R56).
                if msg.len() == 2 {
                    msg.pop_front();
                }
                msg.push_front(input.group()?);
            }
            let result = match via {
                Some(p) => s.send_via(p, msg.clone()),
                None => s.send(msg.clone()),
            };
            match result {
                Ok(()) => {
                    if t == SocketType::Req {
                        // REQ_RELAXED abandons the previous request.
                        tracker.outstanding = if s.options().req_relaxed {
                            1
                        } else {
                            tracker.outstanding + 1
                        };
                    }
                    record.push(TraceEvent::Send(msg));
                }
                Err(SendError::InvalidState) if t == SocketType::Req && !s.is_awaiting() => {
                    return None;
                }
                // What an application sees when the socket picks the peer
                // itself; a refusal through a chosen peer is the harness's
                // doing, not observable.
                Err(_) if via.is_none() => record.push(TraceEvent::SendRefused(msg)),
                Err(_) => {}
            }
        }
        9 | 10 => {
            let from = if input.data.first().is_some_and(|b| b % 2 == 0) {
                Some(input.peer()?)
            } else {
                None
            };
            let result = match from {
                Some(p) => s.recv_from(p),
                None => s.recv(),
            };
            match result {
                Ok(msg) => {
                    if t == SocketType::Req {
                        tracker.outstanding = 0;
                    }
                    record.push(TraceEvent::Recv(msg));
                }
                Err(RecvError::InvalidState) if t == SocketType::Req && s.is_awaiting() => {
                    return None;
                }
                Err(_) => {}
            }
        }
        11 => {
            let peer = input.peer()?;
            let n = input.byte()? % 4;
            for _ in 0..n {
                match s.poll_transmit(peer) {
                    Some(item) => record.push(TraceEvent::ToPeer(peer, item)),
                    None => break,
                }
            }
        }
        _ => {
            let kind = input.byte()?;
            let topic = if t == SocketType::Dish {
                input.group()?
            } else {
                input.frame()?
            };
            let on = kind & 0x10 != 0;
            let option = match kind % 6 {
                0 => SocketOption::Subscribe(topic),
                1 => SocketOption::Unsubscribe(topic),
                2 => SocketOption::RouterMandatory(on),
                3 if kind & 0x20 != 0 => SocketOption::XPubManual(on),
                3 => SocketOption::ReqRelaxed(on),
                4 if kind & 0x20 != 0 => SocketOption::XPubWelcomeMsg(Some(topic)),
                4 => SocketOption::XPubVerboser(on),
                _ if kind & 0x20 != 0 => SocketOption::RouterHandover(on),
                _ => SocketOption::InvertMatching(on),
            };
            if t == SocketType::Dish {
                // DISH's zmq_join / zmq_leave in place of the options.
                let (result, event) = match option {
                    SocketOption::Subscribe(g) => (s.join(g.clone()), TraceEvent::Join(g)),
                    SocketOption::Unsubscribe(g) => (s.leave(g.clone()), TraceEvent::Leave(g)),
                    _ => return Some(()),
                };
                if result.is_ok() {
                    record.push(event);
                }
            } else if s.set_option(option.clone()).is_ok() {
                record.push(TraceEvent::SetOption(option));
            }
        }
    }
    Some(())
}

/// Runs the operations the bytes encode and checks the invariants after
/// each one. Returns the socket type, the options, and the trace an outside
/// observer would have recorded.
pub fn run_recorded(
    data: &[u8],
) -> Result<Option<(SocketType, Options, Vec<TraceEvent>)>, Violation> {
    let mut input = Input { data };
    let Some((t, options)) = header(&mut input) else {
        return Ok(None);
    };
    let Ok(mut socket) = Socket::new(t, options.clone()) else {
        return Ok(None);
    };
    let mut tracker = Tracker::default();
    let mut step = 0;
    while !input.data.is_empty() {
        if op(&mut socket, &mut input, &mut tracker).is_none() && !input.data.is_empty() {
            return Err(Violation {
                step,
                what: "REQ/REP alternation refused a call its state allows".into(),
            });
        }
        while socket.poll_event().is_some() {}
        check(&socket, &tracker, step)?;
        step += 1;
    }
    Ok(Some((t, options, tracker.trace)))
}

/// Every invariant holds after every operation.
pub fn run(data: &[u8]) -> Result<(), Violation> {
    run_recorded(data).map(|_| ())
}

/// The fuzz target's body: [`run`], and the oracle explains the trace the
/// run produced (for traces short enough to judge quickly).
pub fn fuzz(data: &[u8]) -> Result<(), Violation> {
    let Some((t, options, trace)) = run_recorded(data)? else {
        return Ok(());
    };
    if trace.len() > 24 {
        return Ok(());
    }
    let limit = 500;
    let Ok(oracle) = crate::oracle::Oracle::new(t, options) else {
        return Ok(());
    };
    match oracle.with_limit(limit).observe_all(&trace) {
        Ok(()) => Ok(()),
        Err(e) if e.limit_reached => Ok(()),
        Err(e) => Err(Violation {
            step: e.index,
            what: format!("the oracle cannot explain the machine's own {:?}", e.event),
        }),
    }
}

#[cfg(test)]
mod tests;
