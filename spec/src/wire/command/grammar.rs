//! The command rules (G08..G14). A command body is complete once its frame
//! is, so these use nom's complete parsers: running out of body is an
//! error, never "need more".
//!
//! Each command rule parses the whole command body, its name included, and
//! returns slices of it; [`Command::parse`](super::Command::parse) turns
//! them into `Bytes` that share the frame's buffer.

use nom::bytes::complete::{tag, take};
use nom::combinator::rest;
use nom::number::complete::{be_u8, be_u16};

use super::MAX_PING_CONTEXT;
use crate::wire::metadata::{PropertyRef, metadata};
use crate::wire::{IResult, WireError, fail};

/// Maps any nom error inside a rule to that rule's own error.
fn or<'a, T>(result: IResult<'a, T>, error: WireError) -> IResult<'a, T> {
    result.map_err(|e| match e {
        nom::Err::Incomplete(_) | nom::Err::Error(_) => nom::Err::Failure(error),
        failure @ nom::Err::Failure(_) => failure,
    })
}

/// `command-name = name-len:1 (1..255) name:ALPHA{name-len}` (G08, 37-R66).
///
/// The name is case-sensitive (zmtp-wire.md 6.1 #4). An empty body, a zero
/// length, a name running past the body or a non-ALPHA octet is
/// [`WireError::BadCommandName`].
pub fn command_name(input: &[u8]) -> IResult<'_, &[u8]> {
    let (rest, len) = or(be_u8(input), WireError::BadCommandName)?;
    if len == 0 {
        return fail(WireError::BadCommandName);
    }
    let (rest, name) = or(take(len)(rest), WireError::BadCommandName)?;
    if !name.iter().all(u8::is_ascii_alphabetic) {
        return fail(WireError::BadCommandName);
    }
    Ok((rest, name))
}

/// `command-body = command-name data:*OCTET` (G08): the name and the rest
/// of the body.
pub fn command_body(input: &[u8]) -> IResult<'_, (&[u8], &[u8])> {
    let (input, name) = command_name(input)?;
    let (input, data) = rest(input)?;
    Ok((input, (name, data)))
}

/// `ready = 05 "READY" metadata` (G10, G-P5; 37-R26..R29 through
/// [`metadata`]). The properties fill the rest of the body exactly.
pub fn ready(input: &[u8]) -> IResult<'_, Vec<PropertyRef<'_>>> {
    let (input, _) = or(tag(&b"\x05READY"[..])(input), WireError::BadCommandName)?;
    metadata(input)
}

/// `error-command = 05 "ERROR" reason-len:1 reason:reason-len` (G11,
/// 37-R16).
///
/// The reason must end the body exactly ([`WireError::BadErrorReason`]).
/// G11 restricts the reason to VCHAR (no space); libzmq sends only ZAP
/// status codes, but other peers send readable text with spaces
/// (zmtp-wire.md 6.1 #6), so the characters are not checked on receive.
/// The encoder does check them.
pub fn error_command(input: &[u8]) -> IResult<'_, &[u8]> {
    let (input, _) = or(tag(&b"\x05ERROR"[..])(input), WireError::BadCommandName)?;
    let (input, len) = or(be_u8(input), WireError::BadErrorReason)?;
    let (input, reason) = or(take(len)(input), WireError::BadErrorReason)?;
    if !input.is_empty() {
        return fail(WireError::BadErrorReason);
    }
    Ok((input, reason))
}

/// `ping = 04 "PING" ttl:2 context:0..16` (G13, 37-R58, 37-R59).
///
/// The TTL is big-endian in tenths of a second, 0 meaning none. A body
/// without the 2 TTL octets or with a context over 16 octets is
/// [`WireError::BadPing`] (libzmq reads the TTL without a length check:
/// zmtp-wire.md 6.2 #9).
pub fn ping(input: &[u8]) -> IResult<'_, (u16, &[u8])> {
    let (input, _) = or(tag(&b"\x04PING"[..])(input), WireError::BadCommandName)?;
    let (input, ttl) = or(be_u16(input), WireError::BadPing)?;
    let (input, context) = ping_context(input)?;
    Ok((input, (ttl, context)))
}

/// `pong = 04 "PONG" context:0..16` (G13, 37-R58, 37-R59).
pub fn pong(input: &[u8]) -> IResult<'_, &[u8]> {
    let (input, _) = or(tag(&b"\x04PONG"[..])(input), WireError::BadCommandName)?;
    ping_context(input)
}

/// `ping-context = 0*16OCTET`, the rest of the body (37-R59).
fn ping_context(input: &[u8]) -> IResult<'_, &[u8]> {
    if input.len() > MAX_PING_CONTEXT {
        return fail(WireError::BadPing);
    }
    rest(input)
}

/// `subscribe = 09 "SUBSCRIBE" subscription:*OCTET` (G12, 37-R46).
pub fn subscribe(input: &[u8]) -> IResult<'_, &[u8]> {
    let (input, _) = or(tag(&b"\x09SUBSCRIBE"[..])(input), WireError::BadCommandName)?;
    rest(input)
}

/// `cancel = 06 "CANCEL" subscription:*OCTET` (G12, 37-R47).
pub fn cancel(input: &[u8]) -> IResult<'_, &[u8]> {
    let (input, _) = or(tag(&b"\x06CANCEL"[..])(input), WireError::BadCommandName)?;
    rest(input)
}

/// `join = 04 "JOIN" group` (G14, 37-R53).
pub fn join(input: &[u8]) -> IResult<'_, &[u8]> {
    let (input, _) = or(tag(&b"\x04JOIN"[..])(input), WireError::BadCommandName)?;
    group(input)
}

/// `leave = 05 "LEAVE" group` (G14, 37-R54).
pub fn leave(input: &[u8]) -> IResult<'_, &[u8]> {
    let (input, _) = or(tag(&b"\x05LEAVE"[..])(input), WireError::BadCommandName)?;
    group(input)
}

/// `group = 0*255(01..FF)`, the rest of the body (G14): at most 255 octets,
/// none of them NUL, else [`WireError::BadGroup`].
pub fn group(input: &[u8]) -> IResult<'_, &[u8]> {
    if input.len() > 255 || input.contains(&0) {
        return fail(WireError::BadGroup);
    }
    rest(input)
}
