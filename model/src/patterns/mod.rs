//! One module per socket pattern. Each implements [`Behaviour`] on top of
//! the shared [`Core`]; [`Pattern`] picks the one for a socket type.

use std::collections::VecDeque;

use bytes::Bytes;
use zmtp_spec::{Message, SocketType};

use crate::core::{Core, Pick};
use crate::{
    AttachError, Backpressure, OptionError, PeerId, PeerInfo, RecvError, SendError, SocketOption,
};

mod channel;
mod client;
mod dealer;
mod dish;
mod gather;
mod group;
mod pair;
mod publish;
mod pull;
mod push;
mod radio;
mod rep;
mod req;
mod router;
mod scatter;
mod server;
mod stream;
mod subscribe;

pub(crate) use dish::Dish;
pub(crate) use publish::Publish;
pub(crate) use rep::Rep;
pub(crate) use req::{Req, ReqState};
pub(crate) use router::Router;
pub(crate) use server::{Naming, Server};
pub(crate) use subscribe::Subscribe;

/// A send the pattern did not take: why, and the message given back
/// untouched. It is always given back with [`SendError::WouldBlock`], so a
/// caller can wait and offer it again without a copy; with the other
/// errors it is dropped (`None`).
pub(crate) type Refused = (SendError, Option<Message>);

/// What differs between patterns. Every method gets the shared state;
/// the defaults are the common behaviour.
pub(crate) trait Behaviour {
    /// Whether a peer may attach (before its pipe exists or is updated).
    fn admit(
        &self,
        _core: &Core,
        _peer: PeerId,
        _info: Option<&PeerInfo>,
    ) -> Result<(), AttachError> {
        Ok(())
    }

    /// The peer's pipe was just created (by `attach_pending`, or by an
    /// `attach` of a new peer): what a pattern queues once per pipe
    /// (PROBE_ROUTER, XPUB_WELCOME_MSG) goes here, as libzmq writes it when
    /// it attaches a pipe.
    fn created(&mut self, _core: &mut Core, _peer: PeerId) {}

    /// The peer's connection is up; its pipe exists and has its info.
    fn attached(&mut self, _core: &mut Core, _peer: PeerId) {}

    /// The peer's connection is lost but its pipe stays (reconnecting).
    fn suspended(&mut self, _core: &mut Core, _peer: PeerId) {}

    /// The peer is about to be forgotten; its pipe still exists.
    fn detaching(&mut self, _core: &mut Core, _peer: PeerId) {}

    /// Whether a connect endpoint's queue exists before its connection and
    /// outlives it (IMMEDIATE off): every pattern's but STREAM's, whose
    /// peer is one connection.
    fn keeps_queues_across_connections(&self) -> bool {
        true
    }

    /// The peer's connection ended for good, before it departs (STREAM
    /// queues its disconnect notification here). Its pipe still exists.
    fn lost(&mut self, _core: &mut Core, _peer: PeerId) {}

    /// The peer departs ([`crate::Socket::depart`]): it must leave every
    /// send path, while its unread messages stay readable. Its pipe still
    /// exists. The default is what `detaching` does.
    fn departing(&mut self, core: &mut Core, peer: PeerId) {
        self.detaching(core, peer);
    }

    /// A message from the peer.
    fn message(&mut self, core: &mut Core, peer: PeerId, msg: Message) -> Result<(), Backpressure> {
        core.queue_in(peer, msg, false)
    }

    /// A run of messages from the peer, oldest first: by definition what
    /// `message` does to each in turn, stopping at the first one refused,
    /// which stays at the front of `run` with every message behind it.
    /// The patterns that keep the default `message` (each message queued
    /// unchanged) override this with [`Core::queue_in_run`], which moves
    /// the run in one step; the model's tests hold every pattern's form
    /// equal to the loop.
    fn messages(&mut self, core: &mut Core, peer: PeerId, run: &mut VecDeque<Message>) {
        while let Some(msg) = run.pop_front() {
            if let Err(Backpressure(msg)) = self.message(core, peer, msg) {
                run.push_front(msg);
                return;
            }
        }
    }

    /// A subscription from the peer (ignored unless PUB or XPUB).
    fn subscribe(&mut self, _core: &mut Core, _peer: PeerId, _topic: Bytes) {}

    /// A cancellation from the peer (ignored unless PUB or XPUB).
    fn cancel(&mut self, _core: &mut Core, _peer: PeerId, _topic: Bytes) {}

    /// A JOIN from the peer (ignored unless RADIO).
    fn join(&mut self, _core: &mut Core, _peer: PeerId, _group: Bytes) {}

    /// A LEAVE from the peer (ignored unless RADIO).
    fn leave(&mut self, _core: &mut Core, _peer: PeerId, _group: Bytes) {}

    /// An application send. The message moves into a pipe (no copy); on
    /// `WouldBlock` it comes back.
    fn send(&mut self, core: &mut Core, msg: Message, pick: Pick) -> Result<(), Refused>;

    /// An application receive.
    fn recv(&mut self, core: &mut Core, pick: Pick) -> Result<Message, RecvError>;

    /// Up to `max` application receives in a row, appended to `out`: by
    /// definition `recv(Pick::Next)` repeated until `max` or its first
    /// error, which is returned when no message was taken. The patterns
    /// whose `recv` is the plain fair queue override this with
    /// [`Core::take_fair_run`]; the model's tests hold every pattern's form
    /// equal to the loop.
    fn recv_run(
        &mut self,
        core: &mut Core,
        out: &mut Vec<Message>,
        max: usize,
    ) -> Result<usize, RecvError> {
        let mut got = 0;
        while got < max {
            match self.recv(core, Pick::Next) {
                Ok(msg) => {
                    out.push(msg);
                    got += 1;
                }
                Err(e) if got == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(got)
    }

    /// The peers a send may choose between (empty when the pattern does
    /// not load-balance or cannot send now).
    fn send_choices(&self, _core: &Core) -> Vec<PeerId> {
        Vec::new()
    }

    /// The peers a receive may take from.
    fn recv_choices(&self, core: &Core) -> Vec<PeerId> {
        core.recv_choices()
    }

    /// Whether a send would be taken now (for pollers).
    fn can_send(&self, core: &Core) -> bool;

    /// Whether a receive would return a message now (for pollers). The
    /// default is the fair queue's answer; a pattern that overrides
    /// `recv_choices` overrides this too.
    fn can_recv(&self, core: &Core) -> bool {
        core.has_any_input()
    }

    /// An option change; the caller has checked that it applies.
    fn set_option(&mut self, core: &mut Core, option: SocketOption) -> Result<(), OptionError> {
        core.options.apply(option)
    }
}

/// Sends through the load balancer: the chosen peer gets the message, or
/// the send would block and the message comes back (28-R27, 28-R29,
/// 30-R09, 30-R11, 31-R07). The rotation is walked once.
#[inline]
pub(crate) fn load_balance(core: &mut Core, msg: Message, pick: Pick) -> Result<PeerId, Refused> {
    if msg.is_empty() {
        return Err((SendError::EmptyMessage, None));
    }
    let Some(peer) = core.pick_send(pick) else {
        return Err((SendError::WouldBlock, Some(msg)));
    };
    // `pick_send` chose a peer with room, so this cannot give it back.
    let queued = core.queue_out(peer, msg);
    debug_assert!(queued.is_ok());
    Ok(peer)
}

/// Receives through the fair queue.
#[inline]
pub(crate) fn fair_queue(core: &mut Core, pick: Pick) -> Result<Message, RecvError> {
    core.take_fair(pick)
        .map(|(_, msg)| msg)
        .ok_or(RecvError::WouldBlock)
}

/// [`fair_queue`] up to `max` times in a row, as one run
/// ([`Core::take_fair_run`]): `WouldBlock` when `max` is not 0 and none
/// was taken.
pub(crate) fn fair_queue_run(
    core: &mut Core,
    out: &mut Vec<Message>,
    max: usize,
) -> Result<usize, RecvError> {
    match core.take_fair_run(out, max) {
        0 if max > 0 => Err(RecvError::WouldBlock),
        got => Ok(got),
    }
}

/// The per-type state, one variant per pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Pattern {
    Req(Req),
    Rep(Rep),
    Dealer(dealer::Dealer),
    Router(Router),
    Pub(Publish),
    XPub(Publish),
    Sub(Subscribe),
    XSub(Subscribe),
    Push(push::Push),
    Pull(pull::Pull),
    Pair(pair::Pair),
    Client(client::Client),
    Server(Server),
    Radio(radio::Radio),
    Dish(Dish),
    Scatter(scatter::Scatter),
    Gather(gather::Gather),
    Peer(Server),
    Channel(channel::Channel),
    Stream(stream::Stream),
}

impl Pattern {
    /// The pattern of a socket type; `None` for a type with no machine.
    pub(crate) fn new(socket_type: SocketType) -> Option<Self> {
        Some(match socket_type {
            SocketType::Req => Self::Req(Req::default()),
            SocketType::Rep => Self::Rep(Rep::default()),
            SocketType::Dealer => Self::Dealer(dealer::Dealer),
            SocketType::Router => Self::Router(Router::default()),
            SocketType::Pub => Self::Pub(Publish::new(false)),
            SocketType::XPub => Self::XPub(Publish::new(true)),
            SocketType::Sub => Self::Sub(Subscribe::new(false)),
            SocketType::XSub => Self::XSub(Subscribe::new(true)),
            SocketType::Push => Self::Push(push::Push),
            SocketType::Pull => Self::Pull(pull::Pull),
            SocketType::Pair => Self::Pair(pair::Pair),
            SocketType::Client => Self::Client(client::Client),
            SocketType::Server => Self::Server(Server::default()),
            SocketType::Radio => Self::Radio(radio::Radio),
            SocketType::Dish => Self::Dish(Dish::default()),
            SocketType::Scatter => Self::Scatter(scatter::Scatter),
            SocketType::Gather => Self::Gather(gather::Gather),
            SocketType::Peer => Self::Peer(Server::new(Naming::OnCreate)),
            SocketType::Channel => Self::Channel(channel::Channel),
            SocketType::Stream => Self::Stream(stream::Stream::default()),
            _ => return None,
        })
    }

    pub(crate) fn behaviour(&mut self) -> &mut dyn Behaviour {
        match self {
            Self::Req(p) => p,
            Self::Rep(p) => p,
            Self::Dealer(p) => p,
            Self::Router(p) => p,
            Self::Pub(p) | Self::XPub(p) => p,
            Self::Sub(p) | Self::XSub(p) => p,
            Self::Push(p) => p,
            Self::Pull(p) => p,
            Self::Pair(p) => p,
            Self::Client(p) => p,
            Self::Server(p) | Self::Peer(p) => p,
            Self::Radio(p) => p,
            Self::Dish(p) => p,
            Self::Scatter(p) => p,
            Self::Gather(p) => p,
            Self::Channel(p) => p,
            Self::Stream(p) => p,
        }
    }

    pub(crate) fn behaviour_ref(&self) -> &dyn Behaviour {
        match self {
            Self::Req(p) => p,
            Self::Rep(p) => p,
            Self::Dealer(p) => p,
            Self::Router(p) => p,
            Self::Pub(p) | Self::XPub(p) => p,
            Self::Sub(p) | Self::XSub(p) => p,
            Self::Push(p) => p,
            Self::Pull(p) => p,
            Self::Pair(p) => p,
            Self::Client(p) => p,
            Self::Server(p) | Self::Peer(p) => p,
            Self::Radio(p) => p,
            Self::Dish(p) => p,
            Self::Scatter(p) => p,
            Self::Gather(p) => p,
            Self::Channel(p) => p,
            Self::Stream(p) => p,
        }
    }
}
