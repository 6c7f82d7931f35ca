//! Packet boundaries and tampering: a client that keeps its packets
//! drives a plain server through NULL, PLAIN-like, CURVE and 2.0
//! handshakes; every packet's kind is checked, and the packets joined are
//! exactly the octets the machine would have sent in one buffer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use super::super::harness::{TestRng, cookie_jar, lend};
use super::super::{Config, Connection, Event, Side, State};
use super::{Packet, PacketKind, Tamper, Write};
use crate::security::{Curve, KeyPair, Zap};
use crate::wire::Framing;
use crate::wire::encode::encode_message;
use crate::wire::legacy::{V2Greeting, V2Identity};
use crate::wire::view::GreetingView;
use crate::{Message, SocketType};

fn with_packets(mut config: Config) -> Config {
    config.behaviour.packets = true;
    config
}

/// Runs `client` (keeping packets) against `server` until both are quiet;
/// returns the client's packets in order.
fn run(client: &mut Connection, server: &mut Connection, now: Instant) -> Vec<Packet> {
    let mut jar = cookie_jar();
    let mut packets = Vec::new();
    loop {
        let mut moved = false;
        while let Some(p) = client.poll_packet() {
            server.handle_bytes(now, &p.octets);
            lend(server, now, &mut jar);
            packets.push(p);
            moved = true;
        }
        if let Some(out) = server.poll_transmit() {
            client.handle_bytes(now, &out);
            moved = true;
        }
        if !moved {
            return packets;
        }
    }
}

fn kinds(packets: &[Packet]) -> Vec<PacketKind> {
    packets.iter().map(|p| p.kind.clone()).collect()
}

fn command(name: &'static [u8], boxed: bool) -> PacketKind {
    PacketKind::Command {
        name: Bytes::from_static(name),
        boxed,
    }
}

fn message(more: bool, boxed: bool) -> PacketKind {
    PacketKind::Message { more, boxed }
}

fn events(conn: &mut Connection) -> Vec<Event> {
    core::iter::from_fn(|| conn.poll_event()).collect()
}

#[test]
fn a_connection_without_the_behaviour_gives_no_packets() {
    let now = Instant::now();
    let mut c = Connection::new(
        Config::new(SocketType::Dealer),
        Side::Client,
        now,
        TestRng::new(1),
    )
    .expect("valid");
    assert_eq!(c.poll_packet(), None);
    assert!(c.poll_transmit().is_some(), "the octets are still there");
}

#[test]
fn null_handshake_and_messages_packet_by_packet() {
    let now = Instant::now();
    let mut client = Connection::new(
        with_packets(Config::new(SocketType::Dealer)),
        Side::Client,
        now,
        TestRng::new(1),
    )
    .expect("valid");
    let mut server = Connection::new(
        Config::new(SocketType::Router),
        Side::Server,
        now,
        TestRng::new(2),
    )
    .expect("valid");
    let mut packets = run(&mut client, &mut server, now);
    assert_eq!(client.state(), State::Active);
    client
        .send_message(Message::from_frames([
            Bytes::from_static(b"a"),
            Bytes::new(),
            Bytes::from(vec![7u8; 300]),
        ]))
        .expect("active");
    client
        .send_command(crate::wire::Command::Ping {
            ttl: 0,
            context: Bytes::from_static(b"ctx"),
        })
        .expect("valid");
    packets.extend(run(&mut client, &mut server, now));
    assert_eq!(
        kinds(&packets),
        vec![
            PacketKind::Greeting { from: 0, to: 10 },
            PacketKind::Greeting { from: 10, to: 11 },
            PacketKind::Greeting { from: 11, to: 64 },
            command(b"READY", false),
            message(true, false),
            message(true, false),
            message(false, false),
            command(b"PING", false),
        ]
    );
    // Each packet is whole: the 300-octet frame has its long header.
    assert_eq!(packets[6].octets.len(), 9 + 300);
    let got = events(&mut server);
    assert!(
        got.iter()
            .any(|e| matches!(e, Event::Message(m) if m.len() == 3)),
        "{got:?}"
    );
}

#[test]
fn a_large_frame_is_one_packet_header_and_body() {
    let now = Instant::now();
    let mut client = Connection::new(
        with_packets(Config::new(SocketType::Push)),
        Side::Client,
        now,
        TestRng::new(1),
    )
    .expect("valid");
    let mut server = Connection::new(
        Config::new(SocketType::Pull),
        Side::Server,
        now,
        TestRng::new(2),
    )
    .expect("valid");
    run(&mut client, &mut server, now);
    let body = vec![1u8; super::super::LARGE_FRAME * 2];
    client
        .send_message(Message::from_frames([Bytes::from(body.clone())]))
        .expect("active");
    let packets = run(&mut client, &mut server, now);
    assert_eq!(kinds(&packets), vec![message(false, false)]);
    assert_eq!(packets[0].octets.len(), 9 + body.len());
    assert!(
        events(&mut server)
            .iter()
            .any(|e| matches!(e, Event::Message(m) if m.frames()[0].len() == body.len()))
    );
}

#[test]
fn curve_handshake_and_boxed_traffic_are_named() {
    let now = Instant::now();
    let mut rng = TestRng::new(9);
    let server_keys = KeyPair::generate(&mut rng);
    let mut client_config = with_packets(Config::new(SocketType::Req));
    client_config.mechanism = Arc::new(Curve::client(
        KeyPair::generate(&mut rng),
        *server_keys.public(),
    ));
    let mut server_config = Config::new(SocketType::Rep);
    server_config.mechanism = Arc::new(Curve::server(server_keys, Zap::default()));
    let mut client =
        Connection::new(client_config, Side::Client, now, TestRng::new(1)).expect("valid");
    let mut server =
        Connection::new(server_config, Side::Server, now, TestRng::new(2)).expect("valid");
    let mut packets = run(&mut client, &mut server, now);
    assert_eq!(client.state(), State::Active, "{:?}", events(&mut client));
    client
        .send_message(Message::from_frames([&b""[..], &b"req"[..]]))
        .expect("active");
    packets.extend(run(&mut client, &mut server, now));
    assert_eq!(
        kinds(&packets),
        vec![
            PacketKind::Greeting { from: 0, to: 10 },
            PacketKind::Greeting { from: 10, to: 11 },
            PacketKind::Greeting { from: 11, to: 64 },
            command(b"HELLO", false),
            command(b"INITIATE", false),
            message(true, true),
            message(false, true),
        ]
    );
    let got = events(&mut server);
    assert!(
        got.iter()
            .any(|e| matches!(e, Event::Message(m) if m.frames()[1] == b"req"[..])),
        "{got:?}"
    );
}

#[test]
fn a_20_peer_gets_the_legacy_identity_as_one_packet() {
    let now = Instant::now();
    let mut client = Connection::new(
        with_packets(Config::new(SocketType::Dealer)),
        Side::Client,
        now,
        TestRng::new(1),
    )
    .expect("valid");
    let mut peer = Vec::new();
    V2Greeting {
        padding: [0; 8],
        revision: 1,
        socket_type: SocketType::Router.zmtp2_code().expect("classic"),
    }
    .encode(&mut peer);
    V2Identity::new(&b""[..]).expect("short").encode(&mut peer);
    encode_message(
        &Message::from_frames([&b"hi"[..]]),
        Framing::Zmtp2,
        &mut peer,
    )
    .expect("valid");
    client.handle_bytes(now, &peer);
    client
        .send_message(Message::from_frames([&b"yo"[..]]))
        .expect("open");
    let mut packets = Vec::new();
    while let Some(p) = client.poll_packet() {
        packets.push(p);
    }
    assert_eq!(
        kinds(&packets),
        vec![
            PacketKind::Greeting { from: 0, to: 10 },
            PacketKind::Greeting { from: 10, to: 11 },
            PacketKind::LegacyIdentity,
            message(false, false),
        ]
    );
    assert!(
        events(&mut client)
            .iter()
            .any(|e| matches!(e, Event::Message(_)))
    );
}

#[test]
fn a_mutated_greeting_reaches_the_peer_as_mutated() {
    let now = Instant::now();
    let mut config = with_packets(Config::new(SocketType::Dealer));
    config.behaviour.pacing = super::super::GreetingPacing::Full;
    let mut client = Connection::new(config, Side::Client, now, TestRng::new(1)).expect("valid");
    let packet = client.poll_packet().expect("the greeting");
    assert_eq!(packet.kind, PacketKind::Greeting { from: 0, to: 64 });
    let writes = Tamper::Mutate(Box::new(|octets: &mut BytesMut| {
        GreetingView::new(&mut octets[..]).set_major(2);
    }))
    .apply(packet);
    let [Write { octets, .. }] = &writes[..] else {
        panic!("one write: {writes:?}");
    };
    assert_eq!(GreetingView::new(&octets[..]).major(), Some(2));
}

fn packet(octets: &'static [u8]) -> Packet {
    Packet {
        kind: PacketKind::Unmarked,
        octets: Bytes::from_static(octets),
    }
}

fn shapes(writes: &[Write]) -> Vec<(u64, &[u8])> {
    writes
        .iter()
        .map(|w| (w.delay.as_millis() as u64, &w.octets[..]))
        .collect()
}

#[test]
fn tamper_send_replace_drop_delay() {
    assert_eq!(
        shapes(&Tamper::Send.apply(packet(b"abc"))),
        vec![(0, &b"abc"[..])]
    );
    assert_eq!(
        shapes(&Tamper::Replace(Bytes::from_static(b"xy")).apply(packet(b"abc"))),
        vec![(0, &b"xy"[..])]
    );
    assert!(
        Tamper::Replace(Bytes::new())
            .apply(packet(b"abc"))
            .is_empty()
    );
    assert!(Tamper::Drop.apply(packet(b"abc")).is_empty());
    assert_eq!(
        shapes(&Tamper::Delay(Duration::from_millis(5)).apply(packet(b"abc"))),
        vec![(5, &b"abc"[..])]
    );
}

#[test]
fn tamper_split_ignores_cuts_out_of_range_and_composes() {
    assert_eq!(
        shapes(&Tamper::Split(vec![0, 1, 1, 3, 9]).apply(packet(b"abcd"))),
        vec![(0, &b"a"[..]), (0, &b"bc"[..]), (0, &b"d"[..])]
    );
    assert_eq!(
        shapes(
            &Tamper::Split(vec![2])
                .then_delay(Duration::from_millis(7))
                .apply(packet(b"abcd"))
        ),
        vec![(0, &b"ab"[..]), (7, &b"cd"[..])]
    );
    // A mutation after a split sees the whole packet again.
    let joined = Tamper::Then(
        Box::new(Tamper::Split(vec![1])),
        Box::new(Tamper::Mutate(Box::new(|b: &mut BytesMut| b[0] = b'z'))),
    )
    .apply(packet(b"abcd"));
    assert_eq!(shapes(&joined), vec![(0, &b"zbcd"[..])]);
}

#[test]
fn a_greeting_sent_whole_is_one_packet_and_no_empty_packet_follows() {
    let now = Instant::now();
    let mut config = with_packets(Config::new(SocketType::Dealer));
    config.behaviour.pacing = super::super::GreetingPacing::Full;
    let mut client = Connection::new(config, Side::Client, now, TestRng::new(1)).expect("valid");
    let mut server = Connection::new(
        Config::new(SocketType::Router),
        Side::Server,
        now,
        TestRng::new(2),
    )
    .expect("valid");
    let packets = run(&mut client, &mut server, now);
    assert_eq!(
        kinds(&packets),
        vec![
            PacketKind::Greeting { from: 0, to: 64 },
            command(b"READY", false)
        ]
    );
    assert!(packets.iter().all(|p| !p.octets.is_empty()));
    assert_eq!(client.state(), State::Active);
}
