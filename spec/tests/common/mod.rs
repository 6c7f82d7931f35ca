//! Shared by the interop tests that drive a `Connection` over a blocking
//! TCP stream against a real peer run by Python (libzmq via pyzmq, omq.rs
//! via pyomq): finding the interpreter, running the peer script, and the
//! small driver loop. Each test file uses part of it.
//!
//! Every wait is bounded: each exchange within [`DEADLINE`], each line
//! from the peer, the accept of its connection and each write within
//! [`LIMIT`] (longer than the peer scripts' own 5 s socket timeouts, so
//! that a peer that gives up is seen as such); the peer process is owned
//! by a `ChildGuard` (the one `impl/tests` use), killed when dropped.
#![allow(dead_code)]

#[path = "../../../impl/tests/common/child.rs"]
mod child;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command as Process, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use child::ChildGuard;
pub(crate) use child::output_within;

use zmtp_spec::Message;
use zmtp_spec::connection::harness::{TestRng, cookie_jar};
use zmtp_spec::connection::{Config, Connection, ConnectionError, Event, Side};
use zmtp_spec::security::curve::CookieJar;

/// How long any one exchange may take before the test fails.
pub(crate) const DEADLINE: Duration = Duration::from_secs(5);

/// How long any other wait may take: a line from the peer, its
/// connection, a write to it, a helper process.
pub(crate) const LIMIT: Duration = Duration::from_secs(20);

/// The interpreter of `.ci/setup-pyzmq`'s venv (or `$ZMTP_PYTHON`), or the
/// reason there is none.
pub(crate) fn python() -> Result<PathBuf, String> {
    let path = match std::env::var_os("ZMTP_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/peers/pyzmq/bin/python"),
    };
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "no Python peer: set ZMTP_PYTHON or run .ci/setup-pyzmq (looked for {})",
            path.display()
        ))
    }
}

/// The interpreter if `module` imports in it; otherwise prints why and
/// returns `None`, or fails under `ZMTP_REQUIRE_PEERS=1`.
pub(crate) fn interpreter(module: &str) -> Option<PathBuf> {
    let why = match python() {
        Ok(python) => {
            let ok = output_within(
                Process::new(&python).args(["-c", &format!("import {module}")]),
                "python -c import",
                LIMIT,
            )
            .is_ok_and(|out| out.status.success());
            if ok {
                return Some(python);
            }
            format!("{module} does not import in {}", python.display())
        }
        Err(why) => why,
    };
    assert!(
        std::env::var("ZMTP_REQUIRE_PEERS").as_deref() != Ok("1"),
        "ZMTP_REQUIRE_PEERS=1 but {why}"
    );
    eprintln!("skipped: {why}");
    None
}

/// A running Python peer, killed when dropped.
pub(crate) struct Peer {
    lines: Receiver<String>,
    child: ChildGuard,
}

impl Peer {
    /// Runs `script` (prelude included) with `args` under `python`.
    pub(crate) fn start(python: PathBuf, script: &str, args: &[&str]) -> Self {
        let mut child = ChildGuard::spawn(
            Process::new(python)
                .arg("-c")
                .arg(script)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit()),
            "the Python peer",
        )
        .expect("spawn the Python peer");
        let stdout = BufReader::new(child.child().stdout.take().expect("piped stdout"));
        // A thread reads the lines, so that waiting for one can time out.
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Self { lines, child }
    }

    /// The next line the peer printed (within [`LIMIT`]).
    pub(crate) fn line(&mut self) -> String {
        match self.lines.recv_timeout(LIMIT) {
            Ok(line) => line.trim_end().to_owned(),
            Err(RecvTimeoutError::Timeout) => panic!("the peer printed no line within {LIMIT:?}"),
            Err(RecvTimeoutError::Disconnected) => {
                panic!(
                    "the peer exited ({:?}) without a line",
                    self.child.try_wait()
                )
            }
        }
    }
}

/// A connection machine on a blocking TCP stream.
pub(crate) struct Driver {
    pub(crate) stream: TcpStream,
    pub(crate) conn: Connection,
    /// Every octet received, for inspection.
    pub(crate) received: Vec<u8>,
    /// The cookie jar, lent to a CURVE server connection when it asks.
    jar: CookieJar,
}

/// How [`Driver::run`] ended.
#[derive(Debug)]
pub(crate) enum End {
    /// The awaited event arrived.
    Matched,
    /// The connection failed.
    Failed(ConnectionError),
    /// The peer closed the TCP connection.
    Eof,
    /// The idle period passed.
    Idle,
}

impl Driver {
    pub(crate) fn new(stream: TcpStream, config: Config, side: Side) -> Self {
        stream.set_nodelay(true).expect("nodelay");
        // A peer that stops reading fails the write instead of blocking it.
        stream
            .set_write_timeout(Some(LIMIT))
            .expect("write timeout");
        // A seed of its own per connection (its port), for distinct keys.
        let seed = stream.local_addr().map_or(0, |a| u64::from(a.port()));
        let conn = Connection::new(config, side, Instant::now(), TestRng::new(seed))
            .expect("valid config");
        Self {
            stream,
            conn,
            received: Vec::new(),
            jar: cookie_jar(),
        }
    }

    pub(crate) fn flush(&mut self) {
        while let Some(out) = self.conn.poll_transmit() {
            // The peer may already have closed after a refusal.
            if self.stream.write_all(&out).is_err() {
                return;
            }
        }
    }

    /// Runs until `until` matches an event (within [`DEADLINE`]), or for
    /// `idle` when `until` is `None`.
    pub(crate) fn run(
        &mut self,
        mut until: Option<&mut dyn FnMut(&Event) -> bool>,
        idle: Duration,
    ) -> (End, Vec<Event>) {
        let start = Instant::now();
        let end = start + if until.is_some() { DEADLINE } else { idle };
        let mut events = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            self.flush();
            while let Some(event) = self.conn.poll_event() {
                if let Event::Failed(error) = &event {
                    return (End::Failed(error.clone()), events);
                }
                let done = until.as_mut().is_some_and(|f| f(&event));
                events.push(event);
                if done {
                    self.flush();
                    return (End::Matched, events);
                }
            }
            let now = Instant::now();
            if now >= end {
                assert!(
                    until.is_none(),
                    "nothing matched within {DEADLINE:?}: {events:?}"
                );
                return (End::Idle, events);
            }
            let mut wait = (end - now).min(Duration::from_millis(20));
            if let Some(at) = self.conn.poll_timeout() {
                wait = wait.min(at.saturating_duration_since(now));
            }
            self.stream
                .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
                .expect("timeout");
            match self.stream.read(&mut buf) {
                Ok(0) => return (End::Eof, events),
                Ok(n) => {
                    self.received.extend_from_slice(&buf[..n]);
                    self.conn.handle_bytes(Instant::now(), &buf[..n]);
                    if self.conn.needs_cookie_jar() {
                        self.conn.handle_cookie_jar(Instant::now(), &mut self.jar);
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return (End::Eof, events),
                Err(e) => panic!("read: {e}"),
            }
            self.conn.handle_timeout(Instant::now());
        }
    }

    /// [`Driver::run`] for a connection that must stay up: panics if it
    /// fails or the peer closes.
    pub(crate) fn run_healthy(
        &mut self,
        until: Option<&mut dyn FnMut(&Event) -> bool>,
        idle: Duration,
    ) -> Vec<Event> {
        let (end, events) = self.run(until, idle);
        assert!(
            matches!(end, End::Matched | End::Idle),
            "connection ended: {end:?} after {events:?}"
        );
        events
    }

    /// Runs until the handshake succeeded.
    pub(crate) fn handshake(&mut self) {
        self.run_healthy(
            Some(&mut |e| matches!(e, Event::HandshakeSucceeded(_))),
            DEADLINE,
        );
    }

    /// Runs until a message arrives, and returns it.
    pub(crate) fn message(&mut self) -> Message {
        let events = self.run_healthy(Some(&mut |e| matches!(e, Event::Message(_))), DEADLINE);
        match events.into_iter().last() {
            Some(Event::Message(m)) => m,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// Runs until the connection fails or the peer closes; no message may
    /// arrive meanwhile.
    pub(crate) fn refused(&mut self) -> End {
        let (end, events) = self.run(None, DEADLINE);
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::Message(_) | Event::HandshakeSucceeded(_))),
            "refused peer got through: {events:?}"
        );
        end
    }
}

/// Connects to a peer that printed its `tcp://` endpoint.
pub(crate) fn connect(endpoint: &str, config: Config) -> Driver {
    let addr = endpoint
        .trim_start_matches("tcp://")
        .parse()
        .unwrap_or_else(|e| panic!("the peer printed {endpoint:?}: {e}"));
    let stream = TcpStream::connect_timeout(&addr, LIMIT).expect("connect to the Python peer");
    Driver::new(stream, config, Side::Client)
}

/// Accepts the Python peer on `listener` (within [`LIMIT`]).
pub(crate) fn accept_on(listener: &TcpListener, config: Config) -> Driver {
    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    let deadline = Instant::now() + LIMIT;
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                assert!(
                    Instant::now() < deadline,
                    "the Python peer did not connect within {LIMIT:?}"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept the Python peer: {e}"),
        }
    };
    stream.set_nonblocking(false).expect("blocking stream");
    Driver::new(stream, config, Side::Server)
}

/// A listener on an ephemeral loopback port, and the port as text.
pub(crate) fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port().to_string();
    (listener, port)
}
