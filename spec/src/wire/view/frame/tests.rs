use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;

use super::super::tests::{octets_near, outcome};
use super::*;
use crate::wire::Encode;
use crate::wire::frame::{flags, frame, frame_header, zmtp2_flags, zmtp2_frame_header};
use crate::wire::legacy::v2_identity;
use crate::wire::{Frame, Framing};

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![4 => vec(any::<u8>(), 0..40), 1 => vec(any::<u8>(), 250..300)]
}

fn valid_frame() -> impl Strategy<Value = Frame> {
    (
        prop_oneof![
            any::<bool>().prop_map(|more| FrameKind::Message { more }),
            Just(FrameKind::Command),
        ],
        body(),
    )
        .prop_map(|(kind, body)| Frame {
            kind,
            body: Bytes::from(body),
        })
}

fn encoded(frame: &Frame) -> Vec<u8> {
    frame.to_bytes().expect("a valid frame").to_vec()
}

fn strict_error(octets: &[u8]) -> WireError {
    match frame(octets) {
        Err(nom::Err::Failure(e)) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

proptest! {
    /// Encoder -> view: flags, size, body and length read back (G06, G07).
    #[test]
    fn encoded_frame_reads_back(f in valid_frame()) {
        let octets = encoded(&f);
        let view = FrameView::new(&octets[..]);
        let long = f.body.len() > MAX_SHORT_SIZE;
        let kind_flags = f.header().kind_flags();
        prop_assert_eq!(view.flags(), Some(Flags(kind_flags | if long { Flags::LONG } else { 0 })));
        prop_assert_eq!(view.size(), Some(f.body.len() as u64));
        prop_assert_eq!(view.body(), Some(&f.body[..]));
        prop_assert_eq!(view.frame_len(), Some(octets.len() as u64));
        prop_assert_eq!(view.rest(), Some(&[][..]));
        prop_assert_eq!(view.check(), Ok((f.header(), &f.body[..])));
    }

    /// Builder with valid fields -> the encoder's octets, and the strict
    /// parser gives the same frame.
    #[test]
    fn built_frame_parses(f in valid_frame()) {
        let built = match f.kind {
            FrameKind::Message { more } => FrameBuilder::message(&f.body, more).build(),
            FrameKind::Command => FrameBuilder::command(&f.body).build(),
        };
        prop_assert_eq!(&built, &encoded(&f));
        let (rest, (header, body)) = frame(&built).expect("a valid frame");
        prop_assert!(rest.is_empty());
        prop_assert_eq!(header, f.header());
        prop_assert_eq!(body, &f.body[..]);
    }

    /// A long size for a small body is legal (G07, zmtp-wire.md 6.1 #22).
    #[test]
    fn long_form_of_small_bodies_is_accepted(f in valid_frame()) {
        let built = FrameBuilder::new()
            .flags(f.header().kind_flags())
            .long(true)
            .body(&f.body)
            .build();
        prop_assert_eq!(built.len(), FrameView::<&[u8]>::LONG_HEADER_LEN + f.body.len());
        prop_assert_eq!(frame(&built).map(|(_, (h, _))| h), Ok(f.header()));
    }

    /// For any octets, each strict rule equals the view's check.
    #[test]
    fn strict_rules_are_view_checks(
        octets in octets_near(300, valid_frame().prop_map(|f| encoded(&f))),
    ) {
        let view = FrameView::new(&octets[..]);
        let used = |body: usize| view.header_len().expect("a header") + body;
        prop_assert_eq!(outcome(&octets, flags(&octets)), view.check_flags().map(|f| (f, 1)));
        prop_assert_eq!(
            outcome(&octets, zmtp2_flags(&octets)),
            view.check_zmtp2_flags().map(|f| (f, 1))
        );
        prop_assert_eq!(
            outcome(&octets, frame_header(&octets)),
            view.check_header().map(|h| (h, used(0)))
        );
        prop_assert_eq!(
            outcome(&octets, zmtp2_frame_header(&octets)),
            view.check_zmtp2_header().map(|h| (h, used(0)))
        );
        prop_assert_eq!(
            outcome(&octets, frame(&octets)),
            view.check().map(|(h, b)| ((h, b), used(b.len())))
        );
        prop_assert_eq!(
            outcome(&octets, v2_identity(&octets)),
            view.check_v2_identity().map(|id| (id, 2 + id.len()))
        );
    }

    /// Reading never panics; the body is `None` until it has all arrived.
    #[test]
    fn short_views_read_none(octets in vec(any::<u8>(), 0..12)) {
        let view = FrameView::new(&octets[..]);
        prop_assert_eq!(view.flags().is_some(), !octets.is_empty());
        let complete = view.frame_len().is_some_and(|n| n <= octets.len() as u64);
        prop_assert_eq!(view.body().is_some(), complete);
        prop_assert_eq!(view.rest().is_some(), complete);
        if let Some(so_far) = view.body_so_far() {
            prop_assert!(so_far.len() as u64 <= view.size().unwrap_or(0));
        }
    }
}

#[test]
fn reserved_flag_bits_are_refused_37_r19() {
    for bit in 3..8 {
        let octet = 1u8 << bit;
        let built = FrameBuilder::new().flags(octet).body(b"x").build();
        assert_eq!(strict_error(&built), WireError::ReservedFlags(octet));
    }
    // In 2.0 the COMMAND bit is reserved too (RFC 15).
    let command = FrameBuilder::command(b"\x04PING\x00\x00").build();
    assert_eq!(
        zmtp2_frame_header(&command),
        Err(nom::Err::Failure(WireError::ReservedFlags(Flags::COMMAND)))
    );
}

#[test]
fn more_on_a_command_is_refused_37_r20() {
    let built = FrameBuilder::command(b"\x04PONG")
        .flags(Flags::COMMAND | Flags::MORE)
        .build();
    assert_eq!(strict_error(&built), WireError::CommandWithMore);
}

#[test]
fn size_with_top_bit_is_refused_g07() {
    let built = FrameBuilder::new()
        .flags(0x04)
        .size(1 << 63)
        .body(b"..")
        .build();
    assert_eq!(built[0], 0x06);
    assert_eq!(strict_error(&built), WireError::SizeTooLarge(1 << 63));
    let max = FrameBuilder::new().size(MAX_LONG_SIZE).build();
    assert_eq!(
        frame(&max),
        Err(nom::Err::Incomplete(nom::Needed::new(
            usize::try_from(MAX_LONG_SIZE).unwrap()
        )))
    );
}

#[test]
fn a_size_beyond_the_body_needs_more() {
    let built = FrameBuilder::new().size(5).body(b"abc").build();
    assert_eq!(built, b"\x00\x05abc");
    assert_eq!(
        frame(&built),
        Err(nom::Err::Incomplete(nom::Needed::new(2)))
    );
    let view = FrameView::new(&built[..]);
    assert_eq!(view.body(), None);
    assert_eq!(view.body_so_far(), Some(&b"abc"[..]));
    assert_eq!(view.check(), Err(CheckError::Incomplete(2)));
    // A short form cut to the size's low octet.
    let cut = FrameBuilder::new()
        .long(false)
        .size(0x1_02)
        .body(b"ab")
        .build();
    assert_eq!(cut, b"\x00\x02ab");
}

#[test]
fn v2_identity_flags_are_judged_rfc15() {
    let built = FrameBuilder::message(b"id", true).build();
    assert_eq!(
        v2_identity(&built),
        Err(nom::Err::Failure(WireError::BadV2IdentityFlags(0x01)))
    );
    let view = FrameView::new(&built[..1]);
    assert_eq!(view.check_v2_identity(), Err(CheckError::Incomplete(1)));
}

#[test]
fn setters_forge_a_valid_frame() {
    let mut octets = FrameBuilder::message(b"hello", false).build();
    let mut view = FrameView::new(&mut octets[..]);
    view.set_flags(0x09);
    view.set_short_size(4);
    assert_eq!(octets, b"\x09\x04hello");
    assert_eq!(strict_error(&octets), WireError::ReservedFlags(0x09));
    let mut framing = Vec::new();
    Frame::message(&b"x"[..], false)
        .encode_in(Framing::Zmtp2, &mut framing)
        .unwrap();
    assert_eq!(framing, FrameBuilder::message(b"x", false).build());
}
