//! The ZMTP 1.0 (RFC 13) and 2.0 (RFC 15) greetings, which a 3.x peer reads
//! and writes when it downgrades (zmtp-wire.md 4.5; 37-R60, 37-R61).
//!
//! ```text
//! 2.0:  FF padding(8) 7F | revision 01 | socket-type | 00 len identity
//!       \______ signature ______/                     \_ final-short frame _/
//! 1.0:  len(1) | FF len(8)   flags   identity(len - 1)
//!       (the length counts the flags octet; flags are not validated)
//! ```
//!
//! A detecting 3.x peer's first 10 octets, `FF` + (identity length + 1) as
//! a big-endian u64 + `7F`, are also the header of a long 1.0 identity
//! frame, so toward a 1.0 peer only the identity body follows them.

use bytes::{BufMut, Bytes};
use nom::Needed;

use super::error::WireError;
use super::greeting::{Parse, Signature, signature};

/// The longest identity a legacy peer may announce (RFC 13 "1 to 255
/// octets"; 37-R34 for 3.x). Longer declarations are refused before any of
/// the body is buffered.
pub const MAX_IDENTITY: usize = 255;

/// `v2-greeting`: [`signature`] (any padding, end octet with its lowest
/// bit set), revision, socket-type: the 12 octets a ZMTP 2.0 peer sends
/// before its identity frame (RFC 15 `greeting`).
///
/// The revision and the socket-type octet are kept raw: the revision was
/// already used by detection, and which socket-type codes are acceptable
/// (libzmq sends 9 and 10 for XPUB and XSUB, zmtp-wire.md 6.2 #7) is the
/// connection's decision.
pub fn v2_greeting(input: &[u8]) -> Parse<'_, V2Greeting> {
    let (rest, signature) = signature(input)?;
    let (rest, [revision, socket_type]) = take::<2>(rest)?;
    Ok((
        rest,
        V2Greeting {
            padding: signature.padding,
            revision,
            socket_type,
        },
    ))
}

/// `v2-identity`: a short final frame, flags `0x00`, a one-octet length and
/// the identity (RFC 15 `identity = final-short body`).
///
/// Other flags are [`WireError::BadV2IdentityFlags`]; the length octet
/// bounds the body at 255 octets.
pub fn v2_identity(input: &[u8]) -> Parse<'_, &[u8]> {
    let (rest, [flags, len]) = take::<2>(input)?;
    if flags != 0x00 {
        return Err(nom::Err::Failure(WireError::BadV2IdentityFlags(flags)));
    }
    body(rest, usize::from(len))
}

/// `v1-identity`: a ZMTP 1.0 identity frame: a length that counts the
/// flags octet (one octet 1-254, or `0xFF` and 8 octets big-endian), the
/// flags octet, which is never validated (RFC 13; a detecting 3.x peer's
/// `0x7F` lands there), and the identity body of length - 1 octets.
///
/// Length 0 is [`WireError::ZeroLengthLegacyFrame`]; a body longer than
/// [`MAX_IDENTITY`] is [`WireError::LegacyIdentityTooLong`], reported as
/// soon as the length is read.
pub fn v1_identity(input: &[u8]) -> Parse<'_, V1Identity<'_>> {
    let (rest, len) = v1_length(input)?;
    if len == 0 {
        return Err(nom::Err::Failure(WireError::ZeroLengthLegacyFrame));
    }
    let body_len = len - 1;
    if body_len > MAX_IDENTITY as u64 {
        return Err(nom::Err::Failure(WireError::LegacyIdentityTooLong(
            body_len,
        )));
    }
    let (rest, [flags]) = take::<1>(rest)?;
    #[allow(clippy::cast_possible_truncation)] // bounded by MAX_IDENTITY above
    let (rest, identity) = body(rest, body_len as usize)?;
    Ok((rest, V1Identity { flags, identity }))
}

/// `v1-length`: one octet other than `0xFF`, or `0xFF` followed by a
/// big-endian u64 (RFC 13 `length = OCTET / (%xFF 8OCTET)`).
pub fn v1_length(input: &[u8]) -> Parse<'_, u64> {
    let (rest, [first]) = take::<1>(input)?;
    if first != 0xFF {
        return Ok((rest, u64::from(first)));
    }
    let (rest, long) = take::<8>(rest)?;
    Ok((rest, u64::from_be_bytes(long)))
}

fn take<const N: usize>(input: &[u8]) -> Parse<'_, [u8; N]> {
    match input.split_first_chunk::<N>() {
        Some((head, rest)) => Ok((rest, *head)),
        None => Err(nom::Err::Incomplete(Needed::new(N - input.len()))),
    }
}

fn body(input: &[u8], len: usize) -> Parse<'_, &[u8]> {
    if input.len() < len {
        return Err(nom::Err::Incomplete(Needed::new(len - input.len())));
    }
    let (body, rest) = input.split_at(len);
    Ok((rest, body))
}

/// The 12-octet ZMTP 2.0 greeting before the identity frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct V2Greeting {
    /// Octets 1-8: zeros in RFC 15, identity length + 1 from a detecting
    /// peer (37-R60); never interpreted.
    pub padding: [u8; 8],
    /// Octet 10: `0x01` for ZMTP 2.0.
    pub revision: u8,
    /// Octet 11: the socket-type code (RFC 15; `SocketType::zmtp2_code`).
    pub socket_type: u8,
}

impl V2Greeting {
    /// The length of the encoding.
    pub const LEN: usize = 12;

    /// The number of octets [`V2Greeting::encode`] writes.
    pub const fn encoded_len(&self) -> usize {
        Self::LEN
    }

    /// Writes the signature (end `0x7F`), revision and socket type.
    pub fn encode<B: BufMut>(&self, buf: &mut B) {
        Signature {
            padding: self.padding,
            end: super::greeting::SIGNATURE_END,
        }
        .encode(buf);
        buf.put_u8(self.revision);
        buf.put_u8(self.socket_type);
    }
}

/// A ZMTP 2.0 identity frame to send: `00 len identity`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct V2Identity(Bytes);

impl V2Identity {
    /// An identity of at most [`MAX_IDENTITY`] octets, or `None`.
    pub fn new(identity: impl Into<Bytes>) -> Option<Self> {
        let identity = identity.into();
        (identity.len() <= MAX_IDENTITY).then_some(Self(identity))
    }

    /// The identity.
    pub fn identity(&self) -> &Bytes {
        &self.0
    }

    /// The number of octets [`V2Identity::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        2 + self.0.len()
    }

    /// Writes the frame.
    pub fn encode<B: BufMut>(&self, buf: &mut B) {
        buf.put_u8(0x00);
        #[allow(clippy::cast_possible_truncation)] // checked in `new`
        buf.put_u8(self.0.len() as u8);
        buf.put_slice(&self.0);
    }
}

/// A ZMTP 1.0 identity frame as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct V1Identity<'a> {
    /// The flags octet, not validated (RFC 13).
    pub flags: u8,
    /// The identity, 0-255 octets (empty = anonymous).
    pub identity: &'a [u8],
}

impl V1Identity<'_> {
    /// The number of octets [`V1Identity::encode`] writes: a short length
    /// when length + 1 fits in 1-254, else the long form.
    pub const fn encoded_len(&self) -> usize {
        let len = self.identity.len() + 1;
        (if len <= 0xFE { 1 } else { 9 }) + len
    }

    /// Writes the whole frame: length, flags, identity.
    pub fn encode<B: BufMut>(&self, buf: &mut B) {
        let len = self.identity.len() as u64 + 1;
        if len <= 0xFE {
            #[allow(clippy::cast_possible_truncation)] // len <= 0xFE
            buf.put_u8(len as u8);
        } else {
            buf.put_u8(0xFF);
            buf.put_u64(len);
        }
        buf.put_u8(self.flags);
        buf.put_slice(self.identity);
    }
}

#[cfg(test)]
mod tests;
