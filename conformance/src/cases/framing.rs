//! Framing (RFC 23/37 §Framing, G05-G09) and message delivery guarantees.

use std::time::Duration;

use bytes::Bytes;

use zmtp_spec::wire::Flags;
use zmtp_spec::wire::view::{CommandBuilder, FrameBuilder};

use crate::case::{Case, Outcome, show, step};
use crate::cases::{Reaction, case_fn, greeting, minor, probe, push_ready};
use crate::peer::message_frames;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "G07/1",
            also: &["37-R63"],
            param: 1,
            run: long_small_frame,
            sends: "a 5-octet message in a long (8-octet size) frame",
            expects: "the message is delivered",
        },
        Case {
            id: "G07/2",
            also: &[],
            param: 1,
            run: size_msb_set,
            sends: "a frame whose 8-octet size has its most significant bit set",
            expects: "the connection is closed",
        },
        Case {
            id: "G06/1",
            also: &[],
            param: 1,
            run: reserved_flag_bits,
            sends: "a message frame with flags 20 (a reserved bit)",
            expects: "the frame is refused (closed), not delivered as a message",
        },
        Case {
            id: "37-R20/2",
            also: &["23-R20"],
            param: 1,
            run: command_with_more,
            sends: "a PING command frame with MORE set (flags 05)",
            expects: "the connection is closed",
        },
        Case {
            id: "G05/1",
            also: &[],
            param: 1,
            run: message_before_command,
            sends: "a message frame right after the greeting, before any command",
            expects: "the connection is closed; nothing delivered",
        },
        Case {
            id: "G08/1",
            also: &[],
            param: 1,
            run: empty_command_name,
            sends: "a command with a zero-length name instead of READY",
            expects: "the connection is closed",
        },
        Case {
            id: "G09/1",
            also: &[],
            param: 1,
            run: command_inside_message,
            sends: "frame 1 (MORE), a PING command, frame 2 (last)",
            expects: "the connection is closed, or the message arrives whole and unaltered",
        },
        Case {
            id: "37-R19/1",
            also: &[
                "G06", "37-R20", "37-R62", "37-R63", "37-R65", "37-R66", "37-R42",
            ],
            param: 1,
            run: sent_frames_are_clean,
            sends: "a 3.1 handshake with a bound DEALER, which then sends [a][300 x b][] ",
            expects: "flags 00-03 on message frames, 04/06 on commands, no reserved bit, ALPHA command names",
        },
        Case {
            id: "23-R19/1",
            also: &["23-R20", "23-R49", "23-R50", "23-R52", "23-R53", "23-R37"],
            param: 0,
            run: sent_frames_are_clean,
            sends: "a 3.0 handshake with a bound DEALER, which then sends a 3-frame message",
            expects: "clean flags and names",
        },
        Case {
            id: "37-R21/1",
            also: &["37-R41", "23-R21", "23-R36"],
            param: 1,
            run: partial_message_dropped,
            sends: "peer1 sends 2 frames with MORE then closes; peer2 sends [whole]",
            expects: "only [whole] is delivered",
        },
        Case {
            id: "37-R44/1",
            also: &["37-R43", "23-R38", "23-R39"],
            param: 1,
            run: order_and_once,
            sends: "50 numbered messages on one connection",
            expects: "all 50 delivered once each, in order",
        },
    ]
}

/// A probe built on PING, against an implementation that announced 3.0:
/// PING is a 3.1 command (37-R58), and ZMTP 3.0 defines no command a peer
/// may send after the handshake, so what the implementation does with it
/// says nothing about the framing rule the case checks.
fn ping_on_30(cx: &crate::case::Ctx, seen: &str) -> Outcome {
    cx.not_applicable(format!(
        "the implementation announced ZMTP 3.0, which has no PING; the case's probe is a PING \
         command, so its reaction ({seen}) is to an unknown command, not to the framing"
    ))
}

/// Sends READY and `after`, and expects the connection refused. `pings`:
/// `after` is built on PING (see [`ping_on_30`]).
async fn expect_refused(
    cx: &mut crate::case::Ctx,
    after: &[u8],
    tolerance: Option<&'static str>,
    what: &str,
    pings: bool,
) -> Outcome {
    let mut bytes = push_ready();
    bytes.extend_from_slice(after);
    let reaction = probe(cx, &greeting(minor(cx)), &bytes).await;
    if pings && cx.negotiated_minor() == 0 {
        let seen = match &reaction {
            Ok(r) => r.describe(),
            Err(crate::agent::Stop::Fail(e) | crate::agent::Stop::Unsupported(e)) => e.clone(),
        };
        return ping_on_30(cx, &seen);
    }
    match reaction? {
        Reaction::Closed(_) => cx.pass(format!("closed after {what}")),
        Reaction::Delivered(m) => match tolerance {
            Some(t) => cx.deviation(t, format!("accepted {what}; delivered {}", show(&m))),
            None => cx.fail(format!("accepted {what}; delivered {}", show(&m))),
        },
        Reaction::Ignored => match tolerance {
            Some(t) => cx.deviation(t, format!("neither closed nor delivered after {what}")),
            None => cx.fail(format!("kept the connection open after {what}")),
        },
    }
}

case_fn!(long_small_frame, |cx| {
    let (s, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    cx.handshake(&mut peer, "PUSH", 1).await?;
    peer.send(&FrameBuilder::message(b"hello", false).long(true).build())
        .await
        .map_err(step("sending"))?;
    let wait = cx.wait();
    match cx.agent().recv_within(s, wait).await? {
        Some(m) if m.len() == 1 && m[0].as_ref() == b"hello" => cx.pass("delivered [hello]"),
        Some(m) => cx.fail(format!("delivered {}", show(&m))),
        None => cx.fail("a long frame with a small body was not delivered"),
    }
});

case_fn!(size_msb_set, |cx| {
    let f = FrameBuilder::message(b"hello", false)
        .size(0x8000_0000_0000_0005)
        .build();
    let mut bytes = push_ready();
    bytes.extend_from_slice(&f);
    let what = "a size with the top bit set";
    match probe(cx, &greeting(minor(cx)), &bytes).await? {
        Reaction::Closed(_) => cx.pass(format!("closed after {what}")),
        Reaction::Delivered(m) => cx.fail(format!("accepted {what}; delivered {}", show(&m))),
        // G07 bounds the size; no MUST asks the receiver to close on one
        // beyond it. Closing is the wise answer, so keeping the connection
        // (and delivering nothing) is NON-STRICT.
        Reaction::Ignored => cx.non_strict(format!(
            "kept the connection open after {what} (nothing delivered); closing is the \
             expected answer, but no MUST asks for it (G07)"
        )),
    }
});

case_fn!(reserved_flag_bits, |cx| {
    expect_refused(
        cx,
        // Bit 5, one of the reserved bits.
        &FrameBuilder::message(b"x", false).flags(0x20).build(),
        Some("T-LAX-FRAMES"),
        "flags 20",
        false,
    )
    .await
});

case_fn!(command_with_more, |cx| {
    let more = Flags::COMMAND | Flags::MORE;
    let f = CommandBuilder::ping(0, b"").frame().flags(more).build();
    expect_refused(cx, &f, Some("T-LAX-FRAMES"), "a command with MORE", true).await
});

case_fn!(message_before_command, |cx| {
    match probe(cx, &greeting(1), &message_frames(&[b"early"])).await? {
        Reaction::Closed(_) => cx.pass("closed on a message before READY"),
        Reaction::Delivered(m) => cx.fail(format!("delivered {} without a handshake", show(&m))),
        Reaction::Ignored => cx.fail("kept the connection open"),
    }
});

case_fn!(empty_command_name, |cx| {
    let unnamed = CommandBuilder::new(b"").frame().build();
    match probe(cx, &greeting(1), &unnamed).await? {
        Reaction::Closed(_) => cx.pass("closed on an empty command name"),
        Reaction::Delivered(m) => cx.fail(format!("delivered {}", show(&m))),
        Reaction::Ignored => cx.fail("kept the connection open"),
    }
});

case_fn!(command_inside_message, |cx| {
    cx.need_zmtp3()?;
    let (s, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let h = cx.handshake(&mut peer, "PUSH", 1).await?;
    if h.minor() == 0 {
        return cx.not_applicable(
            "the implementation announced ZMTP 3.0, which has no PING; the case's probe is a \
             PING command between frames, so its reaction would be to an unknown command",
        );
    }
    let mut bytes = FrameBuilder::message(b"one", true).build();
    bytes.extend(CommandBuilder::ping(0, b"").frame().build());
    bytes.extend(FrameBuilder::message(b"two", false).build());
    peer.send(&bytes).await.map_err(step("sending"))?;
    let quiet = cx.quiet();
    match cx.agent().recv_within(s, quiet).await? {
        Some(m) if m == [Bytes::from_static(b"one"), Bytes::from_static(b"two")] => {
            cx.lenient("tolerated the command between frames; message intact")
        }
        Some(m) => cx.fail(format!("delivered {}", show(&m))),
        None => {
            let wait = cx.wait();
            match peer.wait_close(wait).await {
                Ok(_) => cx.pass("closed on a command inside a message"),
                Err(_) => cx.fail("neither closed nor delivered"),
            }
        }
    }
});

case_fn!(sent_frames_are_clean, |cx| {
    cx.need_zmtp3()?;
    let (s, ep) = cx.bound("DEALER").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    let m = minor(cx);
    let h = cx.handshake(&mut peer, "DEALER", m).await?;
    // The implementation may register the peer only once it has read our
    // READY, which can be after we read its own.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let big = vec![b'b'; 300];
    cx.agent().send(s, &[b"a", &big, b""]).await?;
    let wait = cx.wait();
    let unit = peer
        .read_unit(wait)
        .await
        .map_err(step("reading the message"))?;
    let mut problems = Vec::new();
    for f in std::iter::once(&h.ready).chain(unit.iter()) {
        if f.reserved_bits() != 0 {
            problems.push(format!("reserved bits in flags {:02x}", f.flags().0));
        }
        if f.is_command() {
            if f.more() {
                problems.push("MORE on a command".to_string());
            }
            match f.command_name() {
                Some(n) if n.iter().all(u8::is_ascii_alphabetic) => {}
                _ => problems.push(format!("command name not ALPHA: {}", f.describe())),
            }
        }
    }
    let bodies: Vec<Bytes> = unit.iter().map(|f| f.body.clone()).collect();
    if unit.iter().any(|f| f.is_command())
        || bodies != [Bytes::from_static(b"a"), Bytes::from(big), Bytes::new()]
    {
        problems.push(format!(
            "message arrived as {}",
            unit.iter()
                .map(|f| f.describe())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if problems.is_empty() {
        cx.pass("READY and the 3 message frames are well-formed")
    } else {
        cx.fail(problems.join("; "))
    }
});

case_fn!(partial_message_dropped, |cx| {
    let (s, ep) = cx.bound("PULL").await?;
    let mut p1 = cx.dial(&ep, "peer1").await?;
    cx.handshake(&mut p1, "PUSH", 1).await?;
    let mut part = FrameBuilder::message(b"part1", true).build();
    part.extend(FrameBuilder::message(b"part2", true).build());
    p1.send(&part).await.map_err(step("sending two frames"))?;
    p1.close().await;
    let mut p2 = cx.dial(&ep, "peer2").await?;
    cx.handshake(&mut p2, "PUSH", 1).await?;
    cx.raw_send(&mut p2, &[b"whole"]).await?;
    let wait = cx.wait();
    let first = cx.agent().recv_within(s, wait).await?;
    let quiet = cx.quiet();
    let second = cx.agent().recv_within(s, quiet).await?;
    match (first, second) {
        (Some(m), None) if m == [Bytes::from_static(b"whole")] => cx.pass("only the whole message"),
        (a, b) => cx.fail(format!(
            "delivered {} then {}",
            a.map(|m| show(&m)).unwrap_or_else(|| "nothing".into()),
            b.map(|m| show(&m)).unwrap_or_else(|| "nothing".into())
        )),
    }
});

case_fn!(order_and_once, |cx| {
    let (s, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    cx.handshake(&mut peer, "PUSH", 1).await?;
    cx.model("PULL");
    cx.record_attach(1, "PUSH", None);
    let mut bytes = Vec::new();
    for i in 0..50u32 {
        let body = format!("m{i}");
        bytes.extend_from_slice(&message_frames(&[body.as_bytes()]));
        cx.record_from(1, &[Bytes::from(body)]);
    }
    peer.send(&bytes).await.map_err(step("sending"))?;
    let mut got = Vec::new();
    for _ in 0..50 {
        let wait = cx.wait();
        match cx.agent().recv_within(s, wait).await? {
            Some(m) => {
                cx.record_recv(&m);
                got.push(show(&m));
            }
            None => break,
        }
    }
    let quiet = cx.quiet();
    if let Some(m) = cx.agent().recv_within(s, quiet).await? {
        cx.record_recv(&m);
        got.push(show(&m));
    }
    let want: Vec<String> = (0..50).map(|i| format!("[m{i}]")).collect();
    if got == want {
        cx.pass("50 messages, in order, once each")
    } else {
        cx.fail(format!(
            "received {} messages: {}",
            got.len(),
            got.join("").chars().take(200).collect::<String>()
        ))
    }
});
