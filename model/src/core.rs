//! What every pattern shares: the peers with their queues, the two
//! rotations and the events for the driver.

use std::collections::{BTreeMap, VecDeque};

use zmtp_spec::{Message, SocketType};

use crate::lifecycle::{self, LifeEvent, Origin, PeerState};
use crate::pipe::Pipe;
use crate::rotation::Rotation;
use crate::{Backpressure, Event, Options, Outgoing, PeerId};

/// Which peer a load-balancing send or a fair-queued receive uses: the one
/// whose turn it is, or one chosen by the caller (the model checker and the
/// trace oracle explore every choice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pick {
    /// The next in the rotation.
    Next,
    /// This peer, if it is eligible.
    Peer(PeerId),
}

/// The state every pattern shares.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Core {
    pub(crate) socket_type: SocketType,
    pub(crate) options: Options,
    pub(crate) pipes: BTreeMap<PeerId, Pipe>,
    /// What departed peers delivered and the application has not read yet
    /// (see [`Core::depart_pipe`]): never empty, in no send path, still in
    /// the fair queue. An entry goes with its last message.
    pub(crate) departed: BTreeMap<PeerId, VecDeque<Message>>,
    /// Every peer the machine knows, with where it is in its life
    /// ([`crate::lifecycle`]); a peer not here is Gone.
    pub(crate) lives: BTreeMap<PeerId, lifecycle::Life>,
    /// Turn order for receiving (the fair queue).
    pub(crate) fair_queue: Rotation,
    /// Turn order for sending (the load balancer).
    pub(crate) load_balancer: Rotation,
    pub(crate) events: VecDeque<Event>,
}

impl Core {
    pub(crate) fn new(socket_type: SocketType, options: Options) -> Self {
        Self {
            socket_type,
            options,
            pipes: BTreeMap::new(),
            departed: BTreeMap::new(),
            lives: BTreeMap::new(),
            fair_queue: Rotation::default(),
            load_balancer: Rotation::default(),
            events: VecDeque::new(),
        }
    }

    /// Where a peer is in its life.
    pub(crate) fn state(&self, peer: PeerId) -> PeerState {
        self.lives.get(&peer).map_or(PeerState::Gone, |l| l.state)
    }

    /// Where a peer came from, if the machine knows it.
    pub(crate) fn origin(&self, peer: PeerId) -> Option<Origin> {
        self.lives.get(&peer).map(|l| l.origin)
    }

    /// Moves a peer along its lifecycle ([`lifecycle::TRANSITIONS`]); an
    /// unknown peer starts with `origin`. An event the table does not list
    /// for the state leaves it alone.
    pub(crate) fn live(&mut self, peer: PeerId, event: LifeEvent, origin: Origin) {
        let life = self.lives.get(&peer).copied();
        let from = life.map_or(PeerState::Gone, |l| l.state);
        let Some(to) = lifecycle::next(from, event) else {
            return;
        };
        if to == PeerState::Gone {
            self.lives.remove(&peer);
        } else {
            let origin = life.map_or(origin, |l| l.origin);
            self.lives
                .insert(peer, lifecycle::Life { origin, state: to });
        }
    }

    /// Creates a peer's pipe (its double queue) if it does not exist.
    pub(crate) fn ensure_pipe(&mut self, peer: PeerId) -> &mut Pipe {
        self.fair_queue.insert(peer);
        self.load_balancer.insert(peer);
        self.pipes.entry(peer).or_default()
    }

    /// Destroys a peer's pipe and every message in it (28-R24, 28-R35,
    /// 29-R05, 29-R16, 29-R30, 29-R38, 30-R06, 30-R17, 31-R05).
    pub(crate) fn remove_pipe(&mut self, peer: PeerId) -> Option<Pipe> {
        self.fair_queue.remove(peer);
        self.load_balancer.remove(peer);
        self.events
            .retain(|e| *e != Event::InputResumed(peer) && *e != Event::Output(peer));
        self.departed.remove(&peer);
        self.lives.remove(&peer);
        self.pipes.remove(&peer)
    }

    /// A peer's connection ended for good: its pipe leaves every send path
    /// at once (the load balancer, and whatever iterates `pipes`: PAIR's
    /// slot, the publishers' fan-out) and what was queued for it is
    /// discarded (28-R24, 28-R35, 29-R05, 30-R06, 31-R05), but the messages
    /// it delivered stay readable in the fair queue until the application
    /// has read them, as libzmq's pipes deliver everything written before
    /// their end. With nothing unread, this is [`Core::remove_pipe`].
    pub(crate) fn depart_pipe(&mut self, peer: PeerId) {
        self.load_balancer.remove(peer);
        self.events
            .retain(|e| *e != Event::InputResumed(peer) && *e != Event::Output(peer));
        match self.pipes.remove(&peer) {
            Some(pipe) if !pipe.inbound.is_empty() => {
                self.departed.insert(peer, pipe.inbound);
                self.live(peer, LifeEvent::LostWithInput, Origin::Accepted);
            }
            _ => {
                self.fair_queue.remove(peer);
                self.lives.remove(&peer);
            }
        }
    }

    /// Whether the machine still has anything of `peer`: its pipe, or
    /// messages it delivered before it departed.
    pub(crate) fn knows(&self, peer: PeerId) -> bool {
        self.pipes.contains_key(&peer) || self.departed.contains_key(&peer)
    }

    /// The messages from `peer` waiting for the application, live or
    /// departed.
    pub(crate) fn input(&self, peer: PeerId) -> Option<&VecDeque<Message>> {
        match self.pipes.get(&peer) {
            Some(pipe) => Some(&pipe.inbound),
            None => self.departed.get(&peer),
        }
    }

    /// Keeps only the unread messages that pass `keep`, from every peer
    /// (a DISH leaving a group, a SUB unsubscribing), and forgets departed
    /// peers left with nothing.
    pub(crate) fn retain_input(&mut self, mut keep: impl FnMut(&Message) -> bool) {
        for pipe in self.pipes.values_mut() {
            pipe.inbound.retain(&mut keep);
        }
        for queue in self.departed.values_mut() {
            queue.retain(&mut keep);
        }
        self.reap_departed();
    }

    /// Discards the unread messages of one peer (REQ abandoning a request).
    pub(crate) fn discard_input(&mut self, peer: PeerId) {
        if let Some(pipe) = self.pipes.get_mut(&peer) {
            pipe.inbound.clear();
        }
        if self.departed.remove(&peer).is_some() {
            self.fair_queue.remove(peer);
            self.live(peer, LifeEvent::LastRead, Origin::Accepted);
        }
    }

    /// Forgets the departed peers whose messages have all been read.
    fn reap_departed(&mut self) {
        let (fair_queue, lives) = (&mut self.fair_queue, &mut self.lives);
        self.departed.retain(|peer, queue| {
            let keep = !queue.is_empty();
            if !keep {
                fair_queue.remove(*peer);
                lives.remove(peer);
            }
            keep
        });
    }

    /// After a message of a departed peer was taken: the peer goes with its
    /// last one.
    fn took_departed(&mut self, peer: PeerId) {
        if self.departed.get(&peer).is_some_and(VecDeque::is_empty) {
            self.departed.remove(&peer);
            self.fair_queue.remove(peer);
            self.live(peer, LifeEvent::LastRead, Origin::Accepted);
        }
    }

    /// Whether the load balancer may give `peer` a message: its queue is
    /// not full (28-R25, 30-R07, 31-R06). A pending peer counts: messages
    /// wait for its connection (28-R22, 30-R04).
    #[inline]
    pub(crate) fn can_take(&self, peer: PeerId) -> bool {
        self.pipes
            .get(&peer)
            .is_some_and(|p| p.out_has_room(self.options.sndhwm, self.options.conflate))
    }

    /// Whether a load-balancing send would find a peer: the question
    /// pollers ask, answered without building the list of choices.
    pub(crate) fn can_send_any(&self) -> bool {
        self.load_balancer.any(|p| self.can_take(p))
    }

    /// The peers a load-balancing send may choose, next turn first.
    pub(crate) fn send_choices(&self) -> Vec<PeerId> {
        self.load_balancer.eligible(|p| self.can_take(p))
    }

    /// Chooses the peer for a load-balancing send and passes the turn on.
    #[inline]
    pub(crate) fn pick_send(&mut self, pick: Pick) -> Option<PeerId> {
        let (pipes, hwm, conflate) = (&self.pipes, self.options.sndhwm, self.options.conflate);
        let can_take = |p: PeerId| pipes.get(&p).is_some_and(|p| p.out_has_room(hwm, conflate));
        match pick {
            Pick::Next if zmtp_spec::mutant!(LoadBalanceStuck) => self.load_balancer.peek(can_take),
            Pick::Next => self.load_balancer.pick(can_take),
            Pick::Peer(p) => {
                let peer = Some(p).filter(|p| can_take(*p))?;
                self.load_balancer.advance_past(peer);
                Some(peer)
            }
        }
    }

    /// Queues a message for a peer if its queue has room (the message
    /// moves into the pipe); gives it back if not.
    #[inline]
    pub(crate) fn queue_out(&mut self, peer: PeerId, msg: Message) -> Result<(), Message> {
        let (hwm, conflate) = (self.options.sndhwm, self.options.conflate);
        match self.pipes.get_mut(&peer) {
            Some(pipe) if pipe.out_has_room(hwm, conflate) => {
                if pipe.outbound.is_empty() {
                    self.events.push_back(Event::Output(peer));
                }
                pipe.push_out(msg, conflate);
                Ok(())
            }
            _ => Err(msg),
        }
    }

    /// Queues a copy of `msg` for every peer that `wants` it and has room
    /// (the publishers' and RADIO's fan-out, XSUB's forwarding); a full
    /// peer misses it.
    pub(crate) fn queue_out_all(&mut self, msg: &Message, mut wants: impl FnMut(&Pipe) -> bool) {
        let (hwm, conflate) = (self.options.sndhwm, self.options.conflate);
        let (pipes, events) = (&mut self.pipes, &mut self.events);
        for (peer, pipe) in pipes.iter_mut() {
            if wants(pipe) && pipe.out_has_room(hwm, conflate) {
                if pipe.outbound.is_empty() {
                    events.push_back(Event::Output(*peer));
                }
                pipe.push_out(msg.clone(), conflate);
            }
        }
    }

    /// Queues a message for a peer whatever its HWM (a probe or welcome
    /// message, sent once per connection).
    pub(crate) fn queue_out_unbounded(&mut self, peer: PeerId, msg: Message) {
        if let Some(pipe) = self.pipes.get_mut(&peer) {
            if pipe.outbound.is_empty() {
                self.events.push_back(Event::Output(peer));
            }
            pipe.push_out(msg, false);
        }
    }

    /// Queues a subscription item for a peer.
    pub(crate) fn queue_control(&mut self, peer: PeerId, item: Outgoing) {
        if let Some(pipe) = self.pipes.get_mut(&peer) {
            if pipe.outbound.is_empty() {
                self.events.push_back(Event::Output(peer));
            }
            pipe.push_out_control(item);
        }
    }

    /// Queues a message that arrived from a peer. When the peer's queue is
    /// at RCVHWM, a dropping pattern (`drop_when_full`) discards it, any
    /// other gives it back to the driver.
    #[inline]
    pub(crate) fn queue_in(
        &mut self,
        peer: PeerId,
        msg: Message,
        drop_when_full: bool,
    ) -> Result<(), Backpressure> {
        let (hwm, conflate) = (self.options.rcvhwm, self.options.conflate);
        let Some(pipe) = self.pipes.get_mut(&peer) else {
            return Ok(()); // not attached: nobody to deliver it to
        };
        if pipe.in_has_room(hwm, conflate) {
            pipe.push_in(msg, conflate);
            Ok(())
        } else if drop_when_full {
            Ok(())
        } else {
            pipe.input_blocked = true;
            Err(Backpressure(msg))
        }
    }

    /// Queues a run of messages from `peer`, oldest first, as
    /// [`Core::queue_in`] would one by one with `drop_when_full` off: as
    /// many as RCVHWM leaves room for move in one step (the whole run, by
    /// swapping queues, when the peer's queue is empty); what stays in
    /// `run` was refused, and the peer is blocked until `InputResumed`.
    pub(crate) fn queue_in_run(&mut self, peer: PeerId, run: &mut VecDeque<Message>) {
        let (hwm, conflate) = (self.options.rcvhwm, self.options.conflate);
        let Some(pipe) = self.pipes.get_mut(&peer) else {
            run.clear(); // not attached: nobody to deliver it to
            return;
        };
        if conflate {
            // Always room, and only the newest is kept.
            for msg in run.drain(..) {
                pipe.push_in(msg, true);
            }
            return;
        }
        let room = if hwm == 0 {
            run.len()
        } else {
            crate::pipe::limit(hwm).saturating_sub(pipe.inbound.len())
        };
        let n = room.min(run.len());
        if pipe.inbound.is_empty() && n == run.len() {
            core::mem::swap(&mut pipe.inbound, run);
        } else {
            pipe.inbound.extend(run.drain(..n));
        }
        if !run.is_empty() {
            pipe.input_blocked = true;
        }
    }

    /// Queues a message for the application from `peer` whatever RCVHWM
    /// says (STREAM's connect and disconnect notifications).
    pub(crate) fn queue_in_unbounded(&mut self, peer: PeerId, msg: Message) {
        if let Some(pipe) = self.pipes.get_mut(&peer) {
            pipe.push_in(msg, false);
        }
    }

    /// Whether `peer` has a message for the application.
    #[inline]
    pub(crate) fn has_input(&self, peer: PeerId) -> bool {
        self.input(peer).is_some_and(|q| !q.is_empty())
    }

    /// Whether a fair-queued receive would find a message, without
    /// building the list of choices.
    pub(crate) fn has_any_input(&self) -> bool {
        !self.departed.is_empty() || self.pipes.values().any(|p| !p.inbound.is_empty())
    }

    /// The peers a fair-queued receive may take from, next turn first.
    pub(crate) fn recv_choices(&self) -> Vec<PeerId> {
        self.fair_queue.eligible(|p| self.has_input(p))
    }

    /// Whether receives take turns (no fault or mutant that breaks the
    /// fair queue).
    fn is_fair(&self) -> bool {
        self.options.fault != crate::Fault::UnfairQueue && !zmtp_spec::mutant!(FairQueueStuck)
    }

    /// Takes the oldest message of the peer whose turn it is (or of the
    /// chosen peer) and passes the turn on.
    #[inline]
    pub(crate) fn take_fair(&mut self, pick: Pick) -> Option<(PeerId, Message)> {
        let fair = self.is_fair();
        if fair && pick == Pick::Next {
            return self.take_next();
        }
        let core = &*self;
        let has_input = |p: PeerId| core.has_input(p);
        let peer = match pick {
            Pick::Next => self.fair_queue.peek(has_input)?,
            Pick::Peer(p) => {
                let peer = Some(p).filter(|p| has_input(*p))?;
                if fair {
                    self.fair_queue.advance_past(peer);
                }
                peer
            }
        };
        let msg = self.take_from(peer)?;
        Some((peer, msg))
    }

    /// Up to `max` fair-queued receives (`take_fair(Pick::Next)` repeated),
    /// appended to `out`; how many. After the first, when the peer it came
    /// from is the only one with input, the rest come from its queue in one
    /// step: the turn would come back to it each time, and passes on from
    /// it as after one take.
    pub(crate) fn take_fair_run(&mut self, out: &mut Vec<Message>, max: usize) -> usize {
        let fair = self.is_fair();
        let mut got = 0;
        while got < max {
            let Some((peer, msg)) = self.take_fair(Pick::Next) else {
                break;
            };
            out.push(msg);
            got += 1;
            if fair && got < max && self.departed.is_empty() && self.only_input(peer) {
                got += self.take_run_from(peer, out, max - got);
                break;
            }
        }
        got
    }

    /// Whether no peer but `peer` has a message for the application (the
    /// departed ones aside: the caller checks them).
    fn only_input(&self, peer: PeerId) -> bool {
        self.pipes
            .iter()
            .all(|(p, pipe)| *p == peer || pipe.inbound.is_empty())
    }

    /// Takes up to `max` of `peer`'s oldest messages at once, as
    /// [`Core::take_from`] would one by one (a blocked peer is resumed
    /// once there is room).
    fn take_run_from(&mut self, peer: PeerId, out: &mut Vec<Message>, max: usize) -> usize {
        let (hwm, conflate) = (self.options.rcvhwm, self.options.conflate);
        let Some(pipe) = self.pipes.get_mut(&peer) else {
            return 0;
        };
        let n = max.min(pipe.inbound.len());
        out.extend(pipe.inbound.drain(..n));
        if n > 0 && pipe.input_blocked && pipe.in_has_room(hwm, conflate) {
            pipe.input_blocked = false;
            self.events.push_back(Event::InputResumed(peer));
        }
        n
    }

    /// The common receive: the next peer in turn with a message gives its
    /// oldest, found and popped in one walk of the rotation (one lookup per
    /// peer looked at); the turn passes on.
    #[inline]
    fn take_next(&mut self) -> Option<(PeerId, Message)> {
        let (hwm, conflate) = (self.options.rcvhwm, self.options.conflate);
        let (pipes, departed) = (&mut self.pipes, &mut self.departed);
        let mut taken = None;
        let peer = self.fair_queue.pick(|p| {
            let Some(pipe) = pipes.get_mut(&p) else {
                return match departed.get_mut(&p).and_then(VecDeque::pop_front) {
                    Some(msg) => {
                        taken = Some((msg, false));
                        true
                    }
                    None => false,
                };
            };
            let Some(msg) = pipe.inbound.pop_front() else {
                return false;
            };
            let resume = pipe.input_blocked && pipe.in_has_room(hwm, conflate);
            if resume {
                pipe.input_blocked = false;
            }
            taken = Some((msg, resume));
            true
        })?;
        let (msg, resume) = taken?;
        if resume {
            self.events.push_back(Event::InputResumed(peer));
        }
        self.took_departed(peer);
        Some((peer, msg))
    }

    /// Takes the oldest message from `peer`, and tells the driver to resume
    /// reading it if it was blocked.
    #[inline]
    pub(crate) fn take_from(&mut self, peer: PeerId) -> Option<Message> {
        let (hwm, conflate) = (self.options.rcvhwm, self.options.conflate);
        let Some(pipe) = self.pipes.get_mut(&peer) else {
            let msg = self.departed.get_mut(&peer)?.pop_front()?;
            self.took_departed(peer);
            return Some(msg);
        };
        let msg = pipe.inbound.pop_front()?;
        if pipe.input_blocked && pipe.in_has_room(hwm, conflate) {
            pipe.input_blocked = false;
            self.events.push_back(Event::InputResumed(peer));
        }
        Some(msg)
    }

    /// Tells the driver to resume every blocked peer that has room again
    /// (after RCVHWM was raised, or a queue was emptied).
    pub(crate) fn resume_blocked(&mut self) {
        let (hwm, conflate) = (self.options.rcvhwm, self.options.conflate);
        for (peer, pipe) in &mut self.pipes {
            if pipe.input_blocked && pipe.in_has_room(hwm, conflate) {
                pipe.input_blocked = false;
                self.events.push_back(Event::InputResumed(*peer));
            }
        }
    }

    /// The attached peers, in id order.
    pub(crate) fn peer_ids(&self) -> Vec<PeerId> {
        self.pipes.keys().copied().collect()
    }
}
