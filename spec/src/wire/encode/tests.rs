use bytes::{Bytes, BytesMut};

use super::*;
use crate::wire::frame::{frame, zmtp1_frame_header, zmtp2_frame_header};
use crate::wire::{Parsed, run};

fn encoded<T: Encode>(value: &T) -> Vec<u8> {
    let bytes = value.to_bytes().expect("encodable");
    assert_eq!(bytes.len(), value.encoded_len(), "encoded_len disagrees");
    bytes.to_vec()
}

#[test]
fn frame_short_and_long_g07() {
    assert_eq!(encoded(&Frame::message(&b"abc"[..], false)), b"\x00\x03abc");
    assert_eq!(encoded(&Frame::message(&b""[..], true)), b"\x01\x00");
    let body = vec![7u8; 255];
    assert_eq!(
        encoded(&Frame::message(body.clone(), false))[..2],
        [0x00, 0xFF]
    );
    let body = vec![7u8; 256];
    let bytes = encoded(&Frame::message(body, true));
    assert_eq!(bytes[..9], [0x03, 0, 0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(bytes.len(), 9 + 256);
}

#[test]
fn frame_round_trips_through_grammar() {
    for size in [0usize, 1, 255, 256, 70_000] {
        for more in [false, true] {
            let f = Frame::message(vec![0xA5; size], more);
            let bytes = encoded(&f);
            let Ok(Parsed::Done((header, body), used)) = run(frame, &bytes) else {
                panic!("frame of {size} did not parse");
            };
            assert_eq!(used, bytes.len());
            assert_eq!(header, f.header());
            assert_eq!(body, &f.body[..]);
        }
    }
}

#[test]
fn zmtp2_frame_rfc15() {
    let f = Frame::message(vec![1u8; 300], true);
    let mut dst = BytesMut::new();
    f.encode_in(Framing::Zmtp2, &mut dst).expect("encodable");
    assert_eq!(dst.len(), f.encoded_len_in(Framing::Zmtp2));
    assert_eq!(
        run(zmtp2_frame_header, &dst),
        Ok(Parsed::Done(f.header(), 9))
    );
    let cmd = Frame::command(&b"\x04PING\x00\x00"[..]);
    let mut dst = BytesMut::new();
    assert_eq!(
        cmd.encode_in(Framing::Zmtp2, &mut dst),
        Err(EncodeError::CommandInLegacyFraming)
    );
    assert_eq!(
        cmd.encode_in(Framing::Zmtp1, &mut dst),
        Err(EncodeError::CommandInLegacyFraming)
    );
    assert!(dst.is_empty());
}

#[test]
fn zmtp1_frame_length_counts_flags_rfc13() {
    let mut dst = BytesMut::new();
    Frame::message(&b""[..], false)
        .encode_in(Framing::Zmtp1, &mut dst)
        .expect("ok");
    assert_eq!(&dst[..], b"\x01\x00");
    let mut dst = BytesMut::new();
    Frame::message(&b"ab"[..], true)
        .encode_in(Framing::Zmtp1, &mut dst)
        .expect("ok");
    assert_eq!(&dst[..], b"\x03\x01ab");
    // 253-octet body: length 254, still short. 254-octet body: long form.
    for (size, header_len) in [(253usize, 2usize), (254, 10)] {
        let f = Frame::message(vec![0; size], false);
        let mut dst = BytesMut::new();
        f.encode_in(Framing::Zmtp1, &mut dst).expect("ok");
        assert_eq!(dst.len(), size + header_len);
        assert_eq!(f.encoded_len_in(Framing::Zmtp1), dst.len());
        assert_eq!(
            run(zmtp1_frame_header, &dst),
            Ok(Parsed::Done(f.header(), header_len))
        );
    }
}

#[test]
fn message_more_on_all_but_last_g09() {
    let m = Message::from_frames([&b"a"[..], b"", b"bc"]);
    assert_eq!(encoded(&m), b"\x01\x01a\x01\x00\x00\x02bc");
    let mut dst = BytesMut::new();
    encode_message(&m, Framing::Zmtp1, &mut dst).expect("ok");
    assert_eq!(&dst[..], b"\x02\x01a\x01\x01\x03\x00bc");
    assert_eq!(message_encoded_len(&m, Framing::Zmtp1), dst.len());
}

#[test]
fn empty_message_refused() {
    assert_eq!(Message::new().to_bytes(), Err(EncodeError::EmptyMessage));
    let mut dst = BytesMut::new();
    assert_eq!(
        encode_message(&Message::new(), Framing::Zmtp2, &mut dst),
        Err(EncodeError::EmptyMessage)
    );
}

#[test]
fn ready_matches_rfc37_dealer_example_g10() {
    let ready = Command::Ready(
        Metadata::new()
            .with("Socket-Type", "DEALER")
            .with("Identity", ""),
    );
    let mut expected = vec![0x04, 0x29, 0x05];
    expected.extend_from_slice(
        b"READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00",
    );
    assert_eq!(encoded(&ready), expected);
    assert_eq!(
        encoded(&Command::Ready(Metadata::new())),
        b"\x04\x06\x05READY"
    );
}

#[test]
fn commands_exact_bytes() {
    let cases: Vec<(Command, &[u8])> = vec![
        (
            Command::Error {
                reason: Bytes::from_static(b"400"),
            },
            b"\x04\x0a\x05ERROR\x03400",
        ),
        (
            Command::Subscribe(Bytes::from_static(b"t")),
            b"\x04\x0b\x09SUBSCRIBEt",
        ),
        (Command::Cancel(Bytes::new()), b"\x04\x07\x06CANCEL"),
        (
            Command::Ping {
                ttl: 0x0102,
                context: Bytes::from_static(b"c"),
            },
            b"\x04\x08\x04PING\x01\x02c",
        ),
        (
            Command::Pong {
                context: Bytes::from_static(b"c"),
            },
            b"\x04\x06\x04PONGc",
        ),
        (
            Command::Join(Bytes::from_static(b"g")),
            b"\x04\x06\x04JOINg",
        ),
        (
            Command::Leave(Bytes::from_static(b"g")),
            b"\x04\x07\x05LEAVEg",
        ),
        (
            Command::Mechanism {
                name: crate::wire::MechanismCommand::Welcome,
                body: Bytes::new(),
            },
            b"\x04\x08\x07WELCOME",
        ),
        (
            Command::Unknown {
                name: Bytes::from_static(b"X"),
                body: Bytes::from_static(b"y"),
            },
            b"\x04\x03\x01Xy",
        ),
    ];
    for (command, wire) in cases {
        assert_eq!(encoded(&command), wire, "{command:?}");
        assert_eq!(
            Command::parse(&Bytes::copy_from_slice(&wire[2..])),
            Ok(command)
        );
    }
}

#[test]
fn long_command_uses_long_size_g06() {
    let cmd = Command::Subscribe(Bytes::from(vec![b'x'; 300]));
    let bytes = encoded(&cmd);
    assert_eq!(bytes[0], 0x06);
    assert_eq!(u64::from_be_bytes(bytes[1..9].try_into().expect("8")), 310);
}

#[test]
fn encode_body_is_the_frame_body() {
    let cmd = Command::Ping {
        ttl: 5,
        context: Bytes::new(),
    };
    let mut body = BytesMut::new();
    cmd.encode_body(&mut body).expect("ok");
    assert_eq!(&body[..], b"\x04PING\x00\x05");
    assert_eq!(cmd.body_len(), body.len());
}

#[test]
fn forbidden_values_refused_and_nothing_written() {
    let cases = [
        (
            Command::Ping {
                ttl: 0,
                context: Bytes::from(vec![0; 17]),
            },
            EncodeError::PingContextTooLong(17),
        ),
        (
            Command::Pong {
                context: Bytes::from(vec![0; 17]),
            },
            EncodeError::PingContextTooLong(17),
        ),
        (
            Command::Ready(Metadata::new().with("", "v")),
            EncodeError::BadPropertyName,
        ),
        (
            Command::Ready(Metadata::new().with(vec![b'a'; 256], "v")),
            EncodeError::BadPropertyName,
        ),
        (
            Command::Ready(Metadata::new().with("a:b", "v")),
            EncodeError::BadPropertyName,
        ),
        (
            Command::Error {
                reason: Bytes::from_static(b"a b"),
            },
            EncodeError::BadErrorReason,
        ),
        (
            Command::Error {
                reason: Bytes::from(vec![b'a'; 256]),
            },
            EncodeError::BadErrorReason,
        ),
        (
            Command::Join(Bytes::from_static(b"a\x00")),
            EncodeError::BadGroup,
        ),
        (
            Command::Leave(Bytes::from(vec![b'a'; 256])),
            EncodeError::BadGroup,
        ),
        (
            Command::Unknown {
                name: Bytes::new(),
                body: Bytes::new(),
            },
            EncodeError::BadCommandName,
        ),
        (
            Command::Unknown {
                name: Bytes::from_static(b"A1"),
                body: Bytes::new(),
            },
            EncodeError::BadCommandName,
        ),
    ];
    for (command, error) in cases {
        let mut dst = BytesMut::new();
        assert_eq!(command.encode(&mut dst), Err(error), "{command:?}");
        assert!(dst.is_empty());
    }
}

#[test]
fn metadata_and_property() {
    let md = Metadata::new().with("A", "1").with("b", "");
    assert_eq!(encoded(&md), b"\x01A\x00\x00\x00\x011\x01b\x00\x00\x00\x00");
    assert_eq!(Metadata::parse(&md.to_bytes().expect("ok")), Ok(md));
}

#[test]
fn subscription_message_g17() {
    let sub = SubscriptionMessage::Subscribe(Bytes::from_static(b"topic"));
    assert_eq!(encoded(&sub), b"\x01topic");
    assert_eq!(encoded(&SubscriptionMessage::Cancel(Bytes::new())), b"\x00");
    let message = sub.to_message();
    assert_eq!(encoded(&message), b"\x00\x06\x01topic");
    assert_eq!(SubscriptionMessage::parse_message(&message), Ok(sub));
}
