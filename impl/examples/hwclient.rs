//! Hello World client: a REQ socket sending 10 requests and waiting for
//! each reply. Uses the blocking facade, from a plain `main`.
//!
//! `cargo run -p zmtp --example hwclient -- [ENDPOINT]`
//! (default `tcp://localhost:5555`). Start `hwserver` first (or after:
//! the client reconnects).

use zmtp::{Context, SocketType};

fn main() -> zmtp::Result<()> {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tcp://localhost:5555".to_owned());
    let ctx = Context::new()?;
    let client = ctx.socket(SocketType::Req)?;
    client.connect(&endpoint)?;
    for i in 0..10 {
        println!("sending Hello {i}");
        client.send_blocking("Hello")?;
        let reply = client.recv_blocking()?;
        println!(
            "received {:?} {i}",
            String::from_utf8_lossy(&reply.frames()[0])
        );
    }
    Ok(())
}
