use proptest::collection::vec;
use proptest::prelude::*;

use super::super::tests::{octets_near, outcome};
use super::*;
use crate::Message;
use crate::wire::Framing;
use crate::wire::encode::encode_message;
use crate::wire::frame::{zmtp1_frame_header, zmtp1_length};
use crate::wire::legacy::{v1_identity, v1_length};

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![4 => vec(any::<u8>(), 0..40), 1 => vec(any::<u8>(), 250..300)]
}

fn encoded(body: &[u8], more: bool) -> Vec<u8> {
    let message = if more {
        Message::from_frames([bytes::Bytes::copy_from_slice(body), bytes::Bytes::new()])
    } else {
        Message::from(bytes::Bytes::copy_from_slice(body))
    };
    let mut out = Vec::new();
    encode_message(&message, Framing::Zmtp1, &mut out).expect("encodes");
    out
}

proptest! {
    /// Encoder -> view: length, flags and body read back (RFC 13).
    #[test]
    fn encoded_frame_reads_back(body in body(), more in any::<bool>()) {
        let octets = encoded(&body, more);
        let view = V1FrameView::new(&octets[..]);
        prop_assert_eq!(view.length(), Some(body.len() as u64 + 1));
        prop_assert_eq!(view.length_len(), Some(if body.len() + 1 > 254 { 9 } else { 1 }));
        prop_assert_eq!(view.flags(), Some(u8::from(more)));
        prop_assert_eq!(view.body(), Some(&body[..]));
        prop_assert_eq!(
            view.check_header(),
            Ok(FrameHeader { kind: FrameKind::Message { more }, size: body.len() as u64 })
        );
    }

    /// Builder with valid fields -> the encoder's octets; the strict
    /// parser reads the same header and identity.
    #[test]
    fn built_frame_parses(body in body(), more in any::<bool>()) {
        let built = V1FrameBuilder::new().flags(u8::from(more)).body(&body).build();
        prop_assert_eq!(&built[..], &encoded(&body, more)[..built.len()]);
        let (rest, header) = zmtp1_frame_header(&built).expect("a valid header");
        prop_assert_eq!(header.size, body.len() as u64);
        prop_assert_eq!(rest, &body[..]);
        if body.len() <= MAX_IDENTITY {
            let (_, id) = v1_identity(&built).expect("an identity");
            prop_assert_eq!(id.identity, &body[..]);
            let mut again = Vec::new();
            id.encode(&mut again);
            prop_assert_eq!(again, built);
        }
    }

    /// For any octets, each strict rule equals the view's check.
    #[test]
    fn strict_rules_are_view_checks(
        octets in octets_near(300, (body(), any::<bool>()).prop_map(|(b, m)| encoded(&b, m))),
    ) {
        let view = V1FrameView::new(&octets[..]);
        let length_len = || view.length_len().expect("a length");
        prop_assert_eq!(
            outcome(&octets, v1_length(&octets)),
            view.check_length_field().map(|n| (n, length_len()))
        );
        prop_assert_eq!(
            outcome(&octets, zmtp1_length(&octets)),
            view.check_length().map(|n| (n, length_len()))
        );
        prop_assert_eq!(
            outcome(&octets, zmtp1_frame_header(&octets)),
            view.check_header().map(|h| (h, length_len() + 1))
        );
        prop_assert_eq!(
            outcome(&octets, v1_identity(&octets)),
            view.check_identity().map(|id| (id, length_len() + 1 + id.identity.len()))
        );
    }
}

#[test]
fn zero_length_is_refused_rfc13() {
    for long in [false, true] {
        let built = V1FrameBuilder::new().length(0).long(long).build();
        assert_eq!(
            zmtp1_frame_header(&built),
            Err(nom::Err::Failure(WireError::ZeroLengthLegacyFrame))
        );
        assert_eq!(
            v1_identity(&built),
            Err(nom::Err::Failure(WireError::ZeroLengthLegacyFrame))
        );
    }
}

#[test]
fn long_identity_is_refused_at_its_length_rfc13() {
    let built = V1FrameBuilder::new().length(257).build();
    assert_eq!(built.len(), 10, "FF, eight length octets, flags");
    assert_eq!(
        v1_identity(&built[..9]),
        Err(nom::Err::Failure(WireError::LegacyIdentityTooLong(256)))
    );
    let huge = V1FrameBuilder::new().length(u64::MAX).build();
    assert_eq!(
        V1FrameView::new(&huge[..]).check_identity(),
        Err(CheckError::Invalid(WireError::LegacyIdentityTooLong(
            u64::MAX - 1
        )))
    );
}

#[test]
fn flags_are_not_judged_and_the_long_form_is_legal_rfc13() {
    // A detecting 3.x peer's signature is a long identity header whose
    // flags octet is 7F (37-R60).
    let built = V1FrameBuilder::new()
        .long(true)
        .flags(0x7F)
        .body(b"id")
        .build();
    assert_eq!(&built[..10], &[0xFF, 0, 0, 0, 0, 0, 0, 0, 3, 0x7F]);
    let (_, id) = v1_identity(&built).unwrap();
    assert_eq!((id.flags, id.identity), (0x7F, &b"id"[..]));
    // A short length whose low octet is FF is written long.
    let wrapped = V1FrameBuilder::new().long(false).length(0x1FF).build();
    assert_eq!(V1FrameView::new(&wrapped[..]).length(), Some(0x1FF));
}
