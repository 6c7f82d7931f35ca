//! ZMTP 1.0 (RFC 13) and 2.0 (RFC 15) peers talking to the implementation
//! (37 §Detecting ZMTP 1.0 and 2.0 Peers; grammar G18..G22). The raw peer
//! writes its greeting and frames with spec's legacy builders
//! (`V1Identity`, `V2Greeting`, `V2Identity`, `V1FrameBuilder`, 2.0 frames
//! through `FrameBuilder`) and reads the implementation's answer with
//! spec's legacy grammar (`v1_identity`, `v2_greeting`, `v2_identity`).
//!
//! Downgrading is a MAY of 37: an implementation that closes the
//! connection on a 1.0 or 2.0 peer obeys 37-R09, and these cases call it
//! UNSUPPORTED. One that neither downgrades nor closes FAILS (37-R09).

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use zmtp_spec::SocketType;
use zmtp_spec::wire::SubscriptionMessage;
use zmtp_spec::wire::greeting::{SIGNATURE_END, SIGNATURE_START};
use zmtp_spec::wire::legacy::{
    MAX_IDENTITY, V1Identity, V2Greeting, V2Identity, v1_identity, v2_greeting, v2_identity,
};
use zmtp_spec::wire::view::{FrameBuilder, GreetingView, V1FrameBuilder, V1FrameView};

use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, Outcome, show, step};
use crate::cases::case_fn;
use crate::peer::RawPeer;
use crate::wirelog::hex;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "13-R03/1",
            also: &["G20", "G21", "37-R60", "23-R47"],
            param: 0,
            run: v1_push_to_pull,
            sends: "as a ZMTP 1.0 PUSH peer to a bound PULL: the anonymous identity frame \
                    01 00 at once, then the 1.0 message [probe]",
            expects: "the implementation's 10 octets FF, identity size + 1 (8 octets \
                      big-endian), 7F read as a 1.0 identity frame header, its 0-255 octet \
                      identity, and [probe] delivered (closing instead: UNSUPPORTED)",
        },
        Case {
            id: "13-R04/1",
            also: &["G21", "13-R03"],
            param: 1,
            run: v1_push_to_pull,
            sends: "as a ZMTP 1.0 PUSH peer: identity \"abc\" with identity flags 7F, then [probe]",
            expects: "the identity flags are not validated: [probe] is delivered",
        },
        Case {
            id: "13-R02/1",
            also: &["13-R01", "G20"],
            param: 0,
            run: v1_pull_reads,
            sends: "as a ZMTP 1.0 PULL peer to a bound PUSH, which sends [a, b] and a \
                    300-octet message",
            expects: "1.0 frames: flags 01 then 00 for [a, b], 00 on the single frame, and \
                      the long form FF + 8-octet length 301 for the 300 octets",
        },
        Case {
            id: "13-R05/1",
            also: &["G20", "G21"],
            param: 0,
            run: v1_sub_gets_everything,
            sends: "as a ZMTP 1.0 SUB peer to a bound PUB: the anonymous identity and no \
                    subscription (1.0 has none); the PUB sends [news]",
            expects: "[news] arrives in 1.0 framing",
        },
        Case {
            id: "13-R06/1",
            also: &["G21"],
            param: 0,
            run: v1_pub_to_sub,
            sends: "as a ZMTP 1.0 PUB peer accepting a SUB that then subscribes to \"\"; \
                    then the 1.0 message [news]",
            expects: "the SUB sends nothing after its identity (no subscription to a 1.0 \
                      publisher) and delivers [news]",
        },
        Case {
            id: "15-R03/1",
            also: &["G18", "G19", "37-R60", "23-R47"],
            param: 0,
            run: v2_push_to_pull,
            sends: "as a ZMTP 2.0 PUSH peer to a bound PULL: FF 0x8 7F 01 08 00 00 at once, \
                    then the 2.0 message [probe]",
            expects: "FF, padding zero or identity size + 1 big-endian, 7F, the revision \
                      octet (01, or 03 from a downgrading 3.x peer), socket type 07 (PULL), \
                      the identity frame 00 len id; [probe] delivered (closing: UNSUPPORTED)",
        },
        Case {
            id: "15-R01/1",
            also: &["15-R02", "G19"],
            param: 0,
            run: v2_pull_reads,
            sends: "as a ZMTP 2.0 PULL peer to a bound PUSH, which sends [a, b] and a \
                    300-octet message",
            expects: "2.0 frames: flags 01 then 00 for [a, b], and 02 (long, final) with an \
                      8-octet size for the 300 octets; bits 2-7 zero on every frame",
        },
        Case {
            id: "G22/1",
            also: &["G18"],
            param: 0,
            run: v2_sub_subscribes,
            sends: "as a ZMTP 2.0 PUB peer accepting a SUB, which subscribes to \"a\" and \
                    then unsubscribes",
            expects: "the 2.0 messages [01 61] then [00 61] (subscriptions as messages)",
        },
    ]
}

/// A 1.0 frame's length is capped here: the cases never need more.
const MAX_V1_FRAME: u64 = 1 << 16;

/// Our 1.0 identity frame.
fn v1_hello(identity: &[u8], flags: u8) -> Vec<u8> {
    let mut out = Vec::new();
    V1Identity { flags, identity }.encode(&mut out);
    out
}

/// Our whole 2.0 greeting: the grammar's zero padding (RFC 15), revision
/// 01, `kind`'s code and an empty identity.
fn v2_hello(kind: SocketType) -> Vec<u8> {
    let mut out = Vec::new();
    V2Greeting {
        padding: [0; 8],
        revision: V2Greeting::REVISION,
        socket_type: kind.zmtp2_code().unwrap_or_default(),
    }
    .encode(&mut out);
    if let Some(identity) = V2Identity::new(Bytes::new()) {
        identity.encode(&mut out);
    }
    out
}

/// What the implementation answered a legacy peer.
enum Answer {
    /// It spoke the legacy protocol: its identity (and the 2.0
    /// socket-type code and revision octet).
    Legacy {
        identity: Bytes,
        socket_type: Option<u8>,
        revision: Option<u8>,
    },
    /// It closed the connection, after these octets.
    Closed(Bytes),
}

/// Reads the implementation's 1.0 greeting: its 10 octets are the header
/// of a 1.0 identity frame (37-R60), then the identity body.
async fn read_v1_answer(wait: Duration, peer: &mut RawPeer) -> Result<Answer, Stop> {
    let mut got = BytesMut::new();
    let Ok(head) = peer.read_exact(1, wait).await else {
        return closed_or_silent(wait, peer, got).await;
    };
    got.extend_from_slice(&head);
    if head[0] == SIGNATURE_START {
        match peer.read_exact(9, wait).await {
            Ok(h) => got.extend_from_slice(&h),
            Err(_) => return closed_or_silent(wait, peer, got).await,
        }
        // Zero padding: a peer that does not detect 1.0 peers (37-R03,
        // 15-S02); it can only close (37-R09).
        if GreetingView::new(&got[..]).padding() == Some([0; 8]) {
            return closed_or_silent(wait, peer, got).await;
        }
        // A detecting 3.x (or 2.0) peer's pseudo-signature (37-R60).
        if let Some(fault) = signature_fault(&got) {
            return Err(Stop::Fail(fault));
        }
    } else {
        // A short 1.0 length: then only the flags octet of the header.
        match peer.read_exact(1, wait).await {
            Ok(h) => got.extend_from_slice(&h),
            Err(_) => return closed_or_silent(wait, peer, got).await,
        }
    }
    let length = V1FrameView::new(&got[..]).length().unwrap_or(0);
    if length == 0 || length > MAX_IDENTITY as u64 + 1 {
        return Err(Stop::Fail(format!(
            "as a 1.0 identity frame header, {} declares length {length}: an identity \
             is 0-255 octets (13-R03, 37-R60)",
            hex(&got)
        )));
    }
    let body = usize::try_from(length - 1).unwrap_or_default();
    match peer.read_exact(body, wait).await {
        Ok(b) => got.extend_from_slice(&b),
        Err(_) => return closed_or_silent(wait, peer, got).await,
    }
    match v1_identity(&got) {
        Ok((_, V1Identity { identity, .. })) => Ok(Answer::Legacy {
            identity: Bytes::copy_from_slice(identity),
            socket_type: None,
            revision: None,
        }),
        Err(e) => Err(Stop::Fail(format!(
            "{} is not a 1.0 identity frame: {e}",
            hex(&got)
        ))),
    }
}

/// Reads the implementation's answer to a 2.0 greeting: its signature,
/// revision octet, socket type and identity frame (G18).
async fn read_v2_answer(wait: Duration, peer: &mut RawPeer) -> Result<Answer, Stop> {
    let mut got = BytesMut::new();
    match peer.read_exact(V2Greeting::LEN + 2, wait).await {
        Ok(b) => got.extend_from_slice(&b),
        Err(_) => return closed_or_silent(wait, peer, got).await,
    }
    if let Some(fault) = signature_fault(&got) {
        return Err(Stop::Fail(fault));
    }
    // A 3.x greeting (64 octets, major 03 and a minor where the 2.0
    // socket type would be) followed by a close: no downgrade.
    let id_len = usize::from(got[V2Greeting::LEN + 1]);
    if got[V2Greeting::LEN] != 0x00 {
        return closed_or_silent(wait, peer, got).await;
    }
    match peer.read_exact(id_len, wait).await {
        Ok(b) => got.extend_from_slice(&b),
        Err(_) => return closed_or_silent(wait, peer, got).await,
    }
    let parsed = v2_greeting(&got).and_then(|(rest, g)| Ok((g, v2_identity(rest)?.1)));
    match parsed {
        Ok((g, identity)) => Ok(Answer::Legacy {
            identity: Bytes::copy_from_slice(identity),
            socket_type: Some(g.socket_type),
            revision: Some(g.revision),
        }),
        Err(e) => Err(Stop::Fail(format!(
            "{} is not a 2.0 greeting and identity frame: {e}",
            hex(&got)
        ))),
    }
}

/// After a partial answer: closed (the implementation does not
/// downgrade) or still open and silent.
async fn closed_or_silent(
    wait: Duration,
    peer: &mut RawPeer,
    got: BytesMut,
) -> Result<Answer, Stop> {
    let (more, closed) = peer.read_for(wait).await;
    let mut got = got;
    got.extend_from_slice(&more);
    if closed {
        Ok(Answer::Closed(got.freeze()))
    } else {
        Err(Stop::Fail(format!(
            "after {} it neither spoke the legacy protocol nor closed the connection (37-R09)",
            hex(&got)
        )))
    }
}

/// The verdict for an implementation that closed on a legacy peer.
fn no_downgrade(version: &str, got: &Bytes) -> Stop {
    Stop::Unsupported(format!(
        "does not downgrade to ZMTP {version}: closed the connection after {} (37-R09 allows it)",
        hex(got)
    ))
}

/// The 10 octets a detecting peer opens with, judged (37-R60, 15-R03):
/// `None` when they are right.
fn signature_fault(head: &[u8]) -> Option<String> {
    let view = GreetingView::new(head);
    let size = view.padding().map_or(0, u64::from_be_bytes);
    let ok = view.signature_start() == Some(SIGNATURE_START)
        && view.signature_end() == Some(SIGNATURE_END)
        && (size == 0 || (1..=MAX_IDENTITY as u64 + 1).contains(&size));
    (!ok).then(|| {
        format!(
            "its first 10 octets {} are not FF, identity size + 1 (or zero) as 8 octets \
             big-endian, 7F",
            hex(head.get(..10).unwrap_or(head))
        )
    })
}

/// Reads one 1.0 frame: its flags, body and whether the length was long.
async fn read_v1_frame(peer: &mut RawPeer, wait: Duration) -> Result<(u8, Bytes, bool), Stop> {
    let first = peer
        .read_exact(1, wait)
        .await
        .map_err(step("reading a 1.0 frame"))?;
    let mut frame = BytesMut::from(&first[..]);
    let long = first[0] == SIGNATURE_START;
    if long {
        let l = peer
            .read_exact(8, wait)
            .await
            .map_err(step("reading a long 1.0 length"))?;
        frame.extend_from_slice(&l);
    }
    let length = V1FrameView::new(&frame[..]).length().unwrap_or(0);
    if length == 0 || length > MAX_V1_FRAME {
        return Err(Stop::Fail(format!(
            "a 1.0 frame of length {length} ({}): 0 is invalid (G20)",
            hex(&frame)
        )));
    }
    let rest = peer
        .read_exact(usize::try_from(length).unwrap_or_default(), wait)
        .await
        .map_err(step("reading a 1.0 frame body"))?;
    frame.extend_from_slice(&rest);
    let view = V1FrameView::new(&frame[..]);
    let flags = view.flags().unwrap_or_default();
    let body = Bytes::copy_from_slice(view.body().unwrap_or_default());
    Ok((flags, body, long))
}

/// Binds `kind` and connects a raw 1.0 peer that sends `hello`.
async fn v1_bound(cx: &mut Ctx, kind: &str, hello: &[u8]) -> Result<(Sock, RawPeer), Stop> {
    let (s, ep) = cx.bound(kind).await?;
    let mut peer = cx.dial(&ep, "v1peer").await?;
    peer.send(hello)
        .await
        .map_err(step("sending our identity"))?;
    Ok((s, peer))
}

/// Binds `kind`, connects a raw 1.0 peer and reads the implementation's
/// identity; UNSUPPORTED when it closes.
async fn v1_session(cx: &mut Ctx, kind: &str, hello: &[u8]) -> Result<(Sock, RawPeer), Stop> {
    let (s, mut peer) = v1_bound(cx, kind, hello).await?;
    match read_v1_answer(cx.wait(), &mut peer).await? {
        Answer::Legacy { .. } => Ok((s, peer)),
        Answer::Closed(got) => Err(no_downgrade("1.0", &got)),
    }
}

/// Binds `kind`, connects a raw 2.0 peer of type `as_type` and reads the
/// implementation's greeting; UNSUPPORTED when it closes.
async fn v2_session(
    cx: &mut Ctx,
    kind: &str,
    as_type: SocketType,
) -> Result<(Sock, RawPeer, Bytes), Stop> {
    let (s, ep) = cx.bound(kind).await?;
    let mut peer = cx.dial(&ep, "v2peer").await?;
    peer.send(&v2_hello(as_type))
        .await
        .map_err(step("sending our 2.0 greeting"))?;
    match read_v2_answer(cx.wait(), &mut peer).await? {
        Answer::Legacy { identity, .. } => Ok((s, peer, identity)),
        Answer::Closed(got) => Err(no_downgrade("2.0", &got)),
    }
}

/// Watches `s` for the message `[probe]`.
async fn probe_delivered(cx: &mut Ctx, s: Sock, what: &str) -> Outcome {
    let wait = cx.wait();
    match cx.agent().recv_within(s, wait).await? {
        Some(m) if m.len() == 1 && m[0].as_ref() == b"probe" => cx.pass(what.to_string()),
        Some(m) => cx.fail(format!("delivered {} instead of [probe]", show(&m))),
        None => cx.fail(format!("{what}, but [probe] was not delivered")),
    }
}

case_fn!(v1_push_to_pull, |cx| {
    let (identity, flags): (&[u8], u8) = if cx.param == 1 {
        (b"abc", 0x7F)
    } else {
        (b"", 0x00)
    };
    let (s, mut peer) = v1_bound(cx, "PULL", &v1_hello(identity, flags)).await?;
    let theirs = match read_v1_answer(cx.wait(), &mut peer).await? {
        Answer::Legacy { identity, .. } => identity,
        Answer::Closed(got) => return Err(no_downgrade("1.0", &got)),
    };
    peer.send(&V1FrameBuilder::new().body(b"probe").build())
        .await
        .map_err(step("sending [probe]"))?;
    let what = format!(
        "spoke 1.0 (its identity {} octets) and took our identity with flags {flags:02x}",
        theirs.len()
    );
    probe_delivered(cx, s, &what).await
});

case_fn!(v1_pull_reads, |cx| {
    let (s, mut peer) = v1_session(cx, "PUSH", &v1_hello(b"", 0)).await?;
    let big = vec![b'x'; 300];
    cx.agent().send(s, &[b"a", b"b"]).await?;
    cx.agent().send(s, &[&big]).await?;
    let wait = cx.wait();
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(read_v1_frame(&mut peer, wait).await?);
    }
    let shape: Vec<(u8, usize, bool)> = got.iter().map(|(f, b, l)| (*f, b.len(), *l)).collect();
    let bodies_ok =
        got[0].1.as_ref() == b"a" && got[1].1.as_ref() == b"b" && got[2].1.as_ref() == &big[..];
    let more_ok = got[0].0 & 1 == 1 && got[1].0 & 1 == 0 && got[2].0 & 1 == 0;
    let what = format!("frames (flags, size, long) {shape:?}");
    if !bodies_ok || !more_ok {
        cx.fail(format!(
            "{what}: MORE only on a, bodies a, b, 300 x expected"
        ))
    } else if !got[2].2 {
        cx.fail(format!(
            "{what}: length 301 not in the FF + 8-octet form (13-R01)"
        ))
    } else if got.iter().any(|(f, _, _)| f & !1 != 0) {
        cx.non_strict(format!(
            "{what}: reserved flag bits SHOULD be zero (13-S02)"
        ))
    } else {
        cx.pass(what)
    }
});

case_fn!(v1_sub_gets_everything, |cx| {
    let (s, mut peer) = v1_session(cx, "PUB", &v1_hello(b"", 0)).await?;
    // The PUB learns of the 1.0 subscriber asynchronously: send until it
    // arrives, a bounded number of times.
    let wait = Duration::from_millis(200);
    for _ in 0..10 {
        cx.agent().send(s, &[b"news"]).await?;
        if let Ok((flags, body, _)) = read_v1_frame(&mut peer, wait).await {
            return if body.as_ref() == b"news" && flags & 1 == 0 {
                cx.pass("[news] in 1.0 framing to a subscriber that sent no subscription")
            } else {
                cx.fail(format!("got flags {flags:02x} body {}", hex(&body)))
            };
        }
    }
    cx.fail("the PUB sent nothing to a 1.0 subscriber (which cannot subscribe)")
});

case_fn!(v1_pub_to_sub, |cx| {
    let (s, _l, mut peer) = cx.connected("SUB", "v1pub").await?;
    peer.send(&v1_hello(b"", 0))
        .await
        .map_err(step("sending our identity"))?;
    if let Answer::Closed(got) = read_v1_answer(cx.wait(), &mut peer).await? {
        return Err(no_downgrade("1.0", &got));
    }
    cx.agent().set_bytes(s, "SUBSCRIBE", b"").await?;
    let quiet = cx.quiet();
    let (sent, _) = peer.read_for(quiet).await;
    if !sent.is_empty() {
        return cx.fail(format!(
            "the SUB sent {} to a 1.0 publisher (13-R06: no content from a subscriber)",
            hex(&sent)
        ));
    }
    peer.send(&V1FrameBuilder::new().body(b"news").build())
        .await
        .map_err(step("sending [news]"))?;
    let wait = cx.wait();
    match cx.agent().recv_within(s, wait).await? {
        Some(m) if m.len() == 1 && m[0].as_ref() == b"news" => {
            cx.pass("nothing sent to the 1.0 publisher; [news] delivered")
        }
        Some(m) => cx.fail(format!("delivered {}", show(&m))),
        None => cx.fail("[news] from the 1.0 publisher was not delivered"),
    }
});

case_fn!(v2_push_to_pull, |cx| {
    let (s, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "v2peer").await?;
    peer.send(&v2_hello(SocketType::Push))
        .await
        .map_err(step("sending our 2.0 greeting"))?;
    let (identity, code, revision) = match read_v2_answer(cx.wait(), &mut peer).await? {
        Answer::Legacy {
            identity,
            socket_type,
            revision,
        } => (identity, socket_type, revision),
        Answer::Closed(got) => return Err(no_downgrade("2.0", &got)),
    };
    // The head is gone from the peer's buffer: judge what read_v2_answer
    // kept (the socket type and revision) and the signature it checked.
    let pull = SocketType::Pull.zmtp2_code();
    if code != pull {
        return cx.fail(format!(
            "socket-type octet {:02x}, not PULL's {:02x} (G18)",
            code.unwrap_or_default(),
            pull.unwrap_or_default()
        ));
    }
    if !matches!(revision, Some(0x01 | 0x03)) {
        return cx.fail(format!(
            "revision octet {:02x}: 01 (2.0) or 03 (a 3.x peer that downgrades)",
            revision.unwrap_or_default()
        ));
    }
    peer.send(&FrameBuilder::message(b"probe", false).build())
        .await
        .map_err(step("sending [probe]"))?;
    let what = format!(
        "spoke 2.0: revision octet {:02x}, PULL, identity of {} octets",
        revision.unwrap_or_default(),
        identity.len()
    );
    probe_delivered(cx, s, &what).await
});

case_fn!(v2_pull_reads, |cx| {
    let (s, mut peer, _) = v2_session(cx, "PUSH", SocketType::Pull).await?;
    let big = vec![b'x'; 300];
    cx.agent().send(s, &[b"a", b"b"]).await?;
    cx.agent().send(s, &[&big]).await?;
    let wait = cx.wait();
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(
            peer.read_frame(wait)
                .await
                .map_err(step("reading a 2.0 frame"))?,
        );
    }
    let flags: Vec<u8> = got.iter().map(|f| f.flags().0).collect();
    let bodies_ok =
        got[0].body.as_ref() == b"a" && got[1].body.as_ref() == b"b" && got[2].body == big[..];
    let what = format!("flags {}", hex(&flags));
    if flags.iter().any(|f| f & !0x03 != 0) {
        cx.fail(format!("{what}: bits 2-7 MUST be zero in 2.0 (15-R02)"))
    } else if flags[..2] != [0x01, 0x00] || flags[2] & 0x01 != 0 || !bodies_ok {
        cx.fail(format!(
            "{what}: [a](01) [b](00) [300 x](final) expected (15-R01)"
        ))
    } else if flags[2] != 0x02 {
        cx.fail(format!("{what}: 300 octets need the long size (G19)"))
    } else {
        cx.pass(format!(
            "{what}: MORE only on a, long final frame for 300 octets"
        ))
    }
});

case_fn!(v2_sub_subscribes, |cx| {
    let (s, _l, mut peer) = cx.connected("SUB", "v2pub").await?;
    peer.send(&v2_hello(SocketType::Pub))
        .await
        .map_err(step("sending our 2.0 greeting"))?;
    if let Answer::Closed(got) = read_v2_answer(cx.wait(), &mut peer).await? {
        return Err(no_downgrade("2.0", &got));
    }
    cx.agent().set_bytes(s, "SUBSCRIBE", b"a").await?;
    let wait = cx.wait();
    let sub = peer
        .read_frame(wait)
        .await
        .map_err(step("waiting for the subscription"))?;
    cx.agent().set_bytes(s, "UNSUBSCRIBE", b"a").await?;
    let cancel = peer
        .read_frame(wait)
        .await
        .map_err(step("waiting for the unsubscription"))?;
    let seen = format!("{} then {}", sub.describe(), cancel.describe());
    let topic = Bytes::from_static(b"a");
    let sub_ok = sub.flags().0 == 0
        && SubscriptionMessage::parse(&sub.body)
            == Ok(SubscriptionMessage::Subscribe(topic.clone()));
    let cancel_ok = cancel.flags().0 == 0
        && SubscriptionMessage::parse(&cancel.body) == Ok(SubscriptionMessage::Cancel(topic));
    if sub_ok && cancel_ok {
        cx.pass(format!("subscription messages {seen}"))
    } else {
        cx.fail(format!(
            "expected subscribe \"a\" then cancel \"a\" as single final message frames \
             (01/00 + topic), got {seen}"
        ))
    }
});
