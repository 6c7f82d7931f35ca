//! Ironhouse: CURVE encryption with client authentication. The server
//! knows its key pair and the one client public key it allows; the client
//! knows its key pair and the server's public key. A client with another
//! key is refused (ZAP status 400) and its request never arrives.
//!
//! `cargo run -p zmtp --example curve`

use std::sync::Arc;
use std::time::Duration;

use zmtp::security::zap::{FnAuthenticator, StatusCode, ZapRequest};
use zmtp::security::{KeyPair, PublicKey};
use zmtp::{Bytes, Context, MonitorEventKind, Socket, SocketType, opt};

/// A REQ client with its own key pair, for the server whose public key is
/// `server`.
fn client(ctx: &Context, keys: &KeyPair, server: &PublicKey) -> zmtp::Result<Socket> {
    let req = ctx.socket(SocketType::Req)?;
    req.set(opt::CurveServerKey, Bytes::from(server.to_z85()))?;
    req.set(opt::CurvePublicKey, Bytes::from(keys.public().to_z85()))?;
    req.set(
        opt::CurveSecretKey,
        Bytes::from(keys.secret().to_z85().to_string()),
    )?;
    req.set(opt::Linger, Some(Duration::ZERO))?;
    Ok(req)
}

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let server_keys = zmtp::curve_keypair();
    let client_keys = zmtp::curve_keypair();
    println!("server public key {}", server_keys.public());
    println!("client public key {}", client_keys.public());

    let ctx = Context::new()?;
    let server = ctx.socket(SocketType::Rep)?;
    server.set(opt::CurveServer, true)?;
    server.set(
        opt::CurveSecretKey,
        Bytes::from(server_keys.secret().to_z85().to_string()),
    )?;
    // The allow-list: one client key, known to the application as "alice".
    let allowed = *client_keys.public();
    server.set_authenticator(Some(Arc::new(FnAuthenticator(move |r: &ZapRequest| {
        if r.credentials
            .first()
            .is_some_and(|k| k[..] == allowed.as_bytes()[..])
        {
            r.accept("alice")
        } else {
            r.refuse(StatusCode::AuthenticationFailure, "unknown key")
        }
    }))));
    let mut events = server.monitor();
    server.bind("tcp://127.0.0.1:*")?;
    let endpoint = server.last_endpoint();

    // The allowed client.
    let good = client(&ctx, &client_keys, server_keys.public())?;
    good.connect(&endpoint)?;
    good.send("Hello, securely").await?;
    let request = server.recv().await?;
    println!(
        "server got {:?}",
        String::from_utf8_lossy(&request.frames()[0])
    );
    server.send("World, securely").await?;
    let reply = good.recv().await?;
    println!(
        "client got {:?}",
        String::from_utf8_lossy(&reply.frames()[0])
    );
    while let Some(e) = events.next().await {
        if e.kind == MonitorEventKind::HandshakeSucceeded {
            let user = e
                .properties
                .as_ref()
                .and_then(|p| p.get("User-Id").cloned());
            println!("server authenticated user {user:?}");
            break;
        }
    }

    // An unknown client: refused during the handshake.
    let stranger = client(&ctx, &zmtp::curve_keypair(), server_keys.public())?;
    let mut stranger_events = stranger.monitor();
    stranger.connect(&endpoint)?;
    stranger.send("let me in").await?;
    while let Some(e) = stranger_events.next().await {
        if let MonitorEventKind::HandshakeFailedAuth(status) = e.kind {
            println!("stranger refused with ZAP status {status}");
            break;
        }
    }
    Ok(())
}
