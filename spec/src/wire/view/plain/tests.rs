use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;

use super::super::tests::octets_near;
use super::*;
use crate::security::plain::Hello;
use crate::wire::Command;

fn hello() -> impl Strategy<Value = Hello> {
    (vec(any::<u8>(), 0..=255), vec(any::<u8>(), 0..=255)).prop_map(|(u, p)| Hello {
        username: Bytes::from(u),
        password: Bytes::from(p),
    })
}

proptest! {
    /// Encoder -> view, and builder -> strict parser, for HELLO (G-P3).
    #[test]
    fn hello_round_trips(h in hello()) {
        let octets = h.encode();
        let view = HelloView::new(&octets[..]);
        prop_assert_eq!(view.username_len(), Some(h.username.len() as u8));
        prop_assert_eq!(view.username(), Some(&h.username[..]));
        prop_assert_eq!(view.password_len(), Some(h.password.len() as u8));
        prop_assert_eq!(view.password(), Some(&h.password[..]));
        let builder = HelloBuilder::new(&h.username, &h.password);
        let built = builder.build();
        prop_assert_eq!(builder.encoded_len(), built.len());
        prop_assert_eq!(&built[..], &octets[..]);
        prop_assert_eq!(Hello::parse(&Bytes::from(built)), Ok(h));
    }

    /// Any octets: the view never panics, and the strict layout is the
    /// view's check.
    #[test]
    fn strict_layout_is_the_view_check(
        octets in octets_near(40, hello().prop_map(|h| h.encode().to_vec())),
    ) {
        let view = HelloView::new(&octets[..]);
        let checked = view.check().map(|(u, p)| Hello {
            username: Bytes::copy_from_slice(u),
            password: Bytes::copy_from_slice(p),
        });
        prop_assert_eq!(Hello::parse(&Bytes::copy_from_slice(&octets)), checked);
        let _ = (view.username_len(), view.password_len(), view.username(), view.password());
    }

    /// Forged lengths are written as given, whatever follows.
    #[test]
    fn forged_lengths_are_written(ulen: u8, plen: u8, user in vec(any::<u8>(), 0..8)) {
        let data = HelloBuilder::new(&user, b"pw").username_len(ulen).password_len(plen).build();
        let view = HelloView::new(&data[..]);
        prop_assert_eq!(view.username_len(), Some(ulen));
        prop_assert_eq!(data.get(1 + user.len()), Some(&plen));
        prop_assert_eq!(data.len(), user.len() + 4);
    }
}

/// A password length past the end (the G-P3/1 case) is refused; the
/// command wraps the data after the name HELLO.
#[test]
fn truncated_hello_is_refused() {
    let builder = HelloBuilder::new(b"admin", b"sec").password_len(6);
    assert_eq!(builder.build(), b"\x05admin\x06sec");
    let view_data = builder.build();
    let view = HelloView::new(&view_data[..]);
    assert_eq!(view.password(), None);
    assert_eq!(view.check(), Err(BAD_HELLO));
    let body = builder.command().build();
    match Command::parse(&Bytes::from(body)) {
        Ok(Command::Mechanism { name, body }) => {
            assert_eq!(name, MechanismCommand::Hello);
            assert_eq!(&body[..], b"\x05admin\x06sec");
        }
        other => panic!("not a HELLO: {other:?}"),
    }
}

#[test]
fn initiate_carries_metadata() {
    let body = initiate(&MetadataBuilder::new().property(b"Socket-Type", b"PUSH")).build();
    match Command::parse(&Bytes::from(body)) {
        Ok(Command::Mechanism { name, body }) => {
            assert_eq!(name, MechanismCommand::Initiate);
            let md = crate::wire::Metadata::parse(&body).expect("metadata");
            assert_eq!(md.get("Socket-Type").map(|v| &v[..]), Some(&b"PUSH"[..]));
        }
        other => panic!("not an INITIATE: {other:?}"),
    }
}
