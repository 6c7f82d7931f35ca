//! CLIENT/SERVER (RFC 41) and RADIO/DISH (RFC 48) on the wire, beside the
//! 37 §Thread-Safe Socket Types and §The Radio-Dish Pattern cases in
//! flow.rs (37-R52..R57). The agent contract (AGENTS.md) sends a RADIO
//! message as `[group, body]` and shows a SERVER message as
//! `[routing-id, body]`. These run only against agents whose manifest
//! offers the types.

use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use zmtp_spec::wire::{Command, Flags};

use crate::agent::{Answer, Sock, Stop};
use crate::case::{Case, Ctx, show, step};
use crate::cases::case_fn;
use crate::peer::{RawFrame, RawPeer, encoded, message_frames, ready};
use crate::wirelog::{hex, printable};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "41-R03/1",
            also: &["41-R14", "41-R16"],
            param: 0,
            run: client_unmodified,
            sends: "a CLIENT connected to a raw SERVER sends [hello]; the raw SERVER sends [reply]",
            expects: "one final frame [hello] on the wire; [reply] delivered unchanged",
        },
        Case {
            id: "41-R10/1",
            also: &[],
            param: 0,
            run: client_round_robin,
            sends: "a CLIENT connected to two raw SERVERs sends four messages",
            expects: "two messages at each SERVER, alternating",
        },
        Case {
            id: "41-R17/1",
            also: &["37-R57"],
            param: 0,
            run: client_drops_multipart,
            sends: "a raw SERVER sends a two-frame message, then [single], to a CLIENT",
            expects: "only [single] is delivered",
        },
        Case {
            id: "41-R24/1",
            also: &["41-R23", "41-R27"],
            param: 0,
            run: server_picks_routing_id,
            sends: "a raw CLIENT whose READY carries Identity \"abc\" sends [hi] to a bound SERVER",
            expects: "[hi] delivered with a routing id of the SERVER's choosing, not \"abc\"",
        },
        Case {
            id: "41-R30/1",
            also: &["41-R18", "41-R34", "41-R27", "41-R29"],
            param: 0,
            run: server_routes_replies,
            sends: "two raw CLIENTs each send a message to a bound SERVER, which answers each \
                    with the routing id it delivered",
            expects: "each CLIENT receives only its own answer, as one final frame",
        },
        Case {
            id: "41-R28/1",
            also: &["37-R57"],
            param: 0,
            run: server_drops_multipart,
            sends: "a raw CLIENT sends a two-frame message, then [single], to a bound SERVER",
            expects: "only [single] is delivered",
        },
        Case {
            id: "48-R11/1",
            also: &["G15", "48-R15", "37-R52"],
            param: 0,
            run: radio_unmodified,
            sends: "a raw DISH joins \"g\" at a bound RADIO, which sends [g, hello world]",
            expects: "the group frame g (flags 01) and the body unchanged (flags 00)",
        },
        Case {
            id: "48-R12/1",
            also: &["37-R52"],
            param: 0,
            run: radio_exact_match,
            sends: "a raw DISH joins \"g\"; the RADIO sends to groups gx, G and g",
            expects: "only the message to g arrives: membership is exact, not by prefix",
        },
        Case {
            id: "48-R15/1",
            also: &["37-R53", "37-R54", "G14"],
            param: 0,
            run: radio_join_leave,
            sends: "a raw DISH joins a, leaves a, joins b; the RADIO sends to a and b after each",
            expects: "[a, 1] after the JOIN; after LEAVE a only [b, 3]",
        },
        Case {
            id: "48-R08/1",
            also: &[],
            param: 0,
            run: radio_ignores_dish_messages,
            sends: "a raw DISH sends the messages [g, x] and [y] to a bound RADIO, then joins g",
            expects: "no close: the RADIO discards them silently and still sends [g, ok]",
        },
        Case {
            id: "48-R29/1",
            also: &["48-R30", "G14"],
            param: 0,
            run: dish_group_limits,
            sends: "a DISH connected to a raw RADIO joins a 255-octet group, then a 256-octet \
                    group, then a group with a NUL octet",
            expects: "JOIN with the 255 octets; the other two refused or never sent",
        },
    ]
}

/// A raw peer's READY of type `kind` with an `Identity`.
pub(super) fn ready_with_identity(kind: &str, identity: &[u8]) -> Vec<u8> {
    let props: [(&[u8], &[u8]); 2] = [(b"Socket-Type", kind.as_bytes()), (b"Identity", identity)];
    ready(&props).build()
}

/// The frames of `unit` as (flags, body).
pub(super) fn shape(unit: &[RawFrame]) -> Vec<(u8, Bytes)> {
    unit.iter().map(|f| (f.flags().0, f.body.clone())).collect()
}

/// `unit` described.
pub(super) fn describe(unit: &[RawFrame]) -> String {
    unit.iter()
        .map(RawFrame::describe)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The next message unit at `peer`, skipping commands.
pub(super) async fn next_message(peer: &mut RawPeer, wait: Duration) -> Option<Vec<RawFrame>> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let unit = peer.read_unit(left).await.ok()?;
        if !unit.first().is_some_and(RawFrame::is_command) {
            return Some(unit);
        }
    }
}

/// A bound RADIO and a raw DISH that joined `groups`.
async fn radio_with_dish(cx: &mut Ctx, groups: &[&[u8]]) -> Result<(Sock, RawPeer), Stop> {
    let (s, ep) = cx.bound("RADIO").await?;
    let mut p = cx.dial(&ep, "dish1").await?;
    cx.handshake(&mut p, "DISH", 1).await?;
    for g in groups {
        p.send(&encoded(&Command::Join(Bytes::copy_from_slice(g))))
            .await
            .map_err(step("JOIN"))?;
    }
    // JOIN is asynchronous: give the RADIO a moment before sending.
    tokio::time::sleep(cx.quiet()).await;
    Ok((s, p))
}

case_fn!(client_unmodified, |cx| {
    let (s, _l, mut p) = cx.connected("CLIENT", "server1").await?;
    cx.handshake(&mut p, "SERVER", 1).await?;
    cx.agent().send(s, &[b"hello"]).await?;
    let wait = cx.wait();
    let unit = next_message(&mut p, wait)
        .await
        .ok_or_else(|| Stop::Fail("no message at the raw SERVER".into()))?;
    if shape(&unit) != [(0, Bytes::from_static(b"hello"))] {
        return cx.fail(format!("on the wire: {}", describe(&unit)));
    }
    cx.raw_send(&mut p, &[b"reply"]).await?;
    let got = cx.agent().recv(s).await?;
    if got.len() == 1 && got[0].as_ref() == b"reply" {
        cx.pass("[hello] as one final frame; [reply] delivered unchanged")
    } else {
        cx.fail(format!("delivered {}", show(&got)))
    }
});

case_fn!(client_round_robin, |cx| {
    cx.need(&["CLIENT"])?;
    let s = cx.agent().socket("CLIENT").await?;
    let mut peers = Vec::new();
    for label in ["server1", "server2"] {
        let l = cx.listener(label).await?;
        let (mut p, ()) = cx.connect_and_accept(s, &l, label).await?;
        cx.handshake(&mut p, "SERVER", 1).await?;
        peers.push((l, p));
    }
    tokio::time::sleep(cx.quiet()).await;
    for m in [&b"m0"[..], b"m1", b"m2", b"m3"] {
        cx.agent().send(s, &[m]).await?;
    }
    let quiet = cx.quiet();
    let mut got: Vec<Vec<Bytes>> = Vec::new();
    for (_, p) in &mut peers {
        let mut mine = Vec::new();
        while let Some(unit) = next_message(p, quiet).await {
            mine.extend(unit.into_iter().map(|f| f.body));
        }
        got.push(mine);
    }
    let what = format!("server1 {}, server2 {}", show(&got[0]), show(&got[1]));
    let alternating =
        |v: &[Bytes]| v.len() == 2 && v[1].last().copied() == v[0].last().map(|c| c + 2);
    if alternating(&got[0]) && alternating(&got[1]) {
        cx.pass(what)
    } else {
        cx.fail(format!("{what}: two each, alternating, expected"))
    }
});

case_fn!(client_drops_multipart, |cx| {
    let (s, _l, mut p) = cx.connected("CLIENT", "server1").await?;
    cx.handshake(&mut p, "SERVER", 1).await?;
    let mut bytes = message_frames(&[b"part", b"two"]);
    bytes.extend(message_frames(&[b"single"]));
    p.send(&bytes).await.map_err(step("sending"))?;
    let got = cx.agent().recv(s).await?;
    if got.len() == 1 && got[0].as_ref() == b"single" {
        cx.pass("the multipart message was discarded, [single] delivered")
    } else {
        cx.fail(format!("delivered {}", show(&got)))
    }
});

case_fn!(server_picks_routing_id, |cx| {
    let (s, ep) = cx.bound("SERVER").await?;
    let mut p = cx.dial(&ep, "client1").await?;
    let greeting = zmtp_spec::wire::view::GreetingBuilder::new();
    cx.handshake_with(&mut p, &greeting, &ready_with_identity("CLIENT", b"abc"))
        .await?;
    cx.raw_send(&mut p, &[b"hi"]).await?;
    let got = cx.agent().recv(s).await?;
    match got.as_slice() {
        [rid, body] if body.as_ref() == b"hi" && rid.as_ref() != b"abc" => cx.pass(format!(
            "[hi] delivered with routing id {} (the SERVER's own)",
            hex(rid)
        )),
        [rid, _] if rid.as_ref() == b"abc" => {
            cx.fail("the peer's Identity \"abc\" became its routing id")
        }
        _ => cx.fail(format!("delivered {}", show(&got))),
    }
});

case_fn!(server_routes_replies, |cx| {
    let (s, ep) = cx.bound("SERVER").await?;
    let mut peers = Vec::new();
    for label in ["client1", "client2"] {
        let mut p = cx.dial(&ep, label).await?;
        cx.handshake(&mut p, "CLIENT", 1).await?;
        let from = format!("from-{label}");
        cx.raw_send(&mut p, &[from.as_bytes()]).await?;
        peers.push((label, p));
    }
    let mut routes = Vec::new();
    for _ in 0..2 {
        match cx.agent().recv(s).await?.as_slice() {
            [rid, body] => routes.push((rid.clone(), body.clone())),
            other => return cx.fail(format!("delivered {}", show(other))),
        }
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
    cx.pass("each CLIENT got only its own answer, one final frame each")
});

case_fn!(server_drops_multipart, |cx| {
    let (s, ep) = cx.bound("SERVER").await?;
    let mut p = cx.dial(&ep, "client1").await?;
    cx.handshake(&mut p, "CLIENT", 1).await?;
    let mut bytes = message_frames(&[b"part", b"two"]);
    bytes.extend(message_frames(&[b"single"]));
    p.send(&bytes).await.map_err(step("sending"))?;
    let got = cx.agent().recv(s).await?;
    match got.last() {
        Some(b) if b.as_ref() == b"single" && got.len() <= 2 => {
            cx.pass("the multipart message was discarded, [single] delivered")
        }
        _ => cx.fail(format!("delivered {}", show(&got))),
    }
});

case_fn!(radio_unmodified, |cx| {
    let (s, mut p) = radio_with_dish(cx, &[b"g"]).await?;
    cx.agent().send(s, &[b"g", b"hello world"]).await?;
    let wait = cx.wait();
    let unit = next_message(&mut p, wait)
        .await
        .ok_or_else(|| Stop::Fail("nothing arrived at the joined DISH".into()))?;
    let want = [
        (Flags::MORE, Bytes::from_static(b"g")),
        (0, Bytes::from_static(b"hello world")),
    ];
    if shape(&unit) == want {
        cx.pass("[g](01) [hello world](00), unchanged")
    } else {
        cx.fail(format!("received {}", describe(&unit)))
    }
});

case_fn!(radio_exact_match, |cx| {
    let (s, mut p) = radio_with_dish(cx, &[b"g"]).await?;
    for (group, body) in [
        (&b"gx"[..], &b"prefix"[..]),
        (b"G", b"case"),
        (b"g", b"mine"),
    ] {
        cx.agent().send(s, &[group, body]).await?;
    }
    let quiet = cx.quiet();
    let mut got = Vec::new();
    while let Some(unit) = next_message(&mut p, quiet).await {
        got.push(
            unit.iter()
                .map(|f| printable(&f.body))
                .collect::<Vec<_>>()
                .join("|"),
        );
    }
    if got == ["g|mine"] {
        cx.pass("only [g, mine]: gx and G are other groups")
    } else {
        cx.fail(format!("received {got:?}"))
    }
});

case_fn!(radio_join_leave, |cx| {
    let (s, mut p) = radio_with_dish(cx, &[b"a"]).await?;
    let wait = cx.wait();
    cx.agent().send(s, &[b"a", b"1"]).await?;
    let first = next_message(&mut p, wait)
        .await
        .ok_or_else(|| Stop::Fail("[a, 1] did not arrive after JOIN a".into()))?;
    p.send(&encoded(&Command::Leave(Bytes::from_static(b"a"))))
        .await
        .map_err(step("LEAVE"))?;
    p.send(&encoded(&Command::Join(Bytes::from_static(b"b"))))
        .await
        .map_err(step("JOIN"))?;
    tokio::time::sleep(cx.quiet()).await;
    cx.agent().send(s, &[b"a", b"2"]).await?;
    cx.agent().send(s, &[b"b", b"3"]).await?;
    let next = next_message(&mut p, wait)
        .await
        .ok_or_else(|| Stop::Fail("[b, 3] did not arrive after JOIN b".into()))?;
    let bodies = |u: &[RawFrame]| u.iter().map(|f| printable(&f.body)).collect::<Vec<_>>();
    if bodies(&first) == ["a", "1"] && bodies(&next) == ["b", "3"] {
        cx.pass("[a, 1] after JOIN a; after LEAVE a and JOIN b, [b, 3] and not [a, 2]")
    } else {
        cx.fail(format!(
            "received {:?} then {:?}",
            bodies(&first),
            bodies(&next)
        ))
    }
});

case_fn!(radio_ignores_dish_messages, |cx| {
    let (s, mut p) = radio_with_dish(cx, &[]).await?;
    let mut bytes = message_frames(&[b"g", b"x"]);
    bytes.extend(message_frames(&[b"y"]));
    p.send(&bytes).await.map_err(step("sending to the RADIO"))?;
    p.send(&encoded(&Command::Join(Bytes::from_static(b"g"))))
        .await
        .map_err(step("JOIN"))?;
    tokio::time::sleep(cx.quiet()).await;
    cx.agent().send(s, &[b"g", b"ok"]).await?;
    let wait = cx.wait();
    match next_message(&mut p, wait).await {
        Some(unit)
            if shape(&unit)
                .last()
                .is_some_and(|(_, b)| b.as_ref() == b"ok") =>
        {
            cx.pass("the DISH's messages were dropped silently; [g, ok] still arrived")
        }
        Some(unit) => cx.fail(format!("received {}", describe(&unit))),
        None => cx.fail("after the DISH sent messages, [g, ok] never arrived (closed or dropped)"),
    }
});

/// Asks the DISH to join `group`: whether the agent accepted the request.
async fn try_join(cx: &mut Ctx, s: Sock, group: &[u8]) -> Result<bool, Stop> {
    let r = json!({"op": "setsockopt", "socket": s.0, "option": "JOIN", "value": hex(group)});
    Ok(matches!(cx.agent().raw(r, 500).await?, Answer::Ok(_)))
}

/// The next JOIN at `peer` within `wait`, if any.
async fn next_join(peer: &mut RawPeer, wait: Duration) -> Option<Bytes> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let f = peer.read_frame(left).await.ok()?;
        if let Some(Command::Join(g)) = f.command() {
            return Some(g);
        }
    }
}

case_fn!(dish_group_limits, |cx| {
    let (s, _l, mut p) = cx.connected("DISH", "radio1").await?;
    cx.handshake(&mut p, "RADIO", 1).await?;
    let wait = cx.wait();
    let quiet = cx.quiet();
    let longest = vec![b'g'; 255];
    if !try_join(cx, s, &longest).await? {
        return cx.fail("joining a 255-octet group was refused (48-R29 allows 0-255)");
    }
    match next_join(&mut p, wait).await {
        Some(g) if g == longest => {}
        Some(g) => return cx.fail(format!("JOIN of {} octets, not 255", g.len())),
        None => return cx.fail("no JOIN for the 255-octet group"),
    }
    let mut outcome = Vec::new();
    for (what, group) in [("256 octets", vec![b'h'; 256]), ("a NUL", b"a\0b".to_vec())] {
        let accepted = try_join(cx, s, &group).await?;
        match next_join(&mut p, quiet).await {
            // What reaches the wire is judged (48-R29, 48-R30): a C-string
            // API may cut the group at the NUL and join what precedes it.
            Some(g) if g.len() <= 255 && !g.contains(&0) && g != group => outcome.push(format!(
                "{what}: joined {} instead (the API changed the group; the wire \
                 group is valid)",
                printable(&g)
            )),
            Some(g) => {
                return cx.fail(format!(
                    "a group with {what} went out as JOIN {} ({} octets)",
                    printable(&g),
                    g.len()
                ));
            }
            None if accepted => outcome.push(format!("{what}: accepted by the API, never sent")),
            None => outcome.push(format!("{what}: refused")),
        }
    }
    cx.pass(format!("JOIN of 255 octets; {}", outcome.join("; ")))
});
