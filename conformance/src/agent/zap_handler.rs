//! The built-in agent's ZAP handler: a zmtp REP or ROUTER socket bound at
//! `inproc://zeromq.zap.01` in the agent's context, served by a task that
//! logs every request with every frame and answers it as the runner's
//! [`ZapPolicy`] says (AGENTS.md, `zap_handler`, `zap_log`).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use zmtp::{Context, Message, Socket, SocketType};
use zmtp_spec::security::zap::ENDPOINT;

use super::zap::{HandlerKind, ZapPolicy};

/// How long one receive of the serving task waits before it looks at its
/// stop signal again.
const POLL: Duration = Duration::from_millis(100);

/// How long a reply may take to be accepted by the handler's socket.
const SEND_WAIT: Duration = Duration::from_secs(2);

/// What the task shares with the agent.
#[derive(Debug, Default)]
struct Shared {
    policy: ZapPolicy,
    log: Vec<Vec<Bytes>>,
}

/// A running handler.
#[derive(Debug)]
pub(super) struct ZapHandler {
    kind: HandlerKind,
    shared: Arc<Mutex<Shared>>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl ZapHandler {
    /// Binds a handler of `policy.kind` and starts serving with `policy`.
    pub(super) fn start(ctx: &Context, policy: ZapPolicy) -> Result<Self, String> {
        let kind = policy.kind;
        let socket_type = match kind {
            HandlerKind::Rep => SocketType::Rep,
            HandlerKind::Router => SocketType::Router,
        };
        let socket = ctx.socket(socket_type).map_err(|e| e.to_string())?;
        let _ = socket.set(zmtp::opt::Linger, Some(Duration::ZERO));
        socket
            .bind(ENDPOINT)
            .map_err(|e| format!("ZAP handler bind: {e}"))?;
        let shared = Arc::new(Mutex::new(Shared {
            policy,
            log: Vec::new(),
        }));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(socket, Arc::clone(&shared), stopped));
        Ok(Self {
            kind,
            shared,
            stop,
            task,
        })
    }

    /// The handler's socket type.
    pub(super) fn kind(&self) -> HandlerKind {
        self.kind
    }

    /// Replaces the policy and clears the log.
    pub(super) fn set(&self, policy: ZapPolicy) {
        let mut s = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        s.policy = policy;
        s.log.clear();
    }

    /// The requests seen since the policy was last set.
    pub(super) fn log(&self) -> Vec<Vec<Bytes>> {
        let s = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        s.log.clone()
    }

    /// Stops the task and unbinds (waits at most a few receive rounds).
    pub(super) async fn stop(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(POLL * 20, &mut task).await.is_err() {
            task.abort();
        }
    }
}

async fn serve(socket: Socket, shared: Arc<Mutex<Shared>>, mut stopped: watch::Receiver<bool>) {
    loop {
        if *stopped.borrow() {
            break;
        }
        let got = tokio::select! {
            r = tokio::time::timeout(POLL, socket.recv()) => r,
            _ = stopped.changed() => break,
        };
        let request = match got {
            Err(_) => continue,
            Ok(Err(_)) => break,
            Ok(Ok(m)) => m.into_frames(),
        };
        let policy = {
            let mut s = shared.lock().unwrap_or_else(PoisonError::into_inner);
            s.log.push(request.clone());
            s.policy.clone()
        };
        if !policy.delay.is_zero() {
            tokio::time::sleep(policy.delay).await;
        }
        let reply = Message::from_frames(policy.reply(&request));
        let _ = tokio::time::timeout(SEND_WAIT, socket.send(reply)).await;
    }
    let _ = socket.unbind(ENDPOINT);
    socket.close();
}
