use bytes::Bytes;
use proptest::prelude::*;

use super::super::tests::{metadata, octets_near};
use super::*;
use crate::wire::Encode;
use crate::wire::metadata::{metadata as metadata_rule, property, property_name, property_value};

fn encoded(md: &Metadata) -> Vec<u8> {
    md.to_bytes().expect("valid metadata").to_vec()
}

fn parse(octets: &[u8]) -> Result<Metadata, WireError> {
    Metadata::parse(&Bytes::copy_from_slice(octets))
}

/// A complete rule's outcome: the value and the octets used, or the error.
fn complete<T>(input: &[u8], result: crate::wire::IResult<'_, T>) -> Result<(T, usize), WireError> {
    match result {
        Ok((rest, value)) => Ok((value, input.len() - rest.len())),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(n)) => panic!("a complete rule needs {n:?}"),
    }
}

proptest! {
    /// Encoder -> view: every property's fields read back (G10).
    #[test]
    fn encoded_metadata_reads_back(md in metadata()) {
        let octets = encoded(&md);
        let view = MetadataView::new(&octets[..]);
        prop_assert_eq!(view.properties().count(), md.len());
        for (p, expected) in view.properties().zip(md.properties()) {
            prop_assert_eq!(p.name_len(), Some(expected.name.len() as u8));
            prop_assert_eq!(p.name(), Some(&expected.name[..]));
            prop_assert_eq!(p.value_len(), Some(expected.value.len() as u32));
            prop_assert_eq!(p.value(), Some(&expected.value[..]));
            prop_assert_eq!(p.declared_len(), Some(expected.encoded_len()));
        }
        let refs = view.check().expect("valid metadata");
        prop_assert_eq!(refs.len(), md.len());
    }

    /// Builder with valid fields -> the encoder's octets; the strict
    /// parser gives the same metadata.
    #[test]
    fn built_metadata_parses(md in metadata()) {
        let built = MetadataBuilder::from(&md).build();
        prop_assert_eq!(&built, &encoded(&md));
        prop_assert_eq!(parse(&built), Ok(md));
    }

    /// For any octets, each strict rule equals the view's check.
    #[test]
    fn strict_rules_are_view_checks(octets in octets_near(300, metadata().prop_map(|m| encoded(&m)))) {
        let view = MetadataView::new(&octets[..]);
        prop_assert_eq!(
            complete(&octets, metadata_rule(&octets)).map(|(v, _)| v),
            view.check()
        );
        let first = PropertyView::new(&octets[..]);
        let used = |p: &PropertyRef<'_>| field::value(p.name.len()) + p.value.len();
        prop_assert_eq!(complete(&octets, property(&octets)), first.check().map(|p| (p, used(&p))));
        prop_assert_eq!(
            complete(&octets, property_name(&octets)),
            first.check_name().map(|n| (n, 1 + n.len()))
        );
        prop_assert_eq!(complete(&octets, property_value(&octets)), value_field(&octets));
        // Strict parse accepts exactly when the checks pass.
        prop_assert_eq!(parse(&octets).is_ok(), view.check().is_ok());
    }

    /// Reading never panics; a truncated property is the last one.
    #[test]
    fn lenient_walk_never_panics(octets in proptest::collection::vec(any::<u8>(), 0..64)) {
        let view = MetadataView::new(&octets[..]);
        let mut at = 0;
        for (i, p) in view.properties().enumerate() {
            prop_assert_eq!(view.property_offset(i), Some(at));
            let _ = (p.name(), p.value(), p.value_room());
            at += p.declared_len().unwrap_or(0);
        }
    }
}

#[test]
fn bad_names_are_refused_37_r26_g10() {
    let cases: [(PropertyBuilder, WireError); 4] = [
        (PropertyBuilder::new(b"", b"v"), WireError::BadPropertyName),
        (
            PropertyBuilder::new(b"abc", b"").name_len(9),
            WireError::BadPropertyName,
        ),
        (
            PropertyBuilder::new(b"a b", b""),
            WireError::BadPropertyNameChar,
        ),
        (
            PropertyBuilder::new(b"a:", b""),
            WireError::BadPropertyNameChar,
        ),
    ];
    for (property, error) in cases {
        let body = MetadataBuilder::new().raw(property.clone()).build();
        assert_eq!(parse(&body), Err(error), "{property:?}");
    }
}

#[test]
fn an_over_long_name_declares_its_low_octet() {
    // 300 octets of name: the length octet says 44, so the value length
    // is read from the name's octets 44-47, "nnnn".
    let body = MetadataBuilder::new().property(&[b'n'; 300], b"").build();
    assert_eq!(body[0], 44);
    assert_eq!(parse(&body), Err(WireError::BadPropertyValue(0x6E6E_6E6E)));
}

#[test]
fn bad_values_are_refused_37_r28_r29() {
    let over = MetadataBuilder::new()
        .raw(PropertyBuilder::new(b"a", b"").value_len(1 << 31))
        .build();
    assert_eq!(parse(&over), Err(WireError::BadPropertyValue(1 << 31)));
    let past = MetadataBuilder::new()
        .raw(PropertyBuilder::new(b"a", b"abc").value_len(5))
        .build();
    assert_eq!(parse(&past), Err(WireError::BadPropertyValue(5)));
}

#[test]
fn trailing_octets_are_refused_g10() {
    // One octet left over reads as a name length whose name is missing.
    let one = MetadataBuilder::new()
        .property(b"a", b"")
        .octets(b"\x01")
        .build();
    assert_eq!(parse(&one), Err(WireError::BadPropertyName));
    // A name with no room for its value length: counted from the name.
    let short = MetadataBuilder::new().octets(b"\x01a\x00\x00").build();
    assert_eq!(parse(&short), Err(WireError::TrailingPropertyBytes(4)));
}

#[test]
fn second_value_length_one_past_the_end() {
    let mut body = MetadataBuilder::new()
        .property(b"Socket-Type", b"DEALER")
        .property(b"Identity", b"abc")
        .build();
    let mut view = MetadataView::new(&mut body[..]);
    let mut identity = view.property_mut(1).unwrap();
    assert_eq!(identity.name_len(), Some(8));
    let room = identity.value_room().unwrap();
    assert_eq!(room, 3);
    identity.set_value_len(room as u32 + 1);
    assert_eq!(parse(&body), Err(WireError::BadPropertyValue(4)));
    let view = MetadataView::new(&body[..]);
    assert_eq!(view.property_offset(1), Some(1 + 11 + 4 + 6));
    assert_eq!(view.property(1).unwrap().value(), None, "past the end");
    assert_eq!(view.properties().count(), 2);
}

#[test]
fn setters_rewrite_fields_in_place() {
    let mut body = MetadataBuilder::new().property(b"Ab", b"xy").build();
    let mut view = PropertyView::new(&mut body[..]);
    view.set_name(b"Cd");
    view.value_mut().unwrap().copy_from_slice(b"zw");
    assert_eq!(body, b"\x02Cd\x00\x00\x00\x02zw");
    let mut view = PropertyView::new(&mut body[..]);
    view.set_name_len(0);
    assert_eq!(parse(&body), Err(WireError::BadPropertyName));
}
