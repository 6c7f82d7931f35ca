//! Hello World server: a REP socket that answers "World" to each request.
//!
//! `cargo run -p zmtp --example hwserver -- [ENDPOINT] [COUNT]`
//! (default `tcp://*:5555`, serving forever). Pair it with `hwclient`.

use zmtp::{Context, SocketType};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let mut args = std::env::args().skip(1);
    let endpoint = args.next().unwrap_or_else(|| "tcp://*:5555".to_owned());
    let count: Option<usize> = args.next().and_then(|c| c.parse().ok());
    let ctx = Context::new()?;
    let server = ctx.socket(SocketType::Rep)?;
    server.bind(&endpoint)?;
    println!("listening on {}", server.last_endpoint());
    let mut served = 0;
    while count.is_none_or(|c| served < c) {
        let request = server.recv().await?;
        println!(
            "received {:?}",
            String::from_utf8_lossy(&request.frames()[0])
        );
        server.send("World").await?;
        served += 1;
    }
    Ok(())
}
