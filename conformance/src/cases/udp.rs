//! libzmq's udp transport for RADIO and DISH (48-R31..48-R37): the cases
//! that run over a datagram transport (`--transport udp`), and only there.
//! The raw peer is a datagram socket; every datagram it sends is written
//! by spec's [`DatagramBuilder`] (valid, or with one field made wrong),
//! and every datagram it receives is read by spec's [`Datagram::parse`].
//! There is no handshake and no JOIN: the DISH filters (48-R35).

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;
use zmtp_spec::wire::datagram::{Datagram, MAX_DATAGRAM_LEN};
use zmtp_spec::wire::view::DatagramBuilder;

use super::case_fn;
use crate::agent::{Answer, Sock, Stop};
use crate::case::{Case, Ctx, show};
use crate::peer::transport::{Carriage, Datagrams, Transport};
use crate::wirelog::{Direction, WireLog};

/// The udp cases.
pub(crate) fn cases() -> Vec<Case> {
    let malformed = |id, param, sends, expects| Case {
        id,
        also: &["48-R31"],
        sends,
        expects,
        param,
        run: dish_drops,
    };
    vec![
        Case {
            id: "48-R31/1",
            also: &["48-R11", "48-R35"],
            sends: "the implementation's RADIO connects to a raw udp socket, which joins nothing, \
                    and sends [Weather, Sunny day]",
            expects: "one datagram: group length 7, the group, the body (spec's rule), unmodified",
            param: 0,
            run: radio_datagram,
        },
        Case {
            id: "48-R35/1",
            also: &["48-R12", "48-R26", "48-R27", "48-R28", "48-R31"],
            sends: "a DISH bound on udp joins \"g\"; the raw socket sends datagrams for the groups \
                    h, gx, G, the empty group and g",
            expects: "only [g, mine] is delivered, with its group, unmodified",
            param: 0,
            run: dish_filters,
        },
        malformed(
            "48-R32/1",
            5,
            "a datagram whose group length says 5 octets where 2 follow, then a valid one",
            "the bad datagram is dropped, the valid one delivered",
        ),
        malformed(
            "48-R32/2",
            1,
            "a datagram of one octet, a group length of 255, then a valid one",
            "the bad datagram is dropped, the valid one delivered (a length of 128 or more \
             is read as a length, not a negative number)",
        ),
        malformed(
            "48-R32/3",
            0,
            "a datagram whose group length says 200 octets where 2 follow, then a valid one",
            "the bad datagram is dropped, the valid one delivered",
        ),
        malformed(
            "48-R33/1",
            2,
            "a 9002-octet datagram (a group g and 9000 body octets), then a valid one",
            "the oversize datagram is dropped (not delivered whole or cut), the valid one delivered",
        ),
        malformed(
            "48-R34/1",
            3,
            "an empty datagram, then a valid one",
            "the empty datagram is dropped, the valid one delivered",
        ),
        malformed(
            "48-R37/1",
            4,
            "a datagram whose group is g, NUL, x (the DISH joined g), then a valid one",
            "the datagram with a zero group octet is dropped, not delivered as group g",
        ),
        Case {
            id: "48-R33/2",
            also: &["48-R31"],
            sends: "the RADIO sends [g, 8190 octets] (an 8192-octet datagram), [g, 8191 octets] \
                    (8193), then [g, after]",
            expects: "the 8192-octet datagram, then [g, after]: the one that does not fit is not sent",
            param: 0,
            run: radio_size,
        },
        Case {
            id: "48-R36/1",
            also: &[],
            sends: "bind udp with PUB and RADIO, connect udp with DISH and SUB",
            expects: "each is refused with an error",
            param: 0,
            run: roles,
        },
    ]
}

/// Whether a case runs over datagrams: the udp cases over udp only, every
/// other case over streams only.
pub(crate) fn runs_over(case: &Case, transport: &dyn Transport) -> bool {
    let datagram = cases().iter().any(|c| c.id == case.id);
    datagram == (transport.carriage() == Carriage::Datagram)
}

/// The raw peer's datagram socket, logged to the case's wire log.
struct Raw {
    socket: Box<dyn Datagrams>,
    label: &'static str,
    log: WireLog,
    wait: Duration,
}

impl Raw {
    async fn open(cx: &mut Ctx, label: &'static str) -> Result<Self, Stop> {
        cx.need(&[])?;
        let socket = cx
            .settings
            .transport
            .datagrams()
            .await
            .map_err(|e| Stop::Fail(format!("raw udp socket: {e}")))?;
        cx.log.note(label, format!("bound {}", socket.endpoint()));
        Ok(Self {
            socket,
            label,
            log: cx.log.clone(),
            wait: cx.wait(),
        })
    }

    fn endpoint(&self) -> &str {
        self.socket.endpoint()
    }

    async fn send(&self, octets: &[u8], endpoint: &str) -> Result<(), Stop> {
        let address = endpoint.strip_prefix("udp://").unwrap_or(endpoint);
        self.log.bytes(self.label, Direction::Out, octets);
        tokio::time::timeout(self.wait, self.socket.send_to(octets, address))
            .await
            .map_err(|_| Stop::Fail("raw udp send timed out".into()))?
            .map_err(|e| Stop::Fail(format!("raw udp send: {e}")))
    }

    async fn recv_within(&self, wait: Duration) -> Option<Vec<u8>> {
        let mut buf = vec![0; 65_536];
        let n = tokio::time::timeout(wait, self.socket.recv(&mut buf))
            .await
            .ok()?
            .ok()?;
        buf.truncate(n);
        self.log.bytes(self.label, Direction::In, &buf);
        Some(buf)
    }
}

fn datagram(group: &[u8], body: &[u8]) -> Vec<u8> {
    DatagramBuilder::new().group(group).body(body).build()
}

/// A DISH bound on a fresh udp endpoint, joined to `groups`, with a
/// datagram seen through it (a bind may finish in the background, and a
/// datagram before it is lost): the raw socket sends `[g, probe]` until
/// one is delivered, then what else came is drained.
async fn dish_through(cx: &mut Ctx, groups: &[&[u8]]) -> Result<(Sock, String, Raw), Stop> {
    let (s, ep) = cx.bound("DISH").await?;
    for g in groups {
        cx.agent().set_bytes(s, "JOIN", g).await?;
    }
    let raw = Raw::open(cx, "radio1").await?;
    let deadline = Instant::now() + cx.wait();
    let probe = datagram(b"g", b"probe");
    loop {
        raw.send(&probe, &ep).await?;
        if cx
            .agent()
            .recv_within(s, Duration::from_millis(50))
            .await?
            .is_some()
        {
            break;
        }
        if Instant::now() > deadline {
            return Err(Stop::Fail(
                "no datagram reached the DISH bound on udp (a probe [g, probe] every 50 ms)".into(),
            ));
        }
    }
    while cx
        .agent()
        .recv_within(s, Duration::from_millis(50))
        .await?
        .is_some()
    {}
    Ok((s, ep, raw))
}

/// What the agent delivers within the quiet window, probes left out.
async fn delivered(cx: &mut Ctx, s: Sock, until: &[u8]) -> Result<Vec<Vec<Bytes>>, Stop> {
    let mut got = Vec::new();
    let deadline = Instant::now() + cx.wait();
    while Instant::now() < deadline {
        let quiet = cx.quiet();
        let Some(m) = cx.agent().recv_within(s, quiet).await? else {
            break;
        };
        if m.last().is_some_and(|b| b.as_ref() == b"probe") {
            continue;
        }
        let last = m.last().is_some_and(|b| b.as_ref() == until);
        got.push(m);
        if last {
            break;
        }
    }
    Ok(got)
}

case_fn!(radio_datagram, |cx| {
    cx.need(&["RADIO"])?;
    let raw = Raw::open(cx, "dish1").await?;
    let s = cx.agent().socket("RADIO").await?;
    let ep = raw.endpoint().to_string();
    cx.agent().connect(s, &ep).await?;
    cx.agent().send(s, &[b"Weather", b"Sunny day"]).await?;
    let wait = cx.wait();
    let Some(octets) = raw.recv_within(wait).await else {
        return cx
            .fail("no datagram at the raw udp socket (it joined nothing: none is needed, 48-R35)");
    };
    match Datagram::parse(&octets) {
        Ok(d) if d.group == b"Weather" && d.body == b"Sunny day" => {
            cx.pass("one datagram: length 7, \"Weather\", \"Sunny day\", with no JOIN sent")
        }
        Ok(d) => cx.fail(format!(
            "the datagram carries group {:?} and body {:?}",
            crate::wirelog::printable(d.group),
            crate::wirelog::printable(d.body)
        )),
        Err(e) => cx.fail(format!("the datagram breaks the udp layout: {e}")),
    }
});

case_fn!(dish_filters, |cx| {
    let (s, ep, raw) = dish_through(cx, &[b"g"]).await?;
    for (g, b) in [
        (&b"h"[..], &b"other"[..]),
        (b"gx", b"prefix"),
        (b"G", b"case"),
        (b"", b"empty group"),
        (b"g", b"mine"),
    ] {
        raw.send(&datagram(g, b), &ep).await?;
    }
    let got = delivered(cx, s, b"mine").await?;
    let want = vec![vec![Bytes::from_static(b"g"), Bytes::from_static(b"mine")]];
    if got == want {
        cx.pass("only [g, mine] delivered, group attached, unmodified")
    } else {
        cx.fail(format!("delivered {}", show_all(&got)))
    }
});

/// The messages, a long frame by its length only.
fn show_all(got: &[Vec<Bytes>]) -> String {
    if got.is_empty() {
        return "nothing".into();
    }
    got.iter()
        .map(|m| {
            if m.iter().any(|f| f.len() > 64) {
                let lens: Vec<String> = m.iter().map(|f| format!("<{} octets>", f.len())).collect();
                format!("[{}]", lens.join("]["))
            } else {
                show(m)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

case_fn!(dish_drops, |cx| {
    let (s, ep, raw) = dish_through(cx, &[b"g", b""]).await?;
    let bad = match cx.param {
        0 => DatagramBuilder::new()
            .group(b"g")
            .group_len(200)
            .body(b"x")
            .build(),
        1 => DatagramBuilder::new().group_len(255).build(),
        2 => DatagramBuilder::new()
            .group(b"g")
            .body(&[b'b'; 9000])
            .build(),
        3 => DatagramBuilder::empty().build(),
        4 => DatagramBuilder::new().group(b"g\0x").body(b"bad").build(),
        _ => DatagramBuilder::new()
            .group(b"g")
            .group_len(5)
            .body(b"x")
            .build(),
    };
    raw.send(&bad, &ep).await?;
    raw.send(&datagram(b"g", b"after"), &ep).await?;
    let got = delivered(cx, s, b"after").await?;
    let after = vec![Bytes::from_static(b"g"), Bytes::from_static(b"after")];
    match got.as_slice() {
        [only] if *only == after => cx.pass(format!(
            "the {}-octet datagram was dropped; [g, after] delivered",
            bad.len()
        )),
        [] => cx.fail("nothing delivered after the bad datagram: the DISH stopped receiving"),
        _ => cx.fail(format!(
            "delivered {} for a {}-octet datagram the rule refuses, then [g, after]",
            show_all(&got[..got.len().saturating_sub(1)]),
            bad.len()
        )),
    }
});

case_fn!(radio_size, |cx| {
    cx.need(&["RADIO"])?;
    let raw = Raw::open(cx, "dish1").await?;
    let s = cx.agent().socket("RADIO").await?;
    let ep = raw.endpoint().to_string();
    cx.agent().connect(s, &ep).await?;
    let fits = vec![b'f'; MAX_DATAGRAM_LEN - 2];
    let over = vec![b'o'; MAX_DATAGRAM_LEN - 1];
    cx.agent().send(s, &[b"g", &fits]).await?;
    // The RADIO may refuse the one that does not fit at send, or drop it.
    let _ = cx.agent().try_send(s, &[b"g", &over]).await;
    cx.agent().send(s, &[b"g", b"after"]).await?;
    let wait = cx.wait();
    let mut sizes = Vec::new();
    while let Some(octets) = raw.recv_within(wait).await {
        let d = Datagram::parse(&octets).ok();
        sizes.push(octets.len());
        if d.is_some_and(|d| d.body == b"after") {
            break;
        }
    }
    if sizes == [MAX_DATAGRAM_LEN, 1 + 1 + 5] {
        cx.pass("an 8192-octet datagram, then [g, after]; the 8193-octet one was not sent")
    } else {
        cx.fail(format!(
            "datagrams of {sizes:?} octets arrived (want [8192, 7])"
        ))
    }
});

case_fn!(roles, |cx| {
    cx.need(&[])?;
    let mut refused = Vec::new();
    for (kind, op) in [
        ("PUB", "bind"),
        ("RADIO", "bind"),
        ("DISH", "connect"),
        ("SUB", "connect"),
    ] {
        if cx.need(&[kind]).is_err() {
            continue;
        }
        let s = cx.agent().socket(kind).await?;
        let ep = cx.endpoint()?;
        let answer = cx
            .agent()
            .raw(json!({"op": op, "socket": s.0, "endpoint": ep}), 2000)
            .await?;
        match answer {
            Answer::Error { .. } => refused.push(format!("{kind} {op}")),
            Answer::Unsupported(why) => return Err(Stop::Unsupported(why)),
            Answer::Ok(_) => return cx.fail(format!("{kind} could {op} over udp ({ep})")),
        }
        cx.agent().close(s).await?;
    }
    if refused.is_empty() {
        return Err(Stop::Unsupported("none of PUB, RADIO, DISH, SUB".into()));
    }
    cx.pass(format!("refused: {}", refused.join(", ")))
});
