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

#[cfg(doc)]
use super::WireError;
use super::greeting::Parse;
use super::view::frame::check_v2_identity;
use super::view::legacy::check_identity;
use super::view::{GreetingView, V1FrameView, to_rule};

/// The longest identity a legacy peer may announce (RFC 13 "1 to 255
/// octets"; 37-R34 for 3.x). Longer declarations are refused before any of
/// the body is buffered.
pub const MAX_IDENTITY: usize = 255;

/// `v2-greeting`: [`signature`](super::greeting::signature) (any padding, end octet with its lowest
/// bit set), revision, socket-type: the 12 octets a ZMTP 2.0 peer sends
/// before its identity frame (RFC 15 `greeting`).
///
/// The revision and the socket-type octet are kept raw: the revision was
/// already used by detection, and which socket-type codes are acceptable
/// (libzmq sends 9 and 10 for XPUB and XSUB, zmtp-wire.md 6.2 #7) is the
/// connection's decision. This is [`GreetingView::check_v2`].
pub fn v2_greeting(input: &[u8]) -> Parse<'_, V2Greeting> {
    let checked = GreetingView::new(input).check_v2();
    to_rule(input, checked.map(|g| (g, V2Greeting::LEN)))
}

/// `v2-identity`: a short final frame, flags `0x00`, a one-octet length and
/// the identity (RFC 15 `identity = final-short body`).
///
/// Other flags are [`WireError::BadV2IdentityFlags`]; the length octet
/// bounds the body at 255 octets. This is
/// [`FrameView::check_v2_identity`](super::view::FrameView::check_v2_identity).
pub fn v2_identity(input: &[u8]) -> Parse<'_, &[u8]> {
    let identity = check_v2_identity(input)?;
    Ok((&input[2 + identity.len()..], identity))
}

/// `v1-identity`: a ZMTP 1.0 identity frame: a length that counts the
/// flags octet (one octet 1-254, or `0xFF` and 8 octets big-endian), the
/// flags octet, which is never validated (RFC 13; a detecting 3.x peer's
/// `0x7F` lands there), and the identity body of length - 1 octets.
///
/// Length 0 is [`WireError::ZeroLengthLegacyFrame`]; a body longer than
/// [`MAX_IDENTITY`] is [`WireError::LegacyIdentityTooLong`], reported as
/// soon as the length is read. This is [`V1FrameView::check_identity`].
pub fn v1_identity(input: &[u8]) -> Parse<'_, V1Identity<'_>> {
    let (identity, used) = check_identity(input)?;
    Ok((&input[used..], identity))
}

/// `v1-length`: one octet other than `0xFF`, or `0xFF` followed by a
/// big-endian u64 (RFC 13 `length = OCTET / (%xFF 8OCTET)`). This is
/// [`V1FrameView::check_length_field`].
pub fn v1_length(input: &[u8]) -> Parse<'_, u64> {
    let view = V1FrameView::new(input);
    let length = view.check_length_field()?;
    Ok((&input[view.checked_length_len()..], length))
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
    /// The revision a ZMTP 2.0 peer sends (RFC 15).
    pub const REVISION: u8 = 0x01;

    /// The number of octets [`V2Greeting::encode`] writes.
    pub const fn encoded_len(&self) -> usize {
        Self::LEN
    }

    /// Writes the signature (end `0x7F`), revision and socket type
    /// (through [`GreetingView::set_v2`]).
    pub fn encode<B: BufMut>(&self, buf: &mut B) {
        let mut out = [0; Self::LEN];
        GreetingView::new(&mut out[..]).set_v2(self);
        buf.put_slice(&out);
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
