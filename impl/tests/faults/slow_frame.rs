//! A frame that declares 2^62 octets, its body sent a few octets every
//! 50 ms for about a second: the PULL's memory does not grow with the
//! declared size (the decoder's buffer grows with the octets that
//! arrived, geometrically from 8 KiB: `spec/src/wire/decode.rs`), and
//! with MAXMSGSIZE set it closes the connection at the header, before any
//! body octet.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zmtp::{Context, MonitorEventKind, SocketType, opt};

use crate::support::{PeakRss, alone, hex, libzmq, report, rss_kb, within};
use crate::wire::{Peer, frame_header, null_handshake};

const HUGE: u64 = 1 << 62;
/// Trickle steps, octets per step, and the pause between steps.
const STEPS: usize = 20;
const OCTETS: usize = 16;
const EVERY: Duration = Duration::from_millis(50);
/// The growth allowed while the body trickles in: the decoder's buffer
/// is a few KiB; the rest is the allocator's and the runtime's noise.
const MAX_GROWTH_KB: u64 = 1024;

/// Whether the other side closed within `wait` (an ERROR it sends first
/// is read and passed over).
async fn closed_within(peer: &mut Peer, wait: Duration) -> bool {
    let mut buf = [0u8; 256];
    tokio::time::timeout(wait, async {
        loop {
            match peer.stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Sends the header, then the body slowly; the figures.
async fn slow_frame(maxmsgsize: Option<u64>) -> serde_json::Value {
    let ctx = Context::new().expect("context");
    let pull = ctx.socket(SocketType::Pull).expect("socket");
    pull.set(opt::MaxMsgSize, maxmsgsize).expect("MAXMSGSIZE");
    let mut monitor = pull.monitor();
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let endpoint = pull.last_endpoint();
    let mut peer = Peer::connect(&endpoint).await;
    peer.null_handshake("PUSH", None).await;

    let base = rss_kb();
    let peak = PeakRss::start();
    peer.send(&frame_header(HUGE)).await;
    let closed_at_header = closed_within(&mut peer, Duration::from_millis(300)).await;
    let mut trickled = 0;
    if !closed_at_header {
        for _ in 0..STEPS {
            tokio::time::sleep(EVERY).await;
            match within("a trickled write", peer.stream.write_all(&[0x5A; OCTETS])).await {
                Ok(()) => trickled += OCTETS,
                Err(_) => break,
            }
        }
    }
    let open_after = !closed_at_header && !closed_within(&mut peer, EVERY).await;
    let growth = peak.peak_kb().saturating_sub(base);
    drop(peak);
    let disconnected = if closed_at_header {
        within("the DISCONNECTED event", async {
            loop {
                let e = monitor.next().await.expect("monitor open");
                if e.kind == MonitorEventKind::Disconnected {
                    return true;
                }
            }
        })
        .await
    } else {
        false
    };

    // A good PUSH is still served.
    let push = ctx.socket(SocketType::Push).expect("socket");
    push.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
    push.connect(&endpoint).expect("connect");
    within("the good PUSH's send", push.send("good"))
        .await
        .expect("send");
    let good = within("the good PUSH's message", pull.recv())
        .await
        .expect("recv");
    serde_json::json!({
        "closed_at_header": closed_at_header, "disconnected_event": disconnected,
        "open_after_trickle": open_after, "trickled": trickled,
        "peak_growth_kb": growth, "good_served": good.frames()[0] == "good",
    })
}

async fn baseline(maxmsgsize: Option<u64>) -> Option<serde_json::Value> {
    libzmq(
        "slow_frame",
        &[
            maxmsgsize.map_or(-1, |m| m as i64).to_string(),
            hex(&null_handshake("PUSH", None)),
            hex(&frame_header(HUGE)),
            STEPS.to_string(),
            OCTETS.to_string(),
            EVERY.as_millis().to_string(),
        ],
        Duration::from_secs(30),
    )
    .await
}

#[test]
fn a_slow_2_62_octet_frame_does_not_grow_memory() {
    alone(async {
        let ours = slow_frame(None).await;
        let theirs = baseline(None).await;
        let check = |f: &serde_json::Value| {
            f["peak_growth_kb"]
                .as_u64()
                .is_some_and(|g| g <= MAX_GROWTH_KB)
        };
        let held = check(&ours) && ours["good_served"] == true;
        report(
            "3 2^62 frame, slow, no MAXMSGSIZE",
            &ours.to_string(),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            held && theirs.as_ref().is_none_or(check),
        );
        assert!(
            check(&ours),
            "RSS grew over {MAX_GROWTH_KB} kB while a 2^62-octet body trickled in: {ours}"
        );
        assert_eq!(ours["good_served"], true, "{ours}");
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}

#[test]
fn a_2_62_octet_frame_over_maxmsgsize_is_closed_at_its_header() {
    alone(async {
        let limit = Some(1 << 20);
        let ours = slow_frame(limit).await;
        let theirs = baseline(limit).await;
        let check = |f: &serde_json::Value| f["closed_at_header"] == true;
        let held = check(&ours) && ours["disconnected_event"] == true;
        report(
            "3 2^62 frame, MAXMSGSIZE 1 MiB",
            &ours.to_string(),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            held && theirs.as_ref().is_none_or(check),
        );
        assert!(check(&ours), "closed at the header: {ours}");
        assert_eq!(ours["disconnected_event"], true, "{ours}");
        assert_eq!(ours["good_served"], true, "{ours}");
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}
