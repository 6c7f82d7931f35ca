//! Cases written for defects the mutation score (`zmtp-conformance
//! mutants`) showed the other cases could not see: each one makes
//! observable what an existing case leaves to timing or hides behind an
//! earlier check.
//!
//! Where arrival order matters, a PING after the peer's messages is the
//! barrier: the implementation answers it with PONG only after it has
//! read everything sent before it on that connection.

use std::time::Duration;

use bytes::Bytes;
use rand_core::OsRng;
use serde_json::json;
use zmtp_spec::security::KeyPair;
use zmtp_spec::security::curve::commands::PADDING_LEN;
use zmtp_spec::security::curve::raw::Client;
use zmtp_spec::wire::view::{CommandBuilder, FrameBuilder, MetadataBuilder};

use super::security::{aftermath, greeting_for, judge_refusal, need_mechanism};
use super::{Reaction, greeting, probe, push_ready};
use crate::agent::{Answer, Sock, Stop};
use crate::case::{Case, Ctx, show, step};
use crate::cases::case_fn;
use crate::peer::{RawPeer, ready};
use crate::wirelog::hex;

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "37-R16/2",
            also: &["G11"],
            param: 1,
            run: error_then_ready,
            sends: "a greeting, ERROR \"bye\", then READY (PUSH) and a message",
            expects: "the connection is closed after the ERROR; the READY that follows does not complete the handshake and the message is not delivered",
        },
        Case {
            id: "37-R27/2",
            also: &["37-R31"],
            param: 1,
            run: lower_case_compatible,
            sends: "READY with \"socket-type\" (lower case) = PUSH to a PULL, then a message",
            expects: "the name is recognised whatever its case: the compatible type is accepted and the message delivered",
        },
        Case {
            id: "26-R07/2",
            also: &["26-R15"],
            param: 0,
            run: hello_alone,
            sends: "HELLO with version 2.0 (otherwise valid), and nothing after it",
            expects: "no WELCOME; the connection is closed",
        },
        Case {
            id: "26-R08/2",
            also: &["26-R15"],
            param: 1,
            run: hello_alone,
            sends: "HELLO with a non-zero padding octet (otherwise valid), and nothing after it",
            expects: "no WELCOME; the connection is closed",
        },
        Case {
            id: "26-R40/3",
            also: &["26-R41"],
            param: 1,
            run: forged_vouch_alone,
            sends: "HELLO, then INITIATE whose vouch is boxed with another permanent secret key than the C it names, and nothing after it",
            expects: "no READY; the connection is closed",
        },
        Case {
            id: "28-R01/1",
            also: &["28-R04"],
            param: 1,
            run: req_one_at_a_time,
            sends: "the application asks a REQ, connected to two raw REPs, for a second request before the first is answered",
            expects: "the second send is refused and no second request reaches either peer",
        },
        Case {
            id: "28-R08/2",
            also: &["28-R07"],
            param: 1,
            run: req_discards_on_arrival,
            sends: "two raw REPs; while the request is at one, the other sends a reply then PING (its PONG proves the reply was read); the next request goes to that other peer",
            expects: "the reply that arrived while the request was elsewhere was discarded on arrival: the next request gets the new reply",
        },
        Case {
            id: "28-R30/2",
            also: &["28-R12", "28-R21"],
            param: 1,
            run: fair_queue_after_barrier,
            sends: "two raw DEALERs connected to a bound ROUTER each send four messages then PING; once both PONGs are back, the application reads",
            expects: "every peer's messages were queued before the first read, so the reads alternate between the peers",
        },
        Case {
            id: "28-R25/1",
            also: &["28-R28"],
            param: 1,
            run: hwm_bounds_pending_peer,
            sends: "a DEALER with SNDHWM 2 connects to an endpoint nobody listens at, then sends up to 64 messages",
            expects: "a send blocks (EAGAIN) once the peer's queue is full, not all 64 are accepted",
        },
    ]
}

case_fn!(error_then_ready, |cx| {
    let mut after = CommandBuilder::error(b"bye").frame().build();
    after.extend_from_slice(&push_ready());
    match probe(cx, &greeting(1), &after).await? {
        Reaction::Closed(_) => cx.pass("closed after ERROR; nothing delivered"),
        Reaction::Delivered(m) => cx.fail(format!(
            "the handshake went on after ERROR: delivered {}",
            show(&m)
        )),
        Reaction::Ignored => cx.fail("neither closed nor delivered after ERROR"),
    }
});

case_fn!(lower_case_compatible, |cx| {
    let props: [(&[u8], &[u8]); 1] = [(b"socket-type", b"PUSH")];
    let after = ready(&props).frame().build();
    match probe(cx, &greeting(1), &after).await? {
        Reaction::Delivered(_) => cx.pass("socket-type = PUSH (lower-case name) accepted"),
        Reaction::Closed(reason) => cx.fail(format!(
            "closed after socket-type = PUSH (lower-case name){}",
            reason
                .map(|r| format!(", ERROR {:?}", String::from_utf8_lossy(&r)))
                .unwrap_or_default()
        )),
        Reaction::Ignored => cx.fail("socket-type = PUSH (lower-case name): nothing delivered"),
    }
});

/// A bound PULL socket as a CURVE server with fresh keys.
async fn curve_pull(cx: &mut Ctx) -> Result<(Sock, String, KeyPair), Stop> {
    need_mechanism(cx, "CURVE")?;
    cx.need(&["PULL"])?;
    let keys = zmtp::curve_keypair();
    let ep = cx.endpoint()?;
    let mut a = cx.agent();
    let s = a.socket("PULL").await?;
    a.set_int(s, "CURVE_SERVER", 1).await?;
    a.set_bytes(s, "CURVE_SECRETKEY", keys.secret().to_z85().as_bytes())
        .await?;
    a.set_bytes(s, "CURVE_PUBLICKEY", keys.public().to_z85().as_bytes())
        .await?;
    let ep = a.bind(s, &ep).await?;
    Ok((s, ep, keys))
}

case_fn!(forged_vouch_alone, |cx| {
    let (s, ep, keys) = curve_pull(cx).await?;
    let mut peer = cx.dial(&ep, "client").await?;
    let mut c = Client::new(*keys.public(), &mut OsRng);
    cx.greet(&mut peer, greeting_for(b"CURVE")).await?;
    peer.send(&FrameBuilder::command(&c.hello()).build())
        .await
        .map_err(step("sending HELLO"))?;
    let wait = cx.wait();
    let f = peer
        .read_frame(wait)
        .await
        .map_err(step("reading WELCOME"))?;
    c.welcome(&f.body).map_err(|e| Stop::Fail(e.to_string()))?;
    let md = MetadataBuilder::new()
        .property(b"Socket-Type", b"PUSH")
        .build();
    let v = c.vouch(zmtp::curve_keypair().secret());
    let init = c.initiate_with(&v, &md);
    peer.send(&FrameBuilder::command(&init).build())
        .await
        .map_err(step("sending INITIATE"))?;
    let a = aftermath(cx, s, &mut peer).await?;
    judge_refusal(cx, &a, &[b"READY"], "an INITIATE with a forged vouch alone")
});

case_fn!(hello_alone, |cx| {
    let (s, ep, keys) = curve_pull(cx).await?;
    let mut peer = cx.dial(&ep, "client").await?;
    let mut c = Client::new(*keys.public(), &mut OsRng);
    cx.greet(&mut peer, greeting_for(b"CURVE")).await?;
    let (hello, what) = if cx.param == 0 {
        (
            c.hello_builder().version([2, 0]).command().build(),
            "HELLO version 2.0 alone",
        )
    } else {
        let mut padding = [0; PADDING_LEN];
        padding[12] = 1;
        (
            c.hello_builder().padding(padding).command().build(),
            "HELLO with non-zero padding alone",
        )
    };
    peer.send(&FrameBuilder::command(&hello).build())
        .await
        .map_err(step("sending HELLO"))?;
    let a = aftermath(cx, s, &mut peer).await?;
    judge_refusal(cx, &a, &[b"WELCOME"], what)
});

/// One send with its own time limit: `Ok(None)` sent, `Ok(Some(why))`
/// refused or timed out.
async fn send_refused(
    cx: &mut Ctx,
    s: Sock,
    frames: &[&[u8]],
    ms: u64,
) -> Result<Option<String>, Stop> {
    let frames: Vec<String> = frames.iter().map(|f| hex(f)).collect();
    let r = json!({"op": "send", "socket": s.0, "frames": frames, "timeout_ms": ms});
    match cx.agent().raw(r, ms).await? {
        Answer::Ok(_) => Ok(None),
        Answer::Error { message, .. } => Ok(Some(message)),
        Answer::Unsupported(why) => Err(Stop::Unsupported(why)),
    }
}

/// An agent socket of `kind` connected to two raw peers playing `as_type`
/// (speaking ZMTP 3.1, for PING, when `ping`).
async fn two_peers(
    cx: &mut Ctx,
    kind: &str,
    as_type: &str,
    ping: bool,
) -> Result<(Sock, Vec<RawPeer>), Stop> {
    cx.need(&[kind])?;
    let s = cx.agent().socket(kind).await?;
    let mut ps = Vec::new();
    for label in ["peer1", "peer2"] {
        let l = cx.listener(label).await?;
        let (mut p, ()) = cx.connect_and_accept(s, &l, label).await?;
        let h = cx.handshake(&mut p, as_type, 1).await?;
        if ping && h.minor() < 1 {
            return Err(Stop::Unsupported(
                "the peer speaks ZMTP 3.0: no PING".into(),
            ));
        }
        ps.push(p);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok((s, ps))
}

/// The message that arrives first at either peer, and which one.
async fn first_of(ps: &mut [RawPeer], wait: Duration) -> Option<(usize, Vec<Bytes>)> {
    let [a, b] = ps else { return None };
    tokio::select! {
        r = a.recv_message(wait) => r.ok().map(|m| (0, m)),
        r = b.recv_message(wait) => r.ok().map(|m| (1, m)),
    }
}

/// Sends PING and waits for its PONG: everything `p` sent before has been
/// read by the implementation.
async fn barrier(wait: Duration, p: &mut RawPeer, context: &[u8]) -> Result<(), Stop> {
    p.send(&CommandBuilder::ping(0, context).frame().build())
        .await
        .map_err(step("sending PING"))?;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let f = p.read_frame(left).await.map_err(step("waiting for PONG"))?;
        if let Some(zmtp_spec::wire::Command::Pong { context: c }) = f.command()
            && c.as_ref() == context
        {
            return Ok(());
        }
    }
}

case_fn!(req_one_at_a_time, |cx| {
    let (s, mut ps) = two_peers(cx, "REQ", "REP", false).await?;
    let ms = cx.wait().as_millis() as u64;
    if let Some(why) = send_refused(cx, s, &[b"first"], ms).await? {
        return cx.fail(format!("the first request was refused: {why}"));
    }
    let quiet = cx.quiet();
    let second = send_refused(cx, s, &[b"second"], quiet.as_millis() as u64).await?;
    let mut requests = Vec::new();
    while let Some((i, m)) = first_of(&mut ps, quiet).await {
        requests.push(format!("peer{} {}", i + 1, show(&m)));
    }
    match second {
        None => cx.fail(format!(
            "a second request was accepted before the reply (requests out: {})",
            requests.join(", ")
        )),
        Some(_) if requests.len() != 1 => cx.fail(format!(
            "the second send was refused, but the peers got: {}",
            requests.join(", ")
        )),
        Some(why) => cx.pass(format!(
            "the second send was refused ({why}); one request out"
        )),
    }
});

case_fn!(req_discards_on_arrival, |cx| {
    let (s, mut ps) = two_peers(cx, "REQ", "REP", true).await?;
    let wait = cx.wait();
    cx.agent().send(s, &[b"q0"]).await?;
    let Some((i, _)) = first_of(&mut ps, wait).await else {
        return cx.fail("the first request reached neither peer");
    };
    let other = 1 - i;
    cx.raw_send(&mut ps[other], &[b"", b"stale"]).await?;
    barrier(wait, &mut ps[other], b"seen").await?;
    cx.raw_send(&mut ps[i], &[b"", b"ok0"]).await?;
    let reply = cx.agent().recv(s).await?;
    if reply.last().map(Bytes::as_ref) != Some(b"ok0".as_slice()) {
        return cx.fail(format!("first reply: delivered {}", show(&reply)));
    }
    cx.agent().send(s, &[b"q1"]).await?;
    let Some((j, _)) = first_of(&mut ps, wait).await else {
        return cx.fail("the second request reached neither peer");
    };
    if j != other {
        return Err(Stop::Unsupported(
            "the second request went to the same peer: round robin not observed".into(),
        ));
    }
    tokio::time::sleep(cx.quiet()).await;
    cx.raw_send(&mut ps[j], &[b"", b"ok1"]).await?;
    let reply = cx.agent().recv(s).await?;
    if reply.last().map(Bytes::as_ref) == Some(b"ok1".as_slice()) {
        cx.pass("the reply sent while the request was at the other peer was discarded")
    } else {
        cx.fail(format!(
            "delivered {} for the second request: a reply that arrived (PONG seen) while the request was at the other peer",
            show(&reply)
        ))
    }
});

case_fn!(fair_queue_after_barrier, |cx| {
    let (s, ep) = cx.bound("ROUTER").await?;
    let wait = cx.wait();
    let mut ps = Vec::new();
    for label in ["peer1", "peer2"] {
        let mut p = cx.dial(&ep, label).await?;
        let h = cx.handshake(&mut p, "DEALER", 1).await?;
        if h.minor() < 1 {
            return Err(Stop::Unsupported(
                "the peer speaks ZMTP 3.0: no PING".into(),
            ));
        }
        ps.push(p);
    }
    for (n, p) in ps.iter_mut().enumerate() {
        for k in 0..4u8 {
            let body = [b'1' + n as u8, b'a' + k];
            cx.raw_send(p, &[&body]).await?;
        }
        barrier(wait, p, b"queued").await?;
    }
    let mut order = Vec::new();
    for _ in 0..8 {
        let m = cx.agent().recv(s).await?;
        let body = m.last().cloned().unwrap_or_default();
        order.push(String::from_utf8_lossy(&body).into_owned());
    }
    let from = |k: usize| order.get(k).and_then(|b| b.chars().next());
    let shown = order.join(" ");
    if from(0) != from(1) {
        cx.pass(format!("order {shown}: the first two from different peers"))
    } else {
        cx.fail(format!(
            "order {shown}: both peers' messages were queued (PONGs seen), yet the first two reads came from one peer"
        ))
    }
});

case_fn!(hwm_bounds_pending_peer, |cx| {
    cx.need(&["DEALER"])?;
    // A listener that is dropped at once: its endpoint is free and nobody
    // will accept there.
    let ep = {
        let l = cx.listener("nobody").await?;
        l.endpoint().to_string()
    };
    let s = cx.agent().socket("DEALER").await?;
    cx.agent().set_int(s, "SNDHWM", 2).await?;
    cx.agent().set_int(s, "RECONNECT_IVL", 100).await?;
    cx.agent().connect(s, &ep).await?;
    for n in 0..64u32 {
        if send_refused(cx, s, &[&n.to_be_bytes()], 200)
            .await?
            .is_some()
        {
            return cx.pass(format!("send {n} blocked with SNDHWM 2 and no connection"));
        }
    }
    cx.fail("64 sends accepted with SNDHWM 2 and no connection: the queue is unbounded")
});
