//! Task sink: waits for the start of a batch, then collects 100 results
//! and reports the elapsed time.
//!
//! `cargo run -p zmtp --example tasksink`.

use std::time::Instant;

use zmtp::{Context, SocketType};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let ctx = Context::new()?;
    let receiver = ctx.socket(SocketType::Pull)?;
    receiver.bind("tcp://*:5558")?;
    receiver.recv().await?;
    let start = Instant::now();
    for i in 0..100 {
        receiver.recv().await?;
        print!("{}", if i % 10 == 0 { ':' } else { '.' });
    }
    println!("\ntotal elapsed time: {} ms", start.elapsed().as_millis());
    Ok(())
}
