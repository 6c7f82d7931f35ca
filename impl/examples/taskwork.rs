//! Task worker: pulls tasks from the ventilator, "works" for the given
//! number of milliseconds, and pushes a result to the sink.
//!
//! `cargo run -p zmtp --example taskwork` (start several).

use std::time::Duration;

use zmtp::{Context, SocketType};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let ctx = Context::new()?;
    let receiver = ctx.socket(SocketType::Pull)?;
    receiver.connect("tcp://localhost:5557")?;
    let sender = ctx.socket(SocketType::Push)?;
    sender.connect("tcp://localhost:5558")?;
    loop {
        let task = receiver.recv().await?;
        let ms: u64 = String::from_utf8_lossy(&task.frames()[0])
            .parse()
            .unwrap_or(0);
        print!(".");
        tokio::time::sleep(Duration::from_millis(ms)).await;
        sender.send("").await?;
    }
}
