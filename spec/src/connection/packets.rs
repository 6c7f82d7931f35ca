//! Outgoing packets one at a time, and what a misbehaving peer does to
//! them: the hooks of a raw peer (the conformance runner) and of a fuzzer
//! that attacks a live implementation.
//!
//! With [`Behaviour::packets`](super::Behaviour::packets) set, the machine
//! remembers where each thing it queues ends and what it is: a piece of
//! the greeting, a 1.0/2.0 identity, a command (by name), a message frame.
//! [`Connection::poll_packet`] then hands them out one by one, instead of
//! [`Connection::poll_transmit`]'s one buffer. The caller decides each
//! packet's fate with a [`Tamper`] (send, replace, mutate, split, delay,
//! drop), and [`Tamper::apply`] turns it into [`Write`]s for its
//! transport. The machine itself never learns what was done: it goes on
//! as if its packets had left as they were, which is exactly what a peer
//! that lies on the wire looks like from the other end.
//!
//! Incoming octets need no hook: the caller holds them before it hands
//! them to [`Connection::handle_bytes`] and can read them with the views
//! of [`crate::wire::view`] first, or hold some back.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use zmtp_spec::SocketType;
//! use zmtp_spec::connection::{Config, Connection, PacketKind, Side, Tamper};
//!
//! let mut config = Config::new(SocketType::Dealer);
//! config.behaviour.packets = true;
//! let rng = zmtp_spec::connection::harness::TestRng::new(7); // a driver passes OsRng
//! let mut conn = Connection::new(config, Side::Client, Instant::now(), rng).unwrap();
//! let packet = conn.poll_packet().expect("the signature is queued at once");
//! assert_eq!(packet.kind, PacketKind::Greeting { from: 0, to: 10 });
//! // Send the signature in two writes, the second 50 ms later.
//! let writes = Tamper::Split(vec![3]).then_delay(Duration::from_millis(50)).apply(packet);
//! assert_eq!(writes.len(), 2);
//! assert_eq!(writes[0].octets.len(), 3);
//! assert_eq!(writes[1].delay, Duration::from_millis(50));
//! ```

use std::fmt;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::Connection;

/// What one outgoing packet is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PacketKind {
    /// Octets `from..to` of our 64-octet 3.x greeting (the pacing decides
    /// the pieces: the signature 0..10, the version-major 10..11, the rest
    /// 11..64, or all 64 at once).
    Greeting {
        /// The first octet's offset in the greeting.
        from: u8,
        /// One past the last octet's offset.
        to: u8,
    },
    /// After a 1.0 or 2.0 peer was detected: the rest of our legacy
    /// greeting (the identity body for 1.0; the socket-type octet and the
    /// identity frame for 2.0).
    LegacyIdentity,
    /// A command frame: READY, ERROR, a mechanism's HELLO/WELCOME/... or
    /// an application command. `boxed` when a mechanism wrapped it (a
    /// CURVE MESSAGE carrying it).
    Command {
        /// The command's name, in clear.
        name: Bytes,
        /// Whether it went out inside a mechanism's box.
        boxed: bool,
    },
    /// A message frame (a whole one: header and body).
    Message {
        /// Its MORE flag.
        more: bool,
        /// Whether it went out inside a mechanism's box.
        boxed: bool,
    },
    /// Octets queued without a boundary (none are, today; kept so a
    /// caller never loses octets if a queueing site forgets its mark).
    Unmarked,
}

/// One outgoing packet: what it is and its octets as the machine wrote
/// them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// What it is.
    pub kind: PacketKind,
    /// Its octets.
    pub octets: Bytes,
}

/// What to do with one outgoing packet.
pub enum Tamper {
    /// Send it as it is.
    Send,
    /// Send these octets instead (empty: send nothing).
    Replace(Bytes),
    /// Change its octets first (with the views' setters, say).
    Mutate(Box<dyn FnOnce(&mut BytesMut) + Send>),
    /// Send it in several writes, cut at these offsets (ascending; out of
    /// range cuts are ignored).
    Split(Vec<usize>),
    /// Wait this long, then send it.
    Delay(Duration),
    /// Do not send it at all.
    Drop,
    /// One tamper, then another on what it gave: split, then delay each
    /// write after the first (see [`Tamper::then_delay`]).
    Then(Box<Tamper>, Box<Tamper>),
}

impl fmt::Debug for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Send => f.write_str("Send"),
            Self::Replace(b) => write!(f, "Replace({} octets)", b.len()),
            Self::Mutate(_) => f.write_str("Mutate(..)"),
            Self::Split(at) => write!(f, "Split({at:?})"),
            Self::Delay(d) => write!(f, "Delay({d:?})"),
            Self::Drop => f.write_str("Drop"),
            Self::Then(a, b) => write!(f, "Then({a:?}, {b:?})"),
        }
    }
}

/// One write a tampered packet becomes: wait `delay`, then write `octets`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    /// How long to wait before this write.
    pub delay: Duration,
    /// What to write (never empty).
    pub octets: Bytes,
}

impl Tamper {
    /// `self`, then a pause of `delay` before every write but the first.
    pub fn then_delay(self, delay: Duration) -> Self {
        Self::Then(Box::new(self), Box::new(Self::Delay(delay)))
    }

    /// The writes `packet` becomes.
    pub fn apply(self, packet: Packet) -> Vec<Write> {
        let writes = vec![Write {
            delay: Duration::ZERO,
            octets: packet.octets,
        }];
        self.apply_to(writes)
            .into_iter()
            .filter(|w| !w.octets.is_empty())
            .collect()
    }

    fn apply_to(self, writes: Vec<Write>) -> Vec<Write> {
        match self {
            Self::Send => writes,
            Self::Drop => Vec::new(),
            Self::Replace(octets) => vec![Write {
                delay: writes.first().map_or(Duration::ZERO, |w| w.delay),
                octets,
            }],
            Self::Mutate(change) => {
                let delay = writes.first().map_or(Duration::ZERO, |w| w.delay);
                let mut all = BytesMut::new();
                for w in &writes {
                    all.extend_from_slice(&w.octets);
                }
                change(&mut all);
                vec![Write {
                    delay,
                    octets: all.freeze(),
                }]
            }
            Self::Split(cuts) => writes.into_iter().flat_map(|w| split(w, &cuts)).collect(),
            Self::Delay(delay) => {
                let many = writes.len() > 1;
                writes
                    .into_iter()
                    .enumerate()
                    .map(|(i, w)| Write {
                        // Alone: the packet waits. After a split: the
                        // pieces after the first wait.
                        delay: if !many || i > 0 { delay } else { w.delay },
                        octets: w.octets,
                    })
                    .collect()
            }
            Self::Then(first, second) => second.apply_to(first.apply_to(writes)),
        }
    }
}

/// `write` cut at `cuts` (offsets into it).
fn split(write: Write, cuts: &[usize]) -> Vec<Write> {
    let mut out = Vec::new();
    let mut rest = write.octets;
    let mut at = 0;
    let mut delay = write.delay;
    for &cut in cuts {
        if cut <= at || cut >= at + rest.len() {
            continue;
        }
        let head = rest.split_to(cut - at);
        at = cut;
        out.push(Write {
            delay,
            octets: head,
        });
        delay = Duration::ZERO;
    }
    out.push(Write {
        delay,
        octets: rest,
    });
    out
}

/// Where a packet ends in the outgoing stream, and what it is.
#[derive(Debug)]
pub(super) struct Mark {
    end: u64,
    kind: PacketKind,
}

/// The packet boundaries of a connection that keeps them.
#[derive(Debug, Default)]
pub(super) struct Boundaries {
    marks: std::collections::VecDeque<Mark>,
    /// Octets taken from the send queue so far, into `held`.
    taken: u64,
    /// Where the last packet marked ends.
    marked: u64,
    /// Taken octets not handed out as packets yet; `held[0]` is at stream
    /// offset `taken - held.len()`.
    held: BytesMut,
}

/// Records that the `queued` octets waiting now end a packet of `kind`
/// (a field-level form of `Connection::mark`, for a caller that holds a
/// borrow of another field).
pub(super) fn mark_at(boundaries: &mut Option<Boundaries>, queued: usize, kind: PacketKind) {
    if let Some(b) = boundaries {
        let end = b.taken + queued as u64;
        // Nothing queued since the last mark: no packet (an empty rest of
        // a greeting already sent whole, say).
        if end <= b.marked {
            return;
        }
        b.marked = end;
        b.marks.push_back(Mark { end, kind });
    }
}

impl Connection {
    /// Records that everything queued so far ends a packet of `kind`
    /// (when the connection keeps packet boundaries).
    pub(super) fn mark(&mut self, kind: PacketKind) {
        let queued = self.chunks_len + self.out.len();
        mark_at(&mut self.boundaries, queued, kind);
    }

    /// The next outgoing packet, whole, with what it is (only with
    /// [`Behaviour::packets`](super::Behaviour::packets); `None`
    /// otherwise). Use it instead of [`Connection::poll_transmit`], not
    /// beside it. A PONG owed is encoded when the queue runs dry, as
    /// there.
    #[must_use]
    pub fn poll_packet(&mut self) -> Option<Packet> {
        self.boundaries.as_ref()?;
        if let Some(more) = self.poll_transmit()
            && let Some(b) = &mut self.boundaries
        {
            b.taken += more.len() as u64;
            b.held.extend_from_slice(&more);
        }
        let b = self.boundaries.as_mut()?;
        if b.held.is_empty() {
            return None;
        }
        let start = b.taken - b.held.len() as u64;
        let (len, kind) = match b.marks.front() {
            Some(m) if m.end <= b.taken => {
                let len = usize::try_from(m.end - start).unwrap_or(b.held.len());
                let kind = b.marks.pop_front().map(|m| m.kind)?;
                (len, kind)
            }
            _ => (b.held.len(), PacketKind::Unmarked),
        };
        Some(Packet {
            kind,
            octets: b.held.split_to(len).freeze(),
        })
    }
}

#[cfg(test)]
mod tests;
