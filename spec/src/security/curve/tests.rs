//! CURVE: keys, layouts, the two sessions driven by hand (for hostile
//! inputs built step by step), and two connection machines back to back.

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};

use super::client::ClientSession;
use super::commands::*;
use super::crypto::{Channel, long_nonce, random_long_nonce, short_nonce};
use super::nonce::{self, Counter, PeerNonces};
use super::server::ServerSession;
use super::*;
use crate::connection::error::{ConnectionError, LocalError, PeerError};
use crate::connection::harness::{Pair, TestRng};
use crate::connection::mechanism::{HandshakeContext, MechanismSession, Progress};
use crate::connection::{Config, Event, Side};
use crate::security::SecurityError;
use crate::security::zap::{FnAuthenticator, StatusCode, Zap, ZapRequest};
use crate::{Message, SocketType};
use wire::{Command, Decoder, Encode, Frame, Framing, Greeting, Item, Metadata};

/// A key pair from a seeded generator (each call site its own seed).
fn key_pair(seed: u64) -> KeyPair {
    KeyPair::generate(&mut TestRng::new(seed))
}

// ---- keys ---------------------------------------------------------------

/// libzmq's documented example server key pair (zmq_curve(7)): the secret
/// key derives the public key with crypto_box's X25519, as with libsodium.
#[test]
fn libzmq_example_keypair_derives_its_public_key() {
    let secret = SecretKey::from_slice(b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6").unwrap();
    let pair = KeyPair::from_secret(secret);
    assert_eq!(
        pair.public().to_z85(),
        "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
    );
    assert_eq!(
        &*pair.secret().to_z85(),
        "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
    );
}

#[test]
fn keys_read_as_32_octets_or_40_characters() {
    let pair = key_pair(1);
    let text = pair.public().to_z85();
    assert_eq!(text.len(), 40);
    assert_eq!(
        PublicKey::from_slice(text.as_bytes()).unwrap(),
        *pair.public()
    );
    assert_eq!(text.parse::<PublicKey>().unwrap(), *pair.public());
    assert_eq!(
        PublicKey::from_slice(pair.public().as_bytes()).unwrap(),
        *pair.public()
    );
    let secret = SecretKey::from_slice(&pair.secret().to_bytes()[..]).unwrap();
    assert_eq!(secret, *pair.secret());
    assert_eq!(PublicKey::from_slice(&[0; 31]), Err(KeyError::Length(31)));
    assert!(matches!(
        PublicKey::from_slice(&[b' '; 40]),
        Err(KeyError::Z85(_))
    ));
}

#[test]
fn generated_keys_differ_and_secrets_do_not_print() {
    let a = key_pair(2);
    let b = key_pair(3);
    assert_ne!(a.public(), b.public());
    let shown = format!("{a:?} {:?}", a.secret());
    assert!(!shown.contains(&*a.secret().to_z85()));
    assert!(shown.contains(&a.public().to_z85()));
}

// ---- nonces -------------------------------------------------------------

#[test]
fn our_nonces_start_at_1_and_end_at_u64_max_26_r19() {
    let mut counter = Counter::default();
    assert_eq!(counter.take(), Ok(1));
    assert_eq!(counter.take(), Ok(2));
    let mut counter = Counter::starting_at(u64::MAX);
    assert_eq!(counter.take(), Ok(u64::MAX));
    assert_eq!(counter.take(), Err(Exhausted));
    assert_eq!(counter.take(), Err(Exhausted));
}

#[test]
fn peer_nonces_must_step_by_one_26_r20_r21() {
    let mut peer = PeerNonces::default();
    peer.accept("HELLO", 7).unwrap();
    peer.accept("INITIATE", 8).unwrap();
    assert!(matches!(
        peer.accept("MESSAGE", 8),
        Err(SecurityError::UnexpectedNonce {
            nonce: 8,
            last: 8,
            ..
        })
    ));
    assert!(peer.accept("MESSAGE", 7).is_err(), "reordered");
    assert!(peer.accept("MESSAGE", 10).is_err(), "a dropped command");
    peer.accept("MESSAGE", 9).unwrap();
    let mut end = PeerNonces::default();
    end.accept("MESSAGE", u64::MAX).unwrap();
    assert!(end.accept("MESSAGE", 0).is_err(), "no wrap-around");
}

// ---- layouts --------------------------------------------------------------

fn hello_bytes() -> Bytes {
    Hello {
        client_transient: *key_pair(4).public(),
        nonce: 1,
        signature: [7; SIGNATURE_BOX_LEN],
    }
    .encode()
}

/// G-C1, 26-R06: HELLO is 200 octets with its 6-octet name.
#[test]
fn hello_layout_is_200_octets_g_c1() {
    let data = hello_bytes();
    assert_eq!(data.len() + 6, 200);
    assert_eq!(&data[..2], &[1, 0]);
    assert!(data[2..74].iter().all(|&b| b == 0));
    assert_eq!(Hello::parse(&data).unwrap().encode(), data);
}

/// 26-R06..R08, 26-R15: truncated, oversized, wrong version, non-zero
/// padding.
#[test]
fn malformed_hello_is_refused_26_r06_r08() {
    let data = hello_bytes();
    assert!(Hello::parse(&data[..data.len() - 1]).is_err());
    let mut long = data.to_vec();
    long.push(0);
    assert!(Hello::parse(&long).is_err());
    let mut version = data.to_vec();
    version[0] = 2;
    assert!(Hello::parse(&version).is_err());
    let mut padding = data.to_vec();
    padding[40] = 1;
    assert!(Hello::parse(&padding).is_err());
    assert!(Hello::parse(&[]).is_err());
}

#[test]
fn other_layouts_check_their_sizes_g_c2_g_c7() {
    assert!(Welcome::parse(&[0; WELCOME_DATA_LEN]).is_ok());
    assert!(Welcome::parse(&[0; WELCOME_DATA_LEN - 1]).is_err());
    assert!(Welcome::parse(&[0; WELCOME_DATA_LEN + 1]).is_err());
    let short = Bytes::from(vec![0; MIN_INITIATE_DATA_LEN - 1]);
    assert!(Initiate::parse(&short).is_err());
    let ok = Bytes::from(vec![0; MIN_INITIATE_DATA_LEN + 5]);
    let initiate = Initiate::parse(&ok).unwrap();
    assert_eq!(initiate.encode(), ok);
    // 26-R32, R45, R54: the minimum sizes with the names.
    assert_eq!(MIN_INITIATE_DATA_LEN + 9, 257);
    assert_eq!(MIN_READY_DATA_LEN + 6, 30);
    assert_eq!(MIN_MESSAGE_DATA_LEN + 8, 33);
    assert!(NonceBox::parse_ready(&Bytes::from(vec![0; MIN_READY_DATA_LEN - 1])).is_err());
    assert!(NonceBox::parse_message(&Bytes::from(vec![0; MIN_MESSAGE_DATA_LEN - 1])).is_err());
    assert!(NonceBox::parse_message(&Bytes::from(vec![0; MIN_MESSAGE_DATA_LEN])).is_ok());
}

// ---- sessions by hand -----------------------------------------------------

fn client_config(server: &KeyPair) -> Arc<ClientConfig> {
    Arc::new(ClientConfig {
        keys: key_pair(5),
        server_key: *server.public(),
    })
}

fn server_config(keys: KeyPair, zap: Zap) -> Arc<ServerConfig> {
    Arc::new(ServerConfig { keys, zap })
}

/// A server's driver in these tests: the cookie jar it lends its
/// sessions, and the generator its connections would hand them.
struct Driver {
    jar: CookieJar,
    rng: TestRng,
}

impl Driver {
    fn new(seed: u64) -> Self {
        let mut rng = TestRng::new(seed);
        Self {
            jar: CookieJar::new(&mut rng),
            rng,
        }
    }

    fn rotate(&mut self) {
        self.jar.rotate(&mut self.rng);
    }
}

fn client_metadata() -> Metadata {
    Metadata::new().with("Socket-Type", &b"DEALER"[..])
}

fn server_metadata() -> Metadata {
    Metadata::new().with("Socket-Type", &b"ROUTER"[..])
}

/// A command's body as the connection hands it to `handle_raw`.
fn body(command: &Command) -> Bytes {
    let mut out = BytesMut::new();
    command.encode_body(&mut out).unwrap();
    out.freeze()
}

/// Feeds `command` to `session` with `metadata` as ours.
fn feed(
    session: &mut dyn MechanismSession,
    command: &Command,
    metadata: &Metadata,
    side: Side,
) -> (Result<Progress, ConnectionError>, Vec<Command>) {
    let ctx = HandshakeContext { side, metadata };
    let mut out = Vec::new();
    let result = session.handle_raw(body(command), &ctx, &mut out);
    (result, out)
}

/// Feeds `command` to a server session and, when it then waits for the
/// cookie jar, lends `driver`'s (as a connection does).
fn serve(
    server: &mut ServerSession,
    driver: &mut Driver,
    command: &Command,
) -> (Result<Progress, ConnectionError>, Vec<Command>) {
    let metadata = server_metadata();
    let (result, mut out) = feed(server, command, &metadata, Side::Server);
    if result != Ok(Progress::Continue) || !server.needs_cookie_jar() {
        return (result, out);
    }
    let ctx = HandshakeContext {
        side: Side::Server,
        metadata: &metadata,
    };
    let result = server.handle_cookie_jar(&mut driver.jar, &mut driver.rng, &ctx, &mut out);
    assert!(!server.needs_cookie_jar(), "one jar per step");
    (result, out)
}

fn begin(client: &mut ClientSession) -> Command {
    let md = client_metadata();
    let ctx = HandshakeContext {
        side: Side::Client,
        metadata: &md,
    };
    let mut out = Vec::new();
    client.begin(&ctx, &mut out);
    assert_eq!(out.len(), 1);
    out.remove(0)
}

/// A client and a server session after a whole handshake, with the
/// commands exchanged.
struct Done {
    client: ClientSession,
    server: ServerSession,
    initiate: Command,
    server_peer: Metadata,
    client_peer: Metadata,
}

fn handshake(server_keys: KeyPair, zap: Zap) -> Done {
    let server_cfg = server_config(server_keys.clone(), zap);
    let mut driver = Driver::new(50);
    let mut client = ClientSession::new(client_config(&server_keys), &mut TestRng::new(100));
    let mut server = ServerSession::new(server_cfg);
    let hello = begin(&mut client);
    let (r, mut welcome) = serve(&mut server, &mut driver, &hello);
    assert_eq!(r, Ok(Progress::Continue));
    let welcome = welcome.remove(0);
    let (r, mut initiate) = feed(&mut client, &welcome, &client_metadata(), Side::Client);
    assert_eq!(r, Ok(Progress::Continue));
    let initiate = initiate.remove(0);
    let (r, mut ready) = serve(&mut server, &mut driver, &initiate);
    let Ok(Progress::Done(server_peer)) = r else {
        panic!("server: {r:?}")
    };
    let ready = ready.remove(0);
    let (r, _) = feed(&mut client, &ready, &client_metadata(), Side::Client);
    let Ok(Progress::Done(client_peer)) = r else {
        panic!("client: {r:?}")
    };
    Done {
        client,
        server,
        initiate,
        server_peer,
        client_peer,
    }
}

fn peer_error(result: Result<Progress, ConnectionError>) -> PeerError {
    match result {
        Err(ConnectionError::Peer(e)) => e,
        other => panic!("expected a peer error, got {other:?}"),
    }
}

fn security_error(result: Result<Progress, ConnectionError>) -> SecurityError {
    match peer_error(result) {
        PeerError::Security(e) => e,
        other => panic!("expected a security error, got {other:?}"),
    }
}

/// 26-R05, R22, R31, R43, R44, R49: the four commands in order, sizes as
/// G-C1..G-C6, metadata both ways.
#[test]
fn handshake_by_hand_exchanges_metadata() {
    let done = handshake(key_pair(6), Zap::default());
    assert_eq!(done.server_peer, client_metadata());
    assert_eq!(done.client_peer, server_metadata());
    assert!(done.client.wraps_frames() && done.server.wraps_frames());
    // 26-R32: INITIATE with its name is at least 257 octets.
    assert!(body(&done.initiate).len() >= 257);
}

#[test]
fn command_sizes_on_the_wire_26_r06_r23() {
    let mut driver = Driver::new(60);
    let server_keys = key_pair(7);
    let mut client = ClientSession::new(client_config(&server_keys), &mut TestRng::new(101));
    let mut server = ServerSession::new(server_config(server_keys, Zap::default()));
    let hello = begin(&mut client);
    assert_eq!(body(&hello).len(), 200);
    let (_, welcome) = serve(&mut server, &mut driver, &hello);
    assert_eq!(body(&welcome[0]).len(), 168);
}

/// MESSAGE frames both ways; MORE and the command flag survive (G-C8).
#[test]
fn messages_tunnel_both_ways_g_c8() {
    let mut done = handshake(key_pair(8), Zap::default());
    let frames = [
        Frame::message(&b"first"[..], true),
        Frame::message(&b""[..], false),
        Frame::command(body(&Command::Ping {
            ttl: 0,
            context: Bytes::new(),
        })),
    ];
    for frame in &frames {
        let wire = done.client.wrap_frame(frame.clone()).unwrap();
        assert_eq!(wire.kind, wire::FrameKind::Message { more: false });
        assert_eq!(&wire.body[..8], b"\x07MESSAGE");
        assert_eq!(done.server.unwrap_frame(wire).unwrap(), *frame);
        let back = done.server.wrap_frame(frame.clone()).unwrap();
        assert_eq!(done.client.unwrap_frame(back).unwrap(), *frame);
    }
}

/// 26-R20, 26-R21: a replayed MESSAGE is refused; so is an older one
/// arriving after a newer one (reordered).
#[test]
fn replayed_and_reordered_messages_are_refused_26_r21() {
    let mut done = handshake(key_pair(9), Zap::default());
    let first = done
        .client
        .wrap_frame(Frame::message(&b"a"[..], false))
        .unwrap();
    let second = done
        .client
        .wrap_frame(Frame::message(&b"b"[..], false))
        .unwrap();
    done.server.unwrap_frame(first.clone()).unwrap();
    let replay = done.server.unwrap_frame(first.clone()).unwrap_err();
    assert!(matches!(
        replay,
        ConnectionError::Peer(PeerError::Security(SecurityError::UnexpectedNonce { .. }))
    ));
    // The refused replay did not disturb the state: the next one opens.
    done.server.unwrap_frame(second.clone()).unwrap();
    assert!(done.server.unwrap_frame(first).is_err());
    // And the client side checks the server's nonces the same way
    // (26-R52, 26-R53).
    let from_server = done
        .server
        .wrap_frame(Frame::message(&b"c"[..], false))
        .unwrap();
    done.client.unwrap_frame(from_server.clone()).unwrap();
    assert!(done.client.unwrap_frame(from_server).is_err());
}

/// 26-R20: a MESSAGE dropped on the way is noticed at the next one, so
/// an attacker cannot splice the frames of two messages into one.
#[test]
fn dropped_message_is_refused_26_r20() {
    let mut done = handshake(key_pair(10), Zap::default());
    let frames: Vec<Frame> = [
        Frame::message(&b"a1"[..], true),
        Frame::message(&b"a2"[..], false),
        Frame::message(&b"b1"[..], false),
    ]
    .iter()
    .map(|f| done.client.wrap_frame(f.clone()).unwrap())
    .collect();
    done.server.unwrap_frame(frames[0].clone()).unwrap();
    let spliced = done.server.unwrap_frame(frames[2].clone());
    assert!(matches!(
        spliced,
        Err(ConnectionError::Peer(PeerError::Security(
            SecurityError::UnexpectedNonce { .. }
        )))
    ));
}

/// 26-R57, 26-R58: a MESSAGE box with any octet changed does not open.
#[test]
fn altered_message_box_is_refused_26_r57() {
    let mut done = handshake(key_pair(11), Zap::default());
    let wire = done
        .client
        .wrap_frame(Frame::message(&b"secret"[..], false))
        .unwrap();
    for i in 16..wire.body.len() {
        let mut bad = wire.body.to_vec();
        bad[i] ^= 0x01;
        let result = done.server.unwrap_frame(Frame::command(bad));
        assert!(result.is_err(), "octet {i} altered but accepted");
    }
    // The original still opens: failed attempts left no trace.
    assert!(done.server.unwrap_frame(wire).is_ok());
}

/// 26-R56 with libzmq's deviation: 0x02 marks a command; other reserved
/// bits are refused; a clear frame after the handshake is refused (G-C8).
#[test]
fn payload_flags_and_clear_frames_26_r56() {
    let mut done = handshake(key_pair(12), Zap::default());
    let frame = done
        .client
        .wrap_frame(Frame::command(&b"\x04PING\x00\x00"[..]))
        .unwrap();
    assert_eq!(
        done.server.unwrap_frame(frame).unwrap(),
        Frame::command(&b"\x04PING\x00\x00"[..])
    );
    let clear = done.server.unwrap_frame(Frame::message(&b"x"[..], false));
    assert!(matches!(
        clear,
        Err(ConnectionError::Peer(PeerError::Security(
            SecurityError::ClearTextAfterHandshake
        )))
    ));
    let clear_command = done
        .server
        .unwrap_frame(Frame::command(body(&Command::Ping {
            ttl: 0,
            context: Bytes::new(),
        })));
    assert!(clear_command.is_err());
}

/// 26-R56: flags with bits other than MORE and libzmq's 0x02 set.
#[test]
fn reserved_payload_flags_are_refused_26_r56() {
    let (client_transient, server_transient) = (key_pair(13), key_pair(14));
    let mut tunnel = traffic::Tunnel {
        channel: Channel::new(client_transient.public(), server_transient.secret()),
        ours: Counter::default(),
        theirs: PeerNonces::default(),
        send_prefix: nonce::MESSAGE_FROM_SERVER,
        receive_prefix: nonce::MESSAGE_FROM_CLIENT,
    };
    let sender = Channel::new(server_transient.public(), client_transient.secret());
    for (n, flags) in [(1u64, 0x04u8), (2, 0x80), (3, 0x03)] {
        let mut out = BytesMut::new();
        out.put_slice(b"\x07MESSAGE");
        out.put_u64(n);
        sender.seal_into(
            &short_nonce(nonce::MESSAGE_FROM_CLIENT, n),
            &[flags, b'x'],
            &mut out,
        );
        let result = tunnel.unwrap(Frame::command(out.freeze()));
        assert!(
            matches!(
                result,
                Err(ConnectionError::Peer(PeerError::Security(
                    SecurityError::ReservedPayloadFlags(f)
                ))) if f == flags
            ),
            "flags {flags:#04x}: {result:?}"
        );
    }
}

/// 26-R19: when our nonces run out, wrapping fails locally.
#[test]
fn exhausted_nonces_end_the_connection_26_r19() {
    let a = key_pair(15);
    let mut tunnel = traffic::Tunnel {
        channel: Channel::new(a.public(), a.secret()),
        ours: Counter::starting_at(u64::MAX),
        theirs: PeerNonces::default(),
        send_prefix: nonce::MESSAGE_FROM_CLIENT,
        receive_prefix: nonce::MESSAGE_FROM_SERVER,
    };
    assert!(tunnel.wrap(&Frame::message(&b"last"[..], false)).is_ok());
    assert_eq!(
        tunnel.wrap(&Frame::message(&b"one more"[..], false)),
        Err(ConnectionError::Local(LocalError::NoncesExhausted(
            Exhausted
        )))
    );
}

/// 26-R04, 26-R14: a client that has the wrong server key boxes HELLO to
/// the wrong key; the server cannot open it.
#[test]
fn wrong_server_key_fails_at_hello_26_r14() {
    let mut driver = Driver::new(61);
    let server_keys = key_pair(16);
    let mut client = ClientSession::new(client_config(&key_pair(17)), &mut TestRng::new(102));
    let mut server = ServerSession::new(server_config(server_keys, Zap::default()));
    let hello = begin(&mut client);
    let (result, out) = serve(&mut server, &mut driver, &hello);
    assert_eq!(security_error(result), SecurityError::BadBox("HELLO"));
    assert!(out.is_empty(), "no WELCOME for a bad HELLO");
}

/// 26-R13: the signature box must hold 64 zero octets.
#[test]
fn hello_signature_must_be_zeros_26_r13() {
    let mut driver = Driver::new(62);
    let server_keys = key_pair(18);
    let transient = key_pair(19);
    let channel = Channel::new(server_keys.public(), transient.secret());
    let mut boxed = BytesMut::new();
    channel.seal_into(&short_nonce(nonce::HELLO, 1), &[1; 64], &mut boxed);
    let mut signature = [0u8; SIGNATURE_BOX_LEN];
    signature.copy_from_slice(&boxed);
    let hello = Command::Mechanism {
        name: wire::MechanismCommand::Hello,
        body: Hello {
            client_transient: *transient.public(),
            nonce: 1,
            signature,
        }
        .encode(),
    };
    let mut server = ServerSession::new(server_config(server_keys, Zap::default()));
    let (result, _) = serve(&mut server, &mut driver, &hello);
    assert_eq!(security_error(result), SecurityError::BadBox("HELLO"));
}

/// 26-R15: a truncated or oversized HELLO reaches the session as a
/// malformed layout.
#[test]
fn truncated_or_oversized_hello_is_refused_26_r15() {
    let mut driver = Driver::new(63);
    for len in [0, 100, HELLO_DATA_LEN - 1, HELLO_DATA_LEN + 1, 1000] {
        let mut server = ServerSession::new(server_config(key_pair(20), Zap::default()));
        let hello = Command::Mechanism {
            name: wire::MechanismCommand::Hello,
            body: Bytes::from(vec![0; len]),
        };
        let (result, out) = serve(&mut server, &mut driver, &hello);
        assert!(
            matches!(peer_error(result), PeerError::Malformed(_)),
            "length {len}"
        );
        assert!(out.is_empty());
    }
}

/// 26-R29: a WELCOME whose box was not made with S is refused.
#[test]
fn forged_welcome_is_refused_26_r29() {
    let mut driver = Driver::new(64);
    let server_keys = key_pair(21);
    let mut client = ClientSession::new(client_config(&server_keys), &mut TestRng::new(103));
    let mut impostor = ServerSession::new(server_config(key_pair(22), Zap::default()));
    let hello = begin(&mut client);
    // The impostor cannot open HELLO (boxed to the real S) ...
    let (result, _) = serve(&mut impostor, &mut driver, &hello);
    assert!(result.is_err());
    // ... and a WELCOME of random octets does not open at the client.
    let welcome = Command::Mechanism {
        name: wire::MechanismCommand::Welcome,
        body: Bytes::from(vec![0x5A; WELCOME_DATA_LEN]),
    };
    let (result, out) = feed(&mut client, &welcome, &client_metadata(), Side::Client);
    assert_eq!(security_error(result), SecurityError::BadBox("WELCOME"));
    assert!(out.is_empty());
}

/// Runs HELLO and WELCOME for a new client against `server`, returning the
/// client session waiting for READY and the INITIATE it sent.
fn up_to_initiate(
    server_keys: &KeyPair,
    server: &mut ServerSession,
    driver: &mut Driver,
) -> (ClientSession, Command) {
    let mut client = ClientSession::new(client_config(server_keys), &mut driver.rng);
    let hello = begin(&mut client);
    let (r, mut welcome) = serve(server, driver, &hello);
    assert_eq!(r, Ok(Progress::Continue));
    let (r, mut initiate) = feed(
        &mut client,
        &welcome.remove(0),
        &client_metadata(),
        Side::Client,
    );
    assert_eq!(r, Ok(Progress::Continue));
    (client, initiate.remove(0))
}

/// 26-R27, 26-R40: an INITIATE (and its cookie) from another connection is
/// refused, though it was made by the same server with a live key.
#[test]
fn cookie_from_another_connection_is_refused_26_r40() {
    let mut driver = Driver::new(65);
    let server_keys = key_pair(23);
    let config = server_config(server_keys.clone(), Zap::default());
    let mut server_a = ServerSession::new(Arc::clone(&config));
    let mut server_b = ServerSession::new(Arc::clone(&config));
    let (_client_a, initiate_a) = up_to_initiate(&server_keys, &mut server_a, &mut driver);
    let (_client_b, _initiate_b) = up_to_initiate(&server_keys, &mut server_b, &mut driver);
    let (result, out) = serve(&mut server_b, &mut driver, &initiate_a);
    assert_eq!(security_error(result), SecurityError::CookieRejected);
    assert!(out.is_empty(), "no READY");
    // And A accepts its own.
    let (result, _) = serve(&mut server_a, &mut driver, &initiate_a);
    assert!(matches!(result, Ok(Progress::Done(_))));
}

/// A replay of the whole client side (HELLO then the old INITIATE) on a
/// new connection fails: the new WELCOME carried a new cookie (26-R28).
#[test]
fn replayed_hello_and_initiate_are_refused_26_r27() {
    let mut driver = Driver::new(66);
    let server_keys = key_pair(24);
    let config = server_config(server_keys.clone(), Zap::default());
    let mut client = ClientSession::new(client_config(&server_keys), &mut TestRng::new(105));
    let mut first = ServerSession::new(Arc::clone(&config));
    let hello = begin(&mut client);
    let (_, mut welcome) = serve(&mut first, &mut driver, &hello);
    let (_, mut initiate) = feed(
        &mut client,
        &welcome.remove(0),
        &client_metadata(),
        Side::Client,
    );
    let initiate = initiate.remove(0);
    let mut second = ServerSession::new(config);
    let (r, _) = serve(&mut second, &mut driver, &hello);
    assert_eq!(r, Ok(Progress::Continue));
    let (result, _) = serve(&mut second, &mut driver, &initiate);
    assert_eq!(security_error(result), SecurityError::CookieRejected);
}

/// 26-R27: after two rotations the cookie key that made a cookie is gone;
/// after one it still opens.
#[test]
fn cookie_key_rotation_26_r27() {
    let mut driver = Driver::new(67);
    let server_keys = key_pair(25);
    let config = server_config(server_keys.clone(), Zap::default());
    let mut server = ServerSession::new(Arc::clone(&config));
    let (_c, initiate) = up_to_initiate(&server_keys, &mut server, &mut driver);
    driver.rotate();
    let (result, _) = serve(&mut server, &mut driver, &initiate);
    assert!(matches!(result, Ok(Progress::Done(_))), "{result:?}");

    let mut server = ServerSession::new(Arc::clone(&config));
    let (_c, initiate) = up_to_initiate(&server_keys, &mut server, &mut driver);
    driver.rotate();
    driver.rotate();
    let (result, _) = serve(&mut server, &mut driver, &initiate);
    assert_eq!(security_error(result), SecurityError::CookieRejected);
}

/// 26-R27 driven by the driver's clock: the first tick starts it; a key
/// stays current for ROTATION_PERIOD; a cookie from a WELCOME before one
/// rotation still opens, one from before two does not. No sleeping: the
/// test passes its own `now`.
#[test]
fn cookie_key_rotates_by_the_drivers_clock_26_r27() {
    use std::time::{Duration, Instant};

    use super::cookie::ROTATION_PERIOD;

    let t0 = Instant::now();
    let server_keys = key_pair(26);
    let config = server_config(server_keys.clone(), Zap::default());
    let mut driver = Driver::new(68);
    let tick = |driver: &mut Driver, now| driver.jar.rotate_if_due(now, &mut driver.rng);
    assert!(!tick(&mut driver, t0), "the first tick starts the clock");
    assert!(!tick(
        &mut driver,
        t0 + ROTATION_PERIOD - Duration::from_millis(1)
    ));

    // A WELCOME just before the first rotation: its cookie survives it.
    let mut early = ServerSession::new(Arc::clone(&config));
    let (_c, early_initiate) = up_to_initiate(&server_keys, &mut early, &mut driver);
    assert!(tick(&mut driver, t0 + ROTATION_PERIOD));
    let (result, _) = serve(&mut early, &mut driver, &early_initiate);
    assert!(matches!(result, Ok(Progress::Done(_))), "{result:?}");

    // A WELCOME after the first rotation, its INITIATE after two more.
    let t1 = t0 + ROTATION_PERIOD;
    let mut late = ServerSession::new(Arc::clone(&config));
    let (_c, late_initiate) = up_to_initiate(&server_keys, &mut late, &mut driver);
    assert!(tick(&mut driver, t1 + ROTATION_PERIOD));
    assert!(tick(&mut driver, t1 + 2 * ROTATION_PERIOD));
    let (result, _) = serve(&mut late, &mut driver, &late_initiate);
    assert_eq!(security_error(result), SecurityError::CookieRejected);

    // A tick that is not due changes nothing.
    assert!(!tick(&mut driver, t1 + 2 * ROTATION_PERIOD));
}

/// Builds an INITIATE by hand for a connection whose WELCOME `welcome`
/// answered `hello_transient`, with the vouch made by `vouch_key` and
/// naming `vouch_transient` and `vouch_server`, while the box names
/// `claimed` as C.
struct Forge<'a> {
    server_permanent: &'a PublicKey,
    transient: &'a KeyPair,
    welcome: &'a Command,
    claimed: &'a PublicKey,
    vouch_key: &'a SecretKey,
    vouch_transient: PublicKey,
    vouch_server: PublicKey,
}

impl Forge<'_> {
    fn initiate(&self) -> Command {
        let Command::Mechanism { body: data, .. } = self.welcome else {
            panic!("WELCOME")
        };
        let welcome = Welcome::parse(data).unwrap();
        let plain = Channel::new(self.server_permanent, self.transient.secret())
            .open(&long_nonce(nonce::WELCOME, &welcome.nonce), &welcome.boxed)
            .unwrap();
        let content = WelcomeContent::parse(&plain).unwrap();
        let long = random_long_nonce(&mut TestRng::new(7));
        let mut vouch = BytesMut::new();
        vouch.put_slice(&long);
        Channel::new(&content.server_transient, self.vouch_key).seal_parts_into(
            &long_nonce(nonce::VOUCH, &long),
            &[
                self.vouch_transient.as_bytes(),
                self.vouch_server.as_bytes(),
            ],
            &mut vouch,
        );
        let metadata = client_metadata().to_bytes().unwrap();
        let mut out = BytesMut::new();
        out.put_slice(&content.cookie);
        out.put_u64(2);
        Channel::new(&content.server_transient, self.transient.secret()).seal_parts_into(
            &short_nonce(nonce::INITIATE, 2),
            &[self.claimed.as_bytes(), &vouch, &metadata],
            &mut out,
        );
        Command::Mechanism {
            name: wire::MechanismCommand::Initiate,
            body: out.freeze(),
        }
    }
}

fn hello_from(transient: &KeyPair, server: &PublicKey) -> Command {
    let mut boxed = BytesMut::new();
    Channel::new(server, transient.secret()).seal_into(
        &short_nonce(nonce::HELLO, 1),
        &[0; 64],
        &mut boxed,
    );
    let mut signature = [0u8; SIGNATURE_BOX_LEN];
    signature.copy_from_slice(&boxed);
    Command::Mechanism {
        name: wire::MechanismCommand::Hello,
        body: Hello {
            client_transient: *transient.public(),
            nonce: 1,
            signature,
        }
        .encode(),
    }
}

/// 26-R40: the vouch must be made with the secret key of the C the
/// INITIATE claims, and name this C' and this S. An attacker who claims a
/// victim's C without its secret key is refused; so is a vouch naming
/// another transient or server key.
#[test]
fn forged_vouch_is_refused_26_r40() {
    let mut driver = Driver::new(69);
    let server_keys = key_pair(28);
    let victim = key_pair(29);
    let attacker = key_pair(30);
    let other = key_pair(31);
    let cases: [(&str, &PublicKey, &SecretKey, bool, bool); 4] = [
        ("honest", attacker.public(), attacker.secret(), true, true),
        (
            "claims the victim's key",
            victim.public(),
            attacker.secret(),
            true,
            true,
        ),
        (
            "vouch names another C'",
            attacker.public(),
            attacker.secret(),
            false,
            true,
        ),
        (
            "vouch names another S",
            attacker.public(),
            attacker.secret(),
            true,
            false,
        ),
    ];
    for (name, claimed, vouch_key, right_transient, right_server) in cases {
        let mut server = ServerSession::new(server_config(server_keys.clone(), Zap::default()));
        let transient = key_pair(32);
        let hello = hello_from(&transient, server_keys.public());
        let (r, mut welcome) = serve(&mut server, &mut driver, &hello);
        assert_eq!(r, Ok(Progress::Continue));
        let forge = Forge {
            server_permanent: server_keys.public(),
            transient: &transient,
            welcome: &welcome.remove(0),
            claimed,
            vouch_key,
            vouch_transient: if right_transient {
                *transient.public()
            } else {
                *other.public()
            },
            vouch_server: if right_server {
                *server_keys.public()
            } else {
                *other.public()
            },
        };
        let (result, out) = serve(&mut server, &mut driver, &forge.initiate());
        if name == "honest" {
            assert!(
                matches!(result, Ok(Progress::Done(_))),
                "{name}: {result:?}"
            );
        } else {
            assert_eq!(
                security_error(result),
                SecurityError::VouchMismatch,
                "{name}"
            );
            assert!(out.is_empty(), "{name}: no READY");
        }
    }
}

/// 26-R20: INITIATE must carry a nonce above HELLO's.
#[test]
fn initiate_nonce_must_exceed_hellos_26_r20() {
    let mut driver = Driver::new(70);
    let server_keys = key_pair(33);
    let mut server = ServerSession::new(server_config(server_keys.clone(), Zap::default()));
    let transient = key_pair(34);
    // HELLO with nonce 1; the forged INITIATE below also uses nonce 2, so
    // rewrite HELLO's nonce to 5 by building it again.
    let mut boxed = BytesMut::new();
    Channel::new(server_keys.public(), transient.secret()).seal_into(
        &short_nonce(nonce::HELLO, 5),
        &[0; 64],
        &mut boxed,
    );
    let mut signature = [0u8; SIGNATURE_BOX_LEN];
    signature.copy_from_slice(&boxed);
    let hello = Command::Mechanism {
        name: wire::MechanismCommand::Hello,
        body: Hello {
            client_transient: *transient.public(),
            nonce: 5,
            signature,
        }
        .encode(),
    };
    let (r, mut welcome) = serve(&mut server, &mut driver, &hello);
    assert_eq!(r, Ok(Progress::Continue));
    let me = key_pair(35);
    let forge = Forge {
        server_permanent: server_keys.public(),
        transient: &transient,
        welcome: &welcome.remove(0),
        claimed: me.public(),
        vouch_key: me.secret(),
        vouch_transient: *transient.public(),
        vouch_server: *server_keys.public(),
    };
    let (result, _) = serve(&mut server, &mut driver, &forge.initiate());
    assert!(matches!(
        security_error(result),
        SecurityError::UnexpectedNonce {
            nonce: 2,
            last: 5,
            ..
        }
    ));
}

/// RFC 27: the authenticator sees C as the credentials; a denial is a
/// Refused error carrying the status, with no READY; an accept adds the
/// User-Id and the reply's metadata to the peer's.
#[test]
fn zap_decides_on_initiate_27_r40() {
    let mut driver = Driver::new(71);
    let server_keys = key_pair(36);
    let allowed = key_pair(37);
    let allowed_key = *allowed.public();
    let zap = Zap::new(Arc::new(FnAuthenticator(move |request: &ZapRequest| {
        assert_eq!(&request.mechanism[..], b"CURVE");
        assert_eq!(request.credentials.len(), 1);
        if request.credentials[0][..] == allowed_key.as_bytes()[..] {
            let mut reply = request.accept("alice");
            reply.metadata.push("X-Role", &b"admin"[..]);
            reply
        } else {
            request.refuse(StatusCode::AuthenticationFailure, "unknown key")
        }
    })));
    let config = server_config(server_keys.clone(), zap);

    // A stranger is refused.
    let mut server = ServerSession::new(Arc::clone(&config));
    let (_c, initiate) = up_to_initiate(&server_keys, &mut server, &mut driver);
    let (result, out) = serve(&mut server, &mut driver, &initiate);
    let error = security_error(result);
    assert!(matches!(
        error,
        SecurityError::Refused {
            status: StatusCode::AuthenticationFailure,
            ..
        }
    ));
    assert_eq!(error.error_reason(), Some("400"));
    assert!(out.is_empty());

    // The allowed key passes, with User-Id and X-Role on the peer.
    let mut server = ServerSession::new(config);
    let mut client = ClientSession::new(
        Arc::new(ClientConfig {
            keys: allowed,
            server_key: *server_keys.public(),
        }),
        &mut TestRng::new(106),
    );
    let hello = begin(&mut client);
    let (_, mut welcome) = serve(&mut server, &mut driver, &hello);
    let (_, mut initiate) = feed(
        &mut client,
        &welcome.remove(0),
        &client_metadata(),
        Side::Client,
    );
    let (result, _) = serve(&mut server, &mut driver, &initiate.remove(0));
    let Ok(Progress::Done(peer)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(peer.get("User-Id").map(|v| &v[..]), Some(&b"alice"[..]));
    assert_eq!(peer.get("X-Role").map(|v| &v[..]), Some(&b"admin"[..]));
    assert_eq!(
        peer.get("Socket-Type").map(|v| &v[..]),
        Some(&b"DEALER"[..])
    );
}

/// G-P2-like order for CURVE: commands out of order are refused.
#[test]
fn commands_out_of_order_are_refused() {
    let mut driver = Driver::new(72);
    let server_keys = key_pair(38);
    let mut server = ServerSession::new(server_config(server_keys.clone(), Zap::default()));
    let (_c, initiate) = up_to_initiate(
        &server_keys,
        &mut ServerSession::new(server_config(server_keys.clone(), Zap::default())),
        &mut driver,
    );
    let (result, _) = serve(&mut server, &mut driver, &initiate);
    assert!(matches!(
        peer_error(result),
        PeerError::UnexpectedDuringHandshake("INITIATE")
    ));
    let mut client = ClientSession::new(client_config(&server_keys), &mut TestRng::new(107));
    let _ = begin(&mut client);
    let (result, _) = feed(
        &mut client,
        &Command::Ready(Metadata::new()),
        &client_metadata(),
        Side::Client,
    );
    assert!(result.is_err());
}

// ---- connection machines back to back ------------------------------------

fn curve_configs(client_type: SocketType, server_type: SocketType, zap: Zap) -> (Config, Config) {
    let server_keys = key_pair(39);
    let mut client = Config::new(client_type);
    client.mechanism = Arc::new(Curve::client(key_pair(40), *server_keys.public()));
    let mut server = Config::new(server_type);
    server.mechanism = Arc::new(Curve::server(server_keys, zap));
    (client, server)
}

/// Every frame a log carries after the greeting, as items.
fn wire_items(log: &[u8]) -> Vec<Item> {
    let mut decoder = Decoder::new(Framing::Zmtp3);
    decoder.set_raw_commands(true);
    decoder.push(log.get(Greeting::LEN..).unwrap_or_default());
    core::iter::from_fn(|| decoder.poll_item().ok().flatten()).collect()
}

fn command_names(log: &[u8]) -> Vec<Vec<u8>> {
    wire_items(log)
        .into_iter()
        .flat_map(|item| match item {
            Item::RawCommand(body) => wire::command::split_command(&body)
                .map(|(n, _)| vec![n.to_vec()])
                .unwrap_or_default(),
            Item::Command(c) => vec![c.name().to_vec()],
            // MESSAGE commands travel in message frames, as libzmq's do
            // (traffic.rs); any other message frame is clear text.
            Item::Message(m) => m
                .iter()
                .map(|f| {
                    if f.starts_with(b"\x07MESSAGE") {
                        b"MESSAGE".to_vec()
                    } else {
                        b"clear".to_vec()
                    }
                })
                .collect(),
        })
        .collect()
}

/// The machines draw nothing of their own: the same seeds give the same
/// handshake, octet for octet, and other seeds another one.
#[test]
fn the_generators_alone_decide_the_octets() {
    let run = |seed| {
        let (client, server) =
            curve_configs(SocketType::Dealer, SocketType::Router, Zap::default());
        let mut pair = Pair::with_seed(client, server, seed).unwrap();
        pair.drive();
        assert!(pair.is_active());
        (pair.to_server, pair.to_client)
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

/// 26-R17: a CURVE server connection waits for its driver's cookie jar
/// after HELLO (no WELCOME until it is lent) and after INITIATE (no
/// READY); lent each time, the handshake completes. A jar lent when
/// nothing waits is ignored.
#[test]
fn the_server_waits_for_the_drivers_cookie_jar_26_r17() {
    use crate::connection::harness::{connection, cookie_jar};
    use crate::connection::{Connection, State};

    let (client, server) = curve_configs(SocketType::Dealer, SocketType::Router, Zap::default());
    let now = std::time::Instant::now();
    let mut client = connection(client, Side::Client, now, 1).unwrap();
    let mut server = connection(server, Side::Server, now, 2).unwrap();
    let mut jar = cookie_jar();
    // Shuttles octets until both are quiet; logs what the server sent.
    let mut log = Vec::new();
    let mut shuttle = |client: &mut Connection, server: &mut Connection| {
        loop {
            let a = client.poll_transmit();
            let b = server.poll_transmit();
            if a.is_none() && b.is_none() {
                return command_names(&log);
            }
            if let Some(a) = a {
                server.handle_bytes(now, &a);
            }
            if let Some(b) = b {
                log.extend_from_slice(&b);
                client.handle_bytes(now, &b);
            }
        }
    };
    server.handle_cookie_jar(now, &mut jar);
    assert!(
        shuttle(&mut client, &mut server).is_empty(),
        "no WELCOME yet"
    );
    assert!(server.needs_cookie_jar(), "HELLO read");
    assert!(!client.needs_cookie_jar(), "a client never asks");
    assert_eq!(server.state(), State::Handshake);

    server.handle_cookie_jar(now, &mut jar);
    assert!(!server.needs_cookie_jar());
    assert_eq!(shuttle(&mut client, &mut server), [b"WELCOME".to_vec()]);
    assert!(server.needs_cookie_jar(), "INITIATE read");

    server.handle_cookie_jar(now, &mut jar);
    assert_eq!(
        shuttle(&mut client, &mut server),
        [b"WELCOME".to_vec(), b"READY".to_vec()]
    );
    assert_eq!(
        (client.state(), server.state()),
        (State::Active, State::Active)
    );
    server.handle_cookie_jar(now, &mut jar);
    assert_eq!(server.state(), State::Active);
}

/// Two connection machines: the handshake, then multipart messages both
/// ways and a PING/PONG, all inside MESSAGE commands (G-C8, 37-R64).
#[test]
fn connections_back_to_back_exchange_messages_g_c8() {
    for max_chunk in [usize::MAX, 7, 1] {
        let (client, server) =
            curve_configs(SocketType::Dealer, SocketType::Router, Zap::default());
        let mut pair = Pair::new(client, server).unwrap();
        pair.max_chunk = max_chunk;
        pair.drive();
        assert!(
            pair.is_active(),
            "{:?} / {:?}",
            pair.client_events,
            pair.server_events
        );
        pair.client
            .send_message(Message::from_frames([&b"hello"[..], &b"world"[..]]))
            .unwrap();
        pair.server
            .send_message(Message::from_frames([&b"id"[..], &b""[..], &b"reply"[..]]))
            .unwrap();
        pair.client
            .send_command(Command::Ping {
                ttl: 0,
                context: Bytes::from_static(b"ctx"),
            })
            .unwrap();
        pair.drive();
        let got: Vec<_> = pair
            .server_events
            .iter()
            .filter_map(|e| match e {
                Event::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(got, [Message::from_frames([&b"hello"[..], &b"world"[..]])]);
        assert!(
            pair.client_events
                .iter()
                .any(|e| matches!(e, Event::Message(m)
            if m.frames() == [&b"id"[..], &b""[..], &b"reply"[..]]))
        );
        // Handshake names in clear, then MESSAGE only (37-R65, G-C8).
        let names = command_names(&pair.to_server);
        assert_eq!(&names[..2], [&b"HELLO"[..], &b"INITIATE"[..]]);
        assert!(names[2..].iter().all(|n| n == b"MESSAGE"), "{names:?}");
        assert_eq!(names.len(), 2 + 3, "two frames and the PING");
        let names = command_names(&pair.to_client);
        assert_eq!(&names[..2], [&b"WELCOME"[..], &b"READY"[..]]);
        // Three frames and the PONG.
        assert_eq!(names.len(), 2 + 4, "{names:?}");
        // No clear message frame, and no payload octets in clear.
        assert!(!command_names(&pair.to_server).iter().any(|n| n == b"clear"));
        assert!(!command_names(&pair.to_client).iter().any(|n| n == b"clear"));
        assert!(!pair.to_server.windows(5).any(|w| w == b"hello"));
        assert!(!pair.to_client.windows(5).any(|w| w == b"reply"));
    }
}

/// A PING flood through CURVE is answered with one PONG (37-R58; the
/// connection holds one PONG, the latest): wrapped when the output is
/// taken, so its nonce follows those already sent and the peer accepts
/// it, and later traffic still opens. The last PING's context is longer
/// than the others', and the one MESSAGE's size shows it is the one
/// echoed.
#[test]
fn ping_flood_through_curve_gets_one_pong_37_r58() {
    let (client, server) = curve_configs(SocketType::Dealer, SocketType::Router, Zap::default());
    let mut pair = Pair::new(client, server).unwrap();
    pair.drive();
    assert!(pair.is_active());
    let before = pair.to_client.len();
    for i in 0..2_000u32 {
        let context = if i == 1_999 {
            Bytes::from_static(b"0123456789abcdef")
        } else {
            Bytes::copy_from_slice(&[i.to_be_bytes()[3]])
        };
        pair.client
            .send_command(Command::Ping { ttl: 0, context })
            .unwrap();
        // Delivered to the server, whose output is not taken meanwhile.
        let bytes = pair.client.poll_transmit().unwrap();
        pair.to_server.extend_from_slice(&bytes);
        pair.server.handle_bytes(pair.now, &bytes);
        assert!(pair.server.pending_transmit() < 64, "PING {i}");
    }
    pair.drive();
    assert!(
        pair.is_active(),
        "{:?} / {:?}",
        pair.client_events,
        pair.server_events
    );
    let mut decoder = Decoder::new(Framing::Zmtp3);
    decoder.push(&pair.to_client[before..]);
    let sent: Vec<Item> = core::iter::from_fn(|| decoder.poll_item().ok().flatten()).collect();
    assert_eq!(sent.len(), 1, "one MESSAGE");
    let Item::Message(m) = &sent[0] else {
        panic!("{sent:?}")
    };
    // MESSAGE name, nonce, tag, flags, then PONG with 16 octets.
    assert_eq!(m.frames()[0].len(), 8 + 8 + 16 + 1 + (1 + 4 + 16));
    // Nonces still in step both ways.
    pair.server
        .send_message(Message::from(&b"after"[..]))
        .unwrap();
    pair.client
        .send_message(Message::from(&b"back"[..]))
        .unwrap();
    pair.drive();
    assert!(pair.is_active());
    assert!(
        pair.client_events
            .iter()
            .any(|e| matches!(e, Event::Message(m) if m.frames() == [&b"after"[..]]))
    );
    assert!(
        pair.server_events
            .iter()
            .any(|e| matches!(e, Event::Message(m) if m.frames() == [&b"back"[..]]))
    );
}

/// Subscriptions tunnel as commands (SUBSCRIBE inside MESSAGE, flag 0x02).
#[test]
fn subscriptions_tunnel_through_curve() {
    let (client, server) = curve_configs(SocketType::Sub, SocketType::Pub, Zap::default());
    let mut pair = Pair::new(client, server).unwrap();
    pair.drive();
    assert!(pair.is_active());
    pair.client
        .send_command(Command::Subscribe(Bytes::from_static(b"topic")))
        .unwrap();
    pair.drive();
    assert!(
        pair.server_events
            .iter()
            .any(|e| matches!(e, Event::Subscribe(t) if &t[..] == b"topic"))
    );
}

fn failed(events: &[Event]) -> Option<&ConnectionError> {
    events.iter().find_map(|e| match e {
        Event::Failed(error) => Some(error),
        _ => None,
    })
}

fn no_messages(events: &[Event]) -> bool {
    !events.iter().any(|e| matches!(e, Event::Message(_)))
}

/// 26-R60 and RFC 27: a ZAP denial reaches the client as ERROR "400"; no
/// application data crosses.
#[test]
fn zap_denial_sends_error_400_and_no_data_crosses() {
    let zap = Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| {
        r.refuse(StatusCode::AuthenticationFailure, "no")
    })));
    let (client, server) = curve_configs(SocketType::Dealer, SocketType::Router, zap);
    let mut pair = Pair::new(client, server).unwrap();
    pair.client
        .send_message(Message::from(&b"early"[..]))
        .unwrap();
    pair.drive();
    assert_eq!(
        failed(&pair.client_events),
        Some(&ConnectionError::ErrorReceived(Bytes::from_static(b"400")))
    );
    assert!(matches!(
        failed(&pair.server_events),
        Some(ConnectionError::Peer(PeerError::Security(
            SecurityError::Refused { .. }
        )))
    ));
    assert!(no_messages(&pair.server_events) && no_messages(&pair.client_events));
    assert!(!pair.to_server.windows(5).any(|w| w == b"early"));
}

/// zmtp-wire.md 6.2 #12: status 300 closes without ERROR.
#[test]
fn zap_temporary_failure_closes_without_error() {
    let zap = Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| {
        r.refuse(StatusCode::TemporaryFailure, "later")
    })));
    let (client, server) = curve_configs(SocketType::Dealer, SocketType::Router, zap);
    let mut pair = Pair::new(client, server).unwrap();
    pair.drive();
    assert!(pair.server.is_closed());
    assert!(!command_names(&pair.to_client).iter().any(|n| n == b"ERROR"));
    assert!(no_messages(&pair.client_events));
}

/// The User-Id from the ZAP reply is on the peer the server reports.
#[test]
fn zap_user_id_is_on_the_peer() {
    let zap = Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| r.accept("bob"))));
    let (client, server) = curve_configs(SocketType::Dealer, SocketType::Router, zap);
    let mut pair = Pair::new(client, server).unwrap();
    pair.drive();
    let peer = pair.server.peer().expect("handshake done");
    assert_eq!(
        peer.metadata.get("User-Id").map(|v| &v[..]),
        Some(&b"bob"[..])
    );
}

/// 26-R03, 26-R14: with the wrong server key the server refuses HELLO
/// (and says so with ERROR); the client never sends ERROR itself.
#[test]
fn wrong_server_key_over_connections_26_r03() {
    let (mut client, server) =
        curve_configs(SocketType::Dealer, SocketType::Router, Zap::default());
    client.mechanism = Arc::new(Curve::client(key_pair(41), *key_pair(42).public()));
    let mut pair = Pair::new(client, server).unwrap();
    pair.client
        .send_message(Message::from(&b"data"[..]))
        .unwrap();
    pair.drive();
    assert!(matches!(
        failed(&pair.server_events),
        Some(ConnectionError::Peer(PeerError::Security(
            SecurityError::BadBox("HELLO")
        )))
    ));
    assert!(matches!(
        failed(&pair.client_events),
        Some(ConnectionError::ErrorReceived(_))
    ));
    assert!(!command_names(&pair.to_server).iter().any(|n| n == b"ERROR"));
    assert!(no_messages(&pair.server_events));
}

/// 26-R03: a client that fails on a bad WELCOME closes without ERROR.
#[test]
fn client_never_sends_error_26_r03() {
    let server_keys = key_pair(43);
    let mut config = Config::new(SocketType::Dealer);
    config.mechanism = Arc::new(Curve::client(key_pair(44), *server_keys.public()));
    let now = std::time::Instant::now();
    let mut conn =
        crate::connection::Connection::new(config, Side::Client, now, TestRng::new(0)).unwrap();
    let mut peer = Greeting::new(wire::Mechanism::CURVE, true)
        .to_bytes()
        .to_vec();
    peer.extend_from_slice(
        &Command::Mechanism {
            name: wire::MechanismCommand::Welcome,
            body: Bytes::from(vec![1; WELCOME_DATA_LEN]),
        }
        .to_bytes()
        .unwrap(),
    );
    conn.handle_bytes(now, &peer);
    let mut sent = Vec::new();
    while let Some(b) = conn.poll_transmit() {
        sent.extend_from_slice(&b);
    }
    assert!(conn.is_closed());
    let names = command_names(&sent);
    assert_eq!(names, [&b"HELLO"[..]], "HELLO and no ERROR");
}

/// 37-R61: CURVE refuses a ZMTP 2.0 peer (downgrade).
#[test]
fn curve_refuses_a_zmtp_2_peer_37_r61() {
    let (client, _server) = curve_configs(SocketType::Dealer, SocketType::Router, Zap::default());
    let now = std::time::Instant::now();
    let mut conn =
        crate::connection::Connection::new(client, Side::Client, now, TestRng::new(0)).unwrap();
    // A 2.0 peer: signature, revision 1, socket type, identity frame.
    let mut peer = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 5, 0, 0];
    peer.extend_from_slice(b"");
    conn.handle_bytes(now, &peer);
    assert!(conn.is_closed());
    let events: Vec<_> = core::iter::from_fn(|| conn.poll_event()).collect();
    assert!(matches!(
        failed(&events),
        Some(ConnectionError::Peer(PeerError::DowngradeRefused(_)))
    ));
}

/// RFC 27 with an external handler: the server pauses after INITIATE
/// (every check done) until the reply comes; a reply with another
/// request-id is a refusal (27-R20).
#[test]
fn external_zap_handler_pauses_after_initiate() {
    for (accept, same_id) in [(true, true), (false, true), (true, false)] {
        let (client, server) =
            curve_configs(SocketType::Dealer, SocketType::Router, Zap::external());
        let mut pair = Pair::new(client, server).unwrap();
        pair.drive();
        assert!(!pair.is_active());
        let request = pair.server.poll_zap_request().expect("a ZAP request");
        assert_eq!(&request.mechanism[..], b"CURVE");
        assert_eq!(request.credentials.len(), 1);
        assert_eq!(request.credentials[0].len(), 32, "27-R40");
        let mut reply = if accept {
            request.accept("carol")
        } else {
            request.refuse(StatusCode::AuthenticationFailure, "no")
        };
        if !same_id {
            reply.request_id = Bytes::from_static(b"99");
        }
        pair.server.handle_zap_reply(pair.now, reply);
        pair.drive();
        if accept && same_id {
            assert!(pair.is_active());
            let peer = pair.server.peer().unwrap();
            assert_eq!(
                peer.metadata.get("User-Id").map(|v| &v[..]),
                Some(&b"carol"[..])
            );
        } else {
            assert!(matches!(
                failed(&pair.client_events),
                Some(ConnectionError::ErrorReceived(_))
            ));
            assert!(no_messages(&pair.server_events));
        }
    }
}

/// libzmq's ZAP_ENFORCE_DOMAIN: with no handler, refuse.
#[test]
fn enforced_domain_without_handler_refuses() {
    let zap = Zap {
        enforce_domain: true,
        ..Zap::default()
    };
    let (client, server) = curve_configs(SocketType::Dealer, SocketType::Router, zap);
    let mut pair = Pair::new(client, server).unwrap();
    pair.drive();
    assert!(!pair.is_active());
    assert_eq!(
        failed(&pair.client_events),
        Some(&ConnectionError::ErrorReceived(Bytes::from_static(b"500")))
    );
}

/// libzmq 4.3.5's CURVE HELLO (spec/tests/golden/hello-curve.bin): 200
/// octets that parse as G-C1 and re-encode to the same octets.
#[test]
fn libzmq_golden_hello_g_c1() {
    let frame = include_bytes!("../../../tests/golden/hello-curve.bin");
    assert_eq!(&frame[..2], [0x04, 200]);
    let body = &frame[2..];
    assert_eq!(&body[..6], b"\x05HELLO");
    let hello = Hello::parse(&body[6..]).unwrap();
    assert_eq!(hello.nonce, 1, "libzmq's first short nonce");
    assert_eq!(&hello.encode()[..], &body[6..]);
}

/// A HELLO from the low-order key 0: anyone can make its box (the
/// agreement is all zeros), so it is refused, as libsodium does.
#[test]
fn low_order_client_key_is_refused() {
    let mut driver = Driver::new(73);
    let server_keys = key_pair(45);
    let zero = PublicKey::from_bytes([0; 32]);
    // Any secret key forges the box: X25519 with the point 0 is 0.
    let forger = key_pair(46);
    let mut boxed = BytesMut::new();
    Channel::new(&zero, forger.secret()).seal_into(
        &short_nonce(nonce::HELLO, 1),
        &[0; 64],
        &mut boxed,
    );
    let mut signature = [0u8; SIGNATURE_BOX_LEN];
    signature.copy_from_slice(&boxed);
    let hello = Command::Mechanism {
        name: wire::MechanismCommand::Hello,
        body: Hello {
            client_transient: zero,
            nonce: 1,
            signature,
        }
        .encode(),
    };
    let mut server = ServerSession::new(server_config(server_keys, Zap::default()));
    let (result, out) = serve(&mut server, &mut driver, &hello);
    assert_eq!(security_error(result), SecurityError::WeakKey("HELLO"));
    assert!(out.is_empty(), "no WELCOME");
}

/// A WELCOME (from the real server key) naming the low-order S' 0 is
/// refused: the session boxes would be readable by anyone.
#[test]
fn low_order_server_transient_is_refused() {
    let server_keys = key_pair(47);
    let mut client = ClientSession::new(client_config(&server_keys), &mut TestRng::new(108));
    let hello = begin(&mut client);
    let Command::Mechanism { body, .. } = &hello else {
        panic!("HELLO")
    };
    let hello = Hello::parse(body).unwrap();
    let long = random_long_nonce(&mut TestRng::new(7));
    let mut boxed = BytesMut::new();
    Channel::new(&hello.client_transient, server_keys.secret()).seal_parts_into(
        &long_nonce(nonce::WELCOME, &long),
        &[&[0; 32], &[0; 96]],
        &mut boxed,
    );
    let mut welcome_box = [0u8; WELCOME_BOX_LEN];
    welcome_box.copy_from_slice(&boxed);
    let welcome = Command::Mechanism {
        name: wire::MechanismCommand::Welcome,
        body: Welcome {
            nonce: long,
            boxed: welcome_box,
        }
        .encode(),
    };
    let (result, out) = feed(&mut client, &welcome, &client_metadata(), Side::Client);
    assert_eq!(security_error(result), SecurityError::WeakKey("WELCOME"));
    assert!(out.is_empty(), "no INITIATE");
}

/// The fuzz builds' X25519 memo gives exactly what the crates compute:
/// the same public key, boxes that open with a directly made channel, the
/// same low-order verdict, hit or miss.
#[cfg(feature = "fuzz-memo")]
#[test]
fn the_fuzz_memo_gives_what_the_crates_compute() {
    let ours = key_pair(90);
    let theirs = key_pair(91);
    for _ in 0..2 {
        assert_eq!(
            ours.secret().public_key().as_bytes(),
            ours.public().as_bytes()
        );
        let memo = Channel::new(theirs.public(), ours.secret());
        let mut sealed = BytesMut::new();
        memo.seal_into(&[7; 24], b"the same box", &mut sealed);
        let direct = Channel::new(ours.public(), theirs.secret());
        assert_eq!(
            &direct.open(&[7; 24], &sealed).expect("opens")[..],
            b"the same box"
        );
        let low_order = PublicKey::from_bytes([0; 32]);
        assert!(Channel::with_peer_key(&low_order, ours.secret()).is_err());
        assert!(Channel::with_peer_key(theirs.public(), ours.secret()).is_ok());
    }
}
