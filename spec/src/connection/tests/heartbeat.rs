//! Heartbeats on virtual time: PING every interval with TTL and context,
//! PONG echoing the context, the heartbeat timeout, the peer's TTL
//! (37-R58, 37-R59, G13).

use core::time::Duration;

use super::*;

const SECOND: Duration = Duration::from_secs(1);
const MS: Duration = Duration::from_millis(1);

fn beating(
    socket_type: SocketType,
    interval: Duration,
    ttl: Option<Duration>,
    timeout: Option<Duration>,
) -> Config {
    let mut c = config(socket_type);
    c.heartbeat = Heartbeat {
        interval: Some(interval),
        ttl,
        timeout,
    };
    c
}

fn pings(log: &[u8]) -> Vec<(u16, Bytes)> {
    commands(log)
        .into_iter()
        .filter_map(|c| match c {
            Command::Ping { ttl, context } => Some((ttl, context)),
            _ => None,
        })
        .collect()
}

fn pongs(log: &[u8]) -> Vec<Bytes> {
    commands(log)
        .into_iter()
        .filter_map(|c| match c {
            Command::Pong { context } => Some(context),
            _ => None,
        })
        .collect()
}

#[test]
fn ping_every_interval_with_ttl_and_pong_echoes_context_37_r58() {
    let client = beating(
        SocketType::Dealer,
        SECOND,
        Some(Duration::from_millis(2500)),
        None,
    );
    let mut p = active(client, config(SocketType::Router));
    assert!(p.client.poll_timeout().is_some());
    p.advance(SECOND - MS);
    assert!(pings(&p.to_server).is_empty());
    p.advance(MS);
    assert_eq!(pings(&p.to_server).len(), 1);
    p.advance(SECOND * 2);
    let sent = pings(&p.to_server);
    assert_eq!(sent.len(), 3);
    // TTL in tenths of a second; a distinct context per PING.
    assert!(sent.iter().all(|(ttl, _)| *ttl == 25));
    assert_ne!(sent[0].1, sent[1].1);
    // The server answered each with the same context (37-R58).
    let echoed = pongs(&p.to_client);
    assert_eq!(
        echoed,
        sent.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>()
    );
    assert!(p.is_active());
}

#[test]
fn scripted_ping_is_answered_with_its_context_split_at_every_octet() {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(ready("REQ", &[]));
    let context = Bytes::from_static(b"0123456789abcdef");
    peer.extend(command(&Command::Ping {
        ttl: 0,
        context: context.clone(),
    }));
    at_every_split(
        &config(SocketType::Rep),
        Side::Server,
        &peer,
        |conn, evs, sent| {
            assert_eq!(conn.state(), State::Active, "{evs:?}");
            assert_eq!(pongs(&sent), vec![context.clone()]);
        },
    );
}

#[test]
fn ping_context_over_16_octets_is_malformed_37_r59() {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(ready("REQ", &[]));
    // 04 PING ttl(2) + 17 octets of context, framed by hand.
    let mut body = vec![4, b'P', b'I', b'N', b'G', 0, 0];
    body.extend([b'x'; 17]);
    peer.extend([0x04, u8::try_from(body.len()).expect("short")]);
    peer.extend(body);
    refuses_at_every_split(
        &config(SocketType::Rep),
        Side::Server,
        &peer,
        &malformed(wire::WireError::BadPing),
        true,
    );
}

#[test]
fn silent_peer_is_declared_dead_after_the_timeout() {
    let client = beating(SocketType::Req, SECOND, None, Some(SECOND * 3));
    let mut p = active(client, config(SocketType::Rep));
    p.server_silent = true;
    // PING at 1 s arms the 3 s timeout: dead at 4 s, not before.
    p.advance(SECOND * 4 - MS);
    assert!(failure(&p.client_events).is_none(), "{:?}", p.client_events);
    p.advance(MS);
    assert_eq!(
        failure(&p.client_events),
        Some(&ConnectionError::Timeout(Timeout::Heartbeat))
    );
    assert!(p.client.is_closed());
    assert_eq!(p.client.poll_timeout(), None);
}

#[test]
fn timeout_defaults_to_the_interval() {
    let client = beating(SocketType::Req, SECOND, None, None);
    let mut p = active(client, config(SocketType::Rep));
    p.server_silent = true;
    p.advance(SECOND * 2 - MS);
    assert!(failure(&p.client_events).is_none());
    p.advance(MS);
    assert_eq!(
        failure(&p.client_events),
        Some(&ConnectionError::Timeout(Timeout::Heartbeat))
    );
}

#[test]
fn answered_pings_keep_the_connection_alive() {
    let client = beating(SocketType::Req, SECOND, None, Some(SECOND / 2));
    let server = beating(SocketType::Rep, SECOND * 3, None, Some(SECOND));
    let mut p = active(client, server);
    p.advance(SECOND * 60);
    assert!(p.is_active(), "{:?} {:?}", p.client_events, p.server_events);
    assert!(pings(&p.to_server).len() >= 60);
    assert!(pings(&p.to_client).len() >= 20);
}

#[test]
fn the_peers_ttl_is_honoured() {
    // The client announces a 2 s TTL; the server has no heartbeat of its
    // own, so only the TTL can end it.
    let client = beating(
        SocketType::Req,
        SECOND,
        Some(SECOND * 2),
        Some(SECOND * 100),
    );
    let mut p = active(client, config(SocketType::Rep));
    assert_eq!(p.server.poll_timeout(), None);
    p.advance(SECOND);
    assert_eq!(pings(&p.to_server).len(), 1);
    // TTL armed on the PING: due 2 s later unless anything arrives.
    p.client_silent = true;
    p.advance(SECOND * 2 - MS);
    assert!(failure(&p.server_events).is_none(), "{:?}", p.server_events);
    p.advance(MS);
    assert_eq!(
        failure(&p.server_events),
        Some(&ConnectionError::Timeout(Timeout::PeerTtl))
    );
}

#[test]
fn no_heartbeat_no_timer() {
    let mut p = active(config(SocketType::Req), config(SocketType::Rep));
    p.server_silent = true;
    p.advance(SECOND * 3600);
    assert!(p.is_active());
}

#[test]
fn legacy_peers_are_not_pinged() {
    let mut peer = Vec::new();
    wire::legacy::V1Identity {
        flags: 0,
        identity: b"",
    }
    .encode(&mut peer);
    let c = beating(SocketType::Pair, SECOND, None, None);
    at_every_split(&c, Side::Client, &peer, |conn, _, _| {
        assert_eq!(conn.state(), State::Active);
        assert_eq!(conn.poll_timeout(), None);
    });
}

/// An encoded PING with this context, from the wire encoder.
fn ping(context: &[u8]) -> Vec<u8> {
    command(&Command::Ping {
        ttl: 0,
        context: Bytes::copy_from_slice(context),
    })
}

/// The PONG contexts in octets sent after the greeting.
fn pongs_in(sent: &[u8]) -> Vec<Bytes> {
    items(sent, 0, Framing::Zmtp3)
        .into_iter()
        .filter_map(|item| match item {
            Item::Command(Command::Pong { context }) => Some(context),
            _ => None,
        })
        .collect()
}

/// A peer that PINGs and never reads costs one PONG, not one per PING
/// (37-R58 asks for a PONG answering a PING with its context, not one
/// per PING): a million PINGs fed without draining the output leave a
/// few octets waiting, and the drain sends one PONG, the latest context.
#[test]
fn a_ping_flood_holds_one_pong_with_the_latest_context_37_r58() {
    const PINGS: u64 = 1_000_000;
    let mut p = active(config(SocketType::Dealer), config(SocketType::Router));
    let mut batch = Vec::with_capacity(64 * 1024);
    for i in 1..=PINGS {
        batch.extend(ping(&i.to_be_bytes()));
        if batch.len() >= 64 * 1024 - 32 || i == PINGS {
            p.server.handle_bytes(p.now, &batch);
            batch.clear();
            // One PONG with an 8-octet context: 2 + 5 + 8 octets.
            assert!(
                p.server.pending_transmit() <= 16,
                "{} octets waiting after PING {i}",
                p.server.pending_transmit()
            );
        }
    }
    assert_eq!(p.server.state(), State::Active);
    assert!(p.server.receive_buffer_capacity() < 256 * 1024);
    let waiting = p.server.pending_transmit();
    let sent = p.server.poll_transmit().expect("the PONG");
    assert_eq!(sent.len(), waiting, "pending_transmit is exact for NULL");
    assert_eq!(
        pongs_in(&sent),
        [Bytes::copy_from_slice(&PINGS.to_be_bytes())]
    );
    assert_eq!(items(&sent, 0, Framing::Zmtp3).len(), 1, "only the PONG");
    assert_eq!(p.server.pending_transmit(), 0);
    assert_eq!(p.server.poll_transmit(), None);
}

/// PINGs with drains between them get a PONG each, whichever way the
/// output is taken; a PONG goes after output queued before it.
#[test]
fn pings_between_drains_get_a_pong_each_37_r58() {
    let mut p = active(config(SocketType::Dealer), config(SocketType::Router));
    for i in 0..100u8 {
        let context = [i; 3];
        p.server.handle_bytes(p.now, &ping(&context));
        if i % 3 == 0 {
            p.server
                .send_message(Message::from_frames([&b"id"[..], &b"m"[..]]))
                .expect("open");
        }
        let sent: Vec<u8> = if i % 2 == 0 {
            p.server.poll_transmit().expect("output").to_vec()
        } else {
            core::iter::from_fn(|| p.server.poll_transmit_chunk())
                .flat_map(|b| b.to_vec())
                .collect()
        };
        assert_eq!(pongs_in(&sent), [Bytes::copy_from_slice(&context)], "{i}");
        let kinds: Vec<bool> = items(&sent, 0, Framing::Zmtp3)
            .iter()
            .map(|item| matches!(item, Item::Command(_)))
            .collect();
        let expected: &[bool] = if i % 3 == 0 { &[false, true] } else { &[true] };
        assert_eq!(kinds, expected, "{i}: the message, then the PONG");
        assert_eq!(p.server.pending_transmit(), 0);
    }
    // And through the pair: the client's PINGs are all answered.
    for i in 0..10u8 {
        p.client
            .send_command(Command::Ping {
                ttl: 0,
                context: Bytes::copy_from_slice(&[i]),
            })
            .expect("open");
        p.drive();
    }
    let contexts: Vec<Bytes> = (0..10u8).map(|i| Bytes::copy_from_slice(&[i])).collect();
    assert_eq!(pongs(&p.to_client), contexts);
}

/// A PING read before a fault keeps its PONG, sent ahead of the ERROR.
#[test]
fn a_pong_owed_goes_out_before_the_error() {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(ready("REQ", &[]));
    peer.extend(ping(b"last words"));
    // A second READY is a protocol error in the data phase.
    peer.extend(ready("REQ", &[]));
    at_every_split(
        &config(SocketType::Rep),
        Side::Server,
        &peer,
        |conn, evs, sent| {
            assert!(conn.is_closed(), "{evs:?}");
            let names: Vec<Vec<u8>> = commands(&sent)
                .iter()
                .map(|c| c.name().to_vec())
                .filter(|n| n != b"READY")
                .collect();
            assert_eq!(names, [b"PONG".to_vec(), b"ERROR".to_vec()]);
        },
    );
}
