//! The streaming decoder: bytes in, in any chunking; commands and whole
//! multipart messages out.
//!
//! ```text
//!  push(&[u8]) / push_buf(BytesMut) / buffer_mut()
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

use bytes::{Buf, Bytes, BytesMut};

use super::frame::{frame_header, zmtp1_frame_header, zmtp2_frame_header};
use super::{Command, FrameHeader, FrameKind, Framing, Parsed, WireError, run};
use crate::Message;

#[cfg(test)]
mod tests;

/// The smallest growth step of the buffer while a large frame body is
/// being received: how much beyond the arrived bytes may be allocated ahead.
pub const MIN_GROWTH: usize = 8 * 1024;

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
    /// Allocation: the buffer grows with what arrives. While a large body
    /// is pending, it grows ahead by at most `max(buffered, MIN_GROWTH)`
    /// octets (and never past the end of the declared body), so capacity
    /// stays below about twice the buffered octets plus a constant, and
    /// receiving a big body costs amortised linear copying. A declared
    /// length alone never causes an allocation.
    pub fn push(&mut self, data: &[u8]) {
        let spare = self.buf.capacity() - self.buf.len();
        if spare < data.len() {
            self.buf.reserve(self.growth(data.len()));
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

    /// The input buffer, for a transport that reads straight into it (e.g.
    /// `read_buf`). Reserve with [`Decoder::reserve_for_read`] to keep the
    /// growth bound of [`Decoder::push`].
    pub fn buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Makes room for a read of up to `len` octets, following the growth
    /// rule of [`Decoder::push`].
    pub fn reserve_for_read(&mut self, len: usize) {
        if self.buf.capacity() - self.buf.len() < len {
            self.buf.reserve(self.growth(len));
        }
    }

    fn growth(&self, incoming: usize) -> usize {
        let Some(header) = self.pending else {
            return incoming;
        };
        let missing = usize::try_from(header.size)
            .unwrap_or(usize::MAX)
            .saturating_sub(self.buf.len());
        incoming.max(missing.min(self.buf.len().max(MIN_GROWTH)))
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
            FrameKind::Command if !self.frames.is_empty() => {
                return Err(WireError::CommandInsideMessage);
            }
            FrameKind::Command => header.size,
            FrameKind::Message { .. } => self.message_size.saturating_add(header.size),
        };
        if let Some(max) = self.max_message_size
            && total > max
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
            self.message_size = total;
        }
        Ok(())
    }
}
