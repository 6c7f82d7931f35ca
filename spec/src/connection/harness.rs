//! A deterministic harness for the connection machine: two connections
//! back to back over in-memory pipes with virtual time (quinn-proto's
//! `Pair`), and a driver that runs one connection through a list of
//! operations (byte chunks, time, application calls) for property tests
//! and fuzz targets.
//!
//! Not part of the API, and compiled only with the `fuzzing` feature (and
//! for this crate's unit tests): it exists for this crate's tests and the
//! fuzz targets. Everything random comes from a [`TestRng`] with a fixed
//! seed, so every run repeats.
//!
//! ```text
//!   client ── poll_transmit ──> [to_server log] ── chunks of max_chunk ──> server
//!   client <── chunks ── [to_client log] <── poll_transmit ───────────────── server
//!   virtual clock: Pair::now, moved by Pair::advance; timers fire in order
//!   Pair::cookies: the cookie jar, lent to a CURVE server whenever it asks
//! ```

use core::time::Duration;
use std::time::Instant;

use bytes::Bytes;
use rand_core::{CryptoRng, RngCore};

use super::{Config, Connection, Event, LocalError, Side, State};
use crate::Message;
use crate::security::curve::CookieJar;
use crate::wire::Command;

/// A seeded generator (SplitMix64) for tests and fuzz targets: the same
/// seed gives the same keys and nonces, so a failure replays.
///
/// **Not cryptographically secure**, whatever its `CryptoRng` marker
/// says: it exists so that tests can hand the machines a generator. A
/// driver passes the operating system's (rand_core's `OsRng`).
#[derive(Clone, Debug)]
pub struct TestRng(u64);

impl TestRng {
    /// A generator whose output is fixed by `seed`.
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }
}

impl RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for TestRng {}

/// The seeds [`Pair::new`] and [`run`] use: a client's generator, a
/// server's, and the server's cookie jar's.
const CLIENT_SEED: u64 = 1;
const SERVER_SEED: u64 = 2;
const JAR_SEED: u64 = 3;

/// A connection with a [`TestRng`] from `seed` (see [`Connection::new`]).
///
/// # Errors
/// What [`Connection::new`] returns for `config`.
pub fn connection(
    config: Config,
    side: Side,
    now: Instant,
    seed: u64,
) -> Result<Connection, LocalError> {
    Connection::new(config, side, now, TestRng::new(seed))
}

/// A cookie jar for a server under test, its key from a [`TestRng`].
pub fn cookie_jar() -> CookieJar {
    CookieJar::new(&mut TestRng::new(JAR_SEED))
}

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
    /// The cookie jar (used by a CURVE server, on either side), lent
    /// whenever a connection asks ([`Connection::needs_cookie_jar`]).
    pub cookies: CookieJar,
}

impl Pair {
    /// A client and a server opened at the same virtual instant.
    ///
    /// # Errors
    /// What [`Connection::new`] returns for either configuration.
    pub fn new(client: Config, server: Config) -> Result<Self, LocalError> {
        Self::with_seed(client, server, 0)
    }

    /// As [`Pair::new`], with generators that differ from those of any
    /// other `seed` (a test with two pairs gives each its own keys).
    ///
    /// # Errors
    /// What [`Connection::new`] returns for either configuration.
    pub fn with_seed(client: Config, server: Config, seed: u64) -> Result<Self, LocalError> {
        let now = Instant::now();
        let seed = seed.wrapping_mul(8);
        Ok(Self {
            client: connection(client, Side::Client, now, seed.wrapping_add(CLIENT_SEED))?,
            server: connection(server, Side::Server, now, seed.wrapping_add(SERVER_SEED))?,
            now,
            to_server: Vec::new(),
            to_client: Vec::new(),
            client_events: Vec::new(),
            server_events: Vec::new(),
            max_chunk: usize::MAX,
            server_silent: false,
            client_silent: false,
            cookies: CookieJar::new(&mut TestRng::new(seed.wrapping_add(JAR_SEED))),
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
                    feed_lending(
                        &mut self.server,
                        self.now,
                        &a,
                        self.max_chunk,
                        &mut self.cookies,
                    );
                }
            }
            if let Some(b) = b {
                self.to_client.extend_from_slice(&b);
                if !self.server_silent {
                    // The CURVE server role may be on either side.
                    feed_lending(
                        &mut self.client,
                        self.now,
                        &b,
                        self.max_chunk,
                        &mut self.cookies,
                    );
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

/// As [`feed`], lending `jar` after each chunk when the connection asks
/// for it (a CURVE server's handshake).
pub fn feed_lending(
    conn: &mut Connection,
    now: Instant,
    data: &[u8],
    max_chunk: usize,
    jar: &mut CookieJar,
) {
    for chunk in data.chunks(max_chunk.max(1)) {
        conn.handle_bytes(now, chunk);
        lend(conn, now, jar);
    }
}

/// Lends `jar` to `conn` if it asks for it.
pub fn lend(conn: &mut Connection, now: Instant, jar: &mut CookieJar) {
    if conn.needs_cookie_jar() {
        conn.handle_cookie_jar(now, jar);
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
/// instant, with a [`TestRng`] and, for a CURVE server, a cookie jar lent
/// whenever it asks. Application errors (sending on a closed connection, a PING
/// context over 16 octets) are ignored: they are typed results, not
/// faults. The caller asserts on the [`Outcome`].
///
/// # Errors
/// What [`Connection::new`] returns for `config`.
pub fn run(config: Config, side: Side, ops: &[Op]) -> Result<Outcome, LocalError> {
    let mut now = Instant::now();
    let seed = match side {
        Side::Client => CLIENT_SEED,
        Side::Server => SERVER_SEED,
    };
    let mut connection = connection(config, side, now, seed)?;
    let mut jar = cookie_jar();
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
        lend(&mut connection, now, &mut jar);
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
