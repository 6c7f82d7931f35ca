//! ws: ZWS 2.0 (RFC 45) under the raw peer's ZMTP octet stream.
//!
//! ```text
//!  raw peer ── ZMTP octets ──> bridge ── one binary WebSocket message per frame ──> implementation
//!           <── ZMTP octets ──        <── one binary WebSocket message per frame ──
//! ```
//!
//! The raw peer writes what it writes over tcp: a greeting, then frames.
//! ZWS has no greeting (45-R07), so the bridge reads the raw peer's with
//! zmtp-spec's greeting rule and keeps it off the wire, and answers with
//! the greeting the implementation would have sent: version 3.0 (ZWS runs
//! 3.0's rules), the mechanism of the subprotocol the upgrade chose, the
//! other as-server role. The frames after it are cut into ZWS messages by
//! zmtp-spec's [`Splitter`], and each message received becomes its ZMTP
//! frame again ([`to_zmtp`]). The bridge writes no octet of its own: the
//! greeting is zmtp-spec's [`Greeting`], the framing zmtp-spec's.
//!
//! What ZWS cannot carry (a greeting other than a valid 3.x one of the
//! subprotocol's mechanism, a frame with reserved flag bits, a declared
//! size no WebSocket message here holds) ends the connection and is
//! noted as *unrepresentable*: the runner reports the case UNSUPPORTED
//! with the reason, never PASS or FAIL. What the implementation sends that
//! ZWS forbids (a text message, 45-R04; a malformed ZWS message, 45-R06)
//! is noted as a *violation*, and the case FAILs with it. The notes reach
//! the runner through [`NOTES`], the task-local the runner scopes around
//! each case.

use std::io;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self as ws, Message};
use zmtp_spec::wire::greeting::{Detected, detect, greeting};
use zmtp_spec::wire::zws::{Splitter, Subprotocol, to_zmtp};
use zmtp_spec::wire::{Framing, Greeting, Parsed, Version, run};

use super::{Listener, Stream, Transport};
use crate::agent::BoxFuture;

/// ZWS 2.0 over WebSocket on the loopback interface.
#[derive(Debug)]
pub struct Ws;

/// The subprotocols the raw peer offers as a client, and accepts as a
/// server: every mechanism one (the bridge always carries 3.x framing, so
/// not the bare `ZWS2.0`, which has 2.0's).
const MECHANISM_SUBPROTOCOLS: [Subprotocol; 3] =
    [Subprotocol::Null, Subprotocol::Plain, Subprotocol::Curve];

/// The largest frame the bridge carries: a raw peer that declares more
/// never sends the body, and a WebSocket message cannot promise it.
const MAX_FRAME: u64 = 16 * 1024 * 1024;

/// The room of the pipe between the raw peer and its bridge.
const PIPE: usize = 256 * 1024;

/// What a bridge noted during a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The raw peer did something ZWS cannot carry.
    Unrepresentable(String),
    /// The implementation broke a ZWS rule.
    Violation(String),
}

/// The notes of one case's bridges.
#[derive(Clone, Debug, Default)]
pub struct Notes(Arc<Mutex<Vec<Note>>>);

impl Notes {
    /// Adds a note.
    pub fn push(&self, note: Note) {
        if let Ok(mut v) = self.0.lock() {
            v.push(note);
        }
    }

    /// Every note so far.
    pub fn take(&self) -> Vec<Note> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

tokio::task_local! {
    /// The notes of the case running in this task (scoped by the runner).
    pub static NOTES: Notes;
}

fn notes() -> Notes {
    NOTES.try_with(Notes::clone).unwrap_or_default()
}

/// `host:port` and the path of an address after `ws://`.
fn split(address: &str) -> (&str, &str) {
    match address.find('/') {
        Some(at) => (&address[..at], &address[at..]),
        None => (address, "/"),
    }
}

impl Transport for Ws {
    fn name(&self) -> &'static str {
        "ws"
    }

    fn agent_endpoint(&self, _unique: &std::path::Path) -> io::Result<String> {
        Ok("ws://127.0.0.1:*/zmtp".to_string())
    }

    fn raw_endpoint(&self, _unique: &std::path::Path) -> io::Result<String> {
        Ok("ws://127.0.0.1:0/zmtp".to_string())
    }

    fn has_greeting(&self) -> bool {
        false
    }

    fn listen<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Listener>>> {
        Box::pin(async move {
            let (authority, path) = split(address);
            let listener = TcpListener::bind(authority).await?;
            let endpoint = format!("ws://{}{path}", listener.local_addr()?);
            Ok(Box::new(WsListening { listener, endpoint }) as Box<dyn Listener>)
        })
    }

    fn connect<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            let notes = notes();
            let (authority, _) = split(address);
            let tcp = TcpStream::connect(authority).await?;
            tcp.set_nodelay(true)?;
            let mut request = format!("ws://{address}")
                .into_client_request()
                .map_err(io::Error::other)?;
            let offer: Vec<&str> = MECHANISM_SUBPROTOCOLS.iter().map(|p| p.name()).collect();
            request.headers_mut().insert(
                header::SEC_WEBSOCKET_PROTOCOL,
                HeaderValue::from_str(&offer.join(",")).map_err(io::Error::other)?,
            );
            let (ws, response) =
                tokio_tungstenite::client_async_with_config(request, tcp, Some(config()))
                    .await
                    .map_err(io::Error::other)?;
            let chosen = response
                .headers()
                .get(header::SEC_WEBSOCKET_PROTOCOL)
                .and_then(|v| v.to_str().ok())
                .and_then(Subprotocol::from_name)
                .filter(|p| MECHANISM_SUBPROTOCOLS.contains(p));
            let Some(subprotocol) = chosen else {
                let why =
                    "the implementation chose no ZWS subprotocol the raw peer offered (45-R03)";
                notes.push(Note::Violation(why.into()));
                return Err(io::Error::new(io::ErrorKind::InvalidData, why));
            };
            Ok(Box::new(start(ws, subprotocol, false, notes)) as Box<dyn Stream>)
        })
    }
}

fn config() -> WebSocketConfig {
    WebSocketConfig::default()
}

struct WsListening {
    listener: TcpListener,
    endpoint: String,
}

impl Listener for WsListening {
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn accept(&self) -> BoxFuture<'_, io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            let notes = notes();
            let (tcp, _) = self.listener.accept().await?;
            tcp.set_nodelay(true)?;
            let mut chosen = None;
            let callback = |request: &Request, mut response: Response| {
                let offered = request
                    .headers()
                    .get_all(header::SEC_WEBSOCKET_PROTOCOL)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .filter_map(|name| Subprotocol::from_name(name.trim()))
                    .find(|p| MECHANISM_SUBPROTOCOLS.contains(p));
                match offered {
                    Some(p) => {
                        response.headers_mut().insert(
                            header::SEC_WEBSOCKET_PROTOCOL,
                            HeaderValue::from_static(p.name()),
                        );
                        chosen = Some(p);
                        Ok(response)
                    }
                    None => {
                        let mut refusal = ErrorResponse::new(Some(
                            "no ZWS 2.0 mechanism subprotocol offered (45-R01)".into(),
                        ));
                        *refusal.status_mut() = StatusCode::BAD_REQUEST;
                        Err(refusal)
                    }
                }
            };
            let ws = tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, Some(config()))
                .await
                .map_err(io::Error::other)?;
            let Some(subprotocol) = chosen else {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "no subprotocol"));
            };
            Ok(Box::new(start(ws, subprotocol, true, notes)) as Box<dyn Stream>)
        })
    }
}

/// Starts the bridge of an upgraded connection; returns the raw peer's end.
fn start(
    ws: WebSocketStream<TcpStream>,
    subprotocol: Subprotocol,
    raw_is_server: bool,
    notes: Notes,
) -> DuplexStream {
    let (ours, theirs) = tokio::io::duplex(PIPE);
    tokio::spawn(bridge(ws, theirs, subprotocol, raw_is_server, notes));
    ours
}

/// The greeting the implementation would have sent, in two parts: the
/// first 11 octets (signature and major, the same for every greeting) at
/// once, the rest once the raw peer's greeting is read.
fn their_greeting(subprotocol: Subprotocol, as_server: bool) -> [u8; Greeting::LEN] {
    let mechanism = subprotocol
        .mechanism()
        .unwrap_or(zmtp_spec::wire::Mechanism::NULL);
    let mut greeting = Greeting::new(mechanism, as_server);
    greeting.version = Version { major: 3, minor: 0 };
    let mut out = [0u8; Greeting::LEN];
    out.copy_from_slice(&greeting.to_bytes());
    out
}

/// How far the raw peer's greeting has come.
enum Phase {
    /// Its greeting octets, until 64 are in.
    Greeting(Vec<u8>),
    /// Frames.
    Frames,
}

async fn bridge(
    ws: WebSocketStream<TcpStream>,
    pipe: DuplexStream,
    subprotocol: Subprotocol,
    raw_is_server: bool,
    notes: Notes,
) {
    let (mut sink, mut source) = ws.split();
    let (mut from_raw, mut to_raw) = tokio::io::split(pipe);
    let mechanism = subprotocol.mechanism();
    let null = mechanism == Some(zmtp_spec::wire::Mechanism::NULL);
    // With NULL both sides say 0; otherwise the implementation is the
    // mechanism's server exactly when the raw peer is not.
    let theirs = their_greeting(subprotocol, !null && !raw_is_server);
    if to_raw
        .write_all(&theirs[..Greeting::PARTIAL_LEN])
        .await
        .is_err()
    {
        return;
    }
    let mut phase = Phase::Greeting(Vec::new());
    let mut splitter = Splitter::new(Framing::Zmtp3).with_max_frame(MAX_FRAME);
    // Frames from the implementation that arrive before the rest of its
    // greeting is given to the raw peer.
    let mut held: Vec<bytes::Bytes> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            read = from_raw.read(&mut buf) => {
                let n = match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let mut octets = &buf[..n];
                if let Phase::Greeting(got) = &mut phase {
                    let want = Greeting::LEN - got.len();
                    let take = want.min(octets.len());
                    got.extend_from_slice(&octets[..take]);
                    octets = &octets[take..];
                    // A 1.0 or 2.0 peer shows itself in its first octets
                    // and sends no 64: ZWS has nothing to carry it by.
                    match run(detect, got) {
                        Ok(Parsed::Done(Detected::Versioned { revision }, _)) if revision >= 3 => {}
                        Ok(Parsed::Incomplete(_)) => {}
                        _ => {
                            notes.push(Note::Unrepresentable(
                                "a ZMTP 1.0 or 2.0 greeting: ZWS 2.0 has no greeting and no \
                                 downgrade (45-R07)"
                                    .into(),
                            ));
                            break;
                        }
                    }
                    if got.len() < Greeting::LEN {
                        // The rest of a 3.x greeting is still to come (or a
                        // truncation on purpose, judged when the peer ends).
                        continue;
                    }
                    match run(greeting, got) {
                        Ok(Parsed::Done(g, _)) if Some(g.mechanism) == mechanism => {}
                        Ok(Parsed::Done(g, _)) => {
                            notes.push(Note::Unrepresentable(format!(
                                "a {} greeting over a {subprotocol} connection: over ws the \
                                 subprotocol names the mechanism and there is no greeting (45-R07)",
                                String::from_utf8_lossy(g.mechanism.name())
                            )));
                            break;
                        }
                        Ok(Parsed::Incomplete(_)) | Err(_) => {
                            notes.push(Note::Unrepresentable(
                                "a greeting that is not a valid ZMTP 3.x one: ZWS 2.0 has no \
                                 greeting to carry it (45-R07)"
                                    .into(),
                            ));
                            break;
                        }
                    }
                    if to_raw.write_all(&theirs[Greeting::PARTIAL_LEN..]).await.is_err() {
                        break;
                    }
                    phase = Phase::Frames;
                    let mut failed = false;
                    for frame in held.drain(..) {
                        if to_raw.write_all(&frame).await.is_err() {
                            failed = true;
                            break;
                        }
                    }
                    if failed {
                        break;
                    }
                }
                splitter.push(octets);
                let mut stop = false;
                loop {
                    match splitter.next_message() {
                        Ok(Some(message)) => {
                            if sink.feed(Message::Binary(message)).await.is_err() {
                                stop = true;
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            notes.push(Note::Unrepresentable(format!(
                                "a frame ZWS cannot carry ({e}): a ZWS message has a flags \
                                 octet of 00, 01 or 02 and no size field (45-R06)"
                            )));
                            stop = true;
                            break;
                        }
                    }
                }
                if stop || sink.flush().await.is_err() {
                    break;
                }
            }
            received = source.next() => match received {
                Some(Ok(Message::Binary(message))) => match to_zmtp(&message, Framing::Zmtp3) {
                    Ok(frame) => {
                        if matches!(phase, Phase::Greeting(_)) {
                            held.push(frame);
                        } else if to_raw.write_all(&frame).await.is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        notes.push(Note::Violation(format!(
                            "the implementation sent a malformed ZWS message: {e} (45-R06)"
                        )));
                        break;
                    }
                },
                Some(Ok(Message::Text(_))) => {
                    notes.push(Note::Violation(
                        "the implementation sent a text WebSocket message (45-R04)".into(),
                    ));
                    break;
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Close(_))) | None => break,
                Some(Err(ws::Error::ConnectionClosed | ws::Error::AlreadyClosed)) => break,
                Some(Err(e)) => {
                    notes.push(Note::Violation(format!(
                        "the implementation broke the WebSocket protocol: {e}"
                    )));
                    break;
                }
            }
        }
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        let _ = sink.send(Message::Close(None)).await;
        let _ = sink.close().await;
    })
    .await;
    let _ = to_raw.shutdown().await;
}
