//! The sans-IO connection machine: one ZMTP connection from the first
//! greeting octet to the close, with no I/O, no clock and no randomness
//! of its own (the generator is an argument of [`Connection::new`]).
//!
//! ```text
//!  handle_bytes(now, &[u8]) ──┐                       ┌── poll_transmit() -> Bytes
//!  read_buffer + handle_read ─┤                       ├── poll_transmit_chunk() -> Bytes
//!  handle_timeout(now) ───────┤     Connection        ├── poll_timeout() -> Instant
//!  send_message / send_command┤                       ├── poll_event() -> Event
//!  handle_cookie_jar(now, jar)┤  (a CURVE server)     ├── needs_cookie_jar()
//!  close(reason) ─────────────┘                       ├── peer(), protocol(), state()
//!                                                     └── poll_packet() -> Packet (a raw peer)
//! ```
//!
//! A misbehaving peer (the conformance runner, a fuzzer) runs the same
//! machine with [`Behaviour::packets`] set and takes its output one
//! [`Packet`] at a time, each named (a greeting piece, a command, a
//! message frame), to send it, replace it, mutate it, split it, delay it
//! or drop it ([`Tamper`], in [`packets`]): the NULL, PLAIN and CURVE
//! handshakes and the 2.0/1.0 downgrade it forges are this machine's.
//!
//! # States
//!
//! ```text
//!                 Versioned3x               PeerGreeting               HandshakeDone
//!   Signature ─────────────────> Greeting ───────────────> Handshake ────────────────> Active
//!       │   (peer revision >= 3)  (its 64 octets, 37-R15)   (mechanism: NULL READYs)     ^
//!       │ Legacy (1.0 / 2.0 peer, NULL only: 37-R61)                                   │
//!       └───────────────────────> LegacyGreeting ───────────────────────────────────────┘
//!                                  (its identity / socket type)        PeerIdentity
//!
//!   every state ── PeerFault | LocalFault | Timeout | Close ──> Closed
//! ```
//!
//! The table is data ([`state::transitions`]): every transition taken is
//! checked against it, a test snapshots it, and [`state::dot`] renders it
//! for the docs.
//!
//! # Call order
//!
//! As quinn-proto's `Connection`: feed input with the `handle_*` methods
//! and the application's commands, then drain [`Connection::poll_transmit`]
//! (all pending octets in one buffer) or [`Connection::poll_transmit_chunk`]
//! (the same octets as a sequence of buffers, large frame bodies as the
//! application's own `Bytes`, for a vectored write), [`Connection::poll_event`] until
//! `None`, and arm a timer for [`Connection::poll_timeout`], calling
//! [`Connection::handle_timeout`] when it fires. The same machine serves
//! the tokio driver, the model checker, the conformance runner and the
//! fuzzers (the `harness` module, under the `fuzzing` feature, wires two
//! of them back to back on virtual time).
//!
//! # Greeting (zmtp-wire.md 4.5)
//!
//! With the default pacing the machine sends its 10-octet pseudo-signature
//! at once, without waiting (37-R60), the version-major once the peer's 10
//! octets show a versioned peer, and the rest once the peer's revision is
//! known: octets 11-63 to a 3.x peer, the socket-type octet and identity
//! frame to a 2.0 peer, the identity body to a 1.0 peer. A non-NULL
//! mechanism refuses 1.0/2.0 peers (37-R61, 37-R67). The protocol spoken
//! is the lower of the two (37-R08): it decides the framing and whether
//! subscriptions go as commands (3.1) or `01`/`00` messages (3.0, 2.0).
//!
//! # Handshake and data phase
//!
//! The mechanism ([`mechanism`]) runs the handshake; the machine checks the
//! peer's metadata (Socket-Type table, Identity: 37-R33..R35), turns a
//! received ERROR into a fatal [`ConnectionError::ErrorReceived`] (37-R16),
//! answers PING with PONG (37-R58: one PONG owed at most, the latest
//! PING's, encoded when the driver takes the output, so a peer that never
//! reads cannot make it queue one per PING), and reports messages,
//! subscriptions and groups as [`Event`]s. A mechanism that encrypts
//! traffic (CURVE) wraps and unwraps every frame through its
//! [`MechanismSession`] hooks.
//!
//! # Errors
//!
//! A failure is one [`Event::Failed`], split by who is at fault
//! ([`ConnectionError`]). When the peer is at fault and commands exist
//! (3.x, past the greeting), an ERROR command naming the reason is queued
//! before the close ([`ErrorReason::from`]); the driver should send what
//! [`Connection::poll_transmit`] still returns, then close the transport.
//!
//! # Large frames without copies
//!
//! A message frame of [`LARGE_FRAME`] octets or more is not copied into
//! the send buffer: its header is, and its body `Bytes` is queued after it
//! ([`Connection::poll_transmit_chunk`]). On the receive side a transport
//! may read straight into the receive buffer
//! ([`Connection::read_buffer`], then [`Connection::handle_read`]): a large
//! body lands in an allocation of its own and becomes the message frame
//! without a copy (see [`Decoder::read_buffer`]).

pub mod config;
pub mod error;
pub mod event;
mod events;
mod greeting;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod harness;
mod heartbeat;
pub mod mechanism;
pub mod packets;
mod services;
pub mod state;
mod traffic;

pub use traffic::LARGE_FRAME;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};

pub use config::{Behaviour, Config, GreetingPacing, Heartbeat, NullServerReady, Side};
pub use error::{ConnectionError, ErrorReason, LocalError, PeerError, Timeout};
pub use event::{Event, Peer};
pub use mechanism::{HandshakeContext, Mechanism, MechanismSession, Null, Progress};
pub use packets::{Packet, PacketKind, Tamper, Write};
pub use state::{Input, State};

use crate::Message;
use crate::wire::greeting::Protocol;
use crate::wire::{Command, Decoder, Encode, Framing, Metadata};

/// One ZMTP connection, as a pure state machine.
///
/// Call order (as quinn-proto's `Connection`):
/// 1. [`Connection::new`] queues the first greeting octets; it takes the
///    generator the mechanism draws from (a driver passes the operating
///    system's, e.g. rand_core's `OsRng`).
/// 2. Feed whatever the transport delivers to [`Connection::handle_bytes`],
///    and call [`Connection::handle_timeout`] when the instant last returned
///    by [`Connection::poll_timeout`] has passed. A CURVE server also
///    lends the socket's cookie jar when [`Connection::needs_cookie_jar`]
///    says so ([`Connection::handle_cookie_jar`]).
/// 3. Application output goes in with [`Connection::send_message`],
///    [`Connection::send_command`] and [`Connection::close`]; it is queued
///    until the handshake is done.
/// 4. After each of the above, drain [`Connection::poll_transmit`] to the
///    transport, [`Connection::poll_event`] until `None`, and re-arm the
///    timer from [`Connection::poll_timeout`].
///
/// Every octet from the wire is parsed by the grammar of [`crate::wire`]
/// (the greeting rules, then the streaming [`Decoder`]); every octet sent is
/// written by its encoder. Nothing panics on input and nothing is
/// allocated on the strength of a length the peer declared.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    side: Side,
    state: State,
    /// Received octets: read by the greeting rules first, then decoded
    /// into frames (the same buffer, so nothing is copied between them).
    decoder: Decoder,
    /// Octets to send, after those in `chunks`.
    out: BytesMut,
    /// Octets to send before those in `out`: finished parts of `out` and
    /// large frame bodies, in order.
    chunks: VecDeque<Bytes>,
    /// The octets in `chunks`.
    chunks_len: usize,
    events: events::EventQueue,
    greeting: greeting::Progress,
    /// Our READY metadata.
    local_metadata: Metadata,
    mechanism: Option<Box<dyn MechanismSession>>,
    /// The peer's 3.x greeting version, once read.
    peer_version: Option<crate::wire::Version>,
    /// The protocol spoken once the greetings are exchanged.
    protocol: Option<Protocol>,
    peer: Option<Peer>,
    /// The properties every received message carries, built once when the
    /// handshake succeeds (the peer's and the ZAP handler's metadata, then
    /// [`Config::message_properties`]).
    message_metadata: Option<Arc<Metadata>>,
    /// Application output waiting for the handshake.
    pending: VecDeque<Outgoing>,
    /// Frames of a message being reassembled by a wrapping mechanism.
    reassembly: traffic::Reassembly,
    timers: heartbeat::Timers,
    /// Where the mechanism draws its randomness.
    rng: services::Rng,
    /// The context of the peer's latest PING not answered yet: its PONG
    /// is encoded when the driver takes the output (see
    /// [`Connection::answer_ping`]).
    pong: Option<Bytes>,
    /// Where each outgoing packet ends, with
    /// [`Behaviour::packets`] (see [`packets`]).
    boundaries: Option<packets::Boundaries>,
}

/// Application output waiting for the handshake.
#[derive(Debug)]
enum Outgoing {
    Message(Message),
    Command(Command),
}

impl Connection {
    /// A connection that has just been opened at `now`, as the connecting
    /// ([`Side::Client`]) or accepting ([`Side::Server`]) end. Its first
    /// greeting octets are ready in [`Connection::poll_transmit`]. `rng`
    /// is the only randomness it uses (CURVE's transient keys and
    /// nonces): the operating system's generator, or one seeded from it.
    ///
    /// # Errors
    /// [`LocalError::InvalidRoutingId`] if the routing id is longer than
    /// 255 octets or starts with a zero octet (37-R34, 37-R35);
    /// [`LocalError::Encode`] if the configured metadata breaks the
    /// property grammar (37-R26, 37-R28).
    pub fn new(
        config: Config,
        side: Side,
        now: Instant,
        rng: impl rand_core::CryptoRngCore + Send + 'static,
    ) -> Result<Self, LocalError> {
        let id = &config.routing_id;
        if id.len() > 255 || id.first() == Some(&0) {
            return Err(LocalError::InvalidRoutingId);
        }
        let local_metadata = config.ready_metadata();
        local_metadata.check()?;
        let mut decoder =
            Decoder::new(Framing::Zmtp3).with_max_message_size(config.max_message_size);
        decoder.set_raw_commands(true);
        let mut conn = Self {
            side,
            state: State::Signature,
            decoder,
            out: BytesMut::new(),
            chunks: VecDeque::new(),
            chunks_len: 0,
            events: events::EventQueue::default(),
            greeting: greeting::Progress::default(),
            local_metadata,
            mechanism: None,
            peer_version: None,
            protocol: None,
            peer: None,
            message_metadata: None,
            pending: VecDeque::new(),
            reassembly: traffic::Reassembly::default(),
            timers: heartbeat::Timers::new(&config, now),
            rng: services::Rng::new(rng),
            pong: None,
            boundaries: config.behaviour.packets.then(packets::Boundaries::default),
            config,
        };
        match conn.config.zws {
            None => conn.send_initial_greeting(),
            Some(subprotocol) => conn.start_zws(subprotocol)?,
        }
        Ok(conn)
    }

    // ---- getters -------------------------------------------------------

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Which end we are.
    pub fn side(&self) -> Side {
        self.side
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What the handshake said about the peer, once it succeeded.
    pub fn peer(&self) -> Option<&Peer> {
        self.peer.as_ref()
    }

    /// The protocol spoken, once the greetings are exchanged.
    pub fn protocol(&self) -> Option<Protocol> {
        self.protocol
    }

    /// Whether the connection is closed. Octets may still be waiting in
    /// [`Connection::poll_transmit`] (an ERROR command, say).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// The capacity of the receive buffer, in octets: what the connection
    /// has allocated for input. It stays within about twice what arrived
    /// plus a constant, whatever sizes the peer declares (for the fuzzers'
    /// allocation bound).
    pub fn receive_buffer_capacity(&self) -> usize {
        self.decoder.buffer_capacity()
    }

    // ---- input ---------------------------------------------------------

    /// Octets received from the transport at `now`. Any chunking works,
    /// one octet at a time included. Ignored once closed.
    pub fn handle_bytes(&mut self, now: Instant, data: &[u8]) {
        if self.is_closed() || data.is_empty() {
            return;
        }
        self.decoder.push(data);
        self.timers.on_receive();
        self.drive(now);
    }

    /// Tells the machine the time is `now`; runs whatever timer is due:
    /// the handshake timeout, our heartbeat PING, the heartbeat timeout
    /// after it, and the TTL the peer announced (37-R58).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_closed() {
            return;
        }
        if let Some(timeout) = self.timers.expired(now) {
            self.fail(ConnectionError::Timeout(timeout));
            return;
        }
        if self.timers.ping_due(now) {
            self.send_ping(now);
        }
    }

    /// Room for the next transport read, in the receive buffer itself
    /// ([`Decoder::read_buffer`]): write what the transport delivers into
    /// it (`BufMut`, e.g. tokio's `try_read_buf`), then call
    /// [`Connection::handle_read`]. `chunk` is the read size wanted between
    /// frames; while a large body is arriving the room is that body's
    /// missing octets and a few more, so the body is read where the
    /// message will keep it. The room is never empty.
    pub fn read_buffer(&mut self, chunk: usize) -> bytes::buf::Limit<&mut BytesMut> {
        self.decoder.read_buffer(chunk)
    }

    /// Runs the machine on octets a transport wrote into
    /// [`Connection::read_buffer`] at `now`: the same as
    /// [`Connection::handle_bytes`] with those octets, without copying
    /// them. Once closed, what was read is dropped.
    pub fn handle_read(&mut self, now: Instant) {
        if self.is_closed() {
            let _ = self.decoder.take_buffered();
            return;
        }
        self.timers.on_receive();
        self.drive(now);
    }

    // ---- application commands -------------------------------------------

    /// Queues a message for the peer; it goes out once the handshake is
    /// done (at once if it is).
    ///
    /// # Errors
    /// [`LocalError::EmptyMessage`] for a message with no frames,
    /// [`LocalError::Closed`] once closed.
    pub fn send_message(&mut self, message: Message) -> Result<(), LocalError> {
        if message.is_empty() {
            return Err(LocalError::EmptyMessage);
        }
        message.check()?;
        self.send(Outgoing::Message(message))
    }

    /// Queues an application command: SUBSCRIBE, CANCEL, JOIN, LEAVE, PING,
    /// PONG or an unknown one. It is encoded for the protocol spoken once
    /// known: SUBSCRIBE/CANCEL as commands to a 3.1 peer (37-R46, 37-R47),
    /// as `01`/`00` messages to 3.0 and 2.0 peers (G17), and not at all to
    /// 1.0 peers, whose publishers send everything (zmtp-wire.md 6.1 #19);
    /// other commands only to 3.x peers (2.0 and 1.0 have none).
    ///
    /// # Errors
    /// [`LocalError::NotAnApplicationCommand`] for READY, ERROR and the
    /// mechanism commands, [`LocalError::Encode`] for a command the
    /// grammar forbids (a PING context over 16 octets, say),
    /// [`LocalError::Closed`] once closed.
    pub fn send_command(&mut self, command: Command) -> Result<(), LocalError> {
        match command {
            Command::Ready(_) | Command::Error { .. } | Command::Mechanism { .. } => Err(
                LocalError::NotAnApplicationCommand(mechanism::command_label(&command)),
            ),
            command => {
                command.check()?;
                self.send(Outgoing::Command(command))
            }
        }
    }

    /// Closes the connection. With a reason, an ERROR command carrying it
    /// is queued first where the protocol has commands (3.x, after the
    /// greeting). [`Event::Closed`] follows.
    pub fn close(&mut self, reason: Option<ErrorReason>) {
        if self.is_closed() {
            return;
        }
        // If the PONG owed fails to encode, the connection is closing anyway.
        let _ = self.encode_pong();
        if let Some(reason) = reason {
            self.send_error(&reason);
        }
        self.transition(Input::Close);
        self.events.push(Event::Closed);
    }

    // ---- output ----------------------------------------------------------

    /// Everything waiting to be sent, in one buffer. (Large frame bodies
    /// are copied into it; a transport that can write several buffers at
    /// once should use [`Connection::poll_transmit_chunk`].) A PONG owed
    /// to the peer is encoded now, at the end.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.flush_pong();
        if self.chunks.is_empty() {
            return (!self.out.is_empty()).then(|| self.out.split().freeze());
        }
        let mut all = BytesMut::with_capacity(self.pending_transmit());
        self.chunks_len = 0;
        for chunk in self.chunks.drain(..) {
            all.extend_from_slice(&chunk);
        }
        all.extend_from_slice(&self.out);
        self.out.clear();
        Some(all.freeze())
    }

    /// The next part of what is waiting to be sent, in order: octets the
    /// machine encoded, or the body of a large message frame as the
    /// application gave it ([`LARGE_FRAME`]). Drain it until `None` and
    /// write the parts in order (one vectored write can take many). The
    /// octets are the same as [`Connection::poll_transmit`] returns; a
    /// PONG owed to the peer is encoded when the last part is taken, so a
    /// driver that stops taking parts while its transport is full keeps
    /// at most one PONG waiting, whatever the peer sends meanwhile.
    #[must_use]
    pub fn poll_transmit_chunk(&mut self) -> Option<Bytes> {
        match self.chunks.pop_front() {
            Some(chunk) => {
                self.chunks_len -= chunk.len();
                Some(chunk)
            }
            None => {
                self.flush_pong();
                (!self.out.is_empty()).then(|| self.out.split().freeze())
            }
        }
    }

    /// How many octets [`Connection::poll_transmit`] would return now: a
    /// driver can stop feeding messages in while this is high. A PONG not
    /// encoded yet counts at its clear-text size (a wrapping mechanism
    /// such as CURVE adds its box when it is encoded); the count is zero
    /// exactly when nothing waits.
    pub fn pending_transmit(&self) -> usize {
        self.chunks_len + self.out.len() + self.pong_len()
    }

    /// The next instant at which [`Connection::handle_timeout`] must be
    /// called, if any.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_closed() {
            return None;
        }
        self.timers.next()
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// Moves the messages that [`Connection::poll_event`] would give next,
    /// up to the first event of another kind, to the back of `run`, oldest
    /// first; returns how many. A driver that hands its socket whole runs
    /// takes them here, then the other event from `poll_event`: the order
    /// is the same as `poll_event`'s alone.
    pub fn poll_messages(&mut self, run: &mut VecDeque<Message>) -> usize {
        self.events.take_messages(run)
    }

    /// The connection states as a Graphviz `digraph` (see [`state::dot`]).
    pub fn dot() -> String {
        state::dot()
    }

    // ---- internals -------------------------------------------------------

    fn send(&mut self, item: Outgoing) -> Result<(), LocalError> {
        if self.is_closed() {
            return Err(LocalError::Closed);
        }
        if self.state == State::Active {
            if let Err(error) = self.encode(item) {
                self.fail(error);
            }
        } else {
            self.pending.push_back(item);
        }
        Ok(())
    }

    /// Moves along the transition table.
    fn transition(&mut self, input: Input) {
        let next = state::next(self.state, input);
        debug_assert!(
            next.is_some(),
            "transition {:?} --{input:?}--> not in the table",
            self.state
        );
        if let Some(next) = next {
            self.state = next;
        }
        if self.state == State::Closed {
            let _ = self.decoder.take_buffered();
            self.pending.clear();
            self.pong = None;
        }
    }

    /// Ends the connection on a fault, sending ERROR when it is the peer's
    /// fault and commands are possible.
    fn fail(&mut self, error: ConnectionError) {
        if self.is_closed() {
            return;
        }
        // A PING read before the fault keeps its PONG, ahead of the ERROR.
        // (If that fails too, the connection is closing anyway.)
        let _ = self.encode_pong();
        let input = match &error {
            ConnectionError::Peer(peer) => {
                let reason = match &self.mechanism {
                    Some(session) => session.error_reason(peer),
                    None => Some(ErrorReason::from(peer)),
                };
                let quiet =
                    crate::mutant!(CloseWithoutError) && !matches!(peer, PeerError::Security(_));
                if let Some(reason) = reason.filter(|_| !quiet) {
                    self.send_error(&reason);
                }
                Input::PeerFault
            }
            ConnectionError::ErrorReceived(_) => Input::PeerFault,
            ConnectionError::Local(_) => Input::LocalFault,
            ConnectionError::Timeout(_) => Input::Timeout,
        };
        self.transition(input);
        self.events.push(Event::Failed(error));
    }

    /// Queues an ERROR command if the connection has commands by now: a
    /// 3.x peer past the greeting (G11).
    fn send_error(&mut self, reason: &ErrorReason) {
        if matches!(self.state, State::Handshake | State::Active)
            && matches!(self.protocol, Some(Protocol::V3_0 | Protocol::V3_1))
        {
            let error = Command::Error {
                reason: reason.as_bytes().clone(),
            };
            // An ErrorReason is valid VCHAR of at most 255 octets (G11),
            // so this cannot fail; if a wrapping mechanism fails, the
            // connection is closing anyway.
            let _ = self.put_command(&error);
        }
    }

    /// Runs the machine on whatever is in the receive buffer.
    fn drive(&mut self, now: Instant) {
        loop {
            let step = match self.state {
                State::Signature | State::Greeting | State::LegacyGreeting => {
                    self.greeting_step(now)
                }
                State::Handshake | State::Active => self.traffic_step(now),
                State::Closed => return,
            };
            match step {
                Ok(true) => {}
                Ok(false) => return,
                Err(error) => {
                    self.fail(error);
                    return;
                }
            }
        }
    }
}
