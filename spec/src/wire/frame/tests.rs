use super::*;
use crate::wire::{Parsed, WireError, run};

fn header(kind: FrameKind, size: u64) -> FrameHeader {
    FrameHeader { kind, size }
}

/// Every proper prefix of a valid header reports "need more", never an error.
fn assert_prefixes_incomplete(
    rule: fn(&[u8]) -> crate::wire::IResult<'_, FrameHeader>,
    input: &[u8],
) {
    for cut in 0..input.len() {
        match run(rule, &input[..cut]) {
            Ok(Parsed::Incomplete(n)) => {
                assert!(n >= 1 && cut + n <= input.len(), "cut {cut}: need {n}");
            }
            other => panic!("prefix of {cut} octets gave {other:?}"),
        }
    }
}

#[test]
fn flags_valid_g06() {
    for octet in [0x00, 0x01, 0x02, 0x03, 0x04, 0x06] {
        assert_eq!(run(flags, &[octet]), Ok(Parsed::Done(Flags(octet), 1)));
    }
}

#[test]
fn flags_reserved_bits_rejected_37_r19() {
    for bit in 3..8 {
        let octet = 1u8 << bit;
        assert_eq!(run(flags, &[octet]), Err(WireError::ReservedFlags(octet)));
    }
}

#[test]
fn flags_command_with_more_rejected_37_r20() {
    assert_eq!(run(flags, &[0x05]), Err(WireError::CommandWithMore));
    assert_eq!(run(flags, &[0x07]), Err(WireError::CommandWithMore));
}

#[test]
fn flags_empty_is_incomplete() {
    assert_eq!(run(flags, &[]), Ok(Parsed::Incomplete(1)));
}

#[test]
fn short_size_g07() {
    assert_eq!(run(short_size, &[0xFF]), Ok(Parsed::Done(255, 1)));
    assert_eq!(run(short_size, &[]), Ok(Parsed::Incomplete(1)));
}

#[test]
fn long_size_g07() {
    let max = MAX_LONG_SIZE.to_be_bytes();
    assert_eq!(run(long_size, &max), Ok(Parsed::Done(MAX_LONG_SIZE, 8)));
    assert_eq!(run(long_size, &[0, 0, 0]), Ok(Parsed::Incomplete(5)));
}

#[test]
fn long_size_msb_set_rejected_g07() {
    let size = 1u64 << 63;
    assert_eq!(
        run(long_size, &size.to_be_bytes()),
        Err(WireError::SizeTooLarge(size))
    );
}

#[test]
fn frame_header_short_message_g06() {
    let input = [0x01, 0x05];
    assert_eq!(
        run(frame_header, &input),
        Ok(Parsed::Done(
            header(FrameKind::Message { more: true }, 5),
            2
        ))
    );
    assert_prefixes_incomplete(frame_header, &input);
}

#[test]
fn frame_header_long_command_g06() {
    let input = [0x06, 0, 0, 0, 0, 0, 0, 0x01, 0x00];
    assert_eq!(
        run(frame_header, &input),
        Ok(Parsed::Done(header(FrameKind::Command, 256), 9))
    );
    assert_prefixes_incomplete(frame_header, &input);
}

#[test]
fn frame_header_long_encoding_of_small_body_accepted_g07() {
    let input = [0x02, 0, 0, 0, 0, 0, 0, 0, 0x03];
    assert_eq!(
        run(frame_header, &input),
        Ok(Parsed::Done(
            header(FrameKind::Message { more: false }, 3),
            9
        ))
    );
}

#[test]
fn frame_header_rejects_bad_flags_before_size_37_r19() {
    assert_eq!(
        run(frame_header, &[0x08]),
        Err(WireError::ReservedFlags(0x08))
    );
    assert_eq!(run(frame_header, &[0x05]), Err(WireError::CommandWithMore));
}

#[test]
fn frame_whole_and_partial() {
    let input = [0x00, 0x03, b'a', b'b', b'c', 0xEE];
    assert_eq!(
        run(frame, &input),
        Ok(Parsed::Done(
            (header(FrameKind::Message { more: false }, 3), &b"abc"[..]),
            5
        ))
    );
    assert_eq!(run(frame, &input[..3]), Ok(Parsed::Incomplete(2)));
}

#[test]
fn zmtp2_flags_rfc15() {
    for octet in 0..=3 {
        assert_eq!(
            run(zmtp2_flags, &[octet]),
            Ok(Parsed::Done(Flags(octet), 1))
        );
    }
    // The COMMAND bit does not exist in 2.0: bits 2-7 are reserved.
    for bit in 2..8 {
        let octet = 1u8 << bit;
        assert_eq!(
            run(zmtp2_flags, &[octet]),
            Err(WireError::ReservedFlags(octet))
        );
    }
}

#[test]
fn zmtp2_frame_header_rfc15() {
    let input = [0x03, 0, 0, 0, 0, 0, 0, 0x01, 0x2C];
    assert_eq!(
        run(zmtp2_frame_header, &input),
        Ok(Parsed::Done(
            header(FrameKind::Message { more: true }, 300),
            9
        ))
    );
    assert_prefixes_incomplete(zmtp2_frame_header, &input);
    assert_eq!(
        run(zmtp2_frame_header, &[0x04, 0x00]),
        Err(WireError::ReservedFlags(0x04))
    );
}

#[test]
fn zmtp1_length_rfc13() {
    assert_eq!(run(zmtp1_length, &[0x01]), Ok(Parsed::Done(1, 1)));
    assert_eq!(run(zmtp1_length, &[0xFE]), Ok(Parsed::Done(254, 1)));
    let mut long = vec![0xFF];
    long.extend_from_slice(&1000u64.to_be_bytes());
    assert_eq!(run(zmtp1_length, &long), Ok(Parsed::Done(1000, 9)));
    // The long form may carry a small length.
    let mut small = vec![0xFF];
    small.extend_from_slice(&2u64.to_be_bytes());
    assert_eq!(run(zmtp1_length, &small), Ok(Parsed::Done(2, 9)));
    assert_eq!(run(zmtp1_length, &[0xFF, 0]), Ok(Parsed::Incomplete(7)));
}

#[test]
fn zmtp1_length_zero_rejected_rfc13() {
    assert_eq!(
        run(zmtp1_length, &[0x00]),
        Err(WireError::ZeroLengthLegacyFrame)
    );
    let mut long = vec![0xFF];
    long.extend_from_slice(&0u64.to_be_bytes());
    assert_eq!(
        run(zmtp1_length, &long),
        Err(WireError::ZeroLengthLegacyFrame)
    );
}

#[test]
fn zmtp1_frame_header_length_counts_flags_rfc13() {
    // length 1 = flags only: an empty body.
    assert_eq!(
        run(zmtp1_frame_header, &[0x01, 0x00]),
        Ok(Parsed::Done(
            header(FrameKind::Message { more: false }, 0),
            2
        ))
    );
    // length 4, MORE: a 3-octet body. Reserved bits 1-7 are ignored.
    assert_eq!(
        run(zmtp1_frame_header, &[0x04, 0xF1]),
        Ok(Parsed::Done(
            header(FrameKind::Message { more: true }, 3),
            2
        ))
    );
    let mut long = vec![0xFF];
    long.extend_from_slice(&301u64.to_be_bytes());
    long.push(0x00);
    assert_prefixes_incomplete(zmtp1_frame_header, &long);
    assert_eq!(
        run(zmtp1_frame_header, &long),
        Ok(Parsed::Done(
            header(FrameKind::Message { more: false }, 300),
            10
        ))
    );
}

#[test]
fn header_encoded_len_picks_short_when_it_fits() {
    let h = |size| header(FrameKind::Message { more: false }, size);
    assert_eq!(h(255).encoded_len(Framing::Zmtp3), 2);
    assert_eq!(h(256).encoded_len(Framing::Zmtp3), 9);
    assert_eq!(h(253).encoded_len(Framing::Zmtp1), 2);
    assert_eq!(h(254).encoded_len(Framing::Zmtp1), 10);
}
