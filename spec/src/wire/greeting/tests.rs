use proptest::prelude::*;

use super::*;

/// A libzmq-style 3.1 NULL greeting, with identity length + 1 = 1 in the
/// padding (zmtp-wire.md 6.2 #5).
fn libzmq_null() -> [u8; 64] {
    let mut g = [0u8; 64];
    g[0] = 0xFF;
    g[8] = 0x01;
    g[9] = 0x7F;
    g[10] = 3;
    g[11] = 1;
    g[12..16].copy_from_slice(b"NULL");
    g
}

fn is_incomplete<T: core::fmt::Debug>(r: Parse<'_, T>) -> bool {
    matches!(r, Err(nom::Err::Incomplete(_)))
}

fn error_of<T: core::fmt::Debug>(r: Parse<'_, T>) -> WireError {
    match r {
        Err(nom::Err::Failure(e)) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn greeting_parses_libzmq_null_g01() {
    let bytes = libzmq_null();
    let (rest, g) = greeting(&bytes).unwrap();
    assert!(rest.is_empty());
    assert_eq!(g.version, Version::V3_1);
    assert_eq!(g.mechanism, Mechanism::NULL);
    assert!(!g.as_server);
    assert_eq!(g.padding, [0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(g.to_bytes(), bytes, "re-encodes to the same octets");
}

#[test]
fn greeting_leaves_following_bytes_unread() {
    let mut bytes = libzmq_null().to_vec();
    bytes.extend_from_slice(&[0x04, 0x06]);
    let (rest, _) = greeting(&bytes).unwrap();
    assert_eq!(rest, &[0x04, 0x06]);
}

#[test]
fn incomplete_greeting_is_never_an_error_at_any_split() {
    let bytes = libzmq_null();
    for n in 0..64 {
        let r = greeting(&bytes[..n]);
        assert!(is_incomplete(r), "prefix of {n} octets");
    }
}

#[test]
fn padding_is_never_validated_37_r05_r06() {
    for padding in [[0u8; 8], [0xFF; 8], *b"anything", [1, 2, 3, 4, 5, 6, 7, 8]] {
        let mut bytes = libzmq_null();
        bytes[1..9].copy_from_slice(&padding);
        let (_, g) = greeting(&bytes).unwrap();
        assert_eq!(g.padding, padding);
        let (_, p) = self::padding(&padding).unwrap();
        assert_eq!(p, padding);
    }
}

#[test]
fn signature_start_must_be_ff_g01() {
    let mut bytes = libzmq_null();
    bytes[0] = 0xFE;
    assert_eq!(error_of(signature(&bytes)), WireError::BadSignature);
    assert_eq!(error_of(greeting(&bytes)), WireError::BadSignature);
}

#[test]
fn signature_end_needs_its_low_bit_g01() {
    let mut bytes = libzmq_null();
    bytes[9] = 0x7E;
    assert_eq!(error_of(signature(&bytes)), WireError::BadSignature);
    // Any odd end octet is versioned; only the full 3.x greeting pins 0x7F.
    bytes[9] = 0x01;
    let (_, s) = signature(&bytes).unwrap();
    assert_eq!(s.end, 0x01);
    assert_eq!(error_of(greeting(&bytes)), WireError::BadSignature);
}

#[test]
fn higher_versions_are_accepted_37_r07() {
    for (major, minor, protocol) in [
        (3, 0, Protocol::V3_0),
        (3, 1, Protocol::V3_1),
        (3, 2, Protocol::V3_1),
        (3, 255, Protocol::V3_1),
        (4, 0, Protocol::V3_1),
        (255, 255, Protocol::V3_1),
    ] {
        let mut bytes = libzmq_null();
        bytes[10] = major;
        bytes[11] = minor;
        let (_, g) = greeting(&bytes).unwrap();
        assert_eq!(g.version, Version { major, minor });
        assert_eq!(Protocol::from_version(g.version), Some(protocol));
    }
}

#[test]
fn versions_below_3_are_not_a_3x_greeting_g01() {
    for major in [0, 1, 2] {
        let mut bytes = libzmq_null();
        bytes[10] = major;
        assert_eq!(error_of(greeting(&bytes)), WireError::VersionBelow3(major));
        assert_eq!(Protocol::from_version(Version { major, minor: 0 }), None);
    }
}

#[test]
fn version_reads_two_octets() {
    assert_eq!(version(&[3, 1, 9]).unwrap(), (&[9u8][..], Version::V3_1));
    assert!(is_incomplete(version(&[3])));
}

#[test]
fn mechanism_is_nul_padded_name_g02() {
    for name in [&b"NULL"[..], b"PLAIN", b"CURVE", b"GSSAPI", b"X-Y_Z.1+2"] {
        let mech = Mechanism::new(name).unwrap();
        let (rest, parsed) = mechanism(mech.octets()).unwrap();
        assert!(rest.is_empty());
        assert_eq!(parsed.name(), name);
    }
    let twenty = [b'A'; 20];
    assert_eq!(mechanism(&twenty).unwrap().1.name(), &twenty);
}

#[test]
fn malformed_mechanisms_are_rejected_g02_37_r13() {
    let mut lower = [0u8; 20];
    lower[..4].copy_from_slice(b"null");
    let mut gap = [0u8; 20];
    gap[..4].copy_from_slice(b"NULL");
    gap[5] = b'X';
    let mut space = [0u8; 20];
    space[..5].copy_from_slice(b"NU LL");
    for raw in [[0u8; 20], lower, gap, space] {
        assert_eq!(
            error_of(mechanism(&raw)),
            WireError::BadMechanismName,
            "{raw:?}"
        );
    }
    let mut bytes = libzmq_null();
    bytes[12..16].copy_from_slice(b"null");
    assert_eq!(error_of(greeting(&bytes)), WireError::BadMechanismName);
}

#[test]
fn as_server_is_0_or_1_g03() {
    assert!(!as_server(&[0]).unwrap().1);
    assert!(as_server(&[1]).unwrap().1);
    assert_eq!(error_of(as_server(&[2])), WireError::BadAsServer(2));
    let mut bytes = libzmq_null();
    bytes[32] = 0xFF;
    assert_eq!(error_of(greeting(&bytes)), WireError::BadAsServer(0xFF));
    bytes[32] = 1;
    assert!(greeting(&bytes).unwrap().1.as_server);
}

#[test]
fn filler_is_not_validated_g04() {
    let mut bytes = libzmq_null();
    for b in &mut bytes[33..] {
        *b = 0xAA;
    }
    let (rest, g) = greeting(&bytes).unwrap();
    assert!(rest.is_empty());
    assert_eq!(g.mechanism, Mechanism::NULL);
    assert!(filler(&[0xAA; 31]).is_ok());
    assert!(is_incomplete(filler(&[0; 30])));
}

#[test]
fn partial_greeting_is_11_octets_37_r01() {
    let bytes = libzmq_null();
    let (rest, p) = partial_greeting(&bytes).unwrap();
    assert_eq!(rest.len(), 64 - 11);
    assert_eq!(p.major, 3);
    let mut out = Vec::new();
    p.encode(&mut out);
    assert_eq!(out, &bytes[..11]);
    assert_eq!(out.len(), p.encoded_len());
    for n in 0..11 {
        assert!(is_incomplete(partial_greeting(&bytes[..n])));
    }
}

#[test]
fn detect_unversioned_on_first_octet_37_r60() {
    // A 1.0 peer's short identity frame: length 1 (flags only), flags 0.
    let (rest, d) = detect(&[0x01, 0x00]).unwrap();
    assert_eq!(d, Detected::Unversioned);
    assert_eq!(rest, &[0x01, 0x00], "detection consumes nothing");
    // Decided on one octet.
    assert_eq!(detect(&[0x05]).unwrap().1, Detected::Unversioned);
}

#[test]
fn detect_unversioned_long_identity_on_octet_9() {
    // FF + u64 length + flags with low bit clear: a 1.0 long frame.
    let bytes = [0xFF, 0, 0, 0, 0, 0, 0, 1, 0x2C, 0x00];
    assert_eq!(detect(&bytes).unwrap().1, Detected::Unversioned);
    for n in 1..10 {
        assert!(is_incomplete(detect(&bytes[..n])), "prefix {n}");
    }
}

#[test]
fn detect_versioned_reads_the_revision() {
    let bytes = libzmq_null();
    assert_eq!(
        detect(&bytes).unwrap().1,
        Detected::Versioned { revision: 3 }
    );
    assert!(is_incomplete(detect(&bytes[..10])));
    assert!(is_incomplete(detect(&[])));
    let mut v2 = [0u8; 11];
    v2[0] = 0xFF;
    v2[9] = 0x7F;
    v2[10] = 1;
    assert_eq!(detect(&v2).unwrap().1, Detected::Versioned { revision: 1 });
}

#[test]
fn revisions_map_to_protocols() {
    assert_eq!(Protocol::from_revision(0), Some(Protocol::V1_0));
    assert_eq!(Protocol::from_revision(1), Some(Protocol::V2_0));
    // Revision 2: the RFC's reading (2.0), not libzmq's (3.x).
    assert_eq!(Protocol::from_revision(2), Some(Protocol::V2_0));
    assert_eq!(Protocol::from_revision(3), None);
    assert_eq!(Protocol::from_revision(0xFF), None);
}

#[test]
fn detecting_signature_carries_identity_len_plus_one_37_r60() {
    let s = Signature::detecting(5);
    let mut out = Vec::new();
    s.encode(&mut out);
    assert_eq!(out, [0xFF, 0, 0, 0, 0, 0, 0, 0, 6, 0x7F]);
    assert_eq!(out.len(), s.encoded_len());
    assert_eq!(signature(&out).unwrap().1, s);
    let mut plain = Vec::new();
    Signature::PLAIN.encode(&mut plain);
    assert_eq!(plain, [0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F]);
}

#[test]
fn encoded_len_matches_encode() {
    let g = Greeting::new(Mechanism::PLAIN, true);
    let mut out = Vec::new();
    g.encode(&mut out);
    assert_eq!(out.len(), g.encoded_len());
    assert_eq!(out[32], 1);
    let mut v = Vec::new();
    Version::V3_0.encode(&mut v);
    assert_eq!(v, [3, 0]);
    assert_eq!(v.len(), Version::V3_0.encoded_len());
    let mut m = Vec::new();
    Mechanism::CURVE.encode(&mut m);
    assert_eq!(m.len(), Mechanism::CURVE.encoded_len());
}

proptest! {
    #[test]
    fn greeting_round_trips(
        padding in any::<[u8; 8]>(),
        major in 3u8..,
        minor in any::<u8>(),
        name in "[A-Z0-9._+-]{1,20}",
        as_server in any::<bool>(),
    ) {
        let g = Greeting {
            padding,
            version: Version { major, minor },
            mechanism: Mechanism::new(name.as_bytes()).unwrap(),
            as_server,
        };
        let bytes = g.to_bytes();
        let (rest, parsed) = greeting(&bytes).unwrap();
        prop_assert!(rest.is_empty());
        prop_assert_eq!(parsed, g);
    }

    #[test]
    fn greeting_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = greeting(&bytes);
        let _ = detect(&bytes);
        let _ = partial_greeting(&bytes);
    }
}
