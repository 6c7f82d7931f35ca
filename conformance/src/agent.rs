//! Agents: what drives the implementation under test (AGENTS.md).
//!
//! ```text
//!   case ──> Client (typed calls) ──> dyn Agent ──┬─> ProcessAgent: JSON lines to a child process
//!                                                 └─> (built-in agent: our zmtp crate, in process)
//! ```
//!
//! The [`Agent`] trait takes one JSON request and gives one [`Answer`]; a
//! process agent writes it to the child's stdin and reads the answer line.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};

use crate::wirelog::{WireLog, hex, unhex};

pub mod builtin;
pub mod custom;
pub mod fixed;
pub mod process;
pub mod registry;
pub mod zap;
mod zap_handler;

/// A boxed future, as the object-safe [`Agent`] trait returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An agent's answer to one request.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// Done; the object carries the op's fields.
    Ok(Value),
    /// The implementation cannot do it (the case is UNSUPPORTED).
    Unsupported(String),
    /// It refused or failed; `again` marks a timeout or EAGAIN.
    Error {
        /// The agent's message.
        message: String,
        /// A timeout or EAGAIN.
        again: bool,
    },
}

impl Answer {
    /// The answer as JSON: an `ok` answer is the object the agent wrote
    /// (its `id` too); the others are rebuilt from their marker.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Ok(v) => v.clone(),
            Self::Unsupported(why) => json!({"unsupported": why}),
            Self::Error { message, again } => json!({"error": message, "again": again}),
        }
    }

    /// Reads an answer object.
    pub fn from_json(v: &Value) -> Self {
        if let Some(why) = v.get("unsupported") {
            return Self::Unsupported(why.as_str().unwrap_or("unsupported").to_string());
        }
        if v.get("ok").and_then(Value::as_bool) == Some(true) {
            return Self::Ok(v.clone());
        }
        Self::Error {
            message: v
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("malformed answer")
                .to_string(),
            again: v.get("again").and_then(Value::as_bool).unwrap_or(false),
        }
    }
}

/// The agent itself died or broke the contract: the case cannot go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentFailure(pub String);

/// Something that drives an implementation: one request, one answer.
pub trait Agent: Send {
    /// Sends `request` (it has `op` and fields, no `id`) and waits at most
    /// `wait` for the answer.
    fn call(
        &mut self,
        request: Value,
        wait: Duration,
    ) -> BoxFuture<'_, Result<Answer, AgentFailure>>;

    /// The end of what the agent wrote to its standard error, for reports.
    fn stderr_tail(&self) -> String {
        String::new()
    }
}

/// Why a case stopped early; the runner turns it into a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The agent said the implementation cannot do a step.
    Unsupported(String),
    /// A step failed: the case fails with this reason.
    Fail(String),
}

/// A socket handle inside the agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sock(pub u64);

/// Typed calls on an agent, logged to the case's wire log.
pub struct Client<'a> {
    agent: &'a mut dyn Agent,
    log: WireLog,
    /// The default time an op may take.
    pub op_timeout: Duration,
}

impl<'a> Client<'a> {
    /// Wraps `agent`.
    pub fn new(agent: &'a mut dyn Agent, log: WireLog, op_timeout: Duration) -> Self {
        Self {
            agent,
            log,
            op_timeout,
        }
    }

    /// One call, with room beyond `op_ms` for the agent's own overhead.
    pub async fn raw(&mut self, request: Value, op_ms: u64) -> Result<Answer, Stop> {
        let wait = Duration::from_millis(op_ms) + Duration::from_secs(5);
        self.log.agent(">", &request);
        let answer = self
            .agent
            .call(request, wait)
            .await
            .map_err(|AgentFailure(e)| Stop::Fail(format!("agent failure: {e}")))?;
        self.log.agent("<", &answer.to_json());
        Ok(answer)
    }

    async fn ok(&mut self, request: Value, op_ms: u64) -> Result<Value, Stop> {
        let op = request["op"].as_str().unwrap_or("?").to_string();
        match self.raw(request, op_ms).await? {
            Answer::Ok(v) => Ok(v),
            Answer::Unsupported(why) => Err(Stop::Unsupported(why)),
            Answer::Error { message, .. } => Err(Stop::Fail(format!("agent {op}: {message}"))),
        }
    }

    fn ms(&self) -> u64 {
        u64::try_from(self.op_timeout.as_millis()).unwrap_or(u64::MAX)
    }

    /// The agent's manifest.
    pub async fn manifest(&mut self) -> Result<Value, Stop> {
        self.ok(json!({"op": "manifest"}), 0).await
    }

    /// A new socket of type `kind` (upper-case name).
    pub async fn socket(&mut self, kind: &str) -> Result<Sock, Stop> {
        let v = self.ok(json!({"op": "socket", "type": kind}), 0).await?;
        v["socket"]
            .as_u64()
            .map(Sock)
            .ok_or_else(|| Stop::Fail("agent socket: no handle".into()))
    }

    /// Sets an integer option.
    pub async fn set_int(&mut self, s: Sock, option: &str, value: i64) -> Result<(), Stop> {
        let r = json!({"op": "setsockopt", "socket": s.0, "option": option, "value": value});
        self.ok(r, 0).await.map(drop)
    }

    /// Sets an octet-string option.
    pub async fn set_bytes(&mut self, s: Sock, option: &str, value: &[u8]) -> Result<(), Stop> {
        let r = json!({"op": "setsockopt", "socket": s.0, "option": option, "value": hex(value)});
        self.ok(r, 0).await.map(drop)
    }

    /// Binds; gives the endpoint really bound.
    pub async fn bind(&mut self, s: Sock, endpoint: &str) -> Result<String, Stop> {
        let v = self
            .ok(
                json!({"op": "bind", "socket": s.0, "endpoint": endpoint}),
                0,
            )
            .await?;
        v["endpoint"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Stop::Fail("agent bind: no endpoint".into()))
    }

    /// Connects (the connection may complete later).
    pub async fn connect(&mut self, s: Sock, endpoint: &str) -> Result<(), Stop> {
        let r = json!({"op": "connect", "socket": s.0, "endpoint": endpoint});
        self.ok(r, self.ms()).await.map(drop)
    }

    /// PEER (RFC 51): connects and gives the routing id of the new peer
    /// (libzmq `zmq_connect_peer`).
    pub async fn connect_peer(&mut self, s: Sock, endpoint: &str) -> Result<Bytes, Stop> {
        let r = json!({"op": "connect_peer", "socket": s.0, "endpoint": endpoint});
        let v = self.ok(r, self.ms()).await?;
        v["routing_id"]
            .as_str()
            .and_then(unhex)
            .map(Bytes::from)
            .ok_or_else(|| Stop::Fail("agent connect_peer: no routing_id".into()))
    }

    /// Sends a multipart message; `Ok(false)` on a timeout/EAGAIN.
    pub async fn try_send(&mut self, s: Sock, frames: &[&[u8]]) -> Result<bool, Stop> {
        let ms = self.ms();
        let frames: Vec<String> = frames.iter().map(|f| hex(f)).collect();
        let r = json!({"op": "send", "socket": s.0, "frames": frames, "timeout_ms": ms});
        match self.raw(r, ms).await? {
            Answer::Ok(_) => Ok(true),
            Answer::Error { again: true, .. } => Ok(false),
            Answer::Error { message, .. } => Err(Stop::Fail(format!("agent send: {message}"))),
            Answer::Unsupported(why) => Err(Stop::Unsupported(why)),
        }
    }

    /// Sends a multipart message; a timeout is a failure.
    pub async fn send(&mut self, s: Sock, frames: &[&[u8]]) -> Result<(), Stop> {
        if self.try_send(s, frames).await? {
            Ok(())
        } else {
            Err(Stop::Fail("agent send timed out".into()))
        }
    }

    /// Receives a message within `wait`; `Ok(None)` on a timeout.
    pub async fn recv_within(
        &mut self,
        s: Sock,
        wait: Duration,
    ) -> Result<Option<Vec<Bytes>>, Stop> {
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        let r = json!({"op": "recv", "socket": s.0, "timeout_ms": ms});
        match self.raw(r, ms).await? {
            Answer::Ok(v) => {
                let frames = v["frames"].as_array().cloned().unwrap_or_default();
                let frames: Option<Vec<Bytes>> = frames
                    .iter()
                    .map(|f| f.as_str().and_then(unhex).map(Bytes::from))
                    .collect();
                frames
                    .map(Some)
                    .ok_or_else(|| Stop::Fail("agent recv: bad frames".into()))
            }
            Answer::Error { again: true, .. } => Ok(None),
            Answer::Error { message, .. } => Err(Stop::Fail(format!("agent recv: {message}"))),
            Answer::Unsupported(why) => Err(Stop::Unsupported(why)),
        }
    }

    /// Receives a message within the op timeout; a timeout is a failure.
    pub async fn recv(&mut self, s: Sock) -> Result<Vec<Bytes>, Stop> {
        let wait = self.op_timeout;
        self.recv_within(s, wait)
            .await?
            .ok_or_else(|| Stop::Fail("the implementation delivered no message in time".into()))
    }

    /// Receives a message within the op timeout with the properties
    /// `names` the implementation attached to it (`zmq_msg_gets`): each
    /// name's value, `None` when the message has none. A timeout is a
    /// failure.
    pub async fn recv_properties(
        &mut self,
        s: Sock,
        names: &[&str],
    ) -> Result<(Vec<Bytes>, Vec<Option<Bytes>>), Stop> {
        let ms = self.ms();
        let r = json!({"op": "recv", "socket": s.0, "timeout_ms": ms, "properties": names});
        let v = match self.raw(r, ms).await? {
            Answer::Ok(v) => v,
            Answer::Error { again: true, .. } => {
                return Err(Stop::Fail(
                    "the implementation delivered no message in time".into(),
                ));
            }
            Answer::Error { message, .. } => {
                return Err(Stop::Fail(format!("agent recv: {message}")));
            }
            Answer::Unsupported(why) => return Err(Stop::Unsupported(why)),
        };
        let frames: Option<Vec<Bytes>> = v["frames"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| f.as_str().and_then(unhex).map(Bytes::from))
                    .collect()
            })
            .unwrap_or_default();
        let frames = frames.ok_or_else(|| Stop::Fail("agent recv: bad frames".into()))?;
        if !v["properties"].is_object() {
            return Err(Stop::Unsupported(
                "the agent reports no message properties (recv `properties`)".into(),
            ));
        }
        let props = names
            .iter()
            .map(|n| {
                v["properties"][*n]
                    .as_str()
                    .and_then(unhex)
                    .map(Bytes::from)
            })
            .collect();
        Ok((frames, props))
    }

    /// Sets the policy of the agent's ZAP handler (starting it if needed)
    /// and clears its log.
    pub async fn zap_handler(&mut self, policy: &zap::ZapPolicy) -> Result<(), Stop> {
        self.ok(policy.to_request(), 0).await.map(drop)
    }

    /// Every ZAP request the agent's handler received since its policy was
    /// set, each as its frames.
    pub async fn zap_log(&mut self) -> Result<Vec<Vec<Bytes>>, Stop> {
        let v = self.ok(json!({"op": "zap_log"}), 0).await?;
        zap::parse_log(&v).ok_or_else(|| Stop::Fail("agent zap_log: bad requests".into()))
    }

    /// Closes a socket.
    pub async fn close(&mut self, s: Sock) -> Result<(), Stop> {
        self.ok(json!({"op": "close", "socket": s.0}), 0)
            .await
            .map(drop)
    }

    /// Closes every socket (between cases).
    pub async fn reset(&mut self) -> Result<(), Stop> {
        self.ok(json!({"op": "reset"}), 0).await.map(drop)
    }
}

#[cfg(test)]
mod tests;
