//! PUSH -> PULL throughput over one transport, both ends in this process.
//!
//! `cargo run --release -p zmtp --example throughput -- [COUNT] [SIZE] [ENDPOINT] [curve]`
//! (defaults: 1000000 messages of 64 octets over `tcp://127.0.0.1:*`).
//! With `curve` (as libzmq's perf tools take it), the PULL is a CURVE
//! server and the PUSH its client: every message is boxed.

use std::time::Instant;

use zmtp::security::KeyPair;
use zmtp::{Bytes, Context, SocketType, opt};

#[tokio::main]
async fn main() -> zmtp::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let size: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);
    let endpoint = args
        .next()
        .unwrap_or_else(|| "tcp://127.0.0.1:*".to_owned());
    let curve = args.next().is_some_and(|a| a == "curve");

    let ctx = Context::new()?;
    let pull = ctx.socket(SocketType::Pull)?;
    let push = ctx.socket(SocketType::Push)?;
    if curve {
        let server = zmtp::curve_keypair();
        let client = zmtp::curve_keypair();
        pull.set(opt::CurveServer, true)?;
        pull.set(opt::CurveSecretKey, secret(&server))?;
        push.set(opt::CurveServerKey, Bytes::from(server.public().to_z85()))?;
        push.set(opt::CurveSecretKey, secret(&client))?;
    }
    pull.bind(&endpoint)?;
    push.connect(&pull.last_endpoint())?;

    let payload = Bytes::from(vec![0x5a_u8; size]);
    let sender = tokio::spawn(async move {
        for _ in 0..count {
            push.send(payload.clone()).await?;
        }
        Ok::<_, zmtp::Error>(push)
    });

    // The clock starts at the first message, as libzmq's local_thr does.
    let first = pull.recv().await?;
    assert_eq!(first.byte_len(), size);
    let start = Instant::now();
    for _ in 1..count {
        pull.recv().await?;
    }
    let elapsed = start.elapsed();
    let _push = sender
        .await
        .map_err(|e| zmtp::Error::Io(std::io::Error::other(e)))??;
    let rate = (count - 1) as f64 / elapsed.as_secs_f64();
    println!(
        "{count} messages of {size} octets over {endpoint}{}: {:.3} s, {:.0} msg/s, {:.1} Mb/s",
        if curve { " with CURVE" } else { "" },
        elapsed.as_secs_f64(),
        rate,
        rate * size as f64 * 8.0 / 1e6
    );
    Ok(())
}

/// A secret key as the option takes it.
fn secret(keys: &KeyPair) -> Bytes {
    Bytes::copy_from_slice(&keys.secret().to_bytes()[..])
}
