//! The "agent" of `run --endpoint`: an already running peer that the suite
//! can only reach over the wire. Binding gives its endpoint; every other
//! operation is unsupported, so only the cases that need nothing but the
//! raw peer give a verdict: those that ask for a socket of the peer's type,
//! and the greeting cases ([`TYPE_FREE`]), which any ZMTP peer answers
//! whatever its type.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Agent, AgentFailure, Answer, BoxFuture};
use crate::peer::of_endpoint;

/// The cases whose verdict rests on the peer's greeting alone (they ask
/// for a bound PULL socket, dial it and end before any READY), so a peer of
/// any socket type answers them.
pub const TYPE_FREE: [&str; 8] = [
    "G01/1", "G02/1", "G03/1", "G04/1", "37-R01/1", "37-R02/1", "37-R14/1", "37-R04/1",
];

/// A fixed peer at an endpoint, of one socket type.
pub struct FixedPeer {
    endpoint: String,
    peer_type: String,
    any_type: bool,
}

impl FixedPeer {
    /// The peer at `endpoint`, of socket type `peer_type`.
    pub fn new(endpoint: &str, peer_type: &str) -> Self {
        Self {
            endpoint: endpoint.to_string(),
            peer_type: peer_type.to_ascii_uppercase(),
            any_type: false,
        }
    }

    /// The same peer standing in for a socket of any type: only for the
    /// [`TYPE_FREE`] cases.
    pub fn any_type(endpoint: &str, peer_type: &str) -> Self {
        Self {
            any_type: true,
            ..Self::new(endpoint, peer_type)
        }
    }

    fn socket_types(&self) -> Vec<String> {
        if self.any_type {
            // What the greeting cases ask for.
            vec![self.peer_type.clone(), "PULL".into()]
        } else {
            vec![self.peer_type.clone()]
        }
    }

    fn answer(&self, request: &Value) -> Answer {
        let transport = of_endpoint(&self.endpoint).map_or("", |(t, _)| t.name());
        match request["op"].as_str().unwrap_or("") {
            "manifest" => Answer::Ok(
                json!({"ok": true, "name": "endpoint", "version": self.endpoint,
                "zmtp": "3.1", "socket_types": self.socket_types(), "transports": [transport],
                "mechanisms": ["NULL"]}),
            ),
            "socket"
                if self.any_type || request["type"].as_str() == Some(self.peer_type.as_str()) =>
            {
                Answer::Ok(json!({"ok": true, "socket": 0}))
            }
            "bind" => Answer::Ok(json!({"ok": true, "endpoint": self.endpoint})),
            "reset" | "quit" => Answer::Ok(json!({"ok": true})),
            op => Answer::Unsupported(format!("{op} needs an agent (testing a running endpoint)")),
        }
    }
}

impl Agent for FixedPeer {
    fn call(
        &mut self,
        request: Value,
        _wait: Duration,
    ) -> BoxFuture<'_, Result<Answer, AgentFailure>> {
        let a = self.answer(&request);
        Box::pin(async move { Ok(a) })
    }
}
