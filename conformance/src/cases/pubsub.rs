//! PUB, SUB, XPUB and XSUB (RFC 29; RFC 23/37 §The Publish-Subscribe
//! Pattern) against raw peers.

use std::time::Duration;

use bytes::Bytes;
use zmtp_model::SocketOption;
use zmtp_model::oracle::TraceEvent;
use zmtp_spec::wire::{Command, Flags, SubscriptionMessage};

use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, Outcome, ended, ended_during, show, step};
use crate::cases::{case_fn, minor};
use crate::peer::{PeerError, RawPeer, encoded, message_frames};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "37-R45/1",
            also: &["29-R08", "37-R48", "29-R02", "29-R04"],
            param: 1,
            run: filtered_at_pub,
            sends: "a 3.1 SUB subscribes \"A\" (command) to a bound PUB, which publishes [B1] [A1] [AB]",
            expects: "only [A1] and [AB] arrive",
        },
        Case {
            id: "23-R40/1",
            also: &["23-R43", "29-R11"],
            param: 0,
            run: filtered_at_pub,
            sends: "a 3.0 SUB subscribes \"A\" (message 01 41) to a bound PUB",
            expects: "only [A1] and [AB] arrive",
        },
        Case {
            id: "37-R49/1",
            also: &["23-R44"],
            param: 1,
            run: empty_matches_all,
            sends: "a SUB subscribes to the empty prefix",
            expects: "every message arrives",
        },
        Case {
            id: "37-R50/1",
            also: &["23-R45"],
            param: 1,
            run: additive,
            sends: "a SUB subscribes \"A\" and \"B\"; the PUB publishes [A1] [C1] [B1]",
            expects: "[A1] and [B1] arrive, [C1] does not",
        },
        Case {
            id: "37-R51/1",
            also: &["23-R46"],
            param: 1,
            run: not_idempotent,
            sends: "a SUB subscribes \"A\" twice and \"Z\", cancels \"A\" once",
            expects: "[A1] still arrives",
        },
        Case {
            id: "37-R47/1",
            also: &["29-R23"],
            param: 1,
            run: cancel_removes,
            sends: "a 3.1 SUB subscribes \"A\" and \"Z\", then CANCELs \"A\"",
            expects: "[A1] no longer arrives, [Z1] does",
        },
        Case {
            id: "23-R42/1",
            also: &[],
            param: 0,
            run: cancel_removes,
            sends: "a 3.0 SUB subscribes \"A\" and \"Z\", then unsubscribes \"A\" (message 00 41)",
            expects: "[A1] no longer arrives, [Z1] does",
        },
        Case {
            id: "37-R46/1",
            also: &["G12"],
            param: 1,
            run: sub_sends_subscribe,
            sends: "the implementation's SUB connects to a raw 3.1 PUB and subscribes \"A\", then unsubscribes",
            expects: "SUBSCRIBE A then CANCEL A commands",
        },
        Case {
            id: "23-R41/1",
            also: &["G17", "29-R48"],
            param: 0,
            run: sub_sends_subscribe,
            sends: "the implementation's SUB connects to a raw 3.0 PUB and subscribes \"A\", then unsubscribes",
            expects: "message frames 01 41 then 00 41 (flags 00, short size)",
        },
        Case {
            id: "29-R06/1",
            also: &[],
            param: 1,
            run: pub_ignores_messages,
            sends: "a SUB sends an ordinary message [02 78] to the PUB, then subscribes \"A\"",
            expects: "the message is discarded, the connection stays and [A1] arrives",
        },
        Case {
            id: "29-R07/1",
            also: &["29-R17", "29-R18", "29-R24", "29-R13", "29-R15"],
            param: 1,
            run: xpub_unmodified,
            sends: "a SUB subscribes \"A\" to a bound XPUB, which publishes [A1][][ff00] and [B1]",
            expects: "the application sees 01 41; [A1][][ff00] arrives unchanged, [B1] does not",
        },
        Case {
            id: "29-R44/1",
            also: &["29-R43", "29-R35", "29-R36"],
            param: 1,
            run: xsub_to_all,
            sends: "the implementation's XSUB connects to two raw PUBs, sends [01 41] and [hello]",
            expects: "both PUBs receive the subscription and [hello]",
        },
        Case {
            id: "29-R32/1",
            also: &["29-R34", "29-R27", "29-R28"],
            param: 1,
            run: sub_fair_queue,
            sends: "the implementation's SUB (subscribed to everything) connects to two raw PUBs, each publishes two messages",
            expects: "all four arrive, the first two from different publishers",
        },
        Case {
            id: "29-R41/1",
            also: &["29-R39"],
            param: 2,
            run: sub_fair_queue,
            sends: "the implementation's XSUB (subscribed with 01) connects to two raw PUBs, each publishes two messages",
            expects: "all four arrive, the first two from different publishers",
        },
    ]
}

/// A raw SUB connected to `ep`, greeting as 3.`minor`; also gives the
/// minor version both sides then share (subscriptions are commands only
/// when both speak 3.1: zmtp-wire.md 6.1 #19).
async fn raw_sub(cx: &mut Ctx, ep: &str, minor: u8) -> Result<(RawPeer, u8), Stop> {
    let mut p = cx.dial(ep, "sub1").await?;
    let h = cx.handshake(&mut p, "SUB", minor).await?;
    Ok((p, minor.min(h.minor())))
}

/// A subscription or cancel, in the format of ZMTP 3.`minor`.
pub(super) fn sub_bytes(minor: u8, subscribe: bool, topic: &[u8]) -> Vec<u8> {
    let topic = Bytes::copy_from_slice(topic);
    match (minor >= 1, subscribe) {
        (true, true) => encoded(&Command::Subscribe(topic)),
        (true, false) => encoded(&Command::Cancel(topic)),
        (false, true) => encoded(&SubscriptionMessage::Subscribe(topic).to_message()),
        (false, false) => encoded(&SubscriptionMessage::Cancel(topic).to_message()),
    }
}

/// Publishes `sync` until the raw SUB receives it (the subscriptions sent
/// before are then in force). When it never arrives, the stop says what
/// ended the wait: the PUB closed the connection (with or without ERROR),
/// it delivered other messages, or nothing arrived.
async fn sync(cx: &mut Ctx, s: Sock, p: &mut RawPeer, sync: &[u8]) -> Result<(), Stop> {
    let mut other = Vec::new();
    for _ in 0..40 {
        cx.agent().send(s, &[sync]).await?;
        cx.record_send(&[Bytes::copy_from_slice(sync)]);
        match p.recv_message(Duration::from_millis(100)).await {
            Ok(m) => {
                cx.record_to(1, &m);
                if m.first().is_some_and(|f| f.as_ref() == sync) {
                    return Ok(());
                }
                other.push(show(&m));
            }
            Err(e @ PeerError::Closed) => {
                return Err(Stop::Fail(format!(
                    "{} before the subscription took effect (received before: {})",
                    ended(p, &e),
                    if other.is_empty() {
                        "nothing".to_string()
                    } else {
                        other.join(" ")
                    }
                )));
            }
            Err(_) => {}
        }
    }
    Err(Stop::Fail(if other.is_empty() {
        "the subscription never took effect: 40 publications of the sync topic, none arrived, \
         and the connection stayed open"
            .into()
    } else {
        format!(
            "the subscription never took effect: the PUB delivered {} but never the sync topic",
            other.join(" ")
        )
    }))
}

/// What arrives within the quiet window, sync messages left out.
async fn collect(cx: &mut Ctx, p: &mut RawPeer, skip: &[u8]) -> Vec<Vec<Bytes>> {
    let mut out = Vec::new();
    let quiet = cx.quiet();
    while let Ok(m) = p.recv_message(quiet).await {
        cx.record_to(1, &m);
        if m.first().is_some_and(|f| f.as_ref() == skip) {
            continue;
        }
        out.push(m);
    }
    out
}

fn firsts(ms: &[Vec<Bytes>]) -> Vec<Bytes> {
    ms.iter().filter_map(|m| m.first().cloned()).collect()
}

/// The topic `publish_and_check` subscribes to last and publishes until it
/// arrives: no case's own subscription matches it, so its arrival proves
/// the publisher has processed every subscription and cancellation sent
/// before it (one connection keeps its order, 37-R44).
const SYNC: &[u8] = b"\xffsync";

/// Subscribes, publishes and checks what arrives. `commands`: the case
/// judges the 3.1 SUBSCRIBE/CANCEL commands (37-R45, 37-R47), so an
/// implementation that announced 3.0 (and was sent messages) passes the
/// filtering but is not credited with the commands (not applicable).
async fn publish_and_check(
    cx: &mut Ctx,
    subs: &[(bool, &[u8])],
    publish: &[&[u8]],
    want: &[&[u8]],
    commands: bool,
) -> Outcome {
    let m = minor(cx);
    let (s, ep) = cx.bound("PUB").await?;
    let (mut p, m) = raw_sub(cx, &ep, m).await?;
    cx.model("PUB");
    cx.record_attach(1, "SUB", None);
    for (subscribe, topic) in subs.iter().copied().chain([(true, SYNC)]) {
        p.send(&sub_bytes(m, subscribe, topic))
            .await
            .map_err(step("subscribing"))?;
        cx.record_subscription(1, subscribe, topic);
    }
    let sync_topic = SYNC;
    sync(cx, s, &mut p, sync_topic).await?;
    for msg in publish {
        cx.agent().send(s, &[msg]).await?;
        cx.record_send(&[Bytes::copy_from_slice(msg)]);
    }
    let got = firsts(&collect(cx, &mut p, sync_topic).await);
    let want: Vec<Bytes> = want.iter().map(|w| Bytes::copy_from_slice(w)).collect();
    if got == want && commands && m == 0 {
        cx.not_applicable(format!(
            "the implementation announced ZMTP 3.0, so the subscriptions went as 3.0 messages, \
             not the 3.1 commands this case checks; received {}, as filtering asks",
            show(&got)
        ))
    } else if got == want {
        cx.pass(format!("received {}", show(&got)))
    } else {
        cx.fail(format!("received {}, wanted {}", show(&got), show(&want)))
    }
}

case_fn!(filtered_at_pub, |cx| {
    let commands = cx.param >= 1;
    publish_and_check(
        cx,
        &[(true, b"A")],
        &[b"B1", b"A1", b"AB"],
        &[b"A1", b"AB"],
        commands,
    )
    .await
});

case_fn!(empty_matches_all, |cx| {
    publish_and_check(
        cx,
        &[(true, b"")],
        &[b"B1", b"A1", b"\x00"],
        &[b"B1", b"A1", b"\x00"],
        false,
    )
    .await
});

case_fn!(additive, |cx| {
    publish_and_check(
        cx,
        &[(true, b"A"), (true, b"B")],
        &[b"A1", b"C1", b"B1"],
        &[b"A1", b"B1"],
        false,
    )
    .await
});

case_fn!(not_idempotent, |cx| {
    publish_and_check(
        cx,
        &[(true, b"A"), (true, b"A"), (true, b"Z"), (false, b"A")],
        &[b"A1"],
        &[b"A1"],
        false,
    )
    .await
});

case_fn!(cancel_removes, |cx| {
    let commands = cx.param >= 1;
    publish_and_check(
        cx,
        &[(true, b"A"), (true, b"Z"), (false, b"A")],
        &[b"A1", b"Z1"],
        &[b"Z1"],
        commands,
    )
    .await
});

case_fn!(sub_sends_subscribe, |cx| {
    let m = minor(cx);
    let (s, _l, mut p) = cx.connected("SUB", "pub1").await?;
    cx.handshake(&mut p, "PUB", m).await?;
    cx.model("SUB");
    cx.record_attach(1, "PUB", None);
    // Subscribe, see it on the wire, then unsubscribe (an implementation
    // may cancel out a subscription undone before it was sent).
    let mut seen = Vec::new();
    for option in ["SUBSCRIBE", "UNSUBSCRIBE"] {
        cx.agent().set_bytes(s, option, b"A").await?;
        let topic = Bytes::from_static(b"A");
        cx.record(TraceEvent::SetOption(if option == "SUBSCRIBE" {
            SocketOption::Subscribe(topic)
        } else {
            SocketOption::Unsubscribe(topic)
        }));
        // libzmq acts on a socket option when the application next uses the socket.
        let _ = cx.agent().recv_within(s, Duration::from_millis(50)).await?;
        let wait = cx.wait();
        loop {
            let unit = p
                .read_unit(wait)
                .await
                .map_err(|e| ended_during("waiting for the subscription", &p, &e))?;
            let f = unit
                .first()
                .cloned()
                .ok_or_else(|| Stop::Fail("empty unit".into()))?;
            let item = match (f.command(), f.is_command()) {
                (Some(Command::Subscribe(t)), _) => {
                    cx.record_subscription_to(1, true, &t);
                    format!("SUBSCRIBE {}", crate::wirelog::printable(&t))
                }
                (Some(Command::Cancel(t)), _) => {
                    cx.record_subscription_to(1, false, &t);
                    format!("CANCEL {}", crate::wirelog::printable(&t))
                }
                (_, true) => continue,
                (_, false) if unit.len() == 1 && f.flags() == Flags(0) => {
                    // A 3.0 subscription message is the same item.
                    if let Ok(m) = SubscriptionMessage::parse(&f.body) {
                        let subscribe = matches!(m, SubscriptionMessage::Subscribe(_));
                        cx.record_subscription_to(1, subscribe, m.topic());
                    }
                    format!("message {}", crate::wirelog::hex(&f.body))
                }
                _ => format!("other: {}", f.describe()),
            };
            seen.push(item);
            break;
        }
    }
    judge_subscriptions(cx, m, &seen)
});

/// Judges what the implementation's SUB sent (`seen`) by the version the
/// connection negotiated, not by the agent's manifest: commands when both
/// sides announced 3.1 (37-R46, 37-R47), 01/00 messages when either
/// announced 3.0 (23-R41, 23-R42; zmtp-wire.md 6.1 #19). A 3.0
/// implementation is not bound by 37-R46: its messages are correct, and
/// case 37-R46/1 is then not applicable.
fn judge_subscriptions(cx: &Ctx, ours: u8, seen: &[String]) -> Outcome {
    let negotiated = cx.negotiated_minor();
    let (want, rule) = if negotiated >= 1 {
        (["SUBSCRIBE A", "CANCEL A"], "37-R46")
    } else {
        (["message 0141", "message 0041"], "23-R41")
    };
    let sent = seen.join(", ");
    if seen != want {
        return cx.fail(format!(
            "sent {sent}; ZMTP 3.{negotiated} asks for {} ({rule})",
            want.join(", ")
        ));
    }
    if ours >= 1 && negotiated == 0 {
        return cx.not_applicable(format!(
            "the implementation announced ZMTP 3.0 on this connection, so 37-R46 does not \
             bind it; it sent {sent}, as 23-R41 asks"
        ));
    }
    cx.pass(format!("sent {sent}, as {rule} asks"))
}

case_fn!(pub_ignores_messages, |cx| {
    let (s, ep) = cx.bound("PUB").await?;
    let (mut p, m) = raw_sub(cx, &ep, 1).await?;
    cx.model("PUB");
    cx.record_attach(1, "SUB", None);
    cx.raw_send(&mut p, &[b"\x02x"]).await?;
    cx.record_from(1, &[Bytes::from_static(b"\x02x")]);
    p.send(&sub_bytes(m, true, b"A"))
        .await
        .map_err(step("subscribing"))?;
    cx.record_subscription(1, true, b"A");
    sync(cx, s, &mut p, b"A-sync").await?;
    cx.agent().send(s, &[b"A1"]).await?;
    cx.record_send(&[Bytes::from_static(b"A1")]);
    let got = firsts(&collect(cx, &mut p, b"A-sync").await);
    if got == [Bytes::from_static(b"A1")] {
        cx.pass("the stray message was discarded; [A1] arrived")
    } else {
        cx.fail(format!("received {}", show(&got)))
    }
});

case_fn!(xpub_unmodified, |cx| {
    let (s, ep) = cx.bound("XPUB").await?;
    let (mut p, m) = raw_sub(cx, &ep, 1).await?;
    cx.model("XPUB");
    cx.record_attach(1, "SUB", None);
    p.send(&sub_bytes(m, true, b"A"))
        .await
        .map_err(step("subscribing"))?;
    cx.record_subscription(1, true, b"A");
    let up = cx.agent().recv(s).await?;
    cx.record_recv(&up);
    if up != [Bytes::from_static(b"\x01A")] {
        return cx.fail(format!(
            "the application saw the subscription as {}",
            show(&up)
        ));
    }
    sync(cx, s, &mut p, b"A-sync").await?;
    cx.agent().send(s, &[b"A1", b"", b"\xff\x00"]).await?;
    cx.record_send(&[
        Bytes::from_static(b"A1"),
        Bytes::new(),
        Bytes::from_static(b"\xff\x00"),
    ]);
    cx.agent().send(s, &[b"B1"]).await?;
    cx.record_send(&[Bytes::from_static(b"B1")]);
    let got = collect(cx, &mut p, b"A-sync").await;
    let want = vec![vec![
        Bytes::from_static(b"A1"),
        Bytes::new(),
        Bytes::from_static(b"\xff\x00"),
    ]];
    if got == want {
        cx.pass("subscription seen as 01 41; message unchanged; [B1] filtered")
    } else {
        cx.fail(format!(
            "received {:?}",
            got.iter().map(|m| show(m)).collect::<Vec<_>>()
        ))
    }
});

case_fn!(xsub_to_all, |cx| {
    cx.need(&["XSUB"])?;
    let s = cx.agent().socket("XSUB").await?;
    let mut peers = Vec::new();
    let mut ls = Vec::new();
    for label in ["pub1", "pub2"] {
        let l = cx.listener(label).await?;
        let (mut p, ()) = cx.connect_and_accept(s, &l, label).await?;
        cx.handshake(&mut p, "PUB", 1).await?;
        peers.push(p);
        ls.push(l);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    cx.model("XSUB");
    cx.record_attach(1, "PUB", None);
    cx.record_attach(2, "PUB", None);
    cx.agent().send(s, &[b"\x01A"]).await?;
    cx.record_send(&[Bytes::from_static(b"\x01A")]);
    cx.agent().send(s, &[b"hello"]).await?;
    cx.record_send(&[Bytes::from_static(b"hello")]);
    let wait = cx.wait();
    let mut report = Vec::new();
    for (k, p) in peers.iter_mut().enumerate() {
        let n = k as u64 + 1;
        let mut got = Vec::new();
        while got.len() < 2 {
            match p.read_unit(wait).await {
                Ok(unit) => {
                    let f = &unit[0];
                    match f.command() {
                        Some(Command::Subscribe(t)) if t.as_ref() == b"A" => {
                            cx.record_subscription_to(n, true, &t);
                            got.push("sub".to_string());
                        }
                        _ if f.is_command() => continue,
                        _ if unit.len() == 1
                            && SubscriptionMessage::parse(&f.body)
                                == Ok(SubscriptionMessage::Subscribe(Bytes::from_static(b"A"))) =>
                        {
                            cx.record_subscription_to(n, true, b"A");
                            got.push("sub".to_string());
                        }
                        _ => {
                            let m: Vec<Bytes> = unit.iter().map(|f| f.body.clone()).collect();
                            cx.record_to(n, &m);
                            got.push(show(&m));
                        }
                    }
                }
                Err(e) => {
                    got.push(format!("({e})"));
                    break;
                }
            }
        }
        report.push(got.join(" "));
    }
    if report.iter().all(|r| r == "sub [hello]") {
        cx.pass("both publishers got the subscription and [hello]")
    } else {
        cx.fail(format!(
            "pub1: {}; pub2: {}",
            report[0],
            report.get(1).cloned().unwrap_or_default()
        ))
    }
});

case_fn!(sub_fair_queue, |cx| {
    let kind = if cx.param == 2 { "XSUB" } else { "SUB" };
    cx.need(&[kind])?;
    let s = cx.agent().socket(kind).await?;
    cx.model(kind);
    if kind == "SUB" {
        cx.agent().set_bytes(s, "SUBSCRIBE", b"").await?;
        cx.record(TraceEvent::SetOption(SocketOption::Subscribe(Bytes::new())));
    }
    let mut peers = Vec::new();
    let mut ls = Vec::new();
    for label in ["pub1", "pub2"] {
        let l = cx.listener(label).await?;
        let (mut p, ()) = cx.connect_and_accept(s, &l, label).await?;
        cx.handshake(&mut p, "PUB", 1).await?;
        peers.push(p);
        ls.push(l);
    }
    cx.record_attach(1, "PUB", None);
    cx.record_attach(2, "PUB", None);
    if kind == "XSUB" {
        cx.agent().send(s, &[b"\x01"]).await?;
        cx.record_send(&[Bytes::from_static(b"\x01")]);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    for (k, p) in peers.iter_mut().enumerate() {
        for tag in ["a", "b"] {
            let m = format!("{}{tag}", k + 1);
            p.send(&message_frames(&[m.as_bytes()]))
                .await
                .map_err(step("publishing"))?;
            cx.record_from(k as u64 + 1, &[Bytes::from(m)]);
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

#[cfg(test)]
mod tests;
