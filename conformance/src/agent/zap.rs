//! The ZAP handler ops of the agent contract (AGENTS.md, `zap_handler`
//! and `zap_log`): the policy the runner gives an agent's handler at
//! `inproc://zeromq.zap.01`, and the reply that policy makes of a request.
//!
//! ```text
//!   runner ── zap_handler {socket_type, status, user_id, metadata, delay_ms, ...} ──> agent
//!   server socket ── request ──> handler (REP or ROUTER) ── reply (the policy) ──> server
//!   runner ── zap_log ──> agent: every request, every frame, as the handler received it
//! ```
//!
//! The policy's frames are octets the runner chose (a reply metadata frame
//! comes from zmtp-spec's encoder, or from its lenient builders when a case
//! wants it malformed); the handler copies them into its reply, so the
//! agent needs no knowledge of ZAP beyond where the request-id is.

use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};

use crate::wirelog::{hex, unhex};

/// The longest delay a policy may ask for (every wait is bounded).
pub const MAX_DELAY: Duration = Duration::from_secs(10);

/// The handler's socket type: REP sees the request without its envelope
/// (27-R27), ROUTER with the routing id and the empty delimiter (27-R28).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandlerKind {
    /// A REP handler.
    Rep,
    /// A ROUTER handler.
    Router,
}

impl HandlerKind {
    /// The socket type's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Rep => "REP",
            Self::Router => "ROUTER",
        }
    }
}

/// What the handler answers to every request, and how it listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZapPolicy {
    /// The handler's socket type.
    pub kind: HandlerKind,
    /// The status-code frame, as sent ("200", "300", "400", "500", or
    /// anything else a case wants refused).
    pub status: Bytes,
    /// The status-text frame.
    pub status_text: Bytes,
    /// The user-id frame.
    pub user_id: Bytes,
    /// The metadata frame, as sent.
    pub metadata: Bytes,
    /// How long the handler waits before it replies.
    pub delay: Duration,
    /// The version frame of the reply ("1.0" unless a case forges it).
    pub version: Bytes,
    /// The request-id frame of the reply; `None` echoes the request's.
    pub request_id: Option<Bytes>,
}

impl Default for ZapPolicy {
    fn default() -> Self {
        Self {
            kind: HandlerKind::Router,
            status: Bytes::from_static(b"200"),
            status_text: Bytes::from_static(b"OK"),
            user_id: Bytes::new(),
            metadata: Bytes::new(),
            delay: Duration::ZERO,
            version: Bytes::from_static(zmtp_spec::security::zap::VERSION),
            request_id: None,
        }
    }
}

impl ZapPolicy {
    /// A policy answering `status` (with everything else as default).
    pub fn status(status: &str) -> Self {
        Self {
            status: Bytes::copy_from_slice(status.as_bytes()),
            ..Self::default()
        }
    }

    /// The `zap_handler` request for this policy.
    pub fn to_request(&self) -> Value {
        let mut r = json!({
            "op": "zap_handler",
            "socket_type": self.kind.as_str(),
            "status": String::from_utf8_lossy(&self.status),
            "status_text": String::from_utf8_lossy(&self.status_text),
            "user_id": hex(&self.user_id),
            "metadata": hex(&self.metadata),
            "delay_ms": u64::try_from(self.delay.as_millis()).unwrap_or(u64::MAX),
            "version": hex(&self.version),
        });
        if let Some(id) = &self.request_id {
            r["request_id"] = json!(hex(id));
        }
        r
    }

    /// Reads a `zap_handler` request (the fields AGENTS.md lists; absent
    /// ones take their defaults).
    ///
    /// # Errors
    /// A field that is not what the contract says (the message names it).
    pub fn from_request(req: &Value) -> Result<Self, String> {
        let d = Self::default();
        let octets = |name: &str, default: &Bytes| -> Result<Bytes, String> {
            match req.get(name) {
                None | Some(Value::Null) => Ok(default.clone()),
                Some(v) => v
                    .as_str()
                    .and_then(unhex)
                    .map(Bytes::from)
                    .ok_or_else(|| format!("zap_handler: {name} is not hex")),
            }
        };
        let text = |name: &str, default: &Bytes| -> Result<Bytes, String> {
            match req.get(name) {
                None | Some(Value::Null) => Ok(default.clone()),
                Some(v) => v
                    .as_str()
                    .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                    .ok_or_else(|| format!("zap_handler: {name} is not a string")),
            }
        };
        let kind = match req.get("socket_type").and_then(Value::as_str) {
            None | Some("ROUTER") => HandlerKind::Router,
            Some("REP") => HandlerKind::Rep,
            Some(other) => return Err(format!("zap_handler: socket_type {other}")),
        };
        let delay = req
            .get("delay_ms")
            .and_then(Value::as_u64)
            .map_or(Duration::ZERO, Duration::from_millis)
            .min(MAX_DELAY);
        let request_id = match req.get("request_id") {
            None | Some(Value::Null) => None,
            Some(_) => Some(octets("request_id", &Bytes::new())?),
        };
        Ok(Self {
            kind,
            status: text("status", &d.status)?,
            status_text: text("status_text", &d.status_text)?,
            user_id: octets("user_id", &d.user_id)?,
            metadata: octets("metadata", &d.metadata)?,
            delay,
            version: octets("version", &d.version)?,
            request_id,
        })
    }

    /// The reply to `request` as the handler's socket received it: for a
    /// ROUTER the envelope (every frame up to the empty delimiter) goes
    /// back first; then version, request-id, status-code, status-text,
    /// user-id, metadata (27-R15).
    pub fn reply(&self, request: &[Bytes]) -> Vec<Bytes> {
        let (envelope, body) = match self.kind {
            HandlerKind::Rep => (&request[..0], request),
            HandlerKind::Router => {
                let cut = request
                    .iter()
                    .position(Bytes::is_empty)
                    .map_or(0, |i| i + 1);
                request.split_at(cut)
            }
        };
        let echoed = body.get(1).cloned().unwrap_or_default();
        let mut out = envelope.to_vec();
        out.extend([
            self.version.clone(),
            self.request_id.clone().unwrap_or(echoed),
            self.status.clone(),
            self.status_text.clone(),
            self.user_id.clone(),
            self.metadata.clone(),
        ]);
        out
    }
}

/// Reads a `zap_log` answer: the requests, each as its frames.
pub fn parse_log(answer: &Value) -> Option<Vec<Vec<Bytes>>> {
    answer["requests"]
        .as_array()?
        .iter()
        .map(|r| {
            r.as_array()?
                .iter()
                .map(|f| f.as_str().and_then(unhex).map(Bytes::from))
                .collect()
        })
        .collect()
}

/// A `zap_log` answer for `log`.
pub fn log_answer(log: &[Vec<Bytes>]) -> Value {
    let requests: Vec<Vec<String>> = log
        .iter()
        .map(|r| r.iter().map(|f| hex(f)).collect())
        .collect();
    json!({"ok": true, "requests": requests})
}

#[cfg(test)]
mod tests;
