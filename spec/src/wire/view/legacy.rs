//! The ZMTP 1.0 frame view (RFC 13): the framing of a 1.0 peer, whose
//! first frame is its identity. The 2.0 greeting is a prefix of the
//! greeting view ([`super::GreetingView::check_v2`]) and the 2.0 identity
//! a frame ([`super::FrameView::check_v2_identity`]).
//!
//! ```text
//!  0        (length 00..FE)          0    1..=8        (long form)
//!  length | flags | body      or     FF | length BE | flags | body
//!  (the length counts the flags octet: the body is length - 1 octets)
//! ```

use super::{CheckError, array, need, need_slice, put};
use crate::wire::WireError;
use crate::wire::frame::{Flags, FrameHeader, FrameKind, MAX_ZMTP1_SHORT_LENGTH};
use crate::wire::legacy::{MAX_IDENTITY, V1Identity};

/// Where each field sits.
mod field {
    pub(super) const LENGTH: usize = 0;
    pub(super) const LONG_LENGTH: usize = 1;
}

/// The first octet that announces the eight-octet length.
#[allow(clippy::cast_possible_truncation)] // 254 + 1
const LONG_MARK: u8 = MAX_ZMTP1_SHORT_LENGTH as u8 + 1;

/// A view of the octets of a ZMTP 1.0 frame: any length (0 included), any
/// flags, `None` past the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V1FrameView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> V1FrameView<T> {
    /// A view of `buffer`, which may be of any length.
    pub const fn new(buffer: T) -> Self {
        Self { buffer }
    }

    /// The octets viewed.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn buf(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The length field's own length: 1, or 9 when octet 0 is `FF`.
    pub fn length_len(&self) -> Option<usize> {
        let first = *self.buf().get(field::LENGTH)?;
        Some(if first == LONG_MARK {
            field::LONG_LENGTH + size_of::<u64>()
        } else {
            1
        })
    }

    /// The declared length (flags octet included), any value.
    pub fn length(&self) -> Option<u64> {
        let first = *self.buf().get(field::LENGTH)?;
        if first == LONG_MARK {
            array(self.buf(), field::LONG_LENGTH).map(u64::from_be_bytes)
        } else {
            Some(u64::from(first))
        }
    }

    /// The flags octet, any value.
    pub fn flags(&self) -> Option<u8> {
        self.buf().get(self.length_len()?).copied()
    }

    /// The header length: the length field and the flags octet.
    pub fn header_len(&self) -> Option<usize> {
        Some(self.length_len()? + 1)
    }

    /// The body length, length - 1 (`None` for a length of 0).
    pub fn body_len(&self) -> Option<u64> {
        self.length()?.checked_sub(1)
    }

    /// The rule `v1-length` (RFC 13): one octet other than `FF`, or `FF`
    /// and eight octets, big-endian; any value.
    ///
    /// # Errors
    /// Only "need more".
    pub fn check_length_field(&self) -> Result<u64, CheckError> {
        let [first] = need(self.buf(), field::LENGTH)?;
        if first != LONG_MARK {
            return Ok(u64::from(first));
        }
        Ok(u64::from_be_bytes(need(self.buf(), field::LONG_LENGTH)?))
    }

    /// The rule `zmtp1-length` (RFC 13): a length of 0 is refused.
    ///
    /// # Errors
    /// [`WireError::ZeroLengthLegacyFrame`], or "need more".
    pub fn check_length(&self) -> Result<u64, CheckError> {
        let length = self.check_length_field()?;
        if length == 0 {
            return Err(WireError::ZeroLengthLegacyFrame.into());
        }
        Ok(length)
    }

    /// The rule `zmtp1-frame-header` (RFC 13): the length and the flags
    /// octet, of which only MORE is read (the others "SHOULD be zero" and
    /// are not judged).
    ///
    /// # Errors
    /// As [`V1FrameView::check_length`].
    pub fn check_header(&self) -> Result<FrameHeader, CheckError> {
        let length = self.check_length()?;
        let [flags] = need(self.buf(), self.flags_at())?;
        Ok(FrameHeader {
            kind: FrameKind::Message {
                more: flags & Flags::MORE != 0,
            },
            size: length - 1,
        })
    }

    /// The length field's length, once [`V1FrameView::check_length_field`]
    /// has passed.
    pub(crate) fn checked_length_len(&self) -> usize {
        self.flags_at()
    }

    /// Where the flags octet sits (after a length octet that is there).
    fn flags_at(&self) -> usize {
        self.length_len().unwrap_or(1)
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> V1FrameView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The whole body, if it has all arrived.
    pub fn body(&self) -> Option<&'a [u8]> {
        let start = self.header_len()?;
        let end = start.checked_add(usize::try_from(self.body_len()?).ok()?)?;
        self.bytes().get(start..end)
    }

    /// The rule `v1-identity` (RFC 13): an identity frame of at most
    /// [`MAX_IDENTITY`] octets, refused as soon as its length is read;
    /// the flags octet is not judged (a detecting 3.x peer's `7F` lands
    /// there).
    ///
    /// # Errors
    /// [`WireError::ZeroLengthLegacyFrame`],
    /// [`WireError::LegacyIdentityTooLong`], or "need more".
    pub fn check_identity(&self) -> Result<V1Identity<'a>, CheckError> {
        check_identity(self.bytes()).map(|(identity, _)| identity)
    }
}

/// [`V1FrameView::check_identity`] over `buf`, with the frame's length.
pub(crate) fn check_identity(buf: &[u8]) -> Result<(V1Identity<'_>, usize), CheckError> {
    let view = V1FrameView::new(buf);
    let length = view.check_length()?;
    let body_len = length - 1;
    if body_len > MAX_IDENTITY as u64 {
        return Err(WireError::LegacyIdentityTooLong(body_len).into());
    }
    let at = view.flags_at();
    let [flags] = need(buf, at)?;
    #[allow(clippy::cast_possible_truncation)] // bounded by MAX_IDENTITY above
    let identity = need_slice(buf, at + 1, body_len as usize)?;
    Ok((V1Identity { flags, identity }, at + 1 + identity.len()))
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> V1FrameView<T> {
    fn buf_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Writes a one-octet length (`FF` turns it into the long form).
    pub fn set_short_length(&mut self, length: u8) {
        put(self.buf_mut(), field::LENGTH, &[length]);
    }

    /// Writes `FF` and an eight-octet length, any value.
    pub fn set_long_length(&mut self, length: u64) {
        put(self.buf_mut(), field::LENGTH, &[LONG_MARK]);
        put(self.buf_mut(), field::LONG_LENGTH, &length.to_be_bytes());
    }

    /// Writes the flags octet after the length field.
    pub fn set_flags(&mut self, flags: u8) {
        let at = self.flags_at();
        put(self.buf_mut(), at, &[flags]);
    }

    /// The octets after the header, to write the body into.
    pub fn body_mut(&mut self) -> Option<&mut [u8]> {
        let start = self.header_len()?;
        self.buf_mut().get_mut(start..)
    }
}

/// Builds a ZMTP 1.0 frame with any length (0, one that disagrees with
/// the body, an identity over 255 octets), any flags and any body.
///
/// By default the length is the body's plus one and takes the long form
/// only above 254, as the encoder does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct V1FrameBuilder {
    length: Option<u64>,
    long: Option<bool>,
    flags: u8,
    body: Vec<u8>,
}

impl V1FrameBuilder {
    /// An empty final frame (length 1).
    pub fn new() -> Self {
        Self::default()
    }

    /// The declared length (flags octet included), instead of the body's
    /// length plus one.
    pub fn length(mut self, length: u64) -> Self {
        self.length = Some(length);
        self
    }

    /// Forces the length form: `FF` and eight octets, or one octet (the
    /// length cut to its low octet; a low octet of `FF` is the long form's
    /// marker, so that length is written long all the same).
    pub fn long(mut self, long: bool) -> Self {
        self.long = Some(long);
        self
    }

    /// The flags octet.
    pub fn flags(mut self, flags: u8) -> Self {
        self.flags = flags;
        self
    }

    /// The body octets.
    pub fn body(mut self, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self
    }

    /// The frame's octets.
    pub fn build(&self) -> Vec<u8> {
        let length = self.length.unwrap_or(self.body.len() as u64 + 1);
        // A short length whose low octet is `FF` would be the long form's
        // marker: such a length is written in the long form.
        #[allow(clippy::cast_possible_truncation)] // the low octet
        let long = self.long.unwrap_or(length > MAX_ZMTP1_SHORT_LENGTH as u64)
            || length as u8 == LONG_MARK;
        let length_len = if long {
            field::LONG_LENGTH + size_of::<u64>()
        } else {
            1
        };
        let mut out = vec![0; length_len + 1 + self.body.len()];
        let mut view = V1FrameView::new(&mut out[..]);
        if long {
            view.set_long_length(length);
        } else {
            #[allow(clippy::cast_possible_truncation)] // documented: the low octet
            view.set_short_length(length as u8);
        }
        view.set_flags(self.flags);
        if let Some(body) = view.body_mut() {
            body[..self.body.len()].copy_from_slice(&self.body);
        }
        out
    }
}

#[cfg(test)]
mod tests;
