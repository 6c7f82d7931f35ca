use bytes::Bytes;

use super::*;
use crate::Message;
use crate::wire::view::{CommandBuilder, ZwsBuilder, ZwsView};
use crate::wire::{Command, Encode, Mechanism};

#[test]
fn subprotocol_names_are_libzmqs_45_r01() {
    let names: Vec<_> = Subprotocol::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(
        names,
        ["ZWS2.0", "ZWS2.0/NULL", "ZWS2.0/PLAIN", "ZWS2.0/CURVE"]
    );
    for p in Subprotocol::ALL {
        assert_eq!(Subprotocol::from_name(p.name()), Some(p));
    }
    assert_eq!(Subprotocol::from_name("zws2.0"), None);
    assert_eq!(
        Subprotocol::offer_header(Mechanism::NULL),
        "ZWS2.0/NULL,ZWS2.0"
    );
    assert_eq!(Subprotocol::offer_header(Mechanism::PLAIN), "ZWS2.0/PLAIN");
    assert_eq!(Subprotocol::offer_header(Mechanism::CURVE), "ZWS2.0/CURVE");
}

#[test]
fn the_server_picks_the_first_offer_it_speaks_45_r03() {
    let null = Mechanism::NULL;
    assert_eq!(
        Subprotocol::select(["ZWS2.0/NULL,ZWS2.0"], null),
        Some(Subprotocol::Null)
    );
    assert_eq!(
        Subprotocol::select(["ZWS2.0, ZWS2.0/NULL"], null),
        Some(Subprotocol::Bare)
    );
    assert_eq!(
        Subprotocol::select(["chat", "ZWS2.0/PLAIN"], Mechanism::PLAIN),
        Some(Subprotocol::Plain)
    );
    // Nothing in common: the upgrade is refused (45-R08).
    assert_eq!(Subprotocol::select(["ZWS2.0/PLAIN"], null), None);
    assert_eq!(Subprotocol::select(["ZWS2.0"], Mechanism::CURVE), None);
    assert_eq!(Subprotocol::select([], null), None);
}

#[test]
fn zws_message_rule_45_r06() {
    let (rest, frame) = zws_message(b"\x01abc").expect("valid");
    assert!(rest.is_empty());
    assert_eq!(frame.kind, FrameKind::Message { more: true });
    assert_eq!(frame.body, b"abc");
    let (_, frame) = zws_message(b"\x00").expect("valid");
    assert_eq!(frame.kind, FrameKind::Message { more: false });
    assert!(frame.body.is_empty());
    let (_, frame) = zws_message(b"\x02\x05READY").expect("valid");
    assert_eq!(frame.kind, FrameKind::Command);
    assert_eq!(run(zws_message, b""), Err(WireError::EmptyZwsMessage));
    // ZMTP's command flag (04), its LONG bit (02 + 01), anything else.
    for bad in [0x03u8, 0x04, 0x06, 0x80, 0xFF] {
        assert_eq!(
            run(zws_message, &[bad, 1, 2]),
            Err(WireError::BadZwsFlags(bad))
        );
    }
}

#[test]
fn builder_and_view_write_and_read_any_flags() {
    let octets = ZwsBuilder::new().flags(0x07).body(b"xy").build();
    assert_eq!(octets, b"\x07xy");
    let view = ZwsView::new(&octets[..]);
    assert_eq!(view.flags(), Some(0x07));
    assert_eq!(view.body(), b"xy");
    assert_eq!(ZwsBuilder::new().no_flags().build(), b"");
    let ready = CommandBuilder::ready(crate::wire::view::MetadataBuilder::new()).build();
    let octets = ZwsBuilder::command(&ready).build();
    assert_eq!(octets[0], flags::COMMAND);
    let (_, frame) = zws_message(&octets).expect("valid");
    assert_eq!(ZwsBuilder::frame(&frame).build(), octets);
}

#[test]
fn splitter_and_to_zmtp_are_inverse_at_every_split() {
    let big = vec![7u8; 300];
    let message = Message::from_frames([
        Bytes::from_static(b"a"),
        Bytes::new(),
        Bytes::from(big.clone()),
    ]);
    let mut zmtp = message.to_bytes().expect("encodes").to_vec();
    zmtp.extend_from_slice(
        &Command::Subscribe(Bytes::from_static(b"t"))
            .to_bytes()
            .expect("encodes"),
    );
    for split in 0..=zmtp.len() {
        let mut splitter = Splitter::new(Framing::Zmtp3);
        let mut out = Vec::new();
        for part in [&zmtp[..split], &zmtp[split..]] {
            splitter.push(part);
            while let Some(m) = splitter.next_message().expect("valid") {
                out.push(m);
            }
        }
        assert_eq!(splitter.buffered(), 0);
        assert_eq!(out.len(), 4, "split at {split}");
        assert_eq!(&out[0][..], b"\x01a");
        assert_eq!(&out[1][..], b"\x01");
        assert_eq!(out[2][0], flags::LAST);
        assert_eq!(&out[2][1..], &big[..]);
        assert_eq!(out[3][0], flags::COMMAND);
        let back: Vec<u8> = out
            .iter()
            .flat_map(|m| to_zmtp(m, Framing::Zmtp3).expect("valid").to_vec())
            .collect();
        assert_eq!(back, zmtp);
    }
}

#[test]
fn to_zmtp_refuses_what_the_rule_refuses() {
    assert_eq!(
        to_zmtp(b"", Framing::Zmtp3),
        Err(WireError::EmptyZwsMessage)
    );
    assert_eq!(
        to_zmtp(b"\x04x", Framing::Zmtp3),
        Err(WireError::BadZwsFlags(4))
    );
    assert_eq!(
        to_zmtp(b"\x00x", Framing::Zmtp2).as_deref(),
        Ok(&b"\x00\x01x"[..])
    );
}

#[test]
fn to_zmtp_into_appends_a_run_and_leaves_it_whole_on_a_refusal() {
    let messages: [&[u8]; 3] = [b"\x01a", b"\x00bc", b"\x02\x05READY"];
    let mut run = BytesMut::new();
    for m in messages {
        to_zmtp_into(m, Framing::Zmtp3, &mut run).expect("valid");
    }
    let one_by_one: Vec<u8> = messages
        .iter()
        .flat_map(|m| to_zmtp(m, Framing::Zmtp3).expect("valid").to_vec())
        .collect();
    assert_eq!(&run[..], &one_by_one[..]);
    let before = run.clone();
    assert_eq!(
        to_zmtp_into(b"\x04x", Framing::Zmtp3, &mut run),
        Err(WireError::BadZwsFlags(4))
    );
    // A command under the bare subprotocol's 2.0 framing is refused
    // after its header is known: nothing of it stays.
    assert!(to_zmtp_into(b"\x02\x05READY", Framing::Zmtp2, &mut run).is_err());
    assert_eq!(run, before);
}

#[test]
fn splitter_refuses_a_frame_over_its_limit_at_the_header() {
    let mut splitter = Splitter::new(Framing::Zmtp3).with_max_frame(10);
    splitter.push(b"\x02\x00\x00\x00\x00\x00\x00\x00\x0b");
    assert_eq!(
        splitter.next_message(),
        Err(WireError::MessageTooLarge { size: 11, max: 10 })
    );
    let mut splitter = Splitter::new(Framing::Zmtp3).with_max_frame(10);
    splitter.push(b"\x00\x02ab");
    assert_eq!(
        splitter.next_message().ok().flatten().as_deref(),
        Some(&b"\x00ab"[..])
    );
}
