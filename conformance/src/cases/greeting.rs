//! Greeting and version negotiation (RFC 23/37 §Version Negotiation, G01-G04).

use crate::case::{Case, Ctx, Outcome, step};
use crate::cases::{Reaction, case_fn, greeting, minor, probe, push_ready};
use crate::peer::{GreetingSpec, message_frames};
use crate::wirelog::hex;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "G01/1",
            also: &["37-R08", "23-R08"],
            param: 1,
            run: layout,
            sends: "a valid 3.1 NULL greeting to a bound PULL socket",
            expects: "64 octets: FF, 8 padding, 7F, major 03, minor 00 or 01",
        },
        Case {
            id: "G02/1",
            also: &["37-R13", "23-R13"],
            param: 1,
            run: mechanism_field,
            sends: "a valid 3.1 NULL greeting",
            expects: "mechanism field \"NULL\" padded with 16 NUL octets, name characters A-Z 0-9 - _",
        },
        Case {
            id: "G03/1",
            also: &["37-R22", "23-R23"],
            param: 1,
            run: as_server_field,
            sends: "a valid 3.1 NULL greeting",
            expects: "as-server octet 00 (NULL requires zero)",
        },
        Case {
            id: "G04/1",
            also: &[],
            param: 1,
            run: filler_field,
            sends: "a valid 3.1 NULL greeting",
            expects: "31 filler octets, all zero",
        },
        Case {
            id: "37-R01/1",
            also: &["37-R03", "23-R01", "23-R03"],
            param: 1,
            run: pacing,
            sends: "nothing after connecting",
            expects: "either the 11-octet partial greeting (detecting peer) or the whole 64-octet greeting",
        },
        Case {
            id: "37-R02/1",
            also: &["23-R02"],
            param: 1,
            run: partial_then_rest,
            sends: "only the first 11 octets of a 3.1 greeting",
            expects: "the peer decides from those 11 octets and sends the rest of its greeting",
        },
        Case {
            id: "37-R14/1",
            also: &["23-R14"],
            param: 1,
            run: full_greeting_answered,
            sends: "the whole 64-octet greeting at once",
            expects: "the whole 64-octet greeting back",
        },
        Case {
            id: "37-R04/1",
            also: &["23-R04"],
            param: 1,
            run: short_greeting_not_accepted,
            sends: "63 octets of a greeting, then waits",
            expects: "no READY: the handshake does not go on before 64 octets",
        },
        Case {
            id: "37-R06/1",
            also: &["37-R05"],
            param: 1,
            run: padding_ignored,
            sends: "a greeting whose padding is DE AD BE EF 01 02 03 04, READY, a message",
            expects: "the message is delivered: padding has no meaning",
        },
        Case {
            id: "23-R06/1",
            also: &["23-R05"],
            param: 0,
            run: padding_ignored,
            sends: "a 3.0 greeting with arbitrary padding, READY, a message",
            expects: "the message is delivered",
        },
        Case {
            id: "37-R07/1",
            also: &["37-R08"],
            param: 0x0302,
            run: higher_version,
            sends: "a greeting announcing version 3.2, READY, a message",
            expects: "the handshake completes in 3.x framing and the message is delivered",
        },
        Case {
            id: "37-R07/2",
            also: &["37-R08"],
            param: 0x0400,
            run: higher_version,
            sends: "a greeting announcing version 4.0, READY, a message",
            expects: "the handshake completes in 3.x framing and the message is delivered",
        },
        Case {
            id: "23-R07/1",
            also: &["23-R08"],
            param: 0x0307,
            run: higher_version,
            sends: "a greeting announcing version 3.7, READY, a message",
            expects: "the message is delivered",
        },
        Case {
            id: "37-R10/1",
            also: &[],
            param: 1,
            run: as_server_ignored,
            sends: "a NULL greeting with as-server = 1, READY, a message",
            expects: "the message is delivered: as-server has no meaning for NULL",
        },
        Case {
            id: "23-R10/1",
            also: &[],
            param: 0,
            run: as_server_ignored,
            sends: "a 3.0 NULL greeting with as-server = 1, READY, a message",
            expects: "the message is delivered",
        },
        Case {
            id: "37-R15/1",
            also: &[],
            param: 1,
            run: mechanism_mismatch,
            sends: "a greeting with mechanism PLAIN to a NULL socket, READY, a message",
            expects: "the connection is closed; no message is delivered",
        },
        Case {
            id: "23-R15/1",
            also: &[],
            param: 0,
            run: mechanism_mismatch,
            sends: "a 3.0 greeting with mechanism PLAIN to a NULL socket",
            expects: "the connection is closed",
        },
        Case {
            id: "37-R09/1",
            also: &["37-R02", "23-R09"],
            param: 1,
            run: zmtp2_peer,
            sends: "a ZMTP 2.0 greeting (revision 01, socket type PUSH, empty identity) and a 2.0 message",
            expects: "either the peer downgrades and delivers the message, or it closes the connection",
        },
        Case {
            id: "37-R60/1",
            also: &["23-R47"],
            param: 1,
            run: padding_value,
            sends: "a 3.1 greeting to a DEALER whose routing id is \"abc\"",
            expects: "padding all zero (no detection) or the big-endian identity length + 1 (= 4)",
        },
    ]
}

case_fn!(layout, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = cx.greet(&mut peer, &GreetingSpec::null(1)).await?;
    let ok = g[0] == 0xFF && g[9] == 0x7F && g[10] == 3 && g[11] <= 1;
    let what = format!(
        "signature {:02x}..{:02x}, version {}.{}",
        g[0], g[9], g[10], g[11]
    );
    if ok { cx.pass(what) } else { cx.fail(what) }
});

case_fn!(mechanism_field, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = cx.greet(&mut peer, &GreetingSpec::null(1)).await?;
    let mech = &g[12..32];
    let name_len = mech.iter().position(|&c| c == 0).unwrap_or(20);
    let (name, pad) = mech.split_at(name_len);
    let chars_ok = name
        .iter()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || b"-_".contains(c));
    if name == b"NULL" && pad.iter().all(|&c| c == 0) && chars_ok {
        cx.pass("mechanism NULL, NUL-padded")
    } else {
        cx.fail(format!("mechanism field {}", hex(mech)))
    }
});

case_fn!(as_server_field, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = cx.greet(&mut peer, &GreetingSpec::null(1)).await?;
    match g[32] {
        0 => cx.pass("as-server 00"),
        v => cx.fail(format!("as-server {v:02x} with NULL")),
    }
});

case_fn!(filler_field, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = cx.greet(&mut peer, &GreetingSpec::null(1)).await?;
    if g[33..].iter().all(|&c| c == 0) {
        cx.pass("filler all zero")
    } else {
        cx.fail(format!("filler {}", hex(&g[33..])))
    }
});

case_fn!(pacing, |cx| {
    cx.need_zmtp3()?;
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let quiet = cx.quiet();
    let (got, _) = peer.read_for(quiet).await;
    match got.len() {
        64 => cx.pass("whole greeting sent without waiting (non-detecting peer)"),
        11 => cx.pass("11-octet partial greeting sent first (detecting peer)"),
        10 => cx.deviation("T-PACING", "sent 10 octets, then waited for ours"),
        n => cx.fail(format!("sent {n} octets before hearing from us")),
    }
});

case_fn!(partial_then_rest, |cx| {
    cx.need_zmtp3()?;
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = greeting(1);
    peer.send(&g[..11])
        .await
        .map_err(step("sending 11 octets"))?;
    let wait = cx.wait();
    match peer.read_exact(64, wait).await {
        Ok(_) => cx.pass("the whole greeting came after our first 11 octets"),
        Err(e) => cx.fail(format!(
            "after our 11 octets the peer did not complete its greeting: {e}"
        )),
    }
});

case_fn!(full_greeting_answered, |cx| {
    cx.need_zmtp3()?;
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    peer.send(&greeting(1))
        .await
        .map_err(step("sending the greeting"))?;
    let wait = cx.wait();
    match peer.read_exact(64, wait).await {
        Ok(_) => cx.pass("64 octets came back"),
        Err(e) => cx.fail(format!("no whole greeting back: {e}")),
    }
});

case_fn!(short_greeting_not_accepted, |cx| {
    cx.need_zmtp3()?;
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = greeting(1);
    peer.send(&g[..63])
        .await
        .map_err(step("sending 63 octets"))?;
    let wait = cx.wait();
    let _ = peer.read_exact(64, wait).await;
    let quiet = cx.quiet();
    let (more, _) = peer.read_for(quiet).await;
    if more.is_empty() {
        cx.pass("nothing beyond the greeting while ours is one octet short")
    } else {
        cx.fail(format!(
            "sent {} more octets before our greeting was complete",
            more.len()
        ))
    }
});

case_fn!(padding_ignored, |cx| {
    let mut g = GreetingSpec::null(minor(cx));
    g.padding = [0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4];
    delivered_or_fail(cx, &g.to_bytes(), "with arbitrary padding").await
});

case_fn!(higher_version, |cx| {
    let mut g = GreetingSpec::null(1);
    g.major = u8::try_from(cx.param >> 8).unwrap_or(3);
    g.minor = u8::try_from(cx.param & 0xFF).unwrap_or(1);
    let (s, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    cx.greet(&mut peer, &g).await?;
    let _ = peer.send(&push_ready()).await;
    let wait = cx.wait();
    let ready = peer.read_frame(wait).await.map_err(step("reading READY"))?;
    if ready.command_name().as_deref() != Some(b"READY") {
        return cx.fail(format!(
            "expected READY in 3.x framing, got {}",
            ready.describe()
        ));
    }
    let _ = peer.send(&message_frames(&[b"probe"])).await;
    let wait = cx.wait();
    let what = format!("version {}.{} accepted", g.major, g.minor);
    match cx.agent().recv_within(s, wait).await? {
        Some(m) if m.len() == 1 && m[0].as_ref() == b"probe" => cx.pass(what),
        Some(m) => cx.fail(format!("delivered {}", crate::case::show(&m))),
        None => cx.fail("the message was not delivered"),
    }
});

case_fn!(as_server_ignored, |cx| {
    let mut g = GreetingSpec::null(minor(cx));
    g.as_server = 1;
    delivered_or_fail(cx, &g.to_bytes(), "with as-server = 1").await
});

case_fn!(mechanism_mismatch, |cx| {
    let mut g = GreetingSpec::null(minor(cx));
    g.mechanism = crate::peer::mechanism_name(b"PLAIN");
    match probe(cx, &g.to_bytes(), &push_ready()).await? {
        Reaction::Closed(_) => cx.pass("closed on the mechanism mismatch"),
        Reaction::Delivered(m) => cx.fail(format!(
            "delivered {} from a peer announcing PLAIN",
            crate::case::show(&m)
        )),
        Reaction::Ignored => cx.fail("kept the connection open after a mechanism mismatch"),
    }
});

case_fn!(zmtp2_peer, |cx| {
    // ZMTP 2.0: FF, padding = identity length + 1 (BE), 7F, revision 01,
    // socket type PUSH (8), identity frame 00 00; then 2.0 framing.
    let mut hello = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 8, 0x00, 0x00];
    hello.extend_from_slice(&[0x00, 5]);
    hello.extend_from_slice(b"probe");
    let (s, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let _ = peer.send(&hello).await;
    let quiet = cx.quiet();
    let wait = cx.wait();
    if let Some(m) = cx.agent().recv_within(s, wait).await? {
        return if m.len() == 1 && m[0].as_ref() == b"probe" {
            cx.pass("downgraded to ZMTP 2.0 and delivered the message")
        } else {
            cx.fail(format!(
                "delivered {} instead of [probe]",
                crate::case::show(&m)
            ))
        };
    }
    match peer.wait_close(quiet).await {
        Ok(_) => cx.pass("closed the connection (no downgrade to 2.0)"),
        Err(_) => cx.fail("neither downgraded nor closed the connection"),
    }
});

case_fn!(padding_value, |cx| {
    cx.need(&["DEALER"])?;
    let ep = cx.endpoint();
    let mut a = cx.agent();
    let s = a.socket("DEALER").await?;
    a.set_bytes(s, "ROUTING_ID", b"abc").await?;
    let ep = a.bind(s, &ep).await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = cx.greet(&mut peer, &GreetingSpec::null(1)).await?;
    let pad = &g[1..9];
    if pad.iter().all(|&c| c == 0) {
        cx.pass("padding all zero")
    } else if pad == 4u64.to_be_bytes() {
        cx.pass("padding = identity length + 1 (detecting peer)")
    } else if pad == 1u64.to_be_bytes() {
        cx.deviation(
            "T-PADDING",
            "padding 1: identity length + 1 of an empty identity, not of \"abc\"",
        )
    } else {
        cx.fail(format!("padding {}", hex(pad)))
    }
});

/// Binds PULL, sends `greeting`, READY and a message; PASS when delivered.
async fn delivered_or_fail(cx: &mut Ctx, greeting: &[u8], what: &str) -> Outcome {
    match probe(cx, greeting, &push_ready()).await? {
        Reaction::Delivered(m) if m.len() == 1 && m[0].as_ref() == b"probe" => {
            cx.pass(format!("message delivered {what}"))
        }
        Reaction::Delivered(m) => cx.fail(format!("delivered {}", crate::case::show(&m))),
        Reaction::Closed(_) => cx.fail(format!("closed the connection {what}")),
        Reaction::Ignored => cx.fail(format!("did not deliver the message {what}")),
    }
}
