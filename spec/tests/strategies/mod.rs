//! proptest strategies for valid wire values, shared by the round-trip and
//! decoder-chunking tests. Every value they generate is one the grammar
//! accepts and the encoder agrees to write.

#![allow(dead_code)] // each test file uses a different subset

use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;
use zmtp_spec::Message;
use zmtp_spec::wire::metadata::is_name_char;
use zmtp_spec::wire::{Command, FrameKind, Item, MechanismCommand, Metadata};

/// Any octets, `len` long at most.
pub(crate) fn octets(len: usize) -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), 0..=len).prop_map(Bytes::from)
}

/// A frame body: mostly short, sometimes just over the 255-octet short
/// size limit, so both size forms are exercised (G07).
pub(crate) fn body() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        4 => octets(40),
        1 => (250usize..300).prop_flat_map(|n| vec(any::<u8>(), n).prop_map(Bytes::from)),
    ]
}

/// A frame kind: message with or without MORE, or command.
pub(crate) fn frame_kind() -> impl Strategy<Value = FrameKind> {
    prop_oneof![
        any::<bool>().prop_map(|more| FrameKind::Message { more }),
        Just(FrameKind::Command),
    ]
}

/// A message of 1-5 frames.
pub(crate) fn message() -> impl Strategy<Value = Message> {
    vec(body(), 1..=5).prop_map(Message::from)
}

/// A property name: 1-255 characters of `A-Z a-z 0-9 - _ . +` (37-R26, G10).
pub(crate) fn property_name() -> impl Strategy<Value = Bytes> {
    let chars: Vec<u8> = (0..=255u8).filter(|&c| is_name_char(c)).collect();
    prop_oneof![
        8 => vec(proptest::sample::select(chars.clone()), 1..=16),
        1 => vec(proptest::sample::select(chars), 1..=255),
    ]
    .prop_map(Bytes::from)
}

/// Valid metadata: 0-5 properties, values up to 300 octets.
pub(crate) fn metadata() -> impl Strategy<Value = Metadata> {
    vec((property_name(), body()), 0..=5).prop_map(|props| {
        props
            .into_iter()
            .fold(Metadata::new(), |md, (name, value)| md.with(name, value))
    })
}

/// A command name of 1-255 ALPHA octets that is none of the names the
/// parser knows (G08), so it stays [`Command::Unknown`].
pub(crate) fn unknown_name() -> impl Strategy<Value = Bytes> {
    let alpha: Vec<u8> = (b'A'..=b'Z').chain(b'a'..=b'z').collect();
    prop_oneof![
        8 => vec(proptest::sample::select(alpha.clone()), 1..=12),
        1 => vec(proptest::sample::select(alpha), 1..=255),
    ]
    .prop_filter("a known command name", |name| !is_known_name(name))
    .prop_map(Bytes::from)
}

/// Whether `Command::parse` gives `name` its own variant.
pub(crate) fn is_known_name(name: &[u8]) -> bool {
    matches!(
        name,
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
}

/// An ERROR reason the encoder accepts: 0-255 VCHAR octets (G11).
pub(crate) fn error_reason() -> impl Strategy<Value = Bytes> {
    vec(0x21u8..=0x7E, 0..=255).prop_map(Bytes::from)
}

/// A JOIN/LEAVE group: 0-255 non-NUL octets (G14).
pub(crate) fn group() -> impl Strategy<Value = Bytes> {
    vec(1u8..=255, 0..=255).prop_map(Bytes::from)
}

/// A mechanism command name.
pub(crate) fn mechanism_command() -> impl Strategy<Value = MechanismCommand> {
    prop_oneof![
        Just(MechanismCommand::Hello),
        Just(MechanismCommand::Welcome),
        Just(MechanismCommand::Initiate),
        Just(MechanismCommand::Message),
    ]
}

/// Every [`Command`] variant, with values the encoder accepts.
pub(crate) fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        metadata().prop_map(Command::Ready),
        error_reason().prop_map(|reason| Command::Error { reason }),
        body().prop_map(Command::Subscribe),
        body().prop_map(Command::Cancel),
        (any::<u16>(), octets(16)).prop_map(|(ttl, context)| Command::Ping { ttl, context }),
        octets(16).prop_map(|context| Command::Pong { context }),
        group().prop_map(Command::Join),
        group().prop_map(Command::Leave),
        (mechanism_command(), body()).prop_map(|(name, body)| Command::Mechanism { name, body }),
        (unknown_name(), body()).prop_map(|(name, body)| Command::Unknown { name, body }),
    ]
}

/// A decoder item: a parsed command or a whole message.
pub(crate) fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        command().prop_map(Item::Command),
        message().prop_map(Item::Message),
    ]
}
