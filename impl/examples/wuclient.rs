//! Weather update client: a SUB socket subscribed to one zipcode,
//! averaging the temperature over 100 updates.
//!
//! `cargo run -p zmtp --example wuclient -- [ZIPCODE] [ENDPOINT]`
//! (defaults `10001`, `tcp://localhost:5556`).

use zmtp::{Context, SocketType};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let mut args = std::env::args().skip(1);
    let zipcode = args.next().unwrap_or_else(|| "10001".to_owned());
    let endpoint = args
        .next()
        .unwrap_or_else(|| "tcp://localhost:5556".to_owned());
    let ctx = Context::new()?;
    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.connect(&endpoint)?;
    subscriber.subscribe(format!("{zipcode} "))?;
    let mut total = 0i64;
    for _ in 0..100 {
        let update = subscriber.recv().await?;
        let text = String::from_utf8_lossy(&update.frames()[0]).into_owned();
        let temperature: i64 = text
            .split(' ')
            .nth(1)
            .and_then(|t| t.parse().ok())
            .unwrap_or_default();
        total += temperature;
    }
    println!(
        "average temperature for zipcode {zipcode} was {}F",
        total / 100
    );
    Ok(())
}
