//! CHANNEL (RFC 52, draft) against raw peers: one peer at a time, single
//! frames both ways, its queue before the connection, and a departed
//! peer's place taken by the next. These run only against agents whose
//! manifest offers CHANNEL.

use bytes::Bytes;
use zmtp_model::PeerId;
use zmtp_model::oracle::TraceEvent;

use crate::agent::Stop;
use crate::case::{Case, show, step};
use crate::cases::case_fn;
use crate::cases::reqrep::queued_before_connect;
use crate::cases::threadsafe::{describe, next_message, shape};
use crate::peer::message_frames;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "52-R03/1",
            also: &["52-R04", "52-R06", "52-R13", "52-R15"],
            param: 0,
            run: channel_unmodified,
            sends: "a raw CHANNEL and a bound CHANNEL exchange [hello world] both ways",
            expects: "delivered unchanged; one final frame on the wire",
        },
        Case {
            id: "52-R14/1",
            also: &[],
            param: 0,
            run: channel_single_peer,
            sends: "a second raw CHANNEL connects to a bound CHANNEL that has one, and both send",
            expects: "only one peer's message is delivered",
        },
        Case {
            id: "52-R05/1",
            also: &[],
            param: 0,
            run: channel_queues_before_connect,
            sends: "the CHANNEL connects to an endpoint that listens only 300 ms later, and sends [early]",
            expects: "[early] arrives once the connection is up",
        },
        Case {
            id: "52-R07/1",
            also: &[],
            param: 0,
            run: channel_next_peer,
            sends: "a raw CHANNEL connects to a bound CHANNEL and closes; a second connects; the \
                    CHANNEL sends [x]",
            expects: "[x] at the second peer: the first one's queue is gone",
        },
        Case {
            id: "52-R16/1",
            also: &["37-R57"],
            param: 0,
            run: channel_drops_multipart,
            sends: "a raw CHANNEL sends a two-frame message, then [single], to a bound CHANNEL",
            expects: "only [single] is delivered",
        },
    ]
}

fn frames(v: &[&'static [u8]]) -> Vec<Bytes> {
    v.iter().map(|f| Bytes::from_static(f)).collect()
}

case_fn!(channel_unmodified, |cx| {
    let (s, ep) = cx.bound("CHANNEL").await?;
    let mut p = cx.dial(&ep, "channel1").await?;
    cx.handshake(&mut p, "CHANNEL", 1).await?;
    cx.model("CHANNEL");
    cx.record_attach(1, "CHANNEL", None);
    cx.raw_send(&mut p, &[b"hello world"]).await?;
    cx.record_from(1, &frames(&[b"hello world"]));
    let got = cx.agent().recv(s).await?;
    cx.record_recv(&got);
    cx.agent().send(s, &[b"hello world"]).await?;
    cx.record_send(&frames(&[b"hello world"]));
    let wait = cx.wait();
    let unit = next_message(&mut p, wait)
        .await
        .ok_or_else(|| Stop::Fail("nothing arrived at the raw CHANNEL".into()))?;
    cx.record_to(1, &frames(&[b"hello world"]));
    if got != frames(&[b"hello world"]) {
        return cx.fail(format!("delivered {}", show(&got)));
    }
    if shape(&unit) == [(0, Bytes::from_static(b"hello world"))] {
        cx.pass("both directions unchanged, one final frame on the wire")
    } else {
        cx.fail(format!("on the wire: {}", describe(&unit)))
    }
});

case_fn!(channel_single_peer, |cx| {
    let (s, ep) = cx.bound("CHANNEL").await?;
    let mut p1 = cx.dial(&ep, "channel1").await?;
    cx.handshake(&mut p1, "CHANNEL", 1).await?;
    let mut p2 = cx.dial(&ep, "channel2").await?;
    let _ = cx.handshake(&mut p2, "CHANNEL", 1).await;
    // Which of two racing connections the CHANNEL keeps is its choice; it
    // must keep exactly one (as 31-R10/1 for PAIR).
    let _ = p2.send(&message_frames(&[b"intruder"])).await;
    let _ = p1.send(&message_frames(&[b"legit"])).await;
    let mut got = Vec::new();
    let wait = cx.wait();
    if let Some(m) = cx.agent().recv_within(s, wait).await? {
        got.push(m);
    }
    let quiet = cx.quiet();
    if let Some(m) = cx.agent().recv_within(s, quiet).await? {
        got.push(m);
    }
    if let [m] = got.as_slice() {
        cx.model("CHANNEL");
        cx.record_attach(1, "CHANNEL", None);
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

case_fn!(channel_queues_before_connect, |cx| {
    queued_before_connect(cx, "CHANNEL", "CHANNEL").await
});

case_fn!(channel_next_peer, |cx| {
    let (s, ep) = cx.bound("CHANNEL").await?;
    let mut p1 = cx.dial(&ep, "channel1").await?;
    cx.handshake(&mut p1, "CHANNEL", 1).await?;
    tokio::time::sleep(cx.quiet()).await;
    p1.close().await;
    tokio::time::sleep(cx.quiet()).await;
    let mut p2 = cx.dial(&ep, "channel2").await?;
    cx.handshake(&mut p2, "CHANNEL", 1).await?;
    tokio::time::sleep(cx.quiet()).await;
    cx.model("CHANNEL");
    cx.record_attach(1, "CHANNEL", None);
    cx.record(TraceEvent::Depart(PeerId(1)));
    cx.record_attach(2, "CHANNEL", None);
    cx.agent().send(s, &[b"x"]).await?;
    cx.record_send(&frames(&[b"x"]));
    let got = cx.raw_recv(&mut p2).await?;
    cx.record_to(2, &got);
    if got == frames(&[b"x"]) {
        cx.pass("[x] at the second peer, which took the departed one's place")
    } else {
        cx.fail(format!("the second peer received {}", show(&got)))
    }
});

case_fn!(channel_drops_multipart, |cx| {
    let (s, ep) = cx.bound("CHANNEL").await?;
    let mut p = cx.dial(&ep, "channel1").await?;
    cx.handshake(&mut p, "CHANNEL", 1).await?;
    cx.model("CHANNEL");
    cx.record_attach(1, "CHANNEL", None);
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
