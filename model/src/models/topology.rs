//! The generic topology model: nodes running the shipped machines, links
//! with ordered wires, scripted applications, and ghost state for the
//! properties.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use bytes::Bytes;

use super::check::Check;
use crate::{
    Message, Options, Outgoing, PeerId, PeerInfo, PeerState, SendError, Socket, SocketOption,
    SocketType, Subscriptions,
};

/// What a node's application does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Sends its messages (PUSH, PUB, XSUB, RADIO).
    Source,
    /// Receives (PULL, SUB, DISH); a SUB or DISH may also change its
    /// subscriptions or groups.
    Sink,
    /// Sends requests and receives replies (REQ, DEALER, CLIENT).
    Client,
    /// Receives a request, then replies to it (REP, ROUTER, SERVER).
    Server,
    /// Forwards everything it receives to its partner node (XPUB/XSUB).
    Proxy {
        /// The node it forwards to.
        partner: usize,
    },
    /// Sends and receives (PAIR).
    Peer,
}

/// One socket in the topology.
#[derive(Clone, Debug)]
pub struct Node {
    /// Its type.
    pub socket_type: SocketType,
    /// Its options.
    pub options: Options,
    /// Its application.
    pub role: Role,
    /// Topics a SUB subscribes to (groups a DISH joins) before it connects.
    pub subscribe: Vec<Bytes>,
    /// The application receives through the socket's own fair queue
    /// (`recv`) instead of every possible choice, so fairness can be
    /// checked.
    pub fair: bool,
}

impl Node {
    /// A node with default options and no subscription.
    pub fn new(socket_type: SocketType, role: Role) -> Self {
        Self {
            socket_type,
            options: Options::default(),
            role,
            subscribe: Vec::new(),
            fair: false,
        }
    }
}

/// A connection between two nodes. At each end the peer id is the link's
/// index.
#[derive(Clone, Debug)]
pub struct Link {
    /// The node that connects (keeps its queue while reconnecting).
    pub connector: usize,
    /// The node that binds (forgets the peer when the connection breaks).
    pub binder: usize,
    /// Whether the connection is up at the start.
    pub initially_up: bool,
}

/// A topology and its bounds: a stateright model.
#[derive(Clone, Debug)]
pub struct Topology {
    /// A name for reports.
    pub name: String,
    /// The sockets.
    pub nodes: Vec<Node>,
    /// The connections.
    pub links: Vec<Link>,
    /// How many messages each sending application sends.
    pub messages: u8,
    /// How many items a wire holds at most (bounds the state space).
    pub wire_capacity: usize,
    /// How many connection breaks may happen in a run.
    pub disconnects: u8,
    /// How many subscription changes SUB applications may make in a run.
    pub sub_changes: u8,
    /// The properties checked.
    pub checks: Vec<Check>,
}

/// Bookkeeping the properties read; the machines never see it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ghost {
    /// The next sequence number of each node's application.
    pub sent: Vec<u8>,
    /// Per node, the (origin, seq) of every message its application got.
    pub received: Vec<BTreeSet<(u8, u8)>>,
    /// The last seq received per (node, peer, origin), for FIFO.
    pub last: BTreeMap<(usize, u64, u8), u8>,
    /// REQ: requests sent minus replies received.
    pub outstanding: Vec<u8>,
    /// REQ: the seq of the last request.
    pub last_request: Vec<Option<u8>>,
    /// Per link: the subscriptions the publishing end has been given over
    /// it, as counted independently of the machine.
    pub view: Vec<Subscriptions>,
    /// Requirement IDs seen broken.
    pub violations: BTreeSet<&'static str>,
    /// Replies received by clients.
    pub replies: u8,
    /// Messages received by sinks and peers.
    pub delivered: u8,
    /// A send would block while a peer was attached.
    pub blocked: bool,
    /// ROUTER_MANDATORY reported an unknown routing id.
    pub unreachable: bool,
    /// Per fair node: the peer of its last receive and the other peers
    /// that had input then (cleared by a break).
    pub fair_last: BTreeMap<usize, (u64, BTreeSet<u64>)>,
    /// Per node, the seqs its application sent while none of its links
    /// was up (queued while away, 28-R22, 30-R04).
    pub away: BTreeSet<(usize, u8)>,
    /// A message sent while away was delivered after a reconnect.
    pub away_delivered: bool,
    /// The application read a message from a departed peer.
    pub departed_read: bool,
}

/// A state of the topology.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    /// The machines, one per node.
    pub sockets: Vec<Socket>,
    /// Per link, the items in flight: `[connector to binder, binder to
    /// connector]`.
    pub wires: Vec<[VecDeque<Outgoing>; 2]>,
    /// Per link, whether it is up.
    pub up: Vec<bool>,
    /// Per link, how many times it broke: the binding side's peer id for
    /// the link changes each time ([`Topology::peer_at`]).
    pub generation: Vec<u8>,
    /// Breaks left.
    pub disconnects_left: u8,
    /// Subscription changes left.
    pub sub_changes_left: u8,
    /// Per server node, the request it is answering (ROUTER keeps the
    /// whole message, REP only the body).
    pub pending: Vec<Option<Message>>,
    /// Bookkeeping for the properties.
    pub ghost: Ghost,
}

/// One step.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// An application send at a node, optionally through a chosen peer.
    Send(usize, Option<PeerId>),
    /// An application receive at a node, optionally from a chosen peer.
    Recv(usize, Option<PeerId>),
    /// A server's reply.
    Reply(usize),
    /// A proxy receives at a node and sends at its partner.
    Forward(usize, Option<PeerId>),
    /// A SUB subscribes to or cancels a topic; a DISH joins or leaves a
    /// group.
    Toggle(usize, u8),
    /// The driver writes one item of link `.0`, direction `.1` (0:
    /// connector to binder).
    Transmit(usize, usize),
    /// The head of a wire reaches the other machine.
    Deliver(usize, usize),
    /// A connection breaks.
    Disconnect(usize),
    /// A connection (re)connects.
    Reconnect(usize),
}

/// The last frame of every application message, to check atomicity.
const TAIL: &[u8] = b"t";

/// The topics messages alternate between.
pub(crate) const TOPICS: [u8; 2] = [b'A', b'B'];

/// The message node `origin` sends as its `seq`th: a payload frame
/// `[topic, origin, seq]` and a tail frame; DEALER puts the empty delimiter
/// in front so that a REP can answer. The draft types send one payload
/// frame: CLIENT, SCATTER and CHANNEL alone (37-R56), PEER behind the
/// routing id of its peer (put there by `send`), RADIO behind its group
/// frame (the topic).
fn app_message(socket_type: SocketType, origin: usize, seq: u8) -> Message {
    let topic = TOPICS[usize::from(seq) % 2];
    let payload = Bytes::from(vec![topic, origin as u8, seq]);
    match socket_type {
        SocketType::Client | SocketType::Scatter | SocketType::Channel | SocketType::Peer => {
            Message::from_frames([payload])
        }
        SocketType::Radio => Message::from_frames([Bytes::from(vec![topic]), payload]),
        SocketType::Dealer => {
            Message::from_frames([Bytes::new(), payload, Bytes::from_static(TAIL)])
        }
        _ => Message::from_frames([payload, Bytes::from_static(TAIL)]),
    }
}

/// The (topic, origin, seq) of a received application message, if it is
/// whole: the frames the receiving type expects (37-R41): CLIENT, GATHER
/// and CHANNEL one payload frame (37-R57), PEER the routing id then the
/// payload, DISH the group then the payload, others the
/// payload then the tail (DEALER the delimiter first).
fn parse(receiver: SocketType, msg: &Message) -> Option<(u8, u8, u8)> {
    let payload = match (receiver, msg.frames()) {
        (SocketType::Client | SocketType::Gather | SocketType::Channel, [p]) => p,
        (SocketType::Peer, [id, p]) if id.len() == 4 => p,
        (SocketType::Dish, [g, p]) if p.first().is_some_and(|t| g.as_ref() == [*t]) => p,
        (t, _) if t.is_thread_safe() => return None,
        (SocketType::Dealer, [_, p, tail]) | (_, [p, tail]) if tail.as_ref() == TAIL => p,
        _ => return None,
    };
    match payload.as_ref() {
        [t, o, s] => Some((*t, *o, *s)),
        _ => None,
    }
}

fn is_publisher(t: SocketType) -> bool {
    matches!(t, SocketType::Pub | SocketType::XPub)
}

/// The types whose peers' subscriptions or groups the ghost counts
/// independently (`Ghost::view`).
fn keeps_view(t: SocketType) -> bool {
    is_publisher(t) || t == SocketType::Radio
}

impl Topology {
    pub(super) fn ends(&self, link: usize, dir: usize) -> (usize, usize) {
        let l = &self.links[link];
        if dir == 0 {
            (l.connector, l.binder)
        } else {
            (l.binder, l.connector)
        }
    }

    fn link_of(peer: PeerId) -> usize {
        (peer.0 & 0xffff) as usize
    }

    /// The peer id of `link` at `node`. The connecting side keeps one id
    /// across reconnects (its queue waits for the next connection); the
    /// binding side sees each connection as a new peer, since the one
    /// before may still be departing with unread messages.
    pub(crate) fn peer_at(&self, s: &State, link: usize, node: usize) -> PeerId {
        let generation = if node == self.links[link].binder {
            u64::from(s.generation[link]) << 16
        } else {
            0
        };
        PeerId(link as u64 | generation)
    }

    fn record_receipt(&self, s: &mut State, node: usize, peer: Option<PeerId>, msg: &Message) {
        let t = self.nodes[node].socket_type;
        let Some((topic, origin, seq)) = parse(t, msg) else {
            s.ghost.violations.insert("37-R41");
            if t.is_thread_safe() {
                s.ghost.violations.insert("37-R57");
            }
            return;
        };
        if !s.ghost.received[node].insert((origin, seq)) {
            s.ghost.violations.insert("37-R43");
        }
        if s.ghost.away.contains(&(usize::from(origin), seq)) {
            s.ghost.away_delivered = true;
        }
        if let Some(p) = peer {
            let key = (node, p.0, origin);
            if s.ghost.last.get(&key).is_some_and(|last| *last >= seq) {
                s.ghost.violations.insert("37-R44");
            }
            s.ghost.last.insert(key, seq);
        }
        match self.nodes[node].role {
            Role::Client => {
                let asked = usize::from(origin) == node
                    && (t != SocketType::Req || s.ghost.last_request[node] == Some(seq));
                if !asked {
                    s.ghost.violations.insert("28-R07");
                }
                s.ghost.outstanding[node] = s.ghost.outstanding[node].saturating_sub(1);
                s.ghost.replies = s.ghost.replies.saturating_add(1);
            }
            _ => {
                if t == SocketType::Sub {
                    let subs = s.sockets[node].subscriptions();
                    let invert = s.sockets[node].options().invert_matching;
                    if subs.is_some_and(|x| x.matches(&[topic]) == invert) {
                        s.ghost.violations.insert("37-R47");
                    }
                }
                if t == SocketType::Dish
                    && !s.sockets[node]
                        .groups()
                        .is_some_and(|g| g.contains(&[topic][..]))
                {
                    s.ghost.violations.insert("37-R54");
                }
                s.ghost.delivered = s.ghost.delivered.saturating_add(1);
            }
        }
    }

    fn send(&self, s: &mut State, node: usize, via: Option<PeerId>) -> Option<()> {
        let t = self.nodes[node].socket_type;
        let seq = s.ghost.sent[node];
        if seq >= self.messages {
            return None;
        }
        let mut msg = app_message(t, node, seq);
        if t == SocketType::Peer {
            // A PEER client has one peer, named at connect (51-R09).
            let peer = via.or_else(|| s.sockets[node].peers().first().copied())?;
            let id = s.sockets[node].server_routing_id(peer)?;
            msg = crate::tagging::with_routing_id(id, msg);
        }
        if matches!(
            t,
            SocketType::Client | SocketType::Scatter | SocketType::Channel | SocketType::Peer
        ) {
            // 37-R56: a multipart send is refused whatever the state.
            let mut two =
                Message::from_frames([Bytes::from_static(b"x"), Bytes::from_static(TAIL)]);
            if let Some(id) = msg.first().filter(|_| t == SocketType::Peer) {
                two.push_front(id.clone());
            }
            if s.sockets[node].clone().send(two) != Err(SendError::Multipart) {
                s.ghost.violations.insert("37-R56");
            }
        }
        let sock = &mut s.sockets[node];
        let before: Vec<(PeerId, usize)> = sock
            .peers()
            .into_iter()
            .map(|p| (p, sock.queued_out(p)))
            .collect();
        let result = match via {
            Some(p) => sock.send_via(p, msg),
            None => sock.send(msg),
        };
        let away = self
            .links
            .iter()
            .enumerate()
            .all(|(l, link)| (link.connector != node && link.binder != node) || !s.up[l]);
        if result.is_ok() && away {
            s.ghost.away.insert((node, seq));
        }
        match result {
            Ok(()) => {
                s.ghost.sent[node] += 1;
                if t == SocketType::Req {
                    // REQ_RELAXED abandons the previous request.
                    s.ghost.outstanding[node] = if s.sockets[node].options().req_relaxed {
                        1
                    } else {
                        s.ghost.outstanding[node] + 1
                    };
                    s.ghost.last_request[node] = Some(seq);
                }
                if is_publisher(t) {
                    let topic = TOPICS[usize::from(seq) % 2];
                    let invert = s.sockets[node].options().invert_matching;
                    for &(p, n) in &before {
                        let got = s.sockets[node].queued_out(p) > n;
                        let wanted = s.ghost.view[Self::link_of(p)].matches(&[topic]) != invert;
                        if got && !wanted {
                            s.ghost.violations.insert("37-R45");
                        }
                    }
                }
                if t == SocketType::Radio {
                    self.check_radio(s, node, seq, &before);
                }
                Some(())
            }
            Err(SendError::WouldBlock) if !before.is_empty() && !s.ghost.blocked => {
                s.ghost.blocked = true;
                Some(())
            }
            Err(_) => None,
        }
    }

    /// 37-R52: RADIO queued the message for exactly the peers whose JOINs
    /// (counted on the ghost's side) cover its group; 37-R53: a peer that
    /// joined and had room got it.
    fn check_radio(&self, s: &mut State, node: usize, seq: u8, before: &[(PeerId, usize)]) {
        let topic = TOPICS[usize::from(seq) % 2];
        let hwm = s.sockets[node].options().sndhwm;
        for (p, n) in before {
            let got = s.sockets[node].queued_out(*p) > *n;
            let joined = s.ghost.view[Self::link_of(*p)].count(&[topic]) > 0;
            if got && !joined {
                s.ghost.violations.insert("37-R52");
            }
            if joined && !got && crate::pipe::below(*n, hwm) {
                s.ghost.violations.insert("37-R53");
            }
        }
    }

    fn recv(&self, s: &mut State, node: usize, from: Option<PeerId>) -> Option<Message> {
        let sock = &mut s.sockets[node];
        let waiting = sock.recv_choices();
        let peer = from
            .or_else(|| sock.awaiting_peer())
            .or_else(|| waiting.first().copied());
        if self.nodes[node].fair && from.is_none() {
            self.check_fair(s, node, peer, &waiting);
        }
        let sock = &mut s.sockets[node];
        let departed = peer.is_some_and(|p| sock.is_departed(p));
        let msg = match from {
            Some(p) => sock.recv_from(p),
            None => sock.recv(),
        }
        .ok()?;
        s.ghost.departed_read |= departed;
        match self.nodes[node].role {
            Role::Server | Role::Proxy { .. } => {}
            _ => self.record_receipt(s, node, peer, &msg),
        }
        Some(msg)
    }

    /// 28-R12, 28-R30, 28-R37, 29-R32, 30-R18: a receive never takes from
    /// the same peer twice in a row while another peer has had input
    /// waiting all along.
    fn check_fair(&self, s: &mut State, node: usize, peer: Option<PeerId>, waiting: &[PeerId]) {
        let Some(p) = peer else {
            return;
        };
        if let Some((last, others)) = s.ghost.fair_last.get(&node)
            && *last == p.0
            && waiting.iter().any(|q| q.0 != p.0 && others.contains(&q.0))
        {
            s.ghost.violations.insert("30-R18");
        }
        let others = waiting.iter().map(|q| q.0).filter(|q| *q != p.0).collect();
        s.ghost.fair_last.insert(node, (p.0, others));
    }

    fn reply(&self, s: &mut State, node: usize) -> Option<()> {
        let msg = s.pending[node].clone()?;
        let sock = &mut s.sockets[node];
        let router = sock.socket_type() == SocketType::Router;
        let known = router
            && msg
                .first()
                .is_some_and(|id| sock.peer_by_routing_id(id).is_some());
        match sock.send(msg) {
            Ok(()) => {
                if router && !known && sock.options().router_mandatory {
                    s.ghost.violations.insert("28-R42");
                }
            }
            Err(SendError::HostUnreachable) => s.ghost.unreachable = true,
            Err(_) => return None,
        }
        s.pending[node] = None;
        Some(())
    }

    fn deliver(&self, s: &mut State, link: usize, dir: usize) -> Option<()> {
        let (_, to) = self.ends(link, dir);
        let item = s.wires[link][dir].pop_front()?;
        let peer = self.peer_at(s, link, to);
        let publisher = keeps_view(self.nodes[to].socket_type);
        match item {
            Outgoing::Message(m) => s.sockets[to].peer_message(peer, m).ok()?,
            Outgoing::Subscribe(t) => {
                if publisher {
                    s.ghost.view[link].add(t.clone());
                }
                s.sockets[to].peer_subscribe(peer, t);
            }
            Outgoing::Cancel(t) => {
                if publisher {
                    s.ghost.view[link].remove(&t);
                }
                s.sockets[to].peer_cancel(peer, t);
            }
            Outgoing::Join(g) => {
                if publisher {
                    s.ghost.view[link].add(g.clone());
                }
                s.sockets[to].peer_join(peer, g);
            }
            Outgoing::Leave(g) => {
                if publisher {
                    s.ghost.view[link].remove(&g);
                }
                s.sockets[to].peer_leave(peer, g);
            }
        }
        Some(())
    }

    pub(super) fn attach(&self, s: &mut State, link: usize) -> Option<()> {
        let l = &self.links[link];
        let (c, b) = (l.connector, l.binder);
        let (peer_c, peer_b) = (self.peer_at(s, link, c), self.peer_at(s, link, b));
        let ct = self.nodes[c].socket_type;
        let bt = self.nodes[b].socket_type;
        // The lifecycle as a driver reports it: the connector's endpoint
        // (kept across reconnects), the binder's accepted connection.
        if s.sockets[c].peer_state(peer_c) == PeerState::Gone {
            s.sockets[c].connect(peer_c).ok()?;
        }
        s.sockets[c].connection_up(peer_c);
        s.sockets[b].accept(peer_b).ok()?;
        s.sockets[b].attach(peer_b, PeerInfo::new(ct)).ok()?;
        s.sockets[c].attach(peer_c, PeerInfo::new(bt)).ok()?;
        s.up[link] = true;
        Some(())
    }

    pub(super) fn step(&self, s: &mut State, action: Action) -> Option<()> {
        match action {
            Action::Send(n, via) => self.send(s, n, via),
            Action::Recv(n, from) => {
                let msg = self.recv(s, n, from)?;
                if self.nodes[n].role == Role::Server {
                    if s.pending[n].is_some() {
                        return None;
                    }
                    s.pending[n] = Some(msg);
                }
                Some(())
            }
            Action::Reply(n) => self.reply(s, n),
            Action::Forward(n, from) => {
                let Role::Proxy { partner } = self.nodes[n].role else {
                    return None;
                };
                let msg = self.recv(s, n, from)?;
                let _ = s.sockets[partner].send(msg);
                Some(())
            }
            Action::Toggle(n, topic) => {
                let t = Bytes::from(vec![topic]);
                let sock = &mut s.sockets[n];
                if let Some(on) = sock.groups().map(|g| g.contains(&t)) {
                    if on {
                        sock.leave(t).ok()?;
                    } else {
                        sock.join(t).ok()?;
                    }
                    s.sub_changes_left -= 1;
                    return Some(());
                }
                let on = sock.subscriptions()?.count(&t) > 0;
                let option = if on {
                    SocketOption::Unsubscribe(t)
                } else {
                    SocketOption::Subscribe(t)
                };
                sock.set_option(option).ok()?;
                s.sub_changes_left -= 1;
                Some(())
            }
            Action::Transmit(link, dir) => {
                let (from, _) = self.ends(link, dir);
                let peer = self.peer_at(s, link, from);
                let item = s.sockets[from].poll_transmit(peer)?;
                s.wires[link][dir].push_back(item);
                Some(())
            }
            Action::Deliver(link, dir) => self.deliver(s, link, dir),
            Action::Disconnect(link) => {
                let l = &self.links[link];
                let (c, b) = (l.connector, l.binder);
                let (peer_c, peer_b) = (self.peer_at(s, link, c), self.peer_at(s, link, b));
                s.wires[link] = Default::default();
                // The connector retries; the machines decide the rest: the
                // connector keeps its queues (IMMEDIATE off), the binder's
                // peer departs, what it delivered still readable.
                s.sockets[c].connection_lost(peer_c, true);
                s.sockets[b].connection_lost(peer_b, false);
                s.generation[link] += 1;
                s.ghost.view[link] = Subscriptions::new();
                s.ghost.fair_last.clear();
                s.up[link] = false;
                s.disconnects_left -= 1;
                Some(())
            }
            Action::Reconnect(link) => self.attach(s, link),
        }
    }

    pub(super) fn sends(&self, s: &State, n: usize, actions: &mut Vec<Action>) {
        if s.ghost.sent[n] >= self.messages {
            return;
        }
        let choices = s.sockets[n].send_choices();
        if choices.is_empty() {
            actions.push(Action::Send(n, None));
        } else {
            actions.extend(choices.into_iter().map(|p| Action::Send(n, Some(p))));
        }
    }

    pub(super) fn recvs(
        &self,
        s: &State,
        n: usize,
        make: fn(usize, Option<PeerId>) -> Action,
        actions: &mut Vec<Action>,
    ) {
        let choices = s.sockets[n].recv_choices();
        if choices.is_empty() || self.nodes[n].fair {
            if s.sockets[n].can_recv() {
                actions.push(make(n, None));
            }
        } else {
            actions.extend(choices.into_iter().map(|p| make(n, Some(p))));
        }
    }
}
