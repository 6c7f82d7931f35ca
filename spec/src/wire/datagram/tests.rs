use bytes::BytesMut;
use proptest::prelude::*;

use super::*;
use crate::wire::view::DatagramBuilder;

#[test]
fn datagram_48_r31() {
    let d = Datagram::parse(b"\x02g1hello").expect("a datagram");
    assert_eq!(d.group, b"g1");
    assert_eq!(d.body, b"hello");
    // An empty group and an empty body are both allowed.
    let d = Datagram::parse(b"\x00").expect("a datagram");
    assert_eq!((d.group, d.body), (&b""[..], &b""[..]));
    let d = Datagram::parse(b"\x01g").expect("a datagram");
    assert_eq!((d.group, d.body), (&b"g"[..], &b""[..]));
}

#[test]
fn datagram_malformed_48_r32_r34_r37() {
    assert_eq!(Datagram::parse(b""), Err(DatagramError::Empty));
    assert_eq!(
        Datagram::parse(b"\x05abc"),
        Err(DatagramError::TruncatedGroup {
            declared: 5,
            available: 3
        })
    );
    assert_eq!(
        Datagram::parse(&DatagramBuilder::new().group_len(255).build()),
        Err(DatagramError::TruncatedGroup {
            declared: 255,
            available: 0
        })
    );
    assert_eq!(
        Datagram::parse(b"\x03a\x00bbody"),
        Err(DatagramError::NulInGroup(1))
    );
}

#[test]
fn datagram_size_limit_48_r33() {
    let fits = DatagramBuilder::new()
        .group(b"g")
        .body(&vec![7; MAX_DATAGRAM_LEN - 2])
        .build();
    assert_eq!(fits.len(), MAX_DATAGRAM_LEN);
    assert!(Datagram::parse(&fits).is_ok());
    let over = DatagramBuilder::new()
        .group(b"g")
        .body(&vec![7; MAX_DATAGRAM_LEN - 1])
        .build();
    assert_eq!(
        Datagram::parse(&over),
        Err(DatagramError::TooLarge(MAX_DATAGRAM_LEN + 1))
    );
    let d = Datagram {
        group: b"g",
        body: &vec![0; MAX_DATAGRAM_LEN - 1],
    };
    let mut out = Vec::new();
    assert_eq!(
        d.encode(&mut out),
        Err(DatagramError::TooLarge(MAX_DATAGRAM_LEN + 1))
    );
    assert!(out.is_empty(), "nothing written on a refusal");
}

#[test]
fn encode_refuses_bad_groups_48_r32_r37() {
    let long = vec![b'a'; MAX_GROUP_LEN + 1];
    let d = Datagram {
        group: &long,
        body: b"",
    };
    assert_eq!(d.to_vec(), Err(DatagramError::GroupTooLong(256)));
    let max = vec![b'a'; MAX_GROUP_LEN];
    let d = Datagram {
        group: &max,
        body: b"x",
    };
    let v = d.to_vec().expect("255 fits");
    assert_eq!(v[0], 255);
    assert_eq!(
        Datagram {
            group: b"\x00",
            body: b""
        }
        .to_vec(),
        Err(DatagramError::NulInGroup(0))
    );
}

#[test]
fn message_round_trip() {
    let m = Message::from_frames([&b"weather"[..], b"sunny"]);
    let d = Datagram::from_message(&m).expect("two frames");
    let octets = d.to_vec().expect("fits");
    assert_eq!(octets, b"\x07weathersunny");
    assert_eq!(Datagram::parse(&octets).expect("valid").to_message(), m);
    let one = Message::from_frames([&b"x"[..]]);
    assert_eq!(
        Datagram::from_message(&one),
        Err(DatagramError::NotGroupAndBody(1))
    );
}

#[test]
fn nom_rule_consumes_everything() {
    let (rest, d) = datagram(b"\x01ab").expect("valid");
    assert!(rest.is_empty());
    assert_eq!(d.body, b"b");
    assert!(matches!(
        datagram(b""),
        Err(nom::Err::Failure(DatagramError::Empty))
    ));
}

proptest! {
    #[test]
    fn encode_parse_inverse(
        group in proptest::collection::vec(1u8..=255, 0..=MAX_GROUP_LEN),
        body in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let d = Datagram { group: &group, body: &body };
        let mut out = BytesMut::new();
        d.encode(&mut out).expect("fits");
        prop_assert_eq!(out.len(), d.encoded_len());
        prop_assert_eq!(Datagram::parse(&out), Ok(d));
    }

    #[test]
    fn any_octets_parse_or_fail_cleanly(octets in proptest::collection::vec(any::<u8>(), 0..400)) {
        // Never a panic; a success re-encodes to the same octets.
        if let Ok(d) = Datagram::parse(&octets) {
            prop_assert_eq!(d.to_vec().expect("valid"), octets);
        }
    }
}
