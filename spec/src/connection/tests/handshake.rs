//! 3.x greetings and the NULL handshake: every socket-type pair, the
//! pacings, mechanism mismatch, malformed greetings and READYs.

use super::*;
use crate::connection::config::NullServerReady;
use crate::wire::greeting::Protocol;

/// Every pair of the 19 socket types (the 11 classic ones of RFC 23 and
/// the draft ones of RFC 37): compatible pairs finish the handshake on
/// both sides; the others fail (37-R33, zmtp-wire.md 5). The server
/// refuses the client's READY with InvalidSocketType and an ERROR. A
/// symmetric server (RFC 23, libzmq) has sent its READY too, so the client
/// refuses it the same way; an RFC 37 server (the default) never sends its
/// READY to a client it refused, so the client ends on that ERROR
/// (37-R16, 37-R25).
fn every_socket_type_pair(max_chunk: usize, server_ready: NullServerReady) {
    for client in SocketType::ALL {
        for server in SocketType::ALL {
            let mut server_config = config(server);
            server_config.behaviour.null_server_ready = server_ready;
            let p = pair(config(client), server_config, max_chunk);
            if client.is_compatible_with(server) {
                assert!(p.is_active(), "{client} -> {server}: {:?}", p.client_events);
                assert_eq!(p.client.peer().and_then(|x| x.socket_type), Some(server));
                assert_eq!(p.server.peer().and_then(|x| x.socket_type), Some(client));
                assert_eq!(p.client.protocol(), Some(Protocol::V3_1));
                assert!(matches!(
                    p.client_events.first(),
                    Some(Event::HandshakeSucceeded(_))
                ));
                continue;
            }
            let invalid = |events: &[Event]| {
                matches!(
                    failure(events),
                    Some(ConnectionError::Peer(PeerError::InvalidSocketType(Some(_))))
                )
            };
            assert!(
                invalid(&p.server_events),
                "{client} -> {server}: server {:?}",
                p.server_events
            );
            assert!(
                sent_error(&p.to_client),
                "{client} -> {server}: server sent no ERROR"
            );
            if server_ready.server_waits() {
                assert!(
                    !commands(&p.to_client)
                        .iter()
                        .any(|c| matches!(c, Command::Ready(_))),
                    "{client} -> {server}: READY sent to a refused client"
                );
                assert!(
                    matches!(
                        failure(&p.client_events),
                        Some(ConnectionError::ErrorReceived(_))
                    ),
                    "{client} -> {server}: client {:?}",
                    p.client_events
                );
            } else {
                assert!(
                    invalid(&p.client_events),
                    "{client} -> {server}: client {:?}",
                    p.client_events
                );
                assert!(
                    sent_error(&p.to_server),
                    "{client} -> {server}: client sent no ERROR"
                );
            }
            assert!(p.client.is_closed() && p.server.is_closed());
        }
    }
}

#[test]
fn every_socket_type_pair_37_r33_r25() {
    every_socket_type_pair(usize::MAX, NullServerReady::WaitFor31);
}

#[test]
fn every_socket_type_pair_octet_by_octet_37_r33_r25() {
    every_socket_type_pair(1, NullServerReady::WaitFor31);
}

#[test]
fn every_socket_type_pair_symmetric_server_37_r33_23_r28() {
    every_socket_type_pair(usize::MAX, NullServerReady::Symmetric);
    every_socket_type_pair(1, NullServerReady::Symmetric);
}

#[test]
fn greeting_is_libzmq_paced_zmtp_wire_4_5() {
    let mut c = config(SocketType::Dealer);
    c.routing_id = Bytes::from_static(b"abc");
    let now = Instant::now();
    let mut conn = Connection::new(c, Side::Client, now, TestRng::new(0)).expect("valid");
    let first = conn.poll_transmit().expect("signature at once");
    // FF, identity length + 1 as u64 BE (37-R60), 7F.
    assert_eq!(&first[..], &[0xFF, 0, 0, 0, 0, 0, 0, 0, 4, 0x7F]);
    // Nothing more until the peer's 10 octets show a versioned peer.
    let peer = greeting(1, wire::Mechanism::NULL);
    conn.handle_bytes(now, &peer[..9]);
    assert_eq!(conn.poll_transmit(), None);
    conn.handle_bytes(now, &peer[9..10]);
    assert_eq!(conn.poll_transmit().as_deref(), Some(&[3u8][..]));
    conn.handle_bytes(now, &peer[10..11]);
    let rest = conn.poll_transmit().expect("rest of the greeting");
    assert_eq!(rest.len(), 53);
    assert_eq!(&rest[..1], &[1]); // minor 1
    assert_eq!(&rest[1..5], b"NULL");
    assert_eq!(conn.state(), State::Greeting);
}

#[test]
fn every_pacing_pair_handshakes_37_r01_r03() {
    let pacings = [
        GreetingPacing::Detect,
        GreetingPacing::Partial,
        GreetingPacing::Full,
    ];
    for a in pacings {
        for b in pacings {
            for chunk in [1, usize::MAX] {
                let mut c = config(SocketType::Req);
                c.behaviour.pacing = a;
                let mut s = config(SocketType::Rep);
                s.behaviour.pacing = b;
                let p = pair(c, s, chunk);
                assert!(p.is_active(), "{a:?}/{b:?}: {:?}", p.client_events);
            }
        }
    }
}

#[test]
fn partial_pacing_sends_11_octets_full_sends_64() {
    for (pacing, len) in [(GreetingPacing::Partial, 11), (GreetingPacing::Full, 64)] {
        let mut c = config(SocketType::Pair);
        c.behaviour.pacing = pacing;
        let mut conn =
            Connection::new(c, Side::Client, Instant::now(), TestRng::new(0)).expect("valid");
        let out = conn.poll_transmit().expect("greeting");
        assert_eq!(out.len(), len);
        assert_eq!(&out[..10], &[0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F]);
    }
}

/// A scripted 3.x peer: greeting + READY, split at every octet.
#[test]
fn scripted_31_peer_at_every_split_37_r02_r04() {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(ready("ROUTER", &[("Identity", b""), ("X-App", b"v")]));
    at_every_split(
        &config(SocketType::Dealer),
        Side::Client,
        &peer,
        |conn, evs, sent| {
            assert_eq!(conn.state(), State::Active, "{evs:?}");
            let peer = conn.peer().expect("peer");
            assert_eq!(peer.socket_type, Some(SocketType::Router));
            assert_eq!(peer.metadata.get("x-app").map(|v| &v[..]), Some(&b"v"[..]));
            assert_eq!(peer.version, Some(Version::V3_1));
            // Our greeting and READY went out.
            assert!(sent.len() > 64);
            assert!(matches!(commands(&sent)[..], [Command::Ready(_)]));
        },
    );
}

#[test]
fn higher_versions_are_accepted_and_spoken_as_31_37_r07() {
    for (major, minor) in [(3, 2), (3, 255), (4, 0)] {
        let mut peer = Greeting {
            padding: [7; 8],
            version: Version { major, minor },
            mechanism: wire::Mechanism::NULL,
            as_server: false,
        }
        .to_bytes()
        .to_vec();
        peer.extend(ready("PULL", &[]));
        at_every_split(
            &config(SocketType::Push),
            Side::Client,
            &peer,
            |conn, evs, _| {
                assert_eq!(conn.state(), State::Active, "{major}.{minor}: {evs:?}");
                assert_eq!(conn.protocol(), Some(Protocol::V3_1));
            },
        );
    }
}

#[test]
fn mechanism_mismatch_closes_both_sides_37_r15() {
    let p = pair(plain(SocketType::Req), config(SocketType::Rep), usize::MAX);
    for events in [&p.client_events, &p.server_events] {
        assert!(
            matches!(
                failure(events),
                Some(ConnectionError::Peer(PeerError::MechanismMismatch { .. }))
            ),
            "{events:?}"
        );
    }
    // No commands exist before the greeting is accepted: no ERROR.
    assert_eq!(p.to_server.len(), 64);
    assert_eq!(p.to_client.len(), 64);
    // Same with a scripted peer, at every split.
    refuses_at_every_split(
        &config(SocketType::Rep),
        Side::Server,
        &greeting(1, wire::Mechanism::CURVE),
        &peer_error(PeerError::MechanismMismatch {
            ours: wire::Mechanism::NULL,
            peer: wire::Mechanism::CURVE,
        }),
        false,
    );
}

/// A NULL 3.1 greeting, then `tail`.
fn greeting_then(tail: &[u8]) -> Vec<u8> {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(tail);
    peer
}

#[test]
fn malformed_greeting_is_a_typed_error_without_error_command_g02_g03() {
    let mut bad_mechanism = greeting(1, wire::Mechanism::NULL);
    bad_mechanism[12] = b'n'; // lower case is not a mechanism character
    let mut bad_as_server = greeting(1, wire::Mechanism::NULL);
    bad_as_server[32] = 2;
    let mut bad_end = greeting(1, wire::Mechanism::NULL);
    bad_end[9] = 0x7D; // versioned (LSB set) but not 7F (G01)
    for (peer, expected) in [
        (bad_mechanism, wire::WireError::BadMechanismName),
        (bad_as_server, wire::WireError::BadAsServer(2)),
        (bad_end, wire::WireError::BadSignature),
    ] {
        let pull = config(SocketType::Pair);
        refuses_at_every_split(&pull, Side::Server, &peer, &malformed(expected), false);
    }
}

#[test]
fn padding_and_filler_are_not_validated_37_r06_g04() {
    let mut peer = greeting_then(&ready("PAIR", &[]));
    peer[1..9].copy_from_slice(&[0xAB; 8]);
    peer[33..64].copy_from_slice(&[0xCD; 31]);
    accepts_at_every_split(&config(SocketType::Pair), Side::Server, &peer);
}

#[test]
fn handshake_refusals_at_every_split() {
    let error = command(&Command::Error {
        reason: Bytes::from_static(b"go-away"),
    });
    // READY with a property whose value length runs past the body (G10).
    let bad_ready = [
        0x04, 0x0C, 5, b'R', b'E', b'A', b'D', b'Y', 1, b'a', 0, 0, 0, 9,
    ];
    let cases: [(&[u8], ConnectionError, bool); 5] = [
        // A received ERROR is fatal and not answered with one (37-R16).
        (
            &error,
            ConnectionError::ErrorReceived(Bytes::from_static(b"go-away")),
            false,
        ),
        // A message before READY (G05).
        (
            &[0x00, 0x01, b'x'],
            peer_error(PeerError::UnexpectedDuringHandshake("a message frame")),
            true,
        ),
        (
            &bad_ready,
            malformed(wire::WireError::BadPropertyValue(9)),
            true,
        ),
        // No Socket-Type (required by default; libzmq does not require it).
        (
            &command(&Command::Ready(Metadata::new())),
            peer_error(PeerError::InvalidSocketType(None)),
            true,
        ),
        // Socket types are case-sensitive (G16).
        (
            &ready("push", &[]),
            peer_error(PeerError::InvalidSocketType(Some(Bytes::from_static(
                b"push",
            )))),
            true,
        ),
    ];
    for (tail, expected, error_sent) in cases {
        let peer = greeting_then(tail);
        let pull = config(SocketType::Pull);
        refuses_at_every_split(&pull, Side::Server, &peer, &expected, error_sent);
    }
}

#[test]
fn missing_socket_type_is_accepted_when_configured() {
    let peer = greeting_then(&command(&Command::Ready(Metadata::new())));
    let mut lenient = config(SocketType::Pull);
    lenient.behaviour.require_socket_type = false;
    at_every_split(&lenient, Side::Server, &peer, |conn, evs, _| {
        assert_eq!(conn.state(), State::Active, "{evs:?}");
        assert_eq!(conn.peer().and_then(|p| p.socket_type), None);
    });
}

/// A NULL server fed a client's whole greeting of version 3.`minor`:
/// what it sends before the client's READY (after its first 10 octets).
fn server_before_client_ready(server: Config, minor: u8) -> (Connection, Vec<Item>) {
    let now = Instant::now();
    let mut conn = Connection::new(server, Side::Server, now, TestRng::new(0)).expect("valid");
    let first = conn.poll_transmit().expect("first greeting octets");
    assert_eq!(first.len(), Greeting::SIGNATURE_LEN);
    conn.handle_bytes(now, &greeting(minor, wire::Mechanism::NULL));
    let out = conn.poll_transmit().expect("rest of greeting");
    let sent = items(
        &out,
        Greeting::LEN - Greeting::SIGNATURE_LEN,
        Framing::Zmtp3,
    );
    (conn, sent)
}

#[test]
fn null_server_waits_for_a_31_client_ready_by_default_37_r24_r25() {
    let (mut server, sent) = server_before_client_ready(config(SocketType::Rep), 1);
    assert_eq!(sent, [], "greeting only, no READY before the client's");
    assert_eq!(server.state(), State::Handshake);
    let now = Instant::now();
    server.handle_bytes(now, &ready("REQ", &[]));
    let out = server.poll_transmit().expect("READY in reply");
    assert!(matches!(
        items(&out, 0, Framing::Zmtp3)[..],
        [Item::Command(Command::Ready(_))]
    ));
    assert_eq!(server.state(), State::Active);
}

#[test]
fn waiting_null_server_answers_an_incompatible_31_client_with_error_only_37_r25_r33() {
    let (mut server, sent) = server_before_client_ready(config(SocketType::Rep), 1);
    assert_eq!(sent, []);
    server.handle_bytes(Instant::now(), &ready("PUB", &[]));
    let out = server.poll_transmit().expect("ERROR");
    assert!(matches!(
        items(&out, 0, Framing::Zmtp3)[..],
        [Item::Command(Command::Error { .. })]
    ));
    assert!(server.is_closed());
}

#[test]
fn null_server_sends_ready_at_once_to_a_30_client_23_r28() {
    let (_, sent) = server_before_client_ready(config(SocketType::Rep), 0);
    assert!(
        matches!(sent[..], [Item::Command(Command::Ready(_))]),
        "{sent:?}"
    );
}

#[test]
fn null_server_announcing_30_is_symmetric_with_a_31_client_23_r28() {
    let mut s = config(SocketType::Rep);
    s.behaviour.minor = 0;
    let (_, sent) = server_before_client_ready(s, 1);
    assert!(
        matches!(sent[..], [Item::Command(Command::Ready(_))]),
        "{sent:?}"
    );
}

#[test]
fn symmetric_null_server_impersonates_libzmq_zmtp_wire_6_2_2() {
    let mut s = config(SocketType::Rep);
    s.behaviour.null_server_ready = NullServerReady::Symmetric;
    for minor in [0, 1] {
        let (_, sent) = server_before_client_ready(s.clone(), minor);
        assert!(
            matches!(sent[..], [Item::Command(Command::Ready(_))]),
            "3.{minor}: {sent:?}"
        );
    }
}

#[test]
fn always_waiting_null_server_waits_for_a_30_client_too() {
    let mut s = config(SocketType::Rep);
    s.behaviour.null_server_ready = NullServerReady::Always;
    for minor in [0, 1] {
        let (mut server, sent) = server_before_client_ready(s.clone(), minor);
        assert_eq!(sent, [], "3.{minor}");
        server.handle_bytes(Instant::now(), &ready("REQ", &[]));
        assert_eq!(server.state(), State::Active, "3.{minor}");
    }
}

#[test]
fn null_client_never_waits_whatever_the_setting_37_r24_23_r28() {
    for setting in [
        NullServerReady::Symmetric,
        NullServerReady::WaitFor31,
        NullServerReady::Always,
    ] {
        for minor in [0, 1] {
            let mut c = config(SocketType::Req);
            c.behaviour.null_server_ready = setting;
            let now = Instant::now();
            let mut client = Connection::new(c, Side::Client, now, TestRng::new(0)).expect("valid");
            let _ = client.poll_transmit();
            client.handle_bytes(now, &greeting(minor, wire::Mechanism::NULL));
            let out = client.poll_transmit().expect("rest of greeting and READY");
            let sent = items(
                &out,
                Greeting::LEN - Greeting::SIGNATURE_LEN,
                Framing::Zmtp3,
            );
            assert!(
                matches!(sent[..], [Item::Command(Command::Ready(_))]),
                "{setting:?} 3.{minor}: {sent:?}"
            );
        }
    }
}

#[test]
fn every_null_server_setting_handshakes_with_every_client_setting() {
    let settings = [
        NullServerReady::Symmetric,
        NullServerReady::WaitFor31,
        NullServerReady::Always,
    ];
    for server_setting in settings {
        for client_setting in settings {
            for (client_minor, server_minor) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let mut c = config(SocketType::Req);
                c.behaviour.null_server_ready = client_setting;
                c.behaviour.minor = client_minor;
                let mut s = config(SocketType::Rep);
                s.behaviour.null_server_ready = server_setting;
                s.behaviour.minor = server_minor;
                let _ = active(c, s);
            }
        }
    }
}

#[test]
fn router_learns_the_peer_identity_37_r34() {
    let mut dealer = config(SocketType::Dealer);
    dealer.routing_id = Bytes::from_static(b"worker-1");
    let p = active(dealer, config(SocketType::Router));
    assert_eq!(
        p.server.peer().and_then(|x| x.routing_id.clone()),
        Some(Bytes::from_static(b"worker-1"))
    );
    // An empty Identity gives no routing id (the ROUTER makes one up).
    let p = active(config(SocketType::Dealer), config(SocketType::Router));
    assert_eq!(p.server.peer().and_then(|x| x.routing_id.clone()), None);
    // Non-ROUTER sockets do not take a routing id from Identity.
    assert_eq!(p.client.peer().and_then(|x| x.routing_id.clone()), None);
}

#[test]
fn identity_starting_with_zero_is_refused_by_router_in_31_37_r35() {
    let router = config(SocketType::Router);
    let zero_identity = ready("DEALER", &[("Identity", b"\0abc")]);
    let peer = greeting_then(&zero_identity);
    refuses_at_every_split(
        &router,
        Side::Server,
        &peer,
        &peer_error(PeerError::InvalidIdentity),
        true,
    );
    // 23 has no first-octet rule (23-R33).
    let mut peer = greeting(0, wire::Mechanism::NULL);
    peer.extend(&zero_identity);
    accepts_at_every_split(&router, Side::Server, &peer);
    // Other socket types ignore Identity (zmtp-wire.md 6.1 #23).
    accepts_at_every_split(
        &config(SocketType::Dealer),
        Side::Server,
        &greeting_then(&zero_identity),
    );
}

#[test]
fn handshake_timeout_closes() {
    let mut p = Pair::new(config(SocketType::Req), config(SocketType::Rep)).expect("valid");
    p.server_silent = true;
    p.client_silent = true;
    p.advance(config::DEFAULT_HANDSHAKE_TIMEOUT - core::time::Duration::from_millis(1));
    assert!(failure(&p.client_events).is_none());
    p.advance(core::time::Duration::from_millis(1));
    assert_eq!(
        failure(&p.client_events),
        Some(&ConnectionError::Timeout(Timeout::Handshake))
    );
    assert_eq!(p.client.poll_timeout(), None);
}

#[test]
fn handshake_timer_stops_once_active() {
    let p = active(config(SocketType::Req), config(SocketType::Rep));
    assert_eq!(p.client.poll_timeout(), None);
    assert_eq!(p.server.poll_timeout(), None);
}
