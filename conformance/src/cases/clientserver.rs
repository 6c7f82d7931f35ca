//! CLIENT and SERVER queues (RFC 41): a double queue per peer, made when a
//! peer connects in or on an outgoing connect (before the peer listens),
//! fair-queued input, and no message lost to a full queue. The wire cases
//! of the pattern (unmodified, round-robin, routing by id) are in
//! `threadsafe.rs`; a departing peer in `departed.rs`.
//!
//! A SERVER's message goes through the agent as `[routing id, body]`
//! (AGENTS.md).

use std::time::Duration;

use bytes::Bytes;
use zmtp_spec::wire::view::GreetingBuilder;

use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, Outcome, show};
use crate::cases::case_fn;
use crate::peer::{RawListener, RawPeer, ready};

use super::reqrep::{fair_queue, not_interleaved, queued_before_connect};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "41-R15/1",
            also: &["41-R04", "41-R06"],
            param: 0,
            run: client_fair_queue,
            sends: "two raw SERVERs connected to a bound CLIENT each send two messages",
            expects: "all four are delivered, and the first two come from different peers",
        },
        Case {
            id: "41-R05/1",
            also: &[],
            param: 0,
            run: client_queues_before_connect,
            sends: "the CLIENT connects to an endpoint that listens only 300 ms later, and sends [early]",
            expects: "[early] arrives once the connection is up",
        },
        Case {
            id: "41-R25/1",
            also: &["41-R19", "41-R21"],
            param: 0,
            run: server_queues,
            sends: "two raw CLIENTs connected to a bound SERVER each send two messages; the application answers each message to its routing id",
            expects: "all four delivered with two distinct routing ids, the first two from different peers; each peer gets only the answers to its own messages",
        },
        Case {
            id: "41-R20/1",
            also: &[],
            param: 0,
            run: server_connects_first,
            sends: "the SERVER connects to an endpoint that listens only 300 ms later; the raw CLIENT there then sends [hi], and the application answers it",
            expects: "[hi] is delivered with a routing id, and the answer reaches the raw CLIENT",
        },
        Case {
            id: "41-R33/1",
            also: &["41-R32"],
            param: 0,
            run: server_no_discard,
            sends: "a raw CLIENT dials a bound SERVER (SNDHWM 1), sends [hi], and stops reading; the application answers 64 KiB messages to its routing id until a send waits 300 ms (at most 400)",
            expects: "every message the SERVER accepted arrives, once, in order, when the peer reads",
        },
    ]
}

case_fn!(client_fair_queue, |cx| {
    fair_queue(cx, "CLIENT", "SERVER").await
});

case_fn!(client_queues_before_connect, |cx| {
    queued_before_connect(cx, "CLIENT", "SERVER").await
});

/// A raw peer of `as_type` dialled to `ep` and handshaken.
async fn dial_as(cx: &mut Ctx, ep: &str, label: &str, as_type: &str) -> Result<RawPeer, Stop> {
    let mut p = cx.dial(ep, label).await?;
    cx.handshake(&mut p, as_type, 1).await?;
    Ok(p)
}

/// A SERVER message through the agent: `[routing id, body]`.
fn split(m: &[Bytes]) -> Result<(Bytes, Bytes), Stop> {
    match m {
        [id, body] => Ok((id.clone(), body.clone())),
        other => Err(Stop::Fail(format!(
            "a SERVER message is [routing id][body] through the agent, got {}",
            show(other)
        ))),
    }
}

case_fn!(server_queues, |cx| {
    let (s, ep) = cx.bound("SERVER").await?;
    let mut peers = [
        dial_as(cx, &ep, "peer1", "CLIENT").await?,
        dial_as(cx, &ep, "peer2", "CLIENT").await?,
    ];
    for (i, body) in [(0, b"1a"), (0, b"1b"), (1, b"2a"), (1, b"2b")] {
        cx.raw_send(&mut peers[i], &[body]).await?;
    }
    tokio::time::sleep(cx.quiet()).await;
    let mut got: Vec<(Bytes, Bytes)> = Vec::new();
    for _ in 0..4 {
        let m = cx.agent().recv(s).await?;
        got.push(split(&m)?);
    }
    // Each peer's messages carry one id, and the two ids differ.
    let id_of = |tag: u8| -> Vec<Bytes> {
        let mut ids: Vec<Bytes> = got
            .iter()
            .filter(|(_, b)| b.first() == Some(&tag))
            .map(|(id, _)| id.clone())
            .collect();
        ids.dedup();
        ids
    };
    let (one, two) = (id_of(b'1'), id_of(b'2'));
    if one.len() != 1 || two.len() != 1 || one == two {
        return cx.fail(format!(
            "routing ids per peer: peer1 {}, peer2 {} (one each, distinct, expected)",
            show(&one),
            show(&two)
        ));
    }
    // Answer each message to its routing id; each peer gets its own.
    for (id, body) in &got {
        let mut answer = b"re-".to_vec();
        answer.extend_from_slice(body);
        cx.agent().send(s, &[id, &answer]).await?;
    }
    for (i, tag) in [(0, b'1'), (1, b'2')] {
        for _ in 0..2 {
            let m = cx.raw_recv(&mut peers[i]).await?;
            if m.len() != 1 || m[0].get(3) != Some(&tag) {
                return cx.fail(format!(
                    "peer{} received {}, not an answer to its own message",
                    i + 1,
                    show(&m)
                ));
            }
        }
    }
    let bodies: Vec<Bytes> = got.iter().map(|(_, b)| b.clone()).collect();
    if bodies[0].first() != bodies[1].first() {
        cx.pass(format!(
            "interleaved {}; two routing ids; every answer reached its peer",
            show(&bodies)
        ))
    } else {
        not_interleaved(cx, &bodies)
    }
});

case_fn!(server_connects_first, |cx| {
    cx.need(&["SERVER"])?;
    let l = cx.listener("peer1").await?;
    let ep = l.endpoint().to_string();
    drop(l);
    let s = cx.agent().socket("SERVER").await?;
    let wait = cx.wait();
    let log = cx.log.clone();
    let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", b"CLIENT")];
    let ready = ready(&props).build();
    let zmtp2 = cx.zmtp2_only();
    let later = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let l = RawListener::bind_at(&ep, &log, "peer1")
            .await
            .map_err(|e| Stop::Fail(format!("re-listening: {e}")))?;
        let mut p = l
            .accept(wait, "peer1")
            .await
            .map_err(|e| Stop::Fail(format!("never connected: {e}")))?;
        crate::case::raw_handshake(&mut p, zmtp2, &GreetingBuilder::new(), &ready, wait).await?;
        Ok::<_, Stop>((l, p))
    };
    let mut agent = cx.agent();
    let (connected, accepted) = tokio::join!(agent.connect(s, &ep), later);
    connected?;
    let (_l, mut p) = accepted?;
    cx.raw_send(&mut p, &[b"hi"]).await?;
    let (id, body) = split(&cx.agent().recv(s).await?)?;
    if &body[..] != b"hi" {
        return cx.fail(format!("delivered [{}]", show(&[body])));
    }
    cx.agent().send(s, &[&id, b"back"]).await?;
    let got = cx.raw_recv(&mut p).await?;
    if got.len() == 1 && &got[0][..] == b"back" {
        cx.pass("the connect made before the peer listened became a working queue both ways")
    } else {
        cx.fail(format!("the raw CLIENT received {}", show(&got)))
    }
});

case_fn!(server_no_discard, |cx| {
    cx.need(&["SERVER"])?;
    let ep = cx.endpoint()?;
    let s = cx.agent().socket("SERVER").await?;
    cx.agent().set_int(s, "SNDHWM", 1).await?;
    let ep = cx.agent().bind(s, &ep).await?;
    let mut p = dial_as(cx, &ep, "peer1", "CLIENT").await?;
    cx.raw_send(&mut p, &[b"hi"]).await?;
    let (id, _) = split(&cx.agent().recv(s).await?)?;
    let big = vec![b'z'; 64 * 1024];
    let mut sent = 0u32;
    let mut blocked = false;
    while sent < 400 {
        let mut msg = sent.to_be_bytes().to_vec();
        msg.extend_from_slice(&big);
        if send_within(cx, s, &[&id, &msg], 300).await? {
            sent += 1;
        } else {
            blocked = true;
            break;
        }
    }
    judge_arrivals(cx, &mut p, sent, blocked).await
});

async fn send_within(cx: &mut Ctx, s: Sock, frames: &[&[u8]], ms: u64) -> Result<bool, Stop> {
    let mut a = cx.agent();
    a.op_timeout = Duration::from_millis(ms);
    a.try_send(s, frames).await
}

/// Every one of the `sent` numbered messages arrives at `p`, in order.
async fn judge_arrivals(cx: &mut Ctx, p: &mut RawPeer, sent: u32, blocked: bool) -> Outcome {
    let wait = cx.wait();
    let mut got = 0u32;
    while got < sent {
        match p.recv_message(wait).await {
            Ok(m) => {
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
        "then a send waited: the full queue refused more, as 41-R32 asks"
    } else {
        "without a send waiting"
    };
    cx.pass(format!("all {sent} accepted messages arrived ({how})"))
}
