//! The data phase: messages both ways, subscriptions, groups, ERROR,
//! malformed frames, MAXMSGSIZE, a second READY.

use super::*;
use crate::Message;
use crate::connection::harness::{Op, run};

fn received(events: &[Event]) -> Vec<Message> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn messages_queued_before_the_handshake_flow_in_order_37_r44() {
    let mut p = Pair::new(config(SocketType::Dealer), config(SocketType::Router)).expect("valid");
    let a = Message::from_frames([&b""[..], &b"one"[..]]);
    let b = Message::from(vec![b'x'; 70_000]);
    p.client.send_message(a.clone()).expect("open");
    p.client.send_message(b.clone()).expect("open");
    p.max_chunk = 1000;
    p.drive();
    assert!(p.is_active());
    assert_eq!(received(&p.server_events), vec![a.clone(), b]);
    p.server.send_message(a.clone()).expect("open");
    p.drive();
    assert_eq!(received(&p.client_events), vec![a]);
}

/// What the server reports after the handshake, once the client has sent
/// `commands` and `messages`; also the client's wire log.
fn server_sees(
    client: SocketType,
    server: SocketType,
    commands: &[Command],
    messages: &[&'static [u8]],
) -> (Vec<Event>, Vec<u8>) {
    let mut p = active(config(client), config(server));
    for command in commands {
        p.client.send_command(command.clone()).expect("open");
    }
    for message in messages {
        p.client
            .send_message(Message::from(*message))
            .expect("open");
    }
    p.drive();
    (p.server_events.split_off(1), p.to_server)
}

fn topic(t: &'static [u8]) -> Bytes {
    Bytes::from_static(t)
}

#[test]
fn subscribe_and_cancel_commands_reach_a_pub_37_r46_r47() {
    let sent = [
        Command::Subscribe(topic(b"A")),
        Command::Cancel(topic(b"A")),
    ];
    let (events, log) = server_sees(SocketType::Sub, SocketType::Pub, &sent, &[]);
    assert_eq!(commands(&log)[1..], sent);
    assert_eq!(
        events,
        [Event::Subscribe(topic(b"A")), Event::Cancel(topic(b"A"))]
    );
}

#[test]
fn xpub_accepts_subscription_messages_from_a_31_peer_g17() {
    let (events, _) = server_sees(
        SocketType::XSub,
        SocketType::XPub,
        &[],
        &[b"\x01topic", b"\x02data"],
    );
    assert_eq!(
        events,
        [
            Event::Subscribe(topic(b"topic")),
            Event::Message(Message::from(&b"\x02data"[..]))
        ]
    );
}

#[test]
fn join_and_leave_reach_a_radio_37_r53_r54() {
    let sent = [Command::Join(topic(b"g")), Command::Leave(topic(b"g"))];
    let (events, _) = server_sees(SocketType::Dish, SocketType::Radio, &sent, &[]);
    assert_eq!(
        events,
        [Event::Join(topic(b"g")), Event::Leave(topic(b"g"))]
    );
}

#[test]
fn received_error_is_fatal_37_r16() {
    let mut p = active(config(SocketType::Pair), config(SocketType::Pair));
    p.server.close(ErrorReason::new("bye"));
    p.drive();
    assert_eq!(p.server_events.last(), Some(&Event::Closed));
    assert_eq!(
        failure(&p.client_events),
        Some(&ConnectionError::ErrorReceived(Bytes::from_static(b"bye")))
    );
    assert!(p.client.is_closed());
    assert_eq!(p.client.send_message("x".into()), Err(LocalError::Closed));
}

#[test]
fn error_reason_must_be_vchar_g11() {
    assert!(ErrorReason::new("with space").is_none());
    assert!(ErrorReason::new(vec![b'a'; 256]).is_none());
    assert!(ErrorReason::new("ok").is_some());
}

/// The peer's bytes after a complete handshake, fed to a fresh ROUTER
/// server at every split: the connection closes with `expected` and
/// sends ERROR.
fn after_handshake_fails(tail: &[u8], max: Option<u64>, expected: &ConnectionError) {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(ready("DEALER", &[]));
    let handshake_len = peer.len();
    peer.extend(tail);
    let mut c = config(SocketType::Router);
    c.max_message_size = max;
    refuses_at_every_split(&c, Side::Server, &peer, expected, true);
    // And fed whole, after the handshake was seen to succeed.
    let now = Instant::now();
    let mut conn = Connection::new(c, Side::Server, now, TestRng::new(0)).expect("valid");
    conn.handle_bytes(now, &peer[..handshake_len]);
    assert_eq!(conn.state(), State::Active);
    conn.handle_bytes(now, tail);
    assert!(conn.is_closed());
}

#[test]
fn reserved_flag_bits_are_refused_37_r19() {
    after_handshake_fails(
        &[0x08, 0x01, b'x'],
        None,
        &malformed(wire::WireError::ReservedFlags(0x08)),
    );
}

#[test]
fn command_with_more_is_refused_37_r20() {
    after_handshake_fails(
        &[0x05, 0x05, 4, b'P', b'I', b'N', b'G'],
        None,
        &malformed(wire::WireError::CommandWithMore),
    );
}

#[test]
fn command_inside_a_message_is_refused_g09() {
    let mut tail = vec![0x01, 0x01, b'a'];
    tail.extend(command(&Command::Subscribe(Bytes::new())));
    after_handshake_fails(
        &tail,
        None,
        &malformed(wire::WireError::CommandInsideMessage),
    );
}

#[test]
fn bad_command_name_is_refused_g08() {
    after_handshake_fails(
        &[0x04, 0x02, 1, b'1'],
        None,
        &malformed(wire::WireError::BadCommandName),
    );
}

#[test]
fn second_ready_is_a_peer_error() {
    after_handshake_fails(
        &ready("DEALER", &[]),
        None,
        &ConnectionError::Peer(PeerError::UnexpectedCommand("READY")),
    );
}

#[test]
fn mechanism_command_after_handshake_is_a_peer_error() {
    after_handshake_fails(
        &command(&Command::Mechanism {
            name: wire::MechanismCommand::Hello,
            body: Bytes::new(),
        }),
        None,
        &ConnectionError::Peer(PeerError::UnexpectedCommand("HELLO")),
    );
}

#[test]
fn unknown_commands_are_ignored_like_libzmq() {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(ready("DEALER", &[]));
    peer.extend(command(&Command::Unknown {
        name: Bytes::from_static(b"FOO"),
        body: Bytes::from_static(b"bar"),
    }));
    peer.extend([0x00, 0x01, b'm']);
    at_every_split(
        &config(SocketType::Router),
        Side::Server,
        &peer,
        |conn, evs, _| {
            assert_eq!(conn.state(), State::Active);
            assert_eq!(received(&evs), vec![Message::from("m")]);
        },
    );
}

#[test]
fn max_message_size_is_enforced_on_the_declared_size() {
    // 2 frames of 60: 120 > 100, refused on the second header.
    let mut tail = vec![0x01, 60];
    tail.extend([b'a'; 60]);
    tail.extend([0x00, 60]);
    tail.extend([b'b'; 60]);
    let expected = malformed(wire::WireError::MessageTooLarge {
        size: 120,
        max: 100,
    });
    after_handshake_fails(&tail, Some(100), &expected);
    // A 2^62-octet declaration is refused before any body is buffered.
    let mut huge = vec![0x02];
    huge.extend((1u64 << 62).to_be_bytes());
    after_handshake_fails(
        &huge,
        Some(1 << 20),
        &malformed(wire::WireError::MessageTooLarge {
            size: 1 << 62,
            max: 1 << 20,
        }),
    );
    // Exactly at the limit passes.
    let mut s = config(SocketType::Pull);
    s.max_message_size = Some(100);
    let mut p = active(config(SocketType::Push), s);
    p.client
        .send_message(Message::from(vec![b'z'; 100]))
        .expect("open");
    p.drive();
    assert_eq!(received(&p.server_events).len(), 1);
    assert!(p.is_active());
}

/// MAXMSGSIZE counts the whole message (libzmq counts each frame): at
/// 1000, 600 + 400 octets are delivered, 600 + 600 are refused on the
/// second frame's header, with ERROR; and 1001 empty frames are refused
/// as too many (they add no octets, but each costs memory).
#[test]
fn max_message_size_counts_the_whole_message() {
    let mut s = config(SocketType::Pull);
    s.max_message_size = Some(1000);
    let mut p = active(config(SocketType::Push), s);
    let at_limit = Message::from_frames([vec![b'a'; 600], vec![b'b'; 400]]);
    p.client.send_message(at_limit.clone()).expect("open");
    p.drive();
    assert_eq!(received(&p.server_events), [at_limit]);
    assert!(p.is_active());

    let over = Message::from_frames([vec![b'a'; 600], vec![b'b'; 600]]);
    after_handshake_fails(
        &over.to_bytes().expect("encodes"),
        Some(1000),
        &malformed(wire::WireError::MessageTooLarge {
            size: 1200,
            max: 1000,
        }),
    );
    let empty = Message::from_frames(vec![Bytes::new(); 1001]);
    after_handshake_fails(
        &empty.to_bytes().expect("encodes"),
        Some(1000),
        &malformed(wire::WireError::TooManyFrames { max: 1000 }),
    );
}

#[test]
fn huge_declared_size_allocates_nothing_without_a_limit() {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(ready("DEALER", &[]));
    peer.push(0x02);
    peer.extend((1u64 << 40).to_be_bytes());
    peer.extend([b'x'; 100]);
    let outcome = run(
        config(SocketType::Router),
        Side::Server,
        &peer
            .chunks(7)
            .map(|c| Op::Bytes(c.to_vec()))
            .collect::<Vec<_>>(),
    )
    .expect("valid");
    assert_eq!(outcome.connection.state(), State::Active);
    assert!(
        outcome.max_buffer_capacity < 64 * 1024,
        "capacity {} for {} octets received",
        outcome.max_buffer_capacity,
        outcome.received
    );
}

#[test]
fn harness_ops_drive_a_connection() {
    let mut peer = greeting(1, wire::Mechanism::NULL);
    peer.extend(ready("SUB", &[]));
    let mut c = config(SocketType::XPub);
    c.heartbeat.interval = Some(core::time::Duration::from_millis(100));
    let outcome = run(
        c,
        Side::Server,
        &[
            Op::SendMessage(vec![b"early".to_vec()]),
            Op::Bytes(peer),
            Op::FireTimer,
            Op::Ping(0, vec![1; 17]),
            Op::Advance(10_000),
            Op::Close,
        ],
    )
    .expect("valid");
    assert!(matches!(outcome.events[0], Event::HandshakeSucceeded(_)));
    assert_eq!(
        failure(&outcome.events),
        Some(&ConnectionError::Timeout(Timeout::Heartbeat))
    );
    assert_eq!(
        messages(&outcome.sent, Greeting::LEN, Framing::Zmtp3),
        vec![Message::from("early")]
    );
}

/// A message with frames on both sides of [`LARGE_FRAME`].
fn mixed_message() -> Message {
    Message::from_frames([
        Bytes::from(vec![1u8; LARGE_FRAME]),
        Bytes::from_static(b"small"),
        Bytes::from(vec![2u8; 100_000]),
        Bytes::from(vec![3u8; LARGE_FRAME - 1]),
    ])
}

#[test]
fn large_bodies_are_sent_as_the_applications_bytes() {
    let mut p = active(config(SocketType::Dealer), config(SocketType::Router));
    let m = mixed_message();
    let large: Vec<*const u8> = m
        .iter()
        .filter(|b| b.len() >= LARGE_FRAME)
        .map(|b| b.as_ptr())
        .collect();
    p.client.send_message(m.clone()).expect("open");
    p.client.send_message(Message::from("after")).expect("open");
    let chunks: Vec<Bytes> = core::iter::from_fn(|| p.client.poll_transmit_chunk()).collect();
    // Each large body is a chunk of its own, the very same buffer.
    for ptr in &large {
        assert!(
            chunks.iter().any(|c| c.as_ptr() == *ptr),
            "a large body was copied"
        );
    }
    // Only headers and small bodies (the 8 KiB - 1 one included) are
    // copied: the other chunks add up to the rest of the encoding.
    let copied: usize = chunks
        .iter()
        .filter(|c| !large.contains(&c.as_ptr()))
        .map(Bytes::len)
        .sum();
    let large_len = LARGE_FRAME + 100_000;
    assert_eq!(
        copied,
        m.encoded_len() + Message::from("after").encoded_len() - large_len
    );
    // The receiver reads them straight into its buffer.
    let wire: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
    let now = Instant::now();
    let mut at = 0;
    while at < wire.len() {
        use bytes::BufMut;
        let mut room = p.server.read_buffer(4096);
        let n = room.remaining_mut().min(wire.len() - at);
        room.put_slice(&wire[at..at + n]);
        at += n;
        p.server.handle_read(now);
    }
    let got = received(&events(&mut p.server));
    let sizes = |ms: &[Message]| -> Vec<Vec<usize>> {
        ms.iter()
            .map(|m| m.iter().map(Bytes::len).collect())
            .collect()
    };
    let expected = vec![m, Message::from("after")];
    assert!(got == expected, "frame sizes {:?}", sizes(&got));
}

#[test]
fn poll_transmit_still_returns_everything_in_one_buffer() {
    let mut p = active(config(SocketType::Dealer), config(SocketType::Router));
    let sent = vec![
        Message::from("one"),
        mixed_message(),
        Message::from("three"),
    ];
    for m in &sent {
        p.client.send_message(m.clone()).expect("open");
    }
    let all = p.client.poll_transmit().expect("output");
    assert_eq!(p.client.poll_transmit(), None);
    assert_eq!(p.client.poll_transmit_chunk(), None);
    assert!(messages(&all, 0, Framing::Zmtp3) == sent, "messages differ");
}

#[test]
fn a_full_send_buffer_is_queued_not_grown() {
    // 300 KiB of 1 KiB messages: the send buffer is queued in blocks of
    // at most 64 KiB (growing one would copy what it holds each time), and
    // pending_transmit counts every octet waiting.
    let mut p = active(config(SocketType::Dealer), config(SocketType::Router));
    let m = Message::from(vec![7u8; 1000]);
    for _ in 0..300 {
        p.client.send_message(m.clone()).expect("open");
    }
    assert_eq!(p.client.pending_transmit(), 300 * m.encoded_len());
    let chunks: Vec<Bytes> = core::iter::from_fn(|| p.client.poll_transmit_chunk()).collect();
    assert_eq!(p.client.pending_transmit(), 0);
    assert!(chunks.len() > 1);
    assert!(chunks.iter().all(|c| c.len() <= 64 * 1024), "a block grew");
    let wire: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
    let got = messages(&wire, 0, Framing::Zmtp3);
    assert!(got.len() == 300 && got.iter().all(|g| *g == m));
}
