//! Cases 37-R46/1 and 23-R41/1 against scripted SUB implementations: the
//! verdict follows the version each greeting announced on the connection,
//! never the agent's manifest (every script's manifest claims 3.1).

use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use zmtp_spec::wire::{Command, SubscriptionMessage};

use crate::agent::{Agent, AgentFailure, Answer, BoxFuture};
use crate::case::{Ctx, Kind, Settings};
use crate::cases::greeting;
use crate::peer::transport::Tcp;
use crate::peer::{encoded, ready};
use crate::wirelog::unhex;

/// How the scripted SUB writes a subscription.
#[derive(Clone, Copy, Debug)]
enum Format {
    /// As RFC 37 asks: commands when both greetings announced 3.1,
    /// messages otherwise.
    Negotiated,
    /// Always SUBSCRIBE/CANCEL commands.
    Commands,
    /// Always 01/00 messages.
    Messages,
}

/// A SUB implementation played by the test: it greets as 3.`minor`, sends
/// READY, and writes each SUBSCRIBE/UNSUBSCRIBE option in `format`.
struct ScriptedSub {
    minor: u8,
    format: Format,
    /// Subscriptions for the connection task, once connected.
    tx: Option<mpsc::UnboundedSender<(bool, Bytes)>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Every wait of the scripted connection: far above the case's own.
const LIMIT: Duration = Duration::from_secs(20);

impl ScriptedSub {
    fn new(minor: u8, format: Format) -> Self {
        Self {
            minor,
            format,
            tx: None,
            task: None,
        }
    }

    fn connect(&mut self, endpoint: &str) -> Answer {
        let Some(addr) = endpoint.strip_prefix("tcp://").map(str::to_string) else {
            return Answer::Unsupported("tcp only".into());
        };
        let (tx, mut rx) = mpsc::unbounded_channel::<(bool, Bytes)>();
        let (minor, format) = (self.minor, self.format);
        self.tx = Some(tx);
        self.task = Some(tokio::spawn(async move {
            let play = async move {
                let mut io = TcpStream::connect(&addr).await.expect("connect");
                io.write_all(&greeting(minor)).await.expect("greeting");
                let mut theirs = [0u8; 64];
                io.read_exact(&mut theirs).await.expect("their greeting");
                let both_31 = minor >= 1 && theirs[11] >= 1;
                let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", b"SUB")];
                io.write_all(&ready(&props).frame().build())
                    .await
                    .expect("READY");
                let mut sink = [0u8; 256];
                loop {
                    tokio::select! {
                        got = rx.recv() => {
                            let Some((subscribe, topic)) = got else { break };
                            let commands = match format {
                                Format::Negotiated => both_31,
                                Format::Commands => true,
                                Format::Messages => false,
                            };
                            let bytes = match (commands, subscribe) {
                                (true, true) => encoded(&Command::Subscribe(topic)),
                                (true, false) => encoded(&Command::Cancel(topic)),
                                (false, true) => {
                                    encoded(&SubscriptionMessage::Subscribe(topic).to_message())
                                }
                                (false, false) => {
                                    encoded(&SubscriptionMessage::Cancel(topic).to_message())
                                }
                            };
                            io.write_all(&bytes).await.expect("subscription");
                        }
                        n = io.read(&mut sink) => if !matches!(n, Ok(n) if n > 0) { break },
                    }
                }
            };
            let _ = tokio::time::timeout(LIMIT, play).await;
        }));
        Answer::Ok(json!({"ok": true}))
    }

    fn answer(&mut self, request: &Value) -> Answer {
        match request["op"].as_str().unwrap_or("") {
            "socket" => Answer::Ok(json!({"ok": true, "socket": 0})),
            "connect" => self.connect(request["endpoint"].as_str().unwrap_or("")),
            "setsockopt" => {
                let subscribe = match request["option"].as_str() {
                    Some("SUBSCRIBE") => true,
                    Some("UNSUBSCRIBE") => false,
                    _ => return Answer::Unsupported("option".into()),
                };
                let topic = request["value"]
                    .as_str()
                    .and_then(unhex)
                    .unwrap_or_default();
                if let Some(tx) = &self.tx {
                    let _ = tx.send((subscribe, Bytes::from(topic)));
                }
                Answer::Ok(json!({"ok": true}))
            }
            "recv" => Answer::Error {
                message: "nothing".into(),
                again: true,
            },
            "reset" | "quit" | "close" => Answer::Ok(json!({"ok": true})),
            op => Answer::Unsupported(format!("{op} is not scripted")),
        }
    }
}

impl Drop for ScriptedSub {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

impl Agent for ScriptedSub {
    fn call(
        &mut self,
        request: Value,
        _wait: Duration,
    ) -> BoxFuture<'_, Result<Answer, AgentFailure>> {
        let a = self.answer(&request);
        Box::pin(async move { Ok(a) })
    }
}

/// Runs case `id` against a scripted SUB; the verdict (a stop counts as
/// its kind) and its detail.
async fn run(id: &str, sub: ScriptedSub) -> (Kind, String) {
    let case = crate::cases::all()
        .into_iter()
        .find(|c| c.id == id)
        .expect("the case exists");
    let settings = Settings {
        transport: &Tcp,
        strict: false,
        op_timeout: Duration::from_secs(2),
        quiet: Duration::from_millis(300),
        scratch_dir: std::env::temp_dir(),
    };
    // The manifest claims 3.1 whatever the script greets with.
    let manifest = json!({"name": "scripted", "version": "scripted SUB", "zmtp": "3.1",
        "socket_types": ["SUB"], "transports": ["tcp"], "mechanisms": ["NULL"]});
    let mut cx = Ctx::new(Box::new(sub), settings, manifest, &case, 0);
    let outcome = tokio::time::timeout(LIMIT, (case.run)(&mut cx))
        .await
        .unwrap_or_else(|_| panic!("case {id} gave no verdict within {LIMIT:?}"));
    match outcome {
        Ok(v) => (v.kind, v.detail),
        Err(crate::agent::Stop::Unsupported(why)) => (Kind::Unsupported, why),
        Err(crate::agent::Stop::Fail(why)) => (Kind::Fail, why),
    }
}

#[tokio::test]
async fn a_30_sub_is_not_failed_by_37_r46() {
    let (kind, detail) = run("37-R46/1", ScriptedSub::new(0, Format::Negotiated)).await;
    assert_eq!(kind, Kind::Unsupported, "{detail}");
    assert!(detail.contains("not applicable"), "{detail}");
    assert!(detail.contains("23-R41"), "{detail}");
    assert!(detail.contains("judged as ZMTP 3.0"), "{detail}");
}

#[tokio::test]
async fn a_30_sub_passes_23_r41() {
    let (kind, detail) = run("23-R41/1", ScriptedSub::new(0, Format::Negotiated)).await;
    assert_eq!(kind, Kind::Pass, "{detail}");
}

#[tokio::test]
async fn a_31_sub_passes_37_r46_and_23_r41() {
    let (kind, detail) = run("37-R46/1", ScriptedSub::new(1, Format::Negotiated)).await;
    assert_eq!(kind, Kind::Pass, "{detail}");
    assert!(detail.contains("judged as ZMTP 3.1"), "{detail}");
    // With a raw 3.0 PUB the same SUB falls back to messages.
    let (kind, detail) = run("23-R41/1", ScriptedSub::new(1, Format::Negotiated)).await;
    assert_eq!(kind, Kind::Pass, "{detail}");
}

#[tokio::test]
async fn a_31_sub_sending_messages_to_a_31_pub_fails_37_r46() {
    let (kind, detail) = run("37-R46/1", ScriptedSub::new(1, Format::Messages)).await;
    assert_eq!(kind, Kind::Fail, "{detail}");
    assert!(detail.contains("37-R46"), "{detail}");
}

#[tokio::test]
async fn a_sub_sending_commands_where_30_was_announced_fails() {
    // It announced 3.0 itself and still sent 3.1 commands.
    let (kind, detail) = run("37-R46/1", ScriptedSub::new(0, Format::Commands)).await;
    assert_eq!(kind, Kind::Fail, "{detail}");
    assert!(detail.contains("23-R41"), "{detail}");
    // A 3.1 SUB that sends commands to a raw 3.0 PUB.
    let (kind, detail) = run("23-R41/1", ScriptedSub::new(1, Format::Commands)).await;
    assert_eq!(kind, Kind::Fail, "{detail}");
}
