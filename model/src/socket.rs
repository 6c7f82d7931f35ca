//! [`Socket`]: one socket's pattern machine, the API drivers use.

use std::collections::VecDeque;

use bytes::Bytes;
use zmtp_spec::{Message, SocketType};

use crate::core::{Core, Pick};
use crate::lifecycle::LifeEvent;
use crate::patterns::Pattern;
use crate::subscriptions::Subscriptions;
use crate::{
    AttachError, Backpressure, Event, OptionError, Options, Outgoing, PeerId, PeerInfo, RecvError,
    SendError, SocketOption, UnsupportedSocketType,
};
use crate::{Origin, PeerState};

/// The pattern machine of one socket: REQ, REP, DEALER, ROUTER, PUB, SUB,
/// XPUB, XSUB, PUSH, PULL or PAIR, or the draft CLIENT, SERVER (RFC 41),
/// RADIO and DISH (RFC 48), SCATTER and GATHER (RFC 49), PEER (RFC 51) and
/// CHANNEL (RFC 52), or libzmq's raw STREAM.
///
/// SERVER and PEER speak in two-frame messages: `recv` gives `[routing
/// id, body]` and `send` takes them, the routing id as four octets in
/// network order (the peer's 32-bit id, see
/// [`Socket::server_routing_id`]). RADIO's
/// sends and DISH's receives are `[group, body]`, their wire form too.
///
/// It does no I/O and reads no clock. See the [crate docs](crate) for the
/// order in which a driver calls it. Cloning a socket copies its whole
/// state (queues included), which is what the model checker and the trace
/// oracle do; frame bodies are shared, not copied.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Socket {
    core: Core,
    pattern: Pattern,
}

impl Socket {
    /// A machine for a socket type with the given options: the classic
    /// types, every draft type of RFCs 41, 48, 49, 51 and 52, and STREAM.
    pub fn new(socket_type: SocketType, options: Options) -> Result<Self, UnsupportedSocketType> {
        let pattern = Pattern::new(socket_type).ok_or(UnsupportedSocketType(socket_type))?;
        Ok(Self {
            core: Core::new(socket_type, options),
            pattern,
        })
    }

    // ----- getters -------------------------------------------------------

    /// The socket type.
    pub fn socket_type(&self) -> SocketType {
        self.core.socket_type
    }

    /// The current options.
    pub fn options(&self) -> &Options {
        &self.core.options
    }

    /// Whether a send would be taken now: the socket is writable for a
    /// poller. (ROUTER, PUB, XPUB and XSUB never block, so they are always
    /// writable.) It changes after `attach`, `poll_transmit`, `recv` (REP,
    /// REQ) and `send`.
    #[inline]
    pub fn can_send(&self) -> bool {
        self.pattern.behaviour_ref().can_send(&self.core)
    }

    /// Whether a receive would return a message now: the socket is
    /// readable for a poller. It changes after `peer_message`,
    /// `peer_subscribe`/`peer_cancel` (XPUB), `recv` and `detach`.
    #[inline]
    pub fn can_recv(&self) -> bool {
        self.pattern.behaviour_ref().can_recv(&self.core)
    }

    /// The attached peers, in id order (not the departed ones, see
    /// [`Socket::departed_peers`]).
    pub fn peers(&self) -> Vec<PeerId> {
        self.core.peer_ids()
    }

    /// Where a peer is in its life ([`crate::lifecycle`]): `Gone` for a
    /// peer the machine does not know.
    pub fn peer_state(&self, peer: PeerId) -> PeerState {
        self.core.state(peer)
    }

    /// Where a peer came from, if the machine knows it.
    pub fn peer_origin(&self, peer: PeerId) -> Option<Origin> {
        self.core.origin(peer)
    }

    /// Whether the machine has a pipe for this peer (attached, pending or
    /// suspended; not a departed peer).
    pub fn is_attached(&self, peer: PeerId) -> bool {
        self.core.pipes.contains_key(&peer)
    }

    /// Whether this peer's connection is up (attached, not pending or
    /// suspended).
    pub fn is_connected(&self, peer: PeerId) -> bool {
        self.core.pipes.get(&peer).is_some_and(|p| p.is_connected())
    }

    /// What the handshake said about a peer.
    pub fn peer_info(&self, peer: PeerId) -> Option<&PeerInfo> {
        self.core.pipes.get(&peer)?.info.as_ref()
    }

    /// How many messages wait to be written to `peer` (bounded by SNDHWM,
    /// except for one probe or welcome message).
    pub fn queued_out(&self, peer: PeerId) -> usize {
        self.core.pipes.get(&peer).map_or(0, |p| p.out_messages())
    }

    /// How many items (messages and subscriptions) wait to be written to
    /// `peer`.
    pub fn queued_items_out(&self, peer: PeerId) -> usize {
        self.core.pipes.get(&peer).map_or(0, |p| p.outbound.len())
    }

    /// How many messages from `peer` wait for the application (bounded by
    /// RCVHWM).
    pub fn queued_in(&self, peer: PeerId) -> usize {
        self.core.input(peer).map_or(0, VecDeque::len)
    }

    /// The peers that have something to write: call
    /// [`Socket::poll_transmit`] for each when its connection is writable.
    pub fn peers_with_output(&self) -> Vec<PeerId> {
        self.core
            .pipes
            .iter()
            .filter(|(_, p)| !p.outbound.is_empty())
            .map(|(id, _)| *id)
            .collect()
    }

    /// The items waiting to be written to `peer`, oldest first.
    pub fn outgoing(&self, peer: PeerId) -> impl Iterator<Item = &Outgoing> {
        self.core
            .pipes
            .get(&peer)
            .into_iter()
            .flat_map(|p| p.outbound.iter())
    }

    /// The messages from `peer` waiting for the application, oldest first
    /// (a departed peer's too).
    pub fn incoming(&self, peer: PeerId) -> impl Iterator<Item = &Message> {
        self.core.input(peer).into_iter().flatten()
    }

    /// SUB and XSUB: the socket's own subscriptions. PUB and XPUB: `None`
    /// (see [`Socket::peer_subscriptions`]).
    pub fn subscriptions(&self) -> Option<&Subscriptions> {
        match &self.pattern {
            Pattern::Sub(s) | Pattern::XSub(s) => Some(&s.subscriptions),
            _ => None,
        }
    }

    /// The machines a correct socket of this type may equally be where its
    /// RFC leaves the choice open, this one first. Today one choice: an
    /// XSUB MAY filter what it receives by its subscriptions (29-S07); ours
    /// does, libzmq's does not, so an XSUB also stands for one that
    /// delivers everything. The [`Oracle`](crate::oracle::Oracle) starts
    /// from all of them.
    pub fn alternatives(&self) -> Vec<Socket> {
        let mut v = vec![self.clone()];
        if let Pattern::XSub(s) = &self.pattern {
            let mut other = self.clone();
            other.pattern = Pattern::XSub(s.unfiltered());
            v.push(other);
        }
        v
    }

    /// PUB and XPUB: one peer's subscriptions.
    pub fn peer_subscriptions(&self, peer: PeerId) -> Option<&Subscriptions> {
        match &self.pattern {
            Pattern::Pub(_) | Pattern::XPub(_) => {
                self.core.pipes.get(&peer).map(|p| &p.subscriptions)
            }
            _ => None,
        }
    }

    /// REQ: whether a request is outstanding (sent, reply not yet
    /// received). REP: whether a request awaits its reply. Others: false.
    pub fn is_awaiting(&self) -> bool {
        match &self.pattern {
            Pattern::Req(r) => r.state == crate::patterns::ReqState::AwaitingReply,
            Pattern::Rep(r) => r.replying.is_some(),
            _ => false,
        }
    }

    /// REQ: the peer the outstanding request went to.
    pub fn awaiting_peer(&self) -> Option<PeerId> {
        match &self.pattern {
            Pattern::Req(r) => r.reply_from,
            Pattern::Rep(r) => r.replying.as_ref().and_then(|(p, _)| *p),
            _ => None,
        }
    }

    /// DISH: the groups it joined. Others: `None`.
    pub fn groups(&self) -> Option<&std::collections::BTreeSet<Bytes>> {
        match &self.pattern {
            Pattern::Dish(d) => Some(&d.groups),
            _ => None,
        }
    }

    /// RADIO: the groups a peer joined, with their JOIN counts.
    pub fn peer_groups(&self, peer: PeerId) -> Option<&Subscriptions> {
        match &self.pattern {
            Pattern::Radio(_) => self.core.pipes.get(&peer).map(|p| &p.subscriptions),
            _ => None,
        }
    }

    /// ROUTER: the routing id of a peer.
    pub fn routing_id(&self, peer: PeerId) -> Option<&Bytes> {
        match &self.pattern {
            Pattern::Router(r) => r.table.routing_id(peer),
            _ => None,
        }
    }

    /// SERVER and PEER: the 32-bit routing id it gave a peer (tagging the
    /// peer's messages; never 0). A PEER names a connect endpoint's peer
    /// at [`Socket::connect`] (IMMEDIATE off), before its connection is
    /// up (51-R09).
    pub fn server_routing_id(&self, peer: PeerId) -> Option<u32> {
        match &self.pattern {
            Pattern::Server(s) | Pattern::Peer(s) => s.routing_id(peer),
            _ => None,
        }
    }

    /// SERVER and PEER: the peer with a 32-bit routing id.
    pub fn peer_by_server_routing_id(&self, routing_id: u32) -> Option<PeerId> {
        match &self.pattern {
            Pattern::Server(s) | Pattern::Peer(s) => s.peer(routing_id),
            _ => None,
        }
    }

    /// ROUTER: the peer with a routing id.
    pub fn peer_by_routing_id(&self, routing_id: &[u8]) -> Option<PeerId> {
        match &self.pattern {
            Pattern::Router(r) => r.table.peer(routing_id),
            _ => None,
        }
    }

    // ----- options -------------------------------------------------------

    /// Changes an option. Options that do not apply to the socket type are
    /// refused, as libzmq does. SUBSCRIBE/UNSUBSCRIBE on SUB queue the
    /// subscription for every peer.
    pub fn set_option(&mut self, option: SocketOption) -> Result<(), OptionError> {
        if !option.applies_to(self.core.socket_type) {
            return Err(OptionError::NotApplicable {
                option: option.name(),
                socket_type: self.core.socket_type,
            });
        }
        self.pattern
            .behaviour()
            .set_option(&mut self.core, option)?;
        self.core.resume_blocked();
        Ok(())
    }

    /// Takes the CONNECT_ROUTING_ID set for the next outgoing connection
    /// (ROUTER). The driver calls it when it starts a connect and puts the
    /// value in that peer's [`PeerInfo::alias`].
    pub fn take_connect_routing_id(&mut self) -> Option<Bytes> {
        self.core.options.connect_routing_id.take()
    }

    /// DISH: joins a group (libzmq `zmq_join`): a JOIN command is queued
    /// for every peer now and for every peer that attaches later (37-R53).
    ///
    /// # Errors
    /// [`OptionError::NotApplicable`] on other socket types;
    /// [`OptionError::InvalidValue`] for a group already joined, longer
    /// than 255 octets or holding a zero octet (libzmq EINVAL).
    pub fn join(&mut self, group: Bytes) -> Result<(), OptionError> {
        match &mut self.pattern {
            Pattern::Dish(d) => d.join(&mut self.core, group),
            _ => Err(OptionError::NotApplicable {
                option: "ZMQ_JOIN",
                socket_type: self.core.socket_type,
            }),
        }
    }

    /// DISH: leaves a group (libzmq `zmq_leave`): a LEAVE command is
    /// queued for every peer (37-R54), and queued messages of the group are
    /// discarded.
    ///
    /// # Errors
    /// [`OptionError::NotApplicable`] on other socket types;
    /// [`OptionError::InvalidValue`] for a group not joined (libzmq
    /// EINVAL).
    pub fn leave(&mut self, group: Bytes) -> Result<(), OptionError> {
        let r = match &mut self.pattern {
            Pattern::Dish(d) => d.leave(&mut self.core, group),
            _ => Err(OptionError::NotApplicable {
                option: "ZMQ_LEAVE",
                socket_type: self.core.socket_type,
            }),
        };
        self.core.resume_blocked();
        r
    }

    // ----- peers ---------------------------------------------------------

    /// A connect endpoint whose connection is not up yet (IMMEDIATE off):
    /// its queue exists and load-balancing patterns queue messages for it
    /// (28-R22, 28-R33, 29-R03, 30-R04, 31-R03). Call [`Socket::attach`]
    /// when its handshake succeeds. With IMMEDIATE on, do not call this.
    pub fn attach_pending(&mut self, peer: PeerId) -> Result<(), AttachError> {
        if self.core.knows(peer) || self.core.state(peer) != PeerState::Gone {
            return Err(AttachError::AlreadyAttached(peer));
        }
        self.pattern.behaviour_ref().admit(&self.core, peer, None)?;
        self.core.ensure_pipe(peer);
        self.pattern.behaviour().created(&mut self.core, peer);
        self.core.live(peer, LifeEvent::Connect, Origin::Connected);
        Ok(())
    }

    /// The application connects: `peer` names the connect endpoint's
    /// peer (Connecting). With IMMEDIATE off this is
    /// [`Socket::attach_pending`]: its queue exists from now on, and the
    /// driver keeps the id across reconnects (see
    /// [`Socket::connection_lost`]). With IMMEDIATE on nothing is queued
    /// for it until its handshake is done.
    pub fn connect(&mut self, peer: PeerId) -> Result<(), AttachError> {
        if self.queues_before_connect() {
            return self.attach_pending(peer);
        }
        if self.core.knows(peer) || self.core.state(peer) != PeerState::Gone {
            return Err(AttachError::AlreadyAttached(peer));
        }
        self.core.live(peer, LifeEvent::Connect, Origin::Connected);
        Ok(())
    }

    /// Whether a connect endpoint's peer exists, and queues, before its
    /// connection is up and across reconnects: IMMEDIATE off, and not a
    /// STREAM (whose peer is one connection: a connect that connects
    /// again brings a new peer). When this is false the driver gives each
    /// connection of a connect endpoint a new id.
    pub fn queues_before_connect(&self) -> bool {
        !self.core.options.immediate
            && self
                .pattern
                .behaviour_ref()
                .keeps_queues_across_connections()
    }

    /// STREAM: the routing id of a connection.
    pub fn stream_routing_id(&self, peer: PeerId) -> Option<&Bytes> {
        match &self.pattern {
            Pattern::Stream(s) => s.table.routing_id(peer),
            _ => None,
        }
    }

    /// A connection was accepted on a bound endpoint: `peer` is
    /// Handshaking, unknown to the pattern until [`Socket::attach`].
    pub fn accept(&mut self, peer: PeerId) -> Result<(), AttachError> {
        if self.core.knows(peer) || self.core.state(peer) != PeerState::Gone {
            return Err(AttachError::AlreadyAttached(peer));
        }
        self.core.live(peer, LifeEvent::Accept, Origin::Accepted);
        Ok(())
    }

    /// A connect's transport connection is up and its handshake starts
    /// (Connecting to Handshaking; its queue, if any, stays where it is).
    pub fn connection_up(&mut self, peer: PeerId) {
        self.core
            .live(peer, LifeEvent::TransportUp, Origin::Connected);
    }

    /// A peer's connection is lost (closed by the peer, failed, timed out,
    /// refused at attach, or closed by us). `retry` says whether the driver
    /// will connect again (only a connect endpoint does, and not after the
    /// peer refused its handshake with ERROR, 37-R17, nor once the socket
    /// or the endpoint is closing). The machine decides the rest:
    ///
    /// - a connect endpoint's peer whose queue outlives connections
    ///   (IMMEDIATE off) and will be retried is suspended: its queues
    ///   stay, messages wait for the next connection (28-R22, 30-R04,
    ///   31-R03), and the driver reuses its id;
    /// - any other peer departs ([`Socket::depart`]): out of every send
    ///   path now, what it delivered still readable, then Gone; the driver
    ///   forgets its id.
    ///
    /// Returns the peer's new state: `Connecting` when the driver keeps
    /// the id, `Departing` or `Gone` when it must not reuse it.
    pub fn connection_lost(&mut self, peer: PeerId, retry: bool) -> PeerState {
        let kept = retry
            && self.queues_before_connect()
            && self.core.origin(peer) == Some(Origin::Connected)
            && self.core.pipes.contains_key(&peer);
        if kept {
            self.suspend(peer);
        } else {
            self.depart(peer);
        }
        self.core.state(peer)
    }

    /// A peer's handshake succeeded (a new peer, or a pending or suspended
    /// one whose connection is now up). Refused if the peer's type is not
    /// compatible, if PAIR already has a peer, or if ROUTER already has the
    /// routing id (without ROUTER_HANDOVER); the driver then closes the
    /// connection. SUB and XSUB queue their subscriptions for the peer.
    pub fn attach(&mut self, peer: PeerId, info: PeerInfo) -> Result<(), AttachError> {
        if let Some(theirs) = info.socket_type
            && !self.core.socket_type.is_compatible_with(theirs)
            && !zmtp_spec::mutant!(SocketTypeNotChecked)
        {
            return Err(AttachError::Incompatible {
                ours: self.core.socket_type,
                theirs,
            });
        }
        if self.is_connected(peer) || self.is_departed(peer) {
            return Err(AttachError::AlreadyAttached(peer));
        }
        self.pattern
            .behaviour_ref()
            .admit(&self.core, peer, Some(&info))?;
        let fresh = !self.core.pipes.contains_key(&peer);
        self.core.ensure_pipe(peer).info = Some(info);
        if fresh {
            self.pattern.behaviour().created(&mut self.core, peer);
        }
        self.core
            .live(peer, LifeEvent::HandshakeDone, Origin::Accepted);
        self.pattern.behaviour().attached(&mut self.core, peer);
        Ok(())
    }

    /// A peer's connection was lost and the driver will reconnect it
    /// (connect side, IMMEDIATE off): its queues stay, so messages wait for
    /// the new connection. Subscription items not yet written are dropped
    /// (SUB and XSUB queue them all again on `attach`); PUB and XPUB forget
    /// the peer's subscriptions (it sends them again). With IMMEDIATE on,
    /// this is [`Socket::detach`].
    pub fn suspend(&mut self, peer: PeerId) {
        if self.core.options.immediate {
            return self.detach(peer);
        }
        let Some(pipe) = self.core.pipes.get_mut(&peer) else {
            return;
        };
        pipe.info = None;
        self.core
            .live(peer, LifeEvent::LostRetried, Origin::Connected);
        self.pattern.behaviour().suspended(&mut self.core, peer);
    }

    /// A peer is gone for good: its queues and every message in them are
    /// discarded (28-R24, 28-R35, 29-R05, 29-R30, 30-R06, 30-R17, 31-R05).
    /// XPUB tells the application about the subscriptions it loses
    /// (29-R25). Unknown peers are ignored; a departed peer's unread
    /// messages are discarded.
    pub fn detach(&mut self, peer: PeerId) {
        if !self.core.knows(peer) {
            // A peer known only to the lifecycle (Handshaking, or
            // Connecting with IMMEDIATE on) has nothing to discard.
            self.core.lives.remove(&peer);
            return;
        }
        self.pattern.behaviour().detaching(&mut self.core, peer);
        self.core.remove_pipe(peer);
    }

    /// A peer's connection ended for good (it closed, or failed) while the
    /// application may not have read what it delivered. The peer leaves
    /// every send path at once: the load balancer, PAIR's slot, ROUTER's
    /// and SERVER's routing tables, the publishers' fan-out; what was
    /// queued for it is discarded (28-R24, 28-R35, 29-R05, 30-R06, 31-R05),
    /// so a later send goes to a live peer, would block, or is refused
    /// (ROUTER_MANDATORY: `HostUnreachable`), and is never lost to the
    /// departed one. The messages it delivered stay readable, in turn, until
    /// the application has read them (ROUTER and SERVER still tag them with
    /// its routing id; a REQ still takes the reply it was waiting for); then
    /// the machine forgets the peer by itself. This is libzmq's behaviour
    /// (a pipe is read up to its end); RFCs 28-31 ask for the inbound queue
    /// to be discarded too (28-R24, 28-R35, 29-R30, 30-R17, 31-R05), which
    /// [`Socket::detach`] does.
    ///
    /// The driver calls this, not `detach`, when a connection it will not
    /// retry ends, and may forget the peer's id at once: the machine never
    /// asks it for anything about a departed peer.
    pub fn depart(&mut self, peer: PeerId) {
        if !self.core.pipes.contains_key(&peer) {
            if !self.is_departed(peer) {
                self.core.lives.remove(&peer);
            }
            return;
        }
        self.pattern.behaviour().lost(&mut self.core, peer);
        if !self.core.has_input(peer) {
            return self.detach(peer);
        }
        self.pattern.behaviour().departing(&mut self.core, peer);
        self.core.depart_pipe(peer);
    }

    /// Whether `peer` departed ([`Socket::depart`]) with messages the
    /// application has not read yet.
    pub fn is_departed(&self, peer: PeerId) -> bool {
        self.core.departed.contains_key(&peer)
    }

    /// The departed peers whose messages are still unread, in id order.
    pub fn departed_peers(&self) -> Vec<PeerId> {
        self.core.departed.keys().copied().collect()
    }

    // ----- input from peers ----------------------------------------------

    /// A whole message from a peer (37-R41). `Err` gives it back when the
    /// peer's queue is at RCVHWM and the pattern does not drop: the driver
    /// stops reading that peer until [`Event::InputResumed`]. Patterns that
    /// drop (SUB, XSUB), discard (PUB, PUSH) or filter (REQ, REP, SUB)
    /// return `Ok` for messages they do not keep.
    #[inline]
    pub fn peer_message(&mut self, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        if !self.core.pipes.contains_key(&peer) {
            return Ok(());
        }
        self.pattern.behaviour().message(&mut self.core, peer, msg)
    }

    /// A run of whole messages from a peer, oldest first: what
    /// [`Socket::peer_message`] does to each in turn. It stops at the
    /// first message refused at RCVHWM, which stays at the front of `run`
    /// with every message behind it (the driver stops reading that peer
    /// until [`Event::InputResumed`], then offers `run` again); an empty
    /// `run` on return means all were taken. Patterns that queue messages
    /// unchanged (DEALER, PAIR, PULL, ROUTER) take the run in one step.
    pub fn peer_messages(&mut self, peer: PeerId, run: &mut VecDeque<Message>) {
        if !self.core.pipes.contains_key(&peer) {
            run.clear();
            return;
        }
        self.pattern.behaviour().messages(&mut self.core, peer, run);
    }

    /// Anything a peer sent, as the one item type that crosses between
    /// connection and socket in both directions: a message
    /// ([`Socket::peer_message`], whose `Err` it returns), a subscription or
    /// its cancellation, a JOIN or a LEAVE.
    pub fn peer_item(&mut self, peer: PeerId, item: Outgoing) -> Result<(), Backpressure> {
        match item {
            Outgoing::Message(m) => return self.peer_message(peer, m),
            Outgoing::Subscribe(t) => self.peer_subscribe(peer, t),
            Outgoing::Cancel(t) => self.peer_cancel(peer, t),
            Outgoing::Join(g) => self.peer_join(peer, g),
            Outgoing::Leave(g) => self.peer_leave(peer, g),
        }
        Ok(())
    }

    /// A subscription from a peer: the SUBSCRIBE command or the `01`
    /// message (`zmtp_spec` reports both as `Event::Subscribe`). Only PUB
    /// and XPUB act on it.
    pub fn peer_subscribe(&mut self, peer: PeerId, topic: Bytes) {
        if self.core.pipes.contains_key(&peer) {
            self.pattern
                .behaviour()
                .subscribe(&mut self.core, peer, topic);
        }
    }

    /// A cancellation from a peer (CANCEL or the `00` message).
    pub fn peer_cancel(&mut self, peer: PeerId, topic: Bytes) {
        if self.core.pipes.contains_key(&peer) {
            self.pattern.behaviour().cancel(&mut self.core, peer, topic);
        }
    }

    /// A JOIN command from a peer (37-R53). Only RADIO acts on it.
    pub fn peer_join(&mut self, peer: PeerId, group: Bytes) {
        if self.core.pipes.contains_key(&peer) {
            self.pattern.behaviour().join(&mut self.core, peer, group);
        }
    }

    /// A LEAVE command from a peer (37-R54). Only RADIO acts on it.
    pub fn peer_leave(&mut self, peer: PeerId, group: Bytes) {
        if self.core.pipes.contains_key(&peer) {
            self.pattern.behaviour().leave(&mut self.core, peer, group);
        }
    }

    // ----- the application -----------------------------------------------

    /// An application send of a whole message (37-R42).
    #[inline]
    pub fn send(&mut self, msg: Message) -> Result<(), SendError> {
        self.send_or_return(msg).map_err(|(e, _)| e)
    }

    /// [`Socket::send`], giving the message back when it was not taken:
    /// always with [`SendError::WouldBlock`] (unchanged, ready to be
    /// offered again after a wait), never with the other errors. One
    /// call does what `can_send` then `send` would, walking the load
    /// balancer once; the message moves into the peer's queue, uncopied.
    #[inline]
    pub fn send_or_return(&mut self, msg: Message) -> Result<(), (SendError, Option<Message>)> {
        self.pattern
            .behaviour()
            .send(&mut self.core, msg, Pick::Next)
    }

    /// An application receive of a whole message.
    #[inline]
    pub fn recv(&mut self) -> Result<Message, RecvError> {
        self.pattern.behaviour().recv(&mut self.core, Pick::Next)
    }

    /// Up to `max` application receives in a row, appended to `out`: what
    /// [`Socket::recv`] repeated gives, until `max` or its first error
    /// (returned when no message was taken; `Ok(0)` when `max` is 0). DEALER,
    /// PAIR and PULL take the messages of their one peer with input in one
    /// step.
    pub fn recv_messages(
        &mut self,
        out: &mut Vec<Message>,
        max: usize,
    ) -> Result<usize, RecvError> {
        self.pattern.behaviour().recv_run(&mut self.core, out, max)
    }

    /// The peers a load-balancing send (REQ, DEALER, PUSH, PAIR) may go to
    /// now, the one [`Socket::send`] would use first. Empty for the other
    /// patterns (their sends have no choice) and when a send would block.
    pub fn send_choices(&self) -> Vec<PeerId> {
        self.pattern.behaviour_ref().send_choices(&self.core)
    }

    /// A load-balancing send to a chosen peer from
    /// [`Socket::send_choices`] (`WouldBlock` for any other). The patterns
    /// that do not load-balance ignore `peer` and behave as `send`.
    pub fn send_via(&mut self, peer: PeerId, msg: Message) -> Result<(), SendError> {
        self.pattern
            .behaviour()
            .send(&mut self.core, msg, Pick::Peer(peer))
            .map_err(|(e, _)| e)
    }

    /// The peers a fair-queued receive may take from now, the one
    /// [`Socket::recv`] would use first. Empty when no message waits, and
    /// also when the next message involves no choice (XPUB's subscription
    /// messages): check [`Socket::can_recv`] and call `recv` then.
    pub fn recv_choices(&self) -> Vec<PeerId> {
        self.pattern.behaviour_ref().recv_choices(&self.core)
    }

    /// A receive from a chosen peer from [`Socket::recv_choices`].
    pub fn recv_from(&mut self, peer: PeerId) -> Result<Message, RecvError> {
        self.pattern
            .behaviour()
            .recv(&mut self.core, Pick::Peer(peer))
    }

    /// Forgets whose turn it is in both rotations, for the trace oracle,
    /// which explores every choice: states that differ only in the turn
    /// then merge.
    pub(crate) fn reset_turns(&mut self) {
        self.core.fair_queue.reset_turn();
        self.core.load_balancer.reset_turn();
    }

    // ----- output for the driver -----------------------------------------

    /// The next item to write to `peer`, oldest first (37-R44). Call it
    /// when the peer's connection can take more; the machine does not care
    /// how much the driver buffers beyond its own queue.
    #[must_use]
    #[inline]
    pub fn poll_transmit(&mut self, peer: PeerId) -> Option<Outgoing> {
        self.core.pipes.get_mut(&peer)?.pop_out()
    }

    /// The next event for the driver.
    #[must_use]
    #[inline]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.core.events.pop_front()
    }
}

#[cfg(test)]
mod tests;
