//! libzmq's STREAM socket (catalogue section 3.21, prefix 90: no RFC)
//! against a raw peer that writes and reads plain octets: STREAM speaks
//! no ZMTP, so nothing here goes through spec's builders except the one
//! ZMTP greeting a case sends to show that STREAM takes it as data. The
//! agent shows a STREAM message as `[routing-id, data]`. These run only
//! against agents whose manifest offers STREAM.

use bytes::Bytes;
use serde_json::json;
use zmtp_spec::wire::view::GreetingBuilder;

use crate::agent::{Answer, Sock, Stop};
use crate::case::{Case, Ctx, show};
use crate::cases::case_fn;
use crate::peer::RawPeer;
use crate::wirelog::{hex, printable};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "90-R01/1",
            also: &["90-R02", "90-R04", "90-R07"],
            param: 0,
            run: raw_both_ways,
            sends: "a raw tcp client connects to a bound STREAM, waits, then writes \"hello\"; \
                    the STREAM answers [id, world]",
            expects: "nothing from the STREAM before its answer (no greeting); the application \
                      reads [id, \"\"] then \"hello\" tagged with the same id; exactly \"world\" \
                      arrives",
        },
        Case {
            id: "90-R06/1",
            also: &[],
            param: 0,
            run: empty_send_closes,
            sends: "a raw client connects to a bound STREAM, which sends [id, \"\"]",
            expects: "the STREAM closes the connection",
        },
        Case {
            id: "90-R08/1",
            also: &["90-R05"],
            param: 0,
            run: disconnect_notification,
            sends: "a raw client writes \"bye\" to a bound STREAM and closes; the STREAM then \
                    sends [id, late]",
            expects: "[id, \"\"], \"bye\", then [id, \"\"]; the send to the departed id refused",
        },
        Case {
            id: "90-R09/1",
            also: &[],
            param: 0,
            run: notify_off,
            sends: "STREAM_NOTIFY 0 on a bound STREAM; a raw client writes \"x\" and closes",
            expects: "[id, x] and no empty notification either side of it",
        },
        Case {
            id: "90-R10/1",
            also: &[],
            param: 0,
            run: zmtp_greeting_is_data,
            sends: "a raw peer writes a ZMTP 3.1 greeting to a bound STREAM",
            expects: "the 64 greeting octets delivered as data; no greeting or other octet back",
        },
        Case {
            id: "90-R11/1",
            also: &["90-R03"],
            param: 0,
            run: two_connections,
            sends: "two raw clients connect to a bound STREAM and write \"one\" and \"two\"",
            expects: "both delivered, each under its own routing id",
        },
    ]
}

/// Reads messages from the STREAM until `want` data octets came from
/// one connection (notifications counted apart): the routing id, the
/// data, and how many empty messages came first.
async fn data_from(cx: &mut Ctx, s: Sock, want: usize) -> Result<(Bytes, Vec<u8>, usize), Stop> {
    let mut data = Vec::new();
    let mut empties = 0;
    let mut id: Option<Bytes> = None;
    while data.len() < want {
        let m = cx.agent().recv(s).await?;
        let [rid, chunk] = m.as_slice() else {
            return Err(Stop::Fail(format!(
                "delivered {}: [routing id, data] expected",
                show(&m)
            )));
        };
        if id.as_ref().is_some_and(|i| i != rid) {
            return Err(Stop::Fail(format!(
                "one connection's octets came under two routing ids, {} and {}",
                hex(id.as_ref().unwrap_or(rid)),
                hex(rid)
            )));
        }
        id = Some(rid.clone());
        if chunk.is_empty() {
            empties += 1;
        }
        data.extend_from_slice(chunk);
    }
    Ok((id.unwrap_or_default(), data, empties))
}

/// A bound STREAM, a raw client connected to it, and the connection's
/// routing id from its connect notification.
async fn connected_client(cx: &mut Ctx) -> Result<(Sock, RawPeer, Bytes), Stop> {
    let (s, ep) = cx.bound("STREAM").await?;
    let p = cx.dial(&ep, "client1").await?;
    let m = cx.agent().recv(s).await?;
    match m.as_slice() {
        [rid, empty] if empty.is_empty() => Ok((s, p, rid.clone())),
        _ => Err(Stop::Fail(format!(
            "the first message was {}, not the connect notification [id, \"\"]",
            show(&m)
        ))),
    }
}

case_fn!(raw_both_ways, |cx| {
    let (s, mut p, id) = connected_client(cx).await?;
    let quiet = cx.quiet();
    let (early, _) = p.read_for(quiet).await;
    if !early.is_empty() {
        return cx.fail(format!(
            "the STREAM sent {} octets unasked (a greeting?): {}",
            early.len(),
            printable(&early)
        ));
    }
    p.send(b"hello")
        .await
        .map_err(crate::case::step("writing"))?;
    let (rid, data, empties) = data_from(cx, s, 5).await?;
    if rid != id || data != b"hello" || empties > 0 {
        return cx.fail(format!(
            "read {} under id {} (connect id {}), {empties} empty message(s) among it",
            printable(&data),
            hex(&rid),
            hex(&id)
        ));
    }
    cx.agent().send(s, &[&id, b"world"]).await?;
    let (got, _) = p.read_for(quiet).await;
    if got.as_ref() == b"world" {
        cx.pass(format!(
            "no greeting; [{}, \"\"], then \"hello\" under the same id; \"world\" and nothing \
             else on the wire",
            hex(&id)
        ))
    } else {
        cx.fail(format!("on the wire: {}", printable(&got)))
    }
});

case_fn!(empty_send_closes, |cx| {
    let (s, mut p, id) = connected_client(cx).await?;
    cx.agent().send(s, &[&id, b""]).await?;
    let wait = cx.wait();
    let (got, closed) = p.read_for(wait).await;
    if closed && got.is_empty() {
        cx.pass("the connection was closed, nothing written")
    } else if closed {
        cx.fail(format!("closed after writing {}", printable(&got)))
    } else {
        cx.fail("the connection stayed open")
    }
});

case_fn!(disconnect_notification, |cx| {
    let (s, mut p, id) = connected_client(cx).await?;
    p.send(b"bye").await.map_err(crate::case::step("writing"))?;
    p.close().await;
    let (rid, data, empties) = data_from(cx, s, 3).await?;
    if rid != id || data != b"bye" || empties > 0 {
        return cx.fail(format!("read {} under id {}", printable(&data), hex(&rid)));
    }
    let m = cx.agent().recv(s).await?;
    if m.as_slice() != [id.clone(), Bytes::new()] {
        return cx.fail(format!(
            "after the data, {}: the disconnect notification [id, \"\"] expected",
            show(&m)
        ));
    }
    let r = json!({"op": "send", "socket": s.0, "frames": [hex(&id), hex(b"late")],
                   "timeout_ms": 500});
    match cx.agent().raw(r, 500).await? {
        Answer::Error { message, .. } => cx.pass(format!(
            "[id, \"\"], \"bye\", [id, \"\"]; the send to the gone id refused: {message}"
        )),
        Answer::Ok(_) => cx.fail("a send to the departed connection's id was accepted"),
        Answer::Unsupported(why) => Err(Stop::Unsupported(why)),
    }
});

case_fn!(notify_off, |cx| {
    cx.need(&["STREAM"])?;
    let s = cx.agent().socket("STREAM").await?;
    cx.agent().set_int(s, "STREAM_NOTIFY", 0).await?;
    let ep = cx.endpoint()?;
    let ep = cx.agent().bind(s, &ep).await?;
    let mut p = cx.dial(&ep, "client1").await?;
    p.send(b"x").await.map_err(crate::case::step("writing"))?;
    let first = cx.agent().recv(s).await?;
    p.close().await;
    let quiet = cx.quiet();
    let after = cx.agent().recv_within(s, quiet).await?;
    match (first.as_slice(), after) {
        ([_, x], None) if x.as_ref() == b"x" => {
            cx.pass("[id, x] alone: no connect or disconnect notification")
        }
        (_, after) => cx.fail(format!(
            "delivered {} then {}",
            show(&first),
            after.map_or("nothing".into(), |m| show(&m))
        )),
    }
});

case_fn!(zmtp_greeting_is_data, |cx| {
    let (s, mut p, id) = connected_client(cx).await?;
    let greeting = GreetingBuilder::new().build();
    p.send(&greeting)
        .await
        .map_err(crate::case::step("writing"))?;
    let (rid, data, _) = data_from(cx, s, greeting.len()).await?;
    let quiet = cx.quiet();
    let (back, _) = p.read_for(quiet).await;
    if rid == id && data == greeting && back.is_empty() {
        cx.pass("the 64 greeting octets were delivered as data; nothing was sent back")
    } else if !back.is_empty() {
        cx.fail(format!(
            "the STREAM answered {} octets (a greeting?)",
            back.len()
        ))
    } else {
        cx.fail(format!("delivered {} octets, not the greeting", data.len()))
    }
});

case_fn!(two_connections, |cx| {
    let (s, ep) = cx.bound("STREAM").await?;
    let mut p1 = cx.dial(&ep, "client1").await?;
    let mut p2 = cx.dial(&ep, "client2").await?;
    p1.send(b"one")
        .await
        .map_err(crate::case::step("writing"))?;
    p2.send(b"two")
        .await
        .map_err(crate::case::step("writing"))?;
    let mut by_id: std::collections::BTreeMap<Bytes, Vec<u8>> = Default::default();
    let wait = cx.wait();
    let deadline = tokio::time::Instant::now() + wait;
    while by_id.values().map(Vec::len).sum::<usize>() < 6 {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(m) = cx.agent().recv_within(s, left).await? else {
            break;
        };
        if let [rid, chunk] = m.as_slice() {
            by_id
                .entry(rid.clone())
                .or_default()
                .extend_from_slice(chunk);
        }
    }
    let mut got: Vec<Vec<u8>> = by_id.values().cloned().collect();
    got.sort();
    if by_id.len() == 2 && got == [b"one".to_vec(), b"two".to_vec()] {
        cx.pass("\"one\" and \"two\", each under a routing id of its own")
    } else {
        cx.fail(format!(
            "delivered {:?} under {} routing id(s)",
            got.iter().map(|g| printable(g)).collect::<Vec<_>>(),
            by_id.len()
        ))
    }
});
