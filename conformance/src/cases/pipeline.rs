//! PUSH and PULL (RFC 30) and PAIR (RFC 31) against raw peers.

use std::time::Duration;

use bytes::Bytes;

use crate::case::{Case, show};
use crate::cases::case_fn;
use crate::cases::reqrep::queued_before_connect;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "30-R02/1",
            also: &["30-R01"],
            param: 1,
            run: push_unmodified,
            sends: "the implementation's PUSH sends [a][][b] to a raw PULL",
            expects: "[a][][b] arrives unchanged",
        },
        Case {
            id: "30-R08/1",
            also: &["30-R03", "30-R07"],
            param: 1,
            run: push_round_robin,
            sends: "the implementation's PUSH, connected to two raw PULLs, sends four messages",
            expects: "two to each peer",
        },
        Case {
            id: "30-R18/1",
            also: &["30-R13", "30-R14", "30-R16", "30-R19"],
            param: 1,
            run: pull_fair_queue,
            sends: "two raw PUSHes each send two messages to a bound PULL",
            expects: "all four, the first two from different peers",
        },
        Case {
            id: "30-R04/1",
            also: &["30-R15"],
            param: 1,
            run: push_queues_before_connect,
            sends: "the PUSH connects to an endpoint that listens only 300 ms later, and sends [early]",
            expects: "[early] arrives once the connection is up",
        },
        Case {
            id: "31-R01/1",
            also: &["31-R02", "31-R04", "31-R11"],
            param: 1,
            run: pair_unmodified,
            sends: "a raw PAIR and a bound PAIR exchange [a][][b] both ways",
            expects: "both arrive unchanged",
        },
        Case {
            id: "31-R10/1",
            also: &[],
            param: 1,
            run: pair_single_peer,
            sends: "a second raw PAIR connects to a bound PAIR that has one, and sends [intruder]",
            expects: "only the first peer's [legit] is delivered",
        },
        Case {
            id: "31-R03/1",
            also: &["31-R09"],
            param: 1,
            run: pair_queues_before_connect,
            sends: "the PAIR connects to an endpoint that listens only 300 ms later, and sends [early]",
            expects: "[early] arrives once the connection is up",
        },
    ]
}

fn frames(v: &[&'static [u8]]) -> Vec<Bytes> {
    v.iter().map(|f| Bytes::from_static(f)).collect()
}

case_fn!(push_unmodified, |cx| {
    let (s, _l, mut p) = cx.connected("PUSH", "pull1").await?;
    cx.handshake(&mut p, "PULL", 1).await?;
    cx.model("PUSH");
    cx.record_attach(1, "PULL", None);
    cx.agent().send(s, &[b"a", b"", b"b"]).await?;
    cx.record_send(&frames(&[b"a", b"", b"b"]));
    let got = cx.raw_recv(&mut p).await?;
    cx.record_to(1, &got);
    if got == frames(&[b"a", b"", b"b"]) {
        cx.pass("unchanged")
    } else {
        cx.fail(format!("received {}", show(&got)))
    }
});

case_fn!(push_round_robin, |cx| {
    cx.need(&["PUSH"])?;
    let s = cx.agent().socket("PUSH").await?;
    let mut peers = Vec::new();
    let mut ls = Vec::new();
    for label in ["pull1", "pull2"] {
        let l = cx.listener(label).await?;
        let (mut p, ()) = cx.connect_and_accept(s, &l, label).await?;
        cx.handshake(&mut p, "PULL", 1).await?;
        peers.push(p);
        ls.push(l);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    cx.model("PUSH");
    cx.record_attach(1, "PULL", None);
    cx.record_attach(2, "PULL", None);
    for n in 0..4u8 {
        cx.agent().send(s, &[&[b'0' + n]]).await?;
        cx.record_send(&[Bytes::copy_from_slice(&[b'0' + n])]);
    }
    let quiet = cx.quiet();
    let mut per = Vec::new();
    for (k, p) in peers.iter_mut().enumerate() {
        let mut n = 0;
        while let Ok(m) = p.recv_message(quiet).await {
            cx.record_to(k as u64 + 1, &m);
            n += 1;
        }
        per.push(n);
    }
    if per == [2, 2] {
        cx.pass("two messages to each peer")
    } else {
        cx.fail(format!("distribution {per:?}"))
    }
});

case_fn!(pull_fair_queue, |cx| {
    let (s, ep) = cx.bound("PULL").await?;
    let mut ps = Vec::new();
    for label in ["push1", "push2"] {
        let mut p = cx.dial(&ep, label).await?;
        cx.handshake(&mut p, "PUSH", 1).await?;
        ps.push(p);
    }
    cx.model("PULL");
    cx.record_attach(1, "PUSH", None);
    cx.record_attach(2, "PUSH", None);
    for (k, p) in ps.iter_mut().enumerate() {
        let a = format!("{}a", k + 1);
        let b = format!("{}b", k + 1);
        cx.raw_send(p, &[a.as_bytes()]).await?;
        cx.record_from(k as u64 + 1, &[Bytes::from(a)]);
        cx.raw_send(p, &[b.as_bytes()]).await?;
        cx.record_from(k as u64 + 1, &[Bytes::from(b)]);
    }
    tokio::time::sleep(cx.quiet()).await;
    let mut got = Vec::new();
    for _ in 0..4 {
        let m = cx.agent().recv(s).await?;
        cx.record_recv(&m);
        got.push(m.first().cloned().unwrap_or_default());
    }
    if got[0].first() != got[1].first() {
        cx.pass(format!("interleaved: {}", show(&got)))
    } else {
        crate::cases::reqrep::not_interleaved(cx, &got)
    }
});

case_fn!(push_queues_before_connect, |cx| {
    queued_before_connect(cx, "PUSH", "PULL").await
});

case_fn!(pair_queues_before_connect, |cx| {
    queued_before_connect(cx, "PAIR", "PAIR").await
});

case_fn!(pair_unmodified, |cx| {
    let (s, ep) = cx.bound("PAIR").await?;
    let mut p = cx.dial(&ep, "pair1").await?;
    cx.handshake(&mut p, "PAIR", 1).await?;
    cx.model("PAIR");
    cx.record_attach(1, "PAIR", None);
    cx.raw_send(&mut p, &[b"a", b"", b"b"]).await?;
    cx.record_from(1, &frames(&[b"a", b"", b"b"]));
    let got = cx.agent().recv(s).await?;
    cx.record_recv(&got);
    cx.agent().send(s, &[b"a", b"", b"b"]).await?;
    cx.record_send(&frames(&[b"a", b"", b"b"]));
    let back = cx.raw_recv(&mut p).await?;
    cx.record_to(1, &back);
    if got == frames(&[b"a", b"", b"b"]) && back == got {
        cx.pass("both directions unchanged")
    } else {
        cx.fail(format!("delivered {}, sent {}", show(&got), show(&back)))
    }
});

case_fn!(pair_single_peer, |cx| {
    let (s, ep) = cx.bound("PAIR").await?;
    let mut p1 = cx.dial(&ep, "pair1").await?;
    cx.handshake(&mut p1, "PAIR", 1).await?;
    let mut p2 = cx.dial(&ep, "pair2").await?;
    let _ = cx.handshake(&mut p2, "PAIR", 1).await;
    // Which of two racing connections the PAIR keeps is its choice; it
    // must keep exactly one.
    let _ = p2.send(&crate::peer::message_frames(&[b"intruder"])).await;
    let _ = p1.send(&crate::peer::message_frames(&[b"legit"])).await;
    let mut got = Vec::new();
    let wait = cx.wait();
    if let Some(m) = cx.agent().recv_within(s, wait).await? {
        got.push(m);
    }
    let quiet = cx.quiet();
    if let Some(m) = cx.agent().recv_within(s, quiet).await? {
        got.push(m);
    }
    // The model's PAIR refuses a second peer, so the trace holds the one
    // whose message came through, as peer 1.
    if let [m] = got.as_slice() {
        cx.model("PAIR");
        cx.record_attach(1, "PAIR", None);
        cx.record_from(1, m);
        cx.record_recv(m);
    }
    let shown: Vec<String> = got.iter().map(|m| show(m)).collect();
    match shown.as_slice() {
        [one] if one == "[legit]" => cx.pass("the second peer was kept out"),
        [one] if one == "[intruder]" => {
            cx.pass("the second peer was kept and the first dropped: still a single peer")
        }
        [] => cx.fail("delivered neither peer's message"),
        _ => cx.fail(format!("delivered {}", shown.join(" "))),
    }
});
