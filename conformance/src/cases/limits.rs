//! libzmq's socket options with an effect on the wire (section 91 of the
//! catalogue, no RFC): ZMQ_MAXMSGSIZE.

use std::time::Duration;

use crate::case::{Case, show, step};
use crate::cases::case_fn;
use crate::peer::message_frames;

/// The MAXMSGSIZE the case sets, in octets.
const LIMIT: usize = 100;

pub(super) fn cases() -> Vec<Case> {
    vec![Case {
        id: "91-R01/1",
        also: &[],
        param: 0,
        run: max_message_size,
        sends: "to a PULL bound with MAXMSGSIZE 100: a message of 100 octets, then one of 101",
        expects: "the first is delivered; the second is not, and the connection is closed",
    }]
}

case_fn!(max_message_size, |cx| {
    let ep = cx.endpoint()?;
    let s = cx.agent().socket("PULL").await?;
    cx.agent().set_int(s, "MAXMSGSIZE", LIMIT as i64).await?;
    let ep = cx.agent().bind(s, &ep).await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    cx.handshake(&mut peer, "PUSH", 1).await?;
    // The control: a message at the limit is delivered.
    peer.send(&message_frames(&[&[b'a'; LIMIT]]))
        .await
        .map_err(step("sending 100 octets"))?;
    let wait = cx.wait();
    match cx.agent().recv_within(s, wait).await? {
        Some(m) if m.len() == 1 && m[0].len() == LIMIT => {}
        Some(m) => return cx.fail(format!("delivered {} for a 100-octet message", show(&m))),
        None => return cx.fail("a message of exactly MAXMSGSIZE octets was not delivered"),
    }
    // One octet over: refused.
    peer.send(&message_frames(&[&[b'b'; LIMIT + 1]]))
        .await
        .map_err(step("sending 101 octets"))?;
    let quiet = cx.quiet().max(Duration::from_millis(500));
    if let Some(m) = cx.agent().recv_within(s, quiet).await? {
        return cx.fail(format!(
            "delivered {} although MAXMSGSIZE is {LIMIT}",
            show(&m)
        ));
    }
    let wait = cx.wait();
    match peer.wait_close(wait).await {
        Ok(_) => cx.pass("delivered 100 octets; closed on 101 without delivering them"),
        Err(_) => cx.fail("kept the connection open after a message over MAXMSGSIZE"),
    }
});
