//! The sending side of a PGM session, sans-IO: ODATA in sequence, SPMs on
//! the heartbeat schedule, a transmit window that answers NAKs with an NCF
//! and RDATA, and a token-bucket rate limit (PGM-R20..PGM-R27).
//!
//! ```text
//!   push_message ──> Packer ──> TSDUs ──> ODATA sqn n, n+1, ...  ──┐
//!                                  └──> transmit window (txw_sqns) │ rate
//!   handle_packet(NAK) ──> NCF now; RDATA from the window ─────────┤ limit
//!   heartbeat: SPM after data at 100, 100, 100, 100, 1300 ms ...  ─┘ (ODATA,
//!   then every ambient interval                                       RDATA)
//! ```
//!
//! Call order: [`Sender::push_message`] to queue, [`Sender::handle_packet`]
//! for each upstream datagram, then [`Sender::poll_transmit`] until it
//! returns `None` and wait until [`Sender::poll_timeout`].

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::options::Options;
use super::packet::{self, Body, Nak, Nla, Outgoing, PacketType, PgmError, Spm, Tsi};
use super::payload::Packer;
use super::{Destination, Transmit};

/// libzmq's SPM heartbeat schedule after data (pgm_socket.cpp), then the
/// ambient interval.
pub const HEARTBEAT: [Duration; 9] = [
    Duration::from_millis(100),
    Duration::from_millis(100),
    Duration::from_millis(100),
    Duration::from_millis(100),
    Duration::from_millis(1300),
    Duration::from_secs(7),
    Duration::from_secs(16),
    Duration::from_secs(25),
    Duration::from_secs(30),
];
/// libzmq's ambient SPM interval.
pub const AMBIENT: Duration = Duration::from_secs(30);

/// The largest TSDU that fits one TPDU of `max_tpdu` octets: the TPDU
/// less the IPv4 header (20), the UDP header for epgm (8), the PGM header
/// (16) and the data header (8), as OpenPGM sizes it (PGM-R21).
pub fn max_tsdu(max_tpdu: usize, udp: bool) -> usize {
    max_tpdu.saturating_sub(20 + if udp { 8 } else { 0 } + 16 + 8)
}

/// Transmit window size in packets, as libzmq computes it from RATE
/// (kbit/s), RECOVERY_IVL (ms) and the TPDU size; at least one.
pub fn window_sqns(rate_kbps: u64, recovery_ivl_ms: u64, max_tpdu: usize) -> u32 {
    let bytes = recovery_ivl_ms.saturating_mul(rate_kbps / 8);
    let n = bytes / (max_tpdu.max(1) as u64);
    u32::try_from(n.max(1)).unwrap_or(u32::MAX)
}

/// Octets the rate limit counts per packet on top of the PGM packet: the
/// IPv4 and UDP headers, as OpenPGM counts the IP header.
pub const IP_OVERHEAD: usize = 28;

/// A token bucket over octets, with the time passed in (PGM-R26).
#[derive(Clone, Debug)]
pub struct RateLimit {
    bytes_per_sec: u64,
    burst: u64,
    tokens: u64,
    last: Instant,
}

impl RateLimit {
    /// A full bucket of `burst` octets refilled at `bytes_per_sec`.
    pub fn new(bytes_per_sec: u64, burst: u64, now: Instant) -> Self {
        let burst = burst.max(1);
        Self {
            bytes_per_sec: bytes_per_sec.max(1),
            burst,
            tokens: burst,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.last);
        let add = dt.as_nanos() * u128::from(self.bytes_per_sec) / 1_000_000_000;
        if add > 0 {
            let add = u64::try_from(add).unwrap_or(u64::MAX);
            self.tokens = self.tokens.saturating_add(add).min(self.burst);
            // Advance by the time the tokens stand for, so no fraction is lost.
            let used = u128::from(add) * 1_000_000_000 / u128::from(self.bytes_per_sec);
            self.last += Duration::from_nanos(u64::try_from(used).unwrap_or(u64::MAX));
            if self.tokens == self.burst {
                self.last = now;
            }
        }
    }

    /// Takes `n` octets if the bucket holds them (a packet larger than the
    /// burst goes when the bucket is full).
    pub fn try_take(&mut self, n: usize, now: Instant) -> bool {
        self.refill(now);
        let n = (n as u64).min(self.burst);
        if self.tokens >= n {
            self.tokens -= n;
            true
        } else {
            false
        }
    }

    /// When `n` octets will be available.
    pub fn ready_at(&self, n: usize) -> Instant {
        let n = (n as u64).min(self.burst);
        if self.tokens >= n {
            return self.last;
        }
        let need = u128::from(n - self.tokens) * 1_000_000_000;
        let nanos = need.div_ceil(u128::from(self.bytes_per_sec));
        self.last + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

/// What a sender is configured with.
#[derive(Clone, Debug)]
pub struct SenderConfig {
    /// The session: GSI and source port.
    pub tsi: Tsi,
    /// The data-destination port (the endpoint's port).
    pub dport: u16,
    /// Our unicast address, advertised in SPMs; NAKs come to it.
    pub nla: Nla,
    /// The multicast group.
    pub group: Nla,
    /// The largest TSDU (see [`max_tsdu`]).
    pub max_tsdu: usize,
    /// Packets the transmit window keeps for repair.
    pub window_sqns: u32,
    /// Octets per second for ODATA and RDATA (libzmq's RATE / 8 * 1000).
    pub rate_bytes_per_sec: u64,
}

/// The sending machine.
#[derive(Debug)]
pub struct Sender {
    cfg: SenderConfig,
    packer: Packer,
    /// The next ODATA sequence number.
    next_sqn: u32,
    /// Sent TSDUs kept for repair, oldest first: `(sqn, tsdu)`.
    window: VecDeque<(u32, Vec<u8>)>,
    spm_sqn: u32,
    /// Index into [`HEARTBEAT`] of the next heartbeat, or `None` for
    /// ambient SPMs.
    heartbeat: Option<usize>,
    next_spm: Instant,
    /// Sequence numbers asked for, to repair.
    repairs: VecDeque<u32>,
    /// NCFs, which go out before anything else.
    urgent: VecDeque<Transmit>,
    bucket: RateLimit,
    /// ODATA packets sent.
    sent: u64,
}

impl Sender {
    /// A sender whose first SPM is due now.
    pub fn new(cfg: SenderConfig, now: Instant) -> Self {
        // Ten milliseconds' worth, at least two whole packets: OpenPGM's
        // bucket holds one millisecond, but a driver's timer wakes at
        // millisecond granularity, and a bucket that holds less than a
        // wake-up's worth loses rate to rounding.
        let packet = (cfg.max_tsdu + 24 + IP_OVERHEAD) as u64;
        let burst = (cfg.rate_bytes_per_sec / 100).max(2 * packet);
        let bucket = RateLimit::new(cfg.rate_bytes_per_sec, burst, now);
        Self {
            cfg,
            packer: Packer::new(),
            next_sqn: 0,
            window: VecDeque::new(),
            spm_sqn: 0,
            heartbeat: Some(0),
            next_spm: now,
            repairs: VecDeque::new(),
            urgent: VecDeque::new(),
            bucket,
            sent: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SenderConfig {
        &self.cfg
    }

    /// Queues a message (its frames) for ODATA.
    pub fn push_message<F: AsRef<[u8]>>(&mut self, frames: &[F]) {
        self.packer.push(frames);
    }

    /// Octets queued and not yet in ODATA (the driver stops taking messages
    /// from the socket while this is high).
    pub fn queued(&self) -> usize {
        self.packer.queued()
    }

    /// ODATA packets sent so far.
    pub fn odata_sent(&self) -> u64 {
        self.sent
    }

    /// The trailing edge: the oldest sequence number still repairable.
    fn trail(&self) -> u32 {
        self.window.front().map_or(self.next_sqn, |(s, _)| *s)
    }

    /// Reads an upstream datagram: a NAK for this session is confirmed at
    /// once with an NCF and queued for repair (PGM-R23, PGM-R24); an SPMR
    /// makes the next SPM due now (PGM-R25). Other packets and other
    /// sessions' are ignored.
    pub fn handle_packet(&mut self, datagram: &[u8], now: Instant) -> Result<(), PgmError> {
        let p = packet::packet(datagram)?;
        if p.header.gsi != self.cfg.tsi.gsi || p.header.dport != self.cfg.tsi.sport {
            return Ok(());
        }
        match (p.header.kind, p.body) {
            (PacketType::Nak, Body::Nak(n)) if n.group == self.cfg.group => {
                let mut sqns = vec![n.sqn];
                sqns.extend_from_slice(&p.options.nak_list);
                let ncf = Outgoing {
                    kind: PacketType::Ncf,
                    sport: self.cfg.tsi.sport,
                    dport: self.cfg.dport,
                    gsi: self.cfg.tsi.gsi,
                    body: Body::Nak(Nak {
                        sqn: n.sqn,
                        source: self.cfg.nla,
                        group: self.cfg.group,
                    }),
                    options: Options {
                        nak_list: p.options.nak_list.clone(),
                        ..Options::default()
                    },
                };
                self.urgent.push_back(Transmit {
                    packet: ncf.to_vec(),
                    destination: Destination::Group,
                });
                for s in sqns {
                    if self.window.iter().any(|(w, _)| *w == s) && !self.repairs.contains(&s) {
                        self.repairs.push_back(s);
                    }
                }
            }
            (PacketType::Spmr, _) => self.next_spm = now,
            _ => {}
        }
        Ok(())
    }

    fn spm(&mut self) -> Transmit {
        let spm = Outgoing {
            kind: PacketType::Spm,
            sport: self.cfg.tsi.sport,
            dport: self.cfg.dport,
            gsi: self.cfg.tsi.gsi,
            body: Body::Spm(Spm {
                sqn: self.spm_sqn,
                trail: self.trail(),
                lead: self.next_sqn.wrapping_sub(1),
                nla: self.cfg.nla,
            }),
            options: Options::default(),
        };
        self.spm_sqn = self.spm_sqn.wrapping_add(1);
        Transmit {
            packet: spm.to_vec(),
            destination: Destination::Group,
        }
    }

    fn data(&self, kind: PacketType, sqn: u32, tsdu: &[u8]) -> Transmit {
        let d = Outgoing {
            kind,
            sport: self.cfg.tsi.sport,
            dport: self.cfg.dport,
            gsi: self.cfg.tsi.gsi,
            body: Body::Data {
                sqn,
                trail: self.trail(),
                tsdu,
            },
            options: Options::default(),
        };
        Transmit {
            packet: d.to_vec(),
            destination: Destination::Group,
        }
    }

    /// The next datagram to send now, if any: an NCF, a due SPM, RDATA,
    /// then ODATA, the last two as the rate allows (PGM-R20..PGM-R26).
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if let Some(t) = self.urgent.pop_front() {
            return Some(t);
        }
        if now >= self.next_spm {
            let t = self.spm();
            self.next_spm = match self.heartbeat {
                Some(i) if i + 1 < HEARTBEAT.len() => {
                    self.heartbeat = Some(i + 1);
                    now + HEARTBEAT[i]
                }
                Some(i) => {
                    self.heartbeat = None;
                    now + HEARTBEAT[i]
                }
                None => now + AMBIENT,
            };
            return Some(t);
        }
        while let Some(&s) = self.repairs.front() {
            let Some(i) = self.window.iter().position(|(w, _)| *w == s) else {
                // Fell out of the window meanwhile.
                self.repairs.pop_front();
                continue;
            };
            let t = self.data(PacketType::Rdata, s, &self.window[i].1);
            if !self.bucket.try_take(t.packet.len() + IP_OVERHEAD, now) {
                return None;
            }
            self.repairs.pop_front();
            return Some(t);
        }
        let want = self.packer.queued().min(self.cfg.max_tsdu) + 24 + IP_OVERHEAD;
        if self.packer.queued() == 0 || !self.bucket.try_take(want, now) {
            return None;
        }
        let tsdu = self.packer.next_tsdu(self.cfg.max_tsdu)?;
        let sqn = self.next_sqn;
        if self.window.len() >= self.cfg.window_sqns as usize {
            self.window.pop_front();
        }
        self.window.push_back((sqn, tsdu));
        self.next_sqn = sqn.wrapping_add(1);
        let t = self.data(PacketType::Odata, sqn, &self.window.back()?.1);
        self.sent += 1;
        // Data restarts the heartbeat schedule (PGM-R22).
        self.heartbeat = Some(1);
        self.next_spm = now + HEARTBEAT[0];
        Some(t)
    }

    /// When [`Sender::poll_transmit`] has something next: the next SPM, or
    /// when the rate allows the waiting data.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut t = self.next_spm;
        if !self.urgent.is_empty() {
            return Some(self.bucket.last.min(t));
        }
        if !self.repairs.is_empty() || self.packer.queued() > 0 {
            let want = self.cfg.max_tsdu.min(self.packer.queued().max(1)) + 24 + IP_OVERHEAD;
            t = t.min(self.bucket.ready_at(want));
        }
        Some(t)
    }
}
