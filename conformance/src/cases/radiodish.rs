//! RADIO/DISH queues over ZMTP (RFC 48 §The RADIO Socket Type, §The DISH
//! Socket Type): a queue per peer, made on an outgoing connect and on an
//! incoming one, fair-queued input, drops at the high-water mark. The
//! cases follow the PUB/SUB ones they mirror (29-R02..R04, 29-R09,
//! 29-R27..R29, 29-R32).

use std::time::Duration;

use bytes::Bytes;
use zmtp_spec::wire::Command;

use super::case_fn;
use super::flow::send_within;
use crate::agent::Stop;
use crate::case::{Case, show, step};
use crate::peer::{RawPeer, encoded};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "48-R04/1",
            also: &["48-R06"],
            sends: "two raw DISHes connect to a bound RADIO and join g; the RADIO sends [g, m]",
            expects: "each dish receives its own copy of [g, m]",
            param: 0,
            run: radio_two_dishes,
        },
        Case {
            id: "48-R05/1",
            also: &[],
            sends: "the implementation's RADIO connects to a raw DISH listener, which joins g",
            expects: "[g, m] arrives over the outgoing connection",
            param: 0,
            run: radio_connects_out,
        },
        Case {
            id: "48-R13/1",
            also: &["48-R14"],
            sends: "a raw DISH joins g and stops reading; the RADIO (SNDHWM 2) sends 120 x [g, 64 KiB]",
            expects: "every send returns at once: messages beyond the HWM are dropped",
            param: 0,
            run: radio_never_blocks,
        },
        Case {
            id: "48-R19/1",
            also: &["48-R28"],
            sends: "the implementation's DISH joins g and connects to a raw RADIO listener, which sends [g, x]",
            expects: "JOIN g reaches the radio over the outgoing connection; [g, x] is delivered",
            param: 0,
            run: dish_connects_out,
        },
        Case {
            id: "48-R20/1",
            also: &["48-R28"],
            sends: "a raw RADIO connects to a bound DISH that joined g, and sends [g, x]",
            expects: "JOIN g is sent to the new radio and [g, x] is delivered",
            param: 0,
            run: dish_bound,
        },
        Case {
            id: "48-R25/1",
            also: &["48-R18"],
            sends: "the implementation's DISH (joined g) connects to two raw RADIOs, each sends two messages",
            expects: "all four arrive, the first two from different radios",
            param: 0,
            run: dish_fair_queue,
        },
    ]
}

async fn join(p: &mut RawPeer, group: &'static [u8]) -> Result<(), Stop> {
    p.send(&encoded(&Command::Join(Bytes::from_static(group))))
        .await
        .map_err(step("JOIN"))
}

/// Reads from a raw radio until JOIN `group` comes (other commands, such
/// as heartbeats, are skipped).
async fn expect_join(p: &mut RawPeer, group: &[u8], wait: Duration) -> Result<(), Stop> {
    loop {
        let f = p.read_frame(wait).await.map_err(step("waiting for JOIN"))?;
        match f.command() {
            Some(Command::Join(g)) if g.as_ref() == group => return Ok(()),
            Some(_) => {}
            None => return Err(Stop::Fail(format!("expected JOIN, got {}", f.describe()))),
        }
    }
}

fn group_message(m: &[Bytes], group: &[u8], body: &[u8]) -> bool {
    m.len() == 2 && m[0].as_ref() == group && m[1].as_ref() == body
}

case_fn!(radio_two_dishes, |cx| {
    let (s, ep) = cx.bound("RADIO").await?;
    let mut dishes = Vec::new();
    for label in ["dish1", "dish2"] {
        let mut p = cx.dial(&ep, label).await?;
        cx.handshake(&mut p, "DISH", 1).await?;
        join(&mut p, b"g").await?;
        dishes.push(p);
    }
    // JOIN is asynchronous: give the RADIO a moment before sending.
    tokio::time::sleep(cx.quiet()).await;
    cx.agent().send(s, &[b"g", b"m"]).await?;
    let wait = cx.wait();
    let mut got = Vec::new();
    for p in &mut dishes {
        let m = p
            .recv_message(wait)
            .await
            .map_err(step("waiting at a dish"))?;
        got.push(m);
    }
    if got.iter().all(|m| group_message(m, b"g", b"m")) {
        cx.pass("both dishes received [g, m]")
    } else {
        cx.fail(format!(
            "received {}",
            got.iter()
                .map(|m| show(m))
                .collect::<Vec<_>>()
                .join(" and ")
        ))
    }
});

case_fn!(radio_connects_out, |cx| {
    let (s, _l, mut p) = cx.connected("RADIO", "dish1").await?;
    cx.handshake(&mut p, "DISH", 1).await?;
    join(&mut p, b"g").await?;
    for _ in 0..40 {
        cx.agent().send(s, &[b"g", b"m"]).await?;
        if let Ok(m) = p.recv_message(Duration::from_millis(100)).await {
            return if group_message(&m, b"g", b"m") {
                cx.pass("[g, m] arrived over the outgoing connection")
            } else {
                cx.fail(format!("received {}", show(&m)))
            };
        }
    }
    cx.fail("nothing arrived over the outgoing connection")
});

case_fn!(radio_never_blocks, |cx| {
    let (s, ep) = cx.bound("RADIO").await?;
    cx.agent().set_int(s, "SNDHWM", 2).await?;
    let mut p = cx.dial(&ep, "dish1").await?;
    cx.handshake(&mut p, "DISH", 1).await?;
    join(&mut p, b"g").await?;
    tokio::time::sleep(cx.quiet()).await;
    let big = Bytes::from(vec![b'x'; 64 * 1024]);
    for n in 0..120 {
        if !send_within(cx, s, &[b"g", &big], 1000).await? {
            return cx.fail(format!(
                "send {n} blocked for 1 s with a dish that does not read"
            ));
        }
    }
    cx.pass("120 sends of [g, 64 KiB] returned at once")
});

case_fn!(dish_connects_out, |cx| {
    cx.need(&["DISH"])?;
    let s = cx.agent().socket("DISH").await?;
    cx.agent().set_bytes(s, "JOIN", b"g").await?;
    let l = cx.listener("radio1").await?;
    let (mut p, ()) = cx.connect_and_accept(s, &l, "radio1").await?;
    cx.handshake(&mut p, "RADIO", 1).await?;
    let wait = cx.wait();
    expect_join(&mut p, b"g", wait).await?;
    cx.raw_send(&mut p, &[b"g", b"x"]).await?;
    let got = cx.agent().recv(s).await?;
    if group_message(&got, b"g", b"x") {
        cx.pass("JOIN g over the outgoing connection; [g, x] delivered")
    } else {
        cx.fail(format!("delivered {}", show(&got)))
    }
});

case_fn!(dish_bound, |cx| {
    let (s, ep) = cx.bound("DISH").await?;
    cx.agent().set_bytes(s, "JOIN", b"g").await?;
    let mut p = cx.dial(&ep, "radio1").await?;
    cx.handshake(&mut p, "RADIO", 1).await?;
    // libzmq attaches an accepted peer when the application next uses the
    // socket: give it that chance, as an application waiting in recv would.
    let _ = cx
        .agent()
        .recv_within(s, Duration::from_millis(200))
        .await?;
    let wait = cx.wait();
    expect_join(&mut p, b"g", wait).await?;
    cx.raw_send(&mut p, &[b"g", b"x"]).await?;
    let got = cx.agent().recv(s).await?;
    if group_message(&got, b"g", b"x") {
        cx.pass("JOIN g sent to the radio that connected in; [g, x] delivered")
    } else {
        cx.fail(format!("delivered {}", show(&got)))
    }
});

case_fn!(dish_fair_queue, |cx| {
    cx.need(&["DISH"])?;
    let s = cx.agent().socket("DISH").await?;
    cx.agent().set_bytes(s, "JOIN", b"g").await?;
    let mut peers = Vec::new();
    let mut listeners = Vec::new();
    let wait = cx.wait();
    for label in ["radio1", "radio2"] {
        let l = cx.listener(label).await?;
        let (mut p, ()) = cx.connect_and_accept(s, &l, label).await?;
        cx.handshake(&mut p, "RADIO", 1).await?;
        expect_join(&mut p, b"g", wait).await?;
        peers.push(p);
        listeners.push(l);
    }
    for (k, p) in peers.iter_mut().enumerate() {
        for tag in ["a", "b"] {
            let body = format!("{}{tag}", k + 1);
            cx.raw_send(p, &[b"g", body.as_bytes()]).await?;
        }
    }
    tokio::time::sleep(cx.quiet()).await;
    let mut got = Vec::new();
    for _ in 0..4 {
        let m = cx.agent().recv(s).await?;
        got.push(m.get(1).cloned().unwrap_or_default());
    }
    let mut sorted = got.clone();
    sorted.sort();
    if sorted != [&b"1a"[..], b"1b", b"2a", b"2b"] {
        return cx.fail(format!("delivered {}", show(&got)));
    }
    if got[0].first() != got[1].first() {
        cx.pass(format!("interleaved: {}", show(&got)))
    } else {
        crate::cases::reqrep::not_interleaved(cx, &got)
    }
});
