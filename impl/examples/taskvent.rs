//! Task ventilator: pushes 100 tasks (a workload in milliseconds) to the
//! workers, after telling the sink that a batch starts.
//!
//! `cargo run -p zmtp --example taskvent` with `taskwork` (any number) and
//! `tasksink` running; ports 5557 (tasks) and 5558 (sink).

use zmtp::{Context, SocketType};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let ctx = Context::new()?;
    let sender = ctx.socket(SocketType::Push)?;
    sender.bind("tcp://*:5557")?;
    let sink = ctx.socket(SocketType::Push)?;
    sink.connect("tcp://localhost:5558")?;
    println!("press Enter when the workers are ready");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(zmtp::Error::Io)?;
    sink.send("0").await?;
    let mut total = 0;
    let mut seed = 0x9e37_79b9_u32;
    for _ in 0..100 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let workload = seed % 100 + 1;
        total += workload;
        sender.send(workload.to_string()).await?;
    }
    println!("total expected cost: {total} ms");
    // Dropping the sockets flushes what is queued (LINGER).
    Ok(())
}
