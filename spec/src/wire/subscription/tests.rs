use bytes::Bytes;

use super::*;
use crate::Message;
use crate::wire::{Parsed, run};

#[test]
fn subscription_message_g17() {
    assert_eq!(
        run(subscription_message, b"\x01abc"),
        Ok(Parsed::Done((true, &b"abc"[..]), 4))
    );
    assert_eq!(
        run(subscription_message, b"\x00"),
        Ok(Parsed::Done((false, &b""[..]), 1))
    );
    assert_eq!(
        SubscriptionMessage::parse(&Bytes::from_static(b"\x01t")),
        Ok(SubscriptionMessage::Subscribe(Bytes::from_static(b"t")))
    );
    assert_eq!(
        SubscriptionMessage::parse(&Bytes::from_static(b"\x00t")),
        Ok(SubscriptionMessage::Cancel(Bytes::from_static(b"t")))
    );
}

#[test]
fn subscription_message_malformed_g17() {
    assert_eq!(
        run(subscription_message, b""),
        Err(WireError::BadSubscriptionMessage)
    );
    assert_eq!(
        run(subscription_message, b"\x02x"),
        Err(WireError::BadSubscriptionMessage)
    );
    let multipart = Message::from_frames([&b"\x01a"[..], b"b"]);
    assert_eq!(
        SubscriptionMessage::parse_message(&multipart),
        Err(WireError::BadSubscriptionMessage)
    );
    let single = Message::from(&b"\x01a"[..]);
    assert_eq!(
        SubscriptionMessage::parse_message(&single).map(|s| s.prefix()),
        Ok(0x01)
    );
}
