//! A flood of 1 MiB messages into a PULL that does not read, with RCVHWM
//! 4 and no MAXMSGSIZE: the PULL stops reading its peer instead of
//! buffering, so its memory grows by at most what the bound below allows,
//! and every message written is delivered once it reads again. With
//! MAXMSGSIZE under 1 MiB, the oversize frame disconnects the peer and
//! nothing oversize is delivered.
//!
//! The bound, from how the driver reads (`impl/src/driver.rs`,
//! `impl/src/link.rs`): the pattern's queue holds RCVHWM messages; the
//! driver holds at most one message the queue refused (`held`), and reads
//! nothing more while it holds one; the read that produced it (at most
//! READ_BUDGET, 512 KiB, plus one body-sized read) can have decoded one
//! more whole message, left in the connection's events; and the decoder
//! holds one partial body (its buffer grows only with the octets that
//! arrived, to at most the body and 64 octets). So at most RCVHWM + 3
//! messages: (4 + 3) x 1 MiB, plus a constant for the allocator and the
//! runtime (8 MiB).

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use zmtp::{Context, Error, MonitorEventKind, SocketType, opt};

use crate::support::{PeakRss, alone, hex, hex_file, libzmq, report, rss_kb, scale, within};
use crate::wire::{Peer, frame_header, message, null_handshake};

const MIB: usize = 1 << 20;
const RCVHWM: u32 = 4;
/// Messages beyond RCVHWM the receiving side may hold (see the module).
const IN_FLIGHT: u64 = 3;
/// The allocator's and the runtime's share of the growth, in kB.
const CONSTANT_KB: u64 = 8 * 1024;
/// A write that makes no progress for this long: the PULL stopped
/// reading.
const STALL: Duration = Duration::from_secs(1);

#[test]
fn a_flood_of_1_mib_messages_into_an_unread_pull_is_bounded_by_rcvhwm() {
    alone(async {
        let cap = scale(48, 256);
        let ctx = Context::new().expect("context");
        let pull = ctx.socket(SocketType::Pull).expect("socket");
        pull.set(opt::RcvHwm, RCVHWM).expect("RCVHWM");
        pull.bind("tcp://127.0.0.1:*").expect("bind");
        let endpoint = pull.last_endpoint();

        let mut peer = Peer::connect(&endpoint).await;
        peer.null_handshake("PUSH", None).await;
        let header = frame_header(MIB as u64);
        let body = vec![0xA5u8; MIB];

        let base = rss_kb();
        let peak = PeakRss::start();
        let mut written = 0;
        let mut stalled = false;
        while written < cap {
            let write = async {
                peer.stream.write_all(&header).await?;
                peer.stream.write_all(&body).await
            };
            match tokio::time::timeout(STALL, write).await {
                Ok(Ok(())) => written += 1,
                Ok(Err(e)) => panic!("the PULL dropped the flooding peer: {e}"),
                Err(_) => {
                    stalled = true;
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let growth = peak.peak_kb().saturating_sub(base);
        drop(peak);

        // Reading again, the PULL delivers every message written whole.
        let mut delivered = 0;
        for _ in 0..written {
            let m = within("a flooded message", pull.recv())
                .await
                .expect("recv");
            assert_eq!(m.frames()[0].len(), MIB, "a whole 1 MiB message");
            delivered += 1;
        }
        let bound = (u64::from(RCVHWM) + IN_FLIGHT) * 1024 + CONSTANT_KB;
        let ours = serde_json::json!({
            "written": written, "stalled": stalled, "delivered": delivered,
            "peak_growth_kb": growth, "bound_kb": bound,
        });

        let theirs = libzmq(
            "flood",
            &[
                RCVHWM.to_string(),
                cap.to_string(),
                hex(&null_handshake("PUSH", None)),
                hex(&header),
            ],
            Duration::from_secs(60),
        )
        .await;
        let held = stalled && delivered == written && growth <= bound;
        report(
            "2 1 MiB flood, RCVHWM 4",
            &ours.to_string(),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            held,
        );
        assert!(
            stalled,
            "the PULL kept reading {cap} MiB it could not deliver: {ours}"
        );
        assert_eq!(delivered, written, "every message written arrives: {ours}");
        assert!(
            growth <= bound,
            "peak RSS grew {growth} kB, over (RCVHWM + {IN_FLIGHT}) MiB + {CONSTANT_KB} kB: {ours}"
        );
        if let Some(t) = &theirs {
            assert_eq!(t["stalled"], true, "libzmq: {t}");
            assert_eq!(t["delivered"], t["written"], "libzmq: {t}");
        }
        drop(peer);
    });
}

#[test]
fn a_frame_over_maxmsgsize_disconnects_the_peer_and_is_not_delivered() {
    alone(async {
        let limit = 512 * 1024;
        let ctx = Context::new().expect("context");
        let pull = ctx.socket(SocketType::Pull).expect("socket");
        pull.set(opt::MaxMsgSize, Some(limit)).expect("MAXMSGSIZE");
        let mut monitor = pull.monitor();
        pull.bind("tcp://127.0.0.1:*").expect("bind");
        let endpoint = pull.last_endpoint();

        let mut peer = Peer::connect(&endpoint).await;
        peer.null_handshake("PUSH", None).await;
        let mut bytes = message("small");
        bytes.extend(frame_header(MIB as u64));
        bytes.extend(vec![0xA5u8; MIB]);
        // The PULL may close before the body is all written.
        let _ = within("the oversize write", peer.stream.write_all(&bytes)).await;
        let disconnected = within("the DISCONNECTED event", async {
            loop {
                let e = monitor.next().await.expect("monitor open");
                if e.kind == MonitorEventKind::Disconnected {
                    return true;
                }
            }
        })
        .await;
        let closed = peer.closed_by_them().await;
        let mut delivered = Vec::new();
        loop {
            match tokio::time::timeout(Duration::from_millis(300), pull.recv()).await {
                Ok(Ok(m)) => delivered.push(m.frames()[0].len()),
                Ok(Err(e)) => panic!("recv: {e}"),
                Err(_) => break,
            }
        }
        assert!(matches!(pull.try_recv(), Err(Error::WouldBlock)));
        let oversize = delivered.iter().filter(|&&n| n as u64 > limit).count();
        let ours = serde_json::json!({
            "disconnected": disconnected, "closed": closed,
            "delivered_sizes": delivered, "oversize_delivered": oversize,
        });
        let (_file, bytes_arg) = hex_file(&bytes);
        let theirs = libzmq(
            "maxmsgsize",
            &[
                limit.to_string(),
                hex(&null_handshake("PUSH", None)),
                bytes_arg,
            ],
            Duration::from_secs(30),
        )
        .await;
        let check =
            |f: &serde_json::Value| f["disconnected"] == true && f["oversize_delivered"] == 0;
        let held = check(&ours) && theirs.as_ref().is_none_or(check);
        report(
            "2 MAXMSGSIZE 512 KiB, 1 MiB frame",
            &ours.to_string(),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            held,
        );
        assert!(disconnected && closed, "the peer is disconnected: {ours}");
        assert_eq!(oversize, 0, "nothing oversize delivered: {ours}");
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}
