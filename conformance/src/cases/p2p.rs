//! PEER (RFC 51, draft) against raw peers: routing ids of the socket's
//! choosing on every message, replies routed by them, the id a connect
//! returns (libzmq `zmq_connect_peer`, the agent's `connect_peer` op), and
//! a departed peer's id that no longer routes. The agent shows a PEER
//! message as `[routing-id, body]`. These run only against agents whose
//! manifest offers PEER.

use bytes::Bytes;
use serde_json::json;
use zmtp_spec::wire::view::GreetingBuilder;

use crate::agent::{Answer, Stop};
use crate::case::{Case, show, step};
use crate::cases::case_fn;
use crate::cases::reqrep::fair_queue;
use crate::cases::threadsafe::{describe, next_message, ready_with_identity, shape};
use crate::cases::{control_reconnect, set_reconnect_ivl};
use crate::peer::{RawListener, message_frames};
use crate::wirelog::hex;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "51-R03/1",
            also: &["51-R06", "51-R13", "51-R15", "51-R16", "51-R20"],
            param: 0,
            run: peer_routes_replies,
            sends: "two raw PEERs each send a message to a bound PEER, which answers each with \
                    the routing id it delivered",
            expects: "each raw PEER receives only its own answer, as one final frame",
        },
        Case {
            id: "51-R10/1",
            also: &["51-R08", "51-R13"],
            param: 0,
            run: peer_picks_routing_id,
            sends: "a raw PEER whose READY carries Identity \"abc\" sends [hi] to a bound PEER",
            expects: "[hi] delivered with a non-zero four-octet routing id of the PEER's choosing",
        },
        Case {
            id: "51-R11/1",
            also: &["51-R04", "51-R12"],
            param: 0,
            run: peer_fair_queue,
            sends: "two raw PEERs connected to a bound PEER each send two messages",
            expects: "all four, the first two from different peers",
        },
        Case {
            id: "51-R14/1",
            also: &["37-R57"],
            param: 0,
            run: peer_drops_multipart,
            sends: "a raw PEER sends a two-frame message, then [single], to a bound PEER",
            expects: "only [single] is delivered",
        },
        Case {
            id: "51-R05/1",
            also: &["51-R09"],
            param: 0,
            run: connect_peer_queues,
            sends: "connect_peer to an endpoint that listens only 300 ms later, then [early] to \
                    the id it returned; after the raw PEER closes, [again] to the same id",
            expects: "[early] on the first connection, [again] on the remade one: the id names \
                      the connect's queue",
        },
        Case {
            id: "51-R07/1",
            also: &["51-R17"],
            param: 0,
            run: departed_id_unroutable,
            sends: "a raw PEER sends [hi] to a bound PEER and closes; the PEER sends [late] to \
                    the routing id [hi] came with",
            expects: "the send is refused (libzmq EHOSTUNREACH): the departed peer's queue is gone",
        },
    ]
}

case_fn!(peer_routes_replies, |cx| {
    let (s, ep) = cx.bound("PEER").await?;
    let mut peers = Vec::new();
    for label in ["peer1", "peer2"] {
        let mut p = cx.dial(&ep, label).await?;
        cx.handshake(&mut p, "PEER", 1).await?;
        let from = format!("from-{label}");
        cx.raw_send(&mut p, &[from.as_bytes()]).await?;
        peers.push((label, p));
    }
    let mut routes = Vec::new();
    for _ in 0..2 {
        match cx.agent().recv(s).await?.as_slice() {
            [rid, body] if body.starts_with(b"from-") => routes.push((rid.clone(), body.clone())),
            other => return cx.fail(format!("delivered {}", show(other))),
        }
    }
    if routes[0].0 == routes[1].0 {
        return cx.fail("both peers' messages came with the same routing id");
    }
    for (rid, body) in &routes {
        let to = [b"to-".as_slice(), &body[5..]].concat();
        cx.agent().send(s, &[rid, &to]).await?;
    }
    let wait = cx.wait();
    for (label, p) in &mut peers {
        let unit = next_message(p, wait)
            .await
            .ok_or_else(|| Stop::Fail(format!("no answer at {label}")))?;
        let want = format!("to-{label}");
        if shape(&unit) != [(0, Bytes::from(want.clone()))] {
            return cx.fail(format!(
                "{label} received {}, not [{want}]",
                describe(&unit)
            ));
        }
    }
    cx.pass("each raw PEER got only its own answer, one final frame each")
});

case_fn!(peer_picks_routing_id, |cx| {
    let (s, ep) = cx.bound("PEER").await?;
    let mut p = cx.dial(&ep, "peer1").await?;
    let greeting = GreetingBuilder::new();
    cx.handshake_with(&mut p, &greeting, &ready_with_identity("PEER", b"abc"))
        .await?;
    cx.raw_send(&mut p, &[b"hi"]).await?;
    let got = cx.agent().recv(s).await?;
    match got.as_slice() {
        [rid, _] if rid.as_ref() == b"abc" => {
            cx.fail("the peer's Identity \"abc\" became its routing id")
        }
        [rid, body] if body.as_ref() == b"hi" && rid.len() == 4 && rid.iter().any(|b| *b != 0) => {
            cx.pass(format!(
                "[hi] delivered with routing id {} (the PEER's own)",
                hex(rid)
            ))
        }
        _ => cx.fail(format!(
            "delivered {}: a four-octet non-zero routing id and [hi] expected",
            show(&got)
        )),
    }
});

case_fn!(peer_fair_queue, |cx| {
    fair_queue(cx, "PEER", "PEER").await
});

case_fn!(peer_drops_multipart, |cx| {
    let (s, ep) = cx.bound("PEER").await?;
    let mut p = cx.dial(&ep, "peer1").await?;
    cx.handshake(&mut p, "PEER", 1).await?;
    let mut bytes = message_frames(&[b"part", b"two"]);
    bytes.extend(message_frames(&[b"single"]));
    p.send(&bytes).await.map_err(step("sending"))?;
    let got = cx.agent().recv(s).await?;
    match got.as_slice() {
        [_, body] if body.as_ref() == b"single" => {
            cx.pass("the multipart message was discarded, [single] delivered")
        }
        _ => cx.fail(format!("delivered {}", show(&got))),
    }
});

case_fn!(connect_peer_queues, |cx| {
    cx.need(&["PEER"])?;
    let l = cx.listener("peer1").await?;
    let ep = l.endpoint().to_string();
    drop(l);
    let s = cx.agent().socket("PEER").await?;
    set_reconnect_ivl(cx, s).await?;
    let wait = cx.wait();
    let log = cx.log.clone();
    let later = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let l = RawListener::bind_at(&ep, &log, "peer1")
            .await
            .map_err(|e| Stop::Fail(format!("re-listening: {e}")))?;
        let p = l
            .accept(wait, "peer1")
            .await
            .map_err(|e| Stop::Fail(format!("never connected: {e}")))?;
        Ok::<_, Stop>((l, p))
    };
    let mut agent = cx.agent();
    let (sent, accepted) = tokio::join!(
        async {
            let rid = agent.connect_peer(s, &ep).await?;
            agent.send(s, &[&rid, b"early"]).await.map(|()| rid)
        },
        later
    );
    let rid = sent?;
    let (l, mut p) = accepted?;
    cx.handshake(&mut p, "PEER", 1).await?;
    let got = cx.raw_recv(&mut p).await?;
    if got != [Bytes::from_static(b"early")] {
        return cx.fail(format!("the first connection received {}", show(&got)));
    }
    let again = control_reconnect(cx, &l, p, "peer1").await?;
    let mut p = again.peer;
    cx.handshake(&mut p, "PEER", 1).await?;
    cx.agent().send(s, &[&rid, b"again"]).await?;
    let got = cx.raw_recv(&mut p).await?;
    if got == [Bytes::from_static(b"again")] {
        cx.pass(format!(
            "routing id {} from connect_peer: [early] queued before the connection, [again] \
             over the remade one",
            hex(&rid)
        ))
    } else {
        cx.fail(format!("the remade connection received {}", show(&got)))
    }
});

case_fn!(departed_id_unroutable, |cx| {
    let (s, ep) = cx.bound("PEER").await?;
    let mut p = cx.dial(&ep, "peer1").await?;
    cx.handshake(&mut p, "PEER", 1).await?;
    cx.raw_send(&mut p, &[b"hi"]).await?;
    let rid = match cx.agent().recv(s).await?.as_slice() {
        [rid, _] => rid.clone(),
        other => return cx.fail(format!("delivered {}", show(other))),
    };
    p.close().await;
    tokio::time::sleep(cx.quiet()).await;
    let r = json!({"op": "send", "socket": s.0, "frames": [hex(&rid), hex(b"late")],
                   "timeout_ms": 500});
    match cx.agent().raw(r, 500).await? {
        Answer::Error { message, .. } => cx.pass(format!(
            "the send to the departed peer's id {} was refused: {message}",
            hex(&rid)
        )),
        Answer::Ok(_) => cx.fail(format!(
            "the send to the departed peer's id {} was accepted (queued for a peer that is gone)",
            hex(&rid)
        )),
        Answer::Unsupported(why) => Err(Stop::Unsupported(why)),
    }
});
