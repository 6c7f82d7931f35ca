//! The streaming decoder: bytes in, in any chunking; commands and whole
//! multipart messages out.
//!
//! ```text
//!  push(&[u8]) / push_buf(BytesMut) / read_buffer(chunk) + a transport read
//!        |
//!        v
//!  [ buffer ] --frame_header--> limits (MAXMSGSIZE, G09) --split_to--> body: Bytes
//!                                                                   |
//!                       command frame: Item::Command / RawCommand <-+-> message frame:
//!                                                                        gathered until
//!                                                                        the last one:
//!                                                                        Item::Message
//! ```
//!
//! Frame bodies are split off the input buffer ([`BytesMut::split_to`] +
//! `freeze`): no body is copied after it arrived. The buffer grows only as
//! bytes arrive, whatever size a peer declares: see [`Decoder::push`].
//!
//! # Large frames
//!
//! Once a frame header is read and its body has not all arrived, the
//! buffer is moved (with the few body octets it holds) to an allocation
//! sized for the rest of the body, within the growth bound, so the body
//! is received into one buffer without regrowing. A transport that reads
//! straight into [`Decoder::read_buffer`] is offered exactly the missing
//! body plus [`READ_AHEAD`] octets (enough for the next frame header):
//! the kernel writes the body where the message will keep it, and no
//! octet of it is copied afterwards.

use bytes::buf::Limit;
use bytes::{Buf, BufMut, Bytes, BytesMut};

use super::frame::{frame_header, zmtp1_frame_header, zmtp2_frame_header};
use super::{Command, FrameHeader, FrameKind, Framing, Parsed, WireError, run};
use crate::Message;

#[cfg(test)]
mod tests;

/// The smallest growth step of the buffer while a frame body larger than
/// [`BODY_AHEAD`] is being received: how much beyond the arrived bytes may
/// be allocated ahead.
pub const MIN_GROWTH: usize = 8 * 1024;

/// A frame body up to this size gets, once its header is read, one
/// allocation of its own size (plus [`READ_AHEAD`]), whatever has arrived
/// of it; a larger body grows geometrically as it arrives, by at most
/// `max(buffered, MIN_GROWTH)` at a time. The capacity therefore stays
/// within `max(2 × buffered + MIN_GROWTH, BODY_AHEAD + READ_AHEAD)`,
/// however large the declared size.
pub const BODY_AHEAD: usize = 64 * 1024;

/// Octets read past the end of a pending body by [`Decoder::read_buffer`]:
/// room for the next frame header and a small frame, so that one read per
/// large frame suffices, while the next large body still starts its own
/// allocation after at most this many octets are copied.
pub const READ_AHEAD: usize = 64;

/// A body at least this large, once complete, makes the next read between
/// frames [`READ_AHEAD`] octets: a sender's write often ends with a large
/// body, and a full-sized read after it would bring most of the next body
/// into the shared buffer, to be copied out when its header is decoded.
const LARGE_BODY: usize = 8 * 1024;

/// What the decoder produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A command, parsed (3.x framing only).
    Command(Command),
    /// The body of a command frame, unparsed, when the decoder was told to
    /// leave commands raw ([`Decoder::set_raw_commands`]): what a CURVE
    /// connection needs, since its READY is a box, not metadata.
    RawCommand(Bytes),
    /// A whole multipart message (37-R21: all frames or none).
    Message(Message),
}

/// A streaming ZMTP frame decoder.
///
/// Call order: push bytes, then call [`Decoder::poll_item`] until it returns
/// `Ok(None)` ("need more bytes"). An error is final: the connection must
/// be closed, and every later call returns the same error.
#[derive(Debug)]
pub struct Decoder {
    buf: BytesMut,
    framing: Framing,
    max_message_size: Option<u64>,
    raw_commands: bool,
    /// The header of the frame whose body is being received.
    pending: Option<FrameHeader>,
    /// The frames of the message being gathered.
    frames: Vec<Bytes>,
    /// Their total size.
    message_size: u64,
    /// A large body just completed: the next read between frames is short.
    after_large: bool,
    error: Option<WireError>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(Framing::Zmtp3)
    }
}

impl Decoder {
    /// A decoder for `framing`, with no size limit and parsed commands.
    pub fn new(framing: Framing) -> Self {
        Self {
            buf: BytesMut::new(),
            framing,
            max_message_size: None,
            raw_commands: false,
            pending: None,
            frames: Vec::new(),
            message_size: 0,
            after_large: false,
            error: None,
        }
    }

    /// Builder form of [`Decoder::set_max_message_size`].
    #[must_use]
    pub fn with_max_message_size(mut self, max: Option<u64>) -> Self {
        self.max_message_size = max;
        self
    }

    /// Sets the largest message accepted, all frames together (libzmq's
    /// ZMQ_MAXMSGSIZE; `None` = unlimited). The limit is checked against
    /// each frame's *declared* size before any of its body is buffered. It
    /// also bounds each command frame on its own (libzmq checks every
    /// frame, commands included).
    ///
    /// The whole message, not each frame as libzmq counts it: the decoder
    /// gathers a multipart message before it hands it out (37-R21), so
    /// only a bound on the whole bounds what a peer can make it hold; a
    /// per-frame bound would let a message of many frames each under the
    /// limit grow without end. For the same reason the number of frames
    /// is bounded too, by [`max_frames`] (empty frames add no octets but
    /// still cost memory): under a limit of `max` octets a message may
    /// have up to `max` frames.
    pub fn set_max_message_size(&mut self, max: Option<u64>) {
        self.max_message_size = max;
    }

    /// The configured maximum message size.
    pub fn max_message_size(&self) -> Option<u64> {
        self.max_message_size
    }

    /// Switches framing, e.g. after the greeting chose 2.0 or 1.0. Bytes
    /// already buffered are decoded with the new framing. Switching in the
    /// middle of a frame or message is a caller bug; the partial frame or
    /// message is kept and finished with the new framing.
    pub fn set_framing(&mut self, framing: Framing) {
        self.framing = framing;
    }

    /// The current framing.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Whether command frames come out as [`Item::RawCommand`] instead of
    /// parsed [`Item::Command`].
    pub fn set_raw_commands(&mut self, raw: bool) {
        self.raw_commands = raw;
    }

    /// Appends received bytes (one copy into the buffer).
    ///
    /// Allocation: the buffer grows with what arrives. While a body is
    /// pending, the buffer is moved to an allocation that reaches the end
    /// of the body if it is at most [`BODY_AHEAD`] octets, else at most
    /// `max(buffered, MIN_GROWTH)` octets ahead: a body up to
    /// [`BODY_AHEAD`] octets is received without regrowing, a bigger one
    /// costs amortised linear copying, and capacity stays below twice the
    /// buffered octets plus [`BODY_AHEAD`] + [`READ_AHEAD`]. A declared
    /// length alone never causes an allocation beyond that.
    pub fn push(&mut self, data: &[u8]) {
        if self.buf.capacity() - self.buf.len() < data.len() {
            self.grow(data.len());
        }
        self.buf.extend_from_slice(data);
    }

    /// Appends a received buffer; when nothing is buffered it is taken
    /// as-is, without a copy.
    pub fn push_buf(&mut self, data: BytesMut) {
        if self.buf.is_empty() {
            self.buf = data;
        } else {
            self.push(&data);
        }
    }

    /// The input buffer, for code that parses the octets in place (the
    /// greeting rules). To read into it from a transport, use
    /// [`Decoder::read_buffer`], which keeps the growth bound.
    pub fn buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Room for the next transport read, in the input buffer itself: write
    /// the received octets into it (`BufMut`; e.g. tokio's `try_read_buf`)
    /// and call [`Decoder::poll_item`]. Between frames the room is about
    /// `chunk` octets; while a frame body is pending it is the missing
    /// body plus [`READ_AHEAD`] octets, in an allocation made for that
    /// body (see [`Decoder::push`] for the bound), so the body is never
    /// copied. The room is never empty.
    pub fn read_buffer(&mut self, chunk: usize) -> Limit<&mut BytesMut> {
        let chunk = chunk.max(1);
        let want = match self.missing_large() {
            Some(missing) => missing.saturating_add(READ_AHEAD),
            None if std::mem::take(&mut self.after_large) => READ_AHEAD,
            None => chunk,
        };
        self.reserve_for_read(want);
        let spare = self.buf.capacity() - self.buf.len();
        (&mut self.buf).limit(want.min(spare))
    }

    /// Makes room for a read of up to `len` octets, following the growth
    /// rule of [`Decoder::push`]: while a body is pending, a large `len`
    /// does not grow the buffer past that rule (the room may be smaller
    /// than `len`, never zero). Between frames, a spare capacity of a
    /// quarter of `len` or more is used as it is (a read into it is
    /// cheaper than a new allocation).
    pub fn reserve_for_read(&mut self, len: usize) {
        let len = len.max(1);
        let spare = self.buf.capacity() - self.buf.len();
        match self.missing_large() {
            Some(missing) => {
                // Move only when the body itself does not fit: the octets
                // past it are welcome, not worth a copy.
                let room = self.body_room(missing);
                if spare < len.min(missing).min(room) {
                    self.move_to(room);
                }
            }
            None if spare < len.div_ceil(4) => self.buf.reserve(len),
            None => {}
        }
    }

    /// [`Decoder::missing`] for a body large enough ([`LARGE_BODY`]) to
    /// get an allocation and reads of its own; a small one is read and
    /// buffered with what follows it.
    fn missing_large(&self) -> Option<usize> {
        self.missing()
            .filter(|_| self.pending.is_some_and(|h| h.size >= LARGE_BODY as u64))
    }

    /// The octets of the pending frame body not yet buffered, if a frame
    /// header has been read and its body has not all arrived.
    fn missing(&self) -> Option<usize> {
        let header = self.pending?;
        let size = usize::try_from(header.size).unwrap_or(usize::MAX);
        Some(size.saturating_sub(self.buf.len())).filter(|&m| m > 0)
    }

    /// How far beyond the buffered octets the buffer may reach for a body
    /// missing `missing` octets: to the end of the body and [`READ_AHEAD`]
    /// octets more if the body is at most [`BODY_AHEAD`] octets, else at
    /// most `max(buffered, MIN_GROWTH)` (geometric growth).
    fn body_room(&self, missing: usize) -> usize {
        let room = missing.saturating_add(READ_AHEAD);
        if missing.saturating_add(self.buf.len()) <= BODY_AHEAD {
            room
        } else {
            room.min(self.buf.len().max(MIN_GROWTH))
        }
    }

    /// Makes room for `incoming` octets that must be stored.
    fn grow(&mut self, incoming: usize) {
        match self.missing_large() {
            Some(missing) => {
                let room = incoming.max(self.body_room(missing));
                self.move_to(room);
            }
            None => self.buf.reserve(incoming),
        }
    }

    /// Moves the buffered octets to a new allocation with exactly `room`
    /// octets of spare capacity (exact, unlike `reserve`, which may double:
    /// the bound of [`Decoder::push`] rests on it). Copies only the
    /// buffered part of the pending body.
    fn move_to(&mut self, room: usize) {
        let mut fresh = BytesMut::with_capacity(self.buf.len().saturating_add(room));
        fresh.extend_from_slice(&self.buf);
        self.buf = fresh;
    }

    /// The number of octets buffered and not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The capacity of the input buffer (what it has allocated).
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Whether the decoder is between messages: no frame or message is
    /// partly received. Undecoded bytes may still be buffered.
    pub fn is_idle(&self) -> bool {
        self.pending.is_none() && self.frames.is_empty()
    }

    /// Takes the undecoded bytes out of the decoder.
    pub fn take_buffered(&mut self) -> BytesMut {
        self.buf.split()
    }

    /// Decodes the next command or whole message, `Ok(None)` if more bytes
    /// are needed.
    ///
    /// # Errors
    /// The frame or command grammar's [`WireError`];
    /// [`WireError::CommandInsideMessage`] for a command between the frames
    /// of a message (G09); [`WireError::MessageTooLarge`] past the maximum
    /// message size; [`WireError::UnexpectedFrame`] is not raised by the
    /// 2.0/1.0 grammars, which reject the COMMAND bit as reserved. Errors
    /// are final.
    pub fn poll_item(&mut self) -> Result<Option<Item>, WireError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        let result = self.decode();
        if let Err(error) = &result {
            self.error = Some(error.clone());
        }
        result
    }

    fn decode(&mut self) -> Result<Option<Item>, WireError> {
        loop {
            let header = match self.pending {
                Some(header) => header,
                None => {
                    let Some(header) = self.header()? else {
                        return Ok(None);
                    };
                    header
                }
            };
            // `header()` checked that the size fits in usize.
            let size = header.size as usize;
            if self.buf.len() < size {
                self.pending = Some(header);
                return Ok(None);
            }
            self.pending = None;
            self.after_large = size >= LARGE_BODY;
            let body = self.buf.split_to(size).freeze();
            match header.kind {
                FrameKind::Command => {
                    let item = if self.raw_commands {
                        Item::RawCommand(body)
                    } else {
                        Item::Command(Command::parse(&body)?)
                    };
                    return Ok(Some(item));
                }
                FrameKind::Message { more: false } if self.frames.is_empty() => {
                    self.message_size = 0;
                    return Ok(Some(Item::Message(Message::from(body))));
                }
                FrameKind::Message { more } => {
                    self.frames.push(body);
                    if !more {
                        self.message_size = 0;
                        let frames = std::mem::take(&mut self.frames);
                        return Ok(Some(Item::Message(Message::from(frames))));
                    }
                }
            }
        }
    }

    /// Reads and checks the next frame header, consuming it.
    fn header(&mut self) -> Result<Option<FrameHeader>, WireError> {
        let rule = match self.framing {
            Framing::Zmtp3 => frame_header,
            Framing::Zmtp2 => zmtp2_frame_header,
            Framing::Zmtp1 => zmtp1_frame_header,
        };
        let (header, used) = match run(rule, &self.buf)? {
            Parsed::Done(header, used) => (header, used),
            Parsed::Incomplete(_) => return Ok(None),
        };
        self.check(&header)?;
        self.buf.advance(used);
        Ok(Some(header))
    }

    /// The limits, on the declared size, before any body is buffered.
    fn check(&mut self, header: &FrameHeader) -> Result<(), WireError> {
        let total = match header.kind {
            FrameKind::Command
                if !self.frames.is_empty() && !crate::mutant!(CommandInsideMessage) =>
            {
                return Err(WireError::CommandInsideMessage);
            }
            FrameKind::Command => header.size,
            FrameKind::Message { .. } => self.message_size.saturating_add(header.size),
        };
        if let Some(max) = self.max_message_size
            && total > max
            && !crate::mutant!(MaxMsgSizeIgnored)
        {
            return Err(WireError::MessageTooLarge { size: total, max });
        }
        if usize::try_from(header.size).is_err() {
            return Err(WireError::MessageTooLarge {
                size: header.size,
                max: usize::MAX as u64,
            });
        }
        if let FrameKind::Message { .. } = header.kind {
            if let Some(max) = self.max_message_size
                && self.frames.len() as u64 >= max_frames(max)
            {
                return Err(WireError::TooManyFrames {
                    max: max_frames(max),
                });
            }
            self.message_size = total;
        }
        Ok(())
    }
}

/// The most frames a message may have under a maximum message size of
/// `max` octets: one per octet, and one at least (so that a limit of 0
/// still lets an empty message through). Together with the octet bound
/// this bounds the memory a message takes while it is gathered, even one
/// made of empty frames.
pub const fn max_frames(max: u64) -> u64 {
    if max == 0 { 1 } else { max }
}
