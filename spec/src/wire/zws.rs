//! ZWS 2.0 (RFC 45): ZMTP over WebSocket.
//!
//! ```text
//!  WebSocket upgrade            Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0   (45-R01, 45-R08)
//!       server picks one   -->  Sec-WebSocket-Protocol: ZWS2.0/NULL          (45-R03)
//!  then one binary WebSocket message per ZMTP frame (45-R04, 45-R06):
//!
//!    flags | body                 flags: 00 last, 01 more, 02 command
//!                                 no size field: the message carries it
//! ```
//!
//! There is no greeting (45-R07): the subprotocol names the mechanism, and
//! its handshake commands are the first messages; with the bare `ZWS2.0`
//! subprotocol there is no mechanism at all and the first message each way
//! is the routing id, as in ZMTP 2.0 (45-R05). A connection machine is told
//! which with [`Config::zws`](crate::connection::Config::zws).
//!
//! The machine itself keeps speaking ZMTP framing: [`to_zmtp`] turns one
//! received WebSocket message into the ZMTP frame it carries, and
//! [`Splitter`] cuts the machine's output into one ZWS message per frame.
//! The WebSocket layer (masking, opcodes, the HTTP upgrade) is the
//! driver's WebSocket library; this module is what rides on it.

use bytes::{Buf, BufMut, Bytes, BytesMut};

use super::frame::frame_header;
use super::frame::{Flags, FrameHeader, FrameKind, Framing, zmtp2_frame_header};
use super::{Parsed, WireError, run};

mod grammar;
#[cfg(test)]
mod tests;

pub use grammar::zws_message;

/// A ZWS subprotocol, the name in `Sec-WebSocket-Protocol` (45-R01,
/// 45-R08), with the names libzmq 4.3 uses (`ZWS2.0/CURVE` is libzmq's
/// addition; RFC 45 names `ZWS2.0/BEARER`, which nobody implements).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum Subprotocol {
    /// `ZWS2.0`: no mechanism; routing ids first, then messages (45-R05).
    Bare,
    /// `ZWS2.0/NULL`: the NULL mechanism's READY exchange.
    Null,
    /// `ZWS2.0/PLAIN`: PLAIN (RFC 24).
    Plain,
    /// `ZWS2.0/CURVE`: CURVE (RFC 25/26), as libzmq has it.
    Curve,
}

impl Subprotocol {
    /// Every subprotocol.
    pub const ALL: [Self; 4] = [Self::Bare, Self::Null, Self::Plain, Self::Curve];

    /// The name on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Bare => "ZWS2.0",
            Self::Null => "ZWS2.0/NULL",
            Self::Plain => "ZWS2.0/PLAIN",
            Self::Curve => "ZWS2.0/CURVE",
        }
    }

    /// The subprotocol of this exact name (libzmq compares case-sensitively).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The ZMTP mechanism it runs, none for [`Subprotocol::Bare`].
    pub fn mechanism(self) -> Option<super::Mechanism> {
        match self {
            Self::Bare => None,
            Self::Null => Some(super::Mechanism::NULL),
            Self::Plain => Some(super::Mechanism::PLAIN),
            Self::Curve => Some(super::Mechanism::CURVE),
        }
    }

    /// What a peer using `mechanism` offers, in its order of preference,
    /// as libzmq does: NULL offers `ZWS2.0/NULL` then the bare `ZWS2.0`
    /// (45-R05), the others only their own.
    pub fn offer(mechanism: super::Mechanism) -> &'static [Self] {
        if mechanism == super::Mechanism::NULL {
            &[Self::Null, Self::Bare]
        } else if mechanism == super::Mechanism::PLAIN {
            &[Self::Plain]
        } else if mechanism == super::Mechanism::CURVE {
            &[Self::Curve]
        } else {
            &[]
        }
    }

    /// The `Sec-WebSocket-Protocol` value a client with `mechanism` sends
    /// (45-R01): its offer, comma-separated.
    pub fn offer_header(mechanism: super::Mechanism) -> String {
        let names: Vec<&str> = Self::offer(mechanism).iter().map(|p| p.name()).collect();
        names.join(",")
    }

    /// The server's choice (45-R03): the first subprotocol the client
    /// offered (in the order of `offered`, each value a comma-separated
    /// list) that a server with `mechanism` speaks; `None` when there is
    /// none, and the upgrade is refused (45-R08).
    pub fn select<'a>(
        offered: impl IntoIterator<Item = &'a str>,
        mechanism: super::Mechanism,
    ) -> Option<Self> {
        let ours = Self::offer(mechanism);
        offered
            .into_iter()
            .flat_map(|value| value.split(','))
            .filter_map(|name| Self::from_name(name.trim()))
            .find(|p| ours.contains(p))
    }

    /// The framing the machine speaks under this subprotocol: ZMTP 2.0's
    /// (no commands) for the bare one, 3.x's otherwise.
    pub const fn framing(self) -> Framing {
        match self {
            Self::Bare => Framing::Zmtp2,
            _ => Framing::Zmtp3,
        }
    }
}

impl core::fmt::Display for Subprotocol {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// The flags octet of a ZWS message (45-R06): not ZMTP's (a command is
/// `02` here, `04` there, and there is no LONG bit).
pub mod flags {
    /// The last (or only) frame of a message.
    pub const LAST: u8 = 0x00;
    /// A frame with more to follow.
    pub const MORE: u8 = 0x01;
    /// A command.
    pub const COMMAND: u8 = 0x02;
}

/// One ZWS message, parsed: what the frame is and its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZwsFrame<'a> {
    /// Message frame (with MORE or not) or command.
    pub kind: FrameKind,
    /// The body, after the flags octet.
    pub body: &'a [u8],
}

impl ZwsFrame<'_> {
    /// The flags octet this frame encodes to.
    pub const fn flags(&self) -> u8 {
        match self.kind {
            FrameKind::Message { more: false } => flags::LAST,
            FrameKind::Message { more: true } => flags::MORE,
            FrameKind::Command => flags::COMMAND,
        }
    }

    /// The octets of the WebSocket message: flags, then body.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(1 + self.body.len());
        out.put_u8(self.flags());
        out.put_slice(self.body);
        out.freeze()
    }
}

/// The ZMTP frame (in `framing`) that one received ZWS message carries,
/// for the connection machine: the message parsed by [`zws_message`]
/// (45-R06), its body behind a canonical ZMTP header.
///
/// # Errors
/// What [`zws_message`] refuses; [`WireError::UnexpectedFrame`] for a
/// command under the bare subprotocol, which has none (45-R05).
pub fn to_zmtp(message: &[u8], framing: Framing) -> Result<Bytes, WireError> {
    let mut out = BytesMut::new();
    to_zmtp_into(message, framing, &mut out)?;
    Ok(out.freeze())
}

/// [`to_zmtp`], appending the frame to `out` (so that a run of messages
/// becomes one run of octets); on an error `out` is as it was.
///
/// # Errors
/// As [`to_zmtp`].
pub fn to_zmtp_into(message: &[u8], framing: Framing, out: &mut BytesMut) -> Result<(), WireError> {
    let frame = match run(zws_message, message)? {
        Parsed::Done(frame, _) => frame,
        Parsed::Incomplete(_) => return Err(WireError::EmptyZwsMessage),
    };
    let header = FrameHeader {
        kind: frame.kind,
        size: frame.body.len() as u64,
    };
    out.reserve(header.encoded_len(framing) + frame.body.len());
    let start = out.len();
    if super::encode::encode_header(&header, framing, out).is_err() {
        out.truncate(start);
        return Err(WireError::UnexpectedFrame(frame.flags()));
    }
    out.put_slice(frame.body);
    Ok(())
}

/// Cuts a ZMTP octet stream (what a connection machine sends) into ZWS
/// messages, one per frame (45-R06): push the octets, then take messages
/// until `None`. A frame split across pushes waits for the rest.
#[derive(Debug, Default)]
pub struct Splitter {
    buf: BytesMut,
    framing: Framing,
    max_frame: Option<u64>,
}

impl Splitter {
    /// A splitter for a machine speaking `framing` (see
    /// [`Subprotocol::framing`]).
    pub fn new(framing: Framing) -> Self {
        Self {
            buf: BytesMut::new(),
            framing,
            max_frame: None,
        }
    }

    /// Refuses a frame declaring more than `max` octets as soon as its
    /// header is read, instead of waiting for a body that may never come
    /// (for octets that are not a machine's own: a raw peer's).
    #[must_use]
    pub fn with_max_frame(mut self, max: u64) -> Self {
        self.max_frame = Some(max);
        self
    }

    /// Octets the machine sent.
    pub fn push(&mut self, octets: &[u8]) {
        self.buf.extend_from_slice(octets);
    }

    /// Octets not yet cut into a whole frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next whole ZWS message, if a whole frame is buffered.
    ///
    /// # Errors
    /// The frame grammar's [`WireError`] when the octets are not ZMTP
    /// frames in this framing (never for a machine's own output);
    /// [`WireError::MessageTooLarge`] past [`Splitter::with_max_frame`].
    pub fn next_message(&mut self) -> Result<Option<Bytes>, WireError> {
        let parsed = match self.framing {
            Framing::Zmtp3 => run(frame_header, &self.buf)?,
            Framing::Zmtp2 => run(zmtp2_frame_header, &self.buf)?,
            Framing::Zmtp1 => return Err(WireError::UnexpectedFrame(Flags::LONG)),
        };
        let Parsed::Done(header, used) = parsed else {
            return Ok(None);
        };
        if let Some(max) = self.max_frame
            && header.size > max
        {
            return Err(WireError::MessageTooLarge {
                size: header.size,
                max,
            });
        }
        let size =
            usize::try_from(header.size).map_err(|_| WireError::SizeTooLarge(header.size))?;
        if self.buf.len() - used < size {
            return Ok(None);
        }
        self.buf.advance(used);
        let body = self.buf.split_to(size);
        let frame = ZwsFrame {
            kind: header.kind,
            body: &body,
        };
        Ok(Some(frame.to_bytes()))
    }
}
