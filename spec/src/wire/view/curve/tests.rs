use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;

use super::super::tests::octets_near;
use super::*;
use crate::security::curve::commands::{
    HELLO_DATA_LEN, Hello, Initiate, InitiateContent, MIN_INITIATE_DATA_LEN, MIN_MESSAGE_DATA_LEN,
    MIN_READY_DATA_LEN, NonceBox, PADDING_LEN, SIGNATURE_BOX_LEN, VERSION, VOUCH_LEN,
    WELCOME_BOX_LEN, WELCOME_DATA_LEN, Welcome, WelcomeContent,
};
use crate::security::curve::cookie::COOKIE_LEN;
use crate::security::curve::crypto::{KEY_LEN, PublicKey};
use crate::wire::Command;

fn hello() -> impl Strategy<Value = Hello> {
    (
        any::<[u8; KEY_LEN]>(),
        any::<u64>(),
        vec(any::<u8>(), SIGNATURE_BOX_LEN),
    )
        .prop_map(|(key, nonce, signature)| Hello {
            client_transient: PublicKey::from_bytes(key),
            nonce,
            signature: signature.try_into().expect("80 octets"),
        })
}

fn welcome() -> impl Strategy<Value = Welcome> {
    (any::<[u8; 16]>(), vec(any::<u8>(), WELCOME_BOX_LEN)).prop_map(|(nonce, boxed)| Welcome {
        nonce,
        boxed: boxed.try_into().expect("144 octets"),
    })
}

fn initiate() -> impl Strategy<Value = Initiate> {
    (
        vec(any::<u8>(), COOKIE_LEN),
        any::<u64>(),
        vec(any::<u8>(), MIN_INITIATE_DATA_LEN - COOKIE_LEN - 8..300),
    )
        .prop_map(|(cookie, nonce, boxed)| Initiate {
            cookie: cookie.try_into().expect("96 octets"),
            nonce,
            boxed: Bytes::from(boxed),
        })
}

fn nonce_box() -> impl Strategy<Value = Vec<u8>> {
    (any::<u64>(), vec(any::<u8>(), 0..60))
        .prop_map(|(nonce, boxed)| NonceBoxBuilder::new().nonce(nonce).boxed(&boxed).build())
}

fn any_data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        hello().prop_map(|h| h.encode().to_vec()),
        welcome().prop_map(|w| w.encode().to_vec()),
        initiate().prop_map(|i| i.encode().to_vec()),
        nonce_box(),
        vec(any::<u8>(), 120..140),
    ]
}

proptest! {
    /// Encoder -> view, and builder -> strict parser, for HELLO (G-C1).
    #[test]
    fn hello_round_trips(h in hello()) {
        let octets = h.encode();
        let view = HelloView::new(&octets[..]);
        prop_assert_eq!(view.version(), Some(VERSION));
        prop_assert_eq!(view.padding(), Some(&[0; PADDING_LEN][..]));
        prop_assert_eq!(view.client_transient(), Some(*h.client_transient.as_bytes()));
        prop_assert_eq!(view.nonce(), Some(h.nonce));
        prop_assert_eq!(view.signature_box(), Some(&h.signature[..]));
        let built = HelloBuilder::from(&h).build();
        prop_assert_eq!(&built[..], &octets[..]);
        prop_assert_eq!(Hello::parse(&built), Ok(h));
    }

    /// The same for WELCOME (G-C2).
    #[test]
    fn welcome_round_trips(w in welcome()) {
        let octets = w.encode();
        let view = WelcomeView::new(&octets[..]);
        prop_assert_eq!(view.nonce(), Some(w.nonce));
        prop_assert_eq!(view.welcome_box(), Some(&w.boxed[..]));
        let built = WelcomeBuilder::from(&w).build();
        prop_assert_eq!(&built[..], &octets[..]);
        prop_assert_eq!(Welcome::parse(&built), Ok(w));
    }

    /// The same for INITIATE (G-C4).
    #[test]
    fn initiate_round_trips(i in initiate()) {
        let octets = i.encode();
        let view = InitiateView::new(&octets[..]);
        prop_assert_eq!(view.cookie(), Some(i.cookie));
        prop_assert_eq!(view.nonce(), Some(i.nonce));
        prop_assert_eq!(view.initiate_box(), Some(&i.boxed[..]));
        let built = InitiateBuilder::new()
            .cookie(i.cookie)
            .nonce(i.nonce)
            .initiate_box(&i.boxed)
            .build();
        prop_assert_eq!(&built[..], &octets[..]);
        prop_assert_eq!(Initiate::parse(&Bytes::from(built)), Ok(i));
    }

    /// For any data, each strict layout equals the view's check.
    #[test]
    fn strict_layouts_are_view_checks(octets in octets_near(300, any_data())) {
        let data = Bytes::copy_from_slice(&octets);
        prop_assert_eq!(Hello::parse(&octets), HelloView::new(&octets[..]).check());
        prop_assert_eq!(Welcome::parse(&octets), WelcomeView::new(&octets[..]).check());
        prop_assert_eq!(
            Initiate::parse(&data),
            InitiateView::new(&octets[..]).check().map(|f| Initiate {
                cookie: f.cookie,
                nonce: f.nonce,
                boxed: Bytes::copy_from_slice(f.boxed),
            })
        );
        let nonce_box = |f: NonceBoxFields<'_>| NonceBox {
            nonce: f.nonce,
            boxed: Bytes::copy_from_slice(f.boxed),
        };
        let view = NonceBoxView::new(&octets[..]);
        prop_assert_eq!(NonceBox::parse_ready(&data), view.check_ready().map(nonce_box));
        prop_assert_eq!(NonceBox::parse_message(&data), view.check_message().map(nonce_box));
        prop_assert_eq!(WelcomeContent::parse(&octets), WelcomeBoxView::new(&octets[..]).check());
        prop_assert_eq!(
            InitiateContent::parse(&data),
            InitiateBoxView::new(&octets[..]).check().map(|f| InitiateContent {
                client_permanent: PublicKey::from_bytes(f.client_permanent),
                vouch: f.vouch,
                metadata: Bytes::copy_from_slice(f.metadata),
            })
        );
    }
}

#[test]
fn malformed_hellos_are_refused_g_c1() {
    let valid = HelloBuilder::new().build();
    assert_eq!(valid.len(), HELLO_DATA_LEN);
    assert!(Hello::parse(&valid).is_ok());
    let mut padding = [0; PADDING_LEN];
    padding[71] = 1;
    let truncated = &valid[..HELLO_DATA_LEN - 1];
    for data in [
        HelloBuilder::new().version([2, 0]).build(),
        HelloBuilder::new().padding(padding).build(),
        HelloBuilder::new().signature_box(&[0; 79]).build(),
        HelloBuilder::new().signature_box(&[0; 81]).build(),
        truncated.to_vec(),
    ] {
        assert_eq!(Hello::parse(&data), Err(BAD_HELLO), "{} octets", data.len());
    }
    let body = HelloBuilder::new().command().build();
    assert_eq!(body.len(), 200, "26-R06");
    assert!(matches!(
        Command::parse(&Bytes::from(body)),
        Ok(Command::Mechanism { .. })
    ));
}

#[test]
fn malformed_welcomes_and_initiates_are_refused_g_c2_g_c4() {
    assert_eq!(WelcomeBuilder::new().build().len(), WELCOME_DATA_LEN);
    let short = WelcomeBuilder::new()
        .welcome_box(&[0; WELCOME_BOX_LEN - 1])
        .build();
    assert_eq!(Welcome::parse(&short), Err(BAD_WELCOME));
    let initiate = InitiateBuilder::new()
        .initiate_box(&[0; MIN_INITIATE_DATA_LEN - COOKIE_LEN - 9])
        .build();
    assert_eq!(initiate.len(), MIN_INITIATE_DATA_LEN - 1);
    assert_eq!(Initiate::parse(&Bytes::from(initiate)), Err(BAD_INITIATE));
}

#[test]
fn short_ready_and_message_are_refused_g_c6_g_c7() {
    let ready = NonceBoxBuilder::new().boxed(&[0; 15]).build();
    assert_eq!(ready.len(), MIN_READY_DATA_LEN - 1);
    assert_eq!(NonceBox::parse_ready(&Bytes::from(ready)), Err(BAD_READY));
    let message = NonceBoxBuilder::new().boxed(&[0; 16]).build();
    assert_eq!(message.len(), MIN_MESSAGE_DATA_LEN - 1);
    assert_eq!(
        NonceBox::parse_message(&Bytes::from(message.clone())),
        Err(BAD_MESSAGE)
    );
    assert!(NonceBox::parse_ready(&Bytes::from(message)).is_ok());
}

#[test]
fn opened_boxes_read_back() {
    let welcome = WelcomeBoxBuilder::new([1; KEY_LEN], &[2; COOKIE_LEN]).build();
    let content = WelcomeContent::parse(&welcome).unwrap();
    assert_eq!(content.server_transient.as_bytes(), &[1; KEY_LEN]);
    assert_eq!(content.cookie, [2; COOKIE_LEN]);
    let short = WelcomeBoxBuilder::new([1; KEY_LEN], &[2; COOKIE_LEN - 1]).build();
    assert_eq!(WelcomeContent::parse(&short), Err(BAD_WELCOME_BOX));

    let vouch =
        LongNonceBoxBuilder::new([3; LONG_NONCE_LEN], &[4; VOUCH_LEN - LONG_NONCE_LEN]).build();
    let view = LongNonceBoxView::new(&vouch[..]);
    assert_eq!(view.nonce(), Some([3; LONG_NONCE_LEN]));
    let initiate = InitiateBoxBuilder::new(
        [5; KEY_LEN],
        vouch.clone().try_into().unwrap(),
        b"\x01a\x00\x00\x00\x00",
    )
    .build();
    let content = InitiateContent::parse(&Bytes::from(initiate.clone())).unwrap();
    assert_eq!(content.vouch[..], vouch[..]);
    let view = InitiateBoxView::new(&initiate[..]);
    assert_eq!(view.metadata().unwrap().properties().count(), 1);

    let message = MessageBoxBuilder::new(0x03, b"frame").build();
    let view = MessageBoxView::new(&message[..]);
    assert_eq!((view.more(), view.command()), (Some(true), Some(true)));
    assert_eq!(view.payload(), Some(&b"frame"[..]));
}
