//! Round trips for frames (3.x, 2.0 and 1.0 framing), messages,
//! subscription messages and the legacy greetings: value -> bytes -> value,
//! and bytes -> value -> bytes for canonical input. `encoded_len` is checked
//! against the octets written every time.
//!
//! The 3.x greeting's value round trip lives in
//! `src/wire/greeting/tests.rs`; only its bytes -> value -> bytes direction
//! is here.

mod strategies;

use bytes::{BufMut, Bytes, BytesMut};
use proptest::prelude::*;
use strategies::{body, frame_kind, message, octets};
use zmtp_spec::Message;
use zmtp_spec::wire::frame::{frame, zmtp1_frame_header, zmtp2_frame_header};
use zmtp_spec::wire::greeting::{PartialGreeting, Signature, greeting, partial_greeting};
use zmtp_spec::wire::legacy::{V1Identity, V2Greeting, V2Identity, v1_identity, v2_greeting};
use zmtp_spec::wire::{
    Decoder, Encode, Frame, FrameHeader, FrameKind, Framing, Item, Parsed, SubscriptionMessage, run,
};

/// Encodes `frame` in `framing`, checking `encoded_len_in`.
fn encode_in(frame: &Frame, framing: Framing) -> Vec<u8> {
    let mut out = BytesMut::new();
    frame.encode_in(framing, &mut out).expect("encodable");
    assert_eq!(out.len(), frame.encoded_len_in(framing), "encoded_len_in");
    out.to_vec()
}

/// Parses one whole frame of `framing` off `bytes`.
fn parse_in(bytes: &[u8], framing: Framing) -> (FrameHeader, Bytes, usize) {
    let rule = match framing {
        Framing::Zmtp3 => {
            let Ok(Parsed::Done((header, body), used)) = run(frame, bytes) else {
                panic!("not a frame: {bytes:02x?}");
            };
            return (header, Bytes::copy_from_slice(body), used);
        }
        Framing::Zmtp2 => zmtp2_frame_header,
        Framing::Zmtp1 => zmtp1_frame_header,
    };
    let Ok(Parsed::Done(header, used)) = run(rule, bytes) else {
        panic!("not a frame header: {bytes:02x?}");
    };
    let end = used + usize::try_from(header.size).expect("small");
    (header, Bytes::copy_from_slice(&bytes[used..end]), end)
}

fn message_kind(kind: FrameKind) -> FrameKind {
    match kind {
        FrameKind::Command => FrameKind::Message { more: false },
        other => other,
    }
}

proptest! {
    /// G06, G07: a 3.x frame of any kind parses back to itself; short size
    /// exactly when the body fits in 255 octets.
    #[test]
    fn frame_3x_value_bytes_value(kind in frame_kind(), body in body()) {
        let f = Frame { kind, body };
        let bytes = encode_in(&f, Framing::Zmtp3);
        prop_assert_eq!(bytes.len(), f.encoded_len());
        prop_assert_eq!(bytes[0] & 0x02 != 0, f.body.len() > 255, "LONG flag");
        let (header, body, used) = parse_in(&bytes, Framing::Zmtp3);
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(header, f.header());
        prop_assert_eq!(body, f.body);
    }

    /// RFC 15 and RFC 13: message frames in 2.0 and 1.0 framing.
    #[test]
    fn frame_legacy_value_bytes_value(
        kind in frame_kind(),
        body in body(),
        v1 in any::<bool>(),
    ) {
        let framing = if v1 { Framing::Zmtp1 } else { Framing::Zmtp2 };
        let f = Frame { kind: message_kind(kind), body };
        let bytes = encode_in(&f, framing);
        let (header, body, used) = parse_in(&bytes, framing);
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(header, f.header());
        prop_assert_eq!(body, f.body);
    }

    /// G07: any well-formed 3.x frame, short or long size, parses and
    /// re-encodes canonically: to the same octets when the size form was
    /// the short one wherever it fits, else to the short form, which parses
    /// to the same value.
    #[test]
    fn frame_3x_bytes_value_bytes(
        flags in proptest::sample::select(vec![0x00u8, 0x01, 0x02, 0x03, 0x04, 0x06]),
        body in body(),
    ) {
        let mut input = vec![flags];
        if flags & 0x02 != 0 {
            input.put_u64(body.len() as u64);
        } else {
            prop_assume!(body.len() <= 255);
            input.push(body.len() as u8);
        }
        input.extend_from_slice(&body);
        let (header, parsed, used) = parse_in(&input, Framing::Zmtp3);
        prop_assert_eq!(used, input.len());
        let f = Frame { kind: header.kind, body: parsed };
        let again = encode_in(&f, Framing::Zmtp3);
        let canonical = (flags & 0x02 != 0) == (body.len() > 255);
        if canonical {
            prop_assert_eq!(again, input);
        } else {
            prop_assert_eq!(parse_in(&again, Framing::Zmtp3).0, header);
        }
    }

    /// RFC 13: a 1.0 frame re-encodes to the same octets when its length
    /// used the short form wherever it fits and its flags had only MORE.
    #[test]
    fn frame_v1_bytes_value_bytes(more in any::<bool>(), long in any::<bool>(), body in body()) {
        let length = body.len() as u64 + 1;
        let mut input = Vec::new();
        if long || length > 254 {
            input.push(0xFF);
            input.put_u64(length);
        } else {
            input.push(length as u8);
        }
        input.push(u8::from(more));
        input.extend_from_slice(&body);
        let (header, parsed, used) = parse_in(&input, Framing::Zmtp1);
        prop_assert_eq!(used, input.len());
        prop_assert_eq!(header.kind, FrameKind::Message { more });
        let again = encode_in(&Frame { kind: header.kind, body: parsed }, Framing::Zmtp1);
        if long == (length > 254) {
            prop_assert_eq!(again, input);
        } else {
            prop_assert_eq!(parse_in(&again, Framing::Zmtp1).0, header);
        }
    }

    /// 37-R21, G09: a multipart message in each framing decodes back to
    /// itself, MORE on every frame but the last.
    #[test]
    fn message_value_bytes_value(message in message(), framing in framing()) {
        let mut bytes = BytesMut::new();
        zmtp_spec::wire::encode::encode_message(&message, framing, &mut bytes)
            .expect("encodable");
        prop_assert_eq!(
            bytes.len(),
            zmtp_spec::wire::encode::message_encoded_len(&message, framing)
        );
        if framing == Framing::Zmtp3 {
            prop_assert_eq!(bytes.len(), message.encoded_len());
            prop_assert_eq!(&bytes[..], &message.to_bytes().expect("encodable")[..]);
        }
        let mut decoder = Decoder::new(framing);
        decoder.push(&bytes);
        prop_assert_eq!(decoder.poll_item(), Ok(Some(Item::Message(message))));
        prop_assert_eq!(decoder.poll_item(), Ok(None));
        prop_assert_eq!(decoder.buffered(), 0);
    }

    /// G17: subscription messages, both directions.
    #[test]
    fn subscription_message_round_trips(subscribe in any::<bool>(), topic in body()) {
        let value = if subscribe {
            SubscriptionMessage::Subscribe(topic.clone())
        } else {
            SubscriptionMessage::Cancel(topic.clone())
        };
        let bytes = value.to_bytes().expect("encodable");
        prop_assert_eq!(bytes.len(), value.encoded_len());
        prop_assert_eq!(bytes[0], u8::from(subscribe));
        prop_assert_eq!(SubscriptionMessage::parse(&bytes), Ok(value.clone()));
        let message = value.to_message();
        prop_assert_eq!(message.len(), 1);
        prop_assert_eq!(SubscriptionMessage::parse_message(&message), Ok(value.clone()));
        // bytes -> value -> bytes: every body starting 00/01 is canonical.
        let reparsed = SubscriptionMessage::parse(&bytes).expect("G17");
        prop_assert_eq!(reparsed.to_bytes().expect("encodable"), bytes);
    }

    /// G01..G04: a canonical greeting (any padding, end octet 7F, valid
    /// mechanism, as-server 0/1, zero filler) re-encodes to its octets.
    #[test]
    fn greeting_bytes_value_bytes(
        padding in any::<[u8; 8]>(),
        major in 3u8..,
        minor in any::<u8>(),
        name in "[A-Z0-9._+-]{1,20}",
        as_server in any::<bool>(),
    ) {
        let mut input = vec![0xFF];
        input.extend_from_slice(&padding);
        input.extend_from_slice(&[0x7F, major, minor]);
        let mut mechanism = [0u8; 20];
        mechanism[..name.len()].copy_from_slice(name.as_bytes());
        input.extend_from_slice(&mechanism);
        input.push(u8::from(as_server));
        input.extend_from_slice(&[0; 31]);
        let (rest, g) = greeting(&input).expect("canonical greeting");
        prop_assert!(rest.is_empty());
        prop_assert_eq!(&g.to_bytes()[..], &input[..]);
        prop_assert_eq!(g.encoded_len(), input.len());
        let (rest, p) = partial_greeting(&input).expect("partial");
        prop_assert_eq!(rest.len(), 64 - 11);
        let mut out = Vec::new();
        p.encode(&mut out);
        prop_assert_eq!(&out[..], &input[..11]);
        prop_assert_eq!(out.len(), p.encoded_len());
    }

    /// 37-R01, 37-R60: partial greetings and detecting signatures.
    #[test]
    fn partial_greeting_round_trips(identity_len in any::<u8>(), major in any::<u8>()) {
        let p = PartialGreeting { signature: Signature::detecting(identity_len), major };
        let mut out = Vec::new();
        p.encode(&mut out);
        prop_assert_eq!(out.len(), p.encoded_len());
        prop_assert_eq!(partial_greeting(&out).expect("partial").1, p);
    }

    /// RFC 15: the 2.0 greeting and identity frame, both directions.
    #[test]
    fn v2_greeting_round_trips(
        padding in any::<[u8; 8]>(),
        revision in any::<u8>(),
        socket_type in any::<u8>(),
        identity in octets(255),
    ) {
        let g = V2Greeting { padding, revision, socket_type };
        let id = V2Identity::new(identity.clone()).expect("<= 255");
        let mut out = Vec::new();
        g.encode(&mut out);
        id.encode(&mut out);
        prop_assert_eq!(out.len(), g.encoded_len() + id.encoded_len());
        let (rest, parsed) = v2_greeting(&out).expect("2.0 greeting");
        prop_assert_eq!(parsed, g);
        let (rest, parsed_id) = zmtp_spec::wire::legacy::v2_identity(rest).expect("identity");
        prop_assert!(rest.is_empty());
        prop_assert_eq!(parsed_id, &identity[..]);
    }

    /// RFC 13: the 1.0 identity frame, both directions; canonical input
    /// (short length whenever it fits) re-encodes to the same octets.
    #[test]
    fn v1_identity_round_trips(flags in any::<u8>(), identity in octets(255), long in any::<bool>()) {
        let frame = V1Identity { flags, identity: &identity };
        let mut out = Vec::new();
        frame.encode(&mut out);
        prop_assert_eq!(out.len(), frame.encoded_len());
        let (rest, parsed) = v1_identity(&out).expect("1.0 identity");
        prop_assert!(rest.is_empty());
        prop_assert_eq!(parsed, frame);
        // The long form of a short identity (what a detecting 3.x peer's
        // pseudo-signature is) parses to the same value.
        if long {
            let mut input = vec![0xFF];
            input.put_u64(identity.len() as u64 + 1);
            input.push(flags);
            input.extend_from_slice(&identity);
            prop_assert_eq!(v1_identity(&input).expect("long form").1, frame);
        }
    }
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![
        Just(Framing::Zmtp3),
        Just(Framing::Zmtp2),
        Just(Framing::Zmtp1)
    ]
}

#[test]
fn empty_message_is_refused_in_every_framing() {
    for framing in [Framing::Zmtp3, Framing::Zmtp2, Framing::Zmtp1] {
        let mut out = BytesMut::new();
        assert!(
            zmtp_spec::wire::encode::encode_message(&Message::new(), framing, &mut out).is_err()
        );
        assert!(out.is_empty(), "nothing written");
    }
}
