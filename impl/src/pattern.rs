//! The one place that talks to `zmtp-model`'s pattern machine. Every
//! routing and queueing decision is the machine's.

use std::collections::VecDeque;

use zmtp_model::{
    AttachError, Event, OptionError, Outgoing, PeerId, PeerInfo, PeerState, RecvError, SendError,
};
use zmtp_spec::{Message, SocketType};

/// The pattern machine of one socket.
#[derive(Debug)]
pub(crate) struct Pattern {
    machine: zmtp_model::Socket,
}

impl Pattern {
    #[inline]
    pub(crate) fn new(socket_type: SocketType, options: zmtp_model::Options) -> Option<Self> {
        zmtp_model::Socket::new(socket_type, options)
            .ok()
            .map(|machine| Self { machine })
    }

    /// The machine's options: the table's pattern options.
    #[inline]
    pub(crate) fn options(&self) -> &zmtp_model::Options {
        self.machine.options()
    }

    #[inline]
    pub(crate) fn attach(&mut self, peer: PeerId, info: PeerInfo) -> Result<(), AttachError> {
        self.machine.attach(peer, info)
    }

    /// A connect endpoint's peer (Connecting).
    #[inline]
    pub(crate) fn connect(&mut self, peer: PeerId) -> Result<(), AttachError> {
        self.machine.connect(peer)
    }

    /// A connection accepted on a bound endpoint (Handshaking).
    #[inline]
    pub(crate) fn accept(&mut self, peer: PeerId) -> Result<(), AttachError> {
        self.machine.accept(peer)
    }

    /// A connect's transport is up; its handshake starts.
    #[inline]
    pub(crate) fn connection_up(&mut self, peer: PeerId) {
        self.machine.connection_up(peer);
    }

    /// The connection ended; the machine decides whether the peer is kept
    /// for the next one or departs.
    #[inline]
    pub(crate) fn connection_lost(&mut self, peer: PeerId, retry: bool) -> PeerState {
        self.machine.connection_lost(peer, retry)
    }

    /// Where a peer is in its life.
    #[inline]
    pub(crate) fn peer_state(&self, peer: PeerId) -> PeerState {
        self.machine.peer_state(peer)
    }

    /// The application gave the peer up: its queues are discarded.
    #[inline]
    pub(crate) fn forget(&mut self, peer: PeerId) {
        self.machine.detach(peer);
    }

    /// What a peer sent; a message refused at RCVHWM comes back.
    #[inline]
    pub(crate) fn peer_item(&mut self, peer: PeerId, item: Outgoing) -> Result<(), Message> {
        self.machine.peer_item(peer, item).map_err(|b| b.0)
    }

    /// A run of messages from a peer; what stays in `run` was refused at
    /// RCVHWM, its first message first.
    #[inline]
    pub(crate) fn peer_messages(&mut self, peer: PeerId, run: &mut VecDeque<Message>) {
        self.machine.peer_messages(peer, run);
    }

    /// DISH joins (`on`) or leaves a group.
    pub(crate) fn group(&mut self, group: bytes::Bytes, on: bool) -> Result<(), OptionError> {
        if on {
            self.machine.join(group)
        } else {
            self.machine.leave(group)
        }
    }

    /// Sends; the message comes back with `WouldBlock`.
    #[inline]
    pub(crate) fn send(&mut self, message: Message) -> Result<(), (SendError, Option<Message>)> {
        self.machine.send_or_return(message)
    }

    #[inline]
    pub(crate) fn recv(&mut self) -> Result<Message, RecvError> {
        self.machine.recv()
    }

    /// Up to `max` receives in a row, appended to `out`.
    #[inline]
    pub(crate) fn recv_messages(
        &mut self,
        out: &mut Vec<Message>,
        max: usize,
    ) -> Result<usize, RecvError> {
        self.machine.recv_messages(out, max)
    }

    #[inline]
    pub(crate) fn can_send(&self) -> bool {
        self.machine.can_send()
    }

    #[inline]
    pub(crate) fn can_recv(&self) -> bool {
        self.machine.can_recv()
    }

    #[inline]
    pub(crate) fn poll_transmit(&mut self, peer: PeerId) -> Option<Outgoing> {
        self.machine.poll_transmit(peer)
    }

    #[inline]
    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        self.machine.poll_event()
    }

    #[inline]
    pub(crate) fn set_option(
        &mut self,
        option: zmtp_model::SocketOption,
    ) -> Result<(), OptionError> {
        self.machine.set_option(option)
    }

    #[inline]
    pub(crate) fn queued_items_out(&self, peer: PeerId) -> usize {
        self.machine.queued_items_out(peer)
    }

    /// Whether a connect endpoint's peer exists before its connection and
    /// across reconnects (IMMEDIATE off, not STREAM).
    #[inline]
    pub(crate) fn queues_before_connect(&self) -> bool {
        self.machine.queues_before_connect()
    }

    /// SERVER and PEER: the routing id the machine gave a peer.
    #[inline]
    pub(crate) fn routing_id(&self, peer: PeerId) -> Option<u32> {
        self.machine.server_routing_id(peer)
    }

    #[inline]
    pub(crate) fn take_connect_routing_id(&mut self) -> Option<bytes::Bytes> {
        self.machine.take_connect_routing_id()
    }
}
