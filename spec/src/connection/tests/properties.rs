//! Properties over random input: any chunking delivers the same messages
//! in order (37-R44, 37-R21), and arbitrary octets and timer sequences
//! never panic, end with at most one terminal event, and keep the receive
//! buffer bounded by what arrived.

use proptest::prelude::*;

use super::*;
use crate::Message;
use crate::connection::config::NullServerReady;
use crate::connection::harness::{Op, run};
use crate::wire::greeting::Protocol;

fn message() -> impl Strategy<Value = Message> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 1..4)
        .prop_map(|frames| frames.into_iter().map(Bytes::from).collect())
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..40).prop_map(Op::Bytes),
        1 => any::<u16>().prop_map(Op::Advance),
        1 => Just(Op::FireTimer),
        1 => prop::collection::vec(prop::collection::vec(any::<u8>(), 0..20), 0..3)
            .prop_map(Op::SendMessage),
        1 => prop::collection::vec(any::<u8>(), 0..20).prop_map(Op::Subscribe),
        1 => (any::<u16>(), prop::collection::vec(any::<u8>(), 0..20))
            .prop_map(|(t, c)| Op::Ping(t, c)),
        1 => Just(Op::Close),
    ]
}

/// A valid 3.1 NULL greeting and READY from a DEALER, so that random
/// octets after it reach the frame decoder.
fn handshake_prefix() -> Vec<u8> {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(ready("DEALER", &[]));
    peer
}

fn check_outcome(outcome: &harness::Outcome) {
    let terminal = outcome
        .events
        .iter()
        .position(|e| matches!(e, Event::Failed(_) | Event::Closed));
    if let Some(at) = terminal {
        assert_eq!(
            at,
            outcome.events.len() - 1,
            "events after the end: {:?}",
            outcome.events
        );
        assert!(outcome.connection.is_closed());
        assert_eq!(outcome.connection.poll_timeout(), None);
    }
    assert!(
        outcome.max_buffer_capacity <= 2 * outcome.received + 64 * 1024,
        "capacity {} for {} octets",
        outcome.max_buffer_capacity,
        outcome.received
    );
}

fn behaviour() -> impl Strategy<Value = Behaviour> {
    let pacing = prop_oneof![
        Just(GreetingPacing::Detect),
        Just(GreetingPacing::Partial),
        Just(GreetingPacing::Full)
    ];
    let null_server_ready = prop_oneof![
        Just(NullServerReady::Symmetric),
        Just(NullServerReady::WaitFor31),
        Just(NullServerReady::Always)
    ];
    (pacing, 0u8..3, null_server_ready).prop_map(|(pacing, minor, null_server_ready)| Behaviour {
        pacing,
        minor,
        null_server_ready,
        ..Behaviour::default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_behaviours_handshake_under_any_chunking(
        client in behaviour(),
        server in behaviour(),
        chunk in 1usize..70,
    ) {
        let (mut c, mut s) = (config(SocketType::Req), config(SocketType::Rep));
        let minor = client.minor.min(server.minor);
        c.behaviour = client;
        s.behaviour = server;
        let mut p = Pair::new(c, s).expect("valid");
        p.max_chunk = chunk;
        p.drive();
        prop_assert!(p.is_active(), "{:?} {:?}", p.client_events, p.server_events);
        let expected = if minor == 0 { Protocol::V3_0 } else { Protocol::V3_1 };
        prop_assert_eq!(p.client.protocol(), Some(expected));
        prop_assert_eq!(p.server.protocol(), Some(expected));
    }

    #[test]
    fn any_chunking_delivers_every_message_in_order(
        to_server in prop::collection::vec(message(), 0..6),
        to_client in prop::collection::vec(message(), 0..6),
        chunk in 1usize..80,
    ) {
        let mut p = Pair::new(config(SocketType::Dealer), config(SocketType::Router)).expect("valid");
        p.max_chunk = chunk;
        for m in &to_server {
            p.client.send_message(m.clone()).expect("open");
        }
        p.drive();
        for m in &to_client {
            p.server.send_message(m.clone()).expect("open");
        }
        p.drive();
        prop_assert!(p.is_active());
        let got = |events: &[Event]| -> Vec<Message> {
            events.iter().filter_map(|e| match e {
                Event::Message(m) => Some(m.clone()),
                _ => None,
            }).collect()
        };
        prop_assert_eq!(got(&p.server_events), to_server);
        prop_assert_eq!(got(&p.client_events), to_client);
    }

    #[test]
    fn arbitrary_ops_from_the_start_never_panic(
        ops in prop::collection::vec(op(), 0..40),
        side in prop_oneof![Just(Side::Client), Just(Side::Server)],
    ) {
        let outcome = run(config(SocketType::Router), side, &ops).expect("valid");
        check_outcome(&outcome);
    }

    #[test]
    fn arbitrary_ops_after_a_handshake_never_panic(
        ops in prop::collection::vec(op(), 0..40),
        // MAXMSGSIZE also bounds command frames (as libzmq), so READY must fit.
        max in prop::option::of(64u64..200),
    ) {
        let mut c = config(SocketType::Router);
        c.max_message_size = max;
        c.heartbeat.interval = Some(core::time::Duration::from_millis(500));
        let mut all = vec![Op::Bytes(handshake_prefix())];
        all.extend(ops);
        let outcome = run(c, Side::Server, &all).expect("valid");
        prop_assert!(matches!(outcome.events.first(), Some(Event::HandshakeSucceeded(_))));
        check_outcome(&outcome);
    }
}
