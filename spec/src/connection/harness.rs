//! A deterministic harness for the connection machine: two connections
//! back to back over in-memory pipes with virtual time (quinn-proto's
//! `Pair`), and a driver that runs one connection through a list of
//! operations (byte chunks, time, application calls) for property tests
//! and fuzz targets.
//!
//! Not part of the stable API: it exists for this crate's tests, the fuzz
//! targets and the conformance runner.
//!
//! ```text
//!   client ── poll_transmit ──> [to_server log] ── chunks of max_chunk ──> server
//!   client <── chunks ── [to_client log] <── poll_transmit ───────────────── server
//!   virtual clock: Pair::now, moved by Pair::advance; timers fire in order
//! ```

use core::time::Duration;
use std::time::Instant;

use bytes::Bytes;

use super::{Config, Connection, Event, LocalError, Side, State};
use crate::Message;
use crate::wire::Command;

/// Two connections wired back to back.
#[derive(Debug)]
pub struct Pair {
    /// The connecting end.
    pub client: Connection,
    /// The accepting end.
    pub server: Connection,
    /// The virtual clock.
    pub now: Instant,
    /// Every octet the client sent, in order.
    pub to_server: Vec<u8>,
    /// Every octet the server sent, in order.
    pub to_client: Vec<u8>,
    /// Events the client reported.
    pub client_events: Vec<Event>,
    /// Events the server reported.
    pub server_events: Vec<Event>,
    /// The largest chunk delivered at once (1: octet by octet).
    pub max_chunk: usize,
    /// While set, octets from the server are dropped (logged, not
    /// delivered): a peer that has gone silent.
    pub server_silent: bool,
    /// While set, octets from the client are dropped.
    pub client_silent: bool,
}

impl Pair {
    /// A client and a server opened at the same virtual instant.
    ///
    /// # Errors
    /// What [`Connection::new`] returns for either configuration.
    pub fn new(client: Config, server: Config) -> Result<Self, LocalError> {
        let now = Instant::now();
        Ok(Self {
            client: Connection::new(client, Side::Client, now)?,
            server: Connection::new(server, Side::Server, now)?,
            now,
            to_server: Vec::new(),
            to_client: Vec::new(),
            client_events: Vec::new(),
            server_events: Vec::new(),
            max_chunk: usize::MAX,
            server_silent: false,
            client_silent: false,
        })
    }

    /// Exchanges octets until neither side has anything to send; collects
    /// events. Returns the number of rounds.
    pub fn drive(&mut self) -> usize {
        let mut rounds = 0;
        loop {
            let a = self.client.poll_transmit();
            let b = self.server.poll_transmit();
            self.collect();
            if a.is_none() && b.is_none() {
                return rounds;
            }
            rounds += 1;
            if let Some(a) = a {
                self.to_server.extend_from_slice(&a);
                if !self.client_silent {
                    feed(&mut self.server, self.now, &a, self.max_chunk);
                }
            }
            if let Some(b) = b {
                self.to_client.extend_from_slice(&b);
                if !self.server_silent {
                    feed(&mut self.client, self.now, &b, self.max_chunk);
                }
            }
        }
    }

    fn collect(&mut self) {
        while let Some(e) = self.client.poll_event() {
            self.client_events.push(e);
        }
        while let Some(e) = self.server.poll_event() {
            self.server_events.push(e);
        }
    }

    /// Moves the clock forward by `by`, firing every timer that falls due
    /// on the way, in order, and driving the pair after each.
    pub fn advance(&mut self, by: Duration) {
        let until = self.now + by;
        let mut last = None;
        loop {
            self.drive();
            let next = [self.client.poll_timeout(), self.server.poll_timeout()]
                .into_iter()
                .flatten()
                .filter(|t| *t <= until)
                .min();
            let Some(at) = next else { break };
            // A timer that handling did not move would loop forever.
            if last == Some(at) {
                break;
            }
            last = Some(at);
            self.now = self.now.max(at);
            self.client.handle_timeout(self.now);
            self.server.handle_timeout(self.now);
        }
        self.now = until;
        self.drive();
    }

    /// Whether both ends are [`State::Active`].
    pub fn is_active(&self) -> bool {
        self.client.state() == State::Active && self.server.state() == State::Active
    }
}

/// Feeds `data` to `conn` at `now` in chunks of at most `max_chunk` octets.
pub fn feed(conn: &mut Connection, now: Instant, data: &[u8], max_chunk: usize) {
    for chunk in data.chunks(max_chunk.max(1)) {
        conn.handle_bytes(now, chunk);
    }
}

/// Feeds `data` in two pieces, split at `at`.
pub fn feed_split(conn: &mut Connection, now: Instant, data: &[u8], at: usize) {
    let at = at.min(data.len());
    conn.handle_bytes(now, &data[..at]);
    conn.handle_bytes(now, &data[at..]);
}

/// Drains a connection's events.
pub fn events(conn: &mut Connection) -> Vec<Event> {
    core::iter::from_fn(|| conn.poll_event()).collect()
}

/// One step for [`run`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Op {
    /// Octets from the peer.
    Bytes(Vec<u8>),
    /// Move the clock forward by this many milliseconds, then call
    /// `handle_timeout`.
    Advance(u16),
    /// Jump to the instant [`Connection::poll_timeout`] asks for, if any.
    FireTimer,
    /// The application sends a message with these frames.
    SendMessage(Vec<Vec<u8>>),
    /// The application subscribes (SUBSCRIBE or a `01` message).
    Subscribe(Vec<u8>),
    /// The application sends a PING with this TTL and context.
    Ping(u16, Vec<u8>),
    /// The application closes the connection.
    Close,
}

/// What [`run`] observed.
#[derive(Debug)]
pub struct Outcome {
    /// The connection after the last operation.
    pub connection: Connection,
    /// Every event it reported.
    pub events: Vec<Event>,
    /// Every octet it sent.
    pub sent: Vec<u8>,
    /// The largest receive-buffer capacity seen after any operation.
    pub max_buffer_capacity: usize,
    /// The total number of octets fed in.
    pub received: usize,
}

/// Runs one connection through `ops`, starting at a fixed virtual
/// instant. Application errors (sending on a closed connection, a PING
/// context over 16 octets) are ignored: they are typed results, not
/// faults. The caller asserts on the [`Outcome`].
///
/// # Errors
/// What [`Connection::new`] returns for `config`.
pub fn run(config: Config, side: Side, ops: &[Op]) -> Result<Outcome, LocalError> {
    let mut now = Instant::now();
    let mut connection = Connection::new(config, side, now)?;
    let mut events = Vec::new();
    let mut sent = Vec::new();
    let mut max_buffer_capacity = 0;
    let mut received = 0;
    for op in ops {
        match op {
            Op::Bytes(data) => {
                received += data.len();
                connection.handle_bytes(now, data);
            }
            Op::Advance(ms) => {
                now += Duration::from_millis(u64::from(*ms));
                connection.handle_timeout(now);
            }
            Op::FireTimer => {
                if let Some(at) = connection.poll_timeout() {
                    now = now.max(at);
                    connection.handle_timeout(now);
                }
            }
            Op::SendMessage(frames) => {
                let message: Message = frames.iter().cloned().map(Bytes::from).collect();
                let _ = connection.send_message(message);
            }
            Op::Subscribe(topic) => {
                let _ = connection.send_command(Command::Subscribe(Bytes::from(topic.clone())));
            }
            Op::Ping(ttl, context) => {
                let _ = connection.send_command(Command::Ping {
                    ttl: *ttl,
                    context: Bytes::from(context.clone()),
                });
            }
            Op::Close => connection.close(None),
        }
        if let Some(out) = connection.poll_transmit() {
            sent.extend_from_slice(&out);
        }
        events.extend(core::iter::from_fn(|| connection.poll_event()));
        max_buffer_capacity = max_buffer_capacity.max(connection.receive_buffer_capacity());
    }
    Ok(Outcome {
        connection,
        events,
        sent,
        max_buffer_capacity,
        received,
    })
}
