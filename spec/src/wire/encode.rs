//! The encoder: the exact inverse of the grammar.
//!
//! Every value has [`Encode::encoded_len`] and [`Encode::encode`]. Sizes use
//! the short form whenever the body fits in 255 octets (G07), so decoding
//! and re-encoding canonical input gives the same octets. A value the
//! grammar forbids (an empty property name, a PING context over 16 octets,
//! ...) is refused with an [`EncodeError`] before anything is written.

use bytes::{BufMut, Bytes, BytesMut};

use super::command::MAX_PING_CONTEXT;
use super::frame::{MAX_LONG_SIZE, MAX_SHORT_SIZE, MAX_ZMTP1_SHORT_LENGTH};
use super::{
    Command, EncodeError, Flags, Frame, FrameHeader, FrameKind, Framing, Metadata, Property,
    SubscriptionMessage,
};
use crate::Message;

#[cfg(test)]
mod tests;

/// A value with a wire encoding.
pub trait Encode {
    /// The exact number of octets [`Encode::encode`] writes.
    fn encoded_len(&self) -> usize;

    /// Checks the value against the grammar without writing anything.
    ///
    /// # Errors
    /// The [`EncodeError`] naming the rule the value breaks.
    fn check(&self) -> Result<(), EncodeError>;

    /// Writes the value's octets to `dst`, after [`Encode::check`]: on error
    /// nothing is written.
    ///
    /// # Errors
    /// The [`EncodeError`] from [`Encode::check`].
    fn encode<B: BufMut>(&self, dst: &mut B) -> Result<(), EncodeError> {
        self.check()?;
        self.encode_unchecked(dst);
        Ok(())
    }

    /// Writes the octets of a value that passed [`Encode::check`].
    fn encode_unchecked<B: BufMut>(&self, dst: &mut B);

    /// The encoding as a new buffer of exactly [`Encode::encoded_len`]
    /// octets.
    ///
    /// # Errors
    /// The [`EncodeError`] from [`Encode::check`].
    fn to_bytes(&self) -> Result<Bytes, EncodeError> {
        self.check()?;
        let mut dst = BytesMut::with_capacity(self.encoded_len());
        self.encode_unchecked(&mut dst);
        Ok(dst.freeze())
    }
}

/// Writes a frame header in `framing`, short sizes whenever they fit.
///
/// # Errors
/// [`EncodeError::FrameTooLarge`] above 2^63-1 octets (G07);
/// [`EncodeError::CommandInLegacyFraming`] for a command in 2.0/1.0.
pub fn encode_header<B: BufMut>(
    header: &FrameHeader,
    framing: Framing,
    dst: &mut B,
) -> Result<(), EncodeError> {
    check_header(header, framing)?;
    encode_header_unchecked(header, framing, dst);
    Ok(())
}

fn check_header(header: &FrameHeader, framing: Framing) -> Result<(), EncodeError> {
    if header.kind == FrameKind::Command && framing != Framing::Zmtp3 {
        return Err(EncodeError::CommandInLegacyFraming);
    }
    let limit = match framing {
        Framing::Zmtp3 | Framing::Zmtp2 => MAX_LONG_SIZE,
        // The 1.0 length counts the flags octet.
        Framing::Zmtp1 => u64::MAX - 1,
    };
    if header.size > limit {
        return Err(EncodeError::FrameTooLarge(header.size));
    }
    Ok(())
}

fn encode_header_unchecked<B: BufMut>(header: &FrameHeader, framing: Framing, dst: &mut B) {
    let flags = header.kind_flags();
    match framing {
        Framing::Zmtp3 | Framing::Zmtp2 => {
            if header.size <= MAX_SHORT_SIZE as u64 {
                dst.put_slice(&[flags, header.size as u8]);
            } else {
                dst.put_u8(flags | Flags::LONG);
                dst.put_u64(header.size);
            }
        }
        Framing::Zmtp1 => {
            let length = header.size + 1;
            if length <= MAX_ZMTP1_SHORT_LENGTH as u64 {
                dst.put_u8(length as u8);
            } else {
                dst.put_u8(0xFF);
                dst.put_u64(length);
            }
            dst.put_u8(flags & Flags::MORE);
        }
    }
}

impl Frame {
    /// The header of this frame.
    pub fn header(&self) -> FrameHeader {
        FrameHeader {
            kind: self.kind,
            size: self.body.len() as u64,
        }
    }

    /// The encoded length in `framing`.
    pub fn encoded_len_in(&self, framing: Framing) -> usize {
        self.header().encoded_len(framing) + self.body.len()
    }

    /// Writes the frame in `framing` (3.x: [`Encode::encode`]).
    ///
    /// # Errors
    /// See [`encode_header`].
    pub fn encode_in<B: BufMut>(&self, framing: Framing, dst: &mut B) -> Result<(), EncodeError> {
        encode_header(&self.header(), framing, dst)?;
        dst.put_slice(&self.body);
        Ok(())
    }
}

/// A frame in ZMTP 3.x framing (G06, G07).
impl Encode for Frame {
    fn encoded_len(&self) -> usize {
        self.encoded_len_in(Framing::Zmtp3)
    }
    fn check(&self) -> Result<(), EncodeError> {
        check_header(&self.header(), Framing::Zmtp3)
    }
    fn encode_unchecked<B: BufMut>(&self, dst: &mut B) {
        encode_header_unchecked(&self.header(), Framing::Zmtp3, dst);
        dst.put_slice(&self.body);
    }
}

fn message_frames(message: &Message) -> impl Iterator<Item = FrameHeader> + '_ {
    let last = message.len().saturating_sub(1);
    message
        .iter()
        .enumerate()
        .map(move |(i, body)| FrameHeader {
            kind: FrameKind::Message { more: i < last },
            size: body.len() as u64,
        })
}

/// The encoded length of `message` in `framing`.
pub fn message_encoded_len(message: &Message, framing: Framing) -> usize {
    message_frames(message)
        .map(|h| h.encoded_len(framing) + h.size as usize)
        .sum()
}

/// Writes `message` in `framing`: MORE on every frame but the last (G09,
/// 37-R21).
///
/// # Errors
/// [`EncodeError::EmptyMessage`] for a message with no frames; see also
/// [`encode_header`].
pub fn encode_message<B: BufMut>(
    message: &Message,
    framing: Framing,
    dst: &mut B,
) -> Result<(), EncodeError> {
    if message.is_empty() {
        return Err(EncodeError::EmptyMessage);
    }
    for header in message_frames(message) {
        check_header(&header, framing)?;
    }
    for (header, body) in message_frames(message).zip(message.iter()) {
        encode_header_unchecked(&header, framing, dst);
        dst.put_slice(body);
    }
    Ok(())
}

/// A multipart message in ZMTP 3.x framing.
impl Encode for Message {
    fn encoded_len(&self) -> usize {
        message_encoded_len(self, Framing::Zmtp3)
    }
    fn check(&self) -> Result<(), EncodeError> {
        if self.is_empty() {
            return Err(EncodeError::EmptyMessage);
        }
        message_frames(self).try_for_each(|h| check_header(&h, Framing::Zmtp3))
    }
    fn encode_unchecked<B: BufMut>(&self, dst: &mut B) {
        for (header, body) in message_frames(self).zip(self.iter()) {
            encode_header_unchecked(&header, Framing::Zmtp3, dst);
            dst.put_slice(body);
        }
    }
}

/// `property = name-len name value-len value` (37-R26, 37-R28, 37-R29, G10).
impl Encode for Property {
    fn encoded_len(&self) -> usize {
        1 + self.name.len() + 4 + self.value.len()
    }
    fn check(&self) -> Result<(), EncodeError> {
        if self.value.len() > super::metadata::MAX_VALUE_LEN {
            return Err(EncodeError::PropertyValueTooLong(self.value.len()));
        }
        if !self.is_valid() {
            return Err(EncodeError::BadPropertyName);
        }
        Ok(())
    }
    fn encode_unchecked<B: BufMut>(&self, dst: &mut B) {
        dst.put_u8(self.name.len() as u8);
        dst.put_slice(&self.name);
        dst.put_u32(self.value.len() as u32);
        dst.put_slice(&self.value);
    }
}

/// `metadata = *property` (G10): the properties back to back.
impl Encode for Metadata {
    fn encoded_len(&self) -> usize {
        self.properties().iter().map(Encode::encoded_len).sum()
    }
    fn check(&self) -> Result<(), EncodeError> {
        self.properties().iter().try_for_each(Encode::check)
    }
    fn encode_unchecked<B: BufMut>(&self, dst: &mut B) {
        for property in self.properties() {
            property.encode_unchecked(dst);
        }
    }
}

impl Command {
    /// The length of the command body: name-len, name and data (G08).
    pub fn body_len(&self) -> usize {
        1 + self.name().len() + self.data_len()
    }

    fn data_len(&self) -> usize {
        match self {
            Self::Ready(metadata) => metadata.encoded_len(),
            Self::Error { reason } => 1 + reason.len(),
            Self::Subscribe(x) | Self::Cancel(x) | Self::Join(x) | Self::Leave(x) => x.len(),
            Self::Ping { context, .. } => 2 + context.len(),
            Self::Pong { context } => context.len(),
            Self::Mechanism { body, .. } | Self::Unknown { body, .. } => body.len(),
        }
    }

    /// Writes the command body (name-len, name, data) without a frame
    /// header: what a CURVE MESSAGE tunnels.
    ///
    /// # Errors
    /// As [`Encode::check`].
    pub fn encode_body<B: BufMut>(&self, dst: &mut B) -> Result<(), EncodeError> {
        self.check()?;
        self.encode_body_unchecked(dst);
        Ok(())
    }

    fn encode_body_unchecked<B: BufMut>(&self, dst: &mut B) {
        let name = self.name();
        dst.put_u8(name.len() as u8);
        dst.put_slice(name);
        match self {
            Self::Ready(metadata) => metadata.encode_unchecked(dst),
            Self::Error { reason } => {
                dst.put_u8(reason.len() as u8);
                dst.put_slice(reason);
            }
            Self::Subscribe(x) | Self::Cancel(x) | Self::Join(x) | Self::Leave(x) => {
                dst.put_slice(x);
            }
            Self::Ping { ttl, context } => {
                dst.put_u16(*ttl);
                dst.put_slice(context);
            }
            Self::Pong { context } => dst.put_slice(context),
            Self::Mechanism { body, .. } | Self::Unknown { body, .. } => dst.put_slice(body),
        }
    }

    fn frame_header(&self) -> FrameHeader {
        FrameHeader {
            kind: FrameKind::Command,
            size: self.body_len() as u64,
        }
    }
}

/// A command as a whole command frame: `04 size` or `06 size:8`, then the
/// body (G06, G08..G14).
///
/// Refuses an ERROR reason over 255 octets or outside VCHAR (G11), a
/// PING/PONG context over 16 octets (37-R59), a group over 255 octets or
/// with NUL (G14), an unknown name that is empty, over 255 or not ALPHA
/// (G08), and invalid metadata (37-R26, 37-R28).
impl Encode for Command {
    fn encoded_len(&self) -> usize {
        self.frame_header().encoded_len(Framing::Zmtp3) + self.body_len()
    }
    fn check(&self) -> Result<(), EncodeError> {
        match self {
            Self::Ready(metadata) => metadata.check(),
            Self::Error { reason } => {
                if reason.len() > 255 || !reason.iter().all(|c| (0x21..=0x7E).contains(c)) {
                    Err(EncodeError::BadErrorReason)
                } else {
                    Ok(())
                }
            }
            Self::Ping { context, .. } | Self::Pong { context } => {
                if context.len() > MAX_PING_CONTEXT {
                    Err(EncodeError::PingContextTooLong(context.len()))
                } else {
                    Ok(())
                }
            }
            Self::Join(group) | Self::Leave(group) => {
                if group.len() > 255 || group.contains(&0) {
                    Err(EncodeError::BadGroup)
                } else {
                    Ok(())
                }
            }
            Self::Unknown { name, .. } => {
                if name.is_empty() || name.len() > 255 || !name.iter().all(u8::is_ascii_alphabetic)
                {
                    Err(EncodeError::BadCommandName)
                } else {
                    Ok(())
                }
            }
            Self::Subscribe(_) | Self::Cancel(_) | Self::Mechanism { .. } => Ok(()),
        }?;
        check_header(&self.frame_header(), Framing::Zmtp3)
    }
    fn encode_unchecked<B: BufMut>(&self, dst: &mut B) {
        encode_header_unchecked(&self.frame_header(), Framing::Zmtp3, dst);
        self.encode_body_unchecked(dst);
    }
}

/// The body of a 3.0/2.0 subscription message, `01`/`00` + topic (G17).
/// Send it as a single, final message frame ([`SubscriptionMessage::to_message`]).
impl Encode for SubscriptionMessage {
    fn encoded_len(&self) -> usize {
        1 + self.topic().len()
    }
    fn check(&self) -> Result<(), EncodeError> {
        Ok(())
    }
    fn encode_unchecked<B: BufMut>(&self, dst: &mut B) {
        dst.put_u8(self.prefix());
        dst.put_slice(self.topic());
    }
}

impl SubscriptionMessage {
    /// The single-frame message carrying this subscription (G17). This
    /// copies the topic once, into the new frame.
    pub fn to_message(&self) -> Message {
        let mut body = BytesMut::with_capacity(self.encoded_len());
        self.encode_unchecked(&mut body);
        Message::from(body.freeze())
    }
}
