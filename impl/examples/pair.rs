//! PAIR sockets signalling between tasks over inproc: three steps each
//! wait for the previous one's "READY".
//!
//! `cargo run -p zmtp --example pair`.

use zmtp::{Context, SocketType};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let ctx = Context::new()?;
    let receiver = ctx.socket(SocketType::Pair)?;
    receiver.bind("inproc://step3")?;

    let ctx2 = ctx.clone();
    let step2 = tokio::spawn(async move {
        let receiver = ctx2.socket(SocketType::Pair)?;
        receiver.bind("inproc://step2")?;
        let ctx3 = ctx2.clone();
        let step1 = tokio::spawn(async move {
            let xmitter = ctx3.socket(SocketType::Pair)?;
            xmitter.connect("inproc://step2")?;
            println!("step 1 ready, signaling step 2");
            xmitter.send("READY").await
        });
        receiver.recv().await?;
        step1
            .await
            .map_err(|e| zmtp::Error::Io(std::io::Error::other(e)))??;
        let xmitter = ctx2.socket(SocketType::Pair)?;
        xmitter.connect("inproc://step3")?;
        println!("step 2 ready, signaling step 3");
        xmitter.send("READY").await
    });
    receiver.recv().await?;
    step2
        .await
        .map_err(|e| zmtp::Error::Io(std::io::Error::other(e)))??;
    println!("test successful!");
    Ok(())
}
