//! Stalled handshakes: raw TCP clients that send the first octet of a
//! greeting and then nothing. The PULL keeps serving a good PUSH while
//! they stall, and with HANDSHAKE_IVL set it closes every one of them:
//! the descriptors it held for them are given back.

use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use zmtp::{Context, SocketType, opt};
use zmtp_spec::wire::Mechanism;

use crate::support::{alone, hex, libzmq, open_fds, report, scale, settle_to, within};
use crate::wire::{Peer, greeting};

/// Descriptors that may come and go with the runtime.
const SLACK: usize = 8;
/// The HANDSHAKE_IVL under test: long enough that none has expired
/// before the good PUSH is served, even with 1,000 to connect.
const IVL: Duration = Duration::from_secs(1);

#[test]
fn stalled_handshakes_are_closed_at_handshake_ivl_and_a_good_peer_is_served() {
    alone(async {
        let n = scale(200, 1000);
        let ctx = Context::new().expect("context");
        let pull = ctx.socket(SocketType::Pull).expect("socket");
        // libzmq's default, read without waiting it out.
        let default_ivl = pull.get(opt::HandshakeIvl).expect("HANDSHAKE_IVL");
        pull.set(opt::HandshakeIvl, Some(IVL))
            .expect("HANDSHAKE_IVL");
        pull.bind("tcp://127.0.0.1:*").expect("bind");
        let endpoint = pull.last_endpoint();
        let base = open_fds();

        // One octet of the greeting, from the encoder.
        let first_octet = greeting(Mechanism::NULL)[..1].to_vec();
        let mut stalled = Vec::with_capacity(n);
        for _ in 0..n {
            let mut peer = Peer::connect(&endpoint).await;
            within(
                "the stalled client's octet",
                peer.stream.write_all(&first_octet),
            )
            .await
            .expect("write");
            stalled.push((Instant::now(), peer));
        }

        // A good PUSH is served while they stall.
        let push = ctx.socket(SocketType::Push).expect("socket");
        push.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
        push.connect(&endpoint).expect("connect");
        within("the good PUSH's send", push.send("good"))
            .await
            .expect("send");
        let got = within("the good PUSH's message", pull.recv())
            .await
            .expect("recv");
        assert_eq!(got.frames()[0], "good");
        let open_while_stalled = open_fds().saturating_sub(base);
        drop(push);

        // Every stalled client sees the PULL close its connection.
        let waits: Vec<_> = stalled
            .into_iter()
            .map(|(at, mut peer)| {
                tokio::spawn(async move {
                    let closed = peer.closed_by_them().await;
                    (closed, at.elapsed(), peer)
                })
            })
            .collect();
        let mut closed = 0;
        let mut slowest = Duration::ZERO;
        let mut peers = Vec::with_capacity(n);
        for w in waits {
            let (c, took, peer) = within("a stalled client's end", w).await.expect("task");
            closed += usize::from(c);
            slowest = slowest.max(took);
            peers.push(peer);
        }
        // Our n client descriptors are still open; the PULL's must be gone.
        let held = settle_to(base + n, open_fds).await.saturating_sub(base + n);
        drop(peers);
        let after = settle_to(base, open_fds).await.saturating_sub(base);

        let ours = serde_json::json!({
            "stalled": n, "closed": closed, "server_fds_kept": held, "fds_after": after,
            "default_ivl_ms": default_ivl.map(|d| d.as_millis()),
        });
        let theirs = libzmq(
            "stalled",
            &[
                n.to_string(),
                IVL.as_millis().to_string(),
                hex(&first_octet),
            ],
            Duration::from_secs(60),
        )
        .await;
        let check = |f: &serde_json::Value| {
            f["closed"] == n
                && f["server_fds_kept"]
                    .as_u64()
                    .is_some_and(|k| k < SLACK as u64)
        };
        let held_ok = check(&ours) && theirs.as_ref().is_none_or(check);
        report(
            "1 stalled handshakes",
            &format!(
                "{ours}; good PUSH served with {open_while_stalled} fds open; slowest close {:.1}x HANDSHAKE_IVL",
                slowest.as_secs_f64() / IVL.as_secs_f64()
            ),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            held_ok,
        );
        assert_eq!(
            default_ivl,
            Some(Duration::from_secs(30)),
            "HANDSHAKE_IVL default is libzmq's 30 s"
        );
        if let Some(t) = &theirs {
            assert_eq!(t["default_ivl_ms"], 30_000, "libzmq's default: {t}");
        }
        assert!(
            open_while_stalled >= 2 * n,
            "the stalled connections were open when the good PUSH was served: {open_while_stalled} fds"
        );
        assert_eq!(closed, n, "every stalled handshake closed: {ours}");
        assert!(held < SLACK, "the PULL kept {held} descriptors: {ours}");
        assert!(after < SLACK, "descriptors back to baseline: {ours}");
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}
