//! Helpers shared by the views' tests: a grammar rule's outcome in the
//! views' terms, and octets that are arbitrary or close to a valid value.

use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

use super::CheckError;
use crate::wire::metadata::is_name_char;
use crate::wire::{Command, MechanismCommand, Metadata, WireError};

/// A streaming rule's outcome as a view check's: the value and the octets
/// it used, or "need more" / the error.
pub(super) fn outcome<T>(
    input: &[u8],
    result: nom::IResult<&[u8], T, WireError>,
) -> Result<(T, usize), CheckError> {
    match result {
        Ok((rest, value)) => Ok((value, input.len() - rest.len())),
        Err(nom::Err::Incomplete(nom::Needed::Size(n))) => Err(CheckError::Incomplete(n.get())),
        // The rules always say how much they need: make a mismatch show.
        Err(nom::Err::Incomplete(nom::Needed::Unknown)) => Err(CheckError::Incomplete(0)),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(CheckError::Invalid(e)),
    }
}

/// Octets near a valid encoding: a few octets changed, then cut short or
/// extended.
fn near(valid: BoxedStrategy<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        valid,
        vec((any::<Index>(), any::<u8>()), 0..4),
        any::<Index>(),
        vec(any::<u8>(), 0..8),
        any::<bool>(),
    )
        .prop_map(|(mut octets, changes, cut, extra, shorten)| {
            for (at, octet) in changes {
                if !octets.is_empty() {
                    let at = at.index(octets.len());
                    octets[at] = octet;
                }
            }
            if shorten {
                octets.truncate(cut.index(octets.len() + 1));
            } else {
                octets.extend(extra);
            }
            octets
        })
}

/// Arbitrary octets (up to `max`), or octets near a valid encoding.
pub(super) fn octets_near(
    max: usize,
    valid: impl Strategy<Value = Vec<u8>> + 'static,
) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![1 => vec(any::<u8>(), 0..=max), 3 => near(valid.boxed())]
}

/// Any octets, `len` long at most.
pub(super) fn octets(len: usize) -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), 0..=len).prop_map(Bytes::from)
}

/// A body, mostly short, sometimes over 255 octets.
pub(super) fn body() -> impl Strategy<Value = Bytes> {
    prop_oneof![4 => octets(40), 1 => vec(any::<u8>(), 250..300).prop_map(Bytes::from)]
}

/// Valid metadata: 0-4 properties with names of 1-255 name characters.
pub(super) fn metadata() -> impl Strategy<Value = Metadata> {
    let chars: Vec<u8> = (0..=255u8).filter(|&c| is_name_char(c)).collect();
    let name = prop_oneof![
        8 => vec(select(chars.clone()), 1..=16),
        1 => vec(select(chars), 1..=255),
    ];
    vec((name, body()), 0..=4).prop_map(|props| {
        props
            .into_iter()
            .fold(Metadata::new(), |md, (name, value)| md.with(name, value))
    })
}

/// Every [`Command`] variant, with values the encoder accepts.
pub(super) fn command() -> impl Strategy<Value = Command> {
    let alpha: Vec<u8> = (b'A'..=b'Z').chain(b'a'..=b'z').collect();
    let unknown = vec(select(alpha), 1..=12)
        .prop_filter("a known name", |n| {
            !matches!(
                &n[..],
                b"READY"
                    | b"ERROR"
                    | b"SUBSCRIBE"
                    | b"CANCEL"
                    | b"PING"
                    | b"PONG"
                    | b"JOIN"
                    | b"LEAVE"
                    | b"HELLO"
                    | b"WELCOME"
                    | b"INITIATE"
                    | b"MESSAGE"
            )
        })
        .prop_map(Bytes::from);
    let group = vec(1u8..=255, 0..=255).prop_map(Bytes::from);
    let mechanism = prop_oneof![
        Just(MechanismCommand::Hello),
        Just(MechanismCommand::Welcome),
        Just(MechanismCommand::Initiate),
        Just(MechanismCommand::Message),
    ];
    prop_oneof![
        metadata().prop_map(Command::Ready),
        vec(0x21u8..=0x7E, 0..=255).prop_map(|r| Command::Error {
            reason: Bytes::from(r)
        }),
        body().prop_map(Command::Subscribe),
        body().prop_map(Command::Cancel),
        (any::<u16>(), octets(16)).prop_map(|(ttl, context)| Command::Ping { ttl, context }),
        octets(16).prop_map(|context| Command::Pong { context }),
        group.clone().prop_map(Command::Join),
        group.prop_map(Command::Leave),
        (mechanism, body()).prop_map(|(name, body)| Command::Mechanism { name, body }),
        (unknown, body()).prop_map(|(name, body)| Command::Unknown { name, body }),
    ]
}

/// The body of `command` as the encoder writes it (no frame header).
pub(super) fn command_body(command: &Command) -> Vec<u8> {
    let mut out = Vec::new();
    command.encode_body(&mut out).expect("a valid command");
    out
}
