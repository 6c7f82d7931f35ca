//! The mechanism handshake and the data phase: frames from the
//! [`Decoder`](crate::wire::Decoder) become handshake commands, then
//! messages, subscriptions, groups and heartbeats; application output is
//! written with the wire encoder in the framing the greeting chose.
//!
//! ```text
//!  Handshake: ERROR ─> fatal (37-R16)      message frame ─> peer error (G05)
//!             other command ─> MechanismSession::handle_raw
//!                 Done(metadata) ─> Socket-Type / Identity checks ─> Active
//!  Active:    READY again, HELLO.. ─> peer error    ERROR ─> fatal (37-R16)
//!             PING ─> PONG with its context (37-R58; held, one at most)
//!             PONG ─> (sign of life)
//!             SUBSCRIBE/CANCEL, 01/00 messages to PUB/XPUB (G17) ─> events
//!             JOIN/LEAVE ─> events    unknown command ─> dropped (as libzmq)
//! ```

use std::time::Instant;

use bytes::{Bytes, BytesMut};

use super::error::{ConnectionError, LocalError, PeerError};
use super::event::{Event, Peer};
use super::mechanism::{HandshakeContext, Progress, command_label};
use super::packets::{PacketKind, mark_at};
use super::state::{Input, State};
use super::{Connection, Outgoing};
use crate::wire::command::split_command;
use crate::wire::decode::max_frames;
use crate::wire::encode::encode_header;
use crate::wire::greeting::Protocol;
use crate::wire::metadata::{IDENTITY, SOCKET_TYPE};
use crate::wire::{
    Command, Encode, Frame, FrameHeader, FrameKind, Framing, Item, Metadata, SubscriptionMessage,
    WireError,
};
use crate::{Message, SocketType};

/// Message frame bodies of at least this many octets are sent without a
/// copy: queued as the application's `Bytes` after their header
/// ([`Connection::poll_transmit_chunk`]). Smaller ones are copied into the
/// send buffer, where many of them make one write. (libzmq's threshold
/// for the same choice is 8 KiB too.)
pub const LARGE_FRAME: usize = 8 * 1024;

/// The send buffer is allocated in blocks of this size. A full one is
/// queued as it is and a new block started, rather than grown: growing
/// copies everything it holds, each time.
const SEND_BLOCK: usize = 64 * 1024;

/// The frames of a message being reassembled after a wrapping mechanism
/// (CURVE) unwrapped them, with the maximum message size applied.
#[derive(Debug, Default)]
pub(super) struct Reassembly {
    frames: Vec<Bytes>,
    size: u64,
}

impl Connection {
    /// One decoded item; `Ok(true)` if there was one.
    pub(super) fn traffic_step(&mut self, now: Instant) -> Result<bool, ConnectionError> {
        // Matched, not `?`-converted: the hot path moves the item once.
        let item = match self.decoder.poll_item() {
            Ok(Some(item)) => item,
            Ok(None) => return Ok(false),
            Err(error) => return Err(PeerError::from(error).into()),
        };
        if self.state == State::Handshake {
            // The decoder runs in raw-commands mode, so a mechanism sees
            // every body (CURVE's READY is a box, not metadata).
            match item {
                Item::RawCommand(body) => self.handshake_command(now, body)?,
                Item::Command(command) => self.handshake_command(now, command_body(&command)?)?,
                Item::Message(_) => {
                    return Err(PeerError::UnexpectedDuringHandshake("a message frame").into());
                }
            }
        } else if self.wraps_frames() {
            self.unwrap_item(now, item)?;
        } else {
            match item {
                Item::RawCommand(body) => {
                    let command = Command::parse(&body).map_err(PeerError::from)?;
                    self.on_command(now, command)?;
                }
                Item::Command(command) => self.on_command(now, command)?,
                Item::Message(message) => self.on_message(message),
            }
        }
        Ok(true)
    }

    fn wraps_frames(&self) -> bool {
        self.mechanism.as_ref().is_some_and(|m| m.wraps_frames())
    }

    /// A handshake command frame body: ERROR is fatal (37-R16); anything
    /// else goes to the mechanism.
    fn handshake_command(&mut self, now: Instant, body: Bytes) -> Result<(), ConnectionError> {
        if body.starts_with(b"\x05ERROR") && crate::mutant!(ErrorDuringHandshakeIgnored) {
            return Ok(());
        }
        if let Some(reason) = crate::security::plain::libzmq_error_reason(&body) {
            return Err(ConnectionError::ErrorReceived(reason));
        }
        let (name, _) = split_command(&body).map_err(PeerError::from)?;
        if &name[..] == b"ERROR" {
            return match Command::parse(&body).map_err(PeerError::from)? {
                Command::Error { reason } => Err(ConnectionError::ErrorReceived(reason)),
                _ => Err(PeerError::Malformed(WireError::BadErrorReason).into()),
            };
        }
        let Some(session) = self.mechanism.as_mut() else {
            return Err(PeerError::UnexpectedDuringHandshake("a command").into());
        };
        let ctx = HandshakeContext {
            side: self.side,
            metadata: &self.local_metadata,
        };
        let mut out = Vec::new();
        let progress = session.handle_raw(body, &ctx, &mut out)?;
        self.handshake_progress(now, progress, out)
    }

    /// A ZAP request the handshake waits on (RFC 27: a PLAIN or CURVE
    /// server whose [`Zap`](crate::security::Zap) is external), taken once.
    /// Check after each [`Connection::handle_bytes`]; fill in the address
    /// if known, send it to the handler, and hand the reply to
    /// [`Connection::handle_zap_reply`].
    #[must_use]
    pub fn poll_zap_request(&mut self) -> Option<crate::security::ZapRequest> {
        self.mechanism.as_mut()?.poll_zap_request()
    }

    /// The reply of the ZAP handler to the request from
    /// [`Connection::poll_zap_request`] (RFC 27): the mechanism goes on
    /// with the handshake, or fails it with the ERROR the reply calls for.
    /// Ignored outside the handshake.
    pub fn handle_zap_reply(&mut self, now: Instant, reply: crate::security::ZapReply) {
        if self.state != State::Handshake {
            return;
        }
        let Some(session) = self.mechanism.as_mut() else {
            return;
        };
        let ctx = HandshakeContext {
            side: self.side,
            metadata: &self.local_metadata,
        };
        let mut out = Vec::new();
        let result = session
            .handle_zap_reply(reply, &ctx, &mut out)
            .and_then(|progress| self.handshake_progress(now, progress, out));
        if let Err(error) = result {
            self.fail(error);
        }
    }

    /// Sends what the mechanism pushed and, once it is done, checks the
    /// peer's metadata and goes active.
    pub(super) fn handshake_progress(
        &mut self,
        now: Instant,
        progress: Progress,
        out: Vec<Command>,
    ) -> Result<(), ConnectionError> {
        match progress {
            Progress::Continue => {
                for command in &out {
                    self.put_command(command)?;
                }
            }
            Progress::Done(metadata) => {
                let peer = self.validate_metadata(metadata)?;
                for command in &out {
                    self.put_command(command)?;
                }
                self.transition(Input::HandshakeDone);
                self.become_active(now, peer)?;
            }
        }
        Ok(())
    }

    /// Checks the peer's READY metadata: its Socket-Type against ours
    /// (37-R33, zmtp-wire.md 5) and, when we are a ROUTER, for whom the
    /// Identity is the routing id, the Identity rules (37-R34, 37-R35).
    /// Other socket types ignore Identity (zmtp-wire.md 6.1 #23).
    fn validate_metadata(&self, metadata: Metadata) -> Result<Peer, ConnectionError> {
        let socket_type = match metadata.get(SOCKET_TYPE) {
            Some(name) => match SocketType::from_wire(name) {
                Some(peer)
                    if self.config.socket_type.is_compatible_with(peer)
                        || crate::mutant!(SocketTypeNotChecked) =>
                {
                    Some(peer)
                }
                _ => return Err(PeerError::InvalidSocketType(Some(name.clone())).into()),
            },
            None if self.config.behaviour.require_socket_type => {
                return Err(PeerError::InvalidSocketType(None).into());
            }
            None => None,
        };
        let protocol = self.protocol.unwrap_or(Protocol::V3_1);
        let mut routing_id = None;
        if self.config.socket_type == SocketType::Router
            && let Some(id) = metadata.get(IDENTITY)
        {
            if id.len() > 255
                || (protocol == Protocol::V3_1
                    && id.first() == Some(&0)
                    && !crate::mutant!(ZeroIdentityAccepted))
            {
                return Err(PeerError::InvalidIdentity.into());
            }
            routing_id = (!id.is_empty()).then(|| id.clone());
        }
        Ok(Peer {
            protocol,
            version: self.peer_version,
            socket_type,
            metadata,
            routing_id,
        })
    }

    /// The handshake succeeded: report it, start heartbeats and send what
    /// the application queued meanwhile.
    pub(super) fn become_active(
        &mut self,
        now: Instant,
        peer: Peer,
    ) -> Result<(), ConnectionError> {
        let has_commands = matches!(peer.protocol, Protocol::V3_0 | Protocol::V3_1);
        let pings = has_commands && !crate::mutant!(NoHeartbeats);
        self.timers.on_active(now, pings);
        // The driver's properties first: lookups take the first match, so
        // a peer cannot claim a `Peer-Address` in its READY (libzmq also
        // puts them first).
        let mut properties = self.config.message_properties.clone();
        for p in peer.metadata.properties() {
            properties.push(p.name.clone(), p.value.clone());
        }
        self.message_metadata = Some(std::sync::Arc::new(properties));
        self.peer = Some(peer.clone());
        self.events.push(Event::HandshakeSucceeded(peer));
        while let Some(item) = self.pending.pop_front() {
            self.encode(item)?;
        }
        Ok(())
    }

    /// A command in the data phase.
    fn on_command(&mut self, now: Instant, command: Command) -> Result<(), ConnectionError> {
        match command {
            Command::Subscribe(topic) => self.events.push(Event::Subscribe(topic)),
            Command::Cancel(topic) => self.events.push(Event::Cancel(topic)),
            Command::Join(group) => self.events.push(Event::Join(group)),
            Command::Leave(group) => self.events.push(Event::Leave(group)),
            Command::Ping { ttl, context } => {
                self.timers.on_peer_ping(now, ttl);
                self.answer_ping(context);
            }
            Command::Pong { .. } => {}
            Command::Error { reason } => return Err(ConnectionError::ErrorReceived(reason)),
            Command::Unknown { .. } => {}
            other => return Err(PeerError::UnexpectedCommand(command_label(&other)).into()),
        }
        Ok(())
    }

    /// A whole message. A PUB or XPUB reads a single-frame message starting
    /// with `01`/`00` as a subscription (G17), from any 3.x or 2.0 peer, as
    /// libzmq does (zmtp-wire.md 6.2 #8).
    fn on_message(&mut self, mut message: Message) {
        if matches!(self.config.socket_type, SocketType::Pub | SocketType::XPub)
            && let Ok(subscription) = SubscriptionMessage::parse_message(&message)
        {
            self.events.push(match subscription {
                SubscriptionMessage::Subscribe(topic) => Event::Subscribe(topic),
                SubscriptionMessage::Cancel(topic) => Event::Cancel(topic),
            });
            return;
        }
        message.set_metadata(self.message_metadata.clone());
        self.events.push_message(message);
    }

    /// An item after a wrapping mechanism: every frame is unwrapped, then
    /// reassembled here.
    fn unwrap_item(&mut self, now: Instant, item: Item) -> Result<(), ConnectionError> {
        let frames = match item {
            Item::RawCommand(body) => vec![Frame::command(body)],
            Item::Command(command) => vec![Frame::command(command_body(&command)?)],
            Item::Message(message) => {
                let last = message.len().saturating_sub(1);
                message
                    .into_iter()
                    .enumerate()
                    .map(|(i, body)| Frame::message(body, i < last))
                    .collect()
            }
        };
        for frame in frames {
            let Some(session) = self.mechanism.as_mut() else {
                break;
            };
            let frame = session.unwrap_frame(frame)?;
            self.on_unwrapped(now, frame)?;
        }
        Ok(())
    }

    fn on_unwrapped(&mut self, now: Instant, frame: Frame) -> Result<(), ConnectionError> {
        match frame.kind {
            FrameKind::Command => {
                if !self.reassembly.frames.is_empty() {
                    return Err(PeerError::from(WireError::CommandInsideMessage).into());
                }
                let command = Command::parse(&frame.body).map_err(PeerError::from)?;
                self.on_command(now, command)
            }
            FrameKind::Message { more } => {
                // The decoder's bounds, on the clear frames: all the
                // octets together, and the number of frames.
                let size = self.reassembly.size.saturating_add(frame.body.len() as u64);
                if let Some(max) = self.config.max_message_size {
                    if size > max {
                        return Err(
                            PeerError::from(WireError::MessageTooLarge { size, max }).into()
                        );
                    }
                    if self.reassembly.frames.len() as u64 >= max_frames(max) {
                        let max = max_frames(max);
                        return Err(PeerError::from(WireError::TooManyFrames { max }).into());
                    }
                }
                self.reassembly.size = size;
                self.reassembly.frames.push(frame.body);
                if !more {
                    self.reassembly.size = 0;
                    let frames = std::mem::take(&mut self.reassembly.frames);
                    self.on_message(Message::from(frames));
                }
                Ok(())
            }
        }
    }

    /// The framing the greeting chose.
    fn framing(&self) -> Framing {
        match self.protocol {
            Some(Protocol::V2_0) => Framing::Zmtp2,
            Some(Protocol::V1_0) => Framing::Zmtp1,
            _ => Framing::Zmtp3,
        }
    }

    /// Writes application output for the protocol spoken.
    pub(super) fn encode(&mut self, item: Outgoing) -> Result<(), ConnectionError> {
        let protocol = self.protocol.unwrap_or(Protocol::V3_1);
        match item {
            Outgoing::Message(message) => self.put_message(&message),
            Outgoing::Command(command) => match (command, protocol) {
                (Command::Subscribe(topic), Protocol::V3_1)
                    if crate::mutant!(SubscribeAsMessageTo31) =>
                {
                    self.put_message(&SubscriptionMessage::Subscribe(topic).to_message())
                }
                (command, Protocol::V3_1) => self.put_command(&command),
                (Command::Subscribe(topic), Protocol::V3_0 | Protocol::V2_0) => {
                    self.put_message(&SubscriptionMessage::Subscribe(topic).to_message())
                }
                (Command::Cancel(topic), Protocol::V3_0 | Protocol::V2_0) => {
                    self.put_message(&SubscriptionMessage::Cancel(topic).to_message())
                }
                (command, Protocol::V3_0) => self.put_command(&command),
                // 2.0 and 1.0 have no commands; 1.0 publishers send
                // everything, so subscriptions are not sent either.
                (_, Protocol::V2_0 | Protocol::V1_0) => Ok(()),
            },
        }
    }

    /// Writes a message, through the mechanism's wrapping if it has one.
    fn put_message(&mut self, message: &Message) -> Result<(), ConnectionError> {
        if self.state == State::Active
            && let Some(session) = self.mechanism.as_mut().filter(|m| m.wraps_frames())
        {
            let last = message.len().saturating_sub(1);
            for (i, body) in message.iter().enumerate() {
                let frame = session.wrap_frame(Frame::message(body.clone(), i < last))?;
                frame.encode(&mut self.out).map_err(LocalError::from)?;
                let queued = self.chunks_len + self.out.len();
                mark_at(
                    &mut self.boundaries,
                    queued,
                    PacketKind::Message {
                        more: i < last,
                        boxed: true,
                    },
                );
            }
            return Ok(());
        }
        self.put_frames(message)
    }

    /// Writes a message's frames (MORE on all but the last: G09, 37-R21):
    /// headers and small bodies into the send buffer, large bodies
    /// ([`LARGE_FRAME`]) queued as they are. (A frame header fails to
    /// encode only past 2^63 - 1 octets, which no `Bytes` reaches; the
    /// connection fails then anyway.)
    fn put_frames(&mut self, message: &Message) -> Result<(), ConnectionError> {
        let framing = self.framing();
        let frames = message.frames();
        let last = frames.len().saturating_sub(1);
        for (i, body) in frames.iter().enumerate() {
            let header = FrameHeader {
                kind: FrameKind::Message { more: i < last },
                size: body.len() as u64,
            };
            if body.len() < LARGE_FRAME {
                // A header is at most 10 octets (9, or 10 in 1.0 framing).
                self.room_in_out(body.len() + 10);
                encode_header(&header, framing, &mut self.out).map_err(LocalError::from)?;
                self.out.extend_from_slice(body);
            } else {
                self.room_in_out(10);
                encode_header(&header, framing, &mut self.out).map_err(LocalError::from)?;
                let headers = self.out.split().freeze();
                self.push_chunk(headers);
                self.push_chunk(body.clone());
            }
            self.mark(PacketKind::Message {
                more: i < last,
                boxed: false,
            });
        }
        Ok(())
    }

    /// Makes room for `need` octets in the send buffer: when the block is
    /// full, what it holds is queued as a chunk and a new block started
    /// (no copy, unlike growing it).
    fn room_in_out(&mut self, need: usize) {
        if self.out.capacity() - self.out.len() >= need {
            return;
        }
        if !self.out.is_empty() {
            let full = self.out.split().freeze();
            self.push_chunk(full);
        }
        self.out.reserve(need.max(SEND_BLOCK));
    }

    fn push_chunk(&mut self, chunk: Bytes) {
        self.chunks_len += chunk.len();
        self.chunks.push_back(chunk);
    }

    /// Writes a command frame, through the mechanism's wrapping after the
    /// handshake if it has one.
    pub(super) fn put_command(&mut self, command: &Command) -> Result<(), ConnectionError> {
        if self.state == State::Active
            && let Some(session) = self.mechanism.as_mut().filter(|m| m.wraps_frames())
        {
            let frame = session.wrap_frame(Frame::command(command_body(command)?))?;
            frame.encode(&mut self.out).map_err(LocalError::from)?;
            self.mark_command(command, true);
            return Ok(());
        }
        command.encode(&mut self.out).map_err(LocalError::from)?;
        self.mark_command(command, false);
        Ok(())
    }

    fn mark_command(&mut self, command: &Command, boxed: bool) {
        if self.boundaries.is_some() {
            let name = Bytes::copy_from_slice(command.name());
            self.mark(PacketKind::Command { name, boxed });
        }
    }
}

/// A command's body (name-len, name, data) without a frame header.
fn command_body(command: &Command) -> Result<Bytes, ConnectionError> {
    let mut body = BytesMut::with_capacity(command.body_len());
    command.encode_body(&mut body).map_err(LocalError::from)?;
    Ok(body.freeze())
}
