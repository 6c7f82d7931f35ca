use bytes::{Bytes, BytesMut};

use super::*;
use crate::wire::{Encode, Frame, Metadata};

/// What a decoder made of some input: the items, then the error if any.
type Outcome = (Vec<Item>, Option<WireError>);

fn drain(decoder: &mut Decoder, out: &mut Outcome) {
    if out.1.is_some() {
        return;
    }
    loop {
        match decoder.poll_item() {
            Ok(Some(item)) => out.0.push(item),
            Ok(None) => return,
            Err(e) => {
                out.1 = Some(e);
                return;
            }
        }
    }
}

fn decode_chunks(make: &dyn Fn() -> Decoder, chunks: &[&[u8]]) -> Outcome {
    let mut decoder = make();
    let mut out = (Vec::new(), None);
    for chunk in chunks {
        decoder.push(chunk);
        drain(&mut decoder, &mut out);
    }
    out
}

/// Decodes `input` in one piece, split in two at every byte, and one byte
/// at a time; all must agree. Returns the one-piece outcome.
fn decode_every_split(make: &dyn Fn() -> Decoder, input: &[u8]) -> Outcome {
    let whole = decode_chunks(make, &[input]);
    for cut in 0..=input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(decode_chunks(make, &[a, b]), whole, "split at {cut}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(decode_chunks(make, &bytes), whole, "byte by byte");
    whole
}

fn v3() -> Decoder {
    Decoder::new(Framing::Zmtp3)
}

fn msg(frames: &[&'static [u8]]) -> Item {
    Item::Message(Message::from_frames(frames.iter().copied()))
}

#[test]
fn commands_and_messages_interleaved_g09() {
    let mut input = Vec::new();
    input.extend_from_slice(
        &Command::Ready(Metadata::new().with("Socket-Type", "PAIR"))
            .to_bytes()
            .expect("ok"),
    );
    input.extend_from_slice(b"\x01\x01a\x00\x02bc");
    input.extend_from_slice(b"\x04\x07\x04PING\x00\x01");
    input.extend_from_slice(b"\x00\x00");
    let (items, error) = decode_every_split(&v3, &input);
    assert_eq!(error, None);
    assert_eq!(items.len(), 4);
    assert!(
        matches!(&items[0], Item::Command(Command::Ready(md)) if md.get("socket-type").is_some())
    );
    assert_eq!(items[1], msg(&[b"a", b"bc"]));
    assert_eq!(
        items[2],
        Item::Command(Command::Ping {
            ttl: 1,
            context: Bytes::new()
        })
    );
    assert_eq!(items[3], msg(&[b""]));
}

#[test]
fn command_inside_multipart_message_rejected_g09() {
    let input = b"\x01\x01a\x04\x06\x04PONG\x00\x01b";
    let (items, error) = decode_every_split(&v3, input);
    assert!(items.is_empty());
    assert_eq!(error, Some(WireError::CommandInsideMessage));
}

#[test]
fn long_encoding_of_small_frame_accepted_g07() {
    let input = b"\x02\x00\x00\x00\x00\x00\x00\x00\x03abc";
    assert_eq!(decode_every_split(&v3, input), (vec![msg(&[b"abc"])], None));
}

#[test]
fn large_frame_across_chunks() {
    let body = vec![0x5Au8; 1000];
    let bytes = Frame::message(body.clone(), false).to_bytes().expect("ok");
    let (items, error) = decode_every_split(&v3, &bytes);
    assert_eq!(error, None);
    assert_eq!(items, vec![Item::Message(Message::from(body))]);
}

#[test]
fn reserved_flags_and_more_on_command_37_r19_r20() {
    let (items, error) = decode_every_split(&v3, b"\x00\x01x\x08\x00");
    assert_eq!(items, vec![msg(&[b"x"])]);
    assert_eq!(error, Some(WireError::ReservedFlags(0x08)));
    let (_, error) = decode_every_split(&v3, b"\x05\x00");
    assert_eq!(error, Some(WireError::CommandWithMore));
}

#[test]
fn size_msb_set_rejected_g07() {
    let (_, error) = decode_every_split(&v3, b"\x02\x80\x00\x00\x00\x00\x00\x00\x00");
    assert_eq!(error, Some(WireError::SizeTooLarge(1 << 63)));
}

#[test]
fn malformed_command_rejected() {
    let (_, error) = decode_every_split(&v3, b"\x04\x05\x04PING");
    assert_eq!(error, Some(WireError::BadPing));
    let (_, error) = decode_every_split(&v3, b"\x04\x00");
    assert_eq!(error, Some(WireError::BadCommandName));
}

#[test]
fn errors_are_final() {
    let mut decoder = v3();
    decoder.push(b"\x08\x00\x00\x00");
    assert_eq!(decoder.poll_item(), Err(WireError::ReservedFlags(0x08)));
    decoder.push(b"\x00\x00");
    assert_eq!(decoder.poll_item(), Err(WireError::ReservedFlags(0x08)));
}

#[test]
fn raw_commands() {
    let make = || {
        let mut d = v3();
        d.set_raw_commands(true);
        d
    };
    let (items, error) = decode_every_split(&make, b"\x04\x0b\x05READYboxed");
    assert_eq!(error, None);
    assert_eq!(
        items,
        vec![Item::RawCommand(Bytes::from_static(b"\x05READYboxed"))]
    );
}

#[test]
fn max_message_size_whole_message() {
    let make = || v3().with_max_message_size(Some(4));
    let (items, error) = decode_every_split(&make, b"\x00\x04abcd\x01\x02ab\x00\x02cd");
    assert_eq!(items, vec![msg(&[b"abcd"]), msg(&[b"ab", b"cd"])]);
    assert_eq!(error, None);
    let (items, error) = decode_every_split(&make, b"\x01\x02ab\x00\x03cde");
    assert!(items.is_empty());
    assert_eq!(error, Some(WireError::MessageTooLarge { size: 5, max: 4 }));
    let (_, error) = decode_every_split(&make, b"\x04\x06\x05READY");
    assert_eq!(error, Some(WireError::MessageTooLarge { size: 6, max: 4 }));
}

#[test]
fn max_message_size_checked_on_declared_size() {
    // Only the header has arrived: the error comes before any body.
    let mut decoder = v3().with_max_message_size(Some(1 << 20));
    decoder.push(&[0x02, 0, 0, 0, 0, 0x10, 0, 0, 0]);
    assert_eq!(
        decoder.poll_item(),
        Err(WireError::MessageTooLarge {
            size: 1 << 28,
            max: 1 << 20
        })
    );
}

#[test]
fn declared_huge_frame_allocates_nothing_big() {
    // A 2^62-octet frame with no limit: capacity follows what arrived.
    let mut decoder = v3();
    let mut header = vec![0x02];
    header.extend_from_slice(&(1u64 << 62).to_be_bytes());
    decoder.push(&header);
    assert_eq!(decoder.poll_item(), Ok(None));
    assert!(
        decoder.buffer_capacity() < 64 * 1024,
        "{}",
        decoder.buffer_capacity()
    );
    let chunk = [0u8; 4096];
    for _ in 0..256 {
        decoder.push(&chunk);
        assert_eq!(decoder.poll_item(), Ok(None));
    }
    // 1 MiB arrived.
    assert_eq!(decoder.buffered(), 1 << 20);
    assert!(
        decoder.buffer_capacity() <= 2 * (1 << 20) + 64 * 1024,
        "{}",
        decoder.buffer_capacity()
    );
}

#[test]
fn growth_is_bounded_with_earlier_frames_alive() {
    // Earlier frames still held by the application make the buffer shared;
    // growth stays geometric and bounded by what arrived.
    let mut decoder = v3();
    decoder.push(b"\x00\x01a");
    let kept = decoder.poll_item();
    let mut header = vec![0x02];
    header.extend_from_slice(&(1u64 << 30).to_be_bytes());
    decoder.push(&header);
    assert_eq!(decoder.poll_item(), Ok(None));
    for _ in 0..512 {
        decoder.push(&[1u8; 1024]);
    }
    assert_eq!(decoder.buffered(), 512 * 1024);
    assert!(
        decoder.buffer_capacity() <= 2 * 512 * 1024 + 64 * 1024,
        "{}",
        decoder.buffer_capacity()
    );
    assert!(matches!(kept, Ok(Some(Item::Message(_)))));
}

#[test]
fn bodies_share_the_input_buffer() {
    let mut decoder = v3();
    let mut input = BytesMut::from(&b"\x00\x05hello"[..]);
    let body_ptr = input[2..].as_ptr();
    decoder.push_buf(input.split());
    let Ok(Some(Item::Message(m))) = decoder.poll_item() else {
        panic!("no message");
    };
    assert_eq!(m.frames()[0].as_ptr(), body_ptr);
}

#[test]
fn zmtp2_framing_rfc15() {
    let make = || Decoder::new(Framing::Zmtp2);
    let (items, error) = decode_every_split(&make, b"\x01\x01a\x00\x00");
    assert_eq!((items, error), (vec![msg(&[b"a", b""])], None));
    let (_, error) = decode_every_split(&make, b"\x04\x00");
    assert_eq!(error, Some(WireError::ReservedFlags(0x04)));
}

#[test]
fn zmtp1_framing_rfc13() {
    let make = || Decoder::new(Framing::Zmtp1);
    let mut input = b"\x02\x01a\x01\x00".to_vec();
    input.push(0xFF);
    input.extend_from_slice(&301u64.to_be_bytes());
    input.push(0x00);
    input.extend_from_slice(&[7u8; 300]);
    let (items, error) = decode_every_split(&make, &input);
    assert_eq!(error, None);
    assert_eq!(items[0], msg(&[b"a", b""]));
    assert_eq!(items[1], Item::Message(Message::from(vec![7u8; 300])));
    let (_, error) = decode_every_split(&make, b"\x00");
    assert_eq!(error, Some(WireError::ZeroLengthLegacyFrame));
}

#[test]
fn framing_switch_after_greeting() {
    let mut decoder = Decoder::new(Framing::Zmtp3);
    decoder.push(b"\x02\x00a");
    decoder.set_framing(Framing::Zmtp1);
    assert_eq!(decoder.framing(), Framing::Zmtp1);
    assert_eq!(decoder.poll_item(), Ok(Some(msg(&[b"a"]))));
    assert!(decoder.is_idle());
    decoder.push(b"\x01");
    assert!(decoder.is_idle());
    assert_eq!(decoder.take_buffered().as_ref(), b"\x01");
}

#[test]
fn encoder_output_decodes_back() {
    let items = [
        Item::Command(Command::Subscribe(Bytes::from_static(b"t"))),
        msg(&[b"x", b"y"]),
        Item::Message(Message::from(vec![1u8; 70_000])),
        Item::Command(Command::Error {
            reason: Bytes::from_static(b"500"),
        }),
    ];
    let mut input = BytesMut::new();
    for item in &items {
        match item {
            Item::Command(c) => c.encode(&mut input).expect("ok"),
            Item::Message(m) => m.encode(&mut input).expect("ok"),
            Item::RawCommand(_) => unreachable!(),
        }
    }
    let mut decoder = v3();
    decoder.push_buf(input);
    let mut out = (Vec::new(), None);
    drain(&mut decoder, &mut out);
    assert_eq!(out, (items.to_vec(), None));
}

// ---------------------------------------------------------------------------
// reading straight into the buffer (`read_buffer`)
// ---------------------------------------------------------------------------

/// Feeds `input` through [`Decoder::read_buffer`], each "read" writing at
/// most `reads[i % len]` octets (and at most the room offered), as a
/// transport's `try_read_buf` would. Returns the items and error, and the
/// largest capacity seen against the octets read so far.
fn decode_by_reads(mut decoder: Decoder, input: &[u8], reads: &[usize]) -> (Outcome, usize) {
    use bytes::BufMut;
    let mut out = (Vec::new(), None);
    let mut at = 0;
    let mut i = 0;
    let mut worst = 0usize;
    while at < input.len() && out.1.is_none() {
        let mut room = decoder.read_buffer(64 * 1024);
        assert!(room.remaining_mut() > 0, "the room is never empty");
        let n = room
            .remaining_mut()
            .min(reads[i % reads.len()].max(1))
            .min(input.len() - at);
        room.put_slice(&input[at..at + n]);
        at += n;
        i += 1;
        let excess = decoder.buffer_capacity().saturating_sub(2 * at);
        worst = worst.max(excess);
        drain(&mut decoder, &mut out);
    }
    (out, worst)
}

fn encode_all(messages: &[Message]) -> Vec<u8> {
    let mut input = BytesMut::new();
    for m in messages {
        m.encode(&mut input).expect("ok");
    }
    input.to_vec()
}

#[test]
fn reads_into_the_buffer_decode_as_pushes_do() {
    let messages = vec![
        Message::from(vec![1u8; 70_000]),
        Message::from_frames([vec![2u8; 10], vec![3u8; 65_536], vec![4u8; 9_000]]),
        Message::from("small"),
        Message::from(vec![5u8; 65_536]),
        Message::from(vec![6u8; 200_000]),
        Message::from("tail"),
    ];
    let input = encode_all(&messages);
    let expected: Vec<Item> = messages.into_iter().map(Item::Message).collect();
    for reads in [
        &[1usize][..],
        &[7, 3000, 64],
        &[65_536],
        &[100_000, 5],
        &[usize::MAX],
    ] {
        let ((items, error), _) = decode_by_reads(v3(), &input, reads);
        assert_eq!(error, None, "reads {reads:?}");
        // (Not assert_eq: the items are megabytes long.)
        assert!(items == expected, "reads {reads:?}: {} items", items.len());
    }
}

#[test]
fn a_large_body_is_read_in_place_without_regrowing() {
    // Three 64 KiB messages back to back, read as a transport would
    // (at most 4 KiB per read): a pending body is offered exactly its
    // missing octets plus READ_AHEAD; it moves to an allocation of its own
    // at most once, copying only what had arrived of it (after the first
    // message, at most READ_AHEAD octets), and becomes the frame in place.
    use bytes::BufMut;
    let body = vec![9u8; 65_536];
    let input = encode_all(&vec![Message::from(body.clone()); 3]);
    let mut decoder = v3();
    let mut at = 0;
    let mut moves: Vec<usize> = Vec::new();
    let mut got = Vec::new();
    let start = |d: &mut Decoder| d.buffer_mut().as_ptr() as usize;
    while at < input.len() {
        let missing = decoder.missing();
        let before = (start(&mut decoder), decoder.buffered());
        let mut room = decoder.read_buffer(64 * 1024);
        if let Some(missing) = missing {
            let room_now = room.remaining_mut();
            assert!(room_now >= missing, "room {room_now} for {missing}");
            assert!(
                room_now <= missing + READ_AHEAD,
                "room {room_now} for {missing}"
            );
        }
        let n = room.remaining_mut().min(4096).min(input.len() - at);
        room.put_slice(&input[at..at + n]);
        at += n;
        if missing.is_some() && start(&mut decoder) != before.0 {
            moves.push(before.1);
        }
        let body_start = start(&mut decoder);
        while let Ok(Some(Item::Message(m))) = decoder.poll_item() {
            assert_eq!(
                m.frames()[0].as_ptr() as usize,
                body_start,
                "the body was copied"
            );
            got.push(m);
        }
    }
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|m| m.frames()[0][..] == body[..]));
    assert!(moves.len() <= 3, "{moves:?}");
    assert!(
        moves.iter().skip(1).all(|&copied| copied <= READ_AHEAD),
        "{moves:?}"
    );
}

#[test]
fn after_a_large_body_the_next_read_is_short() {
    let mut input = encode_all(&[Message::from(vec![1u8; 20_000])]);
    let mut decoder = v3();
    decoder.push_buf(BytesMut::from(&input[..]));
    assert!(matches!(decoder.poll_item(), Ok(Some(Item::Message(_)))));
    {
        use bytes::BufMut;
        let room = decoder.read_buffer(64 * 1024);
        assert_eq!(room.remaining_mut(), READ_AHEAD);
    }
    // Once: the read after it is full-sized again (a spare capacity of a
    // quarter of the chunk or more is used as it is).
    use bytes::BufMut;
    assert!(decoder.read_buffer(64 * 1024).remaining_mut() >= 16 * 1024);
    input.clear();
    assert!(decoder.is_idle());
}

#[test]
fn reads_keep_capacity_bounded_whatever_the_declared_size() {
    // A 2^40-octet declared body, read in 4 KiB pieces: the buffer follows
    // what arrived (geometric growth), never the declared size.
    let mut input = vec![0x02];
    input.extend_from_slice(&(1u64 << 40).to_be_bytes());
    input.extend(std::iter::repeat_n(7u8, 1 << 20));
    let ((items, error), worst) = decode_by_reads(v3(), &input, &[4096]);
    assert!(items.is_empty() && error.is_none());
    assert!(
        worst <= 64 * 1024 + MIN_GROWTH,
        "capacity exceeded 2 x read by {worst}"
    );
    // Declared within BODY_AHEAD: one allocation of the body's size.
    let mut decoder = v3();
    decoder.push(&[0x02, 0, 0, 0, 0, 0, 0, 0xF0, 0x00]);
    assert_eq!(decoder.poll_item(), Ok(None));
    decoder.push(&[1]);
    assert!(decoder.buffer_capacity() <= 0xF000 + READ_AHEAD);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any message sizes (small and large frames) and any read sizes give
    /// the same items as one push, and capacity stays within twice what
    /// was read plus BODY_AHEAD + READ_AHEAD and one read chunk.
    #[test]
    fn any_reads_decode_the_same(
        sizes in proptest::collection::vec(
            proptest::prop_oneof![0usize..300, 8_000usize..70_000], 1..6),
        reads in proptest::collection::vec(1usize..100_000, 1..8),
    ) {
        let messages: Vec<Message> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| Message::from(vec![i as u8; n]))
            .collect();
        let input = encode_all(&messages);
        let ((items, error), worst) = decode_by_reads(v3(), &input, &reads);
        let expected: Vec<Item> = messages.into_iter().map(Item::Message).collect();
        proptest::prop_assert_eq!(error, None);
        proptest::prop_assert!(items == expected, "{} items", items.len());
        proptest::prop_assert!(worst <= BODY_AHEAD + READ_AHEAD + 64 * 1024, "excess {}", worst);
    }
}

/// A message with these frame bodies.
fn message(frames: &[&[u8]]) -> Message {
    Message::from_frames(frames.iter().map(|f| Bytes::copy_from_slice(f)))
}

/// That message encoded by the wire encoder.
fn encoded(frames: &[&[u8]]) -> Vec<u8> {
    message(frames).to_bytes().expect("encodes").to_vec()
}

/// MAXMSGSIZE bounds the whole message, all frames together: exactly at
/// the limit passes and one octet over fails, for one frame and across
/// frames. 600 + 600 is refused at 1000, which libzmq, checking each
/// frame on its own, would accept.
#[test]
fn max_message_size_bounds_the_whole_message_on_both_sides() {
    let make = || v3().with_max_message_size(Some(1000));
    let (a, b, c) = ([b'a'; 1000], [b'b'; 600], [b'c'; 401]);
    let cases: [(&[&[u8]], Option<WireError>); 5] = [
        (&[&a], None),
        (
            &[&[b'a'; 1001]],
            Some(WireError::MessageTooLarge {
                size: 1001,
                max: 1000,
            }),
        ),
        (&[&b, &c[..400]], None),
        (
            &[&b, &c],
            Some(WireError::MessageTooLarge {
                size: 1001,
                max: 1000,
            }),
        ),
        (
            &[&b, &b],
            Some(WireError::MessageTooLarge {
                size: 1200,
                max: 1000,
            }),
        ),
    ];
    for (frames, expected) in cases {
        let (items, error) = decode_every_split(&make, &encoded(frames));
        assert_eq!(error, expected, "{} frames", frames.len());
        let want = if expected.is_none() {
            vec![Item::Message(message(frames))]
        } else {
            vec![]
        };
        assert_eq!(items, want);
    }
    // The bound is per message: the next one starts from 0.
    let mut two = encoded(&[&b, &c[..400]]);
    two.extend(encoded(&[&a]));
    let (items, error) = decode_every_split(&make, &two);
    assert_eq!((items.len(), error), (2, None));
}

/// Empty frames add no octets, so the frames are counted too: at most
/// one per octet of the limit (one at least), else a peer could make a
/// message of endless empty frames within any limit.
#[test]
fn max_message_size_bounds_the_number_of_frames() {
    assert_eq!((max_frames(0), max_frames(1), max_frames(4)), (1, 1, 4));
    let make = || v3().with_max_message_size(Some(4));
    let empty: &[u8] = b"";
    let (items, error) = decode_every_split(&make, &encoded(&[empty; 4]));
    assert_eq!((items, error), (vec![msg(&[&b""[..]; 4])], None));
    let mixed: [&[u8]; 4] = [b"ab", b"", b"cd", b""];
    let (items, error) = decode_every_split(&make, &encoded(&mixed));
    assert_eq!((items, error), (vec![msg(&[b"ab", b"", b"cd", b""])], None));
    let (items, error) = decode_every_split(&make, &encoded(&[empty; 5]));
    assert!(items.is_empty());
    assert_eq!(error, Some(WireError::TooManyFrames { max: 4 }));
    // A limit of 0 still lets one empty frame through.
    let zero = || v3().with_max_message_size(Some(0));
    let (items, error) = decode_every_split(&zero, &encoded(&[empty]));
    assert_eq!((items, error), (vec![msg(&[b""])], None));
    let (_, error) = decode_every_split(&zero, &encoded(&[empty, empty]));
    assert_eq!(error, Some(WireError::TooManyFrames { max: 1 }));
    // A million empty frames with MORE: refused after 1000, with the
    // buffer holding little.
    let mut decoder = v3().with_max_message_size(Some(1000));
    let flood = [0x01u8, 0].repeat(1_000_000);
    decoder.push(&flood);
    assert_eq!(
        decoder.poll_item(),
        Err(WireError::TooManyFrames { max: 1000 })
    );
    // Without a limit nothing is bounded, as in libzmq.
    let mut decoder = v3();
    decoder.push(&[0x01, 0].repeat(5000));
    decoder.push(&[0x00, 0]);
    assert!(matches!(decoder.poll_item(), Ok(Some(Item::Message(m))) if m.len() == 5001));
}
