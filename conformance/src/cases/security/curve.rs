//! CURVE cases (RFCs 25/26, G-C1..G-C9): the implementation as a CURVE
//! server facing the raw peer's client, honest and hostile, and as a CURVE
//! client facing a raw listener. The raw peer is spec's
//! `security::curve::raw` (`Client`, `Server`): each case says what to
//! send and which field to forge; spec builds and seals the octets.

use rand_core::OsRng;
use zmtp_spec::SocketType;
use zmtp_spec::connection::error::PeerError;
use zmtp_spec::security::KeyPair;
use zmtp_spec::security::curve::PublicKey;
use zmtp_spec::security::curve::commands::PADDING_LEN;
use zmtp_spec::security::curve::raw::{Client, Server, break_box};
use zmtp_spec::wire::legacy::{V2Greeting, V2Identity};
use zmtp_spec::wire::view::curve::HelloView;
use zmtp_spec::wire::view::{
    CommandBuilder, CommandView, FrameBuilder, GreetingBuilder, MetadataBuilder, MetadataView,
};

use zmtp_spec::wire::command::name;
use zmtp_spec::wire::{Mechanism, MechanismCommand};

use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, step};
use crate::cases::case_fn;
use crate::peer::RawPeer;

use super::{aftermath, greeting_for, judge_refusal, message_frame, need_mechanism};

/// The CURVE server's WELCOME, by spec's name.
const WELCOME: &[u8] = MechanismCommand::Welcome.as_str().as_bytes();
/// The CURVE client's INITIATE, by spec's name.
const INITIATE: &[u8] = MechanismCommand::Initiate.as_str().as_bytes();

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "26-R22/1",
            also: &[
                "26-R05", "26-R16", "26-R23", "26-R24", "26-R26", "26-R28", "26-R31", "26-R43",
                "26-R44", "26-R45", "26-R46", "26-R54", "26-R55", "G-C1", "G-C2", "G-C3", "G-C4",
                "G-C5", "G-C6", "G-C7", "G-C8", "37-R64", "23-R51",
            ],
            param: 0,
            run: honest_handshake,
            sends: "a CURVE client handshake to a bound CURVE-server PULL: HELLO (200 octets), INITIATE with a valid vouch and Socket-Type PUSH, then MESSAGE \"probe\"",
            expects: "WELCOME of 168 octets that opens with S and c', READY that opens with S' and c', and \"probe\" delivered",
        },
        Case {
            id: "26-R50/1",
            also: &["26-R55", "G-C7"],
            param: 0,
            run: server_nonces,
            sends: "a valid CURVE handshake with a bound CURVE-server DEALER, which then sends \"a\", \"b\", \"c\"",
            expects: "three MESSAGEs that open with S', c' and the server-to-client MESSAGE prefix (26-R55), with nonces above READY's and growing",
        },
        Case {
            id: "26-R37/1",
            also: &["26-R41"],
            param: 6,
            run: hostile_initiate,
            sends: "HELLO, then an INITIATE whose metadata names \"socket-type\" (lower case) = PUB, to a PULL",
            expects: "the name is recognised whatever its case, so the incompatible type closes the connection; nothing delivered",
        },
        Case {
            id: "G-C9/1",
            also: &["26-R36", "26-R41"],
            param: 5,
            run: hostile_initiate,
            sends: "HELLO, then an INITIATE whose metadata starts with a property of zero-length name",
            expects: "no READY; the connection is closed; nothing delivered",
        },
        Case {
            id: "26-R25/1",
            also: &["26-R28", "26-R16"],
            param: 0,
            run: welcome_unique,
            sends: "valid HELLOs on three connections to one CURVE-server PULL",
            expects: "three WELCOMEs with distinct long nonces, distinct S' and distinct cookies",
        },
        Case {
            id: "26-R09/1",
            also: &[],
            param: 0,
            run: client_transient_unique,
            sends: "accepts two connections from the implementation's CURVE clients (two PUSH sockets, same permanent keys) and reads each HELLO",
            expects: "two different transient keys C'",
        },
        Case {
            id: "27-R40/1",
            also: &["27-R39", "26-R43"],
            param: 1,
            run: honest_handshake,
            sends: "a valid CURVE handshake whose client key is the one the agent's ZAP handler allows (ZAP_ALLOW), then MESSAGE \"probe\"",
            expects: "READY and \"probe\" delivered: the handler was given mechanism CURVE and the client's 32-octet key",
        },
        Case {
            id: "26-R14/1",
            also: &["26-R13", "26-R15"],
            param: 0,
            run: hostile_hello,
            sends: "HELLO whose signature box has one octet flipped",
            expects: "no WELCOME; the connection is closed; nothing delivered",
        },
        Case {
            id: "26-R14/2",
            also: &["26-R15", "26-R04"],
            param: 1,
            run: hostile_hello,
            sends: "HELLO boxed for a wrong server key (the client was given another S)",
            expects: "no WELCOME; the connection is closed; nothing delivered",
        },
        Case {
            id: "26-R06/1",
            also: &["26-R15", "G-C1"],
            param: 2,
            run: hostile_hello,
            sends: "HELLO truncated to 199 octets",
            expects: "no WELCOME; the connection is closed; nothing delivered",
        },
        Case {
            id: "26-R06/2",
            also: &["26-R15", "G-C1"],
            param: 3,
            run: hostile_hello,
            sends: "HELLO of 201 octets (one extra octet after the box)",
            expects: "no WELCOME; the connection is closed; nothing delivered",
        },
        Case {
            id: "26-R07/1",
            also: &["26-R15"],
            param: 4,
            run: hostile_hello,
            sends: "HELLO with version 2.0 (otherwise valid)",
            expects: "no WELCOME; the connection is closed; nothing delivered",
        },
        Case {
            id: "26-R08/1",
            also: &["26-R15"],
            param: 5,
            run: hostile_hello,
            sends: "HELLO with a non-zero octet in the anti-amplification padding (otherwise valid)",
            expects: "no WELCOME; the connection is closed; nothing delivered",
        },
        Case {
            id: "26-R21/1",
            also: &["26-R20", "26-R18", "26-R58", "26-R59"],
            param: 0,
            run: replayed_message,
            sends: "after a valid handshake, MESSAGE \"one\" and then the very same MESSAGE again (replayed nonce)",
            expects: "\"one\" delivered once; the replay is not delivered; the connection is closed without ERROR",
        },
        Case {
            id: "26-R57/1",
            also: &["26-R58", "26-R59"],
            param: 1,
            run: replayed_message,
            sends: "after a valid handshake, a MESSAGE whose box has one octet flipped",
            expects: "nothing delivered; the connection is closed without ERROR",
        },
        Case {
            id: "26-R40/1",
            also: &["26-R41"],
            param: 0,
            run: hostile_initiate,
            sends: "HELLO, then INITIATE whose vouch is boxed with another permanent secret key than the C it names (forged vouch)",
            expects: "no READY; the connection is closed; the following message is not delivered",
        },
        Case {
            id: "26-R40/2",
            also: &["26-R41", "G-C3"],
            param: 1,
            run: hostile_initiate,
            sends: "HELLO on two connections; on the second, an INITIATE built with the first connection's cookie and keys",
            expects: "no READY on the second connection; it is closed; nothing delivered",
        },
        Case {
            id: "26-R27/1",
            also: &["26-R41"],
            param: 2,
            run: hostile_initiate,
            sends: "a complete handshake on one connection, then on a second one HELLO and a replay of the first connection's INITIATE",
            expects: "no READY on the second connection; it is closed; nothing delivered",
        },
        Case {
            id: "26-R32/1",
            also: &["26-R41", "G-C4"],
            param: 3,
            run: hostile_initiate,
            sends: "HELLO, then an INITIATE cut to 256 octets",
            expects: "no READY; the connection is closed; nothing delivered",
        },
        Case {
            id: "26-R60/1",
            also: &["26-R01", "26-R61", "26-R42", "27-R39", "27-R40"],
            param: 4,
            run: hostile_initiate,
            sends: "a valid CURVE handshake from a client key the agent's ZAP handler does not allow (ZAP_ALLOW names another key)",
            expects: "no READY; ERROR (26-R60; closing without it is allowed by 26-R42); nothing delivered",
        },
        Case {
            id: "37-R61/1",
            also: &["23-R48", "37-R67", "23-R54"],
            param: 0,
            run: downgrade,
            sends: "a ZMTP 2.0 greeting (revision 01, PUSH) to a CURVE-server PULL, then a 2.0 message",
            expects: "the connection is closed; nothing delivered",
        },
        Case {
            id: "37-R67/1",
            also: &["23-R54"],
            param: 1,
            run: downgrade,
            sends: "a ZMTP 3.1 NULL greeting, READY and a message to a CURVE-server PULL (a weaker mechanism)",
            expects: "no READY; the connection is closed; nothing delivered",
        },
        Case {
            id: "37-R67/2",
            also: &["23-R54"],
            param: 2,
            run: downgrade,
            sends: "as 37-R67/1, to a PULL given CURVE_SERVER and CURVE_SECRETKEY only (enough for libzmq, which derives the public key)",
            expects: "the socket is a CURVE server or refuses the configuration; either way the NULL peer's message is not delivered",
        },
        Case {
            id: "26-R05/1",
            also: &["26-R06", "26-R07", "26-R08", "26-R12", "26-R13", "G-C1"],
            param: 0,
            run: client_hello,
            sends: "accepts a connection from the implementation's CURVE client (PUSH) and reads its first command",
            expects: "HELLO of 200 octets: version 1.0, 72 zero octets, C', a nonce, and a signature box of 64 zeros that opens with S and C'",
        },
        Case {
            id: "26-R30/1",
            also: &["26-R29", "26-R03"],
            param: 0,
            run: client_bad_welcome,
            sends: "to the implementation's CURVE client, a WELCOME of the right length whose box does not open",
            expects: "no INITIATE and no ERROR from the client; the connection is closed",
        },
    ]
}

/// What the implementation sent wrong, as the raw peer found it.
pub(super) fn fault(e: PeerError) -> Stop {
    Stop::Fail(e.to_string())
}

/// The metadata octets of a socket of type `kind`.
pub(super) fn metadata_of(kind: &[u8]) -> Vec<u8> {
    MetadataBuilder::new()
        .property(b"Socket-Type", kind)
        .build()
}

/// A PULL socket as a CURVE server with fresh keys (and ZAP_ALLOW when
/// `allow` is given), bound to a fresh endpoint.
async fn curve_server(cx: &mut Ctx, allow: Option<&str>) -> Result<(Sock, String, KeyPair), Stop> {
    curve_server_of(cx, "PULL", allow).await
}

/// A CURVE-server PULL given only its secret key (libzmq derives the
/// public key; some libraries need it set).
async fn curve_server_secret_only(cx: &mut Ctx) -> Result<(Sock, String, KeyPair), Stop> {
    curve_server_with(cx, "PULL", None, false).await
}

/// As [`curve_server`] with a socket of `kind`.
async fn curve_server_of(
    cx: &mut Ctx,
    kind: &str,
    allow: Option<&str>,
) -> Result<(Sock, String, KeyPair), Stop> {
    curve_server_with(cx, kind, allow, true).await
}

/// As [`curve_server_of`]; `public` also sets CURVE_PUBLICKEY.
async fn curve_server_with(
    cx: &mut Ctx,
    kind: &str,
    allow: Option<&str>,
    public: bool,
) -> Result<(Sock, String, KeyPair), Stop> {
    need_mechanism(cx, "CURVE")?;
    cx.need(&[kind])?;
    let keys = zmtp::curve_keypair();
    let ep = cx.endpoint()?;
    let mut a = cx.agent();
    let s = a.socket(kind).await?;
    a.set_int(s, "CURVE_SERVER", 1).await?;
    a.set_bytes(s, "CURVE_SECRETKEY", keys.secret().to_z85().as_bytes())
        .await?;
    if public {
        a.set_bytes(s, "CURVE_PUBLICKEY", keys.public().to_z85().as_bytes())
            .await?;
    }
    if let Some(allow) = allow {
        a.set_bytes(s, "ZAP_ALLOW", allow.as_bytes()).await?;
    }
    let real = a.bind(s, &ep).await?;
    Ok((s, real, keys))
}

/// Greeting, HELLO, WELCOME (checked and opened).
async fn hello_welcome(cx: &mut Ctx, peer: &mut RawPeer, c: &mut Client) -> Result<(), Stop> {
    let wait = cx.wait();
    cx.greet(peer, greeting_for(Mechanism::CURVE.name()))
        .await?;
    peer.send(&FrameBuilder::command(&c.hello()).build())
        .await
        .map_err(step("sending HELLO"))?;
    let f = peer
        .read_frame(wait)
        .await
        .map_err(step("reading WELCOME"))?;
    c.welcome(&f.body).map_err(fault)
}

/// A full client handshake.
async fn handshake(cx: &mut Ctx, peer: &mut RawPeer, c: &mut Client) -> Result<(), Stop> {
    handshake_as(cx, peer, c, b"PUSH").await
}

/// A full client handshake as a socket of type `kind`.
async fn handshake_as(
    cx: &mut Ctx,
    peer: &mut RawPeer,
    c: &mut Client,
    kind: &[u8],
) -> Result<(), Stop> {
    hello_welcome(cx, peer, c).await?;
    let wait = cx.wait();
    let init = c.initiate(&metadata_of(kind));
    peer.send(&FrameBuilder::command(&init).build())
        .await
        .map_err(step("sending INITIATE"))?;
    let f = peer.read_frame(wait).await.map_err(step("reading READY"))?;
    let md = c.ready(&f.body).map_err(fault)?;
    let named = |p: zmtp_spec::wire::view::PropertyView<&[u8]>| {
        p.name()
            .is_some_and(|n| n.eq_ignore_ascii_case(b"Socket-Type"))
    };
    if !MetadataView::new(&md[..]).properties().any(named) {
        return Err(Stop::Fail("READY metadata carries no Socket-Type".into()));
    }
    Ok(())
}

case_fn!(honest_handshake, |cx| {
    // Param 1: the agent's ZAP handler allows exactly our permanent key.
    let permanent = zmtp::curve_keypair();
    let allow = (cx.param == 1).then(|| permanent.public().to_z85());
    let (s, ep, keys) = curve_server(cx, allow.as_deref()).await?;
    let mut peer = cx.dial(&ep, "client").await?;
    let mut c = Client::new(*keys.public(), &mut OsRng);
    c.permanent = permanent;
    handshake(cx, &mut peer, &mut c).await?;
    peer.send(&message_frame(&c.message(0, b"probe")))
        .await
        .map_err(step("sending MESSAGE"))?;
    let got = cx.agent().recv(s).await?;
    if got.len() == 1 && &got[0][..] == b"probe" {
        cx.pass("WELCOME, READY open with the right keys; the MESSAGE was delivered")
    } else {
        cx.fail(format!("delivered {}", crate::case::show(&got)))
    }
});

case_fn!(server_nonces, |cx| {
    let (s, ep, keys) = curve_server_of(cx, "DEALER", None).await?;
    let mut peer = cx.dial(&ep, "client").await?;
    let mut c = Client::new(*keys.public(), &mut OsRng);
    handshake_as(cx, &mut peer, &mut c, b"DEALER").await?;
    let wait = cx.wait();
    let mut nonces = vec![c.peer_nonce];
    for body in [&b"a"[..], b"b", b"c"] {
        cx.agent().send(s, &[body]).await?;
        let f = peer
            .read_frame(wait)
            .await
            .map_err(step("reading MESSAGE"))?;
        match c.open_message(&f.body) {
            Ok(m) if m.payload == body => nonces.push(m.nonce),
            Ok(m) => {
                return cx.fail(format!("MESSAGE carries {:?}, not {body:?}", m.payload));
            }
            Err(e) => return cx.fail(e.to_string()),
        }
    }
    cx.pass(format!(
        "READY and three MESSAGEs open (server-to-client prefix) with growing nonces {nonces:?}"
    ))
});

case_fn!(welcome_unique, |cx| {
    let (_s, ep, keys) = curve_server(cx, None).await?;
    let mut seen = Vec::new();
    for n in 0..3 {
        let mut peer = cx.dial(&ep, &format!("client{n}")).await?;
        let mut c = Client::new(*keys.public(), &mut OsRng);
        hello_welcome(cx, &mut peer, &mut c).await?;
        seen.push((c.welcome_nonce, c.server_transient, c.cookie));
    }
    for (i, a) in seen.iter().enumerate() {
        for b in &seen[i + 1..] {
            if a.0 == b.0 {
                return cx.fail("two WELCOMEs share a long nonce (26-R25)");
            }
            if a.1 == b.1 {
                return cx.fail("two WELCOMEs carry the same S' (26-R16)");
            }
            if a.2 == b.2 {
                return cx.fail("two WELCOMEs carry the same cookie (26-R28)");
            }
        }
    }
    cx.pass("three WELCOMEs: distinct long nonces, S' and cookies")
});

/// C' of a HELLO command body, read leniently.
fn client_transient(hello: &[u8]) -> Option<PublicKey> {
    let data = CommandView::new(hello).data()?;
    HelloView::new(data)
        .client_transient()
        .map(PublicKey::from_bytes)
}

case_fn!(client_transient_unique, |cx| {
    let (server, mine) = (zmtp::curve_keypair(), zmtp::curve_keypair());
    let mut keys = Vec::new();
    for n in 0..2 {
        let name = format!("server{n}");
        let (_s, mut peer) = curve_client_as(cx, &server, &mine, "PUSH", &name).await?;
        let body = read_hello(cx, &mut peer).await?;
        keys.push(client_transient(&body));
    }
    if keys[0] == keys[1] {
        cx.fail("two connections used the same transient key C' (26-R09)")
    } else {
        cx.pass("two connections, two different C'")
    }
});

case_fn!(hostile_hello, |cx| {
    let (s, ep, keys) = curve_server(cx, None).await?;
    let mut peer = cx.dial(&ep, "client").await?;
    let server = if cx.param == 1 {
        *zmtp::curve_keypair().public()
    } else {
        *keys.public()
    };
    let mut c = Client::new(server, &mut OsRng);
    cx.greet(&mut peer, greeting_for(Mechanism::CURVE.name()))
        .await?;
    let (hello, what) = match cx.param {
        0 => {
            let mut hello = c.hello();
            break_box(&mut hello);
            (hello, "HELLO with a bad box")
        }
        1 => (c.hello(), "HELLO for a wrong server key"),
        2 => {
            let mut hello = c.hello();
            hello.pop();
            (hello, "HELLO of 199 octets")
        }
        3 => {
            let mut hello = c.hello();
            hello.push(0);
            (hello, "HELLO of 201 octets")
        }
        4 => (
            c.hello_builder().version([2, 0]).command().build(),
            "HELLO version 2.0",
        ),
        _ => {
            let mut padding = [0; PADDING_LEN];
            padding[12] = 1;
            (
                c.hello_builder().padding(padding).command().build(),
                "HELLO with non-zero padding",
            )
        }
    };
    peer.send(&FrameBuilder::command(&hello).build())
        .await
        .map_err(step("sending HELLO"))?;
    // Whatever it does, a message must not get through.
    let _ = peer.send(&message_frame(&c.message(0, b"probe"))).await;
    let a = aftermath(cx, s, &mut peer).await?;
    judge_refusal(cx, &a, &[WELCOME, name::READY], what)
});

case_fn!(replayed_message, |cx| {
    let (s, ep, keys) = curve_server(cx, None).await?;
    let mut peer = cx.dial(&ep, "client").await?;
    let mut c = Client::new(*keys.public(), &mut OsRng);
    handshake(cx, &mut peer, &mut c).await?;
    if cx.param == 0 {
        let m = message_frame(&c.message(0, b"one"));
        peer.send(&m).await.map_err(step("sending MESSAGE"))?;
        let got = cx.agent().recv(s).await?;
        if !(got.len() == 1 && &got[0][..] == b"one") {
            return cx.fail(format!(
                "the first MESSAGE gave {}",
                crate::case::show(&got)
            ));
        }
        let _ = peer.send(&m).await;
        let a = aftermath(cx, s, &mut peer).await?;
        judge_refusal(cx, &a, &[name::ERROR], "a replayed MESSAGE nonce")
    } else {
        let mut m = c.message(0, b"probe");
        break_box(&mut m);
        let _ = peer.send(&message_frame(&m)).await;
        let a = aftermath(cx, s, &mut peer).await?;
        judge_refusal(cx, &a, &[name::ERROR], "a MESSAGE with a bad box")
    }
});

case_fn!(hostile_initiate, |cx| {
    let allow = (cx.param == 4).then(|| zmtp::curve_keypair().public().to_z85());
    let (s, ep, keys) = curve_server(cx, allow.as_deref()).await?;
    let mut peer = cx.dial(&ep, "client").await?;
    let mut c = Client::new(*keys.public(), &mut OsRng);
    hello_welcome(cx, &mut peer, &mut c).await?;
    let md = metadata_of(b"PUSH");
    let (init, what) = match cx.param {
        0 => {
            let v = c.vouch(zmtp::curve_keypair().secret());
            (c.initiate_with(&v, &md), "an INITIATE with a forged vouch")
        }
        1 | 2 => {
            let mut other_peer = cx.dial(&ep, "other").await?;
            let mut other = Client::new(*keys.public(), &mut OsRng);
            hello_welcome(cx, &mut other_peer, &mut other).await?;
            let init = other.initiate(&md);
            if cx.param == 1 {
                (init, "an INITIATE with another connection's cookie")
            } else {
                let wait = cx.wait();
                other_peer
                    .send(&FrameBuilder::command(&init).build())
                    .await
                    .map_err(step("sending INITIATE"))?;
                let f = other_peer
                    .read_frame(wait)
                    .await
                    .map_err(step("reading READY"))?;
                other.ready(&f.body).map_err(fault)?;
                (init, "a replayed INITIATE of a finished handshake")
            }
        }
        3 => {
            let mut init = c.initiate(&md);
            init.truncate(256);
            (init, "an INITIATE of 256 octets")
        }
        6 => {
            let md = MetadataBuilder::new()
                .property(b"socket-type", b"PUB")
                .build();
            (
                c.initiate(&md),
                "INITIATE metadata \"socket-type\" = PUB (lower case) to a PULL",
            )
        }
        5 => {
            let bad = MetadataBuilder::new()
                .property(b"", b"x")
                .property(b"Socket-Type", b"PUSH")
                .build();
            (
                c.initiate(&bad),
                "INITIATE metadata with a zero-length name",
            )
        }
        _ => (c.initiate(&md), "a client key ZAP refuses"),
    };
    peer.send(&FrameBuilder::command(&init).build())
        .await
        .map_err(step("sending INITIATE"))?;
    // With a ZAP question pending, a MESSAGE sent at once would be a
    // protocol error of its own; the ZAP case only listens for the answer.
    if cx.param != 4 {
        let _ = peer.send(&message_frame(&c.message(0, b"probe"))).await;
    }
    let a = aftermath(cx, s, &mut peer).await?;
    if cx.param == 6 && (a.delivered.is_some() || a.got(name::READY)) {
        let seen = if a.delivered.is_some() {
            "the message delivered"
        } else {
            "READY sent (the message was not delivered)"
        };
        return cx.deviation(
            "T-METADATA-CASE",
            format!("{what}: the name was not recognised, {seen} (zmtp-wire.md 6.2 #3)"),
        );
    }
    if cx.param == 5 && a.delivered.is_some() {
        return cx.deviation(
            "T-EMPTY-NAME",
            format!("{what}: accepted, and the message delivered (zero-length names, zmtp-wire.md 6.2 #3)"),
        );
    }
    if cx.param == 4 && a.delivered.is_none() && !a.got(name::READY) {
        // The ERROR's receiver closes (37-R16), so the server need not.
        return match a.error() {
            Some(r) => cx.pass(format!("{what}: ERROR \"{r}\" (26-R60); nothing crossed")),
            None if a.closed => cx.lenient(format!(
                "{what}: closed without ERROR (26-R42 allows it, 26-R60 asks for ERROR); nothing crossed"
            )),
            None => cx.fail(format!("{what}: neither ERROR nor a close; nothing crossed")),
        };
    }
    judge_refusal(cx, &a, &[name::READY], what)
});

case_fn!(downgrade, |cx| {
    let (s, ep, _keys) = if cx.param == 2 {
        match curve_server_secret_only(cx).await {
            Err(Stop::Fail(e)) => {
                return cx.pass(format!("the configuration was refused: {e}"));
            }
            other => other?,
        }
    } else {
        curve_server(cx, None).await?
    };
    let mut peer = cx.dial(&ep, "attacker").await?;
    if cx.param == 0 {
        // A ZMTP 2.0 peer (RFC 15): a PUSH with an empty identity, then
        // a message (2.0 framing is 3.x framing without commands).
        let mut hello = Vec::new();
        V2Greeting {
            padding: [0; 8],
            revision: V2Greeting::REVISION,
            socket_type: SocketType::Push.zmtp2_code().unwrap_or_default(),
        }
        .encode(&mut hello);
        if let Some(identity) = V2Identity::new(bytes::Bytes::new()) {
            identity.encode(&mut hello);
        }
        peer.send(&hello)
            .await
            .map_err(step("sending a 2.0 greeting"))?;
        let _ = peer
            .send(&FrameBuilder::message(b"probe", false).build())
            .await;
        let a = aftermath(cx, s, &mut peer).await?;
        judge_refusal(
            cx,
            &a,
            &[name::READY, WELCOME],
            "a ZMTP 2.0 peer at a CURVE server",
        )
    } else {
        let _ = peer.send(&GreetingBuilder::new().build()).await;
        let ready = CommandBuilder::ready(MetadataBuilder::new().property(b"Socket-Type", b"PUSH"));
        let _ = peer.send(&ready.frame().build()).await;
        let _ = peer.send(&crate::peer::message_frames(&[b"probe"])).await;
        let a = aftermath(cx, s, &mut peer).await?;
        judge_refusal(
            cx,
            &a,
            &[name::READY, WELCOME],
            "a NULL peer at a CURVE server",
        )
    }
});

/// A socket of `kind` with permanent keys `mine`, as a CURVE client of
/// `server`, connected to a raw listener named `listener`.
pub(super) async fn curve_client_as(
    cx: &mut Ctx,
    server: &KeyPair,
    mine: &KeyPair,
    kind: &str,
    listener: &str,
) -> Result<(Sock, RawPeer), Stop> {
    need_mechanism(cx, "CURVE")?;
    cx.need(&[kind])?;
    let listener = cx.listener(listener).await?;
    let mut a = cx.agent();
    let s = a.socket(kind).await?;
    a.set_bytes(s, "CURVE_SERVERKEY", server.public().to_z85().as_bytes())
        .await?;
    a.set_bytes(s, "CURVE_PUBLICKEY", mine.public().to_z85().as_bytes())
        .await?;
    a.set_bytes(s, "CURVE_SECRETKEY", mine.secret().to_z85().as_bytes())
        .await?;
    let (peer, ()) = cx.connect_and_accept(s, &listener, "server").await?;
    Ok((s, peer))
}

/// A socket of `kind` with fresh keys as a CURVE client of `server`.
pub(super) async fn curve_client_of(
    cx: &mut Ctx,
    server: &KeyPair,
    kind: &str,
) -> Result<(Sock, RawPeer), Stop> {
    curve_client_as(cx, server, &zmtp::curve_keypair(), kind, "server").await
}

/// Reads the client's HELLO: its body, or why it is wrong.
pub(super) async fn read_hello(cx: &mut Ctx, peer: &mut RawPeer) -> Result<Vec<u8>, Stop> {
    let wait = cx.wait();
    cx.greet(peer, greeting_for(Mechanism::CURVE.name()).as_server(1))
        .await?;
    let f = peer.read_frame(wait).await.map_err(step("reading HELLO"))?;
    if !f.is_command() {
        return Err(Stop::Fail(format!("expected HELLO, got {}", f.describe())));
    }
    Ok(f.body.to_vec())
}

case_fn!(client_hello, |cx| {
    let server = zmtp::curve_keypair();
    let (_s, mut peer) = curve_client_of(cx, &server, "PUSH").await?;
    let body = read_hello(cx, &mut peer).await?;
    match Server::new(server, &mut OsRng).hello(&body) {
        Ok(()) => {
            cx.pass("HELLO: 200 octets, version 1.0, zero padding, signature box of 64 zeros")
        }
        Err(e) => cx.fail(e.to_string()),
    }
});

case_fn!(client_bad_welcome, |cx| {
    let server = zmtp::curve_keypair();
    let (_s, mut peer) = curve_client_of(cx, &server, "PUSH").await?;
    let body = read_hello(cx, &mut peer).await?;
    // A WELCOME from a server with other permanent keys than S: the
    // right length, a box that does not open.
    let mut impostor = Server::new(zmtp::curve_keypair(), &mut OsRng);
    if let Some(key) = client_transient(&body) {
        impostor.client_transient = key;
    }
    peer.send(&FrameBuilder::command(&impostor.welcome()).build())
        .await
        .map_err(step("sending WELCOME"))?;
    let wait = cx.wait();
    let (closed, frames) = match peer.wait_close(wait).await {
        Ok(f) => (true, f),
        Err(f) => (false, f),
    };
    let names: Vec<String> = frames.iter().map(crate::peer::RawFrame::describe).collect();
    if frames
        .iter()
        .any(|f| f.command_name().is_some_and(|n| &n[..] == INITIATE))
    {
        return cx.fail(format!(
            "the client answered a bad WELCOME with INITIATE ({})",
            names.join(", ")
        ));
    }
    if frames
        .iter()
        .any(|f| f.command_name().is_some_and(|n| &n[..] == name::ERROR))
    {
        return cx.fail("the client sent ERROR (26-R03)");
    }
    if closed {
        cx.pass("the client closed the connection without INITIATE or ERROR")
    } else {
        cx.fail(format!(
            "the client neither closed nor answered (frames: [{}])",
            names.join(", ")
        ))
    }
});
