//! Queues and high-water marks (RFC 28-31 §General/§Outgoing), and the
//! draft thread-safe and group patterns of RFC 37 (RADIO/DISH,
//! CLIENT/SERVER), which run only against agents that offer those types.

use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use zmtp_model::oracle::TraceEvent;
use zmtp_model::{PeerId, SocketOption};
use zmtp_spec::wire::{Command, Flags, SubscriptionMessage};

use crate::agent::{Answer, Sock, Stop};
use crate::case::{Case, Ctx, show, step};
use crate::cases::case_fn;
use crate::peer::{encoded, message_frames};
use crate::wirelog::hex;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "29-R09/1",
            also: &["29-R10"],
            param: 0,
            run: pub_never_blocks,
            sends: "a SUB that subscribes to everything and stops reading; the PUB (SNDHWM 2) publishes 120 x 64 KiB",
            expects: "every send returns at once: messages beyond the HWM are dropped",
        },
        Case {
            id: "29-R19/1",
            also: &["29-R20"],
            param: 1,
            run: pub_never_blocks,
            sends: "as 29-R09/1 with an XPUB",
            expects: "every send returns at once",
        },
        Case {
            id: "28-R29/1",
            also: &["28-R27"],
            param: 0,
            run: no_discard,
            sends: "a raw peer that stops reading; the DEALER (SNDHWM 1) sends 64 KiB messages until a send times out",
            expects: "every message the DEALER accepted arrives once the peer reads",
        },
        Case {
            id: "41-R13/1",
            also: &["41-R09"],
            param: 6,
            run: no_discard,
            sends: "as 28-R29/1 with a CLIENT (SNDHWM 1)",
            expects: "every message the CLIENT accepted arrives once the peer reads",
        },
        Case {
            id: "30-R11/1",
            also: &["30-R09", "30-R10"],
            param: 1,
            run: no_discard,
            sends: "as 28-R29/1 with a PUSH",
            expects: "every accepted message arrives",
        },
        Case {
            id: "31-R09/1",
            also: &["31-R06", "31-R07", "31-R08"],
            param: 2,
            run: no_discard,
            sends: "as 28-R29/1 with a PAIR",
            expects: "every accepted message arrives",
        },
        Case {
            id: "49-R14/1",
            also: &["49-R10", "49-R12", "49-R13"],
            param: 3,
            run: no_discard,
            sends: "as 28-R29/1 with a SCATTER",
            expects: "every accepted message arrives",
        },
        Case {
            id: "52-R12/1",
            also: &["52-R09", "52-R10", "52-R11"],
            param: 4,
            run: no_discard,
            sends: "as 28-R29/1 with a CHANNEL",
            expects: "every accepted message arrives",
        },
        Case {
            id: "51-R19/1",
            also: &["51-R18"],
            param: 5,
            run: no_discard,
            sends: "as 28-R29/1 with a PEER, addressing the raw peer by the routing id its first \
                    message came with",
            expects: "every accepted message arrives",
        },
        Case {
            id: "28-R18/1",
            also: &["28-R19"],
            param: 1,
            run: rep_originator_gone,
            sends: "a raw DEALER sends a request to a bound REP and disconnects; the REP replies; a second peer asks",
            expects: "the orphan reply is dropped (or refused) and the second request is answered",
        },
        Case {
            id: "29-R03/1",
            also: &["29-R14"],
            param: 0,
            run: pub_connects_out,
            sends: "the implementation's PUB connects to a raw SUB listener that subscribes \"A\"",
            expects: "[A1] arrives over the outgoing connection",
        },
        Case {
            id: "29-R14/1",
            also: &[],
            param: 1,
            run: pub_connects_out,
            sends: "the implementation's XPUB connects to a raw SUB listener that subscribes \"A\"",
            expects: "[A1] arrives",
        },
        Case {
            id: "29-R29/1",
            also: &[],
            param: 0,
            run: sub_bound,
            sends: "a raw PUB connects to a bound SUB subscribed to everything, and publishes [x]",
            expects: "the subscription is sent to the new publisher and [x] is delivered",
        },
        Case {
            id: "29-R37/1",
            also: &["29-R47", "29-R42"],
            param: 1,
            run: sub_bound,
            sends: "a raw PUB connects to a bound XSUB that sent 01 (everything), and publishes [x]",
            expects: "the subscription reaches the publisher and [x] is delivered",
        },
        Case {
            id: "30-R05/1",
            also: &[],
            param: 1,
            run: push_bound,
            sends: "a raw PULL connects to a bound PUSH, which sends [m]",
            expects: "[m] arrives",
        },
        Case {
            id: "29-R21/1",
            also: &["29-R22"],
            param: 1,
            run: xpub_fair_queue,
            sends: "two raw SUBs each send two ordinary messages to a bound XPUB",
            expects: "all four delivered to the application, the first two from different peers",
        },
        Case {
            id: "37-R53/1",
            also: &["37-R54", "G14"],
            param: 1,
            run: dish_joins,
            sends: "the implementation's DISH connects to a raw RADIO, joins then leaves group \"g\"",
            expects: "JOIN g then LEAVE g commands",
        },
        Case {
            id: "37-R52/1",
            also: &["G15"],
            param: 1,
            run: radio_filters,
            sends: "a raw DISH joins \"g\" at a bound RADIO, which sends to groups h and g",
            expects: "only the group-g message arrives, as [g] (flags 01) + [body] (flags 00)",
        },
        Case {
            id: "37-R57/1",
            also: &[],
            param: 1,
            run: server_drops_multipart,
            sends: "a raw CLIENT sends a two-frame message then [single] to a bound SERVER",
            expects: "only [single] is delivered",
        },
        Case {
            id: "37-R56/1",
            also: &[],
            param: 1,
            run: client_refuses_multipart,
            sends: "the application asks a CLIENT to send a two-frame message",
            expects: "the send is refused and nothing reaches the raw SERVER",
        },
    ]
}

async fn set_hwm(cx: &mut Ctx, s: Sock, option: &str, value: i64) -> Result<(), Stop> {
    cx.agent().set_int(s, option, value).await
}

/// One send with its own time limit: Ok(true) sent, Ok(false) timed out.
pub(super) async fn send_within(
    cx: &mut Ctx,
    s: Sock,
    frames: &[&[u8]],
    ms: u64,
) -> Result<bool, Stop> {
    let frames: Vec<String> = frames.iter().map(|f| hex(f)).collect();
    let r = json!({"op": "send", "socket": s.0, "frames": frames, "timeout_ms": ms});
    match cx.agent().raw(r, ms).await? {
        Answer::Ok(_) => Ok(true),
        Answer::Error { again: true, .. } => Ok(false),
        Answer::Error { message, .. } => Err(Stop::Fail(format!("agent send: {message}"))),
        Answer::Unsupported(why) => Err(Stop::Unsupported(why)),
    }
}

case_fn!(pub_never_blocks, |cx| {
    let kind = if cx.param == 1 { "XPUB" } else { "PUB" };
    cx.need(&[kind])?;
    let s = cx.agent().socket(kind).await?;
    cx.model(kind);
    set_hwm(cx, s, "SNDHWM", 2).await?;
    cx.record(TraceEvent::SetOption(SocketOption::SndHwm(2)));
    let ep = cx.endpoint()?;
    let ep = cx.agent().bind(s, &ep).await?;
    let mut p = cx.dial(&ep, "sub1").await?;
    let h = cx.handshake(&mut p, "SUB", 1).await?;
    cx.record_attach(1, "SUB", None);
    let sub = if h.minor() >= 1 {
        encoded(&Command::Subscribe(Bytes::new()))
    } else {
        encoded(&SubscriptionMessage::Subscribe(Bytes::new()).to_message())
    };
    p.send(&sub).await.map_err(step("subscribing"))?;
    cx.record_subscription(1, true, b"");
    if kind == "XPUB"
        && let Some(m) = cx
            .agent()
            .recv_within(s, Duration::from_millis(500))
            .await?
    {
        cx.record_recv(&m);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Nothing is read at the subscriber, so the trace has no ToPeer: the
    // model explains every send (PUB drops at the HWM and never blocks).
    let big = Bytes::from(vec![b'x'; 64 * 1024]);
    for n in 0..120 {
        if !send_within(cx, s, &[&big], 1000).await? {
            return cx.fail(format!(
                "send {n} blocked for 1 s with a subscriber that does not read"
            ));
        }
        cx.record_send(std::slice::from_ref(&big));
    }
    cx.pass("120 sends of 64 KiB returned at once")
});

case_fn!(no_discard, |cx| {
    let (kind, peer) = match cx.param {
        0 => ("DEALER", "ROUTER"),
        1 => ("PUSH", "PULL"),
        2 => ("PAIR", "PAIR"),
        3 => ("SCATTER", "GATHER"),
        4 => ("CHANNEL", "CHANNEL"),
        6 => ("CLIENT", "SERVER"),
        _ => ("PEER", "PEER"),
    };
    cx.need(&[kind])?;
    let listener = cx.listener("peer1").await?;
    let s = cx.agent().socket(kind).await?;
    set_hwm(cx, s, "SNDHWM", 1).await?;
    let (mut p, ()) = cx.connect_and_accept(s, &listener, "peer1").await?;
    cx.handshake(&mut p, peer, 1).await?;
    // A PEER addresses its messages by routing id: the raw peer speaks
    // first, and the id its message came with addresses the rest (the
    // model numbers peers its own way, so PEER has no model trace here).
    let route = if kind == "PEER" {
        cx.raw_send(&mut p, &[b"hi"]).await?;
        match cx.agent().recv(s).await?.as_slice() {
            [rid, _] => Some(rid.clone()),
            other => return cx.fail(format!("delivered {} (no routing id)", show(other))),
        }
    } else {
        None
    };
    // The trace leaves SNDHWM out: the model counts a message as queued
    // until the peer is seen to read it (ToPeer), while the kernel's socket
    // buffers hold many more in between, so the HWM is not observable
    // here. The oracle judges what is: every accepted message arrives,
    // once, in order (and a blocked send is not recorded).
    if route.is_none() {
        cx.model(kind);
        cx.record_attach(1, peer, None);
    }
    let big = vec![b'y'; 64 * 1024];
    let mut sent = 0u32;
    let mut blocked = false;
    while sent < 400 {
        let mut msg = sent.to_be_bytes().to_vec();
        msg.extend_from_slice(&big);
        let accepted = match &route {
            Some(rid) => send_within(cx, s, &[rid, &msg], 300).await?,
            None => send_within(cx, s, &[&msg], 300).await?,
        };
        if accepted {
            cx.record_send(&[Bytes::from(msg)]);
            sent += 1;
        } else {
            blocked = true;
            break;
        }
    }
    let mut got = 0u32;
    let wait = cx.wait();
    while got < sent {
        match p.recv_message(wait).await {
            Ok(m) => {
                cx.record_to(1, &m);
                let n = m
                    .first()
                    .and_then(|f| f.get(..4))
                    .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                if n != Some(got) {
                    return cx.fail(format!("message {got} missing: got number {n:?}"));
                }
                got += 1;
            }
            Err(e) => return cx.fail(format!("{got} of {sent} accepted messages arrived ({e})")),
        }
    }
    let how = if blocked {
        "then a send blocked"
    } else {
        "without blocking"
    };
    cx.pass(format!("all {sent} accepted messages arrived ({how})"))
});

case_fn!(rep_originator_gone, |cx| {
    let (s, ep) = cx.bound("REP").await?;
    let mut p1 = cx.dial(&ep, "peer1").await?;
    cx.handshake(&mut p1, "DEALER", 1).await?;
    cx.model("REP");
    cx.record_attach(1, "DEALER", None);
    cx.raw_send(&mut p1, &[b"", b"q1"]).await?;
    cx.record_from(1, &[Bytes::new(), Bytes::from_static(b"q1")]);
    let q1 = cx.agent().recv(s).await?;
    cx.record_recv(&q1);
    p1.close().await;
    // An accepted connection that closes is gone for good.
    cx.record(TraceEvent::Detach(PeerId(1)));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let orphan = match cx
        .agent()
        .raw(
            json!({"op": "send", "socket": s.0, "frames": [hex(b"r1")], "timeout_ms": 1000}),
            1000,
        )
        .await?
    {
        Answer::Ok(_) => {
            cx.record_send(&[Bytes::from_static(b"r1")]);
            "dropped"
        }
        Answer::Error { again: true, .. } => {
            return cx.fail("the reply to a departed peer blocked");
        }
        Answer::Error { .. } => {
            // The model drops the orphan reply; an error leaves the REP
            // in a state the model has no event for, so no judgement.
            cx.model = None;
            "refused with an error"
        }
        Answer::Unsupported(why) => return Err(Stop::Unsupported(why)),
    };
    let mut p2 = cx.dial(&ep, "peer2").await?;
    cx.handshake(&mut p2, "DEALER", 1).await?;
    cx.record_attach(2, "DEALER", None);
    cx.raw_send(&mut p2, &[b"", b"q2"]).await?;
    cx.record_from(2, &[Bytes::new(), Bytes::from_static(b"q2")]);
    let req = cx.agent().recv(s).await?;
    cx.record_recv(&req);
    cx.agent().send(s, &[b"r2"]).await?;
    cx.record_send(&[Bytes::from_static(b"r2")]);
    let got = cx.raw_recv(&mut p2).await?;
    cx.record_to(2, &got);
    if req == [Bytes::from_static(b"q2")] && got == [Bytes::new(), Bytes::from_static(b"r2")] {
        cx.pass(format!(
            "the orphan reply was {orphan}; the next request was answered"
        ))
    } else {
        cx.fail(format!(
            "then delivered {} and replied {}",
            show(&req),
            show(&got)
        ))
    }
});

case_fn!(pub_connects_out, |cx| {
    let kind = if cx.param == 1 { "XPUB" } else { "PUB" };
    let (s, _l, mut p) = cx.connected(kind, "sub1").await?;
    let h = cx.handshake(&mut p, "SUB", 1).await?;
    cx.model(kind);
    cx.record_attach(1, "SUB", None);
    let topic = Bytes::from_static(b"A");
    let sub = if h.minor() >= 1 {
        encoded(&Command::Subscribe(topic))
    } else {
        encoded(&SubscriptionMessage::Subscribe(topic).to_message())
    };
    p.send(&sub).await.map_err(step("subscribing"))?;
    cx.record_subscription(1, true, b"A");
    if kind == "XPUB"
        && let Some(m) = cx
            .agent()
            .recv_within(s, Duration::from_millis(500))
            .await?
    {
        cx.record_recv(&m);
    }
    for _ in 0..40 {
        cx.agent().send(s, &[b"A1"]).await?;
        cx.record_send(&[Bytes::from_static(b"A1")]);
        if let Ok(m) = p.recv_message(Duration::from_millis(100)).await {
            cx.record_to(1, &m);
            return if m == [Bytes::from_static(b"A1")] {
                cx.pass("[A1] arrived over the outgoing connection")
            } else {
                cx.fail(format!("received {}", show(&m)))
            };
        }
    }
    cx.fail("nothing arrived over the outgoing connection")
});

case_fn!(sub_bound, |cx| {
    let kind = if cx.param == 1 { "XSUB" } else { "SUB" };
    cx.need(&[kind])?;
    let s = cx.agent().socket(kind).await?;
    let ep = cx.endpoint()?;
    let ep = cx.agent().bind(s, &ep).await?;
    cx.model(kind);
    if kind == "SUB" {
        cx.agent().set_bytes(s, "SUBSCRIBE", b"").await?;
        cx.record(TraceEvent::SetOption(SocketOption::Subscribe(Bytes::new())));
    }
    let mut p = cx.dial(&ep, "pub1").await?;
    cx.handshake(&mut p, "PUB", 1).await?;
    cx.record_attach(1, "PUB", None);
    if kind == "XSUB" {
        cx.agent().send(s, &[b"\x01"]).await?;
        cx.record_send(&[Bytes::from_static(b"\x01")]);
    }
    // libzmq attaches an accepted peer when the application next uses the
    // socket: give it that chance, as an application waiting in recv would.
    if let Some(m) = cx
        .agent()
        .recv_within(s, Duration::from_millis(200))
        .await?
    {
        cx.record_recv(&m);
    }
    let wait = cx.wait();
    let unit = p
        .read_unit(wait)
        .await
        .map_err(step("waiting for the subscription"))?;
    let f = &unit[0];
    let ok = matches!(f.command(), Some(Command::Subscribe(ref t)) if t.is_empty())
        || (!f.is_command()
            && SubscriptionMessage::parse(&f.body)
                == Ok(SubscriptionMessage::Subscribe(Bytes::new())));
    if !ok {
        return cx.fail(format!("expected a subscription, got {}", f.describe()));
    }
    cx.record_subscription_to(1, true, b"");
    cx.raw_send(&mut p, &[b"x"]).await?;
    cx.record_from(1, &[Bytes::from_static(b"x")]);
    let got = cx.agent().recv(s).await?;
    cx.record_recv(&got);
    if got == [Bytes::from_static(b"x")] {
        cx.pass("subscription sent to the publisher; [x] delivered")
    } else {
        cx.fail(format!("delivered {}", show(&got)))
    }
});

case_fn!(push_bound, |cx| {
    let (s, ep) = cx.bound("PUSH").await?;
    let mut p = cx.dial(&ep, "pull1").await?;
    cx.handshake(&mut p, "PULL", 1).await?;
    cx.model("PUSH");
    cx.record_attach(1, "PULL", None);
    tokio::time::sleep(Duration::from_millis(50)).await;
    cx.agent().send(s, &[b"m"]).await?;
    cx.record_send(&[Bytes::from_static(b"m")]);
    let got = cx.raw_recv(&mut p).await?;
    cx.record_to(1, &got);
    if got == [Bytes::from_static(b"m")] {
        cx.pass("[m] arrived")
    } else {
        cx.fail(format!("received {}", show(&got)))
    }
});

case_fn!(xpub_fair_queue, |cx| {
    let (s, ep) = cx.bound("XPUB").await?;
    let mut ps = Vec::new();
    for label in ["sub1", "sub2"] {
        let mut p = cx.dial(&ep, label).await?;
        cx.handshake(&mut p, "SUB", 1).await?;
        ps.push(p);
    }
    cx.model("XPUB");
    cx.record_attach(1, "SUB", None);
    cx.record_attach(2, "SUB", None);
    for (k, p) in ps.iter_mut().enumerate() {
        for tag in [b'a', b'b'] {
            let m = [b'1' + k as u8, tag];
            p.send(&message_frames(&[&m]))
                .await
                .map_err(step("sending"))?;
            cx.record_from(k as u64 + 1, &[Bytes::copy_from_slice(&m)]);
        }
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

case_fn!(dish_joins, |cx| {
    let (s, _l, mut p) = cx.connected("DISH", "radio1").await?;
    cx.handshake(&mut p, "RADIO", 1).await?;
    cx.agent().set_bytes(s, "JOIN", b"g").await?;
    cx.agent().set_bytes(s, "LEAVE", b"g").await?;
    let wait = cx.wait();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let f = p
            .read_frame(wait)
            .await
            .map_err(step("waiting for JOIN/LEAVE"))?;
        match f.command() {
            Some(Command::Join(g)) => seen.push(format!("JOIN {}", crate::wirelog::printable(&g))),
            Some(Command::Leave(g)) => {
                seen.push(format!("LEAVE {}", crate::wirelog::printable(&g)));
            }
            _ if f.is_command() => {}
            _ => seen.push(f.describe()),
        }
    }
    if seen == ["JOIN g", "LEAVE g"] {
        cx.pass("JOIN g, LEAVE g")
    } else {
        cx.fail(seen.join(", "))
    }
});

case_fn!(radio_filters, |cx| {
    let (s, ep) = cx.bound("RADIO").await?;
    let mut p = cx.dial(&ep, "dish1").await?;
    cx.handshake(&mut p, "DISH", 1).await?;
    p.send(&encoded(&Command::Join(Bytes::from_static(b"g"))))
        .await
        .map_err(step("JOIN"))?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    cx.agent().send(s, &[b"h", b"other"]).await?;
    cx.agent().send(s, &[b"g", b"mine"]).await?;
    let wait = cx.wait();
    let unit = p
        .read_unit(wait)
        .await
        .map_err(step("waiting for the group message"))?;
    let shape: Vec<(Flags, Bytes)> = unit.iter().map(|f| (f.flags(), f.body.clone())).collect();
    if shape
        == [
            (Flags(Flags::MORE), Bytes::from_static(b"g")),
            (Flags(0), Bytes::from_static(b"mine")),
        ]
    {
        cx.pass("only group g, as [g](01) + [mine](00)")
    } else {
        cx.fail(format!(
            "received {}",
            unit.iter()
                .map(|f| f.describe())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
});

case_fn!(server_drops_multipart, |cx| {
    let (s, ep) = cx.bound("SERVER").await?;
    let mut p = cx.dial(&ep, "client1").await?;
    cx.handshake(&mut p, "CLIENT", 1).await?;
    let mut bytes = message_frames(&[b"part", b"two"]);
    bytes.extend(message_frames(&[b"single"]));
    p.send(&bytes).await.map_err(step("sending"))?;
    let got = cx.agent().recv(s).await?;
    let body = got.last().cloned().unwrap_or_default();
    if body.as_ref() == b"single" {
        cx.pass("the multipart message was discarded")
    } else {
        cx.fail(format!("delivered {}", show(&got)))
    }
});

case_fn!(client_refuses_multipart, |cx| {
    let (s, _l, mut p) = cx.connected("CLIENT", "server1").await?;
    cx.handshake(&mut p, "SERVER", 1).await?;
    let r =
        json!({"op": "send", "socket": s.0, "frames": [hex(b"a"), hex(b"b")], "timeout_ms": 500});
    let refused = !matches!(cx.agent().raw(r, 500).await?, Answer::Ok(_));
    let quiet = cx.quiet();
    let arrived = p.recv_message(quiet).await.ok();
    match (refused, arrived) {
        (true, None) => cx.pass("refused; nothing sent"),
        (_, Some(m)) => cx.fail(format!("sent {}", show(&m))),
        (false, None) => cx.fail("accepted a multipart send"),
    }
});
