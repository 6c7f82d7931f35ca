//! Bodies for fuzz targets over the security machines, one function per
//! target, each taking the fuzzer's raw octets and panicking when it finds
//! a bug (as `crate::fuzzing`, whose [`Choices`] reader they share). The
//! owner of `fuzz/` wires them as targets `z85`, `plain_handshake`,
//! `curve_handshake` and `curve_tunnel`.
//!
//! Not part of the API (feature `fuzzing`). Keys and nonces come from
//! seeded [`TestRng`]s, so every run repeats.

use std::sync::Arc;
use std::time::Instant;

use bytes::{BufMut, Bytes, BytesMut};

use super::curve::{Curve, KeyPair};
use super::plain::Plain;
use super::z85;
use super::zap::{FnAuthenticator, StatusCode, Zap, ZapRequest};
use crate::connection::harness::{self, Pair, TestRng, cookie_jar, feed, lend};
use crate::connection::{Config, Event, Side};
use crate::fuzzing::{Choices, capacity_bound};
use crate::wire::metadata::USER_ID;
use crate::wire::{self, Greeting};
use crate::{Message, SocketType};

#[cfg(test)]
mod tests;

/// Target `z85`: decoding arbitrary octets either fails or gives octets
/// that encode back to the same text (RFC 32), and encoding whole groups
/// always decodes back.
pub fn z85_decode(data: &[u8]) {
    if let Ok(bytes) = z85::decode(data) {
        assert_eq!(bytes.len(), data.len() / 5 * 4);
        let text = z85::encode(&bytes).expect("whole groups encode");
        assert_eq!(text.as_bytes(), data, "decode/encode round trip");
    }
    let whole = &data[..data.len() / 4 * 4];
    let text = z85::encode(whole).expect("whole groups encode");
    assert_eq!(z85::decode(&text).expect("own text decodes"), whole);
}

/// The command names the handshake targets pick from.
const NAMES: [&[u8]; 9] = [
    b"HELLO",
    b"WELCOME",
    b"INITIATE",
    b"READY",
    b"ERROR",
    b"MESSAGE",
    b"PING",
    b"SUBSCRIBE",
    b"X",
];

/// A peer's greeting then a sequence of command frames read from
/// `choices`: per command, an octet picking the name ([`NAMES`]) or a
/// message frame (values past the list), a length octet and the body.
fn scripted_peer(mechanism: wire::Mechanism, choices: &mut Choices<'_>) -> Vec<u8> {
    let mut out = BytesMut::new();
    let as_server = choices.u8() & 1 == 1;
    out.put_slice(&Greeting::new(mechanism, as_server).to_bytes());
    while !choices.is_empty() {
        let pick = usize::from(choices.u8());
        let len = usize::from(choices.u8());
        let body = choices.bytes(len);
        match NAMES.get(pick % 12) {
            Some(name) => {
                let size = 1 + name.len() + body.len();
                if let Ok(short) = u8::try_from(size) {
                    out.put_u8(0x04);
                    out.put_u8(short);
                } else {
                    out.put_u8(0x06);
                    out.put_u64(size as u64);
                }
                out.put_u8(name.len() as u8);
                out.put_slice(name);
            }
            None => {
                out.put_u8(if pick & 0x80 != 0 { 0x01 } else { 0x00 });
                out.put_u8(body.len() as u8);
            }
        }
        out.put_slice(body);
    }
    out.to_vec()
}

/// Feeds `peer` to a fresh connection in chunks of `chunk` octets (and
/// lends a cookie jar whenever it asks) and checks what every run must
/// satisfy: bounded buffer, one handshake at most, nothing delivered
/// before it, nothing after the end.
fn run_scripted(config: Config, side: Side, peer: &[u8], chunk: usize) -> Vec<Event> {
    let now = Instant::now();
    let Ok(mut conn) = harness::connection(config, side, now, 2) else {
        return Vec::new();
    };
    let mut jar = cookie_jar();
    let mut max_capacity = 0;
    for piece in peer.chunks(chunk.max(1)) {
        conn.handle_bytes(now, piece);
        lend(&mut conn, now, &mut jar);
        max_capacity = max_capacity.max(conn.receive_buffer_capacity());
        while conn.poll_transmit().is_some() {}
    }
    assert!(max_capacity <= capacity_bound(peer.len()), "receive buffer");
    let events: Vec<Event> = core::iter::from_fn(|| conn.poll_event()).collect();
    let mut handshake = false;
    let mut ended = false;
    for event in &events {
        assert!(!ended, "{event:?} after the end");
        match event {
            Event::HandshakeSucceeded(_) => {
                assert!(!handshake, "two handshakes");
                handshake = true;
            }
            Event::Closed | Event::Failed(_) => ended = true,
            other => assert!(handshake, "{other:?} before the handshake"),
        }
    }
    assert_eq!(conn.is_closed(), ended);
    events
}

/// Target `plain_handshake`: a PLAIN client or server (octet 0, bit 0; bit
/// 1 the TCP side) fed a PLAIN greeting and arbitrary commands. Checks the
/// run invariants, and that a server completes the handshake only after
/// its authenticator accepted the credentials (admin/secret).
pub fn plain_handshake(data: &[u8]) {
    let _ = plain_events(data);
}

/// The user id the PLAIN target's authenticator gives admin: longer than
/// any property value a scripted peer can send (its command bodies are at
/// most 255 octets), so seeing it on the peer shows the authenticator
/// accepted.
static ADMIN_USER_ID: [u8; 256] = [b'a'; 256];

fn plain_events(data: &[u8]) -> Vec<Event> {
    let mut choices = Choices::new(data);
    let flags = choices.u8();
    let chunk = usize::from(choices.u8()) + 1;
    let server = flags & 1 == 1;
    let side = if flags & 2 == 0 {
        Side::Client
    } else {
        Side::Server
    };
    let mut config = Config::new(SocketType::Dealer);
    config.behaviour.require_socket_type = false;
    config.mechanism = if server {
        Arc::new(Plain::server(Zap::new(Arc::new(FnAuthenticator(
            |r: &ZapRequest| match &r.credentials[..] {
                [user, pass] if &user[..] == b"admin" && &pass[..] == b"secret" => {
                    r.accept(Bytes::from_static(&ADMIN_USER_ID))
                }
                _ => r.refuse(StatusCode::AuthenticationFailure, "no"),
            },
        )))))
    } else {
        match Plain::client("admin", "secret") {
            Ok(plain) => Arc::new(plain),
            Err(_) => return Vec::new(),
        }
    };
    let peer = scripted_peer(wire::Mechanism::PLAIN, &mut choices);
    let events = run_scripted(config, side, &peer, chunk);
    if server {
        for event in &events {
            if let Event::HandshakeSucceeded(peer) = event {
                assert_eq!(
                    peer.metadata.get(USER_ID).map(|id| &id[..]),
                    Some(&ADMIN_USER_ID[..]),
                    "handshake without an accepted HELLO"
                );
            }
        }
    }
    events
}

/// Target `curve_handshake`: a CURVE client or server (octet 0, bit 0)
/// with seeded keys, fed a CURVE greeting and arbitrary commands. Besides
/// the run invariants: no handshake ever completes and nothing is
/// delivered, since octets written before the exchange cannot open or
/// answer its boxes (26-R14, 26-R29) without computing them for those keys
/// and nonces (X25519, Poly1305), which mutation does not do.
pub fn curve_handshake(data: &[u8]) {
    let mut choices = Choices::new(data);
    let flags = choices.u8();
    let chunk = usize::from(choices.u8()) + 1;
    let mut rng = TestRng::new(10);
    let server_keys = KeyPair::generate(&mut rng);
    let mut config = Config::new(SocketType::Dealer);
    config.behaviour.require_socket_type = false;
    let side = if flags & 2 == 0 {
        Side::Client
    } else {
        Side::Server
    };
    config.mechanism = if flags & 1 == 1 {
        Arc::new(Curve::server(server_keys, Zap::default()))
    } else {
        Arc::new(Curve::client(
            KeyPair::generate(&mut rng),
            *server_keys.public(),
        ))
    };
    let peer = scripted_peer(wire::Mechanism::CURVE, &mut choices);
    let events = run_scripted(config, side, &peer, chunk);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::HandshakeSucceeded(_) | Event::Message(_))),
        "a forged CURVE handshake went through: {events:?}"
    );
}

/// Target `curve_tunnel`: two CURVE machines complete a real handshake;
/// the client sends messages read from the input; the octets on the way
/// are tampered with (flip, drop or repeat a range, per the input); the
/// server must deliver exactly a prefix of the messages sent, in order,
/// each whole (26-R20, 26-R21, 26-R57, G-C8): tampering can only end the
/// connection early.
pub fn curve_tunnel(data: &[u8]) {
    let _ = tunnel_delivered(data);
}

/// What [`curve_tunnel`] sent and what arrived.
fn tunnel_delivered(data: &[u8]) -> (Vec<Message>, Vec<Message>) {
    let mut choices = Choices::new(data);
    let mut rng = TestRng::new(20);
    let server_keys = KeyPair::generate(&mut rng);
    let mut client = Config::new(SocketType::Dealer);
    client.mechanism = Arc::new(Curve::client(
        KeyPair::generate(&mut rng),
        *server_keys.public(),
    ));
    let mut server = Config::new(SocketType::Dealer);
    server.mechanism = Arc::new(Curve::server(server_keys, Zap::default()));
    let Ok(mut pair) = Pair::new(client, server) else {
        return (Vec::new(), Vec::new());
    };
    pair.drive();
    assert!(pair.is_active(), "honest handshake");

    // Messages: count, then per message a frame count and frames.
    let mut sent = Vec::new();
    for _ in 0..(choices.u8() % 6) {
        let frames: Vec<Bytes> = (0..(choices.u8() % 3 + 1))
            .map(|_| {
                let len = usize::from(choices.u8() % 40);
                Bytes::copy_from_slice(choices.bytes(len))
            })
            .collect();
        sent.push(Message::from(frames));
    }
    pair.client_silent = true;
    let start = pair.to_server.len();
    for message in &sent {
        pair.client.send_message(message.clone()).expect("open");
    }
    pair.drive();
    let mut octets = pair.to_server[start..].to_vec();

    // Tampering: kind, offset, length.
    let kind = choices.u8() % 4;
    let len = octets.len().max(1);
    let at = usize::from(choices.u16()) % len;
    let span = (usize::from(choices.u8()) % 64 + 1).min(octets.len() - at.min(octets.len()));
    match kind {
        0 => {}
        1 => {
            if let Some(b) = octets.get_mut(at) {
                *b ^= choices.u8() | 1;
            }
        }
        2 => {
            octets.drain(at..at + span);
        }
        _ => {
            let copy = octets[at..at + span].to_vec();
            octets.splice(at..at, copy);
        }
    }
    feed(&mut pair.server, pair.now, &octets, usize::MAX);
    let delivered: Vec<Message> = core::iter::from_fn(|| pair.server.poll_event())
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    assert!(delivered.len() <= sent.len(), "more delivered than sent");
    assert_eq!(
        delivered[..],
        sent[..delivered.len()],
        "not a prefix of what was sent"
    );
    if kind == 0 {
        assert_eq!(delivered.len(), sent.len(), "untouched octets all arrive");
    }
    (sent, delivered)
}
