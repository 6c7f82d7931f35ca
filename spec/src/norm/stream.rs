//! libzmq's framing inside a NORM stream (NORM-R04, NORM-R10):
//!
//! ```text
//!   stream = *( flag v2-frame )        flag: 00 = the first frame of a
//!                                      message, FF = a later frame
//!   v2-frame = flags size body         flags: bit 0 MORE, bit 1 LONG;
//!                                      size: 1 octet, or 8 octets if LONG
//! ```
//!
//! A receiver joins at a segment's message start whose flag is 00
//! ([`Deframer`]); after a loss it joins again the same way. libzmq ends a
//! NORM message after every frame; a sender may end one after several
//! messages as long as each marked start is a message's first frame
//! ([`encode_message`] returns nothing to mark: the caller marks where it
//! started writing a message).

use bytes::{Bytes, BytesMut};

/// The flag octet before a message's first frame.
pub const FIRST: u8 = 0x00;
/// The flag octet before a later frame of a message.
pub const LATER: u8 = 0xff;

/// Appends a message (its frames) in libzmq's NORM framing.
pub fn encode_message<F: AsRef<[u8]>>(frames: &[F], out: &mut Vec<u8>) {
    let n = frames.len();
    for (i, f) in frames.iter().enumerate() {
        let f = f.as_ref();
        out.push(if i == 0 { FIRST } else { LATER });
        let more = u8::from(i + 1 < n);
        match u8::try_from(f.len()) {
            Ok(len) => {
                out.push(more);
                out.push(len);
            }
            Err(_) => {
                out.push(more | 0x02);
                out.extend_from_slice(&(f.len() as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(f);
    }
}

/// Why the deframer dropped back to seeking a message start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// A flag octet other than 00 or FF, or one that contradicts the
    /// previous frame's MORE bit (NORM-R10).
    #[error("NORM stream flag octet out of order")]
    BadFlag,
    /// A frame flags octet with reserved bits set (NORM-R10).
    #[error("ZMTP frame flags with reserved bits set")]
    BadFrameFlags,
    /// A frame larger than the receiver's MAXMSGSIZE.
    #[error("frame larger than the maximum message size")]
    TooLarge,
}

#[derive(Debug)]
enum State {
    /// Waiting for a marked message start.
    Seeking,
    /// At a marked start: its flag must be [`FIRST`].
    SyncFlag,
    /// Joined, before a frame's flag octet.
    Flag,
    /// Before a frame's flags octet.
    FrameFlags,
    /// Reading the size (`want` octets, `got` so far).
    Size {
        more: bool,
        want: u8,
        got: u8,
        acc: u64,
    },
    /// Reading the body.
    Body { more: bool, left: usize },
}

/// One source's stream as a receiver reads it, in offset order.
#[derive(Debug)]
pub struct Deframer {
    state: State,
    max_msg_size: Option<usize>,
    body: BytesMut,
    frames: Vec<Bytes>,
}

impl Deframer {
    /// A deframer that has not joined; `max_msg_size` bounds one frame.
    pub fn new(max_msg_size: Option<usize>) -> Self {
        Self {
            state: State::Seeking,
            max_msg_size,
            body: BytesMut::new(),
            frames: Vec::new(),
        }
    }

    /// Whether it has joined the stream.
    pub fn is_joined(&self) -> bool {
        !matches!(self.state, State::Seeking | State::SyncFlag)
    }

    /// Forgets partial data and seeks the next marked message start (after
    /// a loss).
    pub fn reset(&mut self) {
        self.state = State::Seeking;
        self.body.clear();
        self.frames.clear();
    }

    /// Reads the next stretch of the stream; `msg_start` marks where in
    /// `data` a message starts, if one does. Whole messages go to `out`.
    /// On an error the deframer resets (and the rest of `data` is skipped
    /// up to no further start: the next marked segment joins again).
    pub fn feed(
        &mut self,
        data: &[u8],
        msg_start: Option<usize>,
        out: &mut Vec<Vec<Bytes>>,
    ) -> Result<(), StreamError> {
        let r = self.read(data, msg_start, out);
        if r.is_err() {
            self.reset();
        }
        r
    }

    fn read(
        &mut self,
        mut data: &[u8],
        msg_start: Option<usize>,
        out: &mut Vec<Vec<Bytes>>,
    ) -> Result<(), StreamError> {
        if let State::Seeking = self.state {
            match msg_start {
                Some(i) if i < data.len() => {
                    data = &data[i..];
                    self.state = State::SyncFlag;
                }
                _ => return Ok(()),
            }
        }
        while let Some((&b, rest)) = data.split_first() {
            match &mut self.state {
                State::Seeking => return Ok(()),
                State::SyncFlag => {
                    data = rest;
                    // A later frame at a marked start: keep seeking.
                    self.state = if b == FIRST {
                        State::FrameFlags
                    } else {
                        State::Seeking
                    };
                }
                State::Flag => {
                    data = rest;
                    let expected = if self.frames.is_empty() { FIRST } else { LATER };
                    if b != expected {
                        return Err(StreamError::BadFlag);
                    }
                    self.state = State::FrameFlags;
                }
                State::FrameFlags => {
                    data = rest;
                    if b & !0x03 != 0 {
                        return Err(StreamError::BadFrameFlags);
                    }
                    let want = if b & 0x02 != 0 { 8 } else { 1 };
                    self.state = State::Size {
                        more: b & 0x01 != 0,
                        want,
                        got: 0,
                        acc: 0,
                    };
                }
                State::Size {
                    more,
                    want,
                    got,
                    acc,
                } => {
                    data = rest;
                    *acc = (*acc << 8) | u64::from(b);
                    *got += 1;
                    if *got == *want {
                        let more = *more;
                        let n = usize::try_from(*acc).map_err(|_| StreamError::TooLarge)?;
                        if self.max_msg_size.is_some_and(|m| n > m) {
                            return Err(StreamError::TooLarge);
                        }
                        self.state = State::Body { more, left: n };
                        if n == 0 {
                            self.finish(more, out);
                        }
                    }
                }
                State::Body { more, left } => {
                    let k = (*left).min(data.len());
                    self.body.extend_from_slice(&data[..k]);
                    data = &data[k..];
                    *left -= k;
                    if *left == 0 {
                        let more = *more;
                        self.finish(more, out);
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, more: bool, out: &mut Vec<Vec<Bytes>>) {
        self.frames.push(self.body.split().freeze());
        if !more {
            out.push(std::mem::take(&mut self.frames));
        }
        self.state = State::Flag;
    }
}
