//! The command rules (G08..G14). A command body is complete once its frame
//! is, so running out of body is an error, never "need more".
//!
//! Each command rule parses the whole command body, its name included, and
//! returns slices of it; [`Command::parse`](super::Command::parse) turns
//! them into `Bytes` that share the frame's buffer. Each rule is the check
//! of the same name on a [`CommandView`](crate::wire::view::CommandView):
//! the grammar is that view plus its checks, so the two cannot drift.

use crate::wire::metadata::PropertyRef;
#[cfg(doc)]
use crate::wire::metadata::metadata;
use crate::wire::view::command::{
    check_error, check_name, check_named, check_ping, check_pong, check_ready, check_split,
    group_value,
};
use crate::wire::{IResult, WireError};

/// A rule over the whole body: nothing is left once it has run.
fn whole<T>(body: &[u8], checked: Result<T, WireError>) -> IResult<'_, T> {
    Ok((&body[body.len()..], checked.map_err(nom::Err::Failure)?))
}

/// `command-name = name-len:1 (1..255) name:ALPHA{name-len}` (G08, 37-R66).
///
/// The name is case-sensitive (zmtp-wire.md 6.1 #4). An empty body, a zero
/// length, a name running past the body or a non-ALPHA octet is
/// [`WireError::BadCommandName`].
pub fn command_name(input: &[u8]) -> IResult<'_, &[u8]> {
    let name = check_name(input).map_err(nom::Err::Failure)?;
    Ok((&input[1 + name.len()..], name))
}

/// `command-body = command-name data:*OCTET` (G08): the name and the rest
/// of the body.
pub fn command_body(input: &[u8]) -> IResult<'_, (&[u8], &[u8])> {
    whole(input, check_split(input))
}

/// `ready = 05 "READY" metadata` (G10, G-P5; 37-R26..R29 through
/// [`metadata`]). The properties fill the rest of the body exactly.
pub fn ready(input: &[u8]) -> IResult<'_, Vec<PropertyRef<'_>>> {
    whole(input, check_ready(input))
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
    whole(input, check_error(input))
}

/// `ping = 04 "PING" ttl:2 context:0..16` (G13, 37-R58, 37-R59).
///
/// The TTL is big-endian in tenths of a second, 0 meaning none. A body
/// without the 2 TTL octets or with a context over 16 octets is
/// [`WireError::BadPing`] (libzmq reads the TTL without a length check:
/// zmtp-wire.md 6.2 #9).
pub fn ping(input: &[u8]) -> IResult<'_, (u16, &[u8])> {
    whole(input, check_ping(input))
}

/// `pong = 04 "PONG" context:0..16` (G13, 37-R58, 37-R59); the context,
/// `ping-context = 0*16OCTET`, is the rest of the body.
pub fn pong(input: &[u8]) -> IResult<'_, &[u8]> {
    whole(input, check_pong(input))
}

/// `subscribe = 09 "SUBSCRIBE" subscription:*OCTET` (G12, 37-R46).
pub fn subscribe(input: &[u8]) -> IResult<'_, &[u8]> {
    whole(input, check_named(input, b"SUBSCRIBE"))
}

/// `cancel = 06 "CANCEL" subscription:*OCTET` (G12, 37-R47).
pub fn cancel(input: &[u8]) -> IResult<'_, &[u8]> {
    whole(input, check_named(input, b"CANCEL"))
}

/// `join = 04 "JOIN" group` (G14, 37-R53).
pub fn join(input: &[u8]) -> IResult<'_, &[u8]> {
    whole(input, check_named(input, b"JOIN").and_then(group_value))
}

/// `leave = 05 "LEAVE" group` (G14, 37-R54).
pub fn leave(input: &[u8]) -> IResult<'_, &[u8]> {
    whole(input, check_named(input, b"LEAVE").and_then(group_value))
}

/// `group = 0*255(01..FF)`, the rest of the body (G14): at most 255 octets,
/// none of them NUL, else [`WireError::BadGroup`].
pub fn group(input: &[u8]) -> IResult<'_, &[u8]> {
    whole(input, group_value(input))
}
