use proptest::prelude::*;

use super::*;

/// RFC 32 §Test Case: the 8 octets encode as "HelloWorld".
#[test]
fn rfc32_test_vector() {
    let bytes = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
    assert_eq!(encode(&bytes).unwrap(), "HelloWorld");
    assert_eq!(decode("HelloWorld").unwrap(), bytes);
}

#[test]
fn zero_and_max_groups() {
    assert_eq!(encode(&[0; 4]).unwrap(), "00000");
    assert_eq!(encode(&[0xFF; 4]).unwrap(), "%nSc0");
    assert_eq!(decode("%nSc0").unwrap(), [0xFF; 4]);
    assert_eq!(encode(&[]).unwrap(), "");
    assert_eq!(decode("").unwrap(), Vec::<u8>::new());
}

/// libzmq's curve_keygen example key pair (documented in zmq_curve(7)):
/// the Z85 texts decode to 32 octets and encode back unchanged.
#[test]
fn libzmq_documented_keys_round_trip() {
    for text in [
        "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
        "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
    ] {
        let key = decode_key(text).unwrap();
        assert_eq!(encode(&key).unwrap(), text);
    }
}

#[test]
fn refuses_bad_lengths() {
    assert_eq!(encode(&[1, 2, 3]), Err(Z85Error::BinaryLength(3)));
    assert_eq!(decode("Hell"), Err(Z85Error::TextLength(4)));
    assert_eq!(decode_key("HelloWorld"), Err(Z85Error::TextLength(10)));
}

#[test]
fn refuses_characters_outside_the_alphabet() {
    assert_eq!(decode("Hel o"), Err(Z85Error::BadCharacter(3)));
    assert_eq!(decode("HelloWor\"d"), Err(Z85Error::BadCharacter(8)));
    assert_eq!(
        decode([0x80, b'0', b'0', b'0', b'0']),
        Err(Z85Error::BadCharacter(0))
    );
}

/// RFC 32 §Security Considerations: five characters can exceed 32 bits.
#[test]
fn refuses_groups_above_32_bits() {
    assert_eq!(decode("#####"), Err(Z85Error::Overflow(0)));
    assert_eq!(decode("00000%nSc1"), Err(Z85Error::Overflow(5)));
}

proptest! {
    #[test]
    fn round_trip(words in proptest::collection::vec(any::<[u8; 4]>(), 0..16)) {
        let bytes: Vec<u8> = words.concat();
        let text = encode(&bytes).unwrap();
        prop_assert_eq!(text.len(), bytes.len() / 4 * 5);
        prop_assert_eq!(decode(&text).unwrap(), bytes);
    }

    #[test]
    fn decode_never_panics(text in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(bytes) = decode(&text) {
            let again = encode(&bytes).unwrap();
            prop_assert_eq!(again.as_bytes(), &text[..]);
        }
    }
}
