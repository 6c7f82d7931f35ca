//! Weather update server: a PUB socket publishing random "zipcode
//! temperature humidity" updates.
//!
//! `cargo run -p zmtp --example wuserver -- [ENDPOINT] [COUNT]`
//! (default `tcp://*:5556`, forever). Pair it with `wuclient`.

use zmtp::{Context, SocketType};

/// A small xorshift generator, so the example needs no extra crate.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let mut args = std::env::args().skip(1);
    let endpoint = args.next().unwrap_or_else(|| "tcp://*:5556".to_owned());
    let count: Option<u64> = args.next().and_then(|c| c.parse().ok());
    let ctx = Context::new()?;
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(&endpoint)?;
    println!("publishing on {}", publisher.last_endpoint());
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut sent = 0;
    while count.is_none_or(|c| sent < c) {
        let zipcode = rng.below(100_000);
        let temperature = rng.below(215) as i64 - 80;
        let humidity = rng.below(50) + 10;
        publisher
            .send(format!("{zipcode:05} {temperature} {humidity}"))
            .await?;
        sent += 1;
        if sent % 1000 == 0 {
            tokio::task::yield_now().await;
        }
    }
    Ok(())
}
