//! Draft CLIENT/SERVER (RFC 41): a SERVER answers each CLIENT through the
//! routing id its request came with; the CLIENT socket is shared by
//! several tasks (the draft types are thread-safe: one call sends or
//! receives one whole single-part message).
//!
//! `cargo run -p zmtp --example client_server`.

use std::sync::Arc;

use zmtp::{Context, SocketType};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let ctx = Context::new()?;
    let server = ctx.socket(SocketType::Server)?;
    server.bind("tcp://127.0.0.1:*")?;
    let client = Arc::new(ctx.socket(SocketType::Client)?);
    client.connect(&server.last_endpoint())?;

    let echo = tokio::spawn(async move {
        for _ in 0..3 {
            let (routing_id, request) = server.recv_from().await?;
            println!("server: {} from client {routing_id}", text(&request));
            server.send_to(routing_id, request).await?;
        }
        Ok::<(), zmtp::Error>(())
    });
    let mut tasks = Vec::new();
    for n in 0..3 {
        let client = Arc::clone(&client);
        tasks.push(tokio::spawn(async move {
            client.send(format!("hello {n}")).await
        }));
    }
    for t in tasks {
        t.await
            .map_err(|e| zmtp::Error::Io(std::io::Error::other(e)))??;
    }
    for _ in 0..3 {
        println!("client: {}", text(&client.recv().await?));
    }
    echo.await
        .map_err(|e| zmtp::Error::Io(std::io::Error::other(e)))??;
    Ok(())
}

fn text(m: &zmtp::Message) -> String {
    m.frames()
        .first()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .unwrap_or_default()
}
