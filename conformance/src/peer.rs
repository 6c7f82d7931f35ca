//! The raw ZMTP peer: a connection over any [`Transport`] the runner drives octet by
//! octet, so it can behave well (greeting, READY, frames from zmtp-spec's
//! encoder) or misbehave on purpose (truncated greetings, malformed
//! commands, frames out of order, from zmtp-spec's lenient builders in
//! [`zmtp_spec::wire::view`]). Everything sent and received is written to
//! the case's [`WireLog`]. Its handshakes run zmtp-spec's connection
//! machine ([`machine`]).
//!
//! Frames coming from the implementation under test are read through
//! zmtp-spec's lenient views ([`RawFrame`]), which keep the flags octet and
//! the size form as they were, so a case can judge them instead of the
//! reader refusing them.

use std::path::Path;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{Instant, timeout, timeout_at};
use zmtp_spec::Message;
use zmtp_spec::connection::Side;
use zmtp_spec::wire::Encode;
use zmtp_spec::wire::view::{CommandBuilder, MetadataBuilder};

use crate::wirelog::{Direction, WireLog};

mod frame;
pub mod machine;
pub mod transport;

pub use frame::RawFrame;
pub use transport::{Listener, Stream, Transport, of_endpoint};

/// The octets of a value zmtp-spec's encoder accepts (a message, a
/// command); none for a value it refuses.
pub fn encoded(value: &impl Encode) -> Vec<u8> {
    value.to_bytes().map(|b| b.to_vec()).unwrap_or_default()
}

/// The frames of a multipart message, encoded by zmtp-spec.
pub fn message_frames(frames: &[&[u8]]) -> Vec<u8> {
    let frames = frames.iter().map(|f| Bytes::copy_from_slice(f));
    encoded(&Message::from_frames(frames))
}

/// Metadata with the properties as given, even invalid ones (empty names,
/// odd characters).
pub fn metadata(props: &[(&[u8], &[u8])]) -> MetadataBuilder {
    let add = |m: MetadataBuilder, (name, value): &(&[u8], &[u8])| m.property(name, value);
    props.iter().fold(MetadataBuilder::new(), add)
}

/// READY with the properties as given.
pub fn ready(props: &[(&[u8], &[u8])]) -> CommandBuilder {
    CommandBuilder::ready(metadata(props))
}

/// Why a raw peer operation did not give what was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerError {
    /// Nothing (or not enough) arrived in time.
    Timeout,
    /// The implementation closed the connection (or reset it).
    Closed,
    /// A local I/O failure (bind, connect).
    Io(String),
}

impl std::fmt::Display for PeerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout => f.write_str("timed out"),
            Self::Closed => f.write_str("connection closed by the peer under test"),
            Self::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

/// One raw connection.
pub struct RawPeer {
    io: Box<dyn Stream>,
    buf: BytesMut,
    log: WireLog,
    label: String,
    eof: bool,
    /// The reason of the last ERROR command the implementation sent.
    error: Option<Bytes>,
    /// Which end of the connection the raw peer is: it dialled (client) or
    /// accepted (server). The handshakes it runs take this side.
    side: Side,
}

/// A raw listening socket the implementation under test connects to.
pub struct RawListener {
    listener: Box<dyn Listener>,
    log: WireLog,
    label: String,
}

impl RawListener {
    /// Listens on a fresh endpoint of `transport` (a free port, a new
    /// name made from `unique`).
    ///
    /// # Errors
    /// [`PeerError::Io`] when the socket cannot be bound.
    pub async fn bind(
        transport: &dyn Transport,
        unique: &Path,
        log: &WireLog,
        label: &str,
    ) -> Result<Self, PeerError> {
        let endpoint = transport
            .raw_endpoint(unique)
            .map_err(|e| PeerError::Io(format!("no endpoint to listen on: {e}")))?;
        Self::bind_at(&endpoint, log, label).await
    }

    /// Listens on exactly `endpoint` (`scheme://address` of a transport of
    /// [`transport::ALL`]).
    ///
    /// # Errors
    /// [`PeerError::Io`] when the socket cannot be bound.
    pub async fn bind_at(endpoint: &str, log: &WireLog, label: &str) -> Result<Self, PeerError> {
        let (transport, address) = of_endpoint(endpoint)
            .ok_or_else(|| PeerError::Io(format!("unknown transport in {endpoint}")))?;
        let listener = transport
            .listen(address)
            .await
            .map_err(|e| PeerError::Io(format!("listen on {endpoint}: {e}")))?;
        log.note(label, format!("listening on {}", listener.endpoint()));
        Ok(Self {
            listener,
            log: log.clone(),
            label: label.to_string(),
        })
    }

    /// The endpoint to give the implementation under test.
    pub fn endpoint(&self) -> &str {
        self.listener.endpoint()
    }

    /// Waits for the next incoming connection, labelled `label`.
    ///
    /// # Errors
    /// [`PeerError::Timeout`] when none arrives in time.
    pub async fn accept(&self, wait: Duration, label: &str) -> Result<RawPeer, PeerError> {
        let io = timeout(wait, self.listener.accept())
            .await
            .map_err(|_| PeerError::Timeout)?
            .map_err(|e| PeerError::Io(e.to_string()))?;
        self.log
            .note(label, format!("accepted on {}", self.endpoint()));
        Ok(RawPeer::new(io, &self.log, label, Side::Server))
    }

    /// The listener's label in the log.
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl RawPeer {
    fn new(io: Box<dyn Stream>, log: &WireLog, label: &str, side: Side) -> Self {
        Self {
            io,
            buf: BytesMut::new(),
            log: log.clone(),
            label: label.to_string(),
            eof: false,
            error: None,
            side,
        }
    }

    /// Which end the raw peer is: [`Side::Client`] when it dialled,
    /// [`Side::Server`] when it accepted.
    pub fn side(&self) -> Side {
        self.side
    }

    /// Connects to `endpoint` (`scheme://address` of any transport), retrying
    /// until `wait` runs out (the implementation may still be binding).
    ///
    /// # Errors
    /// [`PeerError::Timeout`] or [`PeerError::Io`].
    pub async fn connect(
        endpoint: &str,
        wait: Duration,
        log: &WireLog,
        label: &str,
    ) -> Result<Self, PeerError> {
        let (transport, address) = of_endpoint(endpoint)
            .ok_or_else(|| PeerError::Io(format!("unknown transport in {endpoint}")))?;
        let deadline = Instant::now() + wait;
        loop {
            let attempt = timeout_at(deadline, transport.connect(address)).await;
            match attempt {
                Ok(Ok(io)) => {
                    log.note(label, format!("connected to {endpoint}"));
                    return Ok(Self::new(io, log, label, Side::Client));
                }
                Err(_) => return Err(PeerError::Timeout),
                Ok(Err(e)) if Instant::now() >= deadline => {
                    return Err(PeerError::Io(format!("connect {endpoint}: {e}")));
                }
                Ok(Err(_)) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    /// This peer's label in the log.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Sends `data` as it is.
    ///
    /// # Errors
    /// [`PeerError::Closed`] when the connection is gone.
    pub async fn send(&mut self, data: &[u8]) -> Result<(), PeerError> {
        self.log.bytes(&self.label, Direction::Out, data);
        self.io
            .write_all(data)
            .await
            .map_err(|_| PeerError::Closed)?;
        self.io.flush().await.map_err(|_| PeerError::Closed)
    }

    /// Reads more octets into the buffer until `deadline`.
    async fn fill(&mut self, deadline: Instant) -> Result<(), PeerError> {
        if self.eof {
            return Err(PeerError::Closed);
        }
        let mut chunk = [0u8; 16 * 1024];
        match timeout_at(deadline, self.io.read(&mut chunk)).await {
            Err(_) => Err(PeerError::Timeout),
            Ok(Ok(0)) | Ok(Err(_)) => {
                self.eof = true;
                self.log.note(&self.label, "closed by the peer under test");
                Err(PeerError::Closed)
            }
            Ok(Ok(n)) => {
                let got = chunk.get(..n).unwrap_or_default();
                self.log.bytes(&self.label, Direction::In, got);
                self.buf.extend_from_slice(got);
                Ok(())
            }
        }
    }

    /// What has arrived and not been read, or else the next octets to
    /// arrive within `wait` (cancel-safe: nothing read is lost when the
    /// future is dropped).
    ///
    /// # Errors
    /// [`PeerError::Timeout`] or [`PeerError::Closed`].
    pub async fn read_some(&mut self, wait: Duration) -> Result<Bytes, PeerError> {
        if self.buf.is_empty() {
            self.fill(Instant::now() + wait).await?;
        }
        Ok(self.buf.split().freeze())
    }

    /// Reads exactly `n` octets.
    ///
    /// # Errors
    /// [`PeerError::Timeout`] or [`PeerError::Closed`] before `n` arrived.
    pub async fn read_exact(&mut self, n: usize, wait: Duration) -> Result<Bytes, PeerError> {
        let deadline = Instant::now() + wait;
        while self.buf.len() < n {
            self.fill(deadline).await?;
        }
        Ok(self.buf.split_to(n).freeze())
    }

    /// Everything that arrives within `wait` (until the peer goes quiet
    /// for `wait` or closes); the flag says whether the peer closed.
    pub async fn read_for(&mut self, wait: Duration) -> (Bytes, bool) {
        let deadline = Instant::now() + wait;
        let closed = loop {
            match self.fill(deadline).await {
                Ok(()) => {}
                Err(PeerError::Closed) => break true,
                Err(_) => break false,
            }
        };
        (self.buf.split().freeze(), closed)
    }

    /// The reason of the last ERROR command read on this connection, so a
    /// verdict can say why the implementation closed it.
    pub fn error_reason(&self) -> Option<&Bytes> {
        self.error.as_ref()
    }

    /// Reads one ZMTP 3.x / 2.0 frame.
    ///
    /// # Errors
    /// [`PeerError::Timeout`] or [`PeerError::Closed`].
    pub async fn read_frame(&mut self, wait: Duration) -> Result<RawFrame, PeerError> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some((frame, used)) = RawFrame::parse(&self.buf) {
                self.buf.advance(used);
                if let Some(zmtp_spec::wire::Command::Error { reason }) = frame.command() {
                    self.error = Some(reason);
                }
                return Ok(frame);
            }
            self.fill(deadline).await?;
        }
    }

    /// Reads frames until a whole message (or a single command) arrived.
    /// Returns the frames (one for a command).
    ///
    /// # Errors
    /// [`PeerError::Timeout`] or [`PeerError::Closed`].
    pub async fn read_unit(&mut self, wait: Duration) -> Result<Vec<RawFrame>, PeerError> {
        let deadline = Instant::now() + wait;
        let mut frames = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let f = self.read_frame(left).await?;
            let done = f.is_command() || !f.more();
            frames.push(f);
            if done {
                return Ok(frames);
            }
        }
    }

    /// Reads until the next whole message, answering PING with PONG and
    /// collecting the other commands it passes.
    ///
    /// # Errors
    /// [`PeerError::Timeout`] or [`PeerError::Closed`].
    pub async fn recv_message(&mut self, wait: Duration) -> Result<Vec<Bytes>, PeerError> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let unit = self.read_unit(left).await?;
            if unit.first().is_some_and(RawFrame::is_command) {
                if let Some(ctx) = unit.first().and_then(RawFrame::ping_context) {
                    let pong = CommandBuilder::pong(ctx).frame().build();
                    self.send(&pong).await?;
                }
                continue;
            }
            return Ok(unit.into_iter().map(|f| f.body).collect());
        }
    }

    /// Waits up to `wait` for the connection to close, collecting the
    /// frames that arrive first. `Ok(frames)` when it closed, `Err(frames)`
    /// when it was still open at the deadline.
    pub async fn wait_close(&mut self, wait: Duration) -> Result<Vec<RawFrame>, Vec<RawFrame>> {
        let deadline = Instant::now() + wait;
        let mut frames = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.read_frame(left).await {
                Ok(f) => frames.push(f),
                Err(PeerError::Closed) => return Ok(frames),
                Err(_) => return Err(frames),
            }
        }
    }

    /// Closes the connection from this side.
    pub async fn close(mut self) {
        self.log.note(&self.label, "closed by the raw peer");
        let _ = self.io.shutdown().await;
    }
}
