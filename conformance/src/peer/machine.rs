//! The raw peer's handshakes, run by zmtp-spec's connection machine.
//!
//! The runner does not know how a greeting, a READY, a PLAIN HELLO or a
//! CURVE INITIATE is laid out, nor how a 2.0 peer is downgraded: the
//! machine ([`Connection`]) does, with [`Behaviour::packets`] set so its
//! output comes one named [`Packet`] at a time. A case decides what
//! becomes of each packet with a [`Tamper`] (send it, replace it, mutate a
//! field with spec's views, split the write, delay it, drop it).
//!
//! What the implementation sends is fed to the machine octet by octet
//! while the greeting lasts, then one whole frame at a time, and the
//! feeding stops when the handshake is done: whatever the implementation
//! sent after its handshake stays unread in the raw peer, for the case to
//! judge octet by octet.
//!
//! [`Behaviour::packets`]: zmtp_spec::connection::Behaviour::packets

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use rand_core::OsRng;
use tokio::time::{Instant, sleep};
use zmtp_spec::connection::{
    Config, Connection, ConnectionError, Event, LocalError, Packet, Peer, Side, State, Tamper,
};
use zmtp_spec::security::curve::CookieJar;
use zmtp_spec::wire::view::FrameView;

use super::{PeerError, RawFrame, RawPeer};

/// What a case does to each packet the machine sends.
pub type Tampering<'a> = dyn FnMut(&Packet) -> Tamper + Send + 'a;

/// A tampering that sends every packet as it is.
pub fn honest(_: &Packet) -> Tamper {
    Tamper::Send
}

/// What the implementation showed of itself in a handshake through the
/// machine.
#[derive(Debug)]
pub struct Handshaken {
    /// Every octet it sent before its first handshake frame: its 64-octet
    /// 3.x greeting, or a 2.0 greeting with its identity frame.
    pub greeting: Bytes,
    /// The frames of its handshake, in order (a NULL peer's READY).
    pub frames: Vec<RawFrame>,
    /// What the machine concluded about it.
    pub peer: Peer,
}

/// Why a handshake through the machine did not finish.
#[derive(Debug)]
pub enum HandshakeError {
    /// The configuration is refused by the machine (a bad routing id, say).
    Config(LocalError),
    /// The connection timed out or closed.
    Wire(PeerError),
    /// The machine refused what the implementation sent, or the
    /// implementation sent ERROR.
    Refused(ConnectionError),
}

impl std::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Config(e) => write!(f, "the raw peer's configuration: {e}"),
            Self::Wire(e) => e.fmt(f),
            Self::Refused(e) => write!(f, "handshake refused: {e}"),
        }
    }
}

/// A connection machine for the raw peer: `config` with its packets kept,
/// at the `side` the raw peer is (it dialled: client; it accepted: server).
///
/// # Errors
/// [`HandshakeError::Config`] when the machine refuses the configuration.
pub fn machine(mut config: Config, side: Side) -> Result<Connection, HandshakeError> {
    config.behaviour.packets = true;
    Connection::new(config, side, std::time::Instant::now(), OsRng).map_err(HandshakeError::Config)
}

impl RawPeer {
    /// Sends what `conn` has queued, each packet as `tamper` says.
    ///
    /// # Errors
    /// [`PeerError::Closed`] when the connection is gone.
    pub async fn flush(
        &mut self,
        conn: &mut Connection,
        tamper: &mut Tampering<'_>,
    ) -> Result<(), PeerError> {
        while let Some(packet) = conn.poll_packet() {
            for write in tamper(&packet).apply(packet) {
                if !write.delay.is_zero() {
                    sleep(write.delay).await;
                }
                self.send(&write.octets).await?;
            }
        }
        Ok(())
    }

    /// Runs `conn`'s handshake over this connection within `wait`, its
    /// packets going out as `tamper` says.
    ///
    /// # Errors
    /// [`HandshakeError::Wire`] when the implementation goes quiet or
    /// closes first, [`HandshakeError::Refused`] when the machine refuses
    /// what it sent.
    pub async fn handshake_through(
        &mut self,
        conn: &mut Connection,
        tamper: &mut Tampering<'_>,
        wait: Duration,
    ) -> Result<Handshaken, HandshakeError> {
        let deadline = Instant::now() + wait;
        let mut greeting = BytesMut::new();
        let mut frames = Vec::new();
        let mut jar: Option<CookieJar> = None;
        loop {
            self.flush(conn, tamper)
                .await
                .map_err(HandshakeError::Wire)?;
            while let Some(event) = conn.poll_event() {
                match event {
                    Event::HandshakeSucceeded(peer) => {
                        self.flush(conn, tamper)
                            .await
                            .map_err(HandshakeError::Wire)?;
                        return Ok(Handshaken {
                            greeting: greeting.freeze(),
                            frames,
                            peer,
                        });
                    }
                    Event::Failed(error) => {
                        // The machine's ERROR, if any, goes out first.
                        let _ = self.flush(conn, tamper).await;
                        return Err(HandshakeError::Refused(error));
                    }
                    _ => {}
                }
            }
            let now = std::time::Instant::now();
            if conn.needs_cookie_jar() {
                let jar = jar.get_or_insert_with(|| CookieJar::new(&mut OsRng));
                conn.handle_cookie_jar(now, jar);
                continue;
            }
            let next = match conn.state() {
                // One octet at a time: the feeding stops exactly where
                // the greeting ends, whatever pacing either side uses.
                State::Signature | State::Greeting | State::LegacyGreeting => Some(1),
                State::Handshake => FrameView::new(&self.buf[..])
                    .frame_len()
                    .and_then(|n| usize::try_from(n).ok()),
                // Active without the event, or closed: nothing to wait for.
                _ => return Err(HandshakeError::Wire(PeerError::Closed)),
            };
            match next {
                Some(n) if n <= self.buf.len() => {
                    let octets = self.buf.split_to(n).freeze();
                    if conn.state() == State::Handshake {
                        frames.extend(RawFrame::parse(&octets).map(|(f, _)| f));
                    } else {
                        greeting.extend_from_slice(&octets);
                    }
                    conn.handle_bytes(now, &octets);
                }
                _ => self.fill(deadline).await.map_err(HandshakeError::Wire)?,
            }
        }
    }
}

#[cfg(test)]
mod tests;
