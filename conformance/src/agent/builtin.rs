//! The built-in agent: this project's `zmtp` crate, driven in process
//! through the same JSON requests as a process agent (AGENTS.md), so the
//! cases cannot tell it from a third-party library.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use zmtp::{Context, Error, Message, Socket, SocketType, opt};

use super::zap::{ZapPolicy, log_answer};
use super::zap_handler::ZapHandler;
use super::{Agent, AgentFailure, Answer, BoxFuture};
use crate::wirelog::{hex, unhex};

/// The zmtp crate as an agent.
pub struct Builtin {
    ctx: Context,
    sockets: HashMap<u64, Socket>,
    next: u64,
    zap: Option<ZapHandler>,
}

impl Builtin {
    /// An agent with its own context on the current tokio runtime.
    pub fn new() -> Self {
        Self {
            ctx: Context::with_handle(tokio::runtime::Handle::current()),
            sockets: HashMap::new(),
            next: 0,
            zap: None,
        }
    }

    fn socket(&self, req: &Value) -> Result<&Socket, Answer> {
        let h = req["socket"].as_u64().unwrap_or(u64::MAX);
        self.sockets
            .get(&h)
            .ok_or_else(|| error(format!("unknown socket handle {h}")))
    }

    /// The socket types zmtp creates: the classic ones and the draft ones
    /// it implements, and STREAM. A SERVER's and a PEER's messages are `[routing id,
    /// body]` through this agent (the id as four octets), RADIO's and
    /// DISH's `[group, body]`, so a case's `recv` sees the body last.
    fn socket_types(&self) -> Vec<&'static str> {
        SocketType::ALL
            .iter()
            .chain([&SocketType::Stream])
            .filter(|t| self.ctx.socket(**t).is_ok())
            .map(|t| t.as_str())
            .collect()
    }

    async fn answer(&mut self, req: Value) -> Answer {
        match self.dispatch(&req).await {
            Ok(a) | Err(a) => a,
        }
    }

    async fn dispatch(&mut self, req: &Value) -> Result<Answer, Answer> {
        let wait = Duration::from_millis(req["timeout_ms"].as_u64().unwrap_or(1000));
        let ok = || Answer::Ok(json!({"ok": true}));
        match req["op"].as_str().unwrap_or("") {
            "manifest" => Ok(Answer::Ok(json!({
                "ok": true, "name": "builtin",
                "version": format!("zmtp {}", env!("CARGO_PKG_VERSION")),
                "zmtp": "3.1",
                "socket_types": self.socket_types(),
                "transports": ["tcp", "ipc", "udp", "ws"], "mechanisms": ["NULL", "PLAIN", "CURVE"],
            }))),
            "socket" => {
                let name = req["type"].as_str().unwrap_or("");
                let Some(kind) = SocketType::from_name(name.as_bytes()) else {
                    return Ok(Answer::Unsupported(format!("socket type {name}")));
                };
                let s = self
                    .ctx
                    .socket(kind)
                    .map_err(|e| unsupported_or_error(&e))?;
                let _ = s.set(opt::Linger, Some(Duration::ZERO));
                let h = self.next;
                self.next += 1;
                self.sockets.insert(h, s);
                Ok(Answer::Ok(json!({"ok": true, "socket": h})))
            }
            "setsockopt" => {
                let s = self.socket(req)?;
                set_option(s, req["option"].as_str().unwrap_or(""), &req["value"])?;
                Ok(ok())
            }
            "bind" => {
                let s = self.socket(req)?;
                s.bind(req["endpoint"].as_str().unwrap_or(""))
                    .map_err(|e| error(e.to_string()))?;
                Ok(Answer::Ok(
                    json!({"ok": true, "endpoint": s.last_endpoint()}),
                ))
            }
            "connect" => {
                let s = self.socket(req)?;
                s.connect(req["endpoint"].as_str().unwrap_or(""))
                    .map_err(|e| error(e.to_string()))?;
                Ok(ok())
            }
            "connect_peer" => {
                let s = self.socket(req)?;
                let id = s
                    .connect_peer(req["endpoint"].as_str().unwrap_or(""))
                    .map_err(|e| error(e.to_string()))?;
                Ok(Answer::Ok(
                    json!({"ok": true, "routing_id": hex(&id.to_be_bytes())}),
                ))
            }
            "send" => {
                let s = self.socket(req)?;
                let frames = req["frames"].as_array().cloned().unwrap_or_default();
                let frames: Option<Vec<Bytes>> = frames
                    .iter()
                    .map(|f| f.as_str().and_then(unhex).map(Bytes::from))
                    .collect();
                let msg = Message::from_frames(frames.ok_or_else(|| error("bad frames".into()))?);
                match tokio::time::timeout(wait, s.send(msg)).await {
                    // EAGAIN: the contract's `again` (AGENTS.md).
                    Err(_) => Ok(again("send timed out")),
                    Ok(Err(e)) if e.is_again() => Ok(again("send timed out")),
                    Ok(Err(e)) => Ok(error(e.to_string())),
                    Ok(Ok(())) => Ok(ok()),
                }
            }
            "recv" => {
                let s = self.socket(req)?;
                match tokio::time::timeout(wait, s.recv()).await {
                    Err(_) => Ok(again("recv timed out")),
                    Ok(Err(e)) if e.is_again() => Ok(again("recv timed out")),
                    Ok(Err(e)) => Ok(error(e.to_string())),
                    Ok(Ok(m)) => {
                        let frames: Vec<String> = m.iter().map(|f| hex(f)).collect();
                        let mut a = json!({"ok": true, "frames": frames});
                        if let Some(names) = req["properties"].as_array() {
                            a["properties"] = properties(&m, names);
                        }
                        Ok(Answer::Ok(a))
                    }
                }
            }
            "poll" => {
                let s = self.socket(req)?;
                let _ = tokio::time::timeout(wait, async {
                    tokio::select! { () = s.readable() => {}, () = s.writable() => {} }
                })
                .await;
                Ok(Answer::Ok(
                    json!({"ok": true, "readable": s.is_readable(), "writable": s.is_writable()}),
                ))
            }
            "close" => {
                let h = req["socket"].as_u64().unwrap_or(u64::MAX);
                let s = self
                    .sockets
                    .remove(&h)
                    .ok_or_else(|| error("unknown socket handle".into()))?;
                s.close();
                Ok(ok())
            }
            "zap_handler" => {
                let policy = ZapPolicy::from_request(req).map_err(error)?;
                match self.zap.take() {
                    Some(h) if h.kind() == policy.kind => {
                        h.set(policy);
                        self.zap = Some(h);
                    }
                    other => {
                        if let Some(h) = other {
                            h.stop().await;
                        }
                        self.zap = Some(ZapHandler::start(&self.ctx, policy).map_err(error)?);
                    }
                }
                Ok(ok())
            }
            "zap_log" => Ok(Answer::Ok(log_answer(
                &self.zap.as_ref().map(ZapHandler::log).unwrap_or_default(),
            ))),
            "reset" => {
                for (_, s) in self.sockets.drain() {
                    s.close();
                }
                if let Some(h) = self.zap.take() {
                    h.stop().await;
                }
                Ok(ok())
            }
            "quit" => Ok(ok()),
            other => Ok(Answer::Unsupported(format!("op {other}"))),
        }
    }
}

impl Default for Builtin {
    fn default() -> Self {
        Self::new()
    }
}

fn error(message: String) -> Answer {
    Answer::Error {
        message,
        again: false,
    }
}

fn again(message: &str) -> Answer {
    Answer::Error {
        message: message.into(),
        again: true,
    }
}

fn unsupported_or_error(e: &Error) -> Answer {
    error(e.to_string())
}

/// The properties `names` of a received message (AGENTS.md, `recv`): each
/// name to its value in hex, or `null` when the message has none.
fn properties(m: &Message, names: &[Value]) -> Value {
    let map: serde_json::Map<String, Value> = names
        .iter()
        .filter_map(Value::as_str)
        .map(|n| {
            (
                n.to_string(),
                m.property(n).map_or(Value::Null, |v| json!(hex(v))),
            )
        })
        .collect();
    Value::Object(map)
}

fn millis(v: &Value) -> Option<Duration> {
    v.as_i64()
        .and_then(|n| u64::try_from(n).ok())
        .map(Duration::from_millis)
}

fn set_option(s: &Socket, name: &str, v: &Value) -> Result<(), Answer> {
    let bytes = || {
        v.as_str()
            .and_then(unhex)
            .map(Bytes::from)
            .ok_or_else(|| error(format!("{name}: value is not hex")))
    };
    let int = || {
        v.as_i64()
            .ok_or_else(|| error(format!("{name}: value is not an integer")))
    };
    let r = match name {
        "ROUTING_ID" => s.set(opt::RoutingId, bytes()?),
        "SUBSCRIBE" => s.subscribe(bytes()?),
        "UNSUBSCRIBE" => s.unsubscribe(bytes()?),
        "JOIN" => s.join(bytes()?),
        "LEAVE" => s.leave(bytes()?),
        "LINGER" => s.set(opt::Linger, millis(v)),
        "SNDHWM" => s.set(opt::SndHwm, u32::try_from(int()?).unwrap_or(0)),
        "RCVHWM" => s.set(opt::RcvHwm, u32::try_from(int()?).unwrap_or(0)),
        "RECONNECT_IVL" => s.set(opt::ReconnectIvl, millis(v)),
        "HEARTBEAT_IVL" => s.set(opt::HeartbeatIvl, millis(v)),
        "HEARTBEAT_TIMEOUT" => s.set(opt::HeartbeatTimeout, millis(v)),
        "HEARTBEAT_TTL" => s.set(opt::HeartbeatTtl, millis(v)),
        "ROUTER_MANDATORY" => s.set(opt::RouterMandatory, int()? != 0),
        "XPUB_VERBOSE" => s.set(opt::XPubVerbose, int()? != 0),
        "STREAM_NOTIFY" => s.set(opt::StreamNotify, int()? != 0),
        "MAXMSGSIZE" => s.set(opt::MaxMsgSize, u64::try_from(int()?).ok()),
        "PLAIN_SERVER" => s.set(opt::PlainServer, int()? != 0),
        "PLAIN_USERNAME" => s.set(opt::PlainUsername, bytes()?),
        "PLAIN_PASSWORD" => s.set(opt::PlainPassword, bytes()?),
        "CURVE_SERVER" => s.set(opt::CurveServer, int()? != 0),
        "CURVE_PUBLICKEY" => s.set(opt::CurvePublicKey, bytes()?),
        "CURVE_SECRETKEY" => s.set(opt::CurveSecretKey, bytes()?),
        "CURVE_SERVERKEY" => s.set(opt::CurveServerKey, bytes()?),
        "ZAP_DOMAIN" => s.set(opt::ZapDomain, bytes()?),
        "ZAP_ALLOW" => {
            s.set_authenticator(Some(zap_allow(bytes()?)));
            Ok(())
        }
        other => return Err(Answer::Unsupported(format!("option {other}"))),
    };
    r.map_err(|e| error(e.to_string()))
}

/// The agent's ZAP handler (AGENTS.md, `ZAP_ALLOW`): accepts the PLAIN
/// credentials `username:password` or the CURVE client key whose Z85 text
/// is `allowed`, and refuses everything else with 400 (RFC 27).
fn zap_allow(allowed: Bytes) -> std::sync::Arc<dyn zmtp_spec::security::Authenticator> {
    use zmtp_spec::security::zap::{FnAuthenticator, StatusCode, ZapRequest};
    std::sync::Arc::new(FnAuthenticator(move |r: &ZapRequest| {
        use zmtp_spec::wire::Mechanism;
        let mechanism = &r.mechanism[..];
        let presented: Option<Vec<u8>> = match &r.credentials[..] {
            [user, pass] if mechanism == Mechanism::PLAIN.name() => {
                Some([&user[..], b":", &pass[..]].concat())
            }
            [key] if mechanism == Mechanism::CURVE.name() => zmtp_spec::security::z85::encode(key)
                .ok()
                .map(String::into_bytes),
            _ => None,
        };
        if presented.as_deref() == Some(&allowed[..]) {
            r.accept("allowed")
        } else {
            r.refuse(StatusCode::AuthenticationFailure, "not allowed")
        }
    }))
}

impl Agent for Builtin {
    fn call(
        &mut self,
        request: Value,
        _wait: Duration,
    ) -> BoxFuture<'_, Result<Answer, AgentFailure>> {
        Box::pin(async move { Ok(self.answer(request).await) })
    }
}
