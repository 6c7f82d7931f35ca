use bytes::Bytes;

use super::*;
use crate::wire::{Parsed, WireError, run};

fn parse(body: &[u8]) -> Result<Command, WireError> {
    Command::parse(&Bytes::copy_from_slice(body))
}

#[test]
fn command_name_g08() {
    assert_eq!(
        run(command_name, b"\x04PINGxx"),
        Ok(Parsed::Done(&b"PING"[..], 5))
    );
    assert_eq!(run(command_name, b""), Err(WireError::BadCommandName));
    assert_eq!(run(command_name, b"\x00"), Err(WireError::BadCommandName));
    assert_eq!(
        run(command_name, b"\x05PIN"),
        Err(WireError::BadCommandName)
    );
    assert_eq!(
        run(command_name, b"\x04PI-G"),
        Err(WireError::BadCommandName)
    );
    assert_eq!(
        run(command_name, b"\x04PI G"),
        Err(WireError::BadCommandName)
    );
}

#[test]
fn command_body_g08() {
    assert_eq!(
        run(command_body, b"\x03FOOdata"),
        Ok(Parsed::Done((&b"FOO"[..], &b"data"[..]), 8))
    );
    assert_eq!(
        run(command_body, b"\x03FOO"),
        Ok(Parsed::Done((&b"FOO"[..], &b""[..]), 4))
    );
}

#[test]
fn command_body_no_nul_separator_errata_6_1_1() {
    // The stale prose's NUL separator is not part of the grammar: it is data.
    assert_eq!(
        parse(b"\x03FOO\x00"),
        Ok(Command::Unknown {
            name: Bytes::from_static(b"FOO"),
            body: Bytes::from_static(b"\x00")
        })
    );
}

#[test]
fn ready_g10() {
    let body = b"\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00";
    let Ok(Command::Ready(md)) = parse(body) else {
        panic!("not READY");
    };
    assert_eq!(md.len(), 2);
    assert_eq!(md.get("socket-type").map(|v| &v[..]), Some(&b"DEALER"[..]));
    assert_eq!(md.get("IDENTITY").map(|v| &v[..]), Some(&b""[..]));
    assert_eq!(parse(b"\x05READY"), Ok(Command::Ready(Metadata::new())));
}

#[test]
fn ready_trailing_octet_rejected_g10() {
    assert_eq!(parse(b"\x05READY\x01"), Err(WireError::BadPropertyName));
    assert_eq!(
        parse(b"\x05READY\x01A\x00\x00"),
        Err(WireError::TrailingPropertyBytes(4))
    );
}

#[test]
fn ready_names_are_case_sensitive_errata_6_1_4() {
    assert!(matches!(parse(b"\x05ready"), Ok(Command::Unknown { .. })));
}

#[test]
fn error_command_g11() {
    assert_eq!(
        run(error_command, b"\x05ERROR\x03400"),
        Ok(Parsed::Done(&b"400"[..], 10))
    );
    assert_eq!(
        parse(b"\x05ERROR\x00"),
        Ok(Command::Error {
            reason: Bytes::new()
        })
    );
    // Spaces are accepted on receive (errata 6.1 #6).
    assert_eq!(
        parse(b"\x05ERROR\x03a b"),
        Ok(Command::Error {
            reason: Bytes::from_static(b"a b")
        })
    );
}

#[test]
fn error_command_malformed_g11() {
    assert_eq!(parse(b"\x05ERROR"), Err(WireError::BadErrorReason));
    assert_eq!(parse(b"\x05ERROR\x04400"), Err(WireError::BadErrorReason));
    assert_eq!(parse(b"\x05ERROR\x02400"), Err(WireError::BadErrorReason));
}

#[test]
fn ping_g13_37_r58() {
    assert_eq!(
        run(ping, b"\x04PING\x00\x64ctx"),
        Ok(Parsed::Done((100, &b"ctx"[..]), 10))
    );
    assert_eq!(
        parse(b"\x04PING\x00\x00"),
        Ok(Command::Ping {
            ttl: 0,
            context: Bytes::new()
        })
    );
    let mut max = b"\x04PING\x01\x00".to_vec();
    max.extend_from_slice(&[7; 16]);
    assert_eq!(
        parse(&max),
        Ok(Command::Ping {
            ttl: 256,
            context: Bytes::from_static(&[7; 16])
        })
    );
}

#[test]
fn ping_malformed_g13_37_r59() {
    assert_eq!(parse(b"\x04PING"), Err(WireError::BadPing));
    assert_eq!(parse(b"\x04PING\x00"), Err(WireError::BadPing));
    let mut long = b"\x04PING\x00\x00".to_vec();
    long.extend_from_slice(&[7; 17]);
    assert_eq!(parse(&long), Err(WireError::BadPing));
}

#[test]
fn pong_g13_37_r59() {
    assert_eq!(
        parse(b"\x04PONGabc"),
        Ok(Command::Pong {
            context: Bytes::from_static(b"abc")
        })
    );
    assert_eq!(run(pong, b"\x04PONG"), Ok(Parsed::Done(&b""[..], 5)));
    let mut long = b"\x04PONG".to_vec();
    long.extend_from_slice(&[7; 17]);
    assert_eq!(parse(&long), Err(WireError::BadPing));
}

#[test]
fn subscribe_cancel_g12() {
    assert_eq!(
        parse(b"\x09SUBSCRIBEtopic\x00"),
        Ok(Command::Subscribe(Bytes::from_static(b"topic\x00")))
    );
    assert_eq!(
        parse(b"\x09SUBSCRIBE"),
        Ok(Command::Subscribe(Bytes::new()))
    );
    assert_eq!(
        parse(b"\x06CANCELx"),
        Ok(Command::Cancel(Bytes::from_static(b"x")))
    );
    assert_eq!(
        run(subscribe, b"\x06CANCELx"),
        Err(WireError::BadCommandName)
    );
    assert_eq!(run(cancel, b"\x06CANCEL"), Ok(Parsed::Done(&b""[..], 7)));
}

#[test]
fn join_leave_g14() {
    assert_eq!(
        parse(b"\x04JOINgrp"),
        Ok(Command::Join(Bytes::from_static(b"grp")))
    );
    assert_eq!(
        parse(b"\x05LEAVEgrp"),
        Ok(Command::Leave(Bytes::from_static(b"grp")))
    );
    assert_eq!(run(join, b"\x04JOIN"), Ok(Parsed::Done(&b""[..], 5)));
    assert_eq!(run(leave, b"\x05LEAVE"), Ok(Parsed::Done(&b""[..], 6)));
}

#[test]
fn group_malformed_g14() {
    assert_eq!(parse(b"\x04JOINg\x00p"), Err(WireError::BadGroup));
    let mut long = b"\x05LEAVE".to_vec();
    long.extend_from_slice(&[b'g'; 256]);
    assert_eq!(parse(&long), Err(WireError::BadGroup));
    assert_eq!(
        run(group, &[b'g'; 255]),
        Ok(Parsed::Done(&[b'g'; 255][..], 255))
    );
}

#[test]
fn mechanism_commands_kept_raw() {
    for (wire, name) in [
        (&b"\x05HELLO"[..], MechanismCommand::Hello),
        (b"\x07WELCOME", MechanismCommand::Welcome),
        (b"\x08INITIATE", MechanismCommand::Initiate),
        (b"\x07MESSAGE", MechanismCommand::Message),
    ] {
        let mut body = wire.to_vec();
        body.extend_from_slice(b"\x01\x02");
        assert_eq!(
            parse(&body),
            Ok(Command::Mechanism {
                name,
                body: Bytes::from_static(b"\x01\x02")
            })
        );
    }
}

#[test]
fn unknown_command_kept() {
    let cmd = parse(b"\x06FUTUREabc").expect("well-formed");
    assert_eq!(cmd.name(), b"FUTURE");
    assert_eq!(
        cmd,
        Command::Unknown {
            name: Bytes::from_static(b"FUTURE"),
            body: Bytes::from_static(b"abc")
        }
    );
}

#[test]
fn parse_shares_the_frame_buffer() {
    let body = Bytes::from_static(b"\x09SUBSCRIBEtopic");
    let Ok(Command::Subscribe(topic)) = Command::parse(&body) else {
        panic!("not SUBSCRIBE");
    };
    assert_eq!(topic.as_ptr(), body[10..].as_ptr());
}

#[test]
fn split_command_g08() {
    let body = Bytes::from_static(b"\x05READYxyz");
    let (name, data) = split_command(&body).expect("well-formed");
    assert_eq!((&name[..], &data[..]), (&b"READY"[..], &b"xyz"[..]));
    assert_eq!(split_command(&Bytes::new()), Err(WireError::BadCommandName));
}
