use super::*;
use crate::wire::WireError;
use crate::wire::greeting::Signature;

fn error_of<T: core::fmt::Debug>(r: Parse<'_, T>) -> WireError {
    match r {
        Err(nom::Err::Failure(e)) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn is_incomplete<T: core::fmt::Debug>(r: Parse<'_, T>) -> bool {
    matches!(r, Err(nom::Err::Incomplete(_)))
}

/// A 2.0 DEALER greeting with identity "id" (RFC 15).
const V2_DEALER: [u8; 16] = [
    0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0x01, 0x05, 0x00, 0x02, b'i', b'd',
];

#[test]
fn v2_greeting_and_identity_parse_rfc15() {
    let (rest, g) = v2_greeting(&V2_DEALER).unwrap();
    assert_eq!(g.revision, 1);
    assert_eq!(g.socket_type, 5);
    let (rest, id) = v2_identity(rest).unwrap();
    assert_eq!(id, b"id");
    assert!(rest.is_empty());
}

#[test]
fn v2_greeting_and_identity_encode() {
    let g = V2Greeting {
        padding: [0; 8],
        revision: 1,
        socket_type: 5,
    };
    let id = V2Identity::new(&b"id"[..]).unwrap();
    let mut out = Vec::new();
    g.encode(&mut out);
    id.encode(&mut out);
    assert_eq!(out, V2_DEALER);
    assert_eq!(out.len(), g.encoded_len() + id.encoded_len());
    assert!(V2Identity::new(vec![1u8; 256]).is_none());
    assert!(V2Identity::new(vec![1u8; 255]).is_some());
}

#[test]
fn v2_incomplete_at_every_split() {
    for n in 0..V2_DEALER.len() {
        let r = v2_greeting(&V2_DEALER[..n]).and_then(|(rest, _)| v2_identity(rest));
        assert!(is_incomplete(r), "prefix {n}");
    }
}

#[test]
fn v2_identity_must_be_final_short_rfc15() {
    assert_eq!(
        error_of(v2_identity(&[0x01, 0x00])),
        WireError::BadV2IdentityFlags(0x01)
    );
    assert_eq!(
        error_of(v2_identity(&[0x02, 0x00])),
        WireError::BadV2IdentityFlags(0x02)
    );
    assert_eq!(v2_identity(&[0x00, 0x00]).unwrap().1, b"");
}

#[test]
fn v2_greeting_needs_a_versioned_signature() {
    let mut bytes = V2_DEALER;
    bytes[9] = 0x7E;
    assert_eq!(error_of(v2_greeting(&bytes)), WireError::BadSignature);
}

#[test]
fn v1_identity_short_form_rfc13() {
    // Length 3 = flags + 2 identity octets.
    let (rest, id) = v1_identity(&[0x03, 0x00, b'a', b'b', 0x01]).unwrap();
    assert_eq!(id.identity, b"ab");
    assert_eq!(rest, &[0x01]);
    // Anonymous: length 1, flags only.
    assert_eq!(v1_identity(&[0x01, 0x00]).unwrap().1.identity, b"");
}

#[test]
fn v1_identity_flags_are_not_validated_rfc13() {
    let (_, id) = v1_identity(&[0x02, 0xFF, b'x']).unwrap();
    assert_eq!(id.flags, 0xFF);
    assert_eq!(id.identity, b"x");
}

#[test]
fn v1_identity_long_form_is_our_pseudo_signature_37_r60() {
    // Our detecting signature for identity "abc" plus the body: a 1.0 peer
    // reads exactly one identity frame from it.
    let mut bytes = Vec::new();
    Signature::detecting(3).encode(&mut bytes);
    bytes.extend_from_slice(b"abc");
    let (rest, id) = v1_identity(&bytes).unwrap();
    assert!(rest.is_empty());
    assert_eq!(id.flags, 0x7F);
    assert_eq!(id.identity, b"abc");
}

#[test]
fn v1_identity_zero_length_is_invalid_rfc13() {
    assert_eq!(
        error_of(v1_identity(&[0x00])),
        WireError::ZeroLengthLegacyFrame
    );
}

#[test]
fn v1_identity_longer_than_255_is_refused_before_buffering() {
    // Declared 2^40 octets: refused on the header alone.
    let header = [0xFF, 0, 0, 1, 0, 0, 0, 0, 1];
    assert_eq!(
        error_of(v1_identity(&header)),
        WireError::LegacyIdentityTooLong(1 << 40)
    );
    // 256 octets of identity (length 257) is one too many.
    let header = [0xFF, 0, 0, 0, 0, 0, 0, 1, 1];
    assert_eq!(
        error_of(v1_identity(&header)),
        WireError::LegacyIdentityTooLong(256)
    );
}

#[test]
fn v1_identity_encode_round_trips() {
    for len in [0usize, 1, 200, 253, 254, 255] {
        let body = vec![b'z'; len];
        let id = V1Identity {
            flags: 0,
            identity: &body,
        };
        let mut out = Vec::new();
        id.encode(&mut out);
        assert_eq!(out.len(), id.encoded_len(), "len {len}");
        let (rest, parsed) = v1_identity(&out).unwrap();
        assert!(rest.is_empty());
        assert_eq!(parsed, id);
        for n in 0..out.len() {
            assert!(
                is_incomplete(v1_identity(&out[..n])),
                "len {len} prefix {n}"
            );
        }
    }
}

#[test]
fn v1_length_forms() {
    assert_eq!(v1_length(&[0x10]).unwrap().1, 0x10);
    assert_eq!(v1_length(&[0xFF, 0, 0, 0, 0, 0, 0, 1, 0]).unwrap().1, 256);
    assert!(is_incomplete(v1_length(&[0xFF, 0])));
}

/// The revision a 2.0 peer sends is one the detection reads as 2.0.
#[test]
fn v2_revision_is_detected_as_zmtp2() {
    use crate::wire::greeting::Protocol;
    assert_eq!(V2_DEALER[10], V2Greeting::REVISION);
    assert_eq!(
        Protocol::from_revision(V2Greeting::REVISION),
        Some(Protocol::V2_0)
    );
}
