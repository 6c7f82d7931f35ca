//! A peer that departs (28-R24 and its family for PUB, XPUB, SUB, XSUB,
//! PUSH, PULL, PAIR, CLIENT and SERVER): when a peer that connected in
//! goes away, the socket destroys its queues and discards what they held.
//! Two sides of that are visible on the wire:
//!
//! ```text
//!   outgoing: raw peer A dials the agent's bound socket, stops reading;
//!             the agent sends large messages until its queue for A is full
//!             (or 64 of them); A closes; raw peer B dials in
//!             => B's first message is the one sent after A left, never
//!                one that was queued for A
//!   incoming: raw peer A sends [m1] [m2] [m3] and the first frame of a
//!             multipart message (MORE set), then closes
//!             => the application receives none of them (the queue
//!                discarded) or m1, m2, m3 in order (kept, as libzmq and
//!                model/src/lifecycle.rs do); never the cut message, never
//!                out of order or twice
//! ```

use std::time::Duration;

use bytes::Bytes;
use zmtp_spec::wire::view::FrameBuilder;

use crate::agent::{Client, Sock, Stop};
use crate::case::{Case, Ctx, Outcome, show, step};
use crate::cases::case_fn;
use crate::peer::{RawPeer, message_frames};

use super::pubsub::sub_bytes;

/// How large each flooding message is.
const BIG: usize = 128 * 1024;
/// How many flooding messages at most.
const FLOOD: usize = 64;
/// How long one flooding send may wait before the queue counts as full.
const FULL_AFTER: Duration = Duration::from_millis(200);

/// The outgoing variants: (the agent's socket, the raw peer's type).
const OUTGOING: [(&str, &str); 6] = [
    ("DEALER", "DEALER"),
    ("PUB", "SUB"),
    ("XPUB", "SUB"),
    ("PUSH", "PULL"),
    ("PAIR", "PAIR"),
    ("CLIENT", "SERVER"),
];

/// The incoming variants.
const INCOMING: [(&str, &str); 6] = [
    ("DEALER", "DEALER"),
    ("SUB", "PUB"),
    ("XSUB", "PUB"),
    ("PULL", "PUSH"),
    ("PAIR", "PAIR"),
    ("SERVER", "CLIENT"),
];

pub(super) fn cases() -> Vec<Case> {
    const OUT_SENDS: &str = "raw peer A dials the bound socket and stops reading; the socket sends 128 KiB messages until a send waits 200 ms (at most 64, SNDHWM 2 where the agent sets it); A closes; raw peer B dials in";
    const OUT_EXPECTS: &str =
        "B receives the message sent after A left, and none of those queued for A";
    const IN_SENDS: &str = "raw peer A sends [m1] [m2] [m3] and the first frame of a fourth message (MORE set), then closes";
    const IN_EXPECTS: &str = "nothing delivered (discarded), or m1 m2 m3 in order (kept, libzmq's reading, PASS-LENIENT); never the cut message";
    let out = |id, n: usize| Case {
        id,
        also: &[],
        param: i64::try_from(n).unwrap_or_default(),
        run: departed_outgoing,
        sends: OUT_SENDS,
        expects: OUT_EXPECTS,
    };
    let inc = |id, n: usize| Case {
        id,
        also: &[],
        param: i64::try_from(n).unwrap_or_default(),
        run: departed_incoming,
        sends: IN_SENDS,
        expects: IN_EXPECTS,
    };
    vec![
        out("28-R24/1", 0),
        out("29-R05/1", 1),
        out("29-R16/1", 2),
        out("30-R06/1", 3),
        out("31-R05/1", 4),
        out("41-R07/1", 5),
        inc("28-R24/2", 0),
        inc("29-R30/1", 1),
        inc("29-R38/1", 2),
        inc("30-R17/1", 3),
        inc("31-R05/2", 4),
        inc("41-R22/1", 5),
    ]
}

fn variant(
    cx: &Ctx,
    table: &[(&'static str, &'static str)],
) -> Result<(&'static str, &'static str), Stop> {
    usize::try_from(cx.param)
        .ok()
        .and_then(|n| table.get(n).copied())
        .ok_or_else(|| Stop::Fail(format!("no variant {}", cx.param)))
}

fn is_pub(kind: &str) -> bool {
    matches!(kind, "PUB" | "XPUB")
}

/// A raw peer of `raw` dialled to `ep`, handshaken as 3.1; a subscriber
/// subscribes to everything. Gives the peer and the minor both speak.
async fn arrive(cx: &mut Ctx, ep: &str, raw: &str, label: &str) -> Result<(RawPeer, u8), Stop> {
    let mut p = cx.dial(ep, label).await?;
    let h = cx.handshake(&mut p, raw, 1).await?;
    let minor = h.minor().min(1);
    if raw == "SUB" {
        p.send(&sub_bytes(minor, true, b""))
            .await
            .map_err(step("subscribing"))?;
    }
    Ok((p, minor))
}

/// Sends `probe` until `p` receives a message (a subscription takes effect
/// some time after it is sent) and gives that first message.
async fn first_message(
    cx: &mut Ctx,
    s: Sock,
    p: &mut RawPeer,
    probe: &[u8],
    repeat: bool,
) -> Result<Vec<Bytes>, Stop> {
    let rounds = if repeat { 40 } else { 1 };
    for _ in 0..rounds {
        if !cx.agent().try_send(s, &[probe]).await? {
            return Err(Stop::Fail(
                "the socket would not accept the message for the new peer".into(),
            ));
        }
        let wait = if repeat {
            Duration::from_millis(100)
        } else {
            cx.wait()
        };
        if let Ok(m) = p.recv_message(wait).await {
            return Ok(m);
        }
    }
    Err(Stop::Fail("the new peer received nothing".into()))
}

case_fn!(departed_outgoing, |cx| {
    let (kind, raw) = variant(cx, &OUTGOING)?;
    cx.need(&[kind])?;
    let ep = cx.endpoint()?;
    let s = cx.agent().socket(kind).await?;
    // A small queue, where the agent sets one, so the flood fills it soon.
    let _ = cx.agent().set_int(s, "SNDHWM", 2).await;
    let ep = cx.agent().bind(s, &ep).await?;
    let (mut a, _) = arrive(cx, &ep, raw, "departing").await?;
    if is_pub(kind) {
        first_message(cx, s, &mut a, b"sync", true).await?;
    }
    let big = vec![b'q'; BIG];
    let mut queued = 0;
    for _ in 0..FLOOD {
        let mut c: Client<'_> = cx.agent();
        c.op_timeout = FULL_AFTER;
        if !c.try_send(s, &[&big]).await? {
            break;
        }
        queued += 1;
    }
    cx.observe(format!(
        "{queued} messages of {BIG} octets sent towards A, which does not read"
    ));
    a.close().await;
    tokio::time::sleep(cx.quiet()).await;
    let (mut b, _) = arrive(cx, &ep, raw, "newcomer").await?;
    let first = first_message(cx, s, &mut b, b"after", is_pub(kind)).await?;
    judge_outgoing(cx, &first, queued)
});

fn judge_outgoing(cx: &Ctx, first: &[Bytes], queued: usize) -> Outcome {
    match first {
        [body] if &body[..] == b"after" => cx.pass(format!(
            "the new peer's first message is the one sent after A left ({queued} large messages were sent towards A)"
        )),
        [body] if body.len() == BIG => cx.fail(format!(
            "the new peer received a message that was queued for the departed peer ({queued} were sent towards it)"
        )),
        other => cx.fail(format!("the new peer received {}", show(other))),
    }
}

case_fn!(departed_incoming, |cx| {
    let (kind, raw) = variant(cx, &INCOMING)?;
    cx.need(&[kind])?;
    let ep = cx.endpoint()?;
    let s = cx.agent().socket(kind).await?;
    if kind == "SUB" {
        cx.agent().set_bytes(s, "SUBSCRIBE", b"").await?;
    }
    let ep = cx.agent().bind(s, &ep).await?;
    if kind == "XSUB" {
        cx.agent().send(s, &[b"\x01"]).await?;
    }
    let (mut a, _) = arrive(cx, &ep, raw, "departing").await?;
    for m in [&b"m1"[..], b"m2", b"m3"] {
        a.send(&message_frames(&[m]))
            .await
            .map_err(step("sending"))?;
    }
    a.send(&FrameBuilder::message(b"cut", true).build())
        .await
        .map_err(step("sending the cut message"))?;
    a.close().await;
    tokio::time::sleep(cx.quiet()).await;
    let mut got = Vec::new();
    let quiet = cx.quiet();
    while let Some(m) = cx.agent().recv_within(s, quiet).await? {
        got.push(m);
        if got.len() > 8 {
            break;
        }
    }
    judge_incoming(cx, kind, &got)
});

fn judge_incoming(cx: &Ctx, kind: &str, got: &[Vec<Bytes>]) -> Outcome {
    // A SERVER's message is [routing id, body]: the body is last.
    let bodies: Vec<Bytes> = got
        .iter()
        .map(|m| {
            if kind == "SERVER" {
                m.last().cloned().unwrap_or_default()
            } else {
                Bytes::from(m.concat())
            }
        })
        .collect();
    if bodies.iter().any(|b| b.starts_with(b"cut")) {
        return cx.fail(format!(
            "the message the departed peer left unfinished was delivered: {}",
            describe(got)
        ));
    }
    let sent: [&[u8]; 3] = [b"m1", b"m2", b"m3"];
    let prefix = bodies.len() <= sent.len() && bodies.iter().zip(sent).all(|(b, s)| &b[..] == s);
    if !prefix {
        return cx.fail(format!(
            "delivered {}: not what the departed peer sent, in its order",
            describe(got)
        ));
    }
    if bodies.is_empty() {
        cx.pass("the departed peer's queue was discarded: nothing delivered")
    } else {
        cx.lenient(format!(
            "kept what the departed peer delivered before it left ({}), as libzmq and the model do; the cut message was dropped",
            describe(got)
        ))
    }
}

fn describe(got: &[Vec<Bytes>]) -> String {
    if got.is_empty() {
        return "nothing".into();
    }
    let v: Vec<String> = got.iter().map(|m| show(m)).collect();
    v.join(" ")
}
