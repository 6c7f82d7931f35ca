//! SCATTER and GATHER (RFC 49, draft) against raw peers: single-frame
//! messages, round-robin out, fair-queued in, queues per peer before and
//! across connections, and what a departed peer leaves behind. These run
//! only against agents whose manifest offers the types.

use bytes::Bytes;
use zmtp_model::PeerId;
use zmtp_model::oracle::TraceEvent;

use crate::agent::Stop;
use crate::case::{Case, show, step};
use crate::cases::case_fn;
use crate::cases::reqrep::{fair_queue, queued_before_connect};
use crate::cases::threadsafe::{describe, next_message, shape};
use crate::cases::{control_reconnect, set_reconnect_ivl};
use crate::peer::message_frames;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "49-R04/1",
            also: &["49-R15"],
            param: 0,
            run: scatter_unmodified,
            sends: "a SCATTER connected to a raw GATHER sends [hello world]",
            expects: "one final frame [hello world] on the wire",
        },
        Case {
            id: "49-R11/1",
            also: &["49-R05", "49-R07"],
            param: 0,
            run: scatter_round_robin,
            sends: "two raw GATHERs connect to a bound SCATTER, which sends four messages",
            expects: "two messages at each GATHER, alternating",
        },
        Case {
            id: "49-R06/1",
            also: &[],
            param: 0,
            run: scatter_queues_before_connect,
            sends: "the SCATTER connects to an endpoint that listens only 300 ms later, and sends [early]",
            expects: "[early] arrives once the connection is up",
        },
        Case {
            id: "49-R08/1",
            also: &[],
            param: 0,
            run: scatter_forgets_departed,
            sends: "two raw GATHERs connect to a bound SCATTER; the first closes; the SCATTER sends four messages",
            expects: "all four at the second GATHER: the departed one left the rotation, nothing is lost to it",
        },
        Case {
            id: "49-R23/1",
            also: &["49-R17", "49-R18", "49-R20", "49-R24"],
            param: 0,
            run: gather_fair_queue,
            sends: "two raw SCATTERs connected to a bound GATHER each send two messages",
            expects: "all four unchanged, the first two from different peers",
        },
        Case {
            id: "49-R19/1",
            also: &[],
            param: 0,
            run: gather_keeps_connect,
            sends: "a GATHER connects to a raw SCATTER, which sends [one], closes, accepts the reconnection and sends [two]",
            expects: "[one] then [two] delivered: the connect's queue outlives the connection",
        },
        Case {
            id: "49-R21/1",
            also: &[],
            param: 0,
            run: gather_departed_peer,
            sends: "a raw SCATTER sends [a1] to a bound GATHER and closes; a second sends [b1]",
            expects: "[b1] delivered, [a1] at most once (whether a departed peer's unread \
                      message is discarded cannot be told from kernel buffering)",
        },
        Case {
            id: "49-R25/1",
            also: &["37-R57"],
            param: 0,
            run: gather_drops_multipart,
            sends: "a raw SCATTER sends a two-frame message, then [single], to a GATHER",
            expects: "only [single] is delivered",
        },
    ]
}

fn frames(v: &[&'static [u8]]) -> Vec<Bytes> {
    v.iter().map(|f| Bytes::from_static(f)).collect()
}

case_fn!(scatter_unmodified, |cx| {
    let (s, _l, mut p) = cx.connected("SCATTER", "gather1").await?;
    cx.handshake(&mut p, "GATHER", 1).await?;
    cx.model("SCATTER");
    cx.record(TraceEvent::Connect(PeerId(1)));
    cx.record_attach(1, "GATHER", None);
    cx.agent().send(s, &[b"hello world"]).await?;
    cx.record_send(&frames(&[b"hello world"]));
    let wait = cx.wait();
    let unit = next_message(&mut p, wait)
        .await
        .ok_or_else(|| Stop::Fail("no message at the raw GATHER".into()))?;
    cx.record_to(1, &frames(&[b"hello world"]));
    if shape(&unit) == [(0, Bytes::from_static(b"hello world"))] {
        cx.pass("[hello world] as one final frame, unchanged")
    } else {
        cx.fail(format!("on the wire: {}", describe(&unit)))
    }
});

case_fn!(scatter_round_robin, |cx| {
    let (s, ep) = cx.bound("SCATTER").await?;
    let mut peers = Vec::new();
    for label in ["gather1", "gather2"] {
        let mut p = cx.dial(&ep, label).await?;
        cx.handshake(&mut p, "GATHER", 1).await?;
        peers.push(p);
    }
    tokio::time::sleep(cx.quiet()).await;
    cx.model("SCATTER");
    cx.record_attach(1, "GATHER", None);
    cx.record_attach(2, "GATHER", None);
    for m in [&b"m0"[..], b"m1", b"m2", b"m3"] {
        cx.agent().send(s, &[m]).await?;
        cx.record_send(&[Bytes::copy_from_slice(m)]);
    }
    let quiet = cx.quiet();
    let mut got: Vec<Vec<Bytes>> = Vec::new();
    for (k, p) in peers.iter_mut().enumerate() {
        let mut mine = Vec::new();
        while let Some(unit) = next_message(p, quiet).await {
            let body: Vec<Bytes> = unit.into_iter().map(|f| f.body).collect();
            cx.record_to(k as u64 + 1, &body);
            mine.extend(body);
        }
        got.push(mine);
    }
    let what = format!("gather1 {}, gather2 {}", show(&got[0]), show(&got[1]));
    let alternating =
        |v: &[Bytes]| v.len() == 2 && v[1].last().copied() == v[0].last().map(|c| c + 2);
    if alternating(&got[0]) && alternating(&got[1]) {
        cx.pass(what)
    } else {
        cx.fail(format!("{what}: two each, alternating, expected"))
    }
});

case_fn!(scatter_queues_before_connect, |cx| {
    queued_before_connect(cx, "SCATTER", "GATHER").await
});

case_fn!(scatter_forgets_departed, |cx| {
    let (s, ep) = cx.bound("SCATTER").await?;
    let mut first = cx.dial(&ep, "gather1").await?;
    cx.handshake(&mut first, "GATHER", 1).await?;
    let mut second = cx.dial(&ep, "gather2").await?;
    cx.handshake(&mut second, "GATHER", 1).await?;
    tokio::time::sleep(cx.quiet()).await;
    first.close().await;
    // The close reaches the SCATTER before its next send.
    tokio::time::sleep(cx.quiet()).await;
    cx.model("SCATTER");
    cx.record_attach(1, "GATHER", None);
    cx.record_attach(2, "GATHER", None);
    cx.record(TraceEvent::Depart(PeerId(1)));
    for m in [&b"m0"[..], b"m1", b"m2", b"m3"] {
        cx.agent().send(s, &[m]).await?;
        cx.record_send(&[Bytes::copy_from_slice(m)]);
    }
    let quiet = cx.quiet();
    let mut got = Vec::new();
    while let Some(unit) = next_message(&mut second, quiet).await {
        let body: Vec<Bytes> = unit.into_iter().map(|f| f.body).collect();
        cx.record_to(2, &body);
        got.extend(body);
    }
    if got == frames(&[b"m0", b"m1", b"m2", b"m3"]) {
        cx.pass("all four at the remaining GATHER, in order")
    } else {
        cx.fail(format!(
            "the remaining GATHER received {} of [m0] [m1] [m2] [m3]: the rest went to the \
             departed peer's queue",
            show(&got)
        ))
    }
});

case_fn!(gather_fair_queue, |cx| {
    fair_queue(cx, "GATHER", "SCATTER").await
});

case_fn!(gather_keeps_connect, |cx| {
    let (s, listener, mut p) = cx.connected("GATHER", "scatter1").await?;
    set_reconnect_ivl(cx, s).await?;
    cx.handshake(&mut p, "SCATTER", 1).await?;
    cx.model("GATHER");
    cx.record(TraceEvent::Connect(PeerId(1)));
    cx.record_attach(1, "SCATTER", None);
    cx.raw_send(&mut p, &[b"one"]).await?;
    cx.record_from(1, &frames(&[b"one"]));
    let one = cx.agent().recv(s).await?;
    cx.record_recv(&one);
    let again = control_reconnect(cx, &listener, p, "scatter1").await?;
    let mut p = again.peer;
    cx.record(TraceEvent::Suspend(PeerId(1)));
    cx.handshake(&mut p, "SCATTER", 1).await?;
    cx.record_attach(1, "SCATTER", None);
    cx.raw_send(&mut p, &[b"two"]).await?;
    cx.record_from(1, &frames(&[b"two"]));
    let two = cx.agent().recv(s).await?;
    cx.record_recv(&two);
    if one == frames(&[b"one"]) && two == frames(&[b"two"]) {
        cx.pass("[one], then [two] over the remade connection")
    } else {
        cx.fail(format!("delivered {} then {}", show(&one), show(&two)))
    }
});

case_fn!(gather_departed_peer, |cx| {
    let (s, ep) = cx.bound("GATHER").await?;
    let mut a = cx.dial(&ep, "scatter1").await?;
    cx.handshake(&mut a, "SCATTER", 1).await?;
    cx.raw_send(&mut a, &[b"a1"]).await?;
    a.close().await;
    let mut b = cx.dial(&ep, "scatter2").await?;
    cx.handshake(&mut b, "SCATTER", 1).await?;
    cx.raw_send(&mut b, &[b"b1"]).await?;
    let quiet = cx.quiet();
    let wait = cx.wait();
    let mut got = Vec::new();
    let mut window = wait;
    while let Some(m) = cx.agent().recv_within(s, window).await? {
        got.push(m);
        window = quiet;
    }
    let shown: Vec<String> = got.iter().map(|m| show(m)).collect();
    let b1 = shown.iter().filter(|m| *m == "[b1]").count();
    let a1 = shown.iter().filter(|m| *m == "[a1]").count();
    if b1 == 1 && a1 <= 1 && b1 + a1 == shown.len() {
        let what = if a1 == 1 {
            "the departed peer's [a1] was still delivered (libzmq reads a pipe to its end)"
        } else {
            "the departed peer's [a1] was discarded"
        };
        cx.pass(format!("[b1] delivered; {what}"))
    } else {
        cx.fail(format!("delivered {}", shown.join(" ")))
    }
});

case_fn!(gather_drops_multipart, |cx| {
    let (s, _l, mut p) = cx.connected("GATHER", "scatter1").await?;
    cx.handshake(&mut p, "SCATTER", 1).await?;
    cx.model("GATHER");
    cx.record(TraceEvent::Connect(PeerId(1)));
    cx.record_attach(1, "SCATTER", None);
    let mut bytes = message_frames(&[b"part", b"two"]);
    bytes.extend(message_frames(&[b"single"]));
    p.send(&bytes).await.map_err(step("sending"))?;
    cx.record_from(1, &frames(&[b"part", b"two"]));
    cx.record_from(1, &frames(&[b"single"]));
    let got = cx.agent().recv(s).await?;
    cx.record_recv(&got);
    if got == frames(&[b"single"]) {
        cx.pass("the multipart message was discarded, [single] delivered")
    } else {
        cx.fail(format!("delivered {}", show(&got)))
    }
});
