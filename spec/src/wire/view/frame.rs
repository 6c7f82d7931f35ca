//! The frame view: a ZMTP 3.x or 2.0 frame (G06, G07; RFC 15).
//!
//! ```text
//!  0       1            (LONG clear)         1..=8           (LONG set)
//!  flags | size | body        or        flags | size (BE) | body
//! ```

use super::{CheckError, array, need, need_slice, put};
use crate::wire::WireError;
use crate::wire::frame::{Flags, FrameHeader, FrameKind, MAX_LONG_SIZE, MAX_SHORT_SIZE};

/// Where each field sits.
mod field {
    pub(super) const FLAGS: usize = 0;
    pub(super) const SIZE: usize = 1;
}

/// A view of the octets of a frame, from its flags octet on: any flags,
/// any declared size, `None` for whatever lies past the end.
///
/// The size form follows the LONG bit of the flags octet, as on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> FrameView<T> {
    /// The length of a header with a one-octet size.
    pub const SHORT_HEADER_LEN: usize = field::SIZE + 1;
    /// The length of a header with an eight-octet size.
    pub const LONG_HEADER_LEN: usize = field::SIZE + size_of::<u64>();

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

    /// The flags octet, any value.
    pub fn flags(&self) -> Option<Flags> {
        self.buf().get(field::FLAGS).copied().map(Flags)
    }

    /// The header length the flags octet announces: 2, or 9 with LONG.
    pub fn header_len(&self) -> Option<usize> {
        Some(header_len(self.flags()?))
    }

    /// The declared body size, any value (a long size's top bit too).
    pub fn size(&self) -> Option<u64> {
        if self.flags()?.long() {
            array(self.buf(), field::SIZE).map(u64::from_be_bytes)
        } else {
            self.buf().get(field::SIZE).copied().map(u64::from)
        }
    }

    /// The number of octets the frame takes, header included, as declared.
    pub fn frame_len(&self) -> Option<u64> {
        (self.header_len()? as u64).checked_add(self.size()?)
    }

    /// The rule `flags` of ZMTP 3.x: no reserved bit (37-R19, G06) and no
    /// MORE on a command (37-R20).
    ///
    /// # Errors
    /// [`WireError::ReservedFlags`], [`WireError::CommandWithMore`], or
    /// "need more" on no octets.
    pub fn check_flags(&self) -> Result<Flags, CheckError> {
        let [octet] = need(self.buf(), field::FLAGS)?;
        let flags = Flags(octet);
        if flags.reserved() != 0 && !crate::mutant!(FrameReservedFlags) {
            return Err(WireError::ReservedFlags(octet).into());
        }
        if flags.command() && flags.more() && !crate::mutant!(CommandWithMore) {
            return Err(WireError::CommandWithMore.into());
        }
        Ok(flags)
    }

    /// The rule `zmtp2-flags` (RFC 15): only MORE and LONG; bits 2-7 are
    /// reserved, COMMAND included.
    ///
    /// # Errors
    /// [`WireError::ReservedFlags`], or "need more".
    pub fn check_zmtp2_flags(&self) -> Result<Flags, CheckError> {
        let [octet] = need(self.buf(), field::FLAGS)?;
        if octet & !(Flags::MORE | Flags::LONG) != 0 {
            return Err(WireError::ReservedFlags(octet).into());
        }
        Ok(Flags(octet))
    }

    /// The size field in the form the LONG bit selects (G07): a long size
    /// has its top bit clear. A long size may declare a small body.
    ///
    /// # Errors
    /// [`WireError::SizeTooLarge`], or "need more".
    pub fn check_size(&self) -> Result<u64, CheckError> {
        let [octet] = need(self.buf(), field::FLAGS)?;
        if !Flags(octet).long() {
            let [size] = need(self.buf(), field::SIZE)?;
            return Ok(u64::from(size));
        }
        Ok(long_size_value(u64::from_be_bytes(need(
            self.buf(),
            field::SIZE,
        )?))?)
    }

    /// The rule `frame-header` of ZMTP 3.x: [`FrameView::check_flags`]
    /// then [`FrameView::check_size`] (37-R19, 37-R20, G06, G07).
    ///
    /// # Errors
    /// The first of those to fail.
    pub fn check_header(&self) -> Result<FrameHeader, CheckError> {
        self.header_and_len(false).map(|(header, _)| header)
    }

    /// The 3.x (or 2.0) header and its length.
    pub(crate) fn header_and_len(&self, zmtp2: bool) -> Result<(FrameHeader, usize), CheckError> {
        let flags = if zmtp2 {
            self.check_zmtp2_flags()?
        } else {
            self.check_flags()?
        };
        Ok((header_from(flags, self.check_size()?), header_len(flags)))
    }

    /// The rule `zmtp2-frame-header` (RFC 15): as
    /// [`FrameView::check_header`] with [`FrameView::check_zmtp2_flags`].
    ///
    /// # Errors
    /// The first check to fail.
    pub fn check_zmtp2_header(&self) -> Result<FrameHeader, CheckError> {
        self.header_and_len(true).map(|(header, _)| header)
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> FrameView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The whole body, if it has all arrived.
    pub fn body(&self) -> Option<&'a [u8]> {
        let start = self.header_len()?;
        let end = start.checked_add(usize::try_from(self.size()?).ok()?)?;
        self.bytes().get(start..end)
    }

    /// The part of the body that has arrived (all of it once complete).
    pub fn body_so_far(&self) -> Option<&'a [u8]> {
        let start = self.header_len()?;
        let size = usize::try_from(self.size()?).unwrap_or(usize::MAX);
        let rest = self.bytes().get(start..)?;
        Some(&rest[..rest.len().min(size)])
    }

    /// The octets after a complete frame (the next frame of a stream).
    pub fn rest(&self) -> Option<&'a [u8]> {
        let used = usize::try_from(self.frame_len()?).ok()?;
        self.bytes().get(used..)
    }

    /// The rule `frame` of ZMTP 3.x: the header and the whole body.
    ///
    /// # Errors
    /// As [`FrameView::check_header`]; a size that cannot be held in
    /// memory here is [`WireError::SizeTooLarge`]; "need more" until the
    /// body has arrived.
    pub fn check(&self) -> Result<(FrameHeader, &'a [u8]), CheckError> {
        check_frame(self.bytes()).map(|(header, body, _)| (header, body))
    }

    /// The rule `v2-identity` (RFC 15): a final short frame, flags `00`,
    /// holding a 2.0 peer's identity. The flags are judged once the
    /// two-octet header is there.
    ///
    /// # Errors
    /// [`WireError::BadV2IdentityFlags`], or "need more".
    pub fn check_v2_identity(&self) -> Result<&'a [u8], CheckError> {
        check_v2_identity(self.bytes())
    }
}

/// [`FrameView::check`] over `buf`, with the frame's length.
pub(crate) fn check_frame(buf: &[u8]) -> Result<(FrameHeader, &[u8], usize), CheckError> {
    let (header, header_len) = FrameView::new(buf).header_and_len(false)?;
    let Ok(size) = usize::try_from(header.size) else {
        return Err(WireError::SizeTooLarge(header.size).into());
    };
    let body = need_slice(buf, header_len, size)?;
    Ok((header, body, header_len + size))
}

/// [`FrameView::check_v2_identity`] over `buf`.
pub(crate) fn check_v2_identity(buf: &[u8]) -> Result<&[u8], CheckError> {
    let [flags, len]: [u8; 2] = need(buf, field::FLAGS)?;
    if flags != 0x00 {
        return Err(WireError::BadV2IdentityFlags(flags).into());
    }
    need_slice(buf, FrameView::<&[u8]>::SHORT_HEADER_LEN, usize::from(len))
}

const fn header_len(flags: Flags) -> usize {
    if flags.long() {
        FrameView::<&[u8]>::LONG_HEADER_LEN
    } else {
        FrameView::<&[u8]>::SHORT_HEADER_LEN
    }
}

/// G07: a long size has its most significant bit clear.
pub(crate) fn long_size_value(size: u64) -> Result<u64, WireError> {
    if size > MAX_LONG_SIZE && !crate::mutant!(LongSizeTopBit) {
        return Err(WireError::SizeTooLarge(size));
    }
    Ok(size)
}

fn header_from(flags: Flags, size: u64) -> FrameHeader {
    let kind = if flags.command() {
        FrameKind::Command
    } else {
        FrameKind::Message { more: flags.more() }
    };
    FrameHeader { kind, size }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> FrameView<T> {
    fn buf_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Writes the flags octet, any value (the LONG bit decides where the
    /// body starts).
    pub fn set_flags(&mut self, octet: u8) {
        put(self.buf_mut(), field::FLAGS, &[octet]);
    }

    /// Writes a one-octet size (the LONG bit should be clear).
    pub fn set_short_size(&mut self, size: u8) {
        put(self.buf_mut(), field::SIZE, &[size]);
    }

    /// Writes an eight-octet size, any value (the LONG bit should be set).
    pub fn set_long_size(&mut self, size: u64) {
        put(self.buf_mut(), field::SIZE, &size.to_be_bytes());
    }

    /// The octets after the header, up to the end of the buffer, to write
    /// the body into.
    pub fn body_mut(&mut self) -> Option<&mut [u8]> {
        let start = self.header_len()?;
        self.buf_mut().get_mut(start..)
    }
}

/// Builds a frame with any flags octet, any declared size and any body:
/// reserved bits, MORE on a command, a size of 2^63, a size that
/// disagrees with the body (G06, G07, 37-R19, 37-R20).
///
/// By default the flags are `00`, the size is the body's length and its
/// form is short when the size fits 255 (the encoder's choice, with the
/// LONG bit set to match); [`FrameBuilder::long`] forces a form.
///
/// ```
/// use zmtp_spec::wire::view::FrameBuilder;
/// use zmtp_spec::wire::frame::frame_header;
/// use zmtp_spec::wire::WireError;
///
/// let octets = FrameBuilder::new().flags(0x04).size(1 << 63).body(b"..").build();
/// assert_eq!(octets[0], 0x06, "LONG set to carry the size");
/// assert_eq!(
///     frame_header(&octets),
///     Err(nom::Err::Failure(WireError::SizeTooLarge(1 << 63)))
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameBuilder {
    flags: u8,
    long: Option<bool>,
    size: Option<u64>,
    body: Vec<u8>,
}

impl FrameBuilder {
    /// A final, empty message frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// A message frame around `body`, MORE as given.
    pub fn message(body: &[u8], more: bool) -> Self {
        Self::new()
            .flags(if more { Flags::MORE } else { 0 })
            .body(body)
    }

    /// A command frame around a command body (see
    /// [`super::CommandBuilder`]).
    pub fn command(body: &[u8]) -> Self {
        Self::new().flags(Flags::COMMAND).body(body)
    }

    /// The flags octet. Its LONG bit is replaced by the size form unless
    /// [`FrameBuilder::long`] was called.
    pub fn flags(mut self, octet: u8) -> Self {
        self.flags = octet;
        self
    }

    /// Forces the size form: eight octets (LONG set) or one octet (LONG
    /// clear, the size cut to its low octet).
    pub fn long(mut self, long: bool) -> Self {
        self.long = Some(long);
        self
    }

    /// The declared size, instead of the body's length.
    pub fn size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }

    /// The body octets (as many as given, whatever the declared size).
    pub fn body(mut self, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self
    }

    /// The frame's octets.
    pub fn build(&self) -> Vec<u8> {
        let size = self.size.unwrap_or(self.body.len() as u64);
        let long = self.long.unwrap_or(size > MAX_SHORT_SIZE as u64);
        let flags = if long {
            self.flags | Flags::LONG
        } else {
            self.flags & !Flags::LONG
        };
        let header = header_len(Flags(flags));
        let mut out = vec![0; header + self.body.len()];
        let mut view = FrameView::new(&mut out[..]);
        view.set_flags(flags);
        if long {
            view.set_long_size(size);
        } else {
            #[allow(clippy::cast_possible_truncation)] // documented: the low octet
            view.set_short_size(size as u8);
        }
        if let Some(body) = view.body_mut() {
            body.copy_from_slice(&self.body);
        }
        out
    }
}

#[cfg(test)]
mod tests;
