//! CURVE cases with the implementation as the client (RFC 26 §INITIATE,
//! §READY, §MESSAGE from the client's side): the raw peer plays the server
//! (spec's `security::curve::raw::Server`), checks what the client sends and forges what the
//! client must refuse.

use bytes::Bytes;
use rand_core::OsRng;
use zmtp_spec::security::KeyPair;
use zmtp_spec::security::curve::raw::{Server, break_box};
use zmtp_spec::wire::Metadata;
use zmtp_spec::wire::view::{CommandBuilder, CommandView, FrameBuilder};

use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, show, step};
use crate::cases::{Control, case_fn, control_reconnect, reconnect_watch};
use crate::peer::RawPeer;

use super::curve::{curve_client_as, curve_client_of, fault, metadata_of, read_hello};
use super::message_frame;

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "26-R31/1",
            also: &[
                "26-R18", "26-R32", "26-R33", "26-R34", "26-R36", "26-R38", "26-R39", "26-R49",
                "26-R55", "26-R56", "G-C4", "G-C5", "G-C6", "G-C9",
            ],
            param: 0,
            run: client_handshake,
            sends: "plays a CURVE server to the implementation's DEALER: checks HELLO, sends WELCOME, checks INITIATE (cookie, nonce, vouch, metadata), sends READY, then MESSAGE \"back\" after the client's message",
            expects: "a valid INITIATE with well-formed metadata; the client's message as a MESSAGE that opens with the client-to-server MESSAGE prefix (26-R55), reserved flag bits zero, growing nonces; \"back\" delivered",
        },
        Case {
            id: "26-R47/1",
            also: &["26-R48"],
            param: 1,
            run: client_handshake,
            sends: "to the implementation's CURVE client, READY whose box has one octet flipped, while the application sends \"probe\"",
            expects: "no MESSAGE; the client closes the connection",
        },
        Case {
            id: "26-R53/1",
            also: &["26-R52"],
            param: 2,
            run: client_handshake,
            sends: "after a valid handshake, MESSAGE \"one\" and then MESSAGE \"two\" reusing the nonce of \"one\"",
            expects: "\"one\" delivered, \"two\" not; the client closes the connection",
        },
        Case {
            id: "26-R35/1",
            also: &["26-R34"],
            param: 0,
            run: vouch_nonces_unique,
            sends: "plays a CURVE server to three PUSH sockets of the implementation with one permanent key pair, each up to its INITIATE",
            expects: "three INITIATEs whose vouches open, with three different long nonces",
        },
        Case {
            id: "26-R02/1",
            also: &["26-R01"],
            param: 0,
            run: no_reconnect_after_error,
            sends: "to the implementation's CURVE client (RECONNECT_IVL 100 ms): a plain close after HELLO (control), then on the new connection ERROR \"400\" in answer to HELLO and a close",
            expects: "the client reconnects after the plain close; after ERROR, no new connection within five reconnections' time (at least 1 s)",
        },
    ]
}

case_fn!(no_reconnect_after_error, |cx| {
    super::need_mechanism(cx, "CURVE")?;
    cx.need(&["PUSH"])?;
    let server = zmtp::curve_keypair();
    let mine = zmtp::curve_keypair();
    let listener = cx.listener("server").await?;
    let mut a = cx.agent();
    let s = a.socket("PUSH").await?;
    a.set_int(s, "RECONNECT_IVL", 100).await?;
    a.set_bytes(s, "CURVE_SERVERKEY", server.public().to_z85().as_bytes())
        .await?;
    a.set_bytes(s, "CURVE_PUBLICKEY", mine.public().to_z85().as_bytes())
        .await?;
    a.set_bytes(s, "CURVE_SECRETKEY", mine.secret().to_z85().as_bytes())
        .await?;
    let (mut peer, ()) = cx.connect_and_accept(s, &listener, "server").await?;
    // Control (37-R18): HELLO answered by a plain close, after which the
    // client connects again; only then does its silence after ERROR mean
    // anything.
    let _ = read_hello(cx, &mut peer).await?;
    let Control {
        peer: mut again,
        took,
    } = control_reconnect(cx, &listener, peer, "server2").await?;
    let _ = read_hello(cx, &mut again).await?;
    again
        .send(&CommandBuilder::error(b"400").frame().build())
        .await
        .map_err(step("sending ERROR"))?;
    again.close().await;
    let window = reconnect_watch(cx, took).max(cx.quiet() * 3);
    let start = tokio::time::Instant::now();
    match listener.accept(window, "again").await {
        Ok(_) => cx.fail(format!(
            "the client reconnected {} ms after ERROR \"400\", with the same credentials \
             (26-R02; the control reconnection took {} ms)",
            start.elapsed().as_millis(),
            took.as_millis()
        )),
        Err(_) => cx.pass(format!(
            "no reconnect within {} ms after ERROR \"400\"; control: after a plain close \
             it reconnected in {} ms",
            window.as_millis(),
            took.as_millis()
        )),
    }
});

case_fn!(vouch_nonces_unique, |cx| {
    let keys = zmtp::curve_keypair();
    let mine = zmtp::curve_keypair();
    let mut seen: Vec<[u8; 16]> = Vec::new();
    for n in 0..3 {
        let label = format!("server{n}");
        let (_s, mut peer) = curve_client_as(cx, &keys, &mine, "PUSH", &label).await?;
        let server = up_to_initiate(cx, &mut peer, keys.clone()).await?;
        if seen.contains(&server.vouch_nonce) {
            return cx.fail(format!(
                "INITIATE {} reuses a vouch long nonce of an earlier INITIATE from the same client key (26-R35)",
                n + 1
            ));
        }
        seen.push(server.vouch_nonce);
    }
    cx.pass("three INITIATEs from one client key, three different vouch long nonces")
});

case_fn!(client_handshake, |cx| {
    // The raw server's permanent keys; the client is given S.
    let keys = zmtp::curve_keypair();
    let (s, mut peer): (Sock, RawPeer) = curve_client_of(cx, &keys, "DEALER").await?;
    let mut server = up_to_initiate(cx, &mut peer, keys).await?;
    let wait = cx.wait();
    match cx.param {
        0 => {
            peer.send(&FrameBuilder::command(&server.ready(&metadata_of(b"DEALER"))).build())
                .await
                .map_err(step("sending READY"))?;
            cx.agent().send(s, &[b"probe"]).await?;
            let f = peer
                .read_frame(wait)
                .await
                .map_err(step("reading MESSAGE"))?;
            let (flags, payload) = match server.open_message(&f.body) {
                Ok(m) => (m.flags, m.payload),
                Err(e) => return cx.fail(e.to_string()),
            };
            if flags & 0xFE != 0 {
                return cx.fail(format!(
                    "reserved payload flag bits set: {flags:02x} (26-R56)"
                ));
            }
            if payload != b"probe" {
                return cx.fail(format!("the MESSAGE carries {payload:?}, not \"probe\""));
            }
            peer.send(&message_frame(&server.message(0, b"back")))
                .await
                .map_err(step("sending MESSAGE"))?;
            let got = cx.agent().recv(s).await?;
            let frame = if f.is_command() {
                "command"
            } else {
                "message (as libzmq)"
            };
            if got.len() == 1 && &got[0][..] == b"back" {
                cx.pass(format!(
                    "INITIATE valid; the client's MESSAGE (in a {frame} frame) opens, flags {flags:02x}; \"back\" delivered"
                ))
            } else {
                cx.fail(format!("delivered {}", show(&got)))
            }
        }
        1 => {
            let mut ready = server.ready(&metadata_of(b"DEALER"));
            break_box(&mut ready);
            peer.send(&FrameBuilder::command(&ready).build())
                .await
                .map_err(step("sending READY"))?;
            let _ = cx.agent().try_send(s, &[b"probe"]).await;
            let (closed, frames) = match peer.wait_close(wait).await {
                Ok(f) => (true, f),
                Err(f) => (false, f),
            };
            let seen: Vec<String> = frames.iter().map(crate::peer::RawFrame::describe).collect();
            let message = |f: &crate::peer::RawFrame| {
                CommandView::new(&f.body[..]).name() == Some(&b"MESSAGE"[..])
            };
            if frames.iter().any(message) {
                return cx.fail(format!(
                    "the client sent MESSAGE after a bad READY ({})",
                    seen.join(", ")
                ));
            }
            if closed {
                cx.pass("the client closed after a READY whose box does not open; nothing sent")
            } else {
                cx.fail(format!(
                    "the client kept the connection (frames: [{}])",
                    seen.join(", ")
                ))
            }
        }
        _ => {
            peer.send(&FrameBuilder::command(&server.ready(&metadata_of(b"DEALER"))).build())
                .await
                .map_err(step("sending READY"))?;
            let n = server.nonce;
            let one = server.message(0, b"one");
            peer.send(&message_frame(&one))
                .await
                .map_err(step("sending MESSAGE"))?;
            let got = cx.agent().recv(s).await?;
            if !(got.len() == 1 && &got[0][..] == b"one") {
                return cx.fail(format!("the first MESSAGE gave {}", show(&got)));
            }
            let two = server.message_at(n, 0, b"two");
            let _ = peer.send(&message_frame(&two)).await;
            let quiet = cx.quiet();
            if let Some(m) = cx.agent().recv_within(s, quiet).await? {
                return cx.fail(format!(
                    "a MESSAGE with a reused nonce was delivered: {}",
                    show(&m)
                ));
            }
            match peer.wait_close(wait).await {
                Ok(_) => {
                    cx.pass("\"one\" delivered; the reused nonce refused and the connection closed")
                }
                Err(_) => cx.fail(
                    "the reused nonce was not delivered, but the connection stayed open (26-R53)",
                ),
            }
        }
    }
});

/// HELLO, WELCOME, INITIATE (all checked): the server state.
async fn up_to_initiate(cx: &mut Ctx, peer: &mut RawPeer, keys: KeyPair) -> Result<Server, Stop> {
    let wait = cx.wait();
    let mut server = Server::new(keys, &mut OsRng);
    let hello = read_hello(cx, peer).await?;
    server.hello(&hello).map_err(fault)?;
    peer.send(&FrameBuilder::command(&server.welcome()).build())
        .await
        .map_err(step("sending WELCOME"))?;
    let f = peer
        .read_frame(wait)
        .await
        .map_err(step("reading INITIATE"))?;
    let md = server.initiate(&f.body).map_err(fault)?;
    // The metadata in 23's property format (26-R36..R39, G-C9).
    match Metadata::parse(&Bytes::from(md)) {
        Ok(m) if m.get("Socket-Type").is_some() => Ok(server),
        other => Err(Stop::Fail(format!(
            "INITIATE metadata is not well-formed properties with Socket-Type (26-R36..R39): {other:?}"
        ))),
    }
}
