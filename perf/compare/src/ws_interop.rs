//! `ws-interop`: zmtp against libzmq over ws:// (ZWS 2.0), both ways.
//!
//! The libzmq the `zmq` crate builds (4.3.4, vendored) has the ws
//! transport, though its `zmq_has("ws")` answers no (4.3.4 compares the
//! name with "WS"); no other libzmq installed here has it. This lives in
//! perf/compare because that is the workspace that builds this libzmq (the
//! main one never does). For REQ/REP, DEALER/ROUTER, PUSH/PULL, PUB/SUB and
//! PAIR, each way round and with either side binding, a message goes each
//! way the pattern allows and is checked. Every wait is bounded: libzmq's
//! sockets have RCVTIMEO, SNDTIMEO and LINGER, zmtp's waits a tokio
//! timeout. Exits non-zero on the first failure.

use std::time::Duration;

use zmtp::{Context, Message, Socket, SocketType, opt};

/// How long one wait may take.
const LIMIT: Duration = Duration::from_secs(5);
const LIMIT_MS: i32 = 5_000;

type Result<T> = std::result::Result<T, String>;

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn z(e: zmq::Error) -> String {
    format!("libzmq: {e}")
}

fn libzmq_socket(ctx: &zmq::Context, kind: zmq::SocketType) -> Result<zmq::Socket> {
    let s = ctx.socket(kind).map_err(z)?;
    s.set_rcvtimeo(LIMIT_MS).map_err(z)?;
    s.set_sndtimeo(LIMIT_MS).map_err(z)?;
    s.set_linger(0).map_err(z)?;
    Ok(s)
}

fn zmtp_socket(ctx: &Context, kind: SocketType) -> Result<Socket> {
    let s = ctx.socket(kind).map_err(|e| e.to_string())?;
    s.set(opt::Linger, Some(Duration::ZERO))
        .map_err(|e| e.to_string())?;
    Ok(s)
}

async fn zmtp_recv(s: &Socket) -> Result<Vec<Vec<u8>>> {
    let m = tokio::time::timeout(LIMIT, s.recv())
        .await
        .map_err(|_| "zmtp: no message within the limit".to_owned())?
        .map_err(|e| e.to_string())?;
    Ok(m.frames().iter().map(|f| f.to_vec()).collect())
}

async fn zmtp_send(s: &Socket, frames: &[&[u8]]) -> Result<()> {
    let m = Message::from_frames(frames.iter().map(|f| bytes::Bytes::copy_from_slice(f)));
    tokio::time::timeout(LIMIT, s.send(m))
        .await
        .map_err(|_| "zmtp: send did not complete".to_owned())?
        .map_err(|e| e.to_string())
}

/// libzmq's blocking receive, off the runtime's thread.
async fn libzmq_recv(s: &std::sync::Arc<std::sync::Mutex<zmq::Socket>>) -> Result<Vec<Vec<u8>>> {
    let s = s.clone();
    tokio::task::spawn_blocking(move || {
        let s = s.lock().map_err(|_| "poisoned".to_owned())?;
        s.recv_multipart(0).map_err(z)
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn libzmq_send(
    s: &std::sync::Arc<std::sync::Mutex<zmq::Socket>>,
    frames: &[&[u8]],
) -> Result<()> {
    let s = s.clone();
    let frames: Vec<Vec<u8>> = frames.iter().map(|f| f.to_vec()).collect();
    tokio::task::spawn_blocking(move || {
        let s = s.lock().map_err(|_| "poisoned".to_owned())?;
        s.send_multipart(frames, 0).map_err(z)
    })
    .await
    .map_err(|e| e.to_string())?
}

fn expect(what: &str, got: &[Vec<u8>], want: &[&[u8]]) -> Result<()> {
    if got.iter().map(Vec::as_slice).eq(want.iter().copied()) {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, expected {want:?}"))
    }
}

/// Which side binds.
#[derive(Clone, Copy, Debug)]
enum Binder {
    Zmtp,
    Libzmq,
}

type Shared = std::sync::Arc<std::sync::Mutex<zmq::Socket>>;

/// A zmtp socket and a libzmq one, connected over ws.
fn pair(
    ctx: &Context,
    zctx: &zmq::Context,
    ours: SocketType,
    theirs: zmq::SocketType,
    binder: Binder,
) -> Result<(Socket, Shared)> {
    let s = zmtp_socket(ctx, ours)?;
    let l = libzmq_socket(zctx, theirs)?;
    if ours == SocketType::Dealer {
        s.set(opt::RoutingId, bytes::Bytes::from_static(b"zmtp"))
            .map_err(|e| e.to_string())?;
    }
    if theirs == zmq::DEALER {
        l.set_identity(b"libzmq").map_err(z)?;
    }
    let endpoint = format!("ws://127.0.0.1:{}/interop", free_port()?);
    match binder {
        Binder::Zmtp => {
            s.bind(&endpoint).map_err(|e| e.to_string())?;
            l.connect(&endpoint).map_err(z)?;
        }
        Binder::Libzmq => {
            l.bind(&endpoint).map_err(z)?;
            s.connect(&endpoint).map_err(|e| e.to_string())?;
        }
    }
    Ok((s, std::sync::Arc::new(std::sync::Mutex::new(l))))
}

async fn one(ctx: &Context, zctx: &zmq::Context, name: &str, binder: Binder) -> Result<()> {
    match name {
        "zmtp REQ, libzmq REP" => {
            let (req, rep) = pair(ctx, zctx, SocketType::Req, zmq::REP, binder)?;
            zmtp_send(&req, &[b"question"]).await?;
            expect("libzmq REP", &libzmq_recv(&rep).await?, &[b"question"])?;
            libzmq_send(&rep, &[b"answer"]).await?;
            expect("zmtp REQ", &zmtp_recv(&req).await?, &[b"answer"])
        }
        "libzmq REQ, zmtp REP" => {
            let (rep, req) = pair(ctx, zctx, SocketType::Rep, zmq::REQ, binder)?;
            libzmq_send(&req, &[b"question"]).await?;
            expect("zmtp REP", &zmtp_recv(&rep).await?, &[b"question"])?;
            zmtp_send(&rep, &[b"answer"]).await?;
            expect("libzmq REQ", &libzmq_recv(&req).await?, &[b"answer"])
        }
        "zmtp DEALER, libzmq ROUTER" => {
            let (dealer, router) = pair(ctx, zctx, SocketType::Dealer, zmq::ROUTER, binder)?;
            zmtp_send(&dealer, &[b"", b"up"]).await?;
            expect(
                "libzmq ROUTER",
                &libzmq_recv(&router).await?,
                &[b"zmtp", b"", b"up"],
            )?;
            libzmq_send(&router, &[b"zmtp", b"", b"down"]).await?;
            expect("zmtp DEALER", &zmtp_recv(&dealer).await?, &[b"", b"down"])
        }
        "libzmq DEALER, zmtp ROUTER" => {
            let (router, dealer) = pair(ctx, zctx, SocketType::Router, zmq::DEALER, binder)?;
            libzmq_send(&dealer, &[b"", b"up"]).await?;
            expect(
                "zmtp ROUTER",
                &zmtp_recv(&router).await?,
                &[b"libzmq", b"", b"up"],
            )?;
            zmtp_send(&router, &[b"libzmq", b"", b"down"]).await?;
            expect(
                "libzmq DEALER",
                &libzmq_recv(&dealer).await?,
                &[b"", b"down"],
            )
        }
        "zmtp PUSH, libzmq PULL" => {
            let (push, pull) = pair(ctx, zctx, SocketType::Push, zmq::PULL, binder)?;
            for i in 0..100u32 {
                zmtp_send(&push, &[&i.to_be_bytes(), b"two"]).await?;
            }
            for i in 0..100u32 {
                expect(
                    "libzmq PULL",
                    &libzmq_recv(&pull).await?,
                    &[&i.to_be_bytes(), b"two"],
                )?;
            }
            Ok(())
        }
        "libzmq PUSH, zmtp PULL" => {
            let (pull, push) = pair(ctx, zctx, SocketType::Pull, zmq::PUSH, binder)?;
            for i in 0..100u32 {
                libzmq_send(&push, &[&i.to_be_bytes()]).await?;
            }
            for i in 0..100u32 {
                expect("zmtp PULL", &zmtp_recv(&pull).await?, &[&i.to_be_bytes()])?;
            }
            Ok(())
        }
        "zmtp PUB, libzmq SUB" => {
            let (publisher, sub) = pair(ctx, zctx, SocketType::Pub, zmq::SUB, binder)?;
            sub.lock()
                .map_err(|_| "poisoned".to_owned())?
                .set_subscribe(b"a")
                .map_err(z)?;
            // The subscription takes a moment to arrive: publish until a
            // matching message is read (libzmq's SUB receives with a short
            // timeout here).
            sub.lock()
                .map_err(|_| "poisoned".to_owned())?
                .set_rcvtimeo(50)
                .map_err(z)?;
            for _ in 0..100 {
                zmtp_send(&publisher, &[b"b-unwanted"]).await?;
                zmtp_send(&publisher, &[b"a-wanted"]).await?;
                if let Ok(got) = libzmq_recv(&sub).await {
                    return expect("libzmq SUB", &got, &[b"a-wanted"]);
                }
            }
            Err("libzmq SUB: no matching message in 100 rounds".into())
        }
        "libzmq PUB, zmtp SUB" => {
            let (sub, publisher) = pair(ctx, zctx, SocketType::Sub, zmq::PUB, binder)?;
            sub.subscribe("a").map_err(|e| e.to_string())?;
            for _ in 0..100 {
                libzmq_send(&publisher, &[b"b-unwanted"]).await?;
                libzmq_send(&publisher, &[b"a-wanted"]).await?;
                if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_millis(50), sub.recv()).await
                {
                    let got: Vec<Vec<u8>> = m.frames().iter().map(|f| f.to_vec()).collect();
                    return expect("zmtp SUB", &got, &[b"a-wanted"]);
                }
            }
            Err("zmtp SUB: no matching message in 100 rounds".into())
        }
        "zmtp PAIR, libzmq PAIR" => {
            let (ours, theirs) = pair(ctx, zctx, SocketType::Pair, zmq::PAIR, binder)?;
            zmtp_send(&ours, &[b"ping"]).await?;
            expect("libzmq PAIR", &libzmq_recv(&theirs).await?, &[b"ping"])?;
            libzmq_send(&theirs, &[b"pong"]).await?;
            expect("zmtp PAIR", &zmtp_recv(&ours).await?, &[b"pong"])
        }
        other => Err(format!("no exchange named {other}")),
    }
}

const EXCHANGES: [&str; 9] = [
    "zmtp REQ, libzmq REP",
    "libzmq REQ, zmtp REP",
    "zmtp DEALER, libzmq ROUTER",
    "libzmq DEALER, zmtp ROUTER",
    "zmtp PUSH, libzmq PULL",
    "libzmq PUSH, zmtp PULL",
    "zmtp PUB, libzmq SUB",
    "libzmq PUB, zmtp SUB",
    "zmtp PAIR, libzmq PAIR",
];

/// Runs every exchange with each side binding; prints one line each.
pub fn run() -> Result<()> {
    let (major, minor, patch) = zmq::version();
    println!(
        "libzmq {major}.{minor}.{patch} (the zmq crate's), zmq_has(\"ws\") = {}",
        zmq::has("ws").unwrap_or(false)
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let ctx = Context::new().map_err(|e| e.to_string())?;
        let zctx = zmq::Context::new();
        let mut failed = 0;
        for name in EXCHANGES {
            for binder in [Binder::Zmtp, Binder::Libzmq] {
                let bound = match binder {
                    Binder::Zmtp => "zmtp binds",
                    Binder::Libzmq => "libzmq binds",
                };
                match tokio::time::timeout(LIMIT * 4, one(&ctx, &zctx, name, binder)).await {
                    Ok(Ok(())) => println!("ok    ws {name} ({bound})"),
                    Ok(Err(e)) => {
                        failed += 1;
                        println!("FAIL  ws {name} ({bound}): {e}");
                    }
                    Err(_) => {
                        failed += 1;
                        println!("FAIL  ws {name} ({bound}): timed out");
                    }
                }
            }
        }
        if failed == 0 {
            println!(
                "ws interop with libzmq: {} exchanges, all ok",
                EXCHANGES.len() * 2
            );
            Ok(())
        } else {
            Err(format!("ws interop with libzmq: {failed} failed"))
        }
    })
}
