//! 27-R25 end to end: a message our socket's `recv` returns carries the
//! properties of the connection it came in on, as libzmq's `zmq_msg_gets`
//! shows them: the ZAP handler's `User-Id` and metadata, the peer's READY
//! properties (`Socket-Type`, `Identity`, `X-*`), and `Peer-Address` (the
//! peer's IP address over tcp; `localhost:uid:gid:pid` over ipc, as
//! libzmq 4.3.5 gives on Linux). PLAIN and CURVE, over tcp and ipc, through
//! the pattern machines of PULL, ROUTER and REP.

// A test fails by panicking.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use zmtp::{Bytes, Context, Message, Socket, SocketType, opt};
use zmtp_spec::security::zap::{FnAuthenticator, StatusCode, ZapRequest};
use zmtp_spec::security::{Authenticator, KeyPair};

/// Bounds every receive: a message that never comes fails the test
/// instead of hanging it (no timing is asserted).
const LIMIT: Duration = Duration::from_secs(10);

fn wildcard(transport: &str) -> &'static str {
    if transport == "tcp" {
        "tcp://127.0.0.1:*"
    } else {
        "ipc://*"
    }
}

async fn recv(socket: &Socket) -> Message {
    tokio::time::timeout(LIMIT, socket.recv())
        .await
        .expect("a message within the limit")
        .unwrap()
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

/// What libzmq puts in `Peer-Address` for a connection from this process.
fn expected_peer_address(transport: &str) -> String {
    if transport == "tcp" {
        "127.0.0.1".to_owned()
    } else {
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
        format!(
            "localhost:{}:{}:{}",
            field("Uid:"),
            field("Gid:"),
            std::process::id()
        )
    }
}

/// Every property a message from our PLAIN or CURVE client must carry.
fn assert_properties(m: &Message, user: &str, socket_type: &str, transport: &str) {
    let context = format!("{transport}: {:?}", m.metadata());
    assert_eq!(property(m, "User-Id").as_deref(), Some(user), "{context}");
    assert_eq!(property(m, "user-id").as_deref(), Some(user), "{context}");
    assert_eq!(property(m, "X-Team").as_deref(), Some("blue"), "{context}");
    assert_eq!(
        property(m, "Socket-Type").as_deref(),
        Some(socket_type),
        "{context}"
    );
    assert_eq!(
        property(m, "Peer-Address"),
        Some(expected_peer_address(transport)),
        "{context}"
    );
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
            push.send(body).await.unwrap();
        }
        push.send(Message::from_frames(["multi", "part"]))
            .await
            .unwrap();
        for body in ["one", "two", "three"] {
            let m = recv(&pull).await;
            assert_eq!(m.frames()[0], body);
            assert_properties(&m, "admin", "PUSH", transport);
        }
        let m = recv(&pull).await;
        assert_eq!(m.len(), 2);
        assert_properties(&m, "admin", "PUSH", transport);
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
            let server_keys = KeyPair::generate();
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
            let client_keys = KeyPair::generate();
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
            client.send("request").await.unwrap();
            let m = recv(&server).await;
            assert_eq!(m.frames().last().unwrap(), "request");
            let client_name = if client_type == SocketType::Dealer {
                "DEALER"
            } else {
                "REQ"
            };
            assert_properties(&m, "alice", client_name, transport);
            // Answer on the same envelope.
            server.send(m).await.unwrap();
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

/// A message the application builds has no properties.
#[test]
fn an_application_message_has_no_properties() {
    assert!(Message::from("x").metadata().is_none());
}
