use proptest::prelude::*;

use super::super::tests::{octets_near, outcome};
use super::*;
use crate::wire::greeting::{detect, greeting, is_mechanism_char, partial_greeting, signature};
use crate::wire::legacy::v2_greeting;

fn mechanism() -> impl Strategy<Value = Mechanism> {
    let chars: Vec<u8> = (0..=255u8).filter(|&c| is_mechanism_char(c)).collect();
    prop_oneof![
        Just(Mechanism::NULL),
        Just(Mechanism::PLAIN),
        Just(Mechanism::CURVE),
        proptest::collection::vec(proptest::sample::select(chars), 1..=20)
            .prop_map(|name| Mechanism::new(&name).expect("a valid name")),
    ]
}

fn valid_greeting() -> impl Strategy<Value = Greeting> {
    (
        any::<[u8; 8]>(),
        3u8..,
        any::<u8>(),
        mechanism(),
        any::<bool>(),
    )
        .prop_map(|(padding, major, minor, mechanism, as_server)| Greeting {
            padding,
            version: Version { major, minor },
            mechanism,
            as_server,
        })
}

fn strict_error(octets: &[u8]) -> WireError {
    match greeting(octets) {
        Err(nom::Err::Failure(e)) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

proptest! {
    /// Encoder -> view: every field reads back (G01..G04).
    #[test]
    fn encoded_greeting_reads_back(g in valid_greeting()) {
        let octets = g.to_bytes();
        let view = GreetingView::new(&octets[..]);
        prop_assert_eq!(view.signature_start(), Some(SIGNATURE_START));
        prop_assert_eq!(view.padding(), Some(g.padding));
        prop_assert_eq!(view.signature_end(), Some(SIGNATURE_END));
        prop_assert_eq!(view.version(), Some(g.version));
        prop_assert_eq!(view.mechanism(), Some(g.mechanism));
        prop_assert_eq!(view.as_server(), Some(u8::from(g.as_server)));
        prop_assert_eq!(view.filler(), Some([0; FILLER_LEN]));
        prop_assert_eq!(view.check(), Ok(g));
    }

    /// Builder with valid fields -> the strict parser gives the same value.
    #[test]
    fn built_greeting_parses(g in valid_greeting()) {
        let built = GreetingBuilder::new()
            .padding(g.padding)
            .version(g.version)
            .mechanism(g.mechanism)
            .as_server(u8::from(g.as_server))
            .build();
        prop_assert_eq!(built, g.to_bytes());
        prop_assert_eq!(GreetingBuilder::from(&g).build(), built);
        let (rest, parsed) = greeting(&built).expect("a valid greeting");
        prop_assert!(rest.is_empty());
        prop_assert_eq!(parsed, g);
    }

    /// For any octets, each strict rule equals the view's check: the same
    /// value and length, the same "need more", or the same error.
    #[test]
    fn strict_rules_are_view_checks(
        octets in octets_near(80, valid_greeting().prop_map(|g| g.to_bytes().to_vec())),
    ) {
        let view = GreetingView::new(&octets[..]);
        prop_assert_eq!(
            outcome(&octets, greeting(&octets)),
            view.check().map(|g| (g, Greeting::LEN))
        );
        prop_assert_eq!(
            outcome(&octets, signature(&octets)),
            view.check_signature().map(|s| (s, Greeting::SIGNATURE_LEN))
        );
        prop_assert_eq!(
            outcome(&octets, partial_greeting(&octets)),
            view.check_partial().map(|p| (p, Greeting::PARTIAL_LEN))
        );
        prop_assert_eq!(
            outcome(&octets, v2_greeting(&octets)),
            view.check_v2().map(|g| (g, V2Greeting::LEN))
        );
        prop_assert_eq!(outcome(&octets, detect(&octets)), view.detect().map(|d| (d, 0)));
    }

    /// Reading never panics, and a field past the end reads as `None`.
    #[test]
    fn short_views_read_none(octets in proptest::collection::vec(any::<u8>(), 0..64)) {
        let view = GreetingView::new(&octets[..]);
        prop_assert_eq!(view.signature_start().is_some(), !octets.is_empty());
        prop_assert_eq!(view.padding().is_some(), octets.len() >= 9);
        prop_assert_eq!(view.signature_end().is_some(), octets.len() >= 10);
        prop_assert_eq!(view.version().is_some(), octets.len() >= 12);
        prop_assert_eq!(view.mechanism().is_some(), octets.len() >= 32);
        prop_assert_eq!(view.as_server().is_some(), octets.len() >= 33);
        prop_assert!(view.filler().is_none());
        prop_assert_eq!(view.check_len(), Err(CheckError::Incomplete(64 - octets.len())));
    }
}

#[test]
fn bad_signature_start_is_refused_g01() {
    let octets = GreetingBuilder::new().signature_start(0xFE).build();
    assert_eq!(strict_error(&octets), WireError::BadSignature);
    assert_eq!(
        GreetingView::new(&octets[..1]).check(),
        Err(CheckError::Invalid(WireError::BadSignature)),
        "octet 0 is judged alone"
    );
}

#[test]
fn bad_signature_end_is_refused_g01() {
    let clear = GreetingBuilder::new().signature_end(0x7E).build();
    assert_eq!(strict_error(&clear), WireError::BadSignature);
    assert_eq!(
        detect(&clear).map(|(_, d)| d),
        Ok(Detected::Unversioned),
        "a clear low bit is a 1.0 peer (37-R60)"
    );
    // Versioned, but not the 3.x signature.
    let odd = GreetingBuilder::new().signature_end(0x01).build();
    assert_eq!(strict_error(&odd), WireError::BadSignature);
    assert!(signature(&odd).is_ok());
}

#[test]
fn version_below_3_is_refused_g01() {
    for major in [0, 1, 2] {
        let octets = GreetingBuilder::new().major(major).build();
        assert_eq!(strict_error(&octets), WireError::VersionBelow3(major));
    }
    let higher = GreetingBuilder::new()
        .version(Version { major: 4, minor: 9 })
        .build();
    assert!(greeting(&higher).is_ok(), "37-R07");
}

#[test]
fn bad_mechanisms_are_refused_g02() {
    for name in [&b"null"[..], b"NU LL", b"", b"NULL\0X", &[0xFF; 20]] {
        let octets = GreetingBuilder::new().mechanism_name(name).build();
        assert_eq!(
            strict_error(&octets),
            WireError::BadMechanismName,
            "{name:?}"
        );
    }
    let cut = GreetingBuilder::new()
        .mechanism_name(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        .build();
    assert_eq!(&cut[12..32], b"ABCDEFGHIJKLMNOPQRST", "cut at 20 octets");
    assert!(greeting(&cut).is_ok());
}

#[test]
fn bad_as_server_is_refused_g03() {
    for octet in [0x02, 0x80, 0xFF] {
        let octets = GreetingBuilder::new().as_server(octet).build();
        assert_eq!(strict_error(&octets), WireError::BadAsServer(octet));
    }
}

#[test]
fn filler_and_padding_are_not_judged_g04_37_r05() {
    let octets = GreetingBuilder::new()
        .filler([0xAB; FILLER_LEN])
        .padding(*b"anything")
        .build();
    let (_, g) = greeting(&octets).expect("filler is not validated");
    assert_eq!(g.padding, *b"anything");
    assert_eq!(
        GreetingView::new(&octets[..]).filler(),
        Some([0xAB; FILLER_LEN])
    );
}

#[test]
fn v2_greeting_fields_are_octets_10_and_11() {
    let g = V2Greeting {
        padding: 6u64.to_be_bytes(),
        revision: 1,
        socket_type: 5,
    };
    let mut octets = [0u8; V2Greeting::LEN];
    GreetingView::new(&mut octets[..]).set_v2(&g);
    let mut encoded = Vec::new();
    g.encode(&mut encoded);
    assert_eq!(&octets[..], &encoded[..]);
    let view = GreetingView::new(&octets[..]);
    assert_eq!(view.check_v2(), Ok(g));
    assert_eq!(view.major(), Some(1));
    assert_eq!(view.minor(), Some(5));
    let built = GreetingBuilder::new()
        .padding(g.padding)
        .major(1)
        .minor(5)
        .build();
    assert_eq!(&built[..V2Greeting::LEN], &encoded[..]);
}

#[test]
fn signature_and_partial_are_prefixes() {
    let built = GreetingBuilder::new()
        .padding(Signature::detecting(3).padding)
        .build();
    let mut signature = Vec::new();
    Signature::detecting(3).encode(&mut signature);
    assert_eq!(&built[..Greeting::SIGNATURE_LEN], &signature[..]);
    let partial = GreetingView::new(&built[..Greeting::PARTIAL_LEN]).check_partial();
    assert_eq!(
        partial,
        Ok(PartialGreeting {
            signature: Signature::detecting(3),
            major: 3
        })
    );
}
