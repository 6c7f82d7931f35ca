//! PLAIN, CURVE and ZAP between our own sockets, over tcp and ipc: the
//! options, the three ways to authenticate (a socket callback, a context
//! callback, a handler bound at `inproc://zeromq.zap.01`), libzmq's rule
//! without a handler, the monitor events, and the downgrade rule (37-R61,
//! 37-R67) against a scripted ZMTP 2.0 peer.

// A test fails by panicking.
#![allow(clippy::unwrap_used)]

#[path = "common/endpoints.rs"]
mod endpoints;

#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use raw::bounded::Within;
use std::sync::Arc;

use endpoints::wildcard;
use std::time::Duration;

use raw::RawPeer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zmtp::monitor::Metadata;
use zmtp::options::MechanismKind;
use zmtp::{Bytes, Context, Error, Monitor, MonitorEventKind, Socket, SocketType, opt};
use zmtp_spec::security::zap::{FnAuthenticator, StatusCode, ZapRequest};
use zmtp_spec::security::{Authenticator, KeyPair};

/// Long enough for any handshake here; a refused peer's message must not
/// arrive within it.
const WAIT: Duration = Duration::from_millis(600);

fn z85(key: &[u8]) -> Bytes {
    Bytes::from(zmtp_spec::security::z85::encode(key).unwrap())
}

/// A CURVE PULL server and a CURVE PUSH client of it, keys given as Z85
/// text to one and as 32 octets to the other (libzmq takes both).
fn curve_pair(ctx: &Context, transport: &str) -> (Socket, Socket, KeyPair) {
    let server_keys = zmtp::curve_keypair();
    let client_keys = zmtp::curve_keypair();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set(opt::CurveServer, true).unwrap();
    pull.set(
        opt::CurveSecretKey,
        z85(&server_keys.secret().to_bytes()[..]),
    )
    .unwrap();
    pull.bind(wildcard(transport)).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set(
        opt::CurveServerKey,
        Bytes::copy_from_slice(server_keys.public().as_bytes()),
    )
    .unwrap();
    push.set(
        opt::CurvePublicKey,
        Bytes::copy_from_slice(client_keys.public().as_bytes()),
    )
    .unwrap();
    push.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&client_keys.secret().to_bytes()[..]),
    )
    .unwrap();
    push.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    (pull, push, client_keys)
}

/// The first HANDSHAKE_SUCCEEDED or HANDSHAKE_FAILED_* event.
async fn handshake_outcome(monitor: &mut Monitor) -> (MonitorEventKind, Option<Metadata>) {
    let e = raw::bounded::handshake_outcome(monitor).await;
    (e.kind, e.properties)
}

async fn nothing_arrives(pull: &Socket) {
    let got = tokio::time::timeout(WAIT, pull.recv()).await;
    assert!(got.is_err(), "a refused peer's message arrived: {got:?}");
}

/// An authenticator that accepts the CURVE key `allowed` as user "alice"
/// and the PLAIN user admin/secret as "admin", and refuses the rest.
fn authenticator(allowed: Option<[u8; 32]>) -> Arc<dyn Authenticator> {
    Arc::new(FnAuthenticator(move |r: &ZapRequest| {
        match &r.mechanism[..] {
            b"CURVE" if allowed.is_some_and(|k| r.credentials[0][..] == k[..]) => r.accept("alice"),
            b"PLAIN" if r.credentials == [&b"admin"[..], &b"secret"[..]] => r.accept("admin"),
            _ => r.refuse(StatusCode::AuthenticationFailure, "no"),
        }
    }))
}

#[tokio::test]
async fn curve_messages_cross_over_tcp_and_ipc_and_user_id_reaches_the_monitor() {
    for transport in ["tcp", "ipc"] {
        let ctx = Context::new().unwrap();
        let (pull, push, client) = curve_pair(&ctx, transport);
        pull.set_authenticator(Some(authenticator(Some(*client.public().as_bytes()))));
        let mut m = pull.monitor();
        push.connect(&pull.last_endpoint()).unwrap();
        push.send("secret payload").within("send").await.unwrap();
        let got = pull.recv().within("recv").await.unwrap();
        assert_eq!(got.frames()[0], "secret payload", "{transport}");
        let (kind, props) = handshake_outcome(&mut m).await;
        assert_eq!(kind, MonitorEventKind::HandshakeSucceeded);
        let props = props.unwrap();
        assert_eq!(props.get("User-Id").unwrap(), "alice");
        assert_eq!(props.get("Socket-Type").unwrap(), "PUSH");
        assert_eq!(pull.get(opt::Mechanism).unwrap(), MechanismKind::Curve);
        assert!(pull.get(opt::CurveServer).unwrap());
        assert!(!push.get(opt::CurveServer).unwrap());
    }
}

/// RFC 27: a refusal (400) reaches both monitors as HANDSHAKE_FAILED_AUTH
/// with the status, and the client's message never crosses.
#[tokio::test]
async fn curve_zap_denial_is_auth_failure_400_and_no_data_crosses() {
    for transport in ["tcp", "ipc"] {
        let ctx = Context::new().unwrap();
        let (pull, push, _client) = curve_pair(&ctx, transport);
        pull.set_authenticator(Some(authenticator(None)));
        let mut server_events = pull.monitor();
        let mut client_events = push.monitor();
        push.connect(&pull.last_endpoint()).unwrap();
        push.send("must not cross").within("send").await.unwrap();
        let (kind, _) = handshake_outcome(&mut server_events).await;
        assert_eq!(kind, MonitorEventKind::HandshakeFailedAuth("400".into()));
        let (kind, _) = handshake_outcome(&mut client_events).await;
        assert_eq!(kind, MonitorEventKind::HandshakeFailedAuth("400".into()));
        nothing_arrives(&pull).await;
    }
}

/// The context's authenticator serves sockets without their own.
#[tokio::test]
async fn context_authenticator_applies_to_its_sockets() {
    let ctx = Context::new().unwrap();
    let (pull, push, _client) = curve_pair(&ctx, "tcp");
    ctx.set_authenticator(Some(authenticator(None)));
    let mut m = pull.monitor();
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("x").within("send").await.unwrap();
    let (kind, _) = handshake_outcome(&mut m).await;
    assert_eq!(kind, MonitorEventKind::HandshakeFailedAuth("400".into()));
    nothing_arrives(&pull).await;
}

/// Without a handler a CURVE server accepts every client (libzmq's
/// Stonehouse), unless ZAP_ENFORCE_DOMAIN.
#[tokio::test]
async fn curve_without_handler_accepts_unless_the_domain_is_enforced() {
    let ctx = Context::new().unwrap();
    let (pull, push, _client) = curve_pair(&ctx, "tcp");
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("stonehouse").within("send").await.unwrap();
    assert_eq!(
        pull.recv().within("recv").await.unwrap().frames()[0],
        "stonehouse"
    );

    let (pull, push, _client) = curve_pair(&ctx, "tcp");
    pull.set(opt::ZapEnforceDomain, true).unwrap();
    let mut m = pull.monitor();
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("x").within("send").await.unwrap();
    let (kind, _) = handshake_outcome(&mut m).await;
    assert_eq!(kind, MonitorEventKind::HandshakeFailedAuth("500".into()));
    nothing_arrives(&pull).await;
}

/// 26-R04: a client with the wrong server key never gets through.
#[tokio::test]
async fn curve_wrong_server_key_is_refused() {
    let ctx = Context::new().unwrap();
    let (pull, push, _client) = curve_pair(&ctx, "tcp");
    let wrong = zmtp::curve_keypair();
    push.set(opt::CurveServerKey, Bytes::from(wrong.public().to_z85()))
        .unwrap();
    let mut m = pull.monitor();
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("x").within("send").await.unwrap();
    let (kind, _) = handshake_outcome(&mut m).await;
    assert!(
        matches!(kind, MonitorEventKind::HandshakeFailedProtocol(_)),
        "{kind:?}"
    );
    nothing_arrives(&pull).await;
}

fn plain_pair(ctx: &Context, transport: &str, user: &str, password: &str) -> (Socket, Socket) {
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set(opt::PlainServer, true).unwrap();
    pull.bind(wildcard(transport)).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set(opt::PlainUsername, Bytes::copy_from_slice(user.as_bytes()))
        .unwrap();
    push.set(
        opt::PlainPassword,
        Bytes::copy_from_slice(password.as_bytes()),
    )
    .unwrap();
    push.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    (pull, push)
}

#[tokio::test]
async fn plain_accepts_good_credentials_and_refuses_bad_ones() {
    for transport in ["tcp", "ipc"] {
        let ctx = Context::new().unwrap();
        let (pull, push) = plain_pair(&ctx, transport, "admin", "secret");
        pull.set_authenticator(Some(authenticator(None)));
        let mut m = pull.monitor();
        push.connect(&pull.last_endpoint()).unwrap();
        push.send("hello").within("send").await.unwrap();
        assert_eq!(
            pull.recv().within("recv").await.unwrap().frames()[0],
            "hello"
        );
        let (_, props) = handshake_outcome(&mut m).await;
        assert_eq!(props.unwrap().get("User-Id").unwrap(), "admin");
        assert_eq!(push.get(opt::Mechanism).unwrap(), MechanismKind::Plain);
        assert_eq!(push.get(opt::PlainUsername).unwrap(), "admin");
        assert!(pull.get(opt::PlainServer).unwrap());

        let (pull, push) = plain_pair(&ctx, transport, "admin", "guess");
        pull.set_authenticator(Some(authenticator(None)));
        let mut client_events = push.monitor();
        push.connect(&pull.last_endpoint()).unwrap();
        push.send("must not cross").within("send").await.unwrap();
        let (kind, _) = handshake_outcome(&mut client_events).await;
        assert_eq!(kind, MonitorEventKind::HandshakeFailedAuth("400".into()));
        nothing_arrives(&pull).await;
    }
}

/// libzmq's PLAIN server refuses every client when no ZAP handler is
/// bound (zmtp-wire.md 6.2 #12).
#[tokio::test]
async fn plain_without_handler_refuses() {
    let ctx = Context::new().unwrap();
    let (pull, push) = plain_pair(&ctx, "tcp", "admin", "secret");
    let mut m = pull.monitor();
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("x").within("send").await.unwrap();
    let (kind, _) = handshake_outcome(&mut m).await;
    assert!(
        matches!(kind, MonitorEventKind::HandshakeFailedAuth(_)),
        "{kind:?}"
    );
    nothing_arrives(&pull).await;
}

/// RFC 27 as libzmq does it: a REP handler bound at
/// `inproc://zeromq.zap.01` gets each request (27-R09: version, request
/// id, domain, address, identity, mechanism, credentials) with the
/// address filled in (27-R21), and its reply decides; its user id and
/// metadata reach the peer's properties.
#[tokio::test]
async fn inproc_zap_handler_decides_and_sees_the_address() {
    let ctx = Context::new().unwrap();
    let handler = ctx.socket(SocketType::Rep).unwrap();
    handler.bind("inproc://zeromq.zap.01").unwrap();
    let (pull, push) = plain_pair(&ctx, "tcp", "admin", "secret");
    pull.set(opt::ZapDomain, Bytes::from_static(b"global"))
        .unwrap();
    let mut m = pull.monitor();
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("via handler").within("send").await.unwrap();
    let request = handler.recv().within("recv").await.unwrap();
    let f = request.frames();
    assert_eq!(f.len(), 8, "{request:?}");
    assert_eq!(f[0], "1.0");
    assert_eq!(f[2], "global");
    assert_eq!(f[3], "127.0.0.1");
    assert_eq!(f[5], "PLAIN");
    assert_eq!((&f[6][..], &f[7][..]), (&b"admin"[..], &b"secret"[..]));
    let meta = Metadata::new().with("X-Role", "operator");
    let reply = [
        Bytes::from_static(b"1.0"),
        f[1].clone(),
        Bytes::from_static(b"200"),
        Bytes::from_static(b"OK"),
        Bytes::from_static(b"bob"),
        zmtp_spec::wire::Encode::to_bytes(&meta).unwrap(),
    ];
    handler
        .send(zmtp::Message::from_frames(reply))
        .within("send")
        .await
        .unwrap();
    assert_eq!(
        pull.recv().within("recv").await.unwrap().frames()[0],
        "via handler"
    );
    let (_, props) = handshake_outcome(&mut m).await;
    let props = props.unwrap();
    assert_eq!(props.get("User-Id").unwrap(), "bob");
    assert_eq!(props.get("X-Role").unwrap(), "operator");

    // A refusal from the handler: nothing crosses.
    let (pull2, push2) = plain_pair(&ctx, "tcp", "eve", "x");
    let mut m2 = push2.monitor();
    push2.connect(&pull2.last_endpoint()).unwrap();
    push2.send("must not cross").within("send").await.unwrap();
    let request = handler.recv().within("recv").await.unwrap();
    let reply = [
        Bytes::from_static(b"1.0"),
        request.frames()[1].clone(),
        Bytes::from_static(b"400"),
        Bytes::from_static(b"no"),
        Bytes::new(),
        Bytes::new(),
    ];
    handler
        .send(zmtp::Message::from_frames(reply))
        .within("send")
        .await
        .unwrap();
    let (kind, _) = handshake_outcome(&mut m2).await;
    assert_eq!(kind, MonitorEventKind::HandshakeFailedAuth("400".into()));
    nothing_arrives(&pull2).await;
}

/// NULL with a ZAP domain asks the handler too (libzmq's rule).
#[tokio::test]
async fn null_with_zap_domain_is_authenticated() {
    let ctx = Context::new().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set(opt::ZapDomain, Bytes::from_static(b"d")).unwrap();
    pull.set_authenticator(Some(Arc::new(FnAuthenticator(|r: &ZapRequest| {
        assert_eq!(r.mechanism, "NULL");
        r.refuse(StatusCode::AuthenticationFailure, "no")
    }))));
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    let mut m = pull.monitor();
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("x").within("send").await.unwrap();
    let (kind, _) = handshake_outcome(&mut m).await;
    assert_eq!(kind, MonitorEventKind::HandshakeFailedAuth("400".into()));
    nothing_arrives(&pull).await;
}

/// 37-R15: a NULL client never gets into a CURVE server (mechanism
/// mismatch), nor a PLAIN client into a CURVE server.
#[tokio::test]
async fn a_different_mechanism_is_refused() {
    let ctx = Context::new().unwrap();
    let (pull, _push, _client) = curve_pair(&ctx, "tcp");
    for mechanism in ["NULL", "PLAIN"] {
        let push = ctx.socket(SocketType::Push).unwrap();
        if mechanism == "PLAIN" {
            push.set(opt::PlainUsername, Bytes::from_static(b"admin"))
                .unwrap();
        }
        push.set(opt::Linger, Some(Duration::ZERO)).unwrap();
        let mut m = pull.monitor();
        push.connect(&pull.last_endpoint()).unwrap();
        push.send("x").within("send").await.unwrap();
        let (kind, _) = handshake_outcome(&mut m).await;
        assert!(
            matches!(kind, MonitorEventKind::HandshakeFailedProtocol(_)),
            "{mechanism}: {kind:?}"
        );
        nothing_arrives(&pull).await;
    }
}

/// 37-R61, 37-R67: a CURVE or PLAIN socket never talks to a ZMTP 2.0 (or
/// 1.0) peer, nor does a NULL socket with a ZAP domain (libzmq's rule,
/// zmtp-wire.md 4.5 #6): a scripted 2.0 PUSH that sends a message at once
/// is cut off and its message never arrives.
#[tokio::test]
async fn downgrade_to_zmtp_2_is_refused() {
    for mechanism in ["CURVE", "PLAIN", "NULL+ZAP"] {
        let ctx = Context::new().unwrap();
        let pull = ctx.socket(SocketType::Pull).unwrap();
        if mechanism == "NULL+ZAP" {
            pull.set(opt::ZapDomain, Bytes::from_static(b"d")).unwrap();
            pull.set_authenticator(Some(Arc::new(FnAuthenticator(|r: &ZapRequest| {
                r.accept("anyone")
            }))));
        } else if mechanism == "CURVE" {
            pull.set(opt::CurveServer, true).unwrap();
            pull.set(
                opt::CurveSecretKey,
                z85(&zmtp::curve_keypair().secret().to_bytes()[..]),
            )
            .unwrap();
        } else {
            pull.set(opt::PlainServer, true).unwrap();
            pull.set_authenticator(Some(authenticator(None)));
        }
        let raw = RawPeer::listen().await;
        let mut m = pull.monitor();
        pull.connect(&raw.endpoint()).unwrap();
        let mut peer = raw.accept().await;
        // ZMTP 2.0: signature, revision 1, PUSH (8), empty identity, then
        // a message, all at once.
        let mut v2 = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 8, 0x00, 0x00];
        v2.extend([0x00, 5]);
        v2.extend(b"sneak");
        peer.stream.write_all(&v2).await.unwrap();
        let (kind, _) = handshake_outcome(&mut m).await;
        assert!(
            matches!(&kind, MonitorEventKind::HandshakeFailedProtocol(t) if t.contains("37-R61")),
            "{mechanism}: {kind:?}"
        );
        nothing_arrives(&pull).await;
        // We closed the connection (end of stream or a reset, not a
        // timeout).
        let mut rest = Vec::new();
        peer.stream
            .read_to_end(&mut rest)
            .within("the connection to close")
            .await
            .ok();
    }
}

#[test]
fn security_options_read_back_and_check_their_values() {
    let ctx = Context::new().unwrap();
    let s = ctx.socket(SocketType::Dealer).unwrap();
    assert_eq!(s.get(opt::Mechanism).unwrap(), MechanismKind::Null);
    let keys = zmtp::curve_keypair();
    // Z85 text in, 32 octets out.
    s.set(opt::CurveServerKey, Bytes::from(keys.public().to_z85()))
        .unwrap();
    assert_eq!(
        s.get(opt::CurveServerKey).unwrap(),
        &keys.public().as_bytes()[..]
    );
    assert_eq!(s.get(opt::Mechanism).unwrap(), MechanismKind::Curve);
    // A client without its own keys cannot connect.
    assert!(matches!(
        s.connect("tcp://127.0.0.1:1"),
        Err(Error::InvalidOption { .. })
    ));
    s.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&keys.secret().to_bytes()[..]),
    )
    .unwrap();
    assert_eq!(
        s.get(opt::CurveSecretKey).unwrap(),
        &keys.secret().to_bytes()[..]
    );
    s.connect("tcp://127.0.0.1:1").unwrap();
    // Neither 32 octets nor 40 Z85 characters.
    assert!(
        s.set(opt::CurvePublicKey, Bytes::from_static(b"short"))
            .is_err()
    );
    assert!(
        s.set(opt::CurvePublicKey, Bytes::from(vec![b'~'; 40]))
            .is_err()
    );
    assert!(s.set(opt::Mechanism, MechanismKind::Plain).is_err());
    assert!(s.set(opt::ZapDomain, Bytes::from(vec![b'd'; 256])).is_err());
    s.set(opt::ZapDomain, Bytes::from_static(b"global"))
        .unwrap();
    assert_eq!(s.get(opt::ZapDomain).unwrap(), "global");
    s.set(opt::ZapEnforceDomain, true).unwrap();
    assert!(s.get(opt::ZapEnforceDomain).unwrap());
    // PLAIN_SERVER selects PLAIN; false goes back to NULL.
    s.set(opt::PlainServer, true).unwrap();
    assert_eq!(s.get(opt::Mechanism).unwrap(), MechanismKind::Plain);
    assert!(!s.get(opt::CurveServer).unwrap());
    s.set(opt::PlainServer, false).unwrap();
    assert_eq!(s.get(opt::Mechanism).unwrap(), MechanismKind::Null);
}

/// 27-R42, 27-R44: a ROUTER handler sees the routing id and the empty
/// delimiter in front of the request, and answers with them in front.
#[tokio::test]
async fn a_router_zap_handler_works_too() {
    let ctx = Context::new().unwrap();
    let handler = ctx.socket(SocketType::Router).unwrap();
    handler.bind("inproc://zeromq.zap.01").unwrap();
    let (pull, push, client) = curve_pair(&ctx, "tcp");
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("through a router handler")
        .within("send")
        .await
        .unwrap();
    let request = handler.recv().within("recv").await.unwrap();
    let f = request.frames();
    assert_eq!(f.len(), 9, "{request:?}");
    assert!(f[1].is_empty());
    assert_eq!(f[2], "1.0");
    assert_eq!(f[7], "CURVE");
    assert_eq!(f[8], &client.public().as_bytes()[..]);
    let reply = [
        f[0].clone(),
        Bytes::new(),
        Bytes::from_static(b"1.0"),
        f[3].clone(),
        Bytes::from_static(b"200"),
        Bytes::from_static(b"OK"),
        Bytes::from_static(b"carol"),
        Bytes::new(),
    ];
    handler
        .send(zmtp::Message::from_frames(reply))
        .within("send")
        .await
        .unwrap();
    assert_eq!(
        pull.recv().within("recv").await.unwrap().frames()[0],
        "through a router handler"
    );
}
