//! Load-balancing broker: clients (REQ) talk to a frontend ROUTER, workers
//! (REQ) to a backend ROUTER; the broker hands each request to the next
//! ready worker. Everything runs in this process over inproc.
//!
//! `cargo run -p zmtp --example lbbroker`.

use std::collections::VecDeque;

use zmtp::{Bytes, Context, Message, SocketType};

const CLIENTS: usize = 10;
const WORKERS: usize = 3;

async fn client(ctx: Context, id: usize) -> zmtp::Result<()> {
    let s = ctx.socket(SocketType::Req)?;
    s.connect("inproc://frontend")?;
    s.send(format!("HELLO from client {id}")).await?;
    let reply = s.recv().await?;
    println!(
        "client {id}: {}",
        String::from_utf8_lossy(&reply.frames()[0])
    );
    Ok(())
}

async fn worker(ctx: Context, id: usize) -> zmtp::Result<()> {
    let s = ctx.socket(SocketType::Req)?;
    s.connect("inproc://backend")?;
    s.send("READY").await?;
    loop {
        // [client id, "", request]
        let mut m = s.recv().await?;
        let request = m.frames_mut().pop().unwrap_or_default();
        println!("worker {id}: {}", String::from_utf8_lossy(&request));
        m.push(Bytes::from_static(b"OK"));
        s.send(m).await?;
    }
}

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let ctx = Context::new()?;
    let frontend = ctx.socket(SocketType::Router)?;
    let backend = ctx.socket(SocketType::Router)?;
    frontend.bind("inproc://frontend")?;
    backend.bind("inproc://backend")?;
    for id in 0..CLIENTS {
        tokio::spawn(client(ctx.clone(), id));
    }
    for id in 0..WORKERS {
        tokio::spawn(worker(ctx.clone(), id));
    }
    let mut ready: VecDeque<Bytes> = VecDeque::new();
    let mut served = 0;
    while served < CLIENTS {
        tokio::select! {
            // Workers: [worker id, "", "READY"] or [worker id, "", client id, "", reply].
            m = backend.recv() => {
                let mut frames = m?.into_frames().into_iter();
                let (Some(worker), Some(_)) = (frames.next(), frames.next()) else { continue };
                ready.push_back(worker);
                let rest: Vec<Bytes> = frames.collect();
                if rest.len() == 3 {
                    frontend.send(Message::from(rest)).await?;
                    served += 1;
                }
            }
            // Clients, only while a worker is ready: [client id, "", request].
            m = frontend.recv(), if !ready.is_empty() => {
                let m = m?;
                let Some(worker) = ready.pop_front() else { continue };
                let mut out = Message::from(vec![worker, Bytes::new()]);
                for f in m {
                    out.push(f);
                }
                backend.send(out).await?;
            }
        }
    }
    println!("served {served} clients");
    Ok(())
}
