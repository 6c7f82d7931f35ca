//! Distinct subscriptions from one raw subscriber into an XPUB: each
//! costs the XPUB a bounded amount of memory (the figure is printed; the
//! bound is [`MAX_PER_SUBSCRIPTION`]), every one is passed up to the
//! application and takes effect, and a good subscriber is still served.
//!
//! (The flood of PINGs whose PONGs are never read is `pong_flood.rs`.)

use std::time::Duration;

use bytes::Bytes;
use zmtp::{Context, SocketType, opt};
use zmtp_spec::wire::{Command, Item};

use crate::support::{alone, hex, hex_file, libzmq, report, rss_kb, scale, within, within_for};
use crate::wire::{Peer, command, null_handshake};

/// The memory one 14-octet subscription may cost, in octets: the topic
/// tree's nodes and the allocator's overhead (ours measures about 300).
const MAX_PER_SUBSCRIPTION: u64 = 1024;

fn topic(i: usize) -> String {
    format!("topic-{i:08}")
}

#[test]
fn distinct_subscriptions_cost_a_bounded_amount_each() {
    alone(async {
        let n = scale(10_000, 50_000);
        let ctx = Context::new().expect("context");
        let xpub = ctx.socket(SocketType::XPub).expect("socket");
        xpub.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
        xpub.bind("tcp://127.0.0.1:*").expect("bind");
        let endpoint = xpub.last_endpoint();
        let mut peer = Peer::connect(&endpoint).await;
        peer.null_handshake("SUB", None).await;
        let subscriptions: Vec<u8> = (0..n)
            .flat_map(|i| command(&Command::Subscribe(Bytes::from(topic(i)))))
            .collect();

        let rss0 = rss_kb();
        let limit = Duration::from_secs(60);
        let (_, passed_up) = tokio::join!(
            within_for(limit, "the subscriptions' write", peer.send(&subscriptions)),
            within_for(limit, "the XPUB passing them up", async {
                let mut passed_up = 0;
                while passed_up < n {
                    let m = xpub.recv().await.expect("recv");
                    assert_eq!(m.frames()[0][0], 1, "a subscription");
                    passed_up += 1;
                }
                passed_up
            })
        );
        let growth = rss_kb().saturating_sub(rss0);
        let per_subscription = growth * 1024 / n as u64;

        // They took effect: the last one's topic reaches the raw subscriber.
        let last = topic(n - 1);
        within("the XPUB's send", xpub.send(last.clone()))
            .await
            .expect("send");
        let matched = match peer.item().await {
            Some(Item::Message(m)) => m.frames()[0] == last.as_bytes(),
            other => panic!("expected a message, got {other:?}"),
        };
        // A good subscriber is served.
        let sub = ctx.socket(SocketType::Sub).expect("socket");
        sub.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
        sub.subscribe("good").expect("subscribe");
        sub.connect(&endpoint).expect("connect");
        let its = within("the good subscription", xpub.recv())
            .await
            .expect("recv");
        assert_eq!(&its.frames()[0][..], b"\x01good");
        within("the XPUB's send", xpub.send("good news"))
            .await
            .expect("send");
        let good = within("the good subscriber's message", sub.recv())
            .await
            .expect("recv");
        let ours = serde_json::json!({
            "subscriptions": n, "passed_up": passed_up, "rss_growth_kb": growth,
            "per_subscription_b": per_subscription, "last_matched": matched,
            "good_served": good.frames()[0] == "good news",
        });

        let (_file, subs_arg) = hex_file(&subscriptions);
        let theirs = libzmq(
            "subscriptions",
            &[
                n.to_string(),
                hex(&null_handshake("SUB", None)),
                subs_arg,
                last,
            ],
            Duration::from_secs(120),
        )
        .await;
        let check = |f: &serde_json::Value| {
            f["passed_up"] == n && f["last_matched"] == true && f["good_served"] == true
        };
        let held = check(&ours)
            && per_subscription <= MAX_PER_SUBSCRIPTION
            && theirs.as_ref().is_none_or(check);
        report(
            "6 distinct subscriptions",
            &ours.to_string(),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            held,
        );
        assert!(check(&ours), "{ours}");
        assert!(
            per_subscription <= MAX_PER_SUBSCRIPTION,
            "{per_subscription} octets of RSS per subscription: {ours}"
        );
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}
