//! ZMTP frames: the flags octet, the size, and the body.

use bytes::Bytes;

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

/// The largest short-size body (G07).
pub const MAX_SHORT_SIZE: usize = 255;
/// The largest body a long size may declare: the most significant bit of
/// the 8-octet size must be zero (G07).
pub const MAX_LONG_SIZE: u64 = i64::MAX as u64;
