//! PLAIN cases (RFC 24, G-P1..G-P5; ZAP as RFC 27 sees it on the wire):
//! the implementation as a PLAIN server whose ZAP handler allows
//! `admin:secret` (AGENTS.md `ZAP_ALLOW`), and as a PLAIN client.

use std::sync::Arc;

use bytes::Bytes;
use zmtp_spec::connection::Config;
use zmtp_spec::security::Plain;
use zmtp_spec::wire::command::name;
use zmtp_spec::wire::view::{CommandBuilder, GreetingBuilder, plain, plain::HelloBuilder};
use zmtp_spec::wire::{Command, Mechanism, MechanismCommand};
use zmtp_spec::{Message, SocketType};

use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, Outcome, step};
use crate::cases::case_fn;
use crate::peer::machine::{honest, machine};
use crate::peer::{RawFrame, RawPeer, message_frames, metadata};

use super::{aftermath, judge_refusal, need_mechanism};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "G-P2/1",
            also: &["G-P1", "G-P3", "G-P4", "G-P5", "27-R37", "27-R38"],
            param: 0,
            run: plain_server,
            sends: "to a bound PLAIN-server PULL: HELLO admin/secret, INITIATE with Socket-Type PUSH, then a message",
            expects: "WELCOME with an empty body, READY with well-formed metadata, and the message delivered",
        },
        Case {
            id: "G-P2/2",
            also: &[],
            param: 1,
            run: plain_server,
            sends: "HELLO admin/wrong (ZAP refuses), INITIATE, then a message",
            expects: "no WELCOME or READY (ERROR allowed); the connection is closed; nothing delivered",
        },
        Case {
            id: "G-P3/1",
            also: &["G-P2"],
            param: 2,
            run: plain_server,
            sends: "HELLO whose password length (6) runs past the body (3 octets left), then a message",
            expects: "the connection is closed; nothing delivered",
        },
        Case {
            id: "G-P2/3",
            also: &[],
            param: 3,
            run: plain_server,
            sends: "INITIATE without HELLO, then a message",
            expects: "no READY; the connection is closed; nothing delivered",
        },
        Case {
            id: "G-P3/2",
            also: &["G-P1"],
            param: 0,
            run: plain_client,
            sends: "accepts the implementation's PLAIN client (PUSH, admin/secret) and reads its first command",
            expects: "HELLO 05 admin 06 secret",
        },
    ]
}

/// A PLAIN HELLO.
fn hello(user: &[u8], pass: &[u8]) -> CommandBuilder {
    HelloBuilder::new(user, pass).command()
}

/// A PLAIN INITIATE from a PUSH client.
fn initiate() -> CommandBuilder {
    plain::initiate(&metadata(&[(b"Socket-Type", b"PUSH")]))
}

/// A 3.1 PLAIN greeting.
fn plain_greeting() -> GreetingBuilder {
    GreetingBuilder::new().mechanism(Mechanism::PLAIN)
}

async fn plain_bound(cx: &mut Ctx) -> Result<(Sock, String), Stop> {
    need_mechanism(cx, "PLAIN")?;
    cx.need(&["PULL"])?;
    let ep = cx.endpoint()?;
    let mut a = cx.agent();
    let s = a.socket("PULL").await?;
    a.set_int(s, "PLAIN_SERVER", 1).await?;
    a.set_bytes(s, "ZAP_ALLOW", b"admin:secret").await?;
    let real = a.bind(s, &ep).await?;
    Ok((s, real))
}

case_fn!(plain_server, |cx| {
    let (s, ep) = plain_bound(cx).await?;
    let mut peer: RawPeer = cx.dial(&ep, "client").await?;
    if cx.param == 0 {
        return honest_client(cx, s, &mut peer).await;
    }
    cx.greet(&mut peer, plain_greeting()).await?;
    let n = cx.param;
    let (first, what) = match n {
        1 => (hello(b"admin", b"wrong"), "a PLAIN HELLO ZAP refuses"),
        2 => (
            HelloBuilder::new(b"admin", b"sec")
                .password_len(6)
                .command(),
            "a truncated PLAIN HELLO",
        ),
        _ => (initiate(), "INITIATE before HELLO"),
    };
    peer.send(&first.frame().build())
        .await
        .map_err(step("sending"))?;
    let _ = peer.send(&initiate().frame().build()).await;
    let _ = peer.send(&message_frames(&[b"probe"])).await;
    let a = aftermath(cx, s, &mut peer).await?;
    let welcome = MechanismCommand::Welcome.as_str().as_bytes();
    let forbidden: &[&[u8]] = if n == 3 {
        &[name::READY, welcome]
    } else {
        &[name::READY]
    };
    if n == 1 && a.got(welcome) {
        return cx.fail(format!(
            "{what}: WELCOME sent for refused credentials ({})",
            a.describe()
        ));
    }
    judge_refusal(cx, &a, forbidden, what)
});

/// The PLAIN client handshake as spec's machine runs it (HELLO
/// admin/secret, then INITIATE as a PUSH), judged step by step: WELCOME
/// with an empty body (G-P4), READY with metadata (G-P5), then a message
/// delivered.
async fn honest_client(cx: &mut Ctx, s: Sock, peer: &mut RawPeer) -> Outcome {
    cx.need_zmtp3()?;
    let mut config = Config::new(SocketType::Push);
    let plain = Plain::client("admin", "secret").map_err(|e| Stop::Fail(e.to_string()))?;
    config.mechanism = Arc::new(plain);
    let mut conn = machine(config, peer.side()).map_err(|e| Stop::Fail(e.to_string()))?;
    let h = match peer
        .handshake_through(&mut conn, &mut honest, cx.wait())
        .await
    {
        Ok(h) => h,
        Err(e) => return cx.fail(format!("the PLAIN handshake: {e}")),
    };
    let welcome = Command::Mechanism {
        name: MechanismCommand::Welcome,
        body: Bytes::new(),
    };
    if h.frames.first().and_then(RawFrame::command) != Some(welcome) {
        let got = h
            .frames
            .first()
            .map_or("nothing".into(), RawFrame::describe);
        return cx.fail(format!(
            "expected WELCOME with an empty body (G-P4), got {got}"
        ));
    }
    // The machine checked READY's metadata (G-P5) before it succeeded.
    conn.send_message(Message::from_frames([Bytes::from_static(b"probe")]))
        .map_err(|e| Stop::Fail(e.to_string()))?;
    peer.flush(&mut conn, &mut honest)
        .await
        .map_err(step("sending a message"))?;
    let got = cx.agent().recv(s).await?;
    if got.len() == 1 && &got[0][..] == b"probe" {
        cx.pass("HELLO -> WELCOME (empty), INITIATE -> READY, message delivered")
    } else {
        cx.fail(format!("delivered {}", crate::case::show(&got)))
    }
}

case_fn!(plain_client, |cx| {
    need_mechanism(cx, "PLAIN")?;
    cx.need(&["PUSH"])?;
    let listener = cx.listener("server").await?;
    let mut a = cx.agent();
    let s = a.socket("PUSH").await?;
    a.set_bytes(s, "PLAIN_USERNAME", b"admin").await?;
    a.set_bytes(s, "PLAIN_PASSWORD", b"secret").await?;
    let (mut peer, ()) = cx.connect_and_accept(s, &listener, "server").await?;
    cx.greet(&mut peer, plain_greeting().as_server(1)).await?;
    let wait = cx.wait();
    let f = peer.read_frame(wait).await.map_err(step("reading HELLO"))?;
    if f.is_command() && f.body[..] == hello(b"admin", b"secret").build()[..] {
        cx.pass("HELLO 05 admin 06 secret")
    } else {
        cx.fail(format!(
            "expected HELLO admin/secret (G-P3), got {}",
            f.describe()
        ))
    }
});
