//! The sending side of NORM for libzmq's `norm://`, sans-IO: one stream
//! object in libzmq's framing, cut into segments of up to `segment_size`
//! octets numbered by block and symbol, at a fixed rate; a window of sent
//! segments answers NACKs with repairs; NORM_CMD(FLUSH) after the data
//! goes quiet; NORM_CMD(CC) probes whose answers measure the GRTT the
//! packets advertise (NORM-R15..R19).
//!
//! ```text
//!   push_message ──> stream octets (message starts marked) ──> NORM_DATA
//!        block b, symbol 0..B-1, offset, msg_start ──┬── rate limit ──> group
//!   NACK(items, ranges, blocks) ──> repairs from the window (flag 0x01) ─┘
//!   quiet: FLUSH(last segment) every 2 GRTT, `flush_repeats` times
//!   CC probe every `probe_interval`: ACK(CC) / NACK grtt_response ──> GRTT
//! ```
//!
//! The rate is ZMQ_RATE's, fixed. libzmq 4.3.4 instead turns NORM-CC on
//! and ignores ZMQ_RATE; a fixed rate is what RFC 5740 §5.5 allows when
//! congestion control is off, and what this machine does. No parity is
//! sent (the FTI says 0 parity segments), so repair is by retransmission.
//!
//! Call order: [`Sender::push_message`] to queue, [`Sender::handle_packet`]
//! for each datagram from the session, then [`Sender::poll_transmit`] until
//! it returns `None`, and wait until [`Sender::poll_timeout`].

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use super::build::{self, Common, DataSegment, SenderFields};
use super::packet::{self, Fti, Packet, RepairForm, repair_flag};
use super::quantize::{quantize_rate, quantize_rtt};
use super::stream::encode_message;
use super::{NormError, Transmit};
use crate::pgm::RateLimit;

/// Octets the rate limit counts per datagram on top of the NORM packet
/// (IPv4 and UDP headers).
pub const IP_OVERHEAD: usize = 28;

/// What a sender is configured with (libzmq's geometry by default).
#[derive(Clone, Debug)]
pub struct SenderConfig {
    /// Our node id.
    pub node_id: u32,
    /// This session's instance id (random per sender).
    pub instance_id: u16,
    /// Octets per segment (libzmq: 1400).
    pub segment_size: u16,
    /// Segments per block (libzmq: 16).
    pub block_size: u8,
    /// Octets of sent stream kept for repair, and the FTI's transfer
    /// length (libzmq: 2 MiB).
    pub buffer: usize,
    /// Octets per second for data and repairs (ZMQ_RATE / 8 * 1000).
    pub rate_bytes_per_sec: u64,
    /// The GRTT advertised before any measurement (libnorm: 0.5 s).
    pub initial_grtt: Duration,
    /// The backoff factor receivers scale their NACK wait by (RFC 5740:
    /// 4 for multicast).
    pub backoff_factor: u8,
    /// FLUSH commands sent after the data goes quiet.
    pub flush_repeats: u32,
    /// Time between CC probes.
    pub probe_interval: Duration,
}

impl SenderConfig {
    /// libzmq's geometry for node `node_id`, instance `instance_id`, at
    /// `rate_bytes_per_sec`.
    pub fn new(node_id: u32, instance_id: u16, rate_bytes_per_sec: u64) -> Self {
        Self {
            node_id,
            instance_id,
            segment_size: 1400,
            block_size: 16,
            buffer: 2 * 1024 * 1024,
            rate_bytes_per_sec: rate_bytes_per_sec.max(1),
            initial_grtt: Duration::from_millis(500),
            backoff_factor: 4,
            flush_repeats: 20,
            probe_interval: Duration::from_secs(1),
        }
    }
}

/// The group-size code of the header's low nibble that libnorm sends by
/// default.
pub const GSIZE_CODE: u8 = 2;

#[derive(Clone, Debug)]
struct Sent {
    block: u32,
    symbol: u8,
    offset: u64,
    msg_start: Option<usize>,
    data: Vec<u8>,
}

/// The sending machine.
#[derive(Debug)]
pub struct Sender {
    cfg: SenderConfig,
    epoch: Instant,
    /// Stream octets not yet in a segment.
    queue: VecDeque<u8>,
    /// Absolute offsets of message starts in `queue`, oldest first.
    starts: VecDeque<u64>,
    /// The absolute stream offset of `queue[0]`.
    offset: u64,
    block: u32,
    symbol: u8,
    window: VecDeque<Sent>,
    window_octets: usize,
    repairs: BTreeSet<(u32, u8)>,
    bucket: RateLimit,
    sequence: u16,
    grtt: Duration,
    flushes_left: u32,
    next_flush: Option<Instant>,
    next_probe: Instant,
    cc_sequence: u16,
    sent: u64,
    repaired: u64,
}

impl Sender {
    /// A sender with nothing sent; its first probe is due now.
    pub fn new(cfg: SenderConfig, now: Instant) -> Self {
        let packet = (usize::from(cfg.segment_size) + 40 + IP_OVERHEAD) as u64;
        let burst = (cfg.rate_bytes_per_sec / 100).max(2 * packet);
        let bucket = RateLimit::new(cfg.rate_bytes_per_sec, burst, now);
        Self {
            grtt: cfg.initial_grtt,
            cfg,
            epoch: now,
            queue: VecDeque::new(),
            starts: VecDeque::new(),
            offset: 0,
            block: 0,
            symbol: 0,
            window: VecDeque::new(),
            window_octets: 0,
            repairs: BTreeSet::new(),
            bucket,
            sequence: 0,
            flushes_left: 0,
            next_flush: None,
            next_probe: now,
            cc_sequence: 0,
            sent: 0,
            repaired: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SenderConfig {
        &self.cfg
    }

    /// Queues a message (its frames) in libzmq's framing.
    pub fn push_message<F: AsRef<[u8]>>(&mut self, frames: &[F]) {
        let mut v = Vec::new();
        encode_message(frames, &mut v);
        self.starts.push_back(self.offset + self.queue.len() as u64);
        self.queue.extend(v);
    }

    /// Octets queued and not yet in a segment.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Original data segments sent.
    pub fn segments_sent(&self) -> u64 {
        self.sent
    }

    /// Repair segments sent.
    pub fn repairs_sent(&self) -> u64 {
        self.repaired
    }

    /// The GRTT now advertised.
    pub fn grtt(&self) -> Duration {
        self.grtt
    }

    fn fields(&self) -> SenderFields {
        SenderFields {
            instance_id: self.cfg.instance_id,
            grtt: quantize_rtt(self.grtt.as_secs_f64()),
            backoff_gsize: (self.cfg.backoff_factor.min(15) << 4) | GSIZE_CODE,
        }
    }

    fn common(&mut self) -> Common {
        let c = Common {
            sequence: self.sequence,
            source_id: self.cfg.node_id,
        };
        self.sequence = self.sequence.wrapping_add(1);
        c
    }

    fn fti(&self) -> Fti {
        Fti {
            transfer_length: self.cfg.buffer as u64,
            segment_size: self.cfg.segment_size,
            block_size: self.cfg.block_size,
            num_parity: 0,
        }
    }

    /// Our clock as a probe's send time: seconds and microseconds since
    /// the sender started.
    fn stamp(&self, now: Instant) -> (u32, u32) {
        let d = now.saturating_duration_since(self.epoch);
        (d.as_secs() as u32, d.subsec_micros())
    }

    fn rtt_sample(&mut self, grtt_response: (u32, u32), now: Instant) {
        if grtt_response == (0, 0) {
            return;
        }
        let sent = Duration::from_secs(u64::from(grtt_response.0))
            + Duration::from_micros(u64::from(grtt_response.1.min(999_999)));
        let Some(sent) = self.epoch.checked_add(sent) else {
            return;
        };
        if sent > now {
            return;
        }
        let rtt = now.duration_since(sent).max(Duration::from_micros(1));
        // Larger samples count at once, smaller ones slowly (as libnorm).
        self.grtt = if rtt > self.grtt {
            self.grtt.mul_f64(0.25) + rtt.mul_f64(0.75)
        } else {
            self.grtt.mul_f64(0.9) + rtt.mul_f64(0.1)
        }
        .min(Duration::from_secs(10));
    }

    /// Reads a datagram from the session: NACKs for this sender queue
    /// repairs of what the window still holds; NACK and ACK GRTT responses
    /// measure the GRTT. Other packets are ignored.
    pub fn handle_packet(&mut self, datagram: &[u8], now: Instant) -> Result<(), NormError> {
        match packet::parse(datagram)? {
            Packet::Nack(_, n)
                if n.server_id == self.cfg.node_id && n.instance_id == self.cfg.instance_id =>
            {
                self.rtt_sample(n.grtt_response, now);
                for r in n.requests() {
                    let items: Vec<_> = r.items().collect();
                    if r.flags & repair_flag::BLOCK != 0 {
                        for i in &items {
                            self.repair_block(i.block);
                        }
                    }
                    if r.flags & repair_flag::SEGMENT == 0 {
                        continue;
                    }
                    match r.form {
                        RepairForm::Ranges => {
                            for pair in items.chunks_exact(2) {
                                self.repair_range(
                                    (pair[0].block, pair[0].symbol),
                                    (pair[1].block, pair[1].symbol),
                                );
                            }
                        }
                        RepairForm::Items | RepairForm::Erasures => {
                            for i in &items {
                                self.repair_range((i.block, i.symbol), (i.block, i.symbol));
                            }
                        }
                    }
                }
            }
            Packet::Ack(_, a)
                if a.server_id == self.cfg.node_id && a.instance_id == self.cfg.instance_id =>
            {
                self.rtt_sample(a.grtt_response, now);
            }
            _ => {}
        }
        Ok(())
    }

    fn repair_block(&mut self, block: u32) {
        for s in &self.window {
            if s.block == block {
                self.repairs.insert((s.block, s.symbol));
            }
        }
    }

    fn repair_range(&mut self, first: (u32, u8), last: (u32, u8)) {
        for s in &self.window {
            let id = (s.block, s.symbol);
            if id >= first && id <= last {
                self.repairs.insert(id);
            }
        }
    }

    fn data_packet(&mut self, s: &Sent, repair: bool) -> Vec<u8> {
        let seg = DataSegment {
            object_id: 0,
            block: s.block,
            symbol: s.symbol,
            repair,
            fti: self.fti(),
            msg_start: s.msg_start,
            offset: s.offset as u32,
            data: &s.data,
        };
        let (c, f) = (self.common(), self.fields());
        build::data(c, f, &seg)
    }

    /// The next segment of new data, cut from the queue.
    fn cut(&mut self) -> Option<Sent> {
        if self.queue.is_empty() {
            return None;
        }
        let n = self
            .queue
            .len()
            .min(usize::from(self.cfg.segment_size.max(1)));
        let data: Vec<u8> = self.queue.drain(..n).collect();
        let offset = self.offset;
        self.offset += n as u64;
        while self.starts.front().is_some_and(|&s| s < offset) {
            self.starts.pop_front();
        }
        let msg_start = self
            .starts
            .front()
            .filter(|&&s| s < offset + n as u64)
            .map(|&s| (s - offset) as usize);
        let sent = Sent {
            block: self.block,
            symbol: self.symbol,
            offset,
            msg_start,
            data,
        };
        self.symbol += 1;
        if self.symbol >= self.cfg.block_size.max(1) {
            self.symbol = 0;
            self.block = (self.block + 1) & 0x00ff_ffff;
        }
        Some(sent)
    }

    /// The next datagram to send, if the rate allows one now (all go to
    /// the group).
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if now >= self.next_probe && (self.sent > 0 || !self.queue.is_empty()) {
            self.next_probe = now + self.cfg.probe_interval;
            let stamp = self.stamp(now);
            let rate = quantize_rate(self.cfg.rate_bytes_per_sec as f64);
            let (c, f) = (self.common(), self.fields());
            let packet = build::cc(c, f, self.cc_sequence, stamp, rate);
            self.cc_sequence = self.cc_sequence.wrapping_add(1);
            return Some(Transmit { packet, to: None });
        }
        let full = usize::from(self.cfg.segment_size) + 40 + IP_OVERHEAD;
        if let Some(&id) = self.repairs.iter().next() {
            if !self.bucket.try_take(full, now) {
                return None;
            }
            self.repairs.remove(&id);
            if let Some(s) = self
                .window
                .iter()
                .find(|s| (s.block, s.symbol) == id)
                .cloned()
            {
                self.repaired += 1;
                let packet = self.data_packet(&s, true);
                self.arm_flush(now);
                return Some(Transmit { packet, to: None });
            }
        }
        if !self.queue.is_empty() {
            let n = self.queue.len().min(usize::from(self.cfg.segment_size));
            if !self.bucket.try_take(n + 40 + IP_OVERHEAD, now) {
                return None;
            }
            let s = self.cut()?;
            let packet = self.data_packet(&s, false);
            self.sent += 1;
            self.window_octets += s.data.len();
            self.window.push_back(s);
            while self.window_octets > self.cfg.buffer {
                match self.window.pop_front() {
                    Some(old) => self.window_octets -= old.data.len(),
                    None => break,
                }
            }
            self.arm_flush(now);
            return Some(Transmit { packet, to: None });
        }
        if self.next_flush.is_some_and(|t| t <= now) && self.flushes_left > 0 {
            self.flushes_left -= 1;
            self.next_flush = (self.flushes_left > 0).then(|| now + self.flush_interval());
            let last = self.window.back().map(|s| (s.block, s.symbol))?;
            let (c, f) = (self.common(), self.fields());
            let packet = build::flush(c, f, 0, last.0, last.1);
            return Some(Transmit { packet, to: None });
        }
        None
    }

    fn flush_interval(&self) -> Duration {
        (self.grtt * 2).max(Duration::from_millis(10))
    }

    /// After data: the first FLUSH once the queue is empty, then more.
    fn arm_flush(&mut self, now: Instant) {
        self.flushes_left = self.cfg.flush_repeats;
        self.next_flush = Some(now);
    }

    /// When to call [`Sender::poll_transmit`] next, if nothing arrives.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut t: Option<Instant> = None;
        let mut at = |x: Instant| t = Some(t.map_or(x, |y| y.min(x)));
        if !self.queue.is_empty() || !self.repairs.is_empty() {
            let n = usize::from(self.cfg.segment_size) + 40 + IP_OVERHEAD;
            at(self
                .bucket
                .ready_at(n.min(self.queue.len().max(1) + 40 + IP_OVERHEAD)));
        }
        if let Some(f) = self.next_flush.filter(|_| self.flushes_left > 0) {
            at(f);
        }
        if self.sent > 0 || !self.queue.is_empty() {
            at(self.next_probe);
        }
        t
    }
}
