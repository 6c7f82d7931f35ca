//! A shared queue: a ROUTER frontend for clients and a DEALER backend for
//! workers, joined by the built-in proxy.
//!
//! `cargo run -p zmtp --example msgqueue -- [FRONTEND] [BACKEND]`
//! (defaults `tcp://*:5559`, `tcp://*:5560`). Clients (REQ) connect to
//! the frontend, workers (REP) to the backend.

use zmtp::{Context, SocketType};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let mut args = std::env::args().skip(1);
    let front = args.next().unwrap_or_else(|| "tcp://*:5559".to_owned());
    let back = args.next().unwrap_or_else(|| "tcp://*:5560".to_owned());
    let ctx = Context::new()?;
    let frontend = ctx.socket(SocketType::Router)?;
    frontend.bind(&front)?;
    let backend = ctx.socket(SocketType::Dealer)?;
    backend.bind(&back)?;
    println!(
        "proxying {} <-> {}",
        frontend.last_endpoint(),
        backend.last_endpoint()
    );
    zmtp::proxy(&frontend, &backend, None).await
}
