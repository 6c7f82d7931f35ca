//! The frame rules, streaming: a rule that runs out of input reports how
//! many more octets it needs, never an error.
//!
//! Notation in the doc comments: `x:n` is an n-octet field, `a | b` a
//! choice, `*x` zero or more, values in hex.

use nom::Parser;
use nom::number::streaming::{be_u8, be_u64};

use super::{Flags, FrameHeader};
use crate::wire::IResult;
#[cfg(doc)]
use crate::wire::WireError;
use crate::wire::view::frame::{check_frame, long_size_value};
use crate::wire::view::{FrameView, V1FrameView, to_rule};

/// `flags = 00 | 01 | 02 | 03 | 04 | 06` (ZMTP 3.x).
///
/// Bit 0 MORE, bit 1 LONG, bit 2 COMMAND. Enforces:
/// - 37-R19: bits 3-7 must be zero. The spec only binds the sender; this
///   grammar rejects them on receive too ([`WireError::ReservedFlags`]).
///   libzmq ignores them (zmtp-wire.md 6.2 #9), so this is stricter than the
///   reference peer.
/// - 37-R20, G06: MORE is never set on a command
///   ([`WireError::CommandWithMore`]).
///
/// This is [`FrameView::check_flags`].
pub fn flags(input: &[u8]) -> IResult<'_, Flags> {
    to_rule(input, FrameView::new(input).check_flags().map(|f| (f, 1)))
}

/// `zmtp2-flags = 00 | 01 | 02 | 03` (ZMTP 2.0, RFC 15).
///
/// Bit 0 MORE, bit 1 LONG; bits 2-7 are reserved and must be zero (RFC 15:
/// there is no COMMAND bit in 2.0), so a set bit is
/// [`WireError::ReservedFlags`].
///
/// This is [`FrameView::check_zmtp2_flags`].
pub fn zmtp2_flags(input: &[u8]) -> IResult<'_, Flags> {
    to_rule(
        input,
        FrameView::new(input).check_zmtp2_flags().map(|f| (f, 1)),
    )
}

/// `short-size = OCTET` : a body of 0-255 octets (G07).
pub fn short_size(input: &[u8]) -> IResult<'_, u64> {
    be_u8.map(u64::from).parse(input)
}

/// `long-size = 8OCTET`, big-endian, most significant bit zero (G07).
///
/// A long size may declare a small body (0-255): that is accepted (G07,
/// zmtp-wire.md 6.1 #22). A size with the top bit set is
/// [`WireError::SizeTooLarge`].
pub fn long_size(input: &[u8]) -> IResult<'_, u64> {
    let (rest, size) = be_u64(input)?;
    Ok((rest, long_size_value(size).map_err(nom::Err::Failure)?))
}

/// `frame-header = flags (short-size | long-size)` (ZMTP 3.x).
///
/// The LONG bit selects the size form. Enforces 37-R19, 37-R20 (through
/// [`flags`]) and G06, G07 (the rules of [`short_size`], [`long_size`]).
/// This is [`FrameView::check_header`].
pub fn frame_header(input: &[u8]) -> IResult<'_, FrameHeader> {
    to_rule(input, FrameView::new(input).header_and_len(false))
}

/// `zmtp2-frame-header = zmtp2-flags (short-size | long-size)` (RFC 15).
///
/// Same layout as 3.x without commands: [`FrameView::check_zmtp2_header`].
pub fn zmtp2_frame_header(input: &[u8]) -> IResult<'_, FrameHeader> {
    to_rule(input, FrameView::new(input).header_and_len(true))
}

/// `frame = frame-header body:size` (ZMTP 3.x): a whole frame, returning
/// the header and the body as a slice of the input. On a 32-bit target a
/// body above `usize::MAX` can never be buffered and is refused. This is
/// [`FrameView::check`].
pub fn frame(input: &[u8]) -> IResult<'_, (FrameHeader, &[u8])> {
    let (header, body, used) = check_frame(input)?;
    Ok((&input[used..], (header, body)))
}

/// `zmtp1-length = 01..FE | FF length:8` (RFC 13), the length counting the
/// flags octet that follows.
///
/// A length of 0 is invalid ([`WireError::ZeroLengthLegacyFrame`]; RFC 13
/// says such frames SHOULD be dropped silently, this grammar reports them).
/// The 8-octet form may carry any length, small ones included (RFC 13
/// "MAY"). This is [`V1FrameView::check_length`].
pub fn zmtp1_length(input: &[u8]) -> IResult<'_, u64> {
    let view = V1FrameView::new(input);
    let length = view.check_length()?;
    Ok((&input[view.checked_length_len()..], length))
}

/// `zmtp1-frame-header = zmtp1-length zmtp1-flags` (RFC 13).
///
/// The flags octet has MORE in bit 0; bits 1-7 are reserved and only
/// "SHOULD be zero", so they are ignored on receive. The body is
/// `length - 1` octets. This is [`V1FrameView::check_header`].
pub fn zmtp1_frame_header(input: &[u8]) -> IResult<'_, FrameHeader> {
    let view = V1FrameView::new(input);
    let header = view.check_header()?;
    Ok((&input[view.checked_length_len() + 1..], header))
}
