use bytes::Bytes;

use super::*;
use crate::wire::{Parsed, WireError, run};

#[test]
fn property_name_37_r26_g10() {
    assert_eq!(
        run(property_name, b"\x03a-Z"),
        Ok(Parsed::Done(&b"a-Z"[..], 4))
    );
    assert_eq!(
        run(property_name, b"\x05X_.+9"),
        Ok(Parsed::Done(&b"X_.+9"[..], 6))
    );
    let mut max = vec![255];
    max.extend_from_slice(&[b'n'; 255]);
    assert_eq!(
        run(property_name, &max),
        Ok(Parsed::Done(&[b'n'; 255][..], 256))
    );
}

#[test]
fn property_name_empty_rejected_37_r26() {
    assert_eq!(run(property_name, b"\x00"), Err(WireError::BadPropertyName));
    assert_eq!(run(property_name, b""), Err(WireError::BadPropertyName));
    assert_eq!(
        run(property_name, b"\x04abc"),
        Err(WireError::BadPropertyName)
    );
}

#[test]
fn property_name_bad_char_rejected_g10() {
    for c in [b' ', b':', 0, 0x80, b'/'] {
        assert_eq!(
            run(property_name, &[1, c]),
            Err(WireError::BadPropertyNameChar)
        );
    }
}

#[test]
fn property_value_37_r28_r29() {
    assert_eq!(
        run(property_value, b"\x00\x00\x00\x02ab"),
        Ok(Parsed::Done(&b"ab"[..], 6))
    );
    assert_eq!(
        run(property_value, b"\x00\x00\x00\x00"),
        Ok(Parsed::Done(&b""[..], 4))
    );
}

#[test]
fn property_value_malformed_37_r28() {
    assert_eq!(
        run(property_value, b"\x80\x00\x00\x00"),
        Err(WireError::BadPropertyValue(0x8000_0000))
    );
    assert_eq!(
        run(property_value, b"\x00\x00\x00\x03ab"),
        Err(WireError::BadPropertyValue(3))
    );
    assert_eq!(
        run(property_value, b"\x00\x00"),
        Err(WireError::TrailingPropertyBytes(2))
    );
}

#[test]
fn property_g10() {
    assert_eq!(
        run(property, b"\x01A\x00\x00\x00\x01b"),
        Ok(Parsed::Done(
            PropertyRef {
                name: b"A",
                value: b"b"
            },
            7
        ))
    );
    assert_eq!(
        run(property, b"\x01A\x00"),
        Err(WireError::TrailingPropertyBytes(3))
    );
}

#[test]
fn metadata_fills_body_exactly_g10() {
    let body = b"\x01A\x00\x00\x00\x01b\x02CD\x00\x00\x00\x00";
    let Ok(Parsed::Done(props, 14)) = run(metadata, body) else {
        panic!("metadata failed");
    };
    assert_eq!(props.len(), 2);
    assert_eq!(run(metadata, b""), Ok(Parsed::Done(vec![], 0)));
    assert_eq!(
        Metadata::parse(&Bytes::from_static(b"\x01A\x00\x00\x00\x01b\x01")),
        Err(WireError::BadPropertyName)
    );
}

#[test]
fn lookup_is_case_insensitive_37_r27_r31() {
    let md =
        Metadata::parse(&Bytes::from_static(b"\x0bsocket-TYPE\x00\x00\x00\x03SUB")).expect("valid");
    assert_eq!(md.get(SOCKET_TYPE).map(|v| &v[..]), Some(&b"SUB"[..]));
    assert_eq!(md.properties()[0].name, Bytes::from_static(b"socket-TYPE"));
    assert!(md.get(IDENTITY).is_none());
}

#[test]
fn duplicates_kept_first_wins() {
    let md = Metadata::new().with("A", "1").with("a", "2");
    assert_eq!(md.get("A").map(|v| &v[..]), Some(&b"1"[..]));
    assert_eq!(md.len(), 2);
}

#[test]
fn validity_37_r26_r28() {
    assert!(Metadata::new().with("X-App", "v").is_valid());
    assert!(!Metadata::new().with("", "v").is_valid());
    assert!(!Metadata::new().with("a b", "v").is_valid());
    assert!(!Metadata::new().with(vec![b'a'; 256], "v").is_valid());
}
