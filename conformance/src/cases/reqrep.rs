//! REQ, REP, DEALER and ROUTER (RFC 28) against raw peers.

use std::time::Duration;

use bytes::Bytes;
use zmtp_model::oracle::TraceEvent;
use zmtp_model::{PeerId, SocketOption};
use zmtp_spec::Message;

use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, show};
use crate::cases::case_fn;
use zmtp_spec::wire::view::GreetingBuilder;

use crate::peer::{RawListener, RawPeer, ready};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "28-R03/1",
            also: &["28-R02"],
            param: 1,
            run: req_envelope,
            sends: "accepts the implementation's REQ as a REP; the REQ sends [hello]; replies [][world]",
            expects: "the request arrives as [][hello]; the application gets [world]",
        },
        Case {
            id: "28-R08/1",
            also: &["28-R07"],
            param: 1,
            run: req_ignores_others,
            sends: "two raw REPs; the REQ sends one request; the peer that did not get it replies first",
            expects: "only the reply of the peer that got the request is delivered",
        },
        Case {
            id: "28-R04/1",
            also: &["28-R01"],
            param: 1,
            run: req_round_robin,
            sends: "two raw REPs; four request/reply rounds",
            expects: "the requests alternate between the two peers",
        },
        Case {
            id: "28-R13/1",
            also: &["28-R11", "28-R14", "28-R16", "28-R09"],
            param: 1,
            run: rep_envelope,
            sends: "to a bound REP: [id1][id2][][data]; the application replies [reply]",
            expects: "the application gets [data]; the reply goes out as [id1][id2][][reply]",
        },
        Case {
            id: "28-R17/1",
            also: &["28-R12", "28-R10"],
            param: 1,
            run: rep_routes_back,
            sends: "two raw DEALERs each send one request to a bound REP; the application answers each",
            expects: "each peer gets the answer to its own request",
        },
        Case {
            id: "28-R20/1",
            also: &["28-R31"],
            param: 1,
            run: dealer_unmodified,
            sends: "the implementation's DEALER sends [a][][b]; the raw peer sends [x][][y]",
            expects: "both arrive unchanged",
        },
        Case {
            id: "28-R26/1",
            also: &["28-R25"],
            param: 1,
            run: dealer_round_robin,
            sends: "two raw peers; the DEALER sends four messages",
            expects: "they alternate between the two peers",
        },
        Case {
            id: "28-R30/1",
            also: &["28-R21", "28-R23"],
            param: 1,
            run: dealer_fair_queue,
            sends: "two raw peers connected to a bound DEALER each send two messages",
            expects: "all four are delivered, and the first two come from different peers",
        },
        Case {
            id: "28-R36/1",
            also: &["28-R34", "28-R38", "28-R39", "28-R32"],
            param: 1,
            run: router_identity,
            sends: "a raw DEALER with Identity peerA sends [hi] to a bound ROUTER",
            expects: "the application gets [peerA][hi] (SHOULD honour the Identity)",
        },
        Case {
            id: "28-R40/1",
            also: &["28-R41"],
            param: 1,
            run: router_strips_identity,
            sends: "the application sends [peerA][back] on the ROUTER",
            expects: "the raw peer peerA receives [back]",
        },
        Case {
            id: "28-R42/1",
            also: &["28-R35"],
            param: 1,
            run: router_unknown_dropped,
            sends: "the application sends [nobody][x] on a ROUTER (no ROUTER_MANDATORY)",
            expects: "the send succeeds and the message is dropped silently",
        },
        Case {
            id: "28-R42/2",
            also: &["28-R41"],
            param: 0,
            run: router_mandatory_refuses,
            sends: "a message from a DEALER with Identity \"peerA\" to a bound ROUTER with \
                    ROUTER_MANDATORY = 1, which then sends to the unknown identity \"nobody\", \
                    then to peerA",
            expects: "the send to \"nobody\" fails with an error and nothing goes out; the \
                      one to peerA arrives (the model oracle judges the refusal)",
        },
        Case {
            id: "28-R22/1",
            also: &["28-R33", "37-R40"],
            param: 1,
            run: dealer_queues_before_connect,
            sends: "the DEALER connects to an endpoint that listens only 300 ms later, and sends [early]",
            expects: "[early] arrives once the connection is up",
        },
        Case {
            id: "28-R06/1",
            also: &["28-R05"],
            param: 1,
            run: req_queues_before_connect,
            sends: "the REQ connects to an endpoint that listens only 300 ms later, and sends [early]",
            expects: "[][early] arrives once the connection is up (the request is not discarded)",
        },
        Case {
            id: "28-R37/1",
            also: &[],
            param: 1,
            run: router_fair_queue,
            sends: "two raw DEALERs each send two messages to a bound ROUTER",
            expects: "all four delivered, the first two from different peers",
        },
    ]
}

/// A raw peer handshaking as `as_type`, connected to `ep`.
async fn peer_as(
    cx: &mut Ctx,
    ep: &str,
    label: &str,
    as_type: &str,
    identity: Option<&[u8]>,
) -> Result<RawPeer, Stop> {
    let mut p = cx.dial(ep, label).await?;
    let mut props: Vec<(&[u8], &[u8])> = vec![(b"Socket-Type", as_type.as_bytes())];
    if let Some(id) = identity {
        props.push((b"Identity", id));
    }
    cx.handshake_with(&mut p, &GreetingBuilder::new(), &ready(&props).build())
        .await?;
    Ok(p)
}

/// Two raw listeners the socket `s` connects to, handshaken as `as_type`.
async fn two_accepted(
    cx: &mut Ctx,
    s: Sock,
    as_type: &str,
) -> Result<(Vec<RawListener>, Vec<RawPeer>), Stop> {
    let mut ls = Vec::new();
    let mut ps = Vec::new();
    for label in ["peer1", "peer2"] {
        let l = cx.listener(label).await?;
        let (mut p, ()) = cx.connect_and_accept(s, &l, label).await?;
        cx.handshake(&mut p, as_type, 1).await?;
        ls.push(l);
        ps.push(p);
    }
    // Let the implementation attach both pipes before traffic starts.
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok((ls, ps))
}

/// The message that arrives first at either peer, and which one.
async fn first_of(peers: &mut [RawPeer], wait: Duration) -> Option<(usize, Vec<Bytes>)> {
    let [a, b] = peers else { return None };
    tokio::select! {
        r = a.recv_message(wait) => r.ok().map(|m| (0, m)),
        r = b.recv_message(wait) => r.ok().map(|m| (1, m)),
    }
}

fn frames(v: &[&'static [u8]]) -> Vec<Bytes> {
    v.iter().map(|f| Bytes::from_static(f)).collect()
}

case_fn!(req_envelope, |cx| {
    let (s, _l, mut p) = cx.connected("REQ", "peer1").await?;
    cx.handshake(&mut p, "REP", 1).await?;
    cx.model("REQ");
    cx.record_attach(1, "REP", None);
    cx.agent().send(s, &[b"hello"]).await?;
    cx.record_send(&frames(&[b"hello"]));
    let got = cx.raw_recv(&mut p).await?;
    cx.record_to(1, &got);
    if got != frames(&[b"", b"hello"]) {
        return cx.fail(format!("request arrived as {}", show(&got)));
    }
    cx.raw_send(&mut p, &[b"", b"world"]).await?;
    cx.record_from(1, &frames(&[b"", b"world"]));
    let reply = cx.agent().recv(s).await?;
    cx.record_recv(&reply);
    if reply == frames(&[b"world"]) {
        cx.pass("[][hello] out, [world] delivered")
    } else {
        cx.fail(format!("reply delivered as {}", show(&reply)))
    }
});

case_fn!(req_ignores_others, |cx| {
    cx.need(&["REQ"])?;
    let s = cx.agent().socket("REQ").await?;
    let (_ls, mut ps) = two_accepted(cx, s, "REP").await?;
    cx.model("REQ");
    cx.record_attach(1, "REP", None);
    cx.record_attach(2, "REP", None);
    // Several rounds: an implementation may take the wrong reply only in
    // some interleavings.
    for round in 0..4u8 {
        let q = [b'q', b'0' + round];
        cx.agent().send(s, &[&q]).await?;
        cx.record_send(&[Bytes::copy_from_slice(&q)]);
        let wait = cx.wait();
        let Some((i, m)) = first_of(&mut ps, wait).await else {
            return cx.fail(format!("request {round} reached neither peer"));
        };
        cx.record_to(i as u64 + 1, &m);
        let other = 1 - i;
        let bogus = format!("bogus{round}");
        cx.raw_send(&mut ps[other], &[b"", bogus.as_bytes()])
            .await?;
        cx.record_from(
            other as u64 + 1,
            &[Bytes::new(), Bytes::from(bogus.clone())],
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        cx.raw_send(&mut ps[i], &[b"", b"ok"]).await?;
        cx.record_from(i as u64 + 1, &frames(&[b"", b"ok"]));
        let reply = cx.agent().recv(s).await?;
        cx.record_recv(&reply);
        if reply == frames(&[b"ok"]) {
            continue;
        }
        if reply.last().is_some_and(|b| b.as_ref() == bogus.as_bytes()) {
            return cx.fail(format!(
                "round {round}: delivered the reply of the other peer, {}",
                show(&reply)
            ));
        }
        if reply.last().is_some_and(|b| b.starts_with(b"bogus")) {
            // A reply the current peer sent in an earlier round: it does come
            // from the peer the request went to, so the model allows it.
            return cx.lenient(format!(
                "round {round}: delivered {}, a stale reply of the peer the request went to (not discarded when it arrived)",
                show(&reply)
            ));
        }
        return cx.fail(format!("round {round}: delivered {}", show(&reply)));
    }
    cx.pass("in 4 rounds, every reply from the other peer was discarded")
});

case_fn!(req_round_robin, |cx| {
    cx.need(&["REQ"])?;
    let s = cx.agent().socket("REQ").await?;
    let (_ls, mut ps) = two_accepted(cx, s, "REP").await?;
    cx.model("REQ");
    cx.record_attach(1, "REP", None);
    cx.record_attach(2, "REP", None);
    let mut order = Vec::new();
    for n in 0..4u8 {
        cx.agent().send(s, &[&[b'0' + n]]).await?;
        cx.record_send(&[Bytes::copy_from_slice(&[b'0' + n])]);
        let wait = cx.wait();
        let Some((i, m)) = first_of(&mut ps, wait).await else {
            return cx.fail(format!("request {n} reached neither peer"));
        };
        order.push(i);
        cx.record_to(i as u64 + 1, &m);
        cx.raw_send(&mut ps[i], &[b"", b"r"]).await?;
        cx.record_from(i as u64 + 1, &frames(&[b"", b"r"]));
        let reply = cx.agent().recv(s).await?;
        cx.record_recv(&reply);
    }
    if order.windows(2).all(|w| w[0] != w[1]) {
        cx.pass(format!("alternated: {order:?}"))
    } else {
        cx.fail(format!("peers in order {order:?}"))
    }
});

case_fn!(rep_envelope, |cx| {
    let (s, ep) = cx.bound("REP").await?;
    let mut p = peer_as(cx, &ep, "peer1", "DEALER", None).await?;
    cx.model("REP");
    cx.record_attach(1, "DEALER", None);
    cx.raw_send(&mut p, &[b"id1", b"id2", b"", b"data"]).await?;
    cx.record_from(1, &frames(&[b"id1", b"id2", b"", b"data"]));
    let req = cx.agent().recv(s).await?;
    cx.record_recv(&req);
    if req != frames(&[b"data"]) {
        return cx.fail(format!("the application got {}", show(&req)));
    }
    cx.agent().send(s, &[b"reply"]).await?;
    cx.record_send(&frames(&[b"reply"]));
    let got = cx.raw_recv(&mut p).await?;
    cx.record_to(1, &got);
    if got == frames(&[b"id1", b"id2", b"", b"reply"]) {
        cx.pass("envelope kept and prepended")
    } else {
        cx.fail(format!("the reply went out as {}", show(&got)))
    }
});

case_fn!(rep_routes_back, |cx| {
    let (s, ep) = cx.bound("REP").await?;
    let mut p1 = peer_as(cx, &ep, "peer1", "DEALER", None).await?;
    let mut p2 = peer_as(cx, &ep, "peer2", "DEALER", None).await?;
    cx.model("REP");
    cx.record_attach(1, "DEALER", None);
    cx.record_attach(2, "DEALER", None);
    cx.raw_send(&mut p1, &[b"", b"from1"]).await?;
    cx.record_from(1, &frames(&[b"", b"from1"]));
    cx.raw_send(&mut p2, &[b"", b"from2"]).await?;
    cx.record_from(2, &frames(&[b"", b"from2"]));
    for _ in 0..2 {
        let req = cx.agent().recv(s).await?;
        cx.record_recv(&req);
        let body = req.last().cloned().unwrap_or_default();
        let mut answer = b"re-".to_vec();
        answer.extend_from_slice(&body);
        cx.agent().send(s, &[&answer]).await?;
        cx.record_send(&[Bytes::from(answer)]);
    }
    let r1 = cx.raw_recv(&mut p1).await?;
    cx.record_to(1, &r1);
    let r2 = cx.raw_recv(&mut p2).await?;
    cx.record_to(2, &r2);
    if r1 == frames(&[b"", b"re-from1"]) && r2 == frames(&[b"", b"re-from2"]) {
        cx.pass("each reply went to its requester")
    } else {
        cx.fail(format!("peer1 got {}, peer2 got {}", show(&r1), show(&r2)))
    }
});

case_fn!(dealer_unmodified, |cx| {
    let (s, _l, mut p) = cx.connected("DEALER", "peer1").await?;
    cx.handshake(&mut p, "ROUTER", 1).await?;
    cx.model("DEALER");
    cx.record_attach(1, "ROUTER", None);
    cx.agent().send(s, &[b"a", b"", b"b"]).await?;
    cx.record_send(&frames(&[b"a", b"", b"b"]));
    let got = cx.raw_recv(&mut p).await?;
    cx.record_to(1, &got);
    cx.raw_send(&mut p, &[b"x", b"", b"y"]).await?;
    cx.record_from(1, &frames(&[b"x", b"", b"y"]));
    let back = cx.agent().recv(s).await?;
    cx.record_recv(&back);
    if got == frames(&[b"a", b"", b"b"]) && back == frames(&[b"x", b"", b"y"]) {
        cx.pass("both directions unchanged")
    } else {
        cx.fail(format!(
            "sent as {}, delivered as {}",
            show(&got),
            show(&back)
        ))
    }
});

case_fn!(dealer_round_robin, |cx| {
    cx.need(&["DEALER"])?;
    let s = cx.agent().socket("DEALER").await?;
    let (_ls, mut ps) = two_accepted(cx, s, "ROUTER").await?;
    cx.model("DEALER");
    cx.record_attach(1, "ROUTER", None);
    cx.record_attach(2, "ROUTER", None);
    let mut order = Vec::new();
    for n in 0..4u8 {
        cx.agent().send(s, &[&[b'0' + n]]).await?;
        cx.record_send(&[Bytes::copy_from_slice(&[b'0' + n])]);
    }
    for _ in 0..4 {
        let wait = cx.wait();
        match first_of(&mut ps, wait).await {
            Some((i, m)) => {
                cx.record_to(i as u64 + 1, &m);
                order.push((i, m));
            }
            None => break,
        }
    }
    let per: Vec<usize> = (0..2)
        .map(|k| order.iter().filter(|(i, _)| *i == k).count())
        .collect();
    if order.len() == 4 && per == [2, 2] {
        cx.pass("two messages to each peer")
    } else {
        cx.fail(format!(
            "distribution {per:?} over {} messages",
            order.len()
        ))
    }
});

pub(super) async fn fair_queue(cx: &mut Ctx, kind: &str, as_type: &str) -> crate::case::Outcome {
    let (s, ep) = cx.bound(kind).await?;
    let p1 = peer_as(cx, &ep, "peer1", as_type, Some(b"P1")).await?;
    let p2 = peer_as(cx, &ep, "peer2", as_type, Some(b"P2")).await?;
    // A PEER tags what it delivers with routing ids of its own choosing,
    // which the model's cannot be matched with: no model trace for it.
    if kind != "PEER" {
        cx.model(kind);
    }
    cx.record_attach(1, as_type, Some(b"P1"));
    cx.record_attach(2, as_type, Some(b"P2"));
    let mut peers = [p1, p2];
    for (i, body) in [(0, b"1a"), (0, b"1b"), (1, b"2a"), (1, b"2b")] {
        cx.raw_send(&mut peers[i], &[body]).await?;
        cx.record_from(i as u64 + 1, &frames(&[body]));
    }
    tokio::time::sleep(cx.quiet()).await;
    let mut got = Vec::new();
    for _ in 0..4 {
        let m = cx.agent().recv(s).await?;
        cx.record_recv(&m);
        got.push(m.last().cloned().unwrap_or_default());
    }
    let from = |b: &Bytes| b.first().copied();
    if from(&got[0]) != from(&got[1]) {
        cx.pass(format!("interleaved: {}", show(&got)))
    } else {
        not_interleaved(cx, &got)
    }
}

/// All messages arrived, but one peer's came first although both had been
/// queued for the quiet window: the arrival order inside the
/// implementation is not observable, so the model allows it.
pub(super) fn not_interleaved(cx: &Ctx, got: &[Bytes]) -> crate::case::Outcome {
    cx.lenient(format!(
        "order {}: not interleaved although both peers' messages were queued; allowed, since arrival order is not observable",
        show(got)
    ))
}

case_fn!(dealer_fair_queue, |cx| {
    fair_queue(cx, "DEALER", "DEALER").await
});

case_fn!(router_fair_queue, |cx| {
    fair_queue(cx, "ROUTER", "DEALER").await
});

case_fn!(router_identity, |cx| {
    let (s, ep) = cx.bound("ROUTER").await?;
    let mut p = peer_as(cx, &ep, "peer1", "DEALER", Some(b"peerA")).await?;
    cx.model("ROUTER");
    cx.record_attach(1, "DEALER", Some(b"peerA"));
    cx.raw_send(&mut p, &[b"hi"]).await?;
    cx.record_from(1, &frames(&[b"hi"]));
    let got = cx.agent().recv(s).await?;
    if got == frames(&[b"peerA", b"hi"]) {
        cx.record_recv(&got);
        cx.pass("[peerA][hi]")
    } else if got.len() == 2 && got[1].as_ref() == b"hi" {
        // The model honours the Identity (a SHOULD): no trace to judge.
        cx.model = None;
        cx.non_strict(format!("the Identity was not honoured: {}", show(&got)))
    } else {
        cx.fail(format!("delivered {}", show(&got)))
    }
});

case_fn!(router_strips_identity, |cx| {
    let (s, ep) = cx.bound("ROUTER").await?;
    let mut p = peer_as(cx, &ep, "peer1", "DEALER", Some(b"peerA")).await?;
    cx.model("ROUTER");
    cx.raw_send(&mut p, &[b"hello"]).await?;
    let first = cx.agent().recv(s).await?;
    let id = first.first().cloned().unwrap_or_default();
    // The peer is known by the id the ROUTER gave it (peerA, or its own
    // when it does not honour the Identity: that is 28-R36/1's concern).
    cx.record_attach(1, "DEALER", Some(&id));
    cx.record_from(1, &frames(&[b"hello"]));
    cx.record_recv(&first);
    cx.agent().send(s, &[&id, b"back"]).await?;
    cx.record_send(&[id.clone(), Bytes::from_static(b"back")]);
    let got = cx.raw_recv(&mut p).await?;
    cx.record_to(1, &got);
    if got == frames(&[b"back"]) {
        cx.pass("identity frame stripped, [back] delivered")
    } else {
        cx.fail(format!("the peer received {}", show(&got)))
    }
});

case_fn!(router_unknown_dropped, |cx| {
    let (s, ep) = cx.bound("ROUTER").await?;
    let mut p = peer_as(cx, &ep, "peer1", "DEALER", Some(b"peerA")).await?;
    cx.raw_send(&mut p, &[b"hello"]).await?;
    let first = cx.agent().recv(s).await?;
    let id = first.first().cloned().unwrap_or_default();
    cx.model("ROUTER");
    cx.record_attach(1, "DEALER", Some(&id));
    cx.record_from(1, &frames(&[b"hello"]));
    cx.record_recv(&first);
    let r = serde_json::json!({"op": "send", "socket": s.0,
        "frames": [crate::wirelog::hex(b"nobody"), crate::wirelog::hex(b"x")], "timeout_ms": 1000});
    match cx.agent().raw(r, 1000).await? {
        crate::agent::Answer::Ok(_) => {
            cx.record_send(&frames(&[b"nobody", b"x"]));
        }
        crate::agent::Answer::Error { again: true, .. } => {
            return cx.fail("send to an unknown identity blocked");
        }
        crate::agent::Answer::Error { message, .. } => {
            // ROUTER_MANDATORY's refusal, which the model (mandatory off)
            // does not make; allowed by 28-R42's wording.
            cx.model = None;
            return cx.lenient(format!("returned an error instead of dropping: {message}"));
        }
        crate::agent::Answer::Unsupported(why) => return Err(Stop::Unsupported(why)),
    }
    let quiet = cx.quiet();
    match p.recv_message(quiet).await {
        Err(_) => cx.pass("dropped silently"),
        Ok(m) => {
            cx.record_to(1, &m);
            cx.fail(format!("peerA received {}", show(&m)))
        }
    }
});

case_fn!(router_mandatory_refuses, |cx| {
    cx.need(&["ROUTER"])?;
    let ep = cx.endpoint()?;
    let mut a = cx.agent();
    let s = a.socket("ROUTER").await?;
    a.set_int(s, "ROUTER_MANDATORY", 1).await?;
    let ep = a.bind(s, &ep).await?;
    cx.model("ROUTER");
    cx.record(TraceEvent::SetOption(SocketOption::RouterMandatory(true)));
    let mut p = peer_as(cx, &ep, "peer1", "DEALER", Some(b"peerA")).await?;
    cx.raw_send(&mut p, &[b"hello"]).await?;
    let first = cx.agent().recv(s).await?;
    let id = first.first().cloned().unwrap_or_default();
    cx.record_attach(1, "DEALER", Some(&id));
    cx.record_from(1, &frames(&[b"hello"]));
    cx.record_recv(&first);
    let unknown = frames(&[b"nobody", b"x"]);
    let r = serde_json::json!({"op": "send", "socket": s.0,
        "frames": [crate::wirelog::hex(b"nobody"), crate::wirelog::hex(b"x")], "timeout_ms": 1000});
    let why = match cx.agent().raw(r, 1000).await? {
        crate::agent::Answer::Ok(_) => {
            cx.record_send(&unknown);
            return cx
                .fail("took a message for an unknown identity although ROUTER_MANDATORY is set");
        }
        crate::agent::Answer::Error { again: true, .. } => {
            return cx.fail("the send to an unknown identity blocked instead of failing");
        }
        crate::agent::Answer::Error { message, .. } => {
            cx.record(TraceEvent::SendRefused(Message::from_frames(unknown)));
            message
        }
        crate::agent::Answer::Unsupported(why) => return Err(Stop::Unsupported(why)),
    };
    cx.agent().send(s, &[&id, b"ok"]).await?;
    cx.record_send(&[id.clone(), Bytes::from_static(b"ok")]);
    let got = cx.raw_recv(&mut p).await?;
    cx.record_to(1, &got);
    if got == frames(&[b"ok"]) {
        cx.pass(format!("refused ({why}); [ok] reached peerA"))
    } else {
        cx.fail(format!(
            "refused ({why}), then peerA received {}",
            show(&got)
        ))
    }
});

case_fn!(req_queues_before_connect, |cx| {
    queued_before_connect(cx, "REQ", "REP").await
});

case_fn!(dealer_queues_before_connect, |cx| {
    queued_before_connect(cx, "DEALER", "ROUTER").await
});

/// `kind` connects before the endpoint listens and sends at once.
pub(super) async fn queued_before_connect(
    cx: &mut Ctx,
    kind: &str,
    as_type: &str,
) -> crate::case::Outcome {
    cx.need(&[kind])?;
    let l = cx.listener("peer1").await?;
    let ep = l.endpoint().to_string();
    drop(l);
    let s = cx.agent().socket(kind).await?;
    let wait = cx.wait();
    let log = cx.log.clone();
    let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", as_type.as_bytes())];
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
        let greeting = GreetingBuilder::new();
        crate::case::raw_handshake(&mut p, zmtp2, &greeting, &ready, wait).await?;
        Ok::<_, Stop>((l, p))
    };
    let mut agent = cx.agent();
    let (connected, accepted) = tokio::join!(
        async {
            agent.connect(s, &ep).await?;
            agent.send(s, &[b"early"]).await
        },
        later
    );
    connected?;
    let (_l, mut p) = accepted?;
    // IMMEDIATE is off: the peer's queue exists from the connect on.
    cx.model(kind);
    cx.record(TraceEvent::Connect(PeerId(1)));
    cx.record_send(&frames(&[b"early"]));
    cx.record_attach(1, as_type, None);
    let got = cx.raw_recv(&mut p).await?;
    cx.record_to(1, &got);
    let want: Vec<Bytes> = if kind == "REQ" {
        frames(&[b"", b"early"])
    } else {
        frames(&[b"early"])
    };
    if got == want {
        cx.pass("the message queued before the connection arrived")
    } else {
        cx.fail(format!("received {}", show(&got)))
    }
}
