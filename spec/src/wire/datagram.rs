//! libzmq's udp datagram for RADIO and DISH (48-R31..48-R38): not an RFC,
//! the layout libzmq's udp transport (`src/udp_engine.cpp`) writes and
//! reads, one whole RADIO message per datagram.
//!
//! ```text
//!  0           1 ..= g        1+g ..
//!  group-len | group        | body
//!  (one octet, 0..=255)       (the rest of the datagram, any length)
//!  the whole datagram is at most 8192 octets (MAX_DATAGRAM_LEN)
//! ```
//!
//! The grammar rule is [`datagram`]; [`Datagram::encode`] is its inverse.
//! The lenient layer, which reads and writes any octets (an oversize
//! group length, a truncated group, an empty datagram), is
//! [`crate::wire::view::DatagramView`] and
//! [`crate::wire::view::DatagramBuilder`]; the rule is the view's
//! [`check`](crate::wire::view::DatagramView::check).
//!
//! No command travels over udp: there is no JOIN or LEAVE, the RADIO
//! sends every group and the DISH keeps the groups it joined (48-R35).

use bytes::{BufMut, Bytes};

use super::view::DatagramView;
use crate::Message;

#[cfg(test)]
mod tests;

/// The largest datagram, group-length octet included (48-R33): libzmq's
/// `MAX_UDP_MSG`. A sender drops a message that does not fit; a receiver
/// reads no more than this.
pub const MAX_DATAGRAM_LEN: usize = 8192;

/// The largest group (48-R32, 48-R29): what the length octet can say,
/// libzmq's `ZMQ_GROUP_MAX_LENGTH`.
pub const MAX_GROUP_LEN: usize = 255;

/// Why octets are not a datagram, or a message cannot become one. Every
/// variant of [`datagram`]'s is the sender's fault; [`Datagram::encode`]'s
/// ([`DatagramError::GroupTooLong`], [`DatagramError::TooLarge`],
/// [`DatagramError::NulInGroup`]) are the application's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DatagramError {
    /// A datagram of no octets: it has no group-length octet (48-R34).
    #[error("an empty datagram has no group length (48-R34)")]
    Empty,
    /// The length octet declares more group octets than follow (48-R32).
    #[error("the group length says {declared} octets, the datagram holds {available} (48-R32)")]
    TruncatedGroup {
        /// The group-length octet.
        declared: u8,
        /// The octets after it.
        available: usize,
    },
    /// More than [`MAX_DATAGRAM_LEN`] octets (48-R33).
    #[error("a datagram of {0} octets, more than 8192 (48-R33)")]
    TooLarge(usize),
    /// A group octet is zero (48-R30, 48-R37), at this index of the group.
    #[error("group octet {0} is zero (48-R30)")]
    NulInGroup(usize),
    /// A group longer than [`MAX_GROUP_LEN`] (48-R32), to encode.
    #[error("a group of {0} octets, more than 255 (48-R32)")]
    GroupTooLong(usize),
    /// A message that is not `[group, body]` (48-R31), to encode.
    #[error("a RADIO message is two frames, group and body; this has {0} (48-R31)")]
    NotGroupAndBody(usize),
}

impl<'a> nom::error::ParseError<&'a [u8]> for DatagramError {
    /// [`datagram`] reads a whole datagram, so the only error nom itself
    /// could raise is a short one.
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        match input.first() {
            None => Self::Empty,
            Some(&declared) => Self::TruncatedGroup {
                declared,
                available: input.len() - 1,
            },
        }
    }

    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// One RADIO message as a datagram carries it, borrowing the datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Datagram<'a> {
    /// The group: 0-255 octets, none zero.
    pub group: &'a [u8],
    /// The body: the rest of the datagram.
    pub body: &'a [u8],
}

/// `datagram = group-len:OCTET group:(group-len)OCTET body:*OCTET`, over
/// a whole datagram of at most 8192 octets (48-R31..48-R34, 48-R37).
///
/// A datagram is complete when it arrives, so there is no "need more":
/// an empty one is [`DatagramError::Empty`], a short group
/// [`DatagramError::TruncatedGroup`], a long datagram
/// [`DatagramError::TooLarge`], a zero group octet
/// [`DatagramError::NulInGroup`]. The body takes every remaining octet.
///
/// # Errors
/// As above, as `nom::Err::Failure`.
pub fn datagram(input: &[u8]) -> nom::IResult<&[u8], Datagram<'_>, DatagramError> {
    let parsed = DatagramView::new(input)
        .check()
        .map_err(nom::Err::Failure)?;
    Ok((&input[input.len()..], parsed))
}

impl<'a> Datagram<'a> {
    /// Parses a whole datagram ([`datagram`]).
    ///
    /// # Errors
    /// The rule's [`DatagramError`].
    pub fn parse(octets: &'a [u8]) -> Result<Self, DatagramError> {
        match datagram(octets) {
            Ok((_, d)) => Ok(d),
            Err(nom::Err::Failure(e) | nom::Err::Error(e)) => Err(e),
            // `datagram` never asks for more.
            Err(nom::Err::Incomplete(_)) => Err(DatagramError::Empty),
        }
    }

    /// A message's datagram: `[group, body]` as RADIO sends it (48-R31).
    ///
    /// # Errors
    /// [`DatagramError::NotGroupAndBody`] for any other frame count; the
    /// checks of [`Datagram::encode`] otherwise are made there.
    pub fn from_message(message: &'a Message) -> Result<Self, DatagramError> {
        match message.frames() {
            [group, body] => Ok(Self { group, body }),
            frames => Err(DatagramError::NotGroupAndBody(frames.len())),
        }
    }

    /// The octets the datagram takes: one, the group, the body.
    pub const fn encoded_len(&self) -> usize {
        1 + self.group.len() + self.body.len()
    }

    /// The message it carries, `[group, body]` (the frames copy the
    /// octets: a datagram buffer is reused for the next).
    pub fn to_message(&self) -> Message {
        Message::from_frames([
            Bytes::copy_from_slice(self.group),
            Bytes::copy_from_slice(self.body),
        ])
    }

    /// Writes the datagram (the exact inverse of [`datagram`]).
    ///
    /// # Errors
    /// [`DatagramError::GroupTooLong`] for a group over 255 octets,
    /// [`DatagramError::NulInGroup`] for a zero group octet,
    /// [`DatagramError::TooLarge`] when the datagram would exceed 8192
    /// octets (libzmq drops such a message; so does a caller that gets
    /// this error). Nothing is written then.
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), DatagramError> {
        let group_len = u8::try_from(self.group.len())
            .map_err(|_| DatagramError::GroupTooLong(self.group.len()))?;
        if let Some(at) = self.group.iter().position(|&o| o == 0) {
            return Err(DatagramError::NulInGroup(at));
        }
        if self.encoded_len() > MAX_DATAGRAM_LEN {
            return Err(DatagramError::TooLarge(self.encoded_len()));
        }
        out.put_u8(group_len);
        out.put_slice(self.group);
        out.put_slice(self.body);
        Ok(())
    }

    /// The datagram as a new buffer ([`Datagram::encode`]).
    ///
    /// # Errors
    /// As [`Datagram::encode`].
    pub fn to_vec(&self) -> Result<Vec<u8>, DatagramError> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode(&mut out)?;
        Ok(out)
    }
}
