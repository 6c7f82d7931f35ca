//! Connect / send one message / close, again and again, against one
//! ROUTER: raw DEALERs (nine in ten) and our own DEALER sockets (one in
//! ten). Afterwards the ROUTER holds no descriptor, task or memory for
//! the peers that left, and every message was read, once.

use std::collections::HashSet;
use std::time::Duration;

use zmtp::{Context, SocketType, opt};

use crate::support::{
    alive_tasks, alone, hex, hex_lines_file, libzmq, open_fds, report, rss_kb, scale, settle_to,
    within, within_for,
};
use crate::wire::{Peer, message, null_handshake};

const SLACK: usize = 8;
/// Cycles run this many at a time.
const WORKERS: usize = 4;
/// Memory the runtime and the allocator may keep after the cycles, in kB.
const MAX_GROWTH_KB: u64 = 8 * 1024;

fn body(i: usize) -> String {
    format!("cycle-{i:08}")
}

/// One cycle: connect, handshake, send `body(i)`, close.
async fn cycle(ctx: &Context, endpoint: &str, i: usize) {
    if i.is_multiple_of(10) {
        let dealer = ctx.socket(SocketType::Dealer).expect("socket");
        // Closing flushes the message, then ends the connection.
        dealer.set(opt::Linger, None).expect("LINGER");
        dealer.connect(endpoint).expect("connect");
        within("a DEALER's send", dealer.send(body(i)))
            .await
            .expect("send");
        dealer.close();
    } else {
        let mut peer = Peer::connect(endpoint).await;
        peer.null_handshake("DEALER", None).await;
        peer.send(&message(body(i))).await;
    }
}

#[test]
fn connect_send_close_cycles_leave_nothing_behind() {
    alone(async {
        let n = scale(1000, 10_000);
        let ctx = Context::new().expect("context");
        let router = ctx.socket(SocketType::Router).expect("socket");
        router.bind("tcp://127.0.0.1:*").expect("bind");
        let endpoint = router.last_endpoint();
        // One cycle of each kind first, so that what is made once (the
        // runtime's pieces) is there before the baseline.
        for i in [n, n + 1] {
            cycle(&ctx, &endpoint, i).await;
            within("a warm-up message", router.recv())
                .await
                .expect("recv");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (fds0, tasks0, rss0) = (open_fds(), alive_tasks(), rss_kb());

        let reader = tokio::spawn(async move {
            let mut seen = HashSet::new();
            let mut duplicates = 0;
            while seen.len() < n {
                let m = within("a cycle's message", router.recv())
                    .await
                    .expect("recv");
                assert_eq!(m.frames().len(), 2, "routing id and body");
                // A copy: the frame is a slice of its connection's read
                // buffer, which keeping it would keep.
                if !seen.insert(m.frames()[1].to_vec()) {
                    duplicates += 1;
                }
            }
            (router, seen, duplicates)
        });
        // Two halves: the memory is measured over the second, once the
        // allocator has grown to what the cycles need at a time.
        let limit = Duration::from_secs(if n > 1000 { 300 } else { 60 });
        let mut rss_half = 0;
        for half in [0..n / 2, n / 2..n] {
            let workers: Vec<_> = (0..WORKERS)
                .map(|w| {
                    let (ctx, endpoint, half) = (ctx.clone(), endpoint.clone(), half.clone());
                    tokio::spawn(async move {
                        for i in half.skip(w).step_by(WORKERS) {
                            cycle(&ctx, &endpoint, i).await;
                        }
                    })
                })
                .collect();
            within_for(limit, "the cycles", async {
                for w in workers {
                    w.await.expect("a worker");
                }
            })
            .await;
            if rss_half == 0 {
                rss_half = rss_kb();
            }
        }
        let (router, seen, duplicates) = within("the ROUTER to read them all", reader)
            .await
            .expect("reader");
        let expected: HashSet<_> = (0..n).map(|i| body(i).into_bytes()).collect();
        let missing = expected.difference(&seen).count();

        let fds = settle_to(fds0, open_fds).await;
        let tasks = settle_to(tasks0, alive_tasks).await;
        let growth_first = rss_half.saturating_sub(rss0);
        let growth = rss_kb().saturating_sub(rss_half);
        let ours = serde_json::json!({
            "cycles": n, "read": seen.len(), "missing": missing, "duplicates": duplicates,
            "fds_kept": fds as i64 - fds0 as i64, "tasks_kept": tasks as i64 - tasks0 as i64,
            "rss_growth_first_half_kb": growth_first, "rss_growth_second_half_kb": growth,
        });
        drop(router);

        // Lines n and n + 1 are the warm-up cycles'.
        let (_file, bodies) = hex_lines_file((0..n + 2).map(|i| message(body(i))));
        let theirs = libzmq(
            "cycles",
            &[n.to_string(), hex(&null_handshake("DEALER", None)), bodies],
            Duration::from_secs(if n > 1000 { 300 } else { 60 }),
        )
        .await;
        let check = |f: &serde_json::Value| {
            f["read"] == n
                && f["missing"] == 0
                && f["duplicates"] == 0
                && f["fds_kept"].as_i64().is_some_and(|k| k < SLACK as i64)
        };
        let held = check(&ours)
            && tasks < tasks0 + SLACK
            && growth <= MAX_GROWTH_KB
            && theirs.as_ref().is_none_or(check);
        report(
            "5 connect/send/close cycles",
            &format!(
                "{ours}; {:.0} B of RSS per cycle over the second half",
                growth as f64 * 1024.0 / (n - n / 2) as f64
            ),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            held,
        );
        assert_eq!(missing, 0, "every message read: {ours}");
        assert_eq!(duplicates, 0, "no message read twice: {ours}");
        assert!(fds < fds0 + SLACK, "descriptors back to baseline: {ours}");
        assert!(tasks < tasks0 + SLACK, "tasks back to baseline: {ours}");
        assert!(
            growth <= MAX_GROWTH_KB,
            "RSS grew over {MAX_GROWTH_KB} kB: {ours}"
        );
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}

/// A socket closed with a finite LINGER once everything it had is sent:
/// libzmq reaps it at once (LINGER only bounds the flush). Ours keeps a
/// task that sleeps out the whole LINGER holding the socket's core
/// (`impl/src/socket/endpoints.rs`, `shutdown`), so sockets opened and
/// closed faster than their LINGER pile up.
#[test]
fn a_closed_socket_is_not_kept_for_its_linger_once_flushed() {
    alone(async {
        let ctx = Context::new().expect("context");
        let router = ctx.socket(SocketType::Router).expect("socket");
        router.bind("tcp://127.0.0.1:*").expect("bind");
        let endpoint = router.last_endpoint();
        let tasks0 = alive_tasks();
        let sockets = 20;
        for i in 0..sockets {
            let dealer = ctx.socket(SocketType::Dealer).expect("socket");
            dealer
                .set(opt::Linger, Some(Duration::from_secs(30)))
                .expect("LINGER");
            dealer.connect(&endpoint).expect("connect");
            within("a DEALER's send", dealer.send(body(i)))
                .await
                .expect("send");
            // Delivered: nothing is left for the LINGER to flush.
            within("the ROUTER's recv", router.recv())
                .await
                .expect("recv");
            dealer.close();
        }
        let kept = settle_to(tasks0 + 1, alive_tasks)
            .await
            .saturating_sub(tasks0);
        report(
            "5 closed sockets kept for LINGER",
            &format!(
                "{kept} of {sockets} closed, flushed sockets still have a task 5 s later (LINGER 30 s)"
            ),
            None,
            kept <= 1,
        );
        assert!(
            kept <= 1,
            "{kept} tasks of {sockets} closed sockets outlive their flush (LINGER 30 s)"
        );
    });
}
