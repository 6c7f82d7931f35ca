//! Version detection and downgrade: peers presenting 3.0, 2.0 and 1.0,
//! built with the wire encoder and the legacy greeting types, each fed
//! split at every octet (37-R60, 37-R61, 37-R67, 37-R09).

use super::*;
use crate::Message;
use crate::wire::encode::encode_message;
use crate::wire::greeting::Protocol;
use crate::wire::legacy::{V1Identity, V2Greeting, V2Identity};

/// A 2.0 peer's greeting and identity frame, then `message` in 2.0 framing.
fn v2_peer(socket_type: SocketType, identity: &'static [u8], message: &Message) -> Vec<u8> {
    let mut bytes = Vec::new();
    V2Greeting {
        padding: [0; 8],
        revision: 1,
        socket_type: socket_type.zmtp2_code().expect("classic type"),
    }
    .encode(&mut bytes);
    V2Identity::new(identity).expect("short").encode(&mut bytes);
    encode_message(message, Framing::Zmtp2, &mut bytes).expect("valid");
    bytes
}

/// A 1.0 peer's identity frame, then `message` in 1.0 framing.
fn v1_peer(identity: &'static [u8], message: &Message) -> Vec<u8> {
    let mut bytes = Vec::new();
    V1Identity { flags: 0, identity }.encode(&mut bytes);
    encode_message(message, Framing::Zmtp1, &mut bytes).expect("valid");
    bytes
}

fn two_frames() -> Message {
    Message::from_frames([&b"hello"[..], &b"world"[..]])
}

#[test]
fn zmtp_30_peer_gets_subscriptions_as_messages_g17() {
    let mut peer = greeting(0, wire::Mechanism::NULL);
    peer.extend(ready("PUB", &[]));
    at_every_split(
        &config(SocketType::Sub),
        Side::Client,
        &peer,
        |conn, evs, _| {
            assert_eq!(conn.state(), State::Active, "{evs:?}");
            assert_eq!(conn.protocol(), Some(Protocol::V3_0));
            conn.send_command(Command::Subscribe(Bytes::from_static(b"A")))
                .expect("open");
            conn.send_command(Command::Cancel(Bytes::from_static(b"B")))
                .expect("open");
            let out = conn.poll_transmit().expect("subscription");
            assert_eq!(&out[..], &[0x00, 0x02, 0x01, b'A', 0x00, 0x02, 0x00, b'B']);
        },
    );
}

#[test]
fn zmtp_30_peer_subscribing_by_message_and_pinging() {
    let mut peer = greeting(0, wire::Mechanism::NULL);
    peer.extend(ready("SUB", &[]));
    peer.extend([0x00, 0x02, 0x01, b'A']);
    // libzmq PINGs 3.0 peers too: tolerated and answered.
    peer.extend(command(&Command::Ping {
        ttl: 0,
        context: Bytes::from_static(b"c"),
    }));
    at_every_split(
        &config(SocketType::Pub),
        Side::Server,
        &peer,
        |conn, evs, sent| {
            assert_eq!(conn.state(), State::Active, "{evs:?}");
            assert!(
                evs.contains(&Event::Subscribe(Bytes::from_static(b"A"))),
                "{evs:?}"
            );
            assert!(commands(&sent).contains(&Command::Pong {
                context: Bytes::from_static(b"c")
            }));
        },
    );
}

#[test]
fn we_presenting_30_downgrade_a_31_peer() {
    let mut c = config(SocketType::XSub);
    c.behaviour.minor = 0;
    let mut p = active(c, config(SocketType::XPub));
    assert_eq!(p.client.protocol(), Some(Protocol::V3_0));
    assert_eq!(p.server.protocol(), Some(Protocol::V3_0));
    p.client
        .send_command(Command::Subscribe(Bytes::from_static(b"t")))
        .expect("open");
    p.drive();
    // Sent as a 01 message, delivered to the XPUB as a subscription.
    assert!(
        p.server_events
            .contains(&Event::Subscribe(Bytes::from_static(b"t")))
    );
    assert!(
        commands(&p.to_server)
            .iter()
            .all(|c| !matches!(c, Command::Subscribe(_)))
    );
}

#[test]
fn zmtp_20_peer_downgrade_rfc15() {
    let peer = v2_peer(SocketType::Dealer, b"peer-id", &two_frames());
    let mut ours = config(SocketType::Router);
    ours.routing_id = Bytes::from_static(b"me");
    at_every_split(&ours, Side::Server, &peer, |conn, evs, sent| {
        assert_eq!(conn.state(), State::Active, "{evs:?}");
        assert_eq!(conn.protocol(), Some(Protocol::V2_0));
        let p = conn.peer().expect("peer");
        assert_eq!(p.socket_type, Some(SocketType::Dealer));
        assert_eq!(p.routing_id.as_deref(), Some(&b"peer-id"[..]));
        assert!(evs.contains(&Event::Message(two_frames())), "{evs:?}");
        // Our side: pseudo-signature (identity 2 + 1), 03, ROUTER = 6,
        // then the identity frame 00 02 "me".
        assert_eq!(
            sent,
            [0xFF, 0, 0, 0, 0, 0, 0, 0, 3, 0x7F, 3, 6, 0, 2, b'm', b'e']
        );
        // Messages go out in 2.0 framing, commands not at all.
        conn.send_command(Command::Ping {
            ttl: 0,
            context: Bytes::new(),
        })
        .expect("open");
        conn.send_message(two_frames()).expect("open");
        let out = conn.poll_transmit().expect("message");
        assert_eq!(messages(&out, 0, Framing::Zmtp2), vec![two_frames()]);
    });
}

#[test]
fn zmtp_20_sub_gets_subscriptions_as_messages() {
    let peer = v2_peer(SocketType::Pub, b"", &Message::from("x"));
    at_every_split(
        &config(SocketType::Sub),
        Side::Client,
        &peer,
        |conn, _, _| {
            conn.send_command(Command::Subscribe(Bytes::from_static(b"x")))
                .expect("open");
            let out = conn.poll_transmit().expect("subscription");
            assert_eq!(&out[..], &[0x00, 0x02, 0x01, b'x']);
        },
    );
}

#[test]
fn zmtp_10_peer_downgrade_rfc13() {
    let peer = v1_peer(b"", &two_frames());
    let mut ours = config(SocketType::Pull);
    ours.routing_id = Bytes::from_static(b"id");
    at_every_split(&ours, Side::Server, &peer, |conn, evs, sent| {
        assert_eq!(conn.state(), State::Active, "{evs:?}");
        assert_eq!(conn.protocol(), Some(Protocol::V1_0));
        assert_eq!(conn.peer().and_then(|p| p.socket_type), None);
        assert!(evs.contains(&Event::Message(two_frames())), "{evs:?}");
        // Pseudo-signature = identity frame header (length 3, flags 7F),
        // then the identity body.
        assert_eq!(sent, [0xFF, 0, 0, 0, 0, 0, 0, 0, 3, 0x7F, b'i', b'd']);
        conn.send_message(two_frames()).expect("open");
        let out = conn.poll_transmit().expect("message");
        assert_eq!(messages(&out, 0, Framing::Zmtp1), vec![two_frames()]);
    });
}

#[test]
fn zmtp_10_subscriber_gets_everything_from_a_pub() {
    let peer = v1_peer(b"sub", &Message::from("ignored"));
    at_every_split(
        &config(SocketType::Pub),
        Side::Server,
        &peer,
        |conn, evs, _| {
            assert_eq!(conn.state(), State::Active);
            assert_eq!(
                conn.peer().and_then(|p| p.routing_id.clone()).as_deref(),
                Some(&b"sub"[..])
            );
            assert!(evs.contains(&Event::Subscribe(Bytes::new())), "{evs:?}");
        },
    );
}

#[test]
fn zmtp_10_peer_with_long_identity_length_is_detected() {
    // FF + 8-octet length with octet 9 LSB clear: an unversioned peer.
    let mut peer = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 4, 0x00, b'a', b'b', b'c'];
    peer.extend([0x02, 0x00, b'm']);
    at_every_split(
        &config(SocketType::Pair),
        Side::Client,
        &peer,
        |conn, evs, _| {
            assert_eq!(conn.protocol(), Some(Protocol::V1_0), "{evs:?}");
            assert_eq!(
                conn.peer().and_then(|p| p.routing_id.clone()).as_deref(),
                Some(&b"abc"[..])
            );
            assert!(evs.contains(&Event::Message(Message::from("m"))), "{evs:?}");
        },
    );
}

#[test]
fn non_null_mechanism_refuses_20_and_10_peers_37_r61_r67() {
    let v2 = v2_peer(SocketType::Rep, b"", &two_frames());
    let v1 = v1_peer(b"", &two_frames());
    for peer in [&v2[..], &v1[..]] {
        at_every_split(
            &plain(SocketType::Req),
            Side::Client,
            peer,
            |conn, evs, sent| {
                assert!(conn.is_closed());
                assert_eq!(
                    failure(&evs),
                    Some(&ConnectionError::Peer(PeerError::DowngradeRefused(
                        wire::Mechanism::PLAIN
                    )))
                );
                // Nothing beyond the pseudo-signature (and octet 10) left.
                assert!(sent.len() <= 11, "{sent:?}");
            },
        );
    }
}

#[test]
fn full_and_partial_pacing_cannot_downgrade_37_r09() {
    let v2 = v2_peer(SocketType::Rep, b"", &two_frames());
    let v1 = v1_peer(b"", &two_frames());
    for (pacing, peer, ok) in [
        (GreetingPacing::Full, &v2[..], false),
        (GreetingPacing::Full, &v1[..], false),
        (GreetingPacing::Partial, &v1[..], false),
        (GreetingPacing::Partial, &v2[..], true),
    ] {
        let mut c = config(SocketType::Req);
        c.behaviour.pacing = pacing;
        at_every_split(&c, Side::Client, peer, |conn, evs, _| {
            if ok {
                assert_eq!(conn.protocol(), Some(Protocol::V2_0), "{evs:?}");
                assert_eq!(conn.state(), State::Active);
            } else {
                assert_eq!(
                    failure(&evs),
                    Some(&ConnectionError::Peer(PeerError::CannotDowngrade)),
                    "{pacing:?}"
                );
            }
        });
    }
}

#[test]
fn legacy_refusals_at_every_split() {
    let pub_20 = v2_peer(SocketType::Pub, b"", &two_frames());
    let pair_20 = v2_peer(SocketType::Pair, b"", &two_frames());
    // 1.0 peer declaring a 4096-octet identity (octet 9 LSB clear).
    let long_id_10 = [0xFF, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x00];
    // Revision 0 after a signature: no spec defines it.
    let revision_0 = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x00];
    let cases: [(SocketType, &[u8], ConnectionError); 4] = [
        (
            SocketType::Push,
            &pub_20,
            peer_error(PeerError::InvalidSocketType(Some(Bytes::from_static(
                b"PUB",
            )))),
        ),
        // 2.0 has no code for the draft types.
        (
            SocketType::Channel,
            &pair_20,
            peer_error(PeerError::CannotDowngrade),
        ),
        (
            SocketType::Pair,
            &long_id_10,
            malformed(wire::WireError::LegacyIdentityTooLong(4095)),
        ),
        (
            SocketType::Pair,
            &revision_0,
            peer_error(PeerError::CannotDowngrade),
        ),
    ];
    for (ours, peer, expected) in cases {
        // No commands in 1.0/2.0: never an ERROR.
        refuses_at_every_split(&config(ours), Side::Client, peer, &expected, false);
    }
}
