//! 27-R25 end to end: a message our socket's `recv` returns carries the
//! properties of the connection it came in on, as libzmq's `zmq_msg_gets`
//! shows them: the ZAP handler's `User-Id` and metadata, the peer's READY
//! properties (`Socket-Type`, `Identity`, `X-*`), and `Peer-Address` (the
//! peer's IP address over tcp; `localhost:uid:gid:pid` over ipc, as
//! libzmq 4.3.5 gives on Linux). PLAIN and CURVE, over tcp and ipc, through
//! the pattern machines of PULL, ROUTER and REP; and with libzmq 4.3.5
//! (pyzmq) as the PLAIN or CURVE client. Without the interpreter the libzmq
//! tests print why and pass, unless `ZMTP_REQUIRE_PEERS=1`.

// A test fails by panicking.
#![allow(clippy::unwrap_used)]

#[path = "common/child.rs"]
#[allow(dead_code)]
mod child;

#[path = "interop/peer.rs"]
#[allow(dead_code)]
mod peer;

#[path = "common/endpoints.rs"]
mod endpoints;

#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use raw::bounded::{self, Within};
use std::sync::Arc;

use endpoints::wildcard;
use std::time::Duration;

use peer::Peer;
use zmtp::{Bytes, Context, Message, Socket, SocketType, opt};
use zmtp_spec::security::Authenticator;
use zmtp_spec::security::zap::{FnAuthenticator, StatusCode, ZapRequest};

/// A message that never comes fails the test instead of hanging it (no
/// timing is asserted).
async fn recv(socket: &Socket) -> Message {
    socket.recv().within("a message").await.unwrap()
}

/// Accepts PLAIN user admin/secret as "admin" and any CURVE client as
/// "alice", both with the property `X-Team: blue`.
fn authenticator() -> Arc<dyn Authenticator> {
    Arc::new(FnAuthenticator(|r: &ZapRequest| {
        let user = match &r.mechanism[..] {
            b"PLAIN" if r.credentials == [&b"admin"[..], &b"secret"[..]] => "admin",
            b"CURVE" => "alice",
            _ => return r.refuse(StatusCode::AuthenticationFailure, "no"),
        };
        let mut reply = r.accept(user);
        reply.metadata.push("X-Team", &b"blue"[..]);
        reply
    }))
}

fn property(m: &Message, name: &str) -> Option<String> {
    m.property(name)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// Who sent a message: this process (our client) or a libzmq peer
/// process, whose pid is not known here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sender {
    ThisProcess,
    OtherProcess,
}

/// Checks `Peer-Address` as libzmq forms it: `127.0.0.1` over tcp;
/// `localhost:uid:gid:pid` over ipc, with this process's uid and gid (the
/// peer runs as the same user) and the sender's pid.
fn assert_peer_address(m: &Message, transport: &str, sender: Sender) {
    let address = property(m, "Peer-Address").unwrap_or_default();
    if transport == "tcp" {
        assert_eq!(address, "127.0.0.1");
        return;
    }
    // This process's ids, read from /proc (no libc dependency).
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap()
            .to_owned()
    };
    let prefix = format!("localhost:{}:{}:", field("Uid:"), field("Gid:"));
    let pid = address
        .strip_prefix(&prefix)
        .and_then(|pid| pid.parse::<u32>().ok())
        .unwrap_or_else(|| panic!("{address:?} is not {prefix}pid"));
    assert_eq!(
        pid == std::process::id(),
        sender == Sender::ThisProcess,
        "{address}"
    );
}

/// Every property a message from a PLAIN or CURVE client the
/// authenticator accepted must carry.
fn assert_properties(m: &Message, user: &str, socket_type: &str, transport: &str, sender: Sender) {
    let context = format!("{transport}: {:?}", m.metadata());
    assert_eq!(property(m, "User-Id").as_deref(), Some(user), "{context}");
    assert_eq!(property(m, "user-id").as_deref(), Some(user), "{context}");
    assert_eq!(property(m, "X-Team").as_deref(), Some("blue"), "{context}");
    assert_eq!(
        property(m, "Socket-Type").as_deref(),
        Some(socket_type),
        "{context}"
    );
    assert_peer_address(m, transport, sender);
}

fn plain_client(ctx: &Context, socket_type: SocketType) -> Socket {
    let s = ctx.socket(socket_type).unwrap();
    s.set(opt::PlainUsername, Bytes::from_static(b"admin"))
        .unwrap();
    s.set(opt::PlainPassword, Bytes::from_static(b"secret"))
        .unwrap();
    s.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    s
}

fn plain_server(ctx: &Context, socket_type: SocketType, transport: &str) -> Socket {
    let s = ctx.socket(socket_type).unwrap();
    s.set(opt::PlainServer, true).unwrap();
    s.set_authenticator(Some(authenticator()));
    s.bind(wildcard(transport)).unwrap();
    s
}

/// PLAIN PUSH -> PULL: every received message carries the ZAP user id
/// and metadata, the peer's Socket-Type and the Peer-Address (27-R25).
#[tokio::test]
async fn plain_pull_messages_carry_user_id_metadata_and_peer_address_27_r25() {
    for transport in ["tcp", "ipc"] {
        let ctx = Context::new().unwrap();
        let pull = plain_server(&ctx, SocketType::Pull, transport);
        let push = plain_client(&ctx, SocketType::Push);
        push.connect(&pull.last_endpoint()).unwrap();
        for body in ["one", "two", "three"] {
            push.send(body).within("send").await.unwrap();
        }
        push.send(Message::from_frames(["multi", "part"]))
            .within("send")
            .await
            .unwrap();
        for body in ["one", "two", "three"] {
            let m = recv(&pull).await;
            assert_eq!(m.frames()[0], body);
            assert_properties(&m, "admin", "PUSH", transport, Sender::ThisProcess);
        }
        let m = recv(&pull).await;
        assert_eq!(m.len(), 2);
        assert_properties(&m, "admin", "PUSH", transport, Sender::ThisProcess);
    }
}

/// CURVE DEALER -> ROUTER and REQ -> REP: the envelope the pattern adds
/// or strips keeps the message's properties; the client, which asked no
/// handler, sees the server's Socket-Type and no User-Id.
#[tokio::test]
async fn curve_router_and_rep_messages_carry_the_properties_27_r25() {
    for transport in ["tcp", "ipc"] {
        for (server_type, client_type) in [
            (SocketType::Router, SocketType::Dealer),
            (SocketType::Rep, SocketType::Req),
        ] {
            let ctx = Context::new().unwrap();
            let server_keys = zmtp::curve_keypair();
            let server = ctx.socket(server_type).unwrap();
            server.set(opt::CurveServer, true).unwrap();
            server
                .set(
                    opt::CurveSecretKey,
                    Bytes::copy_from_slice(&server_keys.secret().to_bytes()[..]),
                )
                .unwrap();
            server.set_authenticator(Some(authenticator()));
            server.bind(wildcard(transport)).unwrap();
            let client = ctx.socket(client_type).unwrap();
            let client_keys = zmtp::curve_keypair();
            client
                .set(
                    opt::CurveServerKey,
                    Bytes::copy_from_slice(server_keys.public().as_bytes()),
                )
                .unwrap();
            client
                .set(
                    opt::CurveSecretKey,
                    Bytes::copy_from_slice(&client_keys.secret().to_bytes()[..]),
                )
                .unwrap();
            client.set(opt::Linger, Some(Duration::ZERO)).unwrap();
            client.connect(&server.last_endpoint()).unwrap();
            client.send("request").within("send").await.unwrap();
            let m = recv(&server).await;
            assert_eq!(m.frames().last().unwrap(), "request");
            let client_name = if client_type == SocketType::Dealer {
                "DEALER"
            } else {
                "REQ"
            };
            assert_properties(&m, "alice", client_name, transport, Sender::ThisProcess);
            // Answer on the same envelope.
            server.send(m).within("send").await.unwrap();
            let back = recv(&client).await;
            assert_eq!(back.frames().last().unwrap(), "request");
            let server_name = if server_type == SocketType::Router {
                "ROUTER"
            } else {
                "REP"
            };
            assert_eq!(property(&back, "Socket-Type").as_deref(), Some(server_name));
            assert_eq!(property(&back, "User-Id"), None, "no handler asked");
            assert!(property(&back, "Peer-Address").is_some());
        }
    }
}

/// Without a handler a CURVE server accepts everyone (libzmq's rule) and,
/// as libzmq 4.3.5, its messages carry no `User-Id` (none was given), but
/// the peer's properties and `Peer-Address`.
#[tokio::test]
async fn curve_without_handler_gives_no_user_id() {
    let ctx = Context::new().unwrap();
    let server_keys = zmtp::curve_keypair();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set(opt::CurveServer, true).unwrap();
    pull.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&server_keys.secret().to_bytes()[..]),
    )
    .unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set(
        opt::CurveServerKey,
        Bytes::copy_from_slice(server_keys.public().as_bytes()),
    )
    .unwrap();
    push.set(
        opt::CurveSecretKey,
        Bytes::copy_from_slice(&zmtp::curve_keypair().secret().to_bytes()[..]),
    )
    .unwrap();
    push.set(opt::Linger, Some(Duration::ZERO)).unwrap();
    push.connect(&pull.last_endpoint()).unwrap();
    push.send("stonehouse").within("send").await.unwrap();
    let m = recv(&pull).await;
    assert_eq!(property(&m, "User-Id"), None, "{:?}", m.metadata());
    assert_eq!(property(&m, "Socket-Type").as_deref(), Some("PUSH"));
    assert_peer_address(&m, "tcp", Sender::ThisProcess);
}

/// libzmq puts `Peer-Address` ahead of what the peer says about itself,
/// so a peer cannot claim another address in its READY metadata. A raw
/// NULL peer tries: our PULL must still report the real address.
#[tokio::test]
async fn a_peer_cannot_claim_a_peer_address() {
    let listener = raw::RawPeer::listen().await;
    let ctx = Context::new().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.connect(&listener.endpoint()).unwrap();
    let mut peer = listener.accept().await;
    let mut ready = raw::ready(b"PUSH");
    ready.push(12);
    ready.extend(b"Peer-Address");
    ready.extend(7u32.to_be_bytes());
    ready.extend(b"6.6.6.6");
    ready[1] = u8::try_from(ready.len() - 2).unwrap();
    peer.send(&raw::greeting()).await;
    peer.send(&ready).await;
    peer.send(&[0x00, 1, b'x']).await;
    let m = recv(&pull).await;
    assert_eq!(m.frames()[0], "x");
    assert_eq!(
        property(&m, "Peer-Address").as_deref(),
        Some("127.0.0.1"),
        "{:?}",
        m.metadata()
    );
}

/// A message the application builds has no properties.
#[test]
fn an_application_message_has_no_properties() {
    assert!(Message::from("x").metadata().is_none());
}

/// Two messages from the libzmq PUSH `peer` reach `pull` with every
/// property.
async fn check(pull: &Socket, peer: &mut Peer, user: &str, transport: &str) {
    for body in ["one", "two"] {
        peer.command_ok(&format!(r#"{{"op":"send","frames":["{body}","tail"]}}"#))
            .await;
        let m = recv(pull).await;
        assert_eq!(m.frames()[0], body);
        assert_properties(&m, user, "PUSH", transport, Sender::OtherProcess);
    }
}

/// libzmq PLAIN client -> our PLAIN server with an authenticator.
#[tokio::test]
async fn libzmq_plain_client_messages_carry_the_zap_user_id_27_r25() {
    for transport in ["tcp", "ipc"] {
        let ctx = Context::new().unwrap();
        let pull = ctx.socket(SocketType::Pull).unwrap();
        pull.set(opt::PlainServer, true).unwrap();
        pull.set_authenticator(Some(authenticator()));
        pull.bind(wildcard(transport)).unwrap();
        let options = ["PLAIN_USERNAME=admin", "PLAIN_PASSWORD=secret"];
        let Some(mut peer) =
            Peer::start(SocketType::Push, "connect", &pull.last_endpoint(), &options).await
        else {
            return;
        };
        check(&pull, &mut peer, "admin", transport).await;
        peer.exit().await;
    }
}

/// libzmq CURVE client -> our CURVE server with an authenticator.
#[tokio::test]
async fn libzmq_curve_client_messages_carry_the_zap_user_id_27_r25() {
    for transport in ["tcp", "ipc"] {
        let ctx = Context::new().unwrap();
        let server = zmtp::curve_keypair();
        let client = zmtp::curve_keypair();
        let pull = ctx.socket(SocketType::Pull).unwrap();
        pull.set(opt::CurveServer, true).unwrap();
        pull.set(
            opt::CurveSecretKey,
            Bytes::from(server.secret().to_z85().to_string()),
        )
        .unwrap();
        pull.set_authenticator(Some(authenticator()));
        pull.bind(wildcard(transport)).unwrap();
        let options = [
            format!("CURVE_SERVERKEY={}", server.public().to_z85()),
            format!("CURVE_PUBLICKEY={}", client.public().to_z85()),
            format!("CURVE_SECRETKEY={}", &*client.secret().to_z85()),
        ];
        let options: Vec<&str> = options.iter().map(String::as_str).collect();
        let Some(mut peer) =
            Peer::start(SocketType::Push, "connect", &pull.last_endpoint(), &options).await
        else {
            return;
        };
        check(&pull, &mut peer, "alice", transport).await;
        peer.exit().await;
    }
}
