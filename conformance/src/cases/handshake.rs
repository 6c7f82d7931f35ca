//! The NULL handshake, metadata, ERROR and heartbeats (RFC 23/37 §The NULL
//! Security Mechanism, §Connection Metadata, §Error Handling,
//! §Connection Heartbeating).

use std::time::Duration;

use bytes::Bytes;
use zmtp_model::PeerId;
use zmtp_model::oracle::TraceEvent;
use zmtp_spec::wire::Command;
use zmtp_spec::wire::command::name;
use zmtp_spec::wire::view::{CommandBuilder, GreetingBuilder, PropertyBuilder};

use crate::case::{Case, Ctx, Outcome, show, step};
use crate::cases::{
    Control, RECONNECT_IVL_MS, Reaction, case_fn, control_reconnect, greeting, minor, probe,
    push_ready, reconnect_watch, set_reconnect_ivl,
};
use crate::peer::{metadata, ready};
use crate::wirelog::printable;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "37-R24/1",
            also: &["37-R23", "23-R28"],
            param: 1,
            run: client_sends_ready,
            sends: "accepts a connection from the implementation's DEALER and sends only its greeting",
            expects: "the connecting (client) side sends READY without waiting for ours",
        },
        Case {
            id: "37-R25/1",
            also: &["37-R23"],
            param: 1,
            run: server_replies_ready,
            sends: "a 3.1 greeting and READY to a bound PULL",
            expects: "READY in reply",
        },
        Case {
            id: "37-R25/2",
            also: &[],
            param: 1,
            run: server_waits,
            sends: "a 3.1 greeting only, to a bound PULL (the server)",
            expects: "no READY until ours arrived (37 server), then READY",
        },
        Case {
            id: "23-R22/1",
            also: &[],
            param: 0,
            run: server_replies_ready,
            sends: "a 3.0 greeting and READY to a bound PULL",
            expects: "READY",
        },
        Case {
            id: "23-R28/1",
            also: &[],
            param: 0,
            run: sends_ready_first_30,
            sends: "a 3.0 greeting only, to a bound PULL",
            expects: "READY without waiting for ours (3.0 is symmetric)",
        },
        Case {
            id: "37-R16/1",
            also: &["G11"],
            param: 1,
            run: error_is_fatal,
            sends: "a greeting, then ERROR \"bye\" instead of READY",
            expects: "the connection is closed",
        },
        Case {
            id: "23-R16/1",
            also: &[],
            param: 0,
            run: error_is_fatal,
            sends: "a 3.0 greeting, then ERROR",
            expects: "the connection is closed",
        },
        Case {
            id: "37-R26/1",
            also: &["G10"],
            param: 1,
            run: empty_property_name,
            sends: "READY with a zero-length property name, then a message",
            expects: "the connection is closed; the message is not delivered",
        },
        Case {
            id: "23-R24/1",
            also: &[],
            param: 0,
            run: empty_property_name,
            sends: "a 3.0 READY with a zero-length property name, then a message",
            expects: "the connection is closed",
        },
        Case {
            id: "37-R27/1",
            also: &["37-R31"],
            param: 1,
            run: name_case,
            sends: "READY with \"socket-type\" (lower case) = PUB to a PULL, then a message",
            expects: "the name is recognised whatever its case, so the incompatible type closes the connection",
        },
        Case {
            id: "23-R25/1",
            also: &["23-R30"],
            param: 0,
            run: name_case,
            sends: "a 3.0 READY with \"socket-type\" = PUB to a PULL",
            expects: "the connection is closed",
        },
        Case {
            id: "37-R28/1",
            also: &["23-R26"],
            param: 1,
            run: empty_value,
            sends: "READY with an extra property X-Empty of zero length, then a message",
            expects: "the message is delivered",
        },
        Case {
            id: "37-R28/2",
            also: &["G10"],
            param: 1,
            run: oversized_value,
            sends: "READY whose value-size is 2^31 (beyond the maximum and the body)",
            expects: "the connection is closed",
        },
        Case {
            id: "37-R29/1",
            also: &["23-R27"],
            param: 1,
            run: long_value,
            sends: "READY with a 300-octet property value (4-octet value size), then a message",
            expects: "the message is delivered",
        },
        Case {
            id: "G10/1",
            also: &[],
            param: 1,
            run: trailing_octet,
            sends: "READY with one stray octet after the last property",
            expects: "the connection is closed",
        },
        Case {
            id: "37-R32/1",
            also: &["23-R31"],
            param: 1,
            run: no_x_names,
            sends: "a 3.1 handshake with a bound PULL",
            expects: "its READY has no property whose name starts with X-",
        },
        Case {
            id: "37-R33/1",
            also: &["G16", "23-R32"],
            param: 1,
            run: socket_type_values,
            sends: "a handshake with each socket type the agent offers, as a compatible peer",
            expects: "Socket-Type equals the type, as the exact upper-case name",
        },
        Case {
            id: "37-R33/2",
            also: &[],
            param: 1,
            run: incompatible_type,
            sends: "READY with Socket-Type PUB to a PULL, then a message",
            expects: "the connection is closed (after an ERROR, which SHOULD be sent)",
        },
        Case {
            id: "37-R34/1",
            also: &["23-R33"],
            param: 1,
            run: identity_sent,
            sends: "accepts a DEALER whose routing id is \"abc\"",
            expects: "its READY carries Identity = \"abc\"",
        },
        Case {
            id: "37-R35/1",
            also: &[],
            param: 1,
            run: zero_identity,
            sends: "READY from a DEALER with Identity 00 61 62 63 to a bound ROUTER, then a message",
            expects: "the identity is refused (closed) or not used as the routing id",
        },
        Case {
            id: "37-R36/1",
            also: &["37-R37"],
            param: 1,
            run: resource_accepted,
            sends: "READY with Resource = \"svc/echo\", then a message",
            expects: "the message is delivered: every resource is accepted",
        },
        Case {
            id: "37-R58/1",
            also: &["G13"],
            param: 4,
            run: ping_pong,
            sends: "PING with TTL 0 and a 4-octet context after the handshake",
            expects: "PONG echoing the context",
        },
        Case {
            id: "37-R58/2",
            also: &["G13"],
            param: 0,
            run: ping_pong,
            sends: "PING with TTL 0 and an empty context",
            expects: "PONG with an empty context",
        },
        Case {
            id: "37-R59/1",
            also: &[],
            param: 17,
            run: ping_pong,
            sends: "PING with a 17-octet context (one too many)",
            expects: "PONG with at most 16 octets, or the connection closed",
        },
        Case {
            id: "37-R17/1",
            also: &["23-R17"],
            param: 1,
            run: no_reconnect_after_error,
            sends: "accepts the implementation's DEALER (RECONNECT_IVL 100 ms), completes the \
                    handshake and closes (control); on the new connection sends ERROR after the \
                    greeting",
            expects: "it reconnects after the plain close; after ERROR the connection is closed \
                      and not re-established with the same (NULL) credentials within five \
                      reconnections' time (at least 1 s)",
        },
        Case {
            id: "37-R18/1",
            also: &["23-R18"],
            param: 1,
            run: reconnect_after_close,
            sends: "accepts the implementation's DEALER, completes the handshake, closes the \
                    connection; once it is back, completes the handshake and has the DEALER send",
            expects: "the implementation connects again, and its message arrives over the new \
                      connection (the model oracle judges the trace: the peer is suspended, not \
                      removed)",
        },
        Case {
            id: "37-R40/1",
            also: &["23-R35"],
            param: 1,
            run: connect_before_bind,
            sends: "nothing at first: the implementation connects before the endpoint listens",
            expects: "it connects once the endpoint listens",
        },
    ]
}

case_fn!(client_sends_ready, |cx| {
    let (_, _l, mut peer) = cx.connected("DEALER", "peer1").await?;
    cx.greet(&mut peer, GreetingBuilder::new()).await?;
    let wait = cx.wait();
    let f = peer
        .read_frame(wait)
        .await
        .map_err(step("waiting for READY"))?;
    if f.command_name().as_deref() == Some(name::READY) {
        cx.pass("the client sent READY first")
    } else {
        cx.fail(format!("expected READY, got {}", f.describe()))
    }
});

case_fn!(server_replies_ready, |cx| {
    cx.need_zmtp3()?;
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let m = minor(cx);
    let h = cx.handshake(&mut peer, "PUSH", m).await?;
    cx.pass(format!("READY received ({} properties)", h.metadata.len()))
});

case_fn!(server_waits, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    cx.greet(&mut peer, GreetingBuilder::new()).await?;
    let quiet = cx.quiet();
    match peer.read_frame(quiet).await {
        // A 3.0 implementation follows RFC 23: READY at once (23-R28).
        Ok(f) if f.command_name().as_deref() == Some(name::READY) && cx.negotiated_minor() == 0 => {
            cx.not_applicable(
                "the implementation announced ZMTP 3.0, whose NULL READY exchange is symmetric \
                 (23-R28): it sent READY at once, as 3.0 asks",
            )
        }
        Ok(f) if f.command_name().as_deref() == Some(name::READY) => cx.deviation(
            "T-NULL-SYMMETRIC",
            "the server sent READY before the client's READY",
        ),
        Ok(f) => cx.fail(format!("expected nothing, got {}", f.describe())),
        Err(crate::peer::PeerError::Timeout) => {
            peer.send(&push_ready())
                .await
                .map_err(step("sending READY"))?;
            let wait = cx.wait();
            let f = peer
                .read_frame(wait)
                .await
                .map_err(step("waiting for READY"))?;
            if f.command_name().as_deref() == Some(name::READY) {
                cx.pass("the server waited, then replied READY")
            } else {
                cx.fail(format!("expected READY, got {}", f.describe()))
            }
        }
        Err(e) => cx.fail(format!("before our READY: {e}")),
    }
});

case_fn!(sends_ready_first_30, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    cx.greet(&mut peer, GreetingBuilder::new().minor(0)).await?;
    let wait = cx.wait();
    match peer.read_frame(wait).await {
        Ok(f) if f.command_name().as_deref() == Some(name::READY) => {
            cx.pass("READY sent to a 3.0 peer without waiting")
        }
        Ok(f) => cx.fail(format!("expected READY, got {}", f.describe())),
        Err(e) => cx.fail(format!("no READY before ours: {e}")),
    }
});

case_fn!(error_is_fatal, |cx| {
    let err = CommandBuilder::error(b"bye").frame().build();
    match probe(cx, &greeting(minor(cx)), &err).await? {
        Reaction::Closed(_) => cx.pass("closed after ERROR"),
        Reaction::Delivered(m) => cx.fail(format!("delivered {} after ERROR", show(&m))),
        Reaction::Ignored => cx.fail("kept the connection open after ERROR"),
    }
});

/// Expects the connection to be refused after `ready`.
async fn refused(
    cx: &mut Ctx,
    ready: &CommandBuilder,
    tolerance: Option<&'static str>,
    what: &str,
) -> Outcome {
    match probe(cx, &greeting(minor(cx)), &ready.frame().build()).await? {
        Reaction::Closed(_) => cx.pass(format!("closed after {what}")),
        Reaction::Delivered(m) => match tolerance {
            Some(t) => cx.deviation(t, format!("accepted {what} and delivered {}", show(&m))),
            None => cx.fail(format!("accepted {what} and delivered {}", show(&m))),
        },
        Reaction::Ignored => match tolerance {
            Some(t) => cx.deviation(t, format!("kept the connection after {what}")),
            None => cx.fail(format!("kept the connection after {what}")),
        },
    }
}

/// Expects the message to be delivered after `ready`.
async fn accepted(cx: &mut Ctx, ready: &CommandBuilder, what: &str) -> Outcome {
    match probe(cx, &greeting(minor(cx)), &ready.frame().build()).await? {
        Reaction::Delivered(m) if m.len() == 1 && m[0].as_ref() == b"probe" => {
            cx.pass(format!("delivered after {what}"))
        }
        Reaction::Delivered(m) => cx.fail(format!("delivered {}", show(&m))),
        Reaction::Closed(_) => cx.fail(format!("closed after {what}")),
        Reaction::Ignored => cx.fail(format!("did not deliver after {what}")),
    }
}

case_fn!(empty_property_name, |cx| {
    let props: [(&[u8], &[u8]); 2] = [(b"Socket-Type", b"PUSH"), (b"", b"x")];
    refused(
        cx,
        &ready(&props),
        Some("T-EMPTY-NAME"),
        "a zero-length property name",
    )
    .await
});

case_fn!(name_case, |cx| {
    // Control: the case sees the name recognised only through the socket
    // type being enforced, which is a SHOULD (37-R33). An implementation
    // that accepts "Socket-Type" = PUB on a PULL cannot show it here.
    let exact: [(&[u8], &[u8]); 1] = [(b"Socket-Type", b"PUB")];
    match probe(cx, &greeting(minor(cx)), &ready(&exact).frame().build()).await? {
        Reaction::Closed(_) => {}
        other => {
            return Err(crate::agent::Stop::Unsupported(format!(
                "cannot be judged: the control step failed, \"Socket-Type\" = PUB (exact case) \
                 on a PULL was not refused either ({}), so the socket type is not enforced \
                 (a SHOULD, 37-R33) and the name's case cannot be seen",
                other.describe()
            )));
        }
    }
    let props: [(&[u8], &[u8]); 1] = [(b"socket-type", b"PUB")];
    refused(
        cx,
        &ready(&props),
        Some("T-METADATA-CASE"),
        "socket-type = PUB (lower-case name)",
    )
    .await
});

case_fn!(empty_value, |cx| {
    let props: [(&[u8], &[u8]); 2] = [(b"Socket-Type", b"PUSH"), (b"X-Empty", b"")];
    accepted(cx, &ready(&props), "an empty property value").await
});

case_fn!(oversized_value, |cx| {
    let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", b"PUSH")];
    let big = PropertyBuilder::new(b"X-Big", b"").value_len(0x8000_0000);
    let body = CommandBuilder::ready(metadata(&props).raw(big));
    refused(cx, &body, None, "a value size of 2^31").await
});

case_fn!(long_value, |cx| {
    let big = vec![b'v'; 300];
    let props: [(&[u8], &[u8]); 2] = [(b"Socket-Type", b"PUSH"), (b"X-Long", &big)];
    accepted(cx, &ready(&props), "a 300-octet property value").await
});

case_fn!(trailing_octet, |cx| {
    let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", b"PUSH")];
    let body = CommandBuilder::ready(metadata(&props).octets(&[0x07]));
    refused(cx, &body, None, "a stray octet after the properties").await
});

case_fn!(no_x_names, |cx| {
    cx.need_zmtp3()?;
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let h = cx.handshake(&mut peer, "PUSH", 1).await?;
    let x: Vec<String> = h
        .metadata
        .properties()
        .iter()
        .filter(|p| p.name.len() >= 2 && p.name[..2].eq_ignore_ascii_case(b"X-"))
        .map(|p| printable(&p.name))
        .collect();
    if x.is_empty() {
        cx.pass("no X- property")
    } else {
        cx.fail(format!("X- properties sent unasked: {}", x.join(", ")))
    }
});

/// A compatible peer type for each classic socket type.
fn counterpart(kind: &str) -> &'static str {
    match kind {
        "REQ" | "DEALER" => "ROUTER",
        "REP" | "ROUTER" => "DEALER",
        "PUB" | "XPUB" => "SUB",
        "SUB" | "XSUB" => "PUB",
        "PUSH" => "PULL",
        "PULL" => "PUSH",
        "CLIENT" => "SERVER",
        "SERVER" => "CLIENT",
        "RADIO" => "DISH",
        "DISH" => "RADIO",
        "SCATTER" => "GATHER",
        "GATHER" => "SCATTER",
        "PEER" => "PEER",
        "CHANNEL" => "CHANNEL",
        _ => "PAIR",
    }
}

case_fn!(socket_type_values, |cx| {
    cx.need_zmtp3()?;
    let offered: Vec<String> = cx.manifest["socket_types"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut wrong = Vec::new();
    for kind in &offered {
        if zmtp_spec::SocketType::from_wire(kind.as_bytes()).is_none() {
            continue;
        }
        let (_, ep) = cx.bound(kind).await?;
        let label = format!("peer-{kind}");
        let mut peer = cx.dial(&ep, &label).await?;
        let h = cx.handshake(&mut peer, counterpart(kind), 1).await?;
        let got = h
            .metadata
            .properties()
            .iter()
            .find(|p| p.name.as_ref() == b"Socket-Type");
        match got {
            Some(p) if p.value.as_ref() == kind.as_bytes() => {}
            Some(p) => wrong.push(format!("{kind}: Socket-Type {}", printable(&p.value))),
            None => wrong.push(format!("{kind}: no Socket-Type property")),
        }
        peer.close().await;
    }
    if wrong.is_empty() {
        cx.pass(format!("Socket-Type right for {}", offered.join(" ")))
    } else {
        cx.fail(wrong.join("; "))
    }
});

case_fn!(incompatible_type, |cx| {
    let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", b"PUB")];
    match probe(cx, &greeting(1), &ready(&props).frame().build()).await? {
        Reaction::Closed(Some(reason)) => {
            cx.pass(format!("ERROR \"{}\" then closed", printable(&reason)))
        }
        Reaction::Closed(None) if cx.settings.strict => {
            cx.non_strict("closed without the ERROR command it SHOULD send")
        }
        Reaction::Closed(None) => Ok(crate::case::Verdict {
            kind: crate::case::Kind::PassLenient,
            detail: "closed without an ERROR command (allowed: ERROR is a SHOULD)".into(),
            tolerance: Some("T-NO-ERROR"),
        }),
        // 37-R33's enforcement of the peer's socket type is a SHOULD.
        Reaction::Delivered(m) => cx.non_strict(format!(
            "accepted a PUB peer and delivered {}: a peer SHOULD enforce a valid socket type \
             (37-R33)",
            show(&m)
        )),
        Reaction::Ignored => cx.non_strict(
            "kept the connection to an incompatible (PUB) peer open: a peer SHOULD enforce a \
             valid socket type (37-R33)",
        ),
    }
});

case_fn!(identity_sent, |cx| {
    cx.need_zmtp3()?;
    cx.need(&["DEALER"])?;
    let listener = cx.listener("peer1").await?;
    let s = cx.agent().socket("DEALER").await?;
    cx.agent().set_bytes(s, "ROUTING_ID", b"abc").await?;
    let (mut peer, ()) = cx.connect_and_accept(s, &listener, "peer1").await?;
    let h = cx.handshake(&mut peer, "ROUTER", 1).await?;
    match h.metadata.get("Identity") {
        Some(v) if v.as_ref() == b"abc" => cx.pass("Identity abc"),
        Some(v) => cx.fail(format!("Identity {}", printable(v))),
        None => cx.fail("no Identity property"),
    }
});

case_fn!(zero_identity, |cx| {
    cx.need(&["ROUTER"])?;
    let (s, ep) = cx.bound("ROUTER").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let props: [(&[u8], &[u8]); 2] = [(b"Socket-Type", b"DEALER"), (b"Identity", b"\x00abc")];
    match crate::cases::probe_on(
        cx,
        s,
        &mut peer,
        &greeting(1),
        &ready(&props).frame().build(),
    )
    .await?
    {
        // 37-R35 is new in 3.1; RFC 23 has no such rule.
        Reaction::Delivered(_) if cx.negotiated_minor() == 0 => cx.not_applicable(
            "the implementation announced ZMTP 3.0, and 37-R35 (no zero first octet) is new in \
             3.1",
        ),
        Reaction::Closed(_) => cx.pass("refused the identity"),
        Reaction::Delivered(m) if m.first().is_some_and(|id| id.as_ref() == b"\x00abc") => {
            cx.deviation("T-ZERO-IDENTITY", "used 00 61 62 63 as the routing id")
        }
        Reaction::Delivered(m) => {
            cx.pass(format!("delivered {} under another routing id", show(&m)))
        }
        Reaction::Ignored => cx.pass("ignored the connection"),
    }
});

case_fn!(resource_accepted, |cx| {
    let props: [(&[u8], &[u8]); 2] = [(b"Socket-Type", b"PUSH"), (b"Resource", b"svc/echo")];
    accepted(cx, &ready(&props), "Resource svc/echo").await
});

case_fn!(ping_pong, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let h = cx.handshake(&mut peer, "PUSH", 1).await?;
    if h.minor() < 1 {
        return Err(crate::agent::Stop::Unsupported(
            "the peer announces ZMTP 3.0: PING/PONG is 3.1".into(),
        ));
    }
    let n = usize::try_from(cx.param).unwrap_or(0);
    let context: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
    peer.send(&CommandBuilder::ping(0, &context).frame().build())
        .await
        .map_err(step("sending PING"))?;
    let wait = cx.wait();
    loop {
        match peer.read_frame(wait).await {
            Ok(f) => match f.command() {
                Some(Command::Pong { context: got }) => {
                    return if n <= 16 && got.as_ref() == context.as_slice() {
                        cx.pass(format!("PONG echoed {n} octets"))
                    } else if n > 16 && got.len() <= 16 {
                        cx.pass(format!("PONG echoed {} of {n} octets", got.len()))
                    } else {
                        cx.fail(format!("PONG context {}", printable(&got)))
                    };
                }
                _ if f.command_name().as_deref() == Some(name::PONG) => {
                    return if n > 16 {
                        let context = f.command_view().data().map_or(0, <[u8]>::len);
                        cx.fail(format!("PONG with a {context}-octet context"))
                    } else {
                        cx.fail(format!("malformed PONG {}", f.describe()))
                    };
                }
                _ => continue,
            },
            Err(crate::peer::PeerError::Closed) if n > 16 => {
                return cx.pass("closed on the over-long PING context");
            }
            Err(e) => return cx.fail(format!("no PONG: {e}")),
        }
    }
});

case_fn!(no_reconnect_after_error, |cx| {
    cx.need_zmtp3()?;
    cx.need(&["DEALER"])?;
    let listener = cx.listener("peer1").await?;
    let s = cx.agent().socket("DEALER").await?;
    let ivl = if set_reconnect_ivl(cx, s).await? {
        format!("RECONNECT_IVL {RECONNECT_IVL_MS} ms set")
    } else {
        "the implementation's own reconnect interval (the agent has no RECONNECT_IVL)".into()
    };
    let (mut peer, ()) = cx.connect_and_accept(s, &listener, "peer1").await?;
    // Control (37-R18): a plain close, after which the client reconnects.
    cx.handshake(&mut peer, "ROUTER", 1).await?;
    let Control {
        peer: mut again,
        took,
    } = control_reconnect(cx, &listener, peer, "peer2").await?;
    cx.greet(&mut again, GreetingBuilder::new()).await?;
    let err = CommandBuilder::error(b"bye").frame().build();
    again.send(&err).await.map_err(step("sending ERROR"))?;
    let wait = cx.wait();
    if again.wait_close(wait).await.is_err() {
        return cx.fail("kept the connection open after ERROR");
    }
    let watch = reconnect_watch(cx, took);
    let start = tokio::time::Instant::now();
    match listener.accept(watch, "peer3").await {
        Ok(_) => cx.fail(format!(
            "connected again {} ms after ERROR, with the same (NULL) credentials ({ivl}; the \
             control reconnection took {} ms)",
            start.elapsed().as_millis(),
            took.as_millis()
        )),
        Err(_) => cx.pass(format!(
            "closed after ERROR and did not reconnect within {} ms; control: after a plain \
             close it reconnected in {} ms ({ivl})",
            watch.as_millis(),
            took.as_millis()
        )),
    }
});

case_fn!(reconnect_after_close, |cx| {
    let (s, listener, mut peer) = cx.connected("DEALER", "peer1").await?;
    cx.handshake(&mut peer, "ROUTER", 1).await?;
    cx.model("DEALER");
    cx.record(TraceEvent::Connect(PeerId(1)));
    cx.record_attach(1, "ROUTER", None);
    peer.close().await;
    // A connecting socket keeps the peer's queue and tries again.
    cx.record(TraceEvent::Suspend(PeerId(1)));
    let wait = cx.wait();
    let mut again = match listener.accept(wait, "peer2").await {
        Ok(p) => p,
        // 37-R18 is a SHALL to treat the close as temporary, with a SHOULD
        // to reconnect: not reconnecting is NON-STRICT, not FAIL.
        Err(e) => {
            return cx.non_strict(format!(
                "did not reconnect after the peer closed the connection ({e} within {} ms): \
                 it SHOULD reconnect (37-R18)",
                wait.as_millis()
            ));
        }
    };
    cx.handshake(&mut again, "ROUTER", 1).await?;
    cx.record_attach(1, "ROUTER", None);
    cx.agent().send(s, &[b"again"]).await?;
    cx.record_send(&[Bytes::from_static(b"again")]);
    let got = cx.raw_recv(&mut again).await?;
    cx.record_to(1, &got);
    if got == [Bytes::from_static(b"again")] {
        cx.pass("reconnected; [again] arrived over the new connection")
    } else {
        cx.fail(format!(
            "reconnected, then the new connection received {}",
            show(&got)
        ))
    }
});

case_fn!(connect_before_bind, |cx| {
    cx.need(&["DEALER"])?;
    let listener = cx.listener("peer1").await?;
    let ep = listener.endpoint().to_string();
    drop(listener);
    let s = cx.agent().socket("DEALER").await?;
    let wait = cx.wait();
    let log = cx.log.clone();
    let later = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let l = crate::peer::RawListener::bind_at(&ep, &log, "peer1").await?;
        let p = l.accept(wait, "peer1").await?;
        Ok::<_, crate::peer::PeerError>((l, p))
    };
    let mut agent = cx.agent();
    let (connected, accepted) = tokio::join!(agent.connect(s, &ep), later);
    connected?;
    match accepted {
        Ok(_) => cx.pass("connected once the endpoint listened"),
        Err(e) => cx.fail(format!("never connected: {e}")),
    }
});
