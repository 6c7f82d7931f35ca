use bytes::Bytes;
use proptest::prelude::*;

use super::super::tests::{command, command_body, octets_near};
use super::*;
use crate::wire::command::{
    cancel, command_body as command_body_rule, command_name, error_command, join, leave, ping,
    pong, ready, subscribe,
};
use crate::wire::{Command, Decoder, Encode, Metadata};

fn parse(body: &[u8]) -> Result<Command, WireError> {
    Command::parse(&Bytes::copy_from_slice(body))
}

/// A complete rule's outcome as the view's: the value, all input used.
fn strict<'a, T>(
    input: &'a [u8],
    rule: impl FnOnce(&'a [u8]) -> crate::wire::IResult<'a, T>,
) -> Result<T, WireError> {
    match rule(input) {
        Ok((rest, value)) => {
            assert!(rest.is_empty(), "a command rule reads the whole body");
            Ok(value)
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(n)) => panic!("a complete rule needs {n:?}"),
    }
}

proptest! {
    /// Encoder -> view: the name, the data and each command's fields read
    /// back (G08..G14).
    #[test]
    fn encoded_command_reads_back(c in command()) {
        let octets = command_body(&c);
        let view = CommandView::new(&octets[..]);
        prop_assert_eq!(view.name_len(), Some(c.name().len() as u8));
        prop_assert_eq!(view.name(), Some(c.name()));
        prop_assert_eq!(view.check_name(), Ok(c.name()));
        let data = view.data().expect("whole name");
        prop_assert_eq!(data.len() + 1 + c.name().len(), octets.len());
        match &c {
            Command::Ready(md) => {
                let props = view.metadata().expect("data").properties().count();
                prop_assert_eq!(props, md.len());
            }
            Command::Error { reason } => {
                prop_assert_eq!(view.reason_len(), Some(reason.len() as u8));
                prop_assert_eq!(view.reason(), Some(&reason[..]));
            }
            Command::Ping { ttl, context } => {
                prop_assert_eq!(view.ttl(), Some(*ttl));
                prop_assert_eq!(view.ping_context(), Some(&context[..]));
            }
            Command::Subscribe(x) | Command::Cancel(x) | Command::Join(x)
            | Command::Leave(x) | Command::Pong { context: x }
            | Command::Mechanism { body: x, .. } | Command::Unknown { body: x, .. } => {
                prop_assert_eq!(data, &x[..]);
            }
        }
    }

    /// Builder with valid fields -> the encoder's octets; the strict
    /// parser gives the same command.
    #[test]
    fn built_command_parses(c in command()) {
        let octets = command_body(&c);
        let data = &octets[1 + c.name().len()..];
        let built = CommandBuilder::new(c.name()).data(data).build();
        prop_assert_eq!(&built, &octets);
        let special = match &c {
            Command::Ready(md) => Some(CommandBuilder::ready(MetadataBuilder::from(md))),
            Command::Error { reason } => Some(CommandBuilder::error(reason)),
            Command::Ping { ttl, context } => Some(CommandBuilder::ping(*ttl, context)),
            Command::Pong { context } => Some(CommandBuilder::pong(context)),
            _ => None,
        };
        if let Some(special) = special {
            prop_assert_eq!(&special.build(), &octets);
        }
        prop_assert_eq!(parse(&built), Ok(c.clone()));
        let frame = CommandBuilder::new(c.name()).data(data).frame().build();
        prop_assert_eq!(Bytes::from(frame), c.to_bytes().expect("valid"));
    }

    /// For any octets, each strict rule equals the view's check.
    #[test]
    fn strict_rules_are_view_checks(
        octets in octets_near(300, command().prop_map(|c| command_body(&c))),
    ) {
        let view = CommandView::new(&octets[..]);
        match command_name(&octets) {
            Ok((rest, name)) => {
                prop_assert_eq!(view.check_name(), Ok(name));
                prop_assert_eq!(view.data(), Some(rest));
            }
            Err(nom::Err::Failure(e)) => prop_assert_eq!(view.check_name(), Err(e)),
            Err(other) => prop_assert!(false, "command-name gave {:?}", other),
        }
        prop_assert_eq!(strict(&octets, command_body_rule), view.check_split());
        prop_assert_eq!(strict(&octets, ready), view.check_ready());
        prop_assert_eq!(strict(&octets, error_command), view.check_error());
        prop_assert_eq!(strict(&octets, ping), view.check_ping());
        prop_assert_eq!(strict(&octets, pong), view.check_pong());
        prop_assert_eq!(strict(&octets, subscribe), view.check_subscribe());
        prop_assert_eq!(strict(&octets, cancel), view.check_cancel());
        prop_assert_eq!(strict(&octets, join), view.check_join());
        prop_assert_eq!(strict(&octets, leave), view.check_leave());
    }

    /// Reading never panics on any octets.
    #[test]
    fn short_views_read_none(octets in proptest::collection::vec(any::<u8>(), 0..24)) {
        let view = CommandView::new(&octets[..]);
        let name_fits = view.name_len().is_some_and(|n| usize::from(n) < octets.len());
        prop_assert_eq!(view.data().is_some(), name_fits);
        let _ = (view.reason(), view.ttl(), view.ping_context(), view.metadata());
    }
}

#[test]
fn bad_names_are_refused_g08() {
    for body in [
        CommandBuilder::new(b"").build(),
        CommandBuilder::new(b"PING").name_len(0).build(),
        CommandBuilder::new(b"PING").name_len(9).build(),
        CommandBuilder::new(b"PI-G").build(),
        CommandBuilder::new(b"PI G").build(),
        Vec::new(),
    ] {
        assert_eq!(parse(&body), Err(WireError::BadCommandName), "{body:?}");
    }
}

#[test]
fn unknown_and_lowercase_names_are_kept_errata_6_1_4() {
    let body = CommandBuilder::new(b"ready").data(b"\x00").build();
    assert_eq!(
        parse(&body),
        Ok(Command::Unknown {
            name: Bytes::from_static(b"ready"),
            body: Bytes::from_static(b"\x00"),
        })
    );
}

#[test]
fn bad_ping_and_pong_are_refused_g13_37_r59() {
    let no_ttl = CommandBuilder::new(b"PING").data(b"\x00").build();
    assert_eq!(parse(&no_ttl), Err(WireError::BadPing));
    let long = CommandBuilder::ping(1, &[7; 17]).build();
    assert_eq!(parse(&long), Err(WireError::BadPing));
    let pong = CommandBuilder::pong(&[7; 17]).build();
    assert_eq!(parse(&pong), Err(WireError::BadPing));
    let mut ttl = CommandBuilder::ping(1, b"ctx").build();
    CommandView::new(&mut ttl[..]).set_ttl(0x1234);
    assert_eq!(
        parse(&ttl),
        Ok(Command::Ping {
            ttl: 0x1234,
            context: Bytes::from_static(b"ctx")
        })
    );
}

#[test]
fn bad_error_reasons_are_refused_g11() {
    let mut overrun = CommandBuilder::error(b"ab").build();
    CommandView::new(&mut overrun[..]).set_reason_len(5);
    assert_eq!(parse(&overrun), Err(WireError::BadErrorReason));
    let mut trailing = CommandBuilder::error(b"abc").build();
    CommandView::new(&mut trailing[..]).set_reason_len(2);
    assert_eq!(parse(&trailing), Err(WireError::BadErrorReason));
    let empty = CommandBuilder::new(b"ERROR").build();
    assert_eq!(parse(&empty), Err(WireError::BadErrorReason));
    // Spaces are read (zmtp-wire.md 6.1 #6), though never sent.
    let spaced = CommandBuilder::error(b"a b").build();
    assert!(parse(&spaced).is_ok());
}

#[test]
fn bad_groups_are_refused_g14() {
    let nul = CommandBuilder::new(b"JOIN").data(b"a\x00b").build();
    assert_eq!(parse(&nul), Err(WireError::BadGroup));
    let long = CommandBuilder::new(b"LEAVE").data(&[b'g'; 256]).build();
    assert_eq!(parse(&long), Err(WireError::BadGroup));
}

#[test]
fn ready_with_bad_metadata_is_refused_g10() {
    let body = CommandBuilder::ready(MetadataBuilder::new().octets(b"\x00")).build();
    assert_eq!(parse(&body), Err(WireError::BadPropertyName));
    let ok =
        CommandBuilder::ready(MetadataBuilder::new().property(b"Socket-Type", b"PAIR")).build();
    assert_eq!(
        parse(&ok),
        Ok(Command::Ready(Metadata::new().with("Socket-Type", "PAIR")))
    );
}

#[test]
fn more_on_a_command_frame_is_refused_by_the_decoder_37_r20() {
    let frame = CommandBuilder::new(b"PONG").frame().flags(0x05).build();
    let mut decoder = Decoder::default();
    decoder.push(&frame);
    assert_eq!(decoder.poll_item(), Err(WireError::CommandWithMore));
}

#[test]
fn a_long_command_frame_is_legal() {
    let frame = CommandBuilder::new(b"PONG").frame().long(true).build();
    assert_eq!(frame, b"\x06\x00\x00\x00\x00\x00\x00\x00\x05\x04PONG");
    let mut decoder = Decoder::default();
    decoder.push(&frame);
    assert_eq!(
        decoder.poll_item(),
        Ok(Some(crate::wire::Item::Command(Command::Pong {
            context: Bytes::new()
        })))
    );
}
