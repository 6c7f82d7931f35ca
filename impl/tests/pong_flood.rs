//! A peer that completes the NULL handshake, then sends PINGs and never
//! reads the PONGs (37-R58) must not make the socket hold one PONG per
//! PING: the connection keeps one PONG owed, the latest, until its
//! transport takes output. The server's resident memory stays flat and
//! the socket keeps serving its other peers.
//!
//! Linux only: the memory is read from /proc/self/status.
#![cfg(target_os = "linux")]

#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use std::time::Duration;

use raw::bounded::within_for as within;
use tokio::io::AsyncReadExt;
use zmtp::{Context, SocketType};
use zmtp_spec::Message;
use zmtp_spec::wire::{Command, Encode, Greeting};

/// PINGs the raw peer sends: 25 octets each (16-octet contexts), 50 MB in
/// all. Held as PONGs (23 octets each) they took about 46 MB; the bound
/// below is well under that and well over what the socket needs.
const PINGS: u32 = 2_000_000;
/// The growth of the process's resident memory the flood may cause.
const MAX_GROWTH_KB: u64 = 32 * 1024;
/// Any single network step of the test.
const STEP: Duration = Duration::from_secs(10);
/// The whole flood, written and read.
const FLOOD: Duration = Duration::from_secs(120);

/// The process's resident set size, in kB.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_pongs_do_not_accumulate_37_r58() {
    let ctx = Context::new().expect("ctx");
    let pull = ctx.socket(SocketType::Pull).expect("pull");
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let endpoint = pull.last_endpoint();
    let addr = endpoint.trim_start_matches("tcp://").to_owned();

    let stream = within(
        STEP,
        "raw peer connects",
        tokio::net::TcpStream::connect(&addr),
    )
    .await
    .expect("connect");
    let mut flooder = raw::Raw { stream };
    within(STEP, "raw peer sends its handshake", async {
        flooder
            .send(&[raw::greeting(), raw::ready(b"PUSH")].concat())
            .await;
    })
    .await;
    // The PULL's greeting and READY; nothing is read after them.
    let mut theirs = [0u8; Greeting::LEN];
    within(
        STEP,
        "the PULL's greeting",
        flooder.stream.read_exact(&mut theirs),
    )
    .await
    .expect("greeting");
    let (flags, body) = within(STEP, "the PULL's READY", flooder.frame())
        .await
        .expect("READY");
    assert_eq!(flags & 0x04, 0x04, "a command frame");
    assert!(body.starts_with(b"\x05READY"), "READY, got {body:?}");

    let before = rss_kb();
    within(FLOOD, "raw peer writes its PINGs", async {
        // Written in batches from one buffer, so the peer's own memory
        // stays small.
        let mut batch = Vec::with_capacity(64 * 1024);
        for i in 0..PINGS {
            let mut context = [0u8; 16];
            context[..4].copy_from_slice(&i.to_be_bytes());
            Command::Ping {
                ttl: 0,
                context: zmtp::Bytes::copy_from_slice(&context),
            }
            .encode(&mut batch)
            .expect("PING encodes");
            if batch.len() >= 64 * 1024 - 32 {
                flooder.send(&batch).await;
                batch.clear();
            }
        }
        // A message after the PINGs: once the PULL has it, it has read
        // every PING before it.
        Message::from("done").encode(&mut batch).expect("encodes");
        flooder.send(&batch).await;
    })
    .await;
    let done = within(FLOOD, "the PULL reads past the PINGs", pull.recv())
        .await
        .expect("recv");
    assert_eq!(done.frames()[0], "done");
    let after = rss_kb();
    let growth = after.saturating_sub(before);
    eprintln!("VmRSS {before} kB -> {after} kB after {PINGS} unread PINGs");
    assert!(
        growth < MAX_GROWTH_KB,
        "VmRSS grew by {growth} kB ({before} -> {after}) over {PINGS} PINGs whose PONGs were never read"
    );

    // A good PUSH still gets through.
    let push = ctx.socket(SocketType::Push).expect("push");
    push.connect(&endpoint).expect("connect");
    within(STEP, "the good PUSH sends", push.send("still serving"))
        .await
        .expect("send");
    let m = within(
        STEP,
        "the PULL receives the good PUSH's message",
        pull.recv(),
    )
    .await
    .expect("recv");
    assert_eq!(m.frames()[0], "still serving");
    drop(flooder);
}
