//! NULL with ZAP, two connection machines back to back.

use std::sync::Arc;

use bytes::Bytes;

use super::*;
use crate::connection::harness::{Pair, TestRng};
use crate::connection::{Config, Event};
use crate::security::zap::{FnAuthenticator, StatusCode};
use crate::{Message, SocketType};

fn server_with(zap: Zap) -> (Config, Config) {
    let client = Config::new(SocketType::Dealer);
    let mut server = Config::new(SocketType::Router);
    server.mechanism = Arc::new(ZapNull::new(zap));
    (client, server)
}

fn failure(events: &[Event]) -> Option<&ConnectionError> {
    events.iter().find_map(|e| match e {
        Event::Failed(error) => Some(error),
        _ => None,
    })
}

/// 27-R35, 27-R36: mechanism NULL, no credentials; an accept puts the
/// User-Id on the peer.
#[test]
fn accepted_null_peer_gets_user_id_27_r35() {
    let zap = Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| {
        assert_eq!(&r.mechanism[..], b"NULL");
        assert!(r.credentials.is_empty());
        r.accept("anon")
    })));
    let (client, server) = server_with(zap);
    let mut pair = Pair::new(client, server).unwrap();
    pair.client.send_message(Message::from(&b"hi"[..])).unwrap();
    pair.drive();
    assert!(pair.is_active());
    let peer = pair.server.peer().unwrap();
    assert_eq!(
        peer.metadata.get("User-Id").map(|v| &v[..]),
        Some(&b"anon"[..])
    );
    assert!(
        pair.server_events
            .iter()
            .any(|e| matches!(e, Event::Message(_)))
    );
}

/// libzmq's behaviour (golden error-zap-400.bin): a refused NULL peer gets
/// ERROR "400" and nothing crosses; status 300 sends nothing.
#[test]
fn refused_null_peer_gets_error() {
    for (status, reason) in [
        (StatusCode::AuthenticationFailure, Some(&b"400"[..])),
        (StatusCode::InternalError, Some(&b"500"[..])),
        (StatusCode::TemporaryFailure, None),
    ] {
        let zap = Zap::new(Arc::new(FnAuthenticator(move |r: &ZapRequest| {
            r.refuse(status, "no")
        })));
        let (client, server) = server_with(zap);
        let mut pair = Pair::new(client, server).unwrap();
        pair.client.send_message(Message::from(&b"x"[..])).unwrap();
        pair.drive();
        assert!(pair.server.is_closed(), "{status:?}");
        assert!(
            !pair
                .server_events
                .iter()
                .any(|e| matches!(e, Event::Message(_)))
        );
        let errors = pair
            .to_client
            .windows(6)
            .filter(|w| w == b"\x05ERROR")
            .count();
        match reason {
            Some(reason) => {
                assert_eq!(errors, 1, "{status:?}: exactly one ERROR");
                assert_eq!(
                    failure(&pair.client_events),
                    Some(&ConnectionError::ErrorReceived(Bytes::copy_from_slice(
                        reason
                    )))
                );
            }
            None => assert_eq!(errors, 0, "300 sends no ERROR"),
        }
    }
}

/// An external handler: READY waits for the reply; both orders of the
/// peer's READY and the reply work.
#[test]
fn external_handler_holds_ready() {
    for accept in [true, false] {
        let (client, server) = server_with(Zap::external());
        let mut pair = Pair::new(client, server).unwrap();
        pair.drive();
        assert!(!pair.is_active());
        let request = pair.server.poll_zap_request().expect("a request");
        let reply = if accept {
            request.accept("u")
        } else {
            request.refuse(StatusCode::AuthenticationFailure, "no")
        };
        pair.server.handle_zap_reply(pair.now, reply);
        pair.drive();
        assert_eq!(pair.is_active(), accept);
        if !accept {
            assert_eq!(
                failure(&pair.client_events),
                Some(&ConnectionError::ErrorReceived(Bytes::from_static(b"400")))
            );
        }
    }
}

/// Both ends may ask (libzmq asks on any side with a domain); the plain
/// NULL client is unaffected.
#[test]
fn both_sides_may_ask() {
    let zap = || Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| r.accept("x"))));
    let mut client = Config::new(SocketType::Pair);
    client.mechanism = Arc::new(ZapNull::new(zap()));
    let mut server = Config::new(SocketType::Pair);
    server.mechanism = Arc::new(ZapNull::new(zap()));
    let mut pair = Pair::new(client, server).unwrap();
    pair.drive();
    assert!(pair.is_active());
}

/// Drives a DEALER client and a ZapNull ROUTER server (accepting every
/// peer at once) while holding back everything the client sends after its
/// 64-octet greeting; returns the server, the octets it sent after its own
/// greeting by then, and the client octets held back.
fn server_before_client_ready(
    setting: crate::connection::config::NullServerReady,
) -> (crate::connection::Connection, Vec<u8>, Vec<u8>) {
    use crate::connection::{Connection, Side};
    use std::time::Instant;
    let zap = Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| r.accept("anon"))));
    let (client, mut server) = server_with(zap);
    server.behaviour.null_server_ready = setting;
    let now = Instant::now();
    let mut c = Connection::new(client, Side::Client, now, TestRng::new(0)).unwrap();
    let mut s = Connection::new(server, Side::Server, now, TestRng::new(0)).unwrap();
    let (mut from_client, mut from_server) = (Vec::new(), Vec::new());
    let mut fed = 0;
    for _ in 0..8 {
        while let Some(b) = c.poll_transmit() {
            from_client.extend_from_slice(&b);
        }
        let upto = from_client.len().min(64);
        s.handle_bytes(now, &from_client[fed..upto]);
        fed = upto;
        while let Some(b) = s.poll_transmit() {
            c.handle_bytes(now, &b);
            from_server.extend_from_slice(&b);
        }
    }
    assert_eq!(fed, 64, "the client's greeting went across");
    (s, from_server.split_off(64), from_client.split_off(64))
}

/// 37-R24, 37-R25: with a ZAP domain too, the NULL server's READY answers
/// a 3.1 client's READY; it does not go out on the verdict alone.
#[test]
fn zap_null_server_waits_for_the_client_ready_37_r25() {
    use crate::connection::config::NullServerReady;
    use std::time::Instant;
    let (mut server, sent, held) = server_before_client_ready(NullServerReady::WaitFor31);
    assert_eq!(
        sent, b"",
        "nothing after the greeting before the client's READY"
    );
    assert!(
        held.windows(6).any(|w| w == b"\x05READY"),
        "client READY held back"
    );
    server.handle_bytes(Instant::now(), &held);
    let out = server.poll_transmit().expect("READY in reply");
    assert!(out.windows(6).any(|w| w == b"\x05READY"), "{out:?}");
    assert_eq!(server.state(), crate::connection::State::Active);
}

/// libzmq's symmetric NULL (zmtp-wire.md 6.2 #2): READY on the verdict.
#[test]
fn symmetric_zap_null_server_sends_ready_on_the_verdict() {
    use crate::connection::config::NullServerReady;
    let (_, sent, _) = server_before_client_ready(NullServerReady::Symmetric);
    assert!(sent.windows(6).any(|w| w == b"\x05READY"), "{sent:?}");
}
