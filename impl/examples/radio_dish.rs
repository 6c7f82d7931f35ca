//! Draft RADIO/DISH (RFC 48): a DISH joins the group "weather" and
//! receives only its messages; the RADIO checks each peer's groups before
//! sending (37-R52). The RADIO drops what no dish has joined, so it keeps
//! sending until the JOIN has arrived.
//!
//! `cargo run -p zmtp --example radio_dish`.

use std::time::Duration;

use zmtp::{Context, SocketType};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let ctx = Context::new()?;
    let radio = ctx.socket(SocketType::Radio)?;
    radio.bind("tcp://127.0.0.1:*")?;
    let dish = ctx.socket(SocketType::Dish)?;
    dish.join("weather")?;
    dish.connect(&radio.last_endpoint())?;

    let mut received = 0;
    let mut n = 0;
    while received < 3 {
        n += 1;
        radio.send_group("sport", format!("score {n}"))?;
        radio.send_group("weather", format!("forecast {n}"))?;
        if let Ok(got) = tokio::time::timeout(Duration::from_millis(50), dish.recv_group()).await {
            let (group, body) = got?;
            let body = body.frames().first().cloned().unwrap_or_default();
            println!(
                "dish: [{}] {}",
                String::from_utf8_lossy(&group),
                String::from_utf8_lossy(&body)
            );
            received += 1;
        }
    }
    Ok(())
}
