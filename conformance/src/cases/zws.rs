//! ZWS 2.0 (RFC 45) itself: the upgrade, the subprotocols, the framing,
//! and malformed WebSocket messages, over `--transport ws` only. These
//! cases hold their own WebSocket (tokio-tungstenite) instead of the raw
//! peer's bridge, so that they see the upgrade and every message as it
//! is; what they send is built by zmtp-spec (its command builders and
//! [`ZwsBuilder`]) and what they receive is read by zmtp-spec's rules.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
use tokio_tungstenite::tungstenite::{self as ws, Message};
use zmtp_spec::wire::Command;
use zmtp_spec::wire::view::{CommandBuilder, ZwsBuilder, ZwsView};
use zmtp_spec::wire::zws::{Subprotocol, flags};

use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, Outcome, show};
use crate::cases::case_fn;
use crate::peer::ready;
use crate::wirelog::{Direction, WireLog, hex};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "45-R01/1",
            also: &["45-R02"],
            param: 1,
            run: client_request,
            sends: "nothing: the implementation's PUSH connects to ws://127.0.0.1:PORT/zws/feed of a raw WebSocket listener",
            expects: "an upgrade request for /zws/feed at host 127.0.0.1 offering at least one ZWS subprotocol",
        },
        Case {
            id: "45-R03/1",
            also: &[],
            param: 1,
            run: server_choice,
            sends: "an upgrade to a bound PULL offering x-unknown, then ZWS2.0/NULL",
            expects: "101 naming ZWS2.0/NULL, the one ZWS subprotocol offered",
        },
        Case {
            id: "45-R07/1",
            also: &["45-R04", "45-R06"],
            param: 1,
            run: no_greeting,
            sends: "an upgrade to a bound PULL with ZWS2.0/NULL, READY as a ZWS command, then [a][b] as messages 01 a, 00 b",
            expects: "its first message is a binary command (02) READY, no greeting; [a][b] delivered",
        },
        Case {
            id: "45-R06/1",
            also: &[],
            param: 0,
            run: malformed,
            sends: "after the NULL handshake, an empty binary message, then a probe message",
            expects: "the probe not delivered and the connection closed",
        },
        Case {
            id: "45-R06/2",
            also: &[],
            param: 1,
            run: malformed,
            sends: "after the NULL handshake, a message with ZMTP's command flag 04 instead of ZWS's 02, then a probe",
            expects: "the probe not delivered and the connection closed",
        },
        Case {
            id: "45-R06/3",
            also: &[],
            param: 2,
            run: malformed,
            sends: "after the NULL handshake, a message with reserved flag bits (81), then a probe",
            expects: "the probe not delivered and the connection closed",
        },
        Case {
            id: "45-R04/1",
            also: &[],
            param: 3,
            run: malformed,
            sends: "after the NULL handshake, a text WebSocket message, then a probe",
            expects: "the probe not delivered and the connection closed",
        },
        Case {
            id: "45-R05/1",
            also: &[],
            param: 1,
            run: bare,
            sends: "an upgrade to a bound PULL offering only ZWS2.0, an empty routing id (00), then 00 bare",
            expects: "101 naming ZWS2.0, its routing id as a 00 message, [bare] delivered",
        },
        Case {
            id: "45-R08/1",
            also: &[],
            param: 1,
            run: no_common_subprotocol,
            sends: "an upgrade to a bound NULL PULL offering only ZWS2.0/PLAIN",
            expects: "the upgrade refused (not 101) or the connection closed at once",
        },
        Case {
            id: "45-R09/1",
            also: &["G22"],
            param: 1,
            run: subscription_message,
            sends: "the implementation's SUB connects to a raw PUB over ZWS2.0/NULL and subscribes to \"topic\"",
            expects: "a binary message 00 01 topic (a subscription message), not a SUBSCRIBE command",
        },
        Case {
            id: "45-R10/1",
            also: &["37-R33"],
            param: 1,
            run: incompatible_peer,
            sends: "READY with Socket-Type PULL to a bound PULL over ZWS2.0/NULL, then a probe",
            expects: "the probe not delivered and the connection closed",
        },
    ]
}

type Raw = WebSocketStream<TcpStream>;

/// These cases speak ZWS themselves: over tcp or ipc they do not apply.
fn need_ws(cx: &Ctx) -> Result<(), Stop> {
    let t = cx.settings.transport.name();
    if t == "ws" {
        Ok(())
    } else {
        Err(Stop::Unsupported(format!(
            "not applicable over {t}: a ZWS 2.0 case runs with --transport ws"
        )))
    }
}

/// `host:port` and the path of a `ws://` endpoint.
fn authority(endpoint: &str) -> &str {
    let rest = endpoint.trim_start_matches("ws://");
    rest.split('/').next().unwrap_or(rest)
}

/// Upgrades to `endpoint` offering `protocols`; the subprotocol the
/// implementation named, if any.
async fn upgrade(
    log: &WireLog,
    wait: Duration,
    endpoint: &str,
    protocols: &str,
) -> Result<Result<(Raw, Option<String>), ws::Error>, Stop> {
    let tcp = timeout(wait, TcpStream::connect(authority(endpoint)))
        .await
        .map_err(|_| Stop::Fail("tcp connect timed out".into()))?
        .map_err(|e| Stop::Fail(format!("tcp connect: {e}")))?;
    let mut request = endpoint
        .into_client_request()
        .map_err(|e| Stop::Fail(format!("request: {e}")))?;
    let value = HeaderValue::from_str(protocols).map_err(|e| Stop::Fail(e.to_string()))?;
    request
        .headers_mut()
        .insert(header::SEC_WEBSOCKET_PROTOCOL, value);
    log.note(
        "peer1",
        format!("upgrade to {endpoint} offering {protocols}"),
    );
    let answer = timeout(wait, tokio_tungstenite::client_async(request, tcp))
        .await
        .map_err(|_| Stop::Fail("the upgrade timed out".into()))?;
    Ok(answer.map(|(raw, response)| {
        let chosen = response
            .headers()
            .get(header::SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        log.note("peer1", format!("101, subprotocol {chosen:?}"));
        (raw, chosen)
    }))
}

async fn send(log: &WireLog, wait: Duration, raw: &mut Raw, message: Message) -> Result<(), Stop> {
    match &message {
        Message::Binary(b) => log.bytes("peer1", Direction::Out, b),
        other => log.note("peer1", format!("sends {other:?}")),
    }
    timeout(wait, raw.send(message))
        .await
        .map_err(|_| Stop::Fail("send timed out".into()))?
        .map_err(|e| Stop::Fail(format!("send: {e}")))
}

/// What arrived next.
enum Next {
    Binary(bytes::Bytes),
    /// Anything but binary: the opcode, for a verdict.
    Other(String),
    Closed,
    Nothing,
}

async fn next(log: &WireLog, raw: &mut Raw, wait: Duration) -> Next {
    loop {
        match timeout(wait, raw.next()).await {
            Err(_) => return Next::Nothing,
            Ok(Some(Ok(Message::Binary(b)))) => {
                log.bytes("peer1", Direction::In, &b);
                return Next::Binary(b);
            }
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            Ok(Some(Ok(Message::Close(frame)))) => {
                log.note("peer1", format!("close {frame:?}"));
                return Next::Closed;
            }
            Ok(Some(Ok(other))) => return Next::Other(format!("{other:?}")),
            Ok(Some(Err(_)) | None) => return Next::Closed,
        }
    }
}

/// The message of a ZWS command built by zmtp-spec.
fn command(builder: &CommandBuilder) -> Message {
    Message::Binary(ZwsBuilder::command(&builder.build()).build().into())
}

/// Whether `message` is a ZWS command READY.
fn is_ready(message: &[u8]) -> bool {
    let view = ZwsView::new(message);
    view.flags() == Some(flags::COMMAND)
        && matches!(
            Command::parse(&bytes::Bytes::copy_from_slice(view.body())),
            Ok(Command::Ready(_))
        )
}

/// A bound agent socket of `kind` and a raw WebSocket that finished the
/// NULL handshake with it as a `peer_type` (READY each way).
async fn handshaken(
    cx: &mut Ctx,
    kind: &str,
    peer_type: &[u8],
) -> Result<Result<(Sock, Raw), String>, Stop> {
    let (s, ep) = cx.bound(kind).await?;
    let (mut raw, chosen) = match upgrade(&cx.log, cx.wait(), &ep, Subprotocol::Null.name()).await?
    {
        Ok(up) => up,
        Err(e) => return Ok(Err(format!("the upgrade with ZWS2.0/NULL failed: {e}"))),
    };
    if chosen.as_deref() != Some(Subprotocol::Null.name()) {
        return Ok(Err(format!(
            "the upgrade chose {chosen:?}, not ZWS2.0/NULL"
        )));
    }
    let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", peer_type)];
    send(&cx.log, cx.wait(), &mut raw, command(&ready(&props))).await?;
    match next(&cx.log, &mut raw, cx.wait()).await {
        Next::Binary(b) if is_ready(&b) => Ok(Ok((s, raw))),
        Next::Binary(b) => Ok(Err(format!("its first message is {}, not READY", hex(&b)))),
        Next::Other(what) => Ok(Err(format!("its first message is {what}"))),
        Next::Closed => Ok(Err("it closed instead of sending READY".into())),
        Next::Nothing => Ok(Err("no READY arrived".into())),
    }
}

/// The implementation delivered nothing and closed the connection.
async fn refused(cx: &mut Ctx, s: Sock, raw: &mut Raw, what: &str) -> Outcome {
    let _ = send(
        &cx.log,
        cx.wait(),
        raw,
        Message::Binary(ZwsBuilder::new().body(b"probe").build().into()),
    )
    .await;
    let quiet = cx.quiet();
    if let Some(m) = cx.agent().recv_within(s, quiet).await? {
        return cx.fail(format!("after {what} it delivered {}", show(&m)));
    }
    let wait = cx.wait();
    loop {
        match next(&cx.log, raw, wait).await {
            Next::Closed => {
                return cx.pass(format!(
                    "after {what} it closed the connection, delivering nothing"
                ));
            }
            Next::Nothing => {
                return cx.fail(format!(
                    "after {what} it delivered nothing but kept the connection open"
                ));
            }
            Next::Binary(_) | Next::Other(_) => {}
        }
    }
}

case_fn!(client_request, |cx| {
    need_ws(cx)?;
    cx.need(&["PUSH"])?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| Stop::Fail(format!("listen: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Stop::Fail(e.to_string()))?
        .port();
    let s = cx.agent().socket("PUSH").await?;
    let endpoint = format!("ws://127.0.0.1:{port}/zws/feed");
    cx.agent().connect(s, &endpoint).await?;
    let (tcp, _) = timeout(cx.wait(), listener.accept())
        .await
        .map_err(|_| Stop::Fail("the implementation did not connect".into()))?
        .map_err(|e| Stop::Fail(format!("accept: {e}")))?;
    let mut seen = None;
    let callback = |request: &Request, mut response: Response| {
        let offered: Vec<String> = request
            .headers()
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let pick = Subprotocol::select(
            offered.iter().map(String::as_str),
            zmtp_spec::wire::Mechanism::NULL,
        );
        if let Some(p) = pick {
            response.headers_mut().insert(
                header::SEC_WEBSOCKET_PROTOCOL,
                HeaderValue::from_static(p.name()),
            );
        }
        seen = Some((request.uri().path().to_owned(), host, offered));
        Ok(response)
    };
    let _ = timeout(
        cx.wait(),
        tokio_tungstenite::accept_hdr_async(tcp, callback),
    )
    .await;
    let Some((path, host, offered)) = seen else {
        return cx.fail("no upgrade request arrived");
    };
    cx.log.note(
        "listener",
        format!("request for {path}, Host {host:?}, Sec-WebSocket-Protocol {offered:?}"),
    );
    let zws: Vec<Subprotocol> = offered
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|n| Subprotocol::from_name(n.trim()))
        .collect();
    let host_name = host
        .as_deref()
        .map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name));
    if zws.is_empty() {
        cx.fail(format!(
            "the request offers no ZWS subprotocol: {offered:?} (45-R01)"
        ))
    } else if path != "/zws/feed" {
        cx.fail(format!("the request is for {path}, not /zws/feed (45-R02)"))
    } else if host_name != Some("127.0.0.1") {
        cx.fail(format!(
            "the request's Host is {host:?}, not 127.0.0.1 (45-R02)"
        ))
    } else {
        cx.pass(format!(
            "request for {path} at Host {}, offering {offered:?}",
            host.unwrap_or_default()
        ))
    }
});

case_fn!(server_choice, |cx| {
    need_ws(cx)?;
    let (_s, ep) = cx.bound("PULL").await?;
    match upgrade(&cx.log, cx.wait(), &ep, "x-unknown, ZWS2.0/NULL").await? {
        Ok((_, Some(p))) if p == Subprotocol::Null.name() => {
            cx.pass("101 naming ZWS2.0/NULL, the one ZWS subprotocol offered")
        }
        Ok((_, chosen)) => cx.fail(format!(
            "101 naming {chosen:?}, not the one ZWS subprotocol offered (ZWS2.0/NULL)"
        )),
        Err(e) => cx.fail(format!("the upgrade failed: {e}")),
    }
});

case_fn!(no_greeting, |cx| {
    need_ws(cx)?;
    let (s, mut raw) = match handshaken(cx, "PULL", b"PUSH").await? {
        Ok(up) => up,
        Err(why) => return cx.fail(why),
    };
    for part in [
        ZwsBuilder::new().flags(flags::MORE).body(b"a"),
        ZwsBuilder::new().body(b"b"),
    ] {
        send(
            &cx.log,
            cx.wait(),
            &mut raw,
            Message::Binary(part.build().into()),
        )
        .await?;
    }
    let m = cx.agent().recv(s).await?;
    if m == [&b"a"[..], &b"b"[..]] {
        cx.pass(
            "its first message was READY as a binary ZWS command, no greeting; [a][b] delivered",
        )
    } else {
        cx.fail(format!("READY came first, but it delivered {}", show(&m)))
    }
});

case_fn!(malformed, |cx| {
    need_ws(cx)?;
    let (s, mut raw) = match handshaken(cx, "PULL", b"PUSH").await? {
        Ok(up) => up,
        Err(why) => return Err(Stop::Fail(why)),
    };
    let (what, message) = match cx.param {
        0 => (
            "an empty message",
            Message::Binary(ZwsBuilder::new().no_flags().build().into()),
        ),
        1 => (
            "flags 04 (ZMTP's command bit)",
            Message::Binary(
                ZwsBuilder::new()
                    .flags(0x04)
                    .body(b"\x05READY")
                    .build()
                    .into(),
            ),
        ),
        2 => (
            "reserved flags 81",
            Message::Binary(ZwsBuilder::new().flags(0x81).body(b"x").build().into()),
        ),
        _ => (
            "a text message",
            Message::Text(
                String::from_utf8_lossy(&ZwsBuilder::new().body(b"text").build())
                    .into_owned()
                    .into(),
            ),
        ),
    };
    send(&cx.log, cx.wait(), &mut raw, message).await?;
    refused(cx, s, &mut raw, what).await
});

case_fn!(bare, |cx| {
    need_ws(cx)?;
    let (s, ep) = cx.bound("PULL").await?;
    let (mut raw, chosen) = match upgrade(&cx.log, cx.wait(), &ep, Subprotocol::Bare.name()).await?
    {
        Ok(up) => up,
        Err(e) => return cx.fail(format!("an upgrade offering only ZWS2.0 failed: {e}")),
    };
    if chosen.as_deref() != Some(Subprotocol::Bare.name()) {
        return cx.fail(format!("the upgrade chose {chosen:?}, not ZWS2.0"));
    }
    send(
        &cx.log,
        cx.wait(),
        &mut raw,
        Message::Binary(ZwsBuilder::new().build().into()),
    )
    .await?;
    let Next::Binary(theirs) = next(&cx.log, &mut raw, cx.wait()).await else {
        return cx.fail("no routing id message arrived");
    };
    let view = ZwsView::new(&theirs[..]);
    if view.flags() != Some(flags::LAST) {
        return cx.fail(format!(
            "its first message {} is not a routing id (00)",
            hex(&theirs)
        ));
    }
    send(
        &cx.log,
        cx.wait(),
        &mut raw,
        Message::Binary(ZwsBuilder::new().body(b"bare").build().into()),
    )
    .await?;
    let m = cx.agent().recv(s).await?;
    if m == [&b"bare"[..]] {
        cx.pass(format!(
            "ZWS2.0 accepted; its routing id {} came first, [bare] delivered",
            hex(view.body())
        ))
    } else {
        cx.fail(format!("it delivered {}", show(&m)))
    }
});

case_fn!(no_common_subprotocol, |cx| {
    need_ws(cx)?;
    let (s, ep) = cx.bound("PULL").await?;
    match upgrade(&cx.log, cx.wait(), &ep, Subprotocol::Plain.name()).await? {
        Err(e) => cx.pass(format!("the upgrade was refused: {e}")),
        Ok((mut raw, chosen)) => {
            let _ = chosen;
            refused(cx, s, &mut raw, "an upgrade offering only ZWS2.0/PLAIN").await
        }
    }
});

case_fn!(subscription_message, |cx| {
    need_ws(cx)?;
    cx.need(&["SUB"])?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| Stop::Fail(format!("listen: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Stop::Fail(e.to_string()))?
        .port();
    let s = cx.agent().socket("SUB").await?;
    cx.agent()
        .connect(s, &format!("ws://127.0.0.1:{port}/"))
        .await?;
    let (tcp, _) = timeout(cx.wait(), listener.accept())
        .await
        .map_err(|_| Stop::Fail("the implementation did not connect".into()))?
        .map_err(|e| Stop::Fail(format!("accept: {e}")))?;
    let callback = |_: &Request, mut response: Response| {
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(Subprotocol::Null.name()),
        );
        Ok(response)
    };
    let mut raw = timeout(
        cx.wait(),
        tokio_tungstenite::accept_hdr_async(tcp, callback),
    )
    .await
    .map_err(|_| Stop::Fail("the upgrade timed out".into()))?
    .map_err(|e| Stop::Fail(format!("the upgrade: {e}")))?;
    let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", b"PUB")];
    send(&cx.log, cx.wait(), &mut raw, command(&ready(&props))).await?;
    cx.agent().set_bytes(s, "SUBSCRIBE", b"topic").await?;
    let wait = cx.wait();
    loop {
        match next(&cx.log, &mut raw, wait).await {
            Next::Binary(b) if is_ready(&b) => {}
            Next::Binary(b) => {
                let view = ZwsView::new(&b[..]);
                return match (view.flags(), view.body()) {
                    (Some(flags::LAST), b"\x01topic") => {
                        cx.pass("the subscription came as the message 00 01 topic")
                    }
                    (Some(flags::COMMAND), _) => cx.fail(format!(
                        "the subscription came as a command {} (45-R09 asks for a message)",
                        hex(&b)
                    )),
                    _ => cx.fail(format!("it sent {} instead of 00 01 topic", hex(&b))),
                };
            }
            Next::Other(what) => return cx.fail(format!("it sent {what}")),
            Next::Closed => return cx.fail("it closed the connection"),
            Next::Nothing => return cx.fail("no subscription arrived"),
        }
    }
});

case_fn!(incompatible_peer, |cx| {
    need_ws(cx)?;
    let (s, ep) = cx.bound("PULL").await?;
    let (mut raw, chosen) = match upgrade(&cx.log, cx.wait(), &ep, Subprotocol::Null.name()).await?
    {
        Ok(up) => up,
        Err(e) => return Err(Stop::Fail(format!("the upgrade failed: {e}"))),
    };
    let _ = chosen;
    let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", b"PULL")];
    send(&cx.log, cx.wait(), &mut raw, command(&ready(&props))).await?;
    refused(cx, s, &mut raw, "READY from a PULL peer").await
});
