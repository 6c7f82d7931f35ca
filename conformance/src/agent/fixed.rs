//! The "agent" of `run --endpoint`: an already running peer that the suite
//! can only reach over the wire. Binding gives its endpoint; every other
//! operation is unsupported, so only the cases that need nothing but the
//! raw peer give a verdict.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Agent, AgentFailure, Answer, BoxFuture};
use crate::peer::of_endpoint;

/// A fixed peer at an endpoint, of one socket type.
pub struct FixedPeer {
    endpoint: String,
    peer_type: String,
}

impl FixedPeer {
    /// The peer at `endpoint`, of socket type `peer_type`.
    pub fn new(endpoint: &str, peer_type: &str) -> Self {
        Self {
            endpoint: endpoint.to_string(),
            peer_type: peer_type.to_ascii_uppercase(),
        }
    }

    fn answer(&self, request: &Value) -> Answer {
        let transport = of_endpoint(&self.endpoint).map_or("", |(t, _)| t.name());
        match request["op"].as_str().unwrap_or("") {
            "manifest" => Answer::Ok(
                json!({"ok": true, "name": "endpoint", "version": self.endpoint,
                "zmtp": "3.1", "socket_types": [self.peer_type], "transports": [transport],
                "mechanisms": ["NULL"]}),
            ),
            "socket" if request["type"].as_str() == Some(self.peer_type.as_str()) => {
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
