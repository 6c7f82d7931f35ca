//! ZMTP frames: the flags octet, the size, and the body, in the three
//! framings a connection may end up using (3.x, 2.0 and 1.0).

use bytes::Bytes;

mod grammar;
#[cfg(test)]
mod tests;

pub use grammar::{
    flags, frame, frame_header, long_size, short_size, zmtp1_frame_header, zmtp1_length,
    zmtp2_flags, zmtp2_frame_header,
};

/// Which framing a connection uses, chosen by the greeting (zmtp-wire.md 4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Framing {
    /// ZMTP 3.0 and 3.1 (RFC 23, 37): `flags size body`, with commands.
    #[default]
    Zmtp3,
    /// ZMTP 2.0 (RFC 15): the same header, but no COMMAND bit (bits 2-7 are
    /// reserved).
    Zmtp2,
    /// ZMTP 1.0 (RFC 13): `length flags body`, the length counting the flags
    /// octet, `0xFF` + 8 octets for the long form.
    Zmtp1,
}

/// A decoded frame header: what the frame is and how long its body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameHeader {
    /// Message (with MORE) or command.
    pub kind: FrameKind,
    /// The body length in octets (for ZMTP 1.0, the declared length minus
    /// the flags octet).
    pub size: u64,
}

impl FrameHeader {
    /// The number of octets this header takes when encoded canonically in
    /// `framing` (short sizes whenever they fit).
    pub const fn encoded_len(&self, framing: Framing) -> usize {
        match framing {
            Framing::Zmtp3 | Framing::Zmtp2 => {
                if self.size <= MAX_SHORT_SIZE as u64 {
                    2
                } else {
                    9
                }
            }
            Framing::Zmtp1 => {
                if self.size < MAX_ZMTP1_SHORT_LENGTH as u64 {
                    2
                } else {
                    10
                }
            }
        }
    }

    /// The flags octet this header encodes to in ZMTP 2.0/3.x framing,
    /// without the LONG bit.
    pub const fn kind_flags(&self) -> u8 {
        match self.kind {
            FrameKind::Message { more: true } => Flags::MORE,
            FrameKind::Message { more: false } => 0,
            FrameKind::Command => Flags::COMMAND,
        }
    }
}

/// The flags octet of a ZMTP 2.0/3.x frame (G06).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Flags(pub u8);

impl Flags {
    /// Bit 0: another frame of the same message follows.
    pub const MORE: u8 = 0x01;
    /// Bit 1: the size is 8 octets, big-endian.
    pub const LONG: u8 = 0x02;
    /// Bit 2: a command frame (3.x).
    pub const COMMAND: u8 = 0x04;
    /// Bits 3-7: reserved, zero on send (37-R19).
    pub const RESERVED: u8 = 0xF8;

    /// Whether MORE is set.
    pub const fn more(self) -> bool {
        self.0 & Self::MORE != 0
    }
    /// Whether LONG is set.
    pub const fn long(self) -> bool {
        self.0 & Self::LONG != 0
    }
    /// Whether COMMAND is set.
    pub const fn command(self) -> bool {
        self.0 & Self::COMMAND != 0
    }
    /// The reserved bits that are set, if any.
    pub const fn reserved(self) -> u8 {
        self.0 & Self::RESERVED
    }
}

/// Whether a frame carries (part of) a message or a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum FrameKind {
    /// A message frame; `more` says whether another frame of the same
    /// message follows.
    Message {
        /// The MORE flag.
        more: bool,
    },
    /// A command frame (MORE is never set on one: 37-R20).
    Command,
}

/// A decoded frame: its kind and its body. The size encoding (short or long)
/// is not kept: a long encoding of a small body decodes to the same frame
/// (G07), and the encoder always picks the short form when it fits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Message or command, with MORE.
    pub kind: FrameKind,
    /// The frame body.
    pub body: Bytes,
}

impl Frame {
    /// A message frame.
    pub fn message(body: impl Into<Bytes>, more: bool) -> Self {
        Self {
            kind: FrameKind::Message { more },
            body: body.into(),
        }
    }

    /// A command frame holding an already-encoded command body.
    pub fn command(body: impl Into<Bytes>) -> Self {
        Self {
            kind: FrameKind::Command,
            body: body.into(),
        }
    }
}

/// The largest ZMTP 1.0 length (flags octet included) sent in the one-octet
/// form; 255 announces the 8-octet form (RFC 13).
pub const MAX_ZMTP1_SHORT_LENGTH: usize = 254;

/// The largest short-size body (G07).
pub const MAX_SHORT_SIZE: usize = 255;
/// The largest body a long size may declare: the most significant bit of
/// the 8-octet size must be zero (G07).
pub const MAX_LONG_SIZE: u64 = i64::MAX as u64;
