//! The raw halves against this crate's own CURVE sessions: what the raw
//! peer seals, spec opens, and the converse; what it forges, spec refuses.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use super::*;
use crate::connection::Side;
use crate::connection::error::ConnectionError;
use crate::connection::harness::TestRng;
use crate::connection::mechanism::{HandshakeContext, MechanismSession, Progress};
use crate::security::Zap;
use crate::security::curve::client::ClientSession;
use crate::security::curve::crypto::KeyPair;
use crate::security::curve::server::ServerSession;
use crate::security::curve::{ClientConfig, CookieJar, ServerConfig};
use crate::wire::view::MetadataBuilder;
use crate::wire::{Command, Frame, Metadata};

fn key_pair(seed: u64) -> KeyPair {
    KeyPair::generate(&mut TestRng::new(seed))
}

fn metadata() -> Metadata {
    Metadata::new().with("Socket-Type", &b"DEALER"[..])
}

fn metadata_octets() -> Vec<u8> {
    MetadataBuilder::new()
        .property(b"Socket-Type", b"DEALER")
        .build()
}

/// A command's whole body, name included.
fn body(command: &Command) -> Vec<u8> {
    let mut out = BytesMut::new();
    command.encode_body(&mut out).unwrap();
    out.to_vec()
}

/// Feeds `input` to `session`, lending it `jar` when it asks; gives the
/// result and the one command it answered, if any.
fn feed(
    session: &mut dyn MechanismSession,
    jar: &mut CookieJar,
    input: &[u8],
    side: Side,
) -> (Result<Progress, ConnectionError>, Option<Vec<u8>>) {
    let md = metadata();
    let ctx = HandshakeContext {
        side,
        metadata: &md,
    };
    let mut out = Vec::new();
    let mut result = session.handle_raw(Bytes::copy_from_slice(input), &ctx, &mut out);
    if result == Ok(Progress::Continue) && session.needs_cookie_jar() {
        result = session.handle_cookie_jar(jar, &mut TestRng::new(7), &ctx, &mut out);
    }
    (result, out.first().map(body))
}

/// A spec server and a raw client after HELLO, WELCOME and INITIATE.
fn spec_server_raw_client(
    seed: u64,
) -> (
    ServerSession,
    Client,
    CookieJar,
    Result<Progress, ConnectionError>,
) {
    let keys = key_pair(seed);
    let mut rng = TestRng::new(seed + 1);
    let mut jar = CookieJar::new(&mut rng);
    let mut server = ServerSession::new(Arc::new(ServerConfig {
        keys: keys.clone(),
        zap: Zap::default(),
    }));
    let mut client = Client::new(*keys.public(), &mut rng);
    let (r, welcome) = feed(&mut server, &mut jar, &client.hello(), Side::Server);
    assert_eq!(r, Ok(Progress::Continue), "spec accepts the raw HELLO");
    client
        .welcome(&welcome.unwrap())
        .expect("the raw client opens spec's WELCOME");
    let initiate = client.initiate(&metadata_octets());
    let (r, ready) = feed(&mut server, &mut jar, &initiate, Side::Server);
    if let Some(ready) = ready {
        client
            .ready(&ready)
            .expect("the raw client opens spec's READY");
    }
    (server, client, jar, r)
}

#[test]
fn boxes_sealed_raw_open_with_specs_channel_and_back() {
    let (a, b) = (key_pair(1), key_pair(2));
    let nonce = ShortNonce::Hello.with(7);
    let boxed = seal(b.public(), a.secret(), &nonce, b"payload");
    let channel = Channel::new(a.public(), b.secret());
    assert_eq!(&channel.open(&nonce, &boxed).unwrap()[..], b"payload");
    let mut spec_box = BytesMut::new();
    Channel::new(b.public(), a.secret()).seal_into(&nonce, b"other", &mut spec_box);
    assert_eq!(
        open(a.public(), b.secret(), &nonce, &spec_box).as_deref(),
        Some(&b"other"[..])
    );
    let mut broken = boxed.clone();
    break_box(&mut broken);
    assert_eq!(open(a.public(), b.secret(), &nonce, &broken), None);
    let other = ShortNonce::Hello.with(8);
    assert_eq!(open(a.public(), b.secret(), &other, &boxed), None);
    assert_eq!(open(a.public(), b.secret(), &nonce, &boxed[..15]), None);
    break_box(&mut []);
}

#[test]
fn nonces_by_name_carry_specs_prefixes() {
    let short = ShortNonce::MessageFromServer.with(0x0102);
    assert_eq!(&short[..16], nonce::MESSAGE_FROM_SERVER);
    assert_eq!(short[16..], 0x0102u64.to_be_bytes());
    let long = LongNonce::Vouch.with(&[9; 16]);
    assert_eq!(&long[..8], nonce::VOUCH);
    assert_eq!(long[8..], [9; 16]);
    assert_ne!(ShortNonce::Initiate.with(1), ShortNonce::Ready.with(1));
    assert_ne!(
        LongNonce::Welcome.with(&[0; 16]),
        LongNonce::Cookie.with(&[0; 16])
    );
}

#[test]
fn the_raw_client_completes_a_handshake_with_specs_server() {
    let (mut server, mut client, _, r) = spec_server_raw_client(10);
    assert_eq!(r, Ok(Progress::Done(metadata())), "26-R43");
    assert_eq!(client.peer_nonce, 1, "READY is the server's first nonce");
    let m = client.message(0, b"probe");
    let frame = server.unwrap_frame(Frame::message(Bytes::from(m.clone()), false));
    assert_eq!(frame.unwrap().body, &b"probe"[..]);
    // 26-R21: the same MESSAGE again is refused.
    assert!(
        server
            .unwrap_frame(Frame::message(Bytes::from(m), false))
            .is_err()
    );
    let back = server
        .wrap_frame(Frame::message(Bytes::from_static(b"back"), false))
        .unwrap();
    let opened = client.open_message(&back.body).unwrap();
    assert_eq!((opened.flags, &opened.payload[..]), (0, &b"back"[..]));
    assert!(client.open_message(&back.body).is_err(), "26-R52");
}

#[test]
fn specs_server_refuses_a_forged_vouch_and_a_broken_hello() {
    let keys = key_pair(20);
    let mut rng = TestRng::new(21);
    let mut jar = CookieJar::new(&mut rng);
    let config = Arc::new(ServerConfig {
        keys: keys.clone(),
        zap: Zap::default(),
    });
    let mut server = ServerSession::new(Arc::clone(&config));
    let mut client = Client::new(*keys.public(), &mut rng);
    let (_, welcome) = feed(&mut server, &mut jar, &client.hello(), Side::Server);
    client.welcome(&welcome.unwrap()).unwrap();
    let forged = client.vouch(key_pair(22).secret());
    let initiate = client.initiate_with(&forged, &metadata_octets());
    let (r, _) = feed(&mut server, &mut jar, &initiate, Side::Server);
    assert!(r.is_err(), "26-R40: {r:?}");

    for hello in [client.hello_builder().version([2, 0]).command().build(), {
        let mut hello = client.hello();
        break_box(&mut hello);
        hello
    }] {
        let mut server = ServerSession::new(Arc::clone(&config));
        let (r, welcome) = feed(&mut server, &mut jar, &hello, Side::Server);
        assert!(r.is_err() && welcome.is_none(), "26-R07, 26-R14: {r:?}");
    }
}

#[test]
fn the_raw_server_completes_a_handshake_with_specs_client() {
    let keys = key_pair(30);
    let mut rng = TestRng::new(31);
    let mut jar = CookieJar::new(&mut rng);
    let mut client = ClientSession::new(
        Arc::new(ClientConfig {
            keys: key_pair(32),
            server_key: *keys.public(),
        }),
        &mut rng,
    );
    let mut server = Server::new(keys, &mut rng);
    let md = metadata();
    let ctx = HandshakeContext {
        side: Side::Client,
        metadata: &md,
    };
    let mut out = Vec::new();
    client.begin(&ctx, &mut out);
    server.hello(&body(&out[0])).expect("spec's HELLO checks");
    let (r, initiate) = feed(&mut client, &mut jar, &server.welcome(), Side::Client);
    assert_eq!(r, Ok(Progress::Continue), "spec opens the raw WELCOME");
    let md = server
        .initiate(&initiate.unwrap())
        .expect("spec's INITIATE checks");
    assert_eq!(Metadata::parse(&Bytes::from(md)), Ok(metadata()));
    assert_eq!(server.client_permanent, *key_pair(32).public());

    let (r, _) = feed(
        &mut client,
        &mut jar,
        &server.ready(&metadata_octets()),
        Side::Client,
    );
    assert_eq!(
        r,
        Ok(Progress::Done(metadata())),
        "spec opens the raw READY"
    );

    let sent = client
        .wrap_frame(Frame::message(Bytes::from_static(b"probe"), false))
        .unwrap();
    let opened = server.open_message(&sent.body).unwrap();
    assert_eq!((opened.flags, &opened.payload[..]), (0, &b"probe"[..]));
    assert!(server.open_message(&sent.body).is_err(), "26-R20: a replay");

    let n = server.nonce;
    let one = server.message(0, b"one");
    let got = client.unwrap_frame(Frame::message(Bytes::from(one), false));
    assert_eq!(got.unwrap().body, &b"one"[..]);
    let two = server.message_at(n, 0, b"two");
    assert!(
        client
            .unwrap_frame(Frame::message(Bytes::from(two), false))
            .is_err(),
        "26-R53: a reused nonce"
    );
}

#[test]
fn the_raw_server_refuses_what_spec_would() {
    let keys = key_pair(40);
    let mut rng = TestRng::new(41);
    let mut server = Server::new(keys.clone(), &mut rng);
    let mut client = Client::new(*keys.public(), &mut rng);
    let mut hello = client.hello();
    break_box(&mut hello);
    assert_eq!(
        server.hello(&hello),
        Err(SecurityError::BadBox("HELLO").into())
    );
    assert!(server.hello(&client.hello()[..199]).is_err(), "26-R06");
    server.hello(&client.hello()).unwrap();
    client.welcome(&server.welcome()).unwrap();
    let mut other = Server::new(keys, &mut rng);
    other.client_transient = server.client_transient;
    assert!(
        client.clone().welcome(&other.welcome()).is_ok(),
        "the same S opens"
    );
    let mut impostor = Server::new(key_pair(42), &mut rng);
    impostor.client_transient = server.client_transient;
    assert!(
        client.clone().welcome(&impostor.welcome()).is_err(),
        "26-R29"
    );
    let initiate = client.initiate(&metadata_octets());
    let mut stale = server.clone();
    stale.cookie = [0; 96];
    assert_eq!(
        stale.initiate(&initiate),
        Err(SecurityError::CookieRejected.into())
    );
    let forged = client.vouch(key_pair(43).secret());
    let mut forger = server.clone();
    assert!(
        forger
            .initiate(&client.initiate_with(&forged, b""))
            .is_err()
    );
    assert!(server.initiate(&initiate).is_ok());
    assert!(
        server.initiate(&initiate).is_err(),
        "26-R18: a replayed nonce"
    );
    assert!(server.hello(b"").is_err() && client.ready(b"\x05READY").is_err());
}
