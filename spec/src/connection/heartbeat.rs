//! The connection's timers: the handshake timeout, our heartbeat PINGs,
//! the heartbeat timeout after each, and the TTL the peer announced
//! (37-R58, 37-R59; libzmq's ZMQ_HANDSHAKE_IVL and ZMQ_HEARTBEAT_*).
//!
//! ```text
//!  new ──> handshake deadline ──(handshake done)──> PING every interval
//!                                                   │  PING sent: timeout armed (if not yet)
//!  any octet received ── disarms the timeout and the peer's TTL
//!  peer's PING with TTL > 0 ── arms the TTL (unless armed)
//! ```
//!
//! As in libzmq, any octet from the peer counts as a sign of life, not
//! only a PONG.
//!
//! ```text
//!  peer's PING(context) ── pong = Some(context)     (a later PING replaces it)
//!  poll_transmit / last poll_transmit_chunk ── PONG(pong) encoded, pong = None
//! ```

use core::time::Duration;
use std::time::Instant;

use bytes::Bytes;

use super::Connection;
use super::config::Config;
use super::error::{ConnectionError, Timeout};
use super::state::State;
use crate::wire::{Command, Encode};

/// The deadlines of one connection.
#[derive(Clone, Debug)]
pub(super) struct Timers {
    interval: Option<Duration>,
    timeout: Option<Duration>,
    /// The TTL we announce, in tenths of a second (G13).
    ttl: u16,
    handshake: Option<Instant>,
    next_ping: Option<Instant>,
    /// Armed when we send a PING, disarmed by any received octet.
    heartbeat: Option<Instant>,
    /// Armed by the peer's PING with a TTL, disarmed by any later octet.
    peer_ttl: Option<Instant>,
    pings_sent: u64,
}

impl Timers {
    pub(super) fn new(config: &Config, now: Instant) -> Self {
        let ttl = config.heartbeat.ttl.map_or(0, |ttl| {
            u16::try_from(ttl.as_millis() / 100).unwrap_or(u16::MAX)
        });
        Self {
            interval: config.heartbeat.interval.filter(|d| !d.is_zero()),
            timeout: config.heartbeat_timeout().filter(|d| !d.is_zero()),
            ttl,
            handshake: config.handshake_timeout.and_then(|d| now.checked_add(d)),
            next_ping: None,
            heartbeat: None,
            peer_ttl: None,
            pings_sent: 0,
        }
    }

    /// The handshake is done: stop its timer, start heartbeats if `pings`
    /// (the protocol has commands).
    pub(super) fn on_active(&mut self, now: Instant, pings: bool) {
        self.handshake = None;
        if pings && !crate::mutant!(Speaks30) {
            self.next_ping = self.interval.and_then(|d| now.checked_add(d));
        }
    }

    /// Octets arrived: the peer is alive.
    pub(super) fn on_receive(&mut self) {
        self.heartbeat = None;
        self.peer_ttl = None;
    }

    /// The peer sent PING with a TTL in tenths of a second (0 = none).
    pub(super) fn on_peer_ping(&mut self, now: Instant, ttl: u16) {
        if ttl > 0 && self.peer_ttl.is_none() {
            self.peer_ttl = now.checked_add(Duration::from_millis(u64::from(ttl) * 100));
        }
    }

    /// The timer that has run out at `now`, if any.
    pub(super) fn expired(&self, now: Instant) -> Option<Timeout> {
        let due = |t: Option<Instant>| t.is_some_and(|t| t <= now);
        if due(self.handshake) {
            Some(Timeout::Handshake)
        } else if due(self.heartbeat) {
            Some(Timeout::Heartbeat)
        } else if due(self.peer_ttl) {
            Some(Timeout::PeerTtl)
        } else {
            None
        }
    }

    pub(super) fn ping_due(&self, now: Instant) -> bool {
        self.next_ping.is_some_and(|t| t <= now)
    }

    /// Records a PING sent at `now` and returns its (TTL, context). The
    /// context is the PING's sequence number, so that PONGs can be told
    /// apart.
    fn on_ping_sent(&mut self, now: Instant) -> (u16, Bytes) {
        self.pings_sent += 1;
        self.next_ping = self.interval.and_then(|d| now.checked_add(d));
        if self.heartbeat.is_none() {
            self.heartbeat = self.timeout.and_then(|d| now.checked_add(d));
        }
        (
            self.ttl,
            Bytes::copy_from_slice(&self.pings_sent.to_be_bytes()),
        )
    }

    /// The earliest deadline.
    pub(super) fn next(&self) -> Option<Instant> {
        [
            self.handshake,
            self.next_ping,
            self.heartbeat,
            self.peer_ttl,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

impl Connection {
    /// The peer's PING, in the data phase: a PONG echoing `context` is
    /// owed (37-R58; the context is at most 16 octets, 37-R59, which the
    /// grammar checked). It is held, not encoded: a later PING replaces
    /// it, and it is encoded when the driver takes the output
    /// ([`Connection::flush_pong`]). So a peer that sends PINGs and reads
    /// nothing costs one PONG, not one per PING; the RFC asks for a PONG
    /// that answers a PING with its context, not one PONG per PING, and
    /// the answer carrying the latest context is the one that tells the
    /// peer most. libzmq does the same: its stream engine keeps one
    /// pending PONG, the latest, in place of its next outgoing message.
    pub(super) fn answer_ping(&mut self, context: Bytes) {
        self.pong = Some(if crate::mutant!(PongContextNotEchoed) {
            Bytes::new()
        } else {
            context
        });
    }

    /// Encodes the PONG owed, if any, at the end of the send buffer
    /// (through the mechanism's wrapping, e.g. CURVE, whose nonces then
    /// stay in send order); a failure to do so closes the connection.
    pub(super) fn flush_pong(&mut self) {
        if let Err(error) = self.encode_pong() {
            self.fail(error);
        }
    }

    /// [`Connection::flush_pong`] without the failure handling.
    pub(super) fn encode_pong(&mut self) -> Result<(), ConnectionError> {
        match self.pong.take() {
            Some(context) if self.state == State::Active => {
                self.put_command(&Command::Pong { context })
            }
            _ => Ok(()),
        }
    }

    /// The clear-text size of the PONG owed, 0 if none.
    pub(super) fn pong_len(&self) -> usize {
        self.pong.as_ref().map_or(0, |context| {
            Command::Pong {
                context: context.clone(),
            }
            .encoded_len()
        })
    }

    /// Sends our heartbeat PING (G13).
    pub(super) fn send_ping(&mut self, now: Instant) {
        let (ttl, context) = self.timers.on_ping_sent(now);
        if let Err(error) = self.put_command(&Command::Ping { ttl, context }) {
            self.fail(error);
        }
    }
}
