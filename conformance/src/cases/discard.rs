//! Discarding on a full queue (29-R31 SUB, 29-R40 XSUB incoming, 29-R45
//! XSUB outgoing): what a subscriber does when its queue is full, told
//! from TCP back-pressure by a flood larger than the kernel buffers.
//!
//! ```text
//!   incoming: the agent's SUB/XSUB (RCVHWM 2 where the agent sets it)
//!             does not read; a raw PUB writes 192 x 128 KiB (24 MiB)
//!             => a socket that discards keeps reading the wire, so every
//!                write finishes within 10 s; one that stops reading
//!                (back-pressure) leaves the writer blocked once the
//!                kernel buffers are full
//!   outgoing: a raw PUB does not read; the agent's XSUB sends 128
//!             subscriptions of 128 KiB => every send returns within the
//!             op timeout (a full queue drops, it does not block)
//! ```

use std::time::Duration;

use tokio::time::{Instant, timeout_at};

use crate::agent::Stop;
use crate::case::{Case, Ctx, Outcome};
use crate::cases::case_fn;
use crate::peer::message_frames;

/// How large each flooding message is.
const BIG: usize = 128 * 1024;
/// How many messages the raw publisher writes.
const FLOOD_IN: usize = 192;
/// How many subscriptions the XSUB sends.
const FLOOD_OUT: usize = 128;
/// How long the whole incoming flood may take.
const FLOOD_WAIT: Duration = Duration::from_secs(10);

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "29-R31/1",
            also: &[],
            param: 0,
            run: full_incoming,
            sends: "a raw PUB writes 192 messages of 128 KiB (24 MiB) to a bound SUB (subscribed to everything, RCVHWM 2) that does not read",
            expects: "every write finishes within 10 s (the SUB discards and keeps reading); it then delivers some messages, whole",
        },
        Case {
            id: "29-R40/1",
            also: &[],
            param: 1,
            run: full_incoming,
            sends: "as 29-R31/1 with a bound XSUB (subscribed with 01)",
            expects: "as 29-R31/1",
        },
        Case {
            id: "29-R45/1",
            also: &[],
            param: 0,
            run: full_outgoing,
            sends: "a raw PUB dials a bound XSUB and does not read; the XSUB sends 128 subscriptions of 128 KiB",
            expects: "every send returns within the op timeout (the XSUB drops on a full queue rather than block)",
        },
    ]
}

case_fn!(full_incoming, |cx| {
    let kind = if cx.param == 0 { "SUB" } else { "XSUB" };
    cx.need(&[kind])?;
    let ep = cx.endpoint()?;
    let s = cx.agent().socket(kind).await?;
    let _ = cx.agent().set_int(s, "RCVHWM", 2).await;
    if kind == "SUB" {
        cx.agent().set_bytes(s, "SUBSCRIBE", b"").await?;
    }
    let ep = cx.agent().bind(s, &ep).await?;
    if kind == "XSUB" {
        cx.agent().send(s, &[b"\x01"]).await?;
    }
    let mut p = cx.dial(&ep, "publisher").await?;
    cx.handshake(&mut p, "PUB", 1).await?;
    let big = message_frames(&[&vec![b'f'; BIG]]);
    let deadline = Instant::now() + FLOOD_WAIT;
    let started = Instant::now();
    let mut written = 0;
    for _ in 0..FLOOD_IN {
        match timeout_at(deadline, p.send(&big)).await {
            Ok(Ok(())) => written += 1,
            Ok(Err(e)) => {
                return cx.fail(format!(
                    "the {kind} closed the connection during the flood ({e}) after {written} messages"
                ));
            }
            Err(_) => break,
        }
    }
    cx.observe(format!(
        "{written} of {FLOOD_IN} messages of {BIG} octets written in {} ms",
        started.elapsed().as_millis()
    ));
    if written < FLOOD_IN {
        return cx.fail(format!(
            "the {kind} stopped reading the wire: {written} of {FLOOD_IN} messages ({} MiB) written in {} s, \
             the rest blocked by TCP back-pressure instead of being discarded",
            written * BIG / (1024 * 1024),
            FLOOD_WAIT.as_secs()
        ));
    }
    judge_delivery(cx, kind, s).await
});

/// After the flood: the socket delivers at least one message, and only
/// whole ones.
async fn judge_delivery(cx: &mut Ctx, kind: &str, s: crate::agent::Sock) -> Outcome {
    let quiet = cx.quiet();
    let mut delivered = 0;
    while let Some(m) = cx.agent().recv_within(s, quiet).await? {
        if m.len() != 1 || m[0].len() != BIG {
            return cx.fail(format!(
                "the {kind} delivered a message of {} frames / {} octets after the flood",
                m.len(),
                m.first().map_or(0, bytes::Bytes::len)
            ));
        }
        delivered += 1;
        if delivered > FLOOD_IN {
            break;
        }
    }
    if delivered == 0 {
        return cx.fail(format!("the {kind} delivered nothing of the flood"));
    }
    cx.pass(format!(
        "all {FLOOD_IN} messages written without back-pressure; the {kind} then delivered {delivered} (the rest discarded)"
    ))
}

case_fn!(full_outgoing, |cx| {
    cx.need(&["XSUB"])?;
    let ep = cx.endpoint()?;
    let s = cx.agent().socket("XSUB").await?;
    let _ = cx.agent().set_int(s, "SNDHWM", 2).await;
    let ep = cx.agent().bind(s, &ep).await?;
    let mut p = cx.dial(&ep, "publisher").await?;
    cx.handshake(&mut p, "PUB", 1).await?;
    let mut sub = vec![b'x'; BIG];
    sub[0] = 1;
    for n in 0..FLOOD_OUT {
        if !cx.agent().try_send(s, &[&sub]).await? {
            return Err(Stop::Fail(format!(
                "send {} of {FLOOD_OUT} blocked for the op timeout: the XSUB waits on a full queue instead of dropping",
                n + 1
            )));
        }
    }
    cx.pass(format!(
        "{FLOOD_OUT} subscriptions of {BIG} octets sent to a publisher that does not read; no send blocked"
    ))
});
