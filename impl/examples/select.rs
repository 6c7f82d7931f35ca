//! Waiting on several things at once with `tokio::select!`: a SUB socket's
//! `recv()`, a second socket's, a timer and Ctrl-C, whichever comes first.
//! `recv()` is cancel-safe: when another branch wins, no message is lost;
//! it stays queued for the next `recv()`.
//!
//! `cargo run -p zmtp --example select`.

use std::time::Duration;

use zmtp::{Context, SocketType, msg, opt};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let ctx = Context::new()?;
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind("inproc://news")?;
    let news = ctx.socket(SocketType::Sub)?;
    news.set(opt::Subscribe, "weather".into())?;
    news.connect("inproc://news")?;

    let jobs = ctx.socket(SocketType::Pull)?;
    jobs.bind("inproc://jobs")?;
    let producer = ctx.socket(SocketType::Push)?;
    producer.connect("inproc://jobs")?;

    // Something to receive on both sockets, a little later.
    tokio::spawn(async move {
        for n in 0..3 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            publisher
                .send(msg!["weather", format!("{n} degrees")])
                .await?;
            producer.send(format!("job {n}")).await?;
        }
        // Keep both sockets open until main has read everything.
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok::<(), zmtp::Error>(())
    });

    let (mut seen, mut idle) = (0, 0);
    while seen < 6 {
        tokio::select! {
            m = news.recv() => {
                let m = m?;
                println!("news: {}", String::from_utf8_lossy(&m.frames()[1]));
                seen += 1;
            }
            m = jobs.recv() => {
                println!("job: {}", String::from_utf8_lossy(&m?.frames()[0]));
                seen += 1;
            }
            () = tokio::time::sleep(Duration::from_millis(500)) => {
                // Every wait is bounded: give up after a few quiet spells.
                idle += 1;
                println!("nothing for 500 ms");
                if idle == 3 {
                    break;
                }
            }
            _ = tokio::signal::ctrl_c() => {
                println!("interrupted");
                break;
            }
        }
    }
    println!("{seen} messages");
    Ok(())
}
