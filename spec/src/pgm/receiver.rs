//! The receiving side of PGM, sans-IO: sources discovered by their SPMs
//! and data, a receive window per source, gap detection, NAKs after a
//! random back-off, NCF and repair timeouts, late join, and libzmq's
//! payload convention on top (PGM-R40..PGM-R48).
//!
//! ```text
//!   slot states of one missing sequence number (per source):
//!     BackOff(until) ──expired──> send NAK ──> WaitNcf(until) ──NCF──> WaitData(until)
//!         ^                                       │ expired              │ expired
//!         └──────────── retries left ─────────────┴──────────────────────┘
//!                       no retries left, or the source's trail passed it: Lost
//! ```
//!
//! Call order: [`Receiver::handle_packet`] for each datagram from the
//! group, [`Receiver::handle_timeout`] when [`Receiver::poll_timeout`] is
//! due, then [`Receiver::poll_transmit`] (NAKs) and
//! [`Receiver::poll_event`] (messages, losses). The time and a generator
//! for the back-off come in as arguments.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand_core::RngCore;

use super::options::{MAX_NAK_LIST, Options};
use super::packet::{self, Body, Nak, Nla, Outgoing, PacketType, PgmError, Tsi};
use super::payload::Joiner;
use super::{Destination, Transmit};

/// What a receiver is configured with (libzmq's values by default).
#[derive(Clone, Debug)]
pub struct ReceiverConfig {
    /// The multicast group.
    pub group: Nla,
    /// The data-destination port (the endpoint's port); other sessions on
    /// the group are ignored.
    pub dport: u16,
    /// Packets the receive window holds ahead of delivery.
    pub window_sqns: u32,
    /// Upper bound of the random NAK back-off (libzmq: 50 ms).
    pub nak_bo_ivl: Duration,
    /// Wait for an NCF after a NAK (libzmq: 200 ms).
    pub nak_rpt_ivl: Duration,
    /// Wait for RDATA after an NCF (libzmq: 200 ms).
    pub nak_rdata_ivl: Duration,
    /// NAKs sent without an NCF before giving up (libzmq: 50).
    pub nak_ncf_retries: u32,
    /// NCFs seen without RDATA before giving up (libzmq: 50).
    pub nak_data_retries: u32,
    /// MAXMSGSIZE of the socket.
    pub max_msg_size: Option<usize>,
    /// At most this many sources are tracked; packets of more are ignored.
    pub max_sources: usize,
}

impl ReceiverConfig {
    /// libzmq's receiver settings for this group and port.
    pub fn new(group: Nla, dport: u16, window_sqns: u32) -> Self {
        Self {
            group,
            dport,
            window_sqns: window_sqns.max(1),
            nak_bo_ivl: Duration::from_millis(50),
            nak_rpt_ivl: Duration::from_millis(200),
            nak_rdata_ivl: Duration::from_millis(200),
            nak_ncf_retries: 50,
            nak_data_retries: 50,
            max_msg_size: None,
            max_sources: 64,
        }
    }
}

/// What the receiver reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceiverEvent {
    /// A whole message from a source, in order.
    Message {
        /// Its source.
        tsi: Tsi,
        /// Its frames.
        frames: Vec<Bytes>,
    },
    /// Data from a source could not be recovered; its stream is joined
    /// again at the next message start (PGM-R47).
    Loss {
        /// The source.
        tsi: Tsi,
        /// The first sequence number lost.
        sqn: u32,
    },
}

#[derive(Clone, Debug)]
enum Slot {
    /// Waiting out the back-off before the NAK.
    BackOff { until: Instant, ncf: u32, data: u32 },
    /// NAK sent; waiting for the NCF.
    WaitNcf { until: Instant, ncf: u32, data: u32 },
    /// NCF seen; waiting for RDATA.
    WaitData { until: Instant, ncf: u32, data: u32 },
    /// Given up.
    Lost,
    /// Here, waiting for what comes before it.
    Have(Vec<u8>),
}

#[derive(Debug)]
struct Source {
    /// Its unicast address, from its SPM; NAKs wait for it.
    nla: Option<Nla>,
    /// The address its packets come from, where an SPMR goes while no
    /// SPM has told the NLA (PGM-R49).
    from: Option<Nla>,
    /// The next sequence number to deliver; `None` before the window is
    /// defined.
    next: Option<u32>,
    /// `slots[i]` is sequence number `next + i`.
    slots: VecDeque<Slot>,
    joiner: Joiner,
}

fn ahead(a: u32, b: u32) -> i64 {
    // Sequence arithmetic: how far `a` is after `b` (negative: before).
    i64::from(a.wrapping_sub(b) as i32)
}

/// The receiving machine.
#[derive(Debug)]
pub struct Receiver {
    cfg: ReceiverConfig,
    sources: BTreeMap<Tsi, Source>,
    out: VecDeque<Transmit>,
    events: VecDeque<ReceiverEvent>,
}

impl Receiver {
    /// A receiver with no source yet.
    pub fn new(cfg: ReceiverConfig) -> Self {
        Self {
            cfg,
            sources: BTreeMap::new(),
            out: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Sources known.
    pub fn sources(&self) -> usize {
        self.sources.len()
    }

    fn backoff(&self, now: Instant, rng: &mut dyn RngCore, ncf: u32, data: u32) -> Slot {
        let ivl = u64::try_from(self.cfg.nak_bo_ivl.as_nanos())
            .unwrap_or(u64::MAX)
            .max(1);
        Slot::BackOff {
            until: now + Duration::from_nanos(rng.next_u64() % ivl),
            ncf,
            data,
        }
    }

    /// Reads one datagram from the group (or one sent to us).
    ///
    /// # Errors
    /// A [`PgmError`] for a packet that breaks the grammar; it is dropped
    /// and nothing else changes.
    /// `from` is the address the datagram came from, if known.
    pub fn handle_packet(
        &mut self,
        datagram: &[u8],
        from: Option<Nla>,
        now: Instant,
        rng: &mut dyn RngCore,
    ) -> Result<(), PgmError> {
        let p = packet::packet(datagram)?;
        let downstream = matches!(
            p.header.kind,
            PacketType::Spm | PacketType::Odata | PacketType::Rdata | PacketType::Ncf
        );
        if !downstream || p.header.dport != self.cfg.dport {
            return Ok(());
        }
        let tsi = p.tsi();
        if let (Some(src), Some(f)) = (self.sources.get_mut(&tsi), from) {
            src.from = Some(f);
        }
        if !self.sources.contains_key(&tsi) {
            if self.sources.len() >= self.cfg.max_sources {
                return Ok(());
            }
            self.sources.insert(
                tsi,
                Source {
                    nla: None,
                    from,
                    next: None,
                    slots: VecDeque::new(),
                    joiner: Joiner::new(self.cfg.max_msg_size),
                },
            );
        }
        match p.body {
            Body::Spm(spm) => {
                let src = self.sources.get_mut(&tsi).expect("inserted above");
                src.nla = Some(spm.nla);
                match src.next {
                    // Late join: only what comes after the lead (PGM-R42).
                    None => src.next = Some(spm.lead.wrapping_add(1)),
                    Some(_) => {
                        self.extend_to(tsi, spm.lead, now, rng);
                    }
                }
                self.advance_trail(tsi, spm.trail);
            }
            Body::Data { sqn, trail, tsdu } => {
                let src = self.sources.get_mut(&tsi).expect("inserted above");
                let next = *src.next.get_or_insert(sqn);
                let d = ahead(sqn, next);
                if d < 0 {
                    return Ok(());
                }
                if d >= i64::from(self.cfg.window_sqns) {
                    // Too far ahead to hold: what is missing is lost.
                    let lost = next;
                    src.slots.clear();
                    src.next = Some(sqn);
                    src.joiner.reset();
                    self.events
                        .push_back(ReceiverEvent::Loss { tsi, sqn: lost });
                }
                self.extend_to(tsi, sqn.wrapping_sub(1), now, rng);
                let src = self.sources.get_mut(&tsi).expect("inserted above");
                let i = usize::try_from(ahead(sqn, src.next.unwrap_or(sqn))).unwrap_or(0);
                if i == src.slots.len() {
                    src.slots.push_back(Slot::Have(tsdu.to_vec()));
                } else if let Some(slot) = src.slots.get_mut(i)
                    && !matches!(slot, Slot::Have(_))
                {
                    *slot = Slot::Have(tsdu.to_vec());
                }
                self.advance_trail(tsi, trail);
            }
            Body::Nak(n) if p.header.kind == PacketType::Ncf => {
                let mut sqns = vec![n.sqn];
                sqns.extend_from_slice(&p.options.nak_list);
                let src = self.sources.get_mut(&tsi).expect("inserted above");
                let Some(next) = src.next else {
                    return Ok(());
                };
                for s in sqns {
                    let Ok(i) = usize::try_from(ahead(s, next)) else {
                        continue;
                    };
                    if let Some(slot) = src.slots.get_mut(i) {
                        let (Slot::BackOff { ncf, data, .. }
                        | Slot::WaitNcf { ncf, data, .. }
                        | Slot::WaitData { ncf, data, .. }) = *slot
                        else {
                            continue;
                        };
                        *slot = Slot::WaitData {
                            until: now + self.cfg.nak_rdata_ivl,
                            ncf,
                            data,
                        };
                    }
                }
            }
            _ => {}
        }
        self.deliver(tsi);
        Ok(())
    }

    /// Adds missing slots up to and including `lead` (gap detection,
    /// PGM-R43), each in its back-off.
    fn extend_to(&mut self, tsi: Tsi, lead: u32, now: Instant, rng: &mut dyn RngCore) {
        let window = i64::from(self.cfg.window_sqns);
        let Some(src) = self.sources.get(&tsi) else {
            return;
        };
        let Some(next) = src.next else { return };
        let want = (ahead(lead, next) + 1).min(window);
        let have = src.slots.len() as i64;
        let mut add = Vec::new();
        for _ in have..want {
            add.push(self.backoff(now, rng, 0, 0));
        }
        if let Some(src) = self.sources.get_mut(&tsi) {
            src.slots.extend(add);
        }
    }

    /// What the source no longer keeps cannot be repaired (PGM-R44).
    fn advance_trail(&mut self, tsi: Tsi, trail: u32) {
        let Some(src) = self.sources.get_mut(&tsi) else {
            return;
        };
        let Some(next) = src.next else { return };
        let behind = ahead(trail, next);
        for _ in 0..behind.min(src.slots.len() as i64) {
            if let Some(Slot::Have(_)) = src.slots.front() {
                break;
            }
            src.slots.pop_front();
            let n = src.next.unwrap_or(0);
            self.events.push_back(ReceiverEvent::Loss { tsi, sqn: n });
            src.joiner.reset();
            src.next = Some(n.wrapping_add(1));
        }
    }

    /// Hands the in-order prefix to the payload joiner.
    fn deliver(&mut self, tsi: Tsi) {
        let Some(src) = self.sources.get_mut(&tsi) else {
            return;
        };
        loop {
            match src.slots.front() {
                Some(Slot::Have(_)) => {
                    let Some(Slot::Have(tsdu)) = src.slots.pop_front() else {
                        break;
                    };
                    let mut msgs = Vec::new();
                    // A malformed stream resets the joiner; it rejoins at
                    // the next message start, as libzmq does.
                    let _ = src.joiner.handle_tsdu(&tsdu, &mut msgs);
                    for frames in msgs {
                        self.events
                            .push_back(ReceiverEvent::Message { tsi, frames });
                    }
                }
                Some(Slot::Lost) => {
                    src.slots.pop_front();
                    src.joiner.reset();
                    self.events.push_back(ReceiverEvent::Loss {
                        tsi,
                        sqn: src.next.unwrap_or(0),
                    });
                }
                _ => break,
            }
            src.next = src.next.map(|n| n.wrapping_add(1));
        }
    }

    /// Runs the NAK timers: an expired back-off sends a NAK (one per source
    /// and round, the first missing number and up to 62 more in
    /// OPT_NAK_LIST, PGM-R45); an expired wait goes back to back-off, or
    /// is lost when its retries are used up (PGM-R46).
    pub fn handle_timeout(&mut self, now: Instant, rng: &mut dyn RngCore) {
        let tsis: Vec<Tsi> = self.sources.keys().copied().collect();
        for tsi in tsis {
            let mut nak = Vec::new();
            let Some(src) = self.sources.get(&tsi) else {
                continue;
            };
            let (Some(next), nla, from) = (src.next, src.nla, src.from) else {
                continue;
            };
            let mut updates = Vec::new();
            let mut spmr = false;
            for (i, slot) in src.slots.iter().enumerate() {
                let new = match *slot {
                    Slot::BackOff { until, ncf, data } if until <= now && nla.is_none() => {
                        // No SPM yet: nowhere to send a NAK. Ask for one
                        // (SPMR) and wait a repeat interval.
                        spmr = true;
                        Slot::BackOff {
                            until: now + self.cfg.nak_rpt_ivl,
                            ncf,
                            data,
                        }
                    }
                    Slot::BackOff { until, ncf, data } if until <= now => {
                        if nak.len() > MAX_NAK_LIST {
                            continue;
                        }
                        nak.push(next.wrapping_add(i as u32));
                        Slot::WaitNcf {
                            until: now + self.cfg.nak_rpt_ivl,
                            ncf: ncf + 1,
                            data,
                        }
                    }
                    Slot::WaitNcf { until, ncf, data } if until <= now => {
                        if ncf >= self.cfg.nak_ncf_retries {
                            Slot::Lost
                        } else {
                            self.backoff(now, rng, ncf, data)
                        }
                    }
                    Slot::WaitData { until, ncf, data } if until <= now => {
                        if data + 1 >= self.cfg.nak_data_retries {
                            Slot::Lost
                        } else {
                            self.backoff(now, rng, ncf, data + 1)
                        }
                    }
                    _ => continue,
                };
                updates.push((i, new));
            }
            if let Some(src) = self.sources.get_mut(&tsi) {
                for (i, s) in updates {
                    src.slots[i] = s;
                }
            }
            if let (true, Some(to)) = (spmr, from) {
                let p = Outgoing {
                    kind: PacketType::Spmr,
                    sport: self.cfg.dport,
                    dport: tsi.sport,
                    gsi: tsi.gsi,
                    body: Body::Spmr,
                    options: Options::default(),
                };
                self.out.push_back(Transmit {
                    packet: p.to_vec(),
                    destination: Destination::Unicast(to),
                });
            }
            if let (Some(nla), Some((&first, rest))) = (nla, nak.split_first()) {
                let p = Outgoing {
                    kind: PacketType::Nak,
                    sport: self.cfg.dport,
                    dport: tsi.sport,
                    gsi: tsi.gsi,
                    body: Body::Nak(Nak {
                        sqn: first,
                        source: nla,
                        group: self.cfg.group,
                    }),
                    options: Options {
                        nak_list: rest.to_vec(),
                        ..Options::default()
                    },
                };
                self.out.push_back(Transmit {
                    packet: p.to_vec(),
                    destination: Destination::Unicast(nla),
                });
            }
            self.deliver(tsi);
        }
    }

    /// The earliest NAK timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.sources
            .values()
            .flat_map(|s| s.slots.iter())
            .filter_map(|s| match s {
                Slot::BackOff { until, .. }
                | Slot::WaitNcf { until, .. }
                | Slot::WaitData { until, .. } => Some(*until),
                _ => None,
            })
            .min()
    }

    /// The next NAK to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }

    /// The next message or loss.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ReceiverEvent> {
        self.events.pop_front()
    }
}
