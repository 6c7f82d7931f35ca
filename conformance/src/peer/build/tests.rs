use bytes::Bytes;
use zmtp_spec::wire::{Greeting, Mechanism, Metadata};

use super::*;

#[test]
fn null_greeting_matches_the_spec_encoder() {
    let ours = GreetingSpec::null(1).to_bytes();
    let mech = Mechanism::new(b"NULL").expect("NULL is valid");
    assert_eq!(ours, Greeting::new(mech, false).to_bytes());
}

#[test]
fn ready_body_matches_the_spec_encoder() {
    let ours = command_frame(&ready_body(&[
        (b"Socket-Type", b"DEALER"),
        (b"Identity", b""),
    ]));
    let md = Metadata::new()
        .with("Socket-Type", "DEALER")
        .with("Identity", "");
    assert_eq!(ours, command(&Command::Ready(md)));
}

#[test]
fn ping_and_pong_match_the_spec_encoder() {
    let ping = Command::Ping {
        ttl: 7,
        context: Bytes::from_static(b"ab"),
    };
    assert_eq!(command_frame(&ping_body(7, b"ab")), command(&ping));
    let pong = Command::Pong {
        context: Bytes::from_static(b"ab"),
    };
    assert_eq!(command_frame(&pong_body(b"ab")), command(&pong));
}

#[test]
fn long_bodies_get_long_frames() {
    let body = vec![0u8; 300];
    let f = command_frame(&body);
    assert_eq!(f[0], 0x06);
    assert_eq!(f.len(), 9 + 300);
    assert_eq!(
        raw_frame(0x02, true, b"x"),
        vec![2, 0, 0, 0, 0, 0, 0, 0, 1, b'x']
    );
    assert_eq!(message_frames(&[b"a", b""]), vec![1, 1, b'a', 0, 0]);
}
