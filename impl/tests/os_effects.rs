//! Options whose effect is on the kernel socket (SNDBUF, RCVBUF,
//! TCP_KEEPALIVE and its IDLE), checked where the kernel shows it: `ss`
//! (iproute2) prints each TCP socket's buffer sizes and timers. The raw
//! peer is a plain `std::net::TcpListener`, so the socket `ss` is asked
//! about is ours: the one whose local port the listener sees as its peer.

#[path = "common/bounded.rs"]
#[allow(dead_code)]
mod bounded;
#[path = "common/child.rs"]
#[allow(dead_code)]
mod child;

use bounded::Within;
use std::process::Command;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use zmtp::{Context, SocketType, opt};

/// `ss`'s line for the established TCP socket bound to local `port`, or
/// `None` when `ss` cannot run here.
fn ss_line(port: u16) -> Option<String> {
    let out = child::output_within(
        Command::new("ss")
            .args(["-tmoniH", "state", "established"])
            .arg(format!("( sport = :{port} )")),
        "ss",
        bounded::LIMIT,
    )
    .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The number after `key` in `ss`'s skmem list (`tb131072`, `rb131072`).
fn skmem(line: &str, key: &str) -> Option<u64> {
    let mem = line.split("skmem:(").nth(1)?.split(')').next()?;
    mem.split(',')
        .find_map(|f| f.strip_prefix(key)?.parse().ok())
}

#[tokio::test]
async fn sndbuf_rcvbuf_and_keepalive_reach_the_kernel_socket() {
    if child::output_within(Command::new("ss").arg("-V"), "ss -V", bounded::LIMIT).is_err() {
        println!("skipped: `ss` (iproute2) is not installed, so the kernel socket cannot be read");
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0")
        .within("a listening port")
        .await
        .expect("listener");
    let endpoint = format!("tcp://{}", listener.local_addr().expect("addr"));
    let ctx = Context::new().expect("ctx");
    let push = ctx.socket(SocketType::Push).expect("push");
    push.set(opt::SndBuf, Some(65_536)).expect("sndbuf");
    push.set(opt::RcvBuf, Some(98_304)).expect("rcvbuf");
    push.set(opt::TcpKeepalive, Some(true)).expect("keepalive");
    push.set(opt::TcpKeepaliveIdle, Some(Duration::from_secs(300)))
        .expect("idle");
    push.connect(&endpoint).expect("connect");
    // The first greeting octets show that our connection's driver runs,
    // so the options have been applied to the socket by then.
    let (_stream, ours) = async {
        let (mut stream, ours) = listener.accept().await?;
        let mut signature = [0_u8; 10];
        stream.read_exact(&mut signature).await?;
        Ok::<_, std::io::Error>((stream, ours))
    }
    .within("our connection and its greeting")
    .await
    .expect("accept and read the greeting");
    let line = ss_line(ours.port()).unwrap_or_default();
    // Linux doubles the requested size for its bookkeeping (socket(7)).
    assert_eq!(skmem(&line, "tb"), Some(131_072), "SNDBUF: {line}");
    assert_eq!(skmem(&line, "rb"), Some(196_608), "RCVBUF: {line}");
    // Set before connect, as libzmq does: the receive buffer caps the
    // window scale we offered in the SYN (`wscale:<theirs>,<ours>`); the
    // kernel's default buffers give a scale of 7 or more.
    let ours_scale: Option<u8> = line
        .split("wscale:")
        .nth(1)
        .and_then(|w| w.split_whitespace().next())
        .and_then(|w| w.split(',').nth(1))
        .and_then(|w| w.parse().ok());
    assert!(
        ours_scale.is_some_and(|s| s <= 3),
        "RCVBUF before connect: {line}"
    );
    // The keepalive timer runs, armed with the idle time (300 s, shown as
    // minutes and seconds, never the kernel's 2 h default).
    let timer = line
        .split("timer:(")
        .nth(1)
        .and_then(|t| t.split(')').next())
        .unwrap_or_default();
    assert!(timer.starts_with("keepalive,"), "TCP_KEEPALIVE: {line}");
    assert!(
        timer.contains("min") && !timer.contains("119min"),
        "TCP_KEEPALIVE_IDLE: {timer}"
    );
}
