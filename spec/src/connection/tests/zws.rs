//! ZWS 2.0 (RFC 45): two machines with no greeting, each WebSocket message
//! carried through `wire::zws`'s splitter and `to_zmtp`.

use super::*;
use crate::wire::zws::{Splitter, Subprotocol, to_zmtp};

/// Two machines over ZWS, one `Vec` of whole WebSocket messages each way.
struct ZwsPair {
    client: Connection,
    server: Connection,
    client_out: Splitter,
    server_out: Splitter,
    framing: Framing,
    /// Every message the client sent, in order.
    sent_by_client: Vec<Bytes>,
    client_events: Vec<Event>,
    server_events: Vec<Event>,
    now: Instant,
}

impl ZwsPair {
    fn new(subprotocol: Subprotocol, mut client: Config, mut server: Config) -> Self {
        client.zws = Some(subprotocol);
        server.zws = Some(subprotocol);
        let now = Instant::now();
        Self {
            client: harness::connection(client, Side::Client, now, 1).expect("client"),
            server: harness::connection(server, Side::Server, now, 2).expect("server"),
            client_out: Splitter::new(subprotocol.framing()),
            server_out: Splitter::new(subprotocol.framing()),
            framing: subprotocol.framing(),
            sent_by_client: Vec::new(),
            client_events: Vec::new(),
            server_events: Vec::new(),
            now,
        }
    }

    fn drive(&mut self) {
        for _ in 0..32 {
            let mut moved = false;
            while let Some(out) = self.client.poll_transmit() {
                self.client_out.push(&out);
            }
            while let Some(message) = self.client_out.next_message().expect("own output") {
                moved = true;
                self.sent_by_client.push(message.clone());
                let zmtp = to_zmtp(&message, self.framing).expect("valid ZWS");
                self.server.handle_bytes(self.now, &zmtp);
            }
            while let Some(out) = self.server.poll_transmit() {
                self.server_out.push(&out);
            }
            while let Some(message) = self.server_out.next_message().expect("own output") {
                moved = true;
                let zmtp = to_zmtp(&message, self.framing).expect("valid ZWS");
                self.client.handle_bytes(self.now, &zmtp);
            }
            self.client_events
                .extend(std::iter::from_fn(|| self.client.poll_event()));
            self.server_events
                .extend(std::iter::from_fn(|| self.server.poll_event()));
            if !moved {
                return;
            }
        }
    }

    fn active(&self) -> bool {
        self.client.state() == State::Active && self.server.state() == State::Active
    }
}

#[test]
fn null_subprotocol_starts_with_ready_and_no_greeting_45_r07() {
    let mut pair = ZwsPair::new(
        Subprotocol::Null,
        config(SocketType::Dealer),
        config(SocketType::Router),
    );
    pair.drive();
    assert!(
        pair.active(),
        "{:?} / {:?}",
        pair.client_events,
        pair.server_events
    );
    // The first message is a command (flags 02), READY: no greeting.
    let first = &pair.sent_by_client[0];
    assert_eq!(first[0], wire::zws::flags::COMMAND);
    assert!(matches!(
        Command::parse(&first.slice(1..)),
        Ok(Command::Ready(_))
    ));
    assert_eq!(pair.client.protocol(), Some(Protocol::V3_0));
    pair.client
        .send_message(Message::from_frames([
            Bytes::from_static(b"a"),
            Bytes::from_static(b"b"),
        ]))
        .expect("queued");
    pair.drive();
    let got: Vec<_> = pair
        .server_events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].len(), 2);
    // The two frames went as two messages: 01 a, then 00 b (45-R06).
    let tail: Vec<&[u8]> = pair
        .sent_by_client
        .iter()
        .rev()
        .take(2)
        .map(|m| &m[..])
        .collect();
    assert_eq!(tail, [&b"\x00b"[..], &b"\x01a"[..]]);
}

#[test]
fn plain_subprotocol_runs_its_mechanism_handshake_45_r08() {
    let mut pair = ZwsPair::new(
        Subprotocol::Plain,
        plain(SocketType::Req),
        plain(SocketType::Rep),
    );
    pair.drive();
    assert!(
        pair.active(),
        "{:?} / {:?}",
        pair.client_events,
        pair.server_events
    );
}

#[test]
fn subscriptions_travel_as_messages_45_r09() {
    let mut pair = ZwsPair::new(
        Subprotocol::Null,
        config(SocketType::Sub),
        config(SocketType::Pub),
    );
    pair.drive();
    pair.client
        .send_command(Command::Subscribe(Bytes::from_static(b"t")))
        .expect("queued");
    pair.drive();
    assert_eq!(
        pair.sent_by_client.last().map(|m| &m[..]),
        Some(&b"\x00\x01t"[..])
    );
    assert!(
        pair.server_events
            .iter()
            .any(|e| *e == Event::Subscribe(Bytes::from_static(b"t")))
    );
}

#[test]
fn bare_subprotocol_exchanges_routing_ids_first_45_r05() {
    let mut client = config(SocketType::Dealer);
    client.routing_id = Bytes::from_static(b"me");
    let mut pair = ZwsPair::new(Subprotocol::Bare, client, config(SocketType::Router));
    pair.drive();
    assert!(
        pair.active(),
        "{:?} / {:?}",
        pair.client_events,
        pair.server_events
    );
    assert_eq!(&pair.sent_by_client[0][..], b"\x00me");
    let peer = pair.server.peer().expect("peer");
    assert_eq!(peer.routing_id.as_deref(), Some(&b"me"[..]));
    pair.client
        .send_message(Message::from(Bytes::from_static(b"hi")))
        .expect("queued");
    pair.drive();
    assert!(
        pair.server_events
            .iter()
            .any(|e| matches!(e, Event::Message(m) if m.len() == 1))
    );
}

#[test]
fn a_subprotocol_of_another_mechanism_is_refused_45_r08() {
    let mut cfg = config(SocketType::Dealer);
    cfg.zws = Some(Subprotocol::Plain);
    assert_eq!(
        harness::connection(cfg, Side::Client, Instant::now(), 1).err(),
        Some(LocalError::ZwsMechanism("ZWS2.0/PLAIN"))
    );
    let mut cfg = plain(SocketType::Dealer);
    cfg.zws = Some(Subprotocol::Bare);
    assert!(harness::connection(cfg, Side::Client, Instant::now(), 1).is_err());
}

#[test]
fn a_command_under_the_bare_subprotocol_is_malformed_45_r05() {
    assert_eq!(
        to_zmtp(b"\x02\x04PING\x00\x00", Framing::Zmtp2),
        Err(wire::WireError::UnexpectedFrame(0x02))
    );
}
