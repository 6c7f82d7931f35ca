//! Reports' JSON forms of what a case observed, bounded: the model trace's
//! events as objects (not `Debug` text), and every octet string past
//! [`BODY_MAX`] cut with its length kept, so a full passing run's JSON stays
//! small however large the messages a case floods with.
//!
//! ```text
//!   TraceEvent ─event()─> {"event": "send", "message": [{"len": 65536, "hex": "0000…", "truncated": true}]}
//!   agent answer / request ─bounded()─> the same JSON, long strings as {"prefix", "len"}
//! ```

use serde_json::{Map, Value, json};
use zmtp_model::Outgoing;
use zmtp_model::oracle::TraceEvent;
use zmtp_spec::Message;

use crate::wirelog::hex;

/// The most octets of one body a report keeps (in hex).
pub const BODY_MAX: usize = 64;

/// The longest string of an agent's request or answer a report keeps.
pub const STRING_MAX: usize = 2 * BODY_MAX;

/// An octet string: its length, and the first [`BODY_MAX`] octets in hex.
pub fn body(b: &[u8]) -> Value {
    match b.get(..BODY_MAX) {
        Some(head) if b.len() > BODY_MAX => {
            json!({"len": b.len(), "hex": hex(head), "truncated": true})
        }
        _ => json!({"len": b.len(), "hex": hex(b)}),
    }
}

fn message(m: &Message) -> Value {
    Value::Array(m.frames().iter().map(|f| body(f)).collect())
}

fn outgoing(o: &Outgoing) -> Value {
    match o {
        Outgoing::Message(m) => json!({"message": message(m)}),
        Outgoing::Subscribe(t) => json!({"subscribe": body(t)}),
        Outgoing::Cancel(t) => json!({"cancel": body(t)}),
        Outgoing::Join(g) => json!({"join": body(g)}),
        Outgoing::Leave(g) => json!({"leave": body(g)}),
        other => json!({"other": cut(&format!("{other:?}"))}),
    }
}

/// One model event as an object: `event` names it, `peer` is the raw
/// peer's number, bodies are [`body`] objects.
pub fn event(e: &TraceEvent) -> Value {
    match e {
        TraceEvent::Connect(p) => json!({"event": "connect", "peer": p.0}),
        TraceEvent::Attach(p, info) => json!({
            "event": "attach",
            "peer": p.0,
            "socket_type": info.socket_type.map(|t| t.as_str()),
            "routing_id": info.routing_id.as_deref().map(body),
            "alias": info.alias.as_deref().map(body),
            "protocol": format!("{:?}", info.protocol),
        }),
        TraceEvent::Suspend(p) => json!({"event": "suspend", "peer": p.0}),
        TraceEvent::Detach(p) => json!({"event": "detach", "peer": p.0}),
        TraceEvent::Depart(p) => json!({"event": "depart", "peer": p.0}),
        TraceEvent::FromPeer(p, o) => {
            json!({"event": "from_peer", "peer": p.0, "item": outgoing(o)})
        }
        TraceEvent::ToPeer(p, o) => json!({"event": "to_peer", "peer": p.0, "item": outgoing(o)}),
        TraceEvent::Send(m) => json!({"event": "send", "message": message(m)}),
        TraceEvent::SendRefused(m) => json!({"event": "send_refused", "message": message(m)}),
        TraceEvent::Recv(m) => json!({"event": "recv", "message": message(m)}),
        TraceEvent::SetOption(o) => {
            json!({"event": "set_option", "option": cut(&format!("{o:?}"))})
        }
        TraceEvent::Join(g) => json!({"event": "join", "group": body(g)}),
        TraceEvent::Leave(g) => json!({"event": "leave", "group": body(g)}),
        other => json!({"event": "other", "debug": cut(&format!("{other:?}"))}),
    }
}

/// The case's observable trace for a report: each text `observe`d, with
/// the model events among them (`record` puts both in, in order) as
/// [`event`] objects, and the other observations as `{"note": text}`.
pub fn trace(texts: &[String], model: &[TraceEvent]) -> Vec<Value> {
    let mut events = model.iter().peekable();
    texts
        .iter()
        .map(|t| match events.peek() {
            Some(e) if format!("{e:?}") == *t => {
                let v = event(e);
                events.next();
                v
            }
            _ => json!({"note": cut(t)}),
        })
        .collect()
}

/// A string of at most [`STRING_MAX`] characters, as it is or as
/// `{"prefix": ..., "len": ...}`.
fn cut(s: &str) -> Value {
    if s.len() <= STRING_MAX {
        return Value::from(s);
    }
    let end = (0..=STRING_MAX)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    json!({"prefix": s.get(..end).unwrap_or_default(), "len": s.len()})
}

/// `v` with every string longer than [`STRING_MAX`] cut to
/// `{"prefix": ..., "len": ...}`: an agent's request or answer as the JSON
/// it was, bounded.
pub fn bounded(v: &Value) -> Value {
    match v {
        Value::String(s) => cut(s),
        Value::Array(a) => Value::Array(a.iter().map(bounded).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), bounded(v)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests;
