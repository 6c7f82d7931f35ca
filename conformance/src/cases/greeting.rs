//! Greeting and version negotiation (RFC 23/37 §Version Negotiation, G01-G04).

use bytes::Bytes;
use zmtp_spec::SocketType;
use zmtp_spec::wire::command::name;
use zmtp_spec::wire::greeting::{SIGNATURE_END, SIGNATURE_START, Signature};
use zmtp_spec::wire::legacy::{V2Greeting, V2Identity};
use zmtp_spec::wire::view::{FrameBuilder, GreetingBuilder, GreetingView};
use zmtp_spec::wire::{Greeting, Mechanism, Version};

use crate::case::{Case, Ctx, Outcome, step};
use crate::cases::{Reaction, case_fn, greeting, minor, probe, push_ready};
use crate::peer::RawPeer;
use crate::peer::message_frames;
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
            also: &["37-R02", "37-R03", "37-R60", "23-R01", "23-R03"],
            param: 1,
            run: pacing,
            sends: "nothing after connecting; then, to a peer that opened with 10 or 11 \
                    octets, the same number of ours, and our octet 11 last",
            expects: "one of RFC 37's three openings: the whole 64-octet greeting (37-R03; \
                      padding SHOULD be zero, else NON-STRICT); the 11-octet partial greeting \
                      (37-R01), the rest only after our 11 octets (37-R02); or a 10-octet \
                      pseudo-signature FF, identity size + 1 (1 to 256, 8 octets big-endian), \
                      7F (37-R60, §Detecting ZMTP 1.0 and 2.0 Peers), nothing more before \
                      our 10 octets, then at most its octet 11 (03) before our octet 11, and \
                      the rest only after it",
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
    let g = cx.greet(&mut peer, GreetingBuilder::new()).await?;
    let v = GreetingView::new(&g);
    let [start, end, major, minor] = [v.signature_start(), v.signature_end(), v.major(), v.minor()]
        .map(Option::unwrap_or_default);
    let ok = is_signature(&g) && major == 3 && minor <= 1;
    let what = format!("signature {start:02x}..{end:02x}, version {major}.{minor}");
    if ok { cx.pass(what) } else { cx.fail(what) }
});

case_fn!(mechanism_field, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = cx.greet(&mut peer, GreetingBuilder::new()).await?;
    match GreetingView::new(&g).mechanism() {
        Some(m) if m == Mechanism::NULL => cx.pass("mechanism NULL, NUL-padded"),
        m => cx.fail(format!(
            "mechanism field {}",
            m.map_or_else(String::new, |m| hex(m.octets()))
        )),
    }
});

case_fn!(as_server_field, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = cx.greet(&mut peer, GreetingBuilder::new()).await?;
    match GreetingView::new(&g).as_server().unwrap_or_default() {
        0 => cx.pass("as-server 00"),
        v => cx.fail(format!("as-server {v:02x} with NULL")),
    }
});

case_fn!(filler_field, |cx| {
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = cx.greet(&mut peer, GreetingBuilder::new()).await?;
    let filler = GreetingView::new(&g).filler().unwrap_or_default();
    if filler.iter().all(|&c| c == 0) {
        cx.pass("filler all zero")
    } else {
        cx.fail(format!("filler {}", hex(&filler)))
    }
});

// 37-R01/1. RFC 37 allows three openings and no other:
// - §Version Negotiation, no detection: the whole greeting at once (37-R03);
// - §Version Negotiation and §Detecting ZMTP 2.0 Peers: the first 11 octets
//   (signature and version-major, 37-R01), then read the peer's 11 before
//   deciding anything (37-R02);
// - §Detecting ZMTP 1.0 and 2.0 Peers (a MAY): a 10-octet pseudo-signature
//   whose padding is the identity size + 1 (37-R60), then read the peer's
//   first octets. A 1.0 peer takes those 10 octets as an identity frame
//   header, which is why nothing else may follow them before the peer's
//   10 octets show it is versioned. The section then reads the peer's
//   octet 11 and sends "the remainder (octets 10-64)"; read literally, two
//   such peers would each wait for the other's octet 11, so a peer may
//   also send its version-major as soon as the 10 octets showed a
//   versioned peer, which is the §Detecting ZMTP 2.0 position it is now in
//   (libzmq does, zmtp-wire.md 6.2 #6). Either way octets 12-64 wait for
//   the peer's octet 11: before it, the peer might still be 2.0.
// Anything else fails in both profiles: 10 octets that are not a valid
// pseudo-signature, 12 to 63 octets, or octets 12-64 sent before ours.
case_fn!(pacing, |cx| {
    cx.need_zmtp3()?;
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let quiet = cx.quiet();
    let (first, closed) = peer.read_for(quiet).await;
    match first.len() {
        64 => whole_greeting(cx, &first),
        11 => partial_greeting(cx, &mut peer, &first).await,
        10 => pseudo_signature(cx, &mut peer, &first).await,
        0 if closed => cx.fail("closed the connection without sending a greeting"),
        n => cx.fail(format!(
            "sent {n} octets ({}) before hearing from us: neither the whole greeting, \
             nor the 11-octet partial greeting, nor a 10-octet pseudo-signature",
            hex(&first)
        )),
    }
});

/// The signature's start and end octets are those of a 3.x greeting (G01).
fn is_signature(octets: &[u8]) -> bool {
    let v = GreetingView::new(octets);
    v.signature_start() == Some(SIGNATURE_START) && v.signature_end() == Some(SIGNATURE_END)
}

/// Octet 10 is version-major 3.
fn is_major_3(octets: &[u8]) -> bool {
    GreetingView::new(octets).major() == Some(3)
}

/// A 64-octet opening: no detection (37-R03), whose padding SHOULD be
/// zero (§Version Negotiation, second case).
fn whole_greeting(cx: &Ctx, g: &[u8]) -> Outcome {
    if !is_signature(g) || !is_major_3(g) {
        return cx.fail(format!("64 octets that are not a 3.x greeting: {}", hex(g)));
    }
    let padding = GreetingView::new(g).padding().unwrap_or_default();
    if padding.iter().all(|&c| c == 0) {
        cx.pass("the whole greeting at once, zero padding (no detection, 37-R03)")
    } else {
        cx.non_strict(format!(
            "the whole greeting at once with padding {}: a peer not doing detection \
             SHOULD send zero padding",
            hex(&padding)
        ))
    }
}

/// An 11-octet opening (37-R01): the rest must follow our 11 octets.
async fn partial_greeting(cx: &mut Ctx, peer: &mut RawPeer, head: &[u8]) -> Outcome {
    if !is_signature(head) || !is_major_3(head) {
        return cx.fail(format!(
            "11 octets that are not a signature and version-major 03: {}",
            hex(head)
        ));
    }
    let ours = greeting(1);
    peer.send(&ours[..Greeting::PARTIAL_LEN])
        .await
        .map_err(step("sending our 11 octets"))?;
    let wait = cx.wait();
    let rest = Greeting::LEN - Greeting::PARTIAL_LEN;
    match peer.read_exact(rest, wait).await {
        Ok(_) => cx.pass("the 11-octet partial greeting (37-R01), the rest after our 11 octets"),
        Err(e) => cx.fail(format!("sent 11 octets but not the rest after ours: {e}")),
    }
}

/// A 10-octet opening: the pseudo-signature of §Detecting ZMTP 1.0 and 2.0
/// Peers (37-R60), then octet 11 no earlier than our 10 octets and the
/// rest no earlier than our octet 11.
async fn pseudo_signature(cx: &mut Ctx, peer: &mut RawPeer, head: &[u8]) -> Outcome {
    let size = GreetingView::new(head)
        .padding()
        .map_or(0, u64::from_be_bytes);
    // An identity has 0 to 255 octets (37-R34), so size is 1 to 256.
    if !is_signature(head) || !(1..=256).contains(&size) {
        return cx.fail(format!(
            "sent 10 octets, then waited, but they are not a pseudo-signature \
             (FF, identity size + 1 from 1 to 256, 7F; 37-R60): {}",
            hex(head)
        ));
    }
    // Our own pseudo-signature (empty identity): versioned, since 7F ends
    // in a 1 bit.
    let ours = GreetingBuilder::new()
        .padding(Signature::detecting(0).padding)
        .build();
    peer.send(&ours[..Greeting::SIGNATURE_LEN])
        .await
        .map_err(step("sending our 10 octets"))?;
    let quiet = cx.quiet();
    let (after, _) = peer.read_for(quiet).await;
    let order = match after.as_ref() {
        [] => "its octet 11 after ours (the strategy's literal order)",
        [3] => "its octet 11 once our 10 octets showed a versioned peer, as libzmq",
        _ => {
            return cx.fail(format!(
                "after our 10 octets it sent {} octets ({}) before our octet 11: \
                 only its version-major may come before it knows we are not a 2.0 peer",
                after.len(),
                hex(&after)
            ));
        }
    };
    peer.send(&ours[Greeting::SIGNATURE_LEN..Greeting::PARTIAL_LEN])
        .await
        .map_err(step("sending our octet 11"))?;
    let wait = cx.wait();
    let left = Greeting::LEN - Greeting::SIGNATURE_LEN - after.len();
    let rest = match peer.read_exact(left, wait).await {
        Ok(rest) => rest,
        Err(e) => {
            return cx.fail(format!("no rest of the greeting after our octet 11: {e}"));
        }
    };
    let major = after.first().or(rest.first()).copied();
    if major == Some(3) {
        cx.pass(format!(
            "a 10-octet pseudo-signature (identity size + 1 = {size}, 37-R60), {order}, \
             the rest after our octet 11"
        ))
    } else {
        cx.fail(format!(
            "version-major {:02x}, not 03",
            major.unwrap_or_default()
        ))
    }
}

case_fn!(partial_then_rest, |cx| {
    cx.need_zmtp3()?;
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = greeting(1);
    peer.send(&g[..Greeting::PARTIAL_LEN])
        .await
        .map_err(step("sending 11 octets"))?;
    let wait = cx.wait();
    match peer.read_exact(Greeting::LEN, wait).await {
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
    match peer.read_exact(Greeting::LEN, wait).await {
        Ok(_) => cx.pass("64 octets came back"),
        Err(e) => cx.fail(format!("no whole greeting back: {e}")),
    }
});

case_fn!(short_greeting_not_accepted, |cx| {
    cx.need_zmtp3()?;
    let (_, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = greeting(1);
    peer.send(&g[..Greeting::LEN - 1])
        .await
        .map_err(step("sending 63 octets"))?;
    let wait = cx.wait();
    let _ = peer.read_exact(Greeting::LEN, wait).await;
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
    let g = GreetingBuilder::new()
        .minor(minor(cx))
        .padding([0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4]);
    delivered_or_fail(cx, &g.build(), "with arbitrary padding").await
});

case_fn!(higher_version, |cx| {
    let version = Version {
        major: u8::try_from(cx.param >> 8).unwrap_or(3),
        minor: u8::try_from(cx.param & 0xFF).unwrap_or(1),
    };
    let (s, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    cx.greet(&mut peer, GreetingBuilder::new().version(version))
        .await?;
    let _ = peer.send(&push_ready()).await;
    let wait = cx.wait();
    let ready = peer.read_frame(wait).await.map_err(step("reading READY"))?;
    if ready.command_name().as_deref() != Some(name::READY) {
        return cx.fail(format!(
            "expected READY in 3.x framing, got {}",
            ready.describe()
        ));
    }
    let _ = peer.send(&message_frames(&[b"probe"])).await;
    let wait = cx.wait();
    let what = format!("version {}.{} accepted", version.major, version.minor);
    match cx.agent().recv_within(s, wait).await? {
        Some(m) if m.len() == 1 && m[0].as_ref() == b"probe" => cx.pass(what),
        Some(m) => cx.fail(format!("delivered {}", crate::case::show(&m))),
        None => cx.fail("the message was not delivered"),
    }
});

case_fn!(as_server_ignored, |cx| {
    let g = GreetingBuilder::new().minor(minor(cx)).as_server(1);
    delivered_or_fail(cx, &g.build(), "with as-server = 1").await
});

case_fn!(mechanism_mismatch, |cx| {
    let g = GreetingBuilder::new()
        .minor(minor(cx))
        .mechanism(Mechanism::PLAIN);
    match probe(cx, &g.build(), &push_ready()).await? {
        Reaction::Closed(_) => cx.pass("closed on the mechanism mismatch"),
        Reaction::Delivered(m) => cx.fail(format!(
            "delivered {} from a peer announcing PLAIN",
            crate::case::show(&m)
        )),
        Reaction::Ignored => cx.fail("kept the connection open after a mechanism mismatch"),
    }
});

case_fn!(zmtp2_peer, |cx| {
    // ZMTP 2.0 (RFC 15) from a detecting PUSH peer with an empty
    // identity, then one message in 2.0 framing.
    let mut hello = Vec::new();
    V2Greeting {
        padding: Signature::detecting(0).padding,
        revision: V2Greeting::REVISION,
        socket_type: SocketType::Push.zmtp2_code().unwrap_or_default(),
    }
    .encode(&mut hello);
    if let Some(identity) = V2Identity::new(Bytes::new()) {
        identity.encode(&mut hello);
    }
    hello.extend(FrameBuilder::message(b"probe", false).build());
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
    let ep = cx.endpoint()?;
    let mut a = cx.agent();
    let s = a.socket("DEALER").await?;
    a.set_bytes(s, "ROUTING_ID", b"abc").await?;
    let ep = a.bind(s, &ep).await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let g = cx.greet(&mut peer, GreetingBuilder::new()).await?;
    let pad = GreetingView::new(&g).padding().unwrap_or_default();
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
        cx.fail(format!("padding {}", hex(&pad)))
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

#[cfg(test)]
mod tests;
