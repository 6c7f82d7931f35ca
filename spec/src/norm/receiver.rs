//! The receiving side of NORM for libzmq's `norm://`, sans-IO: one stream
//! object per sender, reassembled by stream offset, joined at the first
//! marked message start (libzmq's framing, [`super::stream`]), and NORM-CC
//! feedback so that a congestion-controlled sender (libzmq turns NORM-CC
//! on) finds a limiting receiver and raises its rate (NORM-R11..R14).
//!
//! ```text
//!   NORM_DATA(stream) ──> by offset ──> in order ──> Deframer ──> messages
//!                              └── out of order: held (bounded); a gap
//!                                  that outlives `gap_timeout` is a loss:
//!                                  the stream joins again after it
//!   NORM_CMD(CC) ──> back-off (none if we are CLR/PLR) ──> NORM_ACK(CC)
//!                    with EXT_CC: the probe's time moved on by the hold,
//!                    our RTT, loss and the rate we can take
//! ```
//!
//! Repair is asked for by a NACK after a random back-off, and again after
//! a wait, naming the missing source segments one by one. A NACK that
//! names source symbols asks for explicit repair: libnorm, whose FTI
//! advertises 4 parity segments per block for libzmq, retransmits the
//! segments named (it sends parity only for a NACK that names parity
//! symbols, which this machine never sends, so it needs no Reed-Solomon
//! decoder; parity segments that arrive are ignored). A gap that outlives
//! `gap_timeout` is reported as [`ReceiverEvent::Loss`] and the stream is
//! joined again at the next message start, as libzmq's receiver does after
//! a broken stream.
//!
//! Call order: [`Receiver::handle_packet`] for each datagram, then
//! [`Receiver::poll_event`] and [`Receiver::poll_transmit`];
//! [`Receiver::handle_timeout`] when [`Receiver::poll_timeout`] is due.
//! The time and a generator for the back-off come in as arguments.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand_core::RngCore;

use super::build::{self, Common};
use super::fec::Rs8;
use super::packet::{self, CcFeedback, Cmd, Data, Fti, Packet, RepairItem, cc_flag};
use super::quantize::{quantize_loss32, quantize_rate, tcp_friendly_rate, unquantize_rtt};
use super::stream::Deframer;
use super::{NormError, Transmit};

/// What a receiver is configured with.
#[derive(Clone, Debug)]
pub struct ReceiverConfig {
    /// Our node id, in the feedback we send.
    pub node_id: u32,
    /// MAXMSGSIZE of the socket (one frame).
    pub max_msg_size: Option<usize>,
    /// At most this many senders are tracked; packets of more are ignored.
    pub max_sources: usize,
    /// Out-of-order octets held per sender; more is a loss.
    pub max_buffered: usize,
    /// How long a gap in a stream waits before it is a loss.
    pub gap_timeout: Duration,
    /// A sender not heard from for this long is forgotten.
    pub inactivity: Duration,
    /// Feedback goes to the sender's address instead of the group
    /// (libzmq's choice for a unicast session address).
    pub unicast_feedback: bool,
}

impl ReceiverConfig {
    /// Defaults for node `node_id`: 64 senders, libzmq's 2 MiB receive
    /// buffer, a gap waits 10 s (longer than a repair round of a sender
    /// whose GRTT is a second; a SQUELCH ends the wait sooner).
    pub fn new(node_id: u32) -> Self {
        Self {
            node_id,
            max_msg_size: None,
            max_sources: 64,
            max_buffered: 2 * 1024 * 1024,
            gap_timeout: Duration::from_secs(10),
            inactivity: Duration::from_secs(120),
            unicast_feedback: false,
        }
    }
}

/// What the receiver reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceiverEvent {
    /// A whole message from a sender, in stream order.
    Message {
        /// The sender's node id.
        source: u32,
        /// Its frames.
        frames: Vec<Bytes>,
    },
    /// Stream data from a sender is missing for good (or broke libzmq's
    /// framing); its stream is joined again at the next message start.
    Loss {
        /// The sender's node id.
        source: u32,
        /// The stream offset where data went missing.
        offset: u32,
    },
}

/// A segment's FEC payload id: source block number and symbol.
type SegmentId = (u32, u8);

#[derive(Debug)]
struct Segment {
    id: SegmentId,
    data: Vec<u8>,
    msg_start: Option<usize>,
}

/// Asking a retransmitting sender for what is missing (NORM-R13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Nacking {
    /// Nothing missing, or a sender that repairs with parity.
    Idle,
    /// Missing segments: a NACK goes out at this time.
    BackOff(Instant),
    /// A NACK went out: repairs are waited for until this time.
    Wait(Instant),
}

#[derive(Clone, Copy, Debug)]
struct Probe {
    cc_sequence: u16,
    send_time: (u32, u32),
    received: Instant,
}

/// One sender's NORM-CC standing as this receiver sees it.
#[derive(Debug)]
struct Cc {
    probe: Option<Probe>,
    due: Option<Instant>,
    rtt: u8,
    rtt_confirmed: bool,
    role: CcRole,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CcRole {
    /// Named neither CLR nor PLR: answer after a back-off.
    Other,
    /// The current limiting receiver: answer at once.
    Clr,
    /// A potential limiting receiver: answer at once.
    Plr,
}

/// Receive rate over windows of about an RTT.
#[derive(Debug)]
struct Meter {
    since: Instant,
    octets: u64,
    rate: Option<f64>,
    packets: u64,
    packet_octets: u64,
}

impl Meter {
    fn new(now: Instant) -> Self {
        Self {
            since: now,
            octets: 0,
            rate: None,
            packets: 0,
            packet_octets: 0,
        }
    }

    fn add(&mut self, n: usize, window: Duration, now: Instant) {
        self.octets += n as u64;
        self.packets += 1;
        self.packet_octets += n as u64;
        let elapsed = now.saturating_duration_since(self.since);
        if elapsed >= window.max(Duration::from_millis(10)) {
            let r = self.octets as f64 / elapsed.as_secs_f64();
            self.rate = Some(self.rate.map_or(r, |old| 0.5 * old + 0.5 * r));
            self.since = now;
            self.octets = 0;
        }
    }

    /// Octets per second.
    fn rate(&self, now: Instant) -> f64 {
        self.rate.unwrap_or_else(|| {
            let elapsed = now
                .saturating_duration_since(self.since)
                .max(Duration::from_millis(1));
            self.octets as f64 / elapsed.as_secs_f64()
        })
    }

    fn nominal_size(&self) -> f64 {
        if self.packets == 0 {
            1400.0
        } else {
            self.packet_octets as f64 / self.packets as f64
        }
    }
}

/// Losses by the common header's sequence numbers.
#[derive(Debug, Default)]
struct Losses {
    expected: Option<u16>,
    received: u32,
    lost: u32,
    estimate: f64,
}

impl Losses {
    fn add(&mut self, sequence: u16) {
        if let Some(e) = self.expected {
            let delta = sequence.wrapping_sub(e) as i16;
            if delta < 0 {
                // Late or duplicate: neither lost nor new.
                return;
            }
            self.lost += u32::from(delta.unsigned_abs());
        }
        self.received += 1;
        self.expected = Some(sequence.wrapping_add(1));
        let total = self.received + self.lost;
        if total >= 1000 {
            let now = f64::from(self.lost) / f64::from(total);
            self.estimate = if self.estimate == 0.0 {
                now
            } else {
                0.5 * self.estimate + 0.5 * now
            };
            self.received = 0;
            self.lost = 0;
        }
    }

    /// The loss fraction; before a full window, what the window says.
    fn estimate(&self) -> f64 {
        if self.estimate > 0.0 {
            return self.estimate;
        }
        let total = self.received + self.lost;
        if total == 0 {
            0.0
        } else {
            f64::from(self.lost) / f64::from(total)
        }
    }
}

#[derive(Debug)]
struct Source {
    instance_id: u16,
    from: Option<SocketAddr>,
    grtt: u8,
    object: Option<u16>,
    /// The absolute stream offset of the next octet to read; `None` before
    /// the first segment.
    next: Option<u64>,
    pending: BTreeMap<u64, Segment>,
    buffered: usize,
    gap_since: Option<Instant>,
    deframer: Deframer,
    /// The sender's block geometry, from its latest segment's FTI.
    geometry: Option<Fti>,
    /// Its Reed-Solomon code, when it sends parity.
    code: Option<Rs8>,
    /// The vectors of blocks not yet read through: source symbols (kept
    /// to decode with) and parity symbols.
    fec: BTreeMap<u32, FecBlock>,
    /// The id expected at `next`.
    next_id: Option<SegmentId>,
    /// The last segment id the sender said it sent (FLUSH) or we saw.
    last_id: Option<SegmentId>,
    backoff: u8,
    nacking: Nacking,
    /// The first segment the sender can still repair, from its SQUELCH:
    /// nothing before it is asked for, and a gap before it is given up.
    floor: Option<SegmentId>,
    cc: Cc,
    meter: Meter,
    losses: Losses,
    heard: Instant,
}

impl Source {
    fn new(instance_id: u16, max_msg_size: Option<usize>, grtt: u8, now: Instant) -> Self {
        Self {
            instance_id,
            from: None,
            grtt,
            object: None,
            next: None,
            pending: BTreeMap::new(),
            buffered: 0,
            gap_since: None,
            deframer: Deframer::new(max_msg_size),
            geometry: None,
            code: None,
            fec: BTreeMap::new(),
            next_id: None,
            last_id: None,
            backoff: 4,
            nacking: Nacking::Idle,
            floor: None,
            cc: Cc {
                probe: None,
                due: None,
                rtt: grtt,
                rtt_confirmed: false,
                role: CcRole::Other,
            },
            meter: Meter::new(now),
            losses: Losses::default(),
            heard: now,
        }
    }

    fn reset_stream(&mut self) {
        self.object = None;
        self.next = None;
        self.pending.clear();
        self.buffered = 0;
        self.gap_since = None;
        self.deframer.reset();
        self.next_id = None;
        self.last_id = None;
        self.nacking = Nacking::Idle;
        self.floor = None;
        self.fec.clear();
    }

    /// The round trip NACK timing scales by: the sender's advertised GRTT,
    /// or our own RTT where its CC probes told us that and it is smaller
    /// (libnorm lowers its advertised GRTT slowly; a loopback receiver that
    /// waits out a stale GRTT asks after the data has left the sender's
    /// buffer).
    fn nack_rtt(&self) -> f64 {
        let grtt = unquantize_rtt(self.grtt);
        let rtt = if self.cc.rtt_confirmed {
            grtt.min(unquantize_rtt(self.cc.rtt))
        } else {
            grtt
        };
        rtt.min(1.0)
    }

    /// Gives up every gap before the SQUELCH floor; returns the first
    /// offset lost.
    fn below_floor(&mut self, now: Instant, out: &mut Vec<Vec<Bytes>>) -> Option<u32> {
        let floor = self.floor?;
        let mut lost = None;
        while self.next_id.is_some_and(|n| n < floor) && !self.pending.is_empty() {
            match self.skip_gap(now, out) {
                Some(o) => {
                    lost.get_or_insert(o);
                }
                None => break,
            }
        }
        lost
    }

    /// Keeps a source symbol's vector (stream header and data) while its
    /// block may need decoding; forgets blocks read through.
    fn keep_source(&mut self, id: SegmentId, vector: &[u8]) {
        if self.code.is_none() {
            return;
        }
        self.prune_fec();
        if self.next_id.is_some_and(|n| id.0 < n.0) {
            return;
        }
        let b = self.fec.entry(id.0).or_default();
        b.sources.insert(id.1, vector.to_vec());
    }

    fn prune_fec(&mut self) {
        if let Some(n) = self.next_id {
            self.fec.retain(|&b, _| b >= n.0);
        }
        while self.fec.len() > MAX_FEC_BLOCKS {
            self.fec.pop_first();
        }
    }

    /// Takes a parity symbol; returns the source segments it completes
    /// (block, symbol, vector) if the block can now be decoded.
    fn take_parity(&mut self, block: u32, symbol: u8, vector: &[u8]) -> Vec<(SegmentId, Vec<u8>)> {
        let (Some(code), Some(g)) = (&self.code, self.geometry) else {
            return Vec::new();
        };
        if self.next_id.is_some_and(|n| block < n.0) {
            return Vec::new();
        }
        let k = usize::from(g.block_size);
        // The symbol is parity by its own segment's FTI; under another
        // geometry than the code's it is not this code's parity.
        let Some(j) = usize::from(symbol).checked_sub(k) else {
            return Vec::new();
        };
        let len = usize::from(g.segment_size) + STREAM_HEADER;
        let b = self.fec.entry(block).or_default();
        if b.parity.iter().any(|(x, _)| *x == j) {
            return Vec::new();
        }
        b.parity.push((j, vector.to_vec()));
        let sources: Vec<Option<&[u8]>> = (0..k)
            .map(|i| {
                u8::try_from(i)
                    .ok()
                    .and_then(|i| b.sources.get(&i))
                    .map(Vec::as_slice)
            })
            .collect();
        let parity: Vec<(usize, &[u8])> =
            b.parity.iter().map(|(j, v)| (*j, v.as_slice())).collect();
        let Some(found) = code.decode(&sources, &parity, len) else {
            return Vec::new();
        };
        let out: Vec<(SegmentId, Vec<u8>)> = found
            .into_iter()
            .filter_map(|(i, v)| Some(((block, u8::try_from(i).ok()?), v)))
            .collect();
        for ((_, i), v) in &out {
            b.sources.insert(*i, v.clone());
        }
        out
    }

    fn succ(&self, id: SegmentId) -> SegmentId {
        let b = self.geometry.map_or(16, |g| g.block_size).max(1);
        // A segment's symbol id is the sender's to choose: 255 has no
        // successor in its block whatever the block size says.
        if id.1.checked_add(1).is_none_or(|n| n >= b) {
            (id.0.wrapping_add(1) & 0x00ff_ffff, 0)
        } else {
            (id.0, id.1 + 1)
        }
    }

    /// Segment ids missing between what was read in order and the last id
    /// known, at most `max` of them.
    fn missing(&self, max: usize) -> Vec<SegmentId> {
        let (Some(mut id), Some(last)) = (self.next_id, self.last_id) else {
            return Vec::new();
        };
        if let Some(f) = self.floor
            && f > id
        {
            id = f;
        }
        let have: BTreeSet<SegmentId> = self.pending.values().map(|s| s.id).collect();
        let mut out = Vec::new();
        // Bounded by the buffer: no more ids than segments it can hold.
        for _ in 0..(self.pending.len() + 4 * max) {
            if id > last || out.len() >= max {
                break;
            }
            if !have.contains(&id) {
                out.push(id);
            }
            id = self.succ(id);
        }
        out
    }

    /// What a NACK asks for: per block with missing source symbols, fresh
    /// parity (as many as still needed) from a sender that sends parity,
    /// once the block is whole on its side; else the source symbols
    /// themselves. At most `max` items.
    fn repair_items(&self, max: usize) -> Vec<SegmentId> {
        let missing = self.missing(max);
        let (Some(g), Some(last)) = (self.geometry, self.last_id) else {
            return missing;
        };
        let k = g.block_size;
        let p = g.num_parity;
        let mut out = Vec::new();
        let mut i = 0;
        while i < missing.len() && out.len() < max {
            let block = missing[i].0;
            let run: Vec<SegmentId> = missing[i..]
                .iter()
                .take_while(|m| m.0 == block)
                .copied()
                .collect();
            i += run.len();
            let have = self.fec.get(&block).map_or(0, |b| b.parity.len());
            let e = run.len();
            if p > 0 && block >= last.0 {
                // The block still being sent: a parity sender repairs a
                // block once it is whole (libnorm ignores an earlier ask).
                continue;
            }
            if p > 0 && e <= usize::from(p) && have == 0 {
                // First round: fresh parity, one per missing source.
                // (Later rounds ask for the sources themselves: libnorm
                // sends no more parity for a block it has answered.)
                let need = e.saturating_sub(have);
                let first = usize::from(k) + have;
                for j in first..(first + need).min(usize::from(k) + usize::from(p)) {
                    if let Ok(j) = u8::try_from(j) {
                        out.push((block, j));
                    }
                }
            } else {
                out.extend(run);
            }
        }
        out.truncate(max);
        out
    }

    /// Whether something is missing that a NACK could ask for.
    fn wants_repair(&self) -> bool {
        self.geometry.is_some()
            && match (self.next_id, self.last_id) {
                (Some(n), Some(l)) => n <= l,
                _ => false,
            }
    }

    /// Starts a NACK back-off when something is missing and none runs.
    fn check_nack(&mut self, now: Instant, rng: &mut dyn RngCore) {
        if !self.wants_repair() {
            self.nacking = Nacking::Idle;
            return;
        }
        if self.nacking == Nacking::Idle {
            let max = self.nack_rtt() * f64::from(self.backoff.max(1));
            let frac = f64::from(rng.next_u32()) / f64::from(u32::MAX);
            self.nacking = Nacking::BackOff(now + Duration::from_secs_f64(max * frac));
        }
    }

    /// Reads `data` at stream offset `abs` (absolute), `msg_start` marking
    /// a message start in it; whole messages go to `out`.
    fn read(
        &mut self,
        abs: u64,
        id: SegmentId,
        data: &[u8],
        msg_start: Option<usize>,
        now: Instant,
        out: &mut Vec<Vec<Bytes>>,
    ) {
        let Some(next) = self.next else {
            return;
        };
        let end = abs + data.len() as u64;
        if end <= next || data.is_empty() {
            return;
        }
        if abs > next {
            if !self.pending.contains_key(&abs) {
                self.buffered += data.len();
                self.pending.insert(
                    abs,
                    Segment {
                        id,
                        data: data.to_vec(),
                        msg_start,
                    },
                );
                self.gap_since.get_or_insert(now);
            }
            return;
        }
        self.take(abs, id, data, msg_start, out);
        self.drain(now, out);
    }

    /// Reads the part of `data` (at `abs`, not after `next`) past `next`.
    fn take(
        &mut self,
        abs: u64,
        id: SegmentId,
        data: &[u8],
        msg_start: Option<usize>,
        out: &mut Vec<Vec<Bytes>>,
    ) {
        let Some(next) = self.next else {
            return;
        };
        let end = abs + data.len() as u64;
        if end <= next {
            return;
        }
        let skip = usize::try_from(next - abs).unwrap_or(usize::MAX);
        let ms = msg_start.and_then(|m| m.checked_sub(skip));
        // A framing error resets the deframer, which joins again at the
        // next marked start.
        let _ = self.deframer.feed(&data[skip..], ms, out);
        self.next = Some(end);
        self.next_id = Some(self.succ(id));
    }

    /// Reads held segments that are now in order.
    fn drain(&mut self, now: Instant, out: &mut Vec<Vec<Bytes>>) {
        while let (Some(next), Some((&abs, _))) = (self.next, self.pending.first_key_value()) {
            if abs > next {
                // Still a gap: it is waited for from now.
                self.gap_since = Some(self.gap_since.unwrap_or(now));
                return;
            }
            if let Some((_, seg)) = self.pending.pop_first() {
                self.buffered -= seg.data.len();
                self.take(abs, seg.id, &seg.data, seg.msg_start, out);
            }
        }
        self.gap_since = None;
    }

    /// Gives up on the gap before the first held segment: the stream is
    /// joined again after it. Returns the offset lost.
    fn skip_gap(&mut self, now: Instant, out: &mut Vec<Vec<Bytes>>) -> Option<u32> {
        let lost = self.next?;
        let (&first, seg) = self.pending.first_key_value()?;
        self.next_id = Some(seg.id);
        self.deframer.reset();
        self.next = Some(first);
        self.gap_since = None;
        self.drain(now, out);
        Some(lost as u32)
    }
}

/// Items one NACK asks for at most.
pub const MAX_NACK_ITEMS: usize = 64;
/// Blocks whose vectors are kept for decoding, at most.
pub const MAX_FEC_BLOCKS: usize = 256;
/// Source symbols per block the receiver decodes with parity, at most. The
/// sender's FTI sets the block size, and building its code inverts a
/// matrix of that many rows (cubic work, on every change of FTI): a block
/// size of 255 costs about 30 times a size of 64, and libzmq's sender uses
/// 16. Beyond it (and beyond [`MAX_FEC_PARITY`] parity symbols) the
/// receiver ignores parity and repairs by NACK alone.
pub const MAX_FEC_SOURCES: u8 = 64;
/// Parity symbols per block the receiver decodes with, at most.
pub const MAX_FEC_PARITY: u8 = 64;

/// The Reed-Solomon code for a sender's FTI, when it sends parity and its
/// geometry is within the decoding bounds.
pub(crate) fn fec_code(f: Fti) -> Option<Rs8> {
    if f.num_parity == 0 || f.block_size > MAX_FEC_SOURCES || f.num_parity > MAX_FEC_PARITY {
        return None;
    }
    Rs8::new(usize::from(f.block_size), usize::from(f.num_parity))
}

/// Octets of a stream segment's payload header (length, message start,
/// offset), which the FEC vector includes.
const STREAM_HEADER: usize = 8;

/// One block's vectors, kept for decoding.
#[derive(Debug, Default)]
struct FecBlock {
    sources: BTreeMap<u8, Vec<u8>>,
    parity: Vec<(usize, Vec<u8>)>,
}

/// Queues what reading a sender's stream gave: the loss first (it came
/// before the messages read after it), then the messages.
fn report(
    events: &mut VecDeque<ReceiverEvent>,
    source: u32,
    lost: Option<u32>,
    messages: Vec<Vec<Bytes>>,
) {
    if let Some(offset) = lost {
        events.push_back(ReceiverEvent::Loss { source, offset });
    }
    events.extend(
        messages
            .into_iter()
            .map(|frames| ReceiverEvent::Message { source, frames }),
    );
}

/// A probe's send time moved on by how long we held it.
fn grtt_response(p: &Probe, now: Instant) -> (u32, u32) {
    let hold = now.saturating_duration_since(p.received);
    let usec = u64::from(p.send_time.1) + u64::from(hold.subsec_micros());
    let secs = u64::from(p.send_time.0) + hold.as_secs() + usec / 1_000_000;
    (secs as u32, (usec % 1_000_000) as u32)
}

/// The receiving machine.
#[derive(Debug)]
pub struct Receiver {
    cfg: ReceiverConfig,
    sources: BTreeMap<u32, Source>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<ReceiverEvent>,
    sequence: u16,
}

impl Receiver {
    /// A receiver that knows no sender yet.
    pub fn new(cfg: ReceiverConfig) -> Self {
        Self {
            cfg,
            sources: BTreeMap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            sequence: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ReceiverConfig {
        &self.cfg
    }

    /// Senders tracked now.
    pub fn sources(&self) -> usize {
        self.sources.len()
    }

    /// Reads one datagram from the session. Our own packets and other
    /// receivers' feedback are ignored; a malformed datagram is refused
    /// with its error and changes nothing.
    pub fn handle_packet(
        &mut self,
        datagram: &[u8],
        from: Option<SocketAddr>,
        now: Instant,
        rng: &mut dyn RngCore,
    ) -> Result<(), NormError> {
        let p = packet::parse(datagram)?;
        let (header, instance_id, grtt) = match &p {
            Packet::Data(h, d) => (*h, d.instance_id, d.grtt),
            Packet::Cmd(
                h,
                Cmd::Cc {
                    instance_id, grtt, ..
                },
            ) => (*h, *instance_id, *grtt),
            Packet::Cmd(h, Cmd::Flush { instance_id, .. } | Cmd::Squelch { instance_id, .. }) => {
                (*h, *instance_id, 0)
            }
            _ => return Ok(()),
        };
        if header.source_id == self.cfg.node_id {
            return Ok(());
        }
        if !self.sources.contains_key(&header.source_id)
            && self.sources.len() >= self.cfg.max_sources
        {
            return Ok(());
        }
        let max = self.cfg.max_msg_size;
        let src = self
            .sources
            .entry(header.source_id)
            .or_insert_with(|| Source::new(instance_id, max, grtt, now));
        if src.instance_id != instance_id {
            // The sender restarted: a new stream, a new CC standing.
            *src = Source::new(instance_id, max, grtt, now);
        }
        src.heard = now;
        if from.is_some() {
            src.from = from;
        }
        if grtt != 0 {
            src.grtt = grtt;
        }
        src.losses.add(header.sequence);
        let window = Duration::from_secs_f64(unquantize_rtt(src.cc.rtt));
        src.meter.add(datagram.len(), window, now);
        match p {
            Packet::Data(_, d) => {
                let mut out = Vec::new();
                let lost = Self::handle_data(src, &d, self.cfg.max_buffered, now, &mut out);
                src.check_nack(now, rng);
                report(&mut self.events, header.source_id, lost, out);
            }
            Packet::Cmd(
                _,
                Cmd::Cc {
                    cc_sequence,
                    send_time,
                    send_rate: Some(_),
                    nodes,
                    grtt,
                    ..
                },
            ) => {
                src.cc.probe = Some(Probe {
                    cc_sequence,
                    send_time,
                    received: now,
                });
                src.cc.role = CcRole::Other;
                if let Some(n) = nodes.find(self.cfg.node_id) {
                    src.cc.rtt = n.rtt;
                    src.cc.rtt_confirmed = true;
                    src.cc.role = if n.flags & cc_flag::CLR != 0 {
                        CcRole::Clr
                    } else if n.flags & cc_flag::PLR != 0 {
                        CcRole::Plr
                    } else {
                        CcRole::Other
                    };
                }
                if src.cc.role != CcRole::Other {
                    src.cc.due = Some(now);
                } else if src.cc.due.is_none() {
                    // A random back-off of up to four GRTTs, so that many
                    // receivers do not answer at once.
                    let max = unquantize_rtt(grtt).min(1.0) * 4.0;
                    let frac = f64::from(rng.next_u32()) / f64::from(u32::MAX);
                    src.cc.due = Some(now + Duration::from_secs_f64(max * frac));
                }
            }
            Packet::Cmd(
                _,
                Cmd::Squelch {
                    block,
                    symbol,
                    object_id,
                    ..
                },
            ) if src.object == Some(object_id) => {
                src.floor = Some((block, symbol));
                let mut out = Vec::new();
                let lost = src.below_floor(now, &mut out);
                report(&mut self.events, header.source_id, lost, out);
                src.check_nack(now, rng);
            }
            Packet::Cmd(
                _,
                Cmd::Flush {
                    block,
                    symbol,
                    object_id,
                    ..
                },
            ) => {
                if src.object == Some(object_id) && src.last_id.is_none_or(|l| (block, symbol) > l)
                {
                    src.last_id = Some((block, symbol));
                }
                src.check_nack(now, rng);
            }
            _ => {}
        }
        self.send_due_feedback(now);
        self.send_due_nacks(now, rng);
        Ok(())
    }

    /// A stream segment; returns the offset lost if holding it overflowed
    /// the buffer.
    fn handle_data(
        src: &mut Source,
        d: &Data<'_>,
        max_buffered: usize,
        now: Instant,
        out: &mut Vec<Vec<Bytes>>,
    ) -> Option<u32> {
        if d.fti.is_some_and(|f| d.symbol >= f.block_size) {
            // A parity symbol: it may complete its block, if it is of the
            // geometry the code was built for.
            if src.object.is_some_and(|o| o != d.object_id) || d.fti != src.geometry {
                return None;
            }
            let found = src.take_parity(d.block, d.symbol, d.payload);
            for (id, v) in found {
                Self::read_vector(src, id, &v, now, out);
            }
            return Self::check_overflow(src, max_buffered, now, out);
        }
        let s = d.stream?;
        if src.object.is_some_and(|o| o != d.object_id) {
            // A new stream object from the same sender.
            src.reset_stream();
        }
        src.object = Some(d.object_id);
        if let Some(f) = d.fti
            && src.geometry != Some(f)
        {
            src.geometry = Some(f);
            src.code = fec_code(f);
            src.fec.clear();
        }
        src.backoff = d.backoff;
        let id = (d.block, d.symbol);
        if d.symbol < d.fti.map_or(u8::MAX, |f| f.block_size) && src.last_id.is_none_or(|l| id > l)
        {
            src.last_id = Some(id);
        }
        if src.next.is_none() {
            src.next_id = Some(id);
        }
        src.next.get_or_insert(u64::from(s.offset));
        let vector_len = (STREAM_HEADER + s.data.len()).min(d.payload.len());
        src.keep_source(id, &d.payload[..vector_len]);
        Self::read_segment(src, id, s.offset, s.data, s.msg_start, now, out);
        let squelched = src.below_floor(now, out);
        Self::check_overflow(src, max_buffered, now, out).or(squelched)
    }

    /// Reads a source segment at its 32-bit stream offset.
    fn read_segment(
        src: &mut Source,
        id: SegmentId,
        offset: u32,
        data: &[u8],
        msg_start: Option<usize>,
        now: Instant,
        out: &mut Vec<Vec<Bytes>>,
    ) {
        let Some(next) = src.next else {
            return;
        };
        // The 32-bit offset, unwrapped near where the stream stands.
        let delta = i64::from(offset.wrapping_sub(next as u32) as i32);
        let Some(abs) = i64::try_from(next)
            .ok()
            .and_then(|n| u64::try_from(n + delta).ok())
        else {
            return;
        };
        src.read(abs, id, data, msg_start, now, out);
    }

    /// Reads a decoded source vector: its stream header, then its data.
    fn read_vector(
        src: &mut Source,
        id: SegmentId,
        v: &[u8],
        now: Instant,
        out: &mut Vec<Vec<Bytes>>,
    ) {
        let (Some(len), Some(ms), Some(off)) = (
            v.get(0..2)
                .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))),
            v.get(2..4)
                .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))),
            v.get(4..8)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
        ) else {
            return;
        };
        let Some(data) = v.get(STREAM_HEADER..STREAM_HEADER + len) else {
            // A decoded header that does not fit: not a segment of ours.
            return;
        };
        let msg_start = ms.checked_sub(1).filter(|&m| m < len);
        Self::read_segment(src, id, off, data, msg_start, now, out);
    }

    /// Past the buffer bound, gaps are given up oldest first; returns the
    /// first offset lost.
    fn check_overflow(
        src: &mut Source,
        max_buffered: usize,
        now: Instant,
        out: &mut Vec<Vec<Bytes>>,
    ) -> Option<u32> {
        let mut lost = None;
        while src.buffered > max_buffered {
            match src.skip_gap(now, out) {
                Some(o) => {
                    lost.get_or_insert(o);
                }
                None => break,
            }
        }
        lost
    }

    /// Sends the NORM_ACK(CC) of every sender whose back-off has ended.
    fn send_due_feedback(&mut self, now: Instant) {
        for (&id, src) in &mut self.sources {
            if src.cc.due.is_none_or(|t| t > now) {
                continue;
            }
            src.cc.due = None;
            let Some(probe) = src.cc.probe else {
                continue;
            };
            let grtt_response = grtt_response(&probe, now);
            let loss = src.losses.estimate();
            let mut flags = match src.cc.role {
                CcRole::Clr => cc_flag::CLR,
                CcRole::Plr => cc_flag::PLR,
                CcRole::Other => 0,
            };
            if src.cc.rtt_confirmed {
                flags |= cc_flag::RTT;
            }
            let loss32 = quantize_loss32(loss);
            let rate = if loss32 == 0 {
                flags |= cc_flag::START;
                2.0 * src.meter.rate(now)
            } else {
                tcp_friendly_rate(src.meter.nominal_size(), unquantize_rtt(src.cc.rtt), loss)
            };
            let feedback = CcFeedback {
                cc_sequence: probe.cc_sequence,
                flags,
                rtt: src.cc.rtt,
                loss32,
                rate: quantize_rate(rate),
            };
            let c = Common {
                sequence: self.sequence,
                source_id: self.cfg.node_id,
            };
            self.sequence = self.sequence.wrapping_add(1);
            let packet = build::ack_cc(c, id, src.instance_id, grtt_response, &feedback);
            let to = if self.cfg.unicast_feedback {
                src.from
            } else {
                None
            };
            self.transmits.push_back(Transmit { packet, to });
        }
    }

    /// The NACK of every sender whose back-off has ended: the missing ids
    /// as one ITEMS request; then repairs are waited for, and asked for
    /// again until the gap is given up.
    fn send_due_nacks(&mut self, now: Instant, rng: &mut dyn RngCore) {
        for (&id, src) in &mut self.sources {
            match src.nacking {
                Nacking::BackOff(t) if t <= now => {}
                Nacking::Wait(t) if t <= now => {
                    src.nacking = Nacking::Idle;
                    src.check_nack(now, rng);
                    continue;
                }
                _ => continue,
            }
            let missing = src.repair_items(MAX_NACK_ITEMS);
            if missing.is_empty() {
                src.nacking = Nacking::Idle;
                continue;
            }
            let object_id = src.object.unwrap_or(0);
            let items: Vec<RepairItem> = missing
                .iter()
                .map(|&(block, symbol)| RepairItem {
                    fec_id: build::FEC_ID,
                    object_id,
                    block,
                    symbol,
                })
                .collect();
            let grtt_response = src.cc.probe.map_or((0, 0), |p| grtt_response(&p, now));
            let c = Common {
                sequence: self.sequence,
                source_id: self.cfg.node_id,
            };
            self.sequence = self.sequence.wrapping_add(1);
            let packet = build::nack_segments(c, id, src.instance_id, grtt_response, &items);
            let to = if self.cfg.unicast_feedback {
                src.from
            } else {
                None
            };
            self.transmits.push_back(Transmit { packet, to });
            // The sender gathers NACKs and repairs on its own advertised
            // GRTT: wait two of them before asking again.
            let grtt = unquantize_rtt(src.grtt).min(1.0);
            let wait = (grtt * 2.0).max(0.02);
            src.nacking = Nacking::Wait(now + Duration::from_secs_f64(wait));
        }
    }

    /// Runs what is due: feedback after its back-off, NACKs, gaps that
    /// waited too long (a loss each), senders gone quiet.
    pub fn handle_timeout(&mut self, now: Instant, rng: &mut dyn RngCore) {
        self.send_due_feedback(now);
        self.send_due_nacks(now, rng);
        let gap = self.cfg.gap_timeout;
        for (&source, src) in &mut self.sources {
            if src
                .gap_since
                .is_some_and(|t| now.saturating_duration_since(t) >= gap)
            {
                let mut out = Vec::new();
                let lost = src.skip_gap(now, &mut out);
                report(&mut self.events, source, lost, out);
            }
        }
        let quiet = self.cfg.inactivity;
        self.sources
            .retain(|_, s| now.saturating_duration_since(s.heard) < quiet);
    }

    /// When [`Receiver::handle_timeout`] is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.sources
            .values()
            .flat_map(|s| {
                [
                    s.cc.due,
                    match s.nacking {
                        Nacking::BackOff(t) | Nacking::Wait(t) => Some(t),
                        Nacking::Idle => None,
                    },
                    s.gap_since.map(|t| t + self.cfg.gap_timeout),
                    Some(s.heard + self.cfg.inactivity),
                ]
            })
            .flatten()
            .min()
    }

    /// The next datagram to send (feedback).
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next message or loss.
    pub fn poll_event(&mut self) -> Option<ReceiverEvent> {
        self.events.pop_front()
    }
}
