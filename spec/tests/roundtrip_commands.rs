//! Round trips for every command variant (the mechanism commands and
//! `Unknown` included) and for metadata: value -> bytes -> value, and
//! bytes -> value -> bytes for canonical input, with `encoded_len` checked
//! against the octets written.

mod strategies;

use bytes::{Bytes, BytesMut};
use proptest::collection::vec;
use proptest::prelude::*;
use strategies::{body, command, metadata, octets};
use zmtp_spec::wire::command::split_command;
use zmtp_spec::wire::{Command, Decoder, Encode, Framing, Item, Metadata, WireError};

/// Encodes a command as a frame, checking `encoded_len`, and returns the
/// frame body as well.
fn encode(command: &Command) -> (Bytes, Bytes) {
    let frame = command.to_bytes().expect("encodable");
    assert_eq!(frame.len(), command.encoded_len(), "encoded_len");
    let mut body = BytesMut::new();
    command.encode_body(&mut body).expect("encodable");
    assert_eq!(body.len(), command.body_len(), "body_len");
    let header = frame.len() - body.len();
    assert_eq!(
        header,
        if body.len() <= 255 { 2 } else { 9 },
        "G07 short size"
    );
    assert_eq!(&frame[header..], &body[..]);
    (frame, body.freeze())
}

proptest! {
    /// G08..G14: every command parses back to itself, from its body and
    /// through the streaming decoder.
    #[test]
    fn command_value_bytes_value(command in command()) {
        let (frame, body) = encode(&command);
        prop_assert_eq!(Command::parse(&body), Ok(command.clone()));
        let (name, _) = split_command(&body).expect("G08");
        prop_assert_eq!(&name[..], command.name());
        let mut decoder = Decoder::new(Framing::Zmtp3);
        decoder.push(&frame);
        prop_assert_eq!(decoder.poll_item(), Ok(Some(Item::Command(command))));
        prop_assert_eq!(decoder.poll_item(), Ok(None));
    }

    /// Any octets that parse as a command re-encode to the same body. The
    /// one expected exception: an ERROR reason with non-VCHAR octets is
    /// accepted on receipt but refused by the encoder (G11; zmtp-wire.md
    /// 6.1 #6).
    #[test]
    fn command_bytes_value_bytes(body in command_body()) {
        let body = Bytes::from(body);
        let Ok(command) = Command::parse(&body) else {
            return Ok(());
        };
        let mut out = BytesMut::new();
        match command.encode_body(&mut out) {
            Ok(()) => prop_assert_eq!(&out[..], &body[..]),
            Err(error) => {
                let is_lenient_error = matches!(&command, Command::Error { reason }
                    if reason.iter().any(|c| !(0x21..=0x7E).contains(c)));
                prop_assert!(is_lenient_error, "{:?} refused: {:?}", command, error);
                prop_assert!(out.is_empty(), "nothing written on error");
            }
        }
    }

    /// 37-R26..R29, G10: metadata round trips; lookup ignores case and
    /// returns the first property of a name.
    #[test]
    fn metadata_value_bytes_value(md in metadata()) {
        let bytes = md.to_bytes().expect("encodable");
        prop_assert_eq!(bytes.len(), md.encoded_len());
        let parsed = Metadata::parse(&bytes).expect("G10");
        prop_assert_eq!(&parsed, &md);
        for property in md.properties() {
            let name = String::from_utf8(property.name.to_vec()).expect("ASCII");
            let first = md
                .properties()
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(&property.name))
                .map(|p| &p.value);
            prop_assert_eq!(parsed.get(&name.to_ascii_lowercase()), first);
            prop_assert_eq!(parsed.get(&name.to_ascii_uppercase()), first);
        }
        for property in md.properties() {
            prop_assert_eq!(property.to_bytes().expect("encodable").len(), property.encoded_len());
        }
    }

    /// G10: any octets that parse as metadata re-encode to themselves
    /// (the metadata encoding has a single form).
    #[test]
    fn metadata_bytes_value_bytes(input in metadata_like()) {
        let input = Bytes::from(input);
        match Metadata::parse(&input) {
            Ok(md) => prop_assert_eq!(md.to_bytes().expect("encodable"), input),
            Err(error) => prop_assert!(is_metadata_error(&error), "{:?}", error),
        }
    }
}

fn is_metadata_error(error: &WireError) -> bool {
    matches!(
        error,
        WireError::BadPropertyName
            | WireError::BadPropertyNameChar
            | WireError::BadPropertyValue(_)
            | WireError::TrailingPropertyBytes(_)
    )
}

/// Command bodies near the grammar: a known or random name, then data
/// that is often well-formed for that name (metadata, ERROR reasons, short
/// contexts), sometimes not.
fn command_body() -> impl Strategy<Value = Vec<u8>> {
    let names = prop_oneof![
        proptest::sample::select(vec![
            &b"READY"[..],
            b"ERROR",
            b"SUBSCRIBE",
            b"CANCEL",
            b"PING",
            b"PONG",
            b"JOIN",
            b"LEAVE",
            b"HELLO",
            b"WELCOME",
            b"INITIATE",
            b"MESSAGE",
            b"ready",
            b"Ping",
        ])
        .prop_map(<[u8]>::to_vec),
        vec(any::<u8>(), 0..12),
    ];
    let data = prop_oneof![
        metadata().prop_map(|md| md.to_bytes().expect("encodable").to_vec()),
        octets(20).prop_map(|reason| {
            let mut data = vec![reason.len() as u8];
            data.extend_from_slice(&reason);
            data
        }),
        body().prop_map(|b| b.to_vec()),
    ];
    (names, data).prop_map(|(name, data)| {
        let mut out = vec![name.len() as u8];
        out.extend_from_slice(&name);
        out.extend_from_slice(&data);
        out
    })
}

/// Octets that are often valid metadata, sometimes with an octet added or
/// removed or a length changed.
fn metadata_like() -> impl Strategy<Value = Vec<u8>> {
    (
        metadata(),
        0u8..4,
        any::<prop::sample::Index>(),
        any::<u8>(),
    )
        .prop_map(|(md, mutation, at, octet)| {
            let mut bytes = md.to_bytes().expect("encodable").to_vec();
            match mutation {
                1 => bytes.push(octet),
                2 if !bytes.is_empty() => {
                    bytes.remove(at.index(bytes.len()));
                }
                3 if !bytes.is_empty() => {
                    let i = at.index(bytes.len());
                    bytes[i] = octet;
                }
                _ => {}
            }
            bytes
        })
}
