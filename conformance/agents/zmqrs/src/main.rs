//! zmtp-conformance agent for zmq.rs (crate `zeromq` 0.7); see
//! `conformance/AGENTS.md` for the line-delimited JSON contract.
//!
//! zmq.rs takes the routing id at construction, so a socket is built lazily:
//! on its first bind, connect, send, recv or subscription.
//!
//! No call waits forever: send and recv wait for the request's
//! `timeout_ms` (at most [`MAX_WAIT`]), and every request, whatever it
//! waits on (a socket a background connect still holds, a close), is
//! answered within that plus [`SAFETY`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedMutexGuard};

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use zeromq::prelude::*;
use zeromq::{
    DealerSocket, PubSocket, PullSocket, PushSocket, RepSocket, ReqSocket, RouterSocket,
    SocketOptions, SubSocket, XPubSocket, XSubSocket, ZmqMessage,
};

/// The longest wait a request may ask for.
const MAX_WAIT: Duration = Duration::from_secs(600);
/// How long any request may take beyond its own `timeout_ms`.
const SAFETY: Duration = Duration::from_secs(10);

/// The request's `timeout_ms` (1000 when absent), at most [`MAX_WAIT`].
fn wait(req: &Value) -> Duration {
    Duration::from_millis(req["timeout_ms"].as_u64().unwrap_or(1000)).min(MAX_WAIT)
}

const TYPES: [&str; 10] = [
    "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB",
];

enum Live {
    Pub(PubSocket),
    Sub(SubSocket),
    Req(ReqSocket),
    Rep(RepSocket),
    Dealer(DealerSocket),
    Router(RouterSocket),
    Pull(PullSocket),
    Push(PushSocket),
    XPub(XPubSocket),
    XSub(XSubSocket),
}

struct Slot {
    kind: String,
    routing_id: Option<Vec<u8>>,
    live: Option<Arc<Mutex<Live>>>,
}

macro_rules! each {
    ($live:expr, $s:ident => $body:expr) => {
        match $live {
            Live::Pub($s) => $body,
            Live::Sub($s) => $body,
            Live::Req($s) => $body,
            Live::Rep($s) => $body,
            Live::Dealer($s) => $body,
            Live::Router($s) => $body,
            Live::Pull($s) => $body,
            Live::Push($s) => $body,
            Live::XPub($s) => $body,
            Live::XSub($s) => $body,
        }
    };
}

impl Slot {
    /// The socket, once a background connect (if any) has finished.
    async fn live(&mut self) -> Result<OwnedMutexGuard<Live>, String> {
        Ok(self.shared()?.lock_owned().await)
    }

    fn shared(&mut self) -> Result<Arc<Mutex<Live>>, String> {
        if self.live.is_none() {
            let mut options = SocketOptions::default();
            options.connect_timeout(Duration::from_secs(5));
            if let Some(id) = &self.routing_id {
                let id = zeromq::util::PeerIdentity::try_from(id.clone())
                    .map_err(|e| format!("routing id: {e}"))?;
                options.peer_identity(id);
            }
            self.live = Some(Arc::new(Mutex::new(match self.kind.as_str() {
                "PUB" => Live::Pub(PubSocket::with_options(options)),
                "SUB" => Live::Sub(SubSocket::with_options(options)),
                "REQ" => Live::Req(ReqSocket::with_options(options)),
                "REP" => Live::Rep(RepSocket::with_options(options)),
                "DEALER" => Live::Dealer(DealerSocket::with_options(options)),
                "ROUTER" => Live::Router(RouterSocket::with_options(options)),
                "PULL" => Live::Pull(PullSocket::with_options(options)),
                "PUSH" => Live::Push(PushSocket::with_options(options)),
                "XPUB" => Live::XPub(XPubSocket::with_options(options)),
                "XSUB" => Live::XSub(XSubSocket::with_options(options)),
                other => return Err(format!("socket type {other}")),
            })));
        }
        self.live.clone().ok_or_else(|| "no socket".to_string())
    }
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    if s.len() % 2 != 0 {
        return Err("odd hex".into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn recv(live: &mut Live) -> Result<ZmqMessage, String> {
    match live {
        Live::Pub(_) | Live::Push(_) => Err("socket cannot receive".into()),
        Live::Sub(s) => s.recv().await.map_err(|e| e.to_string()),
        Live::Req(s) => s.recv().await.map_err(|e| e.to_string()),
        Live::Rep(s) => s.recv().await.map_err(|e| e.to_string()),
        Live::Dealer(s) => s.recv().await.map_err(|e| e.to_string()),
        Live::Router(s) => s.recv().await.map_err(|e| e.to_string()),
        Live::Pull(s) => s.recv().await.map_err(|e| e.to_string()),
        Live::XPub(s) => s.recv().await.map_err(|e| e.to_string()),
        Live::XSub(s) => s.recv().await.map_err(|e| e.to_string()),
    }
}

async fn send(live: &mut Live, msg: ZmqMessage) -> Result<(), String> {
    match live {
        Live::Sub(_) | Live::Pull(_) => Err("socket cannot send".into()),
        Live::Pub(s) => s.send(msg).await.map_err(|e| e.to_string()),
        Live::Req(s) => s.send(msg).await.map_err(|e| e.to_string()),
        Live::Rep(s) => s.send(msg).await.map_err(|e| e.to_string()),
        Live::Dealer(s) => s.send(msg).await.map_err(|e| e.to_string()),
        Live::Router(s) => s.send(msg).await.map_err(|e| e.to_string()),
        Live::Push(s) => s.send(msg).await.map_err(|e| e.to_string()),
        Live::XPub(s) => s.send(msg).await.map_err(|e| e.to_string()),
        Live::XSub(s) => s.send(msg).await.map_err(|e| e.to_string()),
    }
}

/// Closes a socket, unless a background connect still holds it (then it
/// is dropped when that finishes).
async fn close(slot: Slot) {
    if let Some(shared) = slot.live {
        if let Ok(m) = Arc::try_unwrap(shared) {
            let live = m.into_inner();
            each!(live, s => { s.close().await; });
        }
    }
}

struct Agent {
    slots: HashMap<u64, Slot>,
    next: u64,
}

impl Agent {
    fn slot(&mut self, req: &Value) -> Result<&mut Slot, String> {
        let h = req["socket"].as_u64().ok_or("no socket handle")?;
        self.slots
            .get_mut(&h)
            .ok_or_else(|| format!("unknown socket handle {h}"))
    }

    async fn handle(&mut self, req: &Value) -> Result<Value, String> {
        let timeout = wait(req);
        match req["op"].as_str().unwrap_or("") {
            "manifest" => Ok(
                json!({"ok": true, "name": "zmqrs", "version": "zmq.rs (zeromq 0.7)",
                "zmtp": "3.0", "socket_types": TYPES, "transports": ["tcp", "ipc"],
                "mechanisms": ["NULL"]}),
            ),
            "socket" => {
                let kind = req["type"].as_str().unwrap_or("").to_string();
                if !TYPES.contains(&kind.as_str()) {
                    return Ok(json!({"unsupported": format!("socket type {kind}")}));
                }
                let h = self.next;
                self.next += 1;
                self.slots.insert(
                    h,
                    Slot {
                        kind,
                        routing_id: None,
                        live: None,
                    },
                );
                Ok(json!({"ok": true, "socket": h}))
            }
            "setsockopt" => {
                let slot = self.slot(req)?;
                let value = req["value"].as_str().unwrap_or("");
                match req["option"].as_str().unwrap_or("") {
                    "ROUTING_ID" if slot.live.is_none() => slot.routing_id = Some(unhex(value)?),
                    "SUBSCRIBE" | "UNSUBSCRIBE" => {
                        let topic = String::from_utf8(unhex(value)?)
                            .map_err(|_| "zmq.rs subscribes to UTF-8 topics only".to_string());
                        let Ok(topic) = topic else {
                            return Ok(json!({"unsupported": "binary subscription"}));
                        };
                        let sub = req["option"] == "SUBSCRIBE";
                        let mut live = slot.live().await?;
                        match &mut *live {
                            Live::Sub(s) if sub => s.subscribe(&topic).await,
                            Live::Sub(s) => s.unsubscribe(&topic).await,
                            Live::XSub(s) if sub => s.subscribe(&topic).await,
                            Live::XSub(s) => s.unsubscribe(&topic).await,
                            _ => return Err("not a subscriber".into()),
                        }
                        .map_err(|e| e.to_string())?;
                    }
                    "LINGER" => {} // zmq.rs has no linger: closing drops queued messages
                    other => return Ok(json!({"unsupported": format!("option {other}")})),
                }
                Ok(json!({"ok": true}))
            }
            "bind" => {
                let mut ep = req["endpoint"].as_str().unwrap_or("").to_string();
                if let Some(host) = ep.strip_suffix(":*") {
                    ep = format!("{host}:0"); // zmq.rs spells "any port" as 0
                }
                let mut live = self.slot(req)?.live().await?;
                let bound = each!(&mut *live, s => s.bind(&ep).await).map_err(|e| e.to_string())?;
                Ok(json!({"ok": true, "endpoint": bound.to_string()}))
            }
            "connect" => {
                let ep = req["endpoint"].as_str().unwrap_or("").to_string();
                // zmq.rs finishes the handshake inside connect; run it in
                // the background (holding the socket) so the caller can
                // play the other side, as with libzmq's asynchronous connect.
                let mut live = self.slot(req)?.live().await?;
                tokio::spawn(async move {
                    if let Err(e) = each!(&mut *live, s => s.connect(&ep).await) {
                        eprintln!("zmqrs agent: connect {ep}: {e}");
                    }
                });
                Ok(json!({"ok": true}))
            }
            "send" => {
                let frames = req["frames"].as_array().ok_or("no frames")?;
                let frames = frames
                    .iter()
                    .map(|f| unhex(f.as_str().unwrap_or("")).map(Bytes::from))
                    .collect::<Result<Vec<_>, _>>()?;
                let msg = ZmqMessage::try_from(frames).map_err(|e| e.to_string())?;
                let slot = self.slot(req)?;
                let result = tokio::time::timeout(timeout, async {
                    let mut live = slot.live().await?;
                    send(&mut live, msg).await
                })
                .await;
                match result {
                    Ok(r) => r.map(|()| json!({"ok": true})),
                    Err(_) => Ok(json!({"error": "send timed out", "again": true})),
                }
            }
            "recv" => {
                let slot = self.slot(req)?;
                let result = tokio::time::timeout(timeout, async {
                    let mut live = slot.live().await?;
                    recv(&mut live).await
                })
                .await;
                match result {
                    Ok(r) => {
                        let frames: Vec<String> = r?.iter().map(|f| hex(f)).collect();
                        Ok(json!({"ok": true, "frames": frames}))
                    }
                    Err(_) => Ok(json!({"error": "recv timed out", "again": true})),
                }
            }
            "close" => {
                let h = req["socket"].as_u64().unwrap_or(u64::MAX);
                let slot = self.slots.remove(&h).ok_or("unknown socket handle")?;
                close(slot).await;
                Ok(json!({"ok": true}))
            }
            "reset" => {
                for (_, slot) in self.slots.drain() {
                    close(slot).await;
                }
                Ok(json!({"ok": true}))
            }
            "quit" => Ok(json!({"ok": true})),
            other => Ok(json!({"unsupported": format!("op {other}")})),
        }
    }
}

#[tokio::main]
async fn main() {
    let mut agent = Agent {
        slots: HashMap::new(),
        next: 0,
    };
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut out = tokio::io::stdout();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim().is_empty() {
            continue;
        }
        let req: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => json!({"op": "", "bad": e.to_string()}),
        };
        let limit = wait(&req) + SAFETY;
        let mut answer = match tokio::time::timeout(limit, agent.handle(&req)).await {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => json!({"error": e}),
            Err(_) => json!({"error": format!("no answer within {limit:?}"), "again": true}),
        };
        answer["id"] = req["id"].clone();
        let text = format!("{answer}\n");
        if out.write_all(text.as_bytes()).await.is_err() || out.flush().await.is_err() {
            break;
        }
        if req["op"] == "quit" {
            break;
        }
    }
    std::process::exit(0);
}
