//! libzmq's payload convention over PGM: each TSDU opens with a
//! big-endian 16-bit offset, then carries a stretch of a ZMTP/1.0-style
//! frame stream (PGM-R30..PGM-R34).
//!
//! ```text
//!   tsdu   = offset(2) *octet        offset: where the first message that
//!                                    starts in this TSDU begins, counted
//!                                    after the two offset octets; FFFF
//!                                    when none starts here
//!   stream = *frame                  (the session's TSDUs, concatenated)
//!   frame  = length flags body       length counts the flags octet:
//!                                    1 octet (1-254) or FF + 8 octets BE;
//!                                    flags: bit 0 = MORE, others zero
//! ```
//!
//! A receiver that joins late, or loses data, skips to the next TSDU with
//! an offset and decodes from there ([`Joiner`]); frames split across
//! TSDUs freely. There is no greeting, no handshake and no subscription
//! upstream: a subscriber filters what arrives.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

/// The offset that says no message starts in this TSDU.
pub const NO_MESSAGE_START: u16 = 0xffff;
/// Octets of the offset header.
pub const OFFSET_LEN: usize = 2;

/// What is wrong with a received stream (the source is dropped back to
/// unjoined, as libzmq does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// A TSDU shorter than its offset header (PGM-R30).
    #[error("TSDU shorter than the offset header")]
    Short,
    /// An offset beyond the TSDU (PGM-R31).
    #[error("message offset beyond the TSDU")]
    OffsetOutOfRange,
    /// A frame length of zero: it must count the flags octet (PGM-R32).
    #[error("frame length zero")]
    ZeroLength,
    /// A frame larger than the receiver's MAXMSGSIZE (PGM-R33).
    #[error("frame larger than the maximum message size")]
    TooLarge,
}

/// Appends one frame in the stream's framing (PGM-R32).
pub fn encode_frame(frame: &[u8], more: bool, out: &mut Vec<u8>) {
    let len = frame.len() as u64 + 1;
    if len < 255 {
        // Checked just above.
        #[allow(clippy::cast_possible_truncation)]
        out.push(len as u8);
    } else {
        out.push(0xff);
        out.extend_from_slice(&len.to_be_bytes());
    }
    out.push(u8::from(more));
    out.extend_from_slice(frame);
}

/// Packs messages into TSDUs the way libzmq's PGM sender does: each TSDU
/// is as full as the queued messages allow, and its offset names the
/// first message starting in it (PGM-R31).
#[derive(Debug, Default)]
pub struct Packer {
    /// Encoded octets not yet in a TSDU.
    stream: VecDeque<u8>,
    /// Stream positions (relative to `stream`'s front) where messages
    /// start.
    starts: VecDeque<usize>,
}

impl Packer {
    /// A packer with nothing queued.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a message (its frames, MORE on all but the last).
    pub fn push<F: AsRef<[u8]>>(&mut self, frames: &[F]) {
        self.starts.push_back(self.stream.len());
        let mut buf = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            encode_frame(f.as_ref(), i + 1 < frames.len(), &mut buf);
        }
        self.stream.extend(buf);
    }

    /// Octets queued.
    pub fn queued(&self) -> usize {
        self.stream.len()
    }

    /// The next TSDU of at most `max_tsdu` octets (at least 3), or `None`
    /// when nothing is queued.
    pub fn next_tsdu(&mut self, max_tsdu: usize) -> Option<Vec<u8>> {
        if self.stream.is_empty() {
            return None;
        }
        let room = max_tsdu.max(OFFSET_LEN + 1) - OFFSET_LEN;
        let take = room.min(self.stream.len());
        let offset = match self.starts.front() {
            // A message start inside this TSDU, below FFFF.
            #[allow(clippy::cast_possible_truncation)]
            Some(&s) if s < take && s < usize::from(NO_MESSAGE_START) => s as u16,
            _ => NO_MESSAGE_START,
        };
        let mut out = Vec::with_capacity(OFFSET_LEN + take);
        out.extend_from_slice(&offset.to_be_bytes());
        out.extend(self.stream.drain(..take));
        while self.starts.front().is_some_and(|&s| s < take) {
            self.starts.pop_front();
        }
        for s in &mut self.starts {
            *s -= take;
        }
        Some(out)
    }
}

#[derive(Debug)]
enum Step {
    /// Reading the first length octet.
    Length,
    /// Reading the 8-octet length; octets so far.
    LongLength(Vec<u8>),
    /// Reading the flags octet of a frame of this body length.
    Flags(usize),
    /// Reading a body.
    Body { more: bool, left: usize },
}

#[derive(Debug)]
enum JoinState {
    /// Waiting for a TSDU with a message start (PGM-R34).
    Unjoined,
    /// Decoding.
    Joined(Step),
}

/// One source's stream as a receiver reads it: joins at the first message
/// start, decodes frames across TSDUs, and yields whole messages
/// (PGM-R34).
#[derive(Debug)]
pub struct Joiner {
    state: JoinState,
    max_msg_size: Option<usize>,
    body: BytesMut,
    frames: Vec<Bytes>,
}

impl Joiner {
    /// A joiner for a new source; `max_msg_size` bounds one frame (libzmq's
    /// MAXMSGSIZE; `None` for no bound).
    pub fn new(max_msg_size: Option<usize>) -> Self {
        Self {
            state: JoinState::Unjoined,
            max_msg_size,
            body: BytesMut::new(),
            frames: Vec::new(),
        }
    }

    /// Whether the stream has been joined.
    pub fn is_joined(&self) -> bool {
        matches!(self.state, JoinState::Joined(_))
    }

    /// Forgets partial data: after a loss the stream is joined again at the
    /// next message start.
    pub fn reset(&mut self) {
        self.state = JoinState::Unjoined;
        self.body.clear();
        self.frames.clear();
    }

    /// Reads one TSDU in sequence order; complete messages are appended to
    /// `out`. On error the joiner is reset and the error returned.
    pub fn handle_tsdu(
        &mut self,
        tsdu: &[u8],
        out: &mut Vec<Vec<Bytes>>,
    ) -> Result<(), PayloadError> {
        let r = self.read(tsdu, out);
        if r.is_err() {
            self.reset();
        }
        r
    }

    fn read(&mut self, tsdu: &[u8], out: &mut Vec<Vec<Bytes>>) -> Result<(), PayloadError> {
        if tsdu.len() < OFFSET_LEN {
            return Err(PayloadError::Short);
        }
        let offset = u16::from_be_bytes([tsdu[0], tsdu[1]]);
        let mut data = &tsdu[OFFSET_LEN..];
        if let JoinState::Unjoined = self.state {
            if offset == NO_MESSAGE_START {
                return Ok(());
            }
            let o = usize::from(offset);
            if o > data.len() {
                return Err(PayloadError::OffsetOutOfRange);
            }
            data = &data[o..];
            self.state = JoinState::Joined(Step::Length);
        }
        while !data.is_empty() {
            let JoinState::Joined(step) = &mut self.state else {
                return Ok(());
            };
            match step {
                Step::Length => {
                    let b = data[0];
                    data = &data[1..];
                    if b == 0xff {
                        *step = Step::LongLength(Vec::with_capacity(8));
                    } else if b == 0 {
                        return Err(PayloadError::ZeroLength);
                    } else {
                        let n = usize::from(b) - 1;
                        self.check(n)?;
                        self.state = JoinState::Joined(Step::Flags(n));
                    }
                }
                Step::LongLength(got) => {
                    let k = (8 - got.len()).min(data.len());
                    got.extend_from_slice(&data[..k]);
                    data = &data[k..];
                    if got.len() == 8 {
                        let mut a = [0; 8];
                        a.copy_from_slice(got);
                        let len = u64::from_be_bytes(a);
                        if len == 0 {
                            return Err(PayloadError::ZeroLength);
                        }
                        let n = usize::try_from(len - 1).map_err(|_| PayloadError::TooLarge)?;
                        self.check(n)?;
                        self.state = JoinState::Joined(Step::Flags(n));
                    }
                }
                Step::Flags(n) => {
                    let more = data[0] & 1 != 0;
                    let left = *n;
                    data = &data[1..];
                    // Reserve only what this TSDU can deliver now; the rest
                    // grows as it arrives.
                    self.body.reserve(left.min(data.len()));
                    *step = Step::Body { more, left };
                    if left == 0 {
                        self.finish_frame(more, out);
                    }
                }
                Step::Body { more, left } => {
                    let k = (*left).min(data.len());
                    self.body.extend_from_slice(&data[..k]);
                    data = &data[k..];
                    *left -= k;
                    if *left == 0 {
                        let more = *more;
                        self.finish_frame(more, out);
                    }
                }
            }
        }
        Ok(())
    }

    fn check(&self, n: usize) -> Result<(), PayloadError> {
        match self.max_msg_size {
            Some(max) if n > max => Err(PayloadError::TooLarge),
            _ => Ok(()),
        }
    }

    fn finish_frame(&mut self, more: bool, out: &mut Vec<Vec<Bytes>>) {
        self.frames.push(self.body.split().freeze());
        if !more {
            out.push(std::mem::take(&mut self.frames));
        }
        self.state = JoinState::Joined(Step::Length);
    }
}
