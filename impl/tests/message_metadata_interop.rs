//! 27-R25 with libzmq 4.3.5 (pyzmq) as the client: a libzmq PLAIN or
//! CURVE PUSH sends to our PULL server, whose authenticator accepts it
//! with a user id and metadata; every message our `recv` returns carries
//! that `User-Id`, the metadata, the peer's `Socket-Type` and our
//! `Peer-Address`. Without the interpreter the test prints why and
//! passes, unless `ZMTP_REQUIRE_PEERS=1`.

// A test fails by panicking.
#![allow(clippy::unwrap_used)]

#[path = "interop/peer.rs"]
#[allow(dead_code)]
mod peer;

use std::sync::Arc;
use std::time::Duration;

use peer::Peer;
use zmtp::{Bytes, Context, Message, Socket, SocketType, opt};
use zmtp_spec::security::zap::{FnAuthenticator, StatusCode, ZapRequest};
use zmtp_spec::security::{Authenticator, KeyPair};

/// Bounds every receive: a message that never comes fails the test
/// instead of hanging it (no timing is asserted).
const LIMIT: Duration = Duration::from_secs(20);

fn authenticator() -> Arc<dyn Authenticator> {
    Arc::new(FnAuthenticator(|r: &ZapRequest| {
        let user = match &r.mechanism[..] {
            b"PLAIN" if r.credentials == [&b"admin"[..], &b"secret"[..]] => "admin",
            b"CURVE" => "curve-user",
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

async fn check(pull: &Socket, peer: &mut Peer, user: &str, transport: &str) {
    for body in ["one", "two"] {
        peer.command_ok(&format!(r#"{{"op":"send","frames":["{body}","tail"]}}"#))
            .await;
        let m = tokio::time::timeout(LIMIT, pull.recv())
            .await
            .expect("the peer's message within the limit")
            .unwrap();
        let context = format!("{transport}: {:?}", m.metadata());
        assert_eq!(m.frames()[0], body, "{context}");
        assert_eq!(property(&m, "User-Id").as_deref(), Some(user), "{context}");
        assert_eq!(property(&m, "X-Team").as_deref(), Some("blue"), "{context}");
        assert_eq!(
            property(&m, "Socket-Type").as_deref(),
            Some("PUSH"),
            "{context}"
        );
        let address = property(&m, "Peer-Address").unwrap_or_default();
        if transport == "tcp" {
            assert_eq!(address, "127.0.0.1", "{context}");
        } else {
            assert!(address.starts_with("localhost:"), "{context}");
        }
    }
}

fn endpoint(transport: &str) -> &'static str {
    if transport == "tcp" {
        "tcp://127.0.0.1:*"
    } else {
        "ipc://*"
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
        pull.bind(endpoint(transport)).unwrap();
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
        let server = KeyPair::generate();
        let client = KeyPair::generate();
        let pull = ctx.socket(SocketType::Pull).unwrap();
        pull.set(opt::CurveServer, true).unwrap();
        pull.set(
            opt::CurveSecretKey,
            Bytes::from(server.secret().to_z85().to_string()),
        )
        .unwrap();
        pull.set_authenticator(Some(authenticator()));
        pull.bind(endpoint(transport)).unwrap();
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
        check(&pull, &mut peer, "curve-user", transport).await;
        peer.exit().await;
    }
}
