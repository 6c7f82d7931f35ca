use proptest::prelude::*;

use super::*;

/// A PLAIN server fed HELLO admin/secret, INITIATE with a Socket-Type and
/// one message: the run's checks pass on a real success path too.
#[test]
fn plain_success_path_is_exercised() {
    let mut data = vec![0x03, 0x00, 0x00];
    let hello = b"\x05admin\x06secret";
    data.extend_from_slice(&[0, hello.len() as u8]);
    data.extend_from_slice(hello);
    let metadata = b"\x0bSocket-Type\x00\x00\x00\x06DEALER";
    data.extend_from_slice(&[2, metadata.len() as u8]);
    data.extend_from_slice(metadata);
    data.extend_from_slice(&[9, 2, b'h', b'i']);
    let events = plain_events(&data);
    assert!(
        matches!(events.first(), Some(Event::HandshakeSucceeded(_))),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Message(m) if m.frames() == [&b"hi"[..]]))
    );
    // The same with a wrong password never gets through.
    let mut wrong = data.clone();
    wrong[9] = b'S';
    let events = plain_events(&wrong);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::HandshakeSucceeded(_)))
    );
}

/// Untampered octets deliver every message; a flipped octet delivers a
/// prefix.
#[test]
fn tunnel_delivers_all_when_untouched() {
    // 3 messages of 1 frame of 2 octets, no tampering.
    let data = [3, 0, 2, b'a', b'b', 0, 2, b'c', b'd', 0, 2, b'e', b'f', 0];
    let (sent, delivered) = tunnel_delivered(&data);
    assert_eq!(sent.len(), 3);
    assert_eq!(delivered, sent);
    // Flip an octet in the middle of the second MESSAGE.
    let mut flipped = data.to_vec();
    flipped.extend_from_slice(&[1, 0, 60, 0, 0xFF]);
    flipped[13] = 1;
    let (_, delivered) = tunnel_delivered(&flipped);
    assert!(delivered.len() < 3);
}

#[test]
fn z85_vector() {
    z85_decode(b"HelloWorld");
    z85_decode(b"#####");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn z85_any(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        z85_decode(&data);
    }

    #[test]
    fn plain_any(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        plain_handshake(&data);
    }

    #[test]
    fn curve_any(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        curve_handshake(&data);
    }

    #[test]
    fn tunnel_any(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        curve_tunnel(&data);
    }
}
