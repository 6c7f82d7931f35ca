//! Connection machine tests: two machines back to back with virtual time
//! ([`super::harness::Pair`]), and scripted peers whose bytes are built
//! with the wire encoder and the legacy greeting types. Every handshake
//! runs again with the peer's bytes split at every octet.

mod downgrade;
mod handshake;
mod heartbeat;
mod properties;
mod traffic;
mod tunnel;
mod zws;

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use super::harness::{Pair, TestRng, events, feed_split};
use super::*;
use crate::SocketType;
use crate::wire::greeting::Version;
use crate::wire::{self, Decoder, Encode, Framing, Greeting, Item};

/// A configuration for `socket_type` with the default behaviour.
fn config(socket_type: SocketType) -> Config {
    Config::new(socket_type)
}

/// A pair that has finished driving.
fn pair(client: Config, server: Config, max_chunk: usize) -> Pair {
    let mut pair = Pair::new(client, server).expect("valid configs");
    pair.max_chunk = max_chunk;
    pair.drive();
    pair
}

/// An active pair of compatible NULL sockets.
fn active(client: Config, server: Config) -> Pair {
    let pair = pair(client, server, usize::MAX);
    assert!(
        pair.is_active(),
        "{:?} / {:?}",
        pair.client_events,
        pair.server_events
    );
    pair
}

/// A full 64-octet NULL greeting of version 3.`minor`.
fn greeting(minor: u8, mechanism: wire::Mechanism) -> Vec<u8> {
    Greeting {
        padding: [0; 8],
        version: Version { major: 3, minor },
        mechanism,
        as_server: false,
    }
    .to_bytes()
    .to_vec()
}

/// An encoded command.
fn command(command: &Command) -> Vec<u8> {
    command.to_bytes().expect("valid command").to_vec()
}

/// An encoded READY with this Socket-Type and extra properties.
fn ready(socket_type: &str, extra: &[(&'static str, &'static [u8])]) -> Vec<u8> {
    let mut md = Metadata::new().with(wire::metadata::SOCKET_TYPE, socket_type.as_bytes().to_vec());
    for (name, value) in extra {
        md.push(*name, *value);
    }
    command(&Command::Ready(md))
}

/// What a 3.x peer's log holds after its 64-octet greeting.
fn items(log: &[u8], skip: usize, framing: Framing) -> Vec<Item> {
    let mut decoder = Decoder::new(framing);
    decoder.push(log.get(skip..).unwrap_or_default());
    core::iter::from_fn(|| decoder.poll_item().ok().flatten()).collect()
}

/// The commands in a 3.x log after the greeting.
fn commands(log: &[u8]) -> Vec<Command> {
    items(log, Greeting::LEN, Framing::Zmtp3)
        .into_iter()
        .filter_map(|item| match item {
            Item::Command(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// The messages in a log after `skip` octets.
fn messages(log: &[u8], skip: usize, framing: Framing) -> Vec<Message> {
    items(log, skip, framing)
        .into_iter()
        .filter_map(|item| match item {
            Item::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

/// Whether the log carries an ERROR command.
fn sent_error(log: &[u8]) -> bool {
    commands(log)
        .iter()
        .any(|c| matches!(c, Command::Error { .. }))
}

/// The error a connection failed with, if it did.
fn failure(events: &[Event]) -> Option<&ConnectionError> {
    events.iter().find_map(|e| match e {
        Event::Failed(error) => Some(error),
        _ => None,
    })
}

/// Runs `check` on a fresh connection fed `peer` split at every octet
/// (and whole). The connection is opened as `side` with `config`.
fn at_every_split(
    config: &Config,
    side: Side,
    peer: &[u8],
    mut check: impl FnMut(&mut Connection, Vec<Event>, Vec<u8>),
) {
    for at in 0..=peer.len() {
        let now = Instant::now();
        let mut conn =
            Connection::new(config.clone(), side, now, TestRng::new(0)).expect("valid config");
        feed_split(&mut conn, now, peer, at);
        let sent = conn.poll_transmit().map(|b| b.to_vec()).unwrap_or_default();
        let evs = events(&mut conn);
        check(&mut conn, evs, sent);
    }
}

/// `peer`, fed at every split, leaves the connection [`State::Active`].
fn accepts_at_every_split(config: &Config, side: Side, peer: &[u8]) {
    at_every_split(config, side, peer, |conn, evs, _| {
        assert_eq!(conn.state(), State::Active, "{evs:?}");
    });
}

/// `peer`, fed at every split, closes the connection with `expected`;
/// an ERROR command goes out exactly when `error_sent`.
fn refuses_at_every_split(
    config: &Config,
    side: Side,
    peer: &[u8],
    expected: &ConnectionError,
    error_sent: bool,
) {
    at_every_split(config, side, peer, |conn, evs, sent| {
        assert!(conn.is_closed(), "{evs:?}");
        assert_eq!(failure(&evs), Some(expected));
        assert_eq!(sent_error(&sent), error_sent, "ERROR sent?");
    });
}

/// A peer error.
fn peer_error(error: PeerError) -> ConnectionError {
    ConnectionError::Peer(error)
}

/// A malformed-input peer error.
fn malformed(error: wire::WireError) -> ConnectionError {
    ConnectionError::Peer(PeerError::Malformed(error))
}

/// A stand-in non-NULL mechanism (named PLAIN) for the greeting-level
/// checks: its handshake accepts a READY like NULL.
#[derive(Debug)]
struct FakePlain;

impl Mechanism for FakePlain {
    fn name(&self) -> wire::Mechanism {
        wire::Mechanism::PLAIN
    }
    fn start(
        &self,
        side: Side,
        behaviour: &Behaviour,
        rng: &mut dyn rand_core::CryptoRngCore,
    ) -> Box<dyn MechanismSession> {
        Null.start(side, behaviour, rng)
    }
}

fn plain(socket_type: SocketType) -> Config {
    let mut config = config(socket_type);
    config.mechanism = Arc::new(FakePlain);
    config
}

#[test]
fn connection_is_send_for_the_drivers() {
    fn send<T: Send>() {}
    send::<Connection>();
    send::<Event>();
}

#[test]
fn state_table_is_snapshotted_and_rendered() {
    use state::{Input, State};
    assert_eq!(state::transitions().len(), 25);
    assert_eq!(
        state::next(State::Handshake, Input::HandshakeDone),
        Some(State::Active)
    );
    assert_eq!(state::next(State::Active, Input::HandshakeDone), None);
    let dot = Connection::dot();
    for s in [
        "Signature",
        "Greeting",
        "LegacyGreeting",
        "Handshake",
        "Active",
        "Closed",
    ] {
        assert!(dot.contains(s), "{s} missing from {dot}");
    }
}

#[test]
fn routing_id_rules_on_our_side_37_r34_r35() {
    let now = Instant::now();
    let mut c = config(SocketType::Dealer);
    c.routing_id = Bytes::from_static(b"\0abc");
    assert_eq!(
        Connection::new(c.clone(), Side::Client, now, TestRng::new(0)).err(),
        Some(LocalError::InvalidRoutingId)
    );
    c.routing_id = Bytes::from(vec![b'x'; 256]);
    assert_eq!(
        Connection::new(c.clone(), Side::Client, now, TestRng::new(0)).err(),
        Some(LocalError::InvalidRoutingId)
    );
    c.routing_id = Bytes::from(vec![b'x'; 255]);
    assert!(Connection::new(c, Side::Client, now, TestRng::new(0)).is_ok());
}

#[test]
fn invalid_configured_metadata_is_refused_37_r26() {
    let mut c = config(SocketType::Dealer);
    c.metadata.push("", "empty name");
    assert!(matches!(
        Connection::new(c, Side::Client, Instant::now(), TestRng::new(0)),
        Err(LocalError::Encode(_))
    ));
}

#[test]
fn application_cannot_send_handshake_commands() {
    let mut conn = Connection::new(
        config(SocketType::Dealer),
        Side::Client,
        Instant::now(),
        TestRng::new(0),
    )
    .expect("valid config");
    assert!(matches!(
        conn.send_command(Command::Ready(Metadata::new())),
        Err(LocalError::NotAnApplicationCommand("READY"))
    ));
    assert!(matches!(
        conn.send_command(Command::Ping {
            ttl: 0,
            context: Bytes::from(vec![0; 17])
        }),
        Err(LocalError::Encode(_))
    ));
    assert_eq!(
        conn.send_message(Message::new()),
        Err(LocalError::EmptyMessage)
    );
    conn.close(None);
    assert_eq!(conn.send_message("x".into()), Err(LocalError::Closed));
    assert_eq!(events(&mut conn), vec![Event::Closed]);
}

/// 37-R17: an ERROR that refused the handshake rules out reconnecting with
/// the same credentials; an ERROR after it (37-R18) and any other end do
/// not.
#[test]
fn reconnect_after_error_37_r17_r18() {
    let error = ConnectionError::ErrorReceived(Bytes::from_static(b"400"));
    assert!(!error.permits_reconnect(false));
    assert!(error.permits_reconnect(true));
    let timeout = ConnectionError::Timeout(Timeout::Handshake);
    assert!(timeout.permits_reconnect(false));
}
