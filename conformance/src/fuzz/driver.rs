//! One session: the agent's socket set up, the raw peer's machine run over
//! the wire with the session's mutations applied to its packets, the
//! application steps interleaved, and the session judged.
//!
//! Every wait is bounded: each agent call by its op's time plus
//! [`Env::hang`], each read of the wire by a short timeout, the handshake
//! by [`Env::handshake`].

use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Value, json};
use zmtp_model::oracle::TraceEvent;
use zmtp_model::{Message as ModelMessage, Outgoing, PeerId, PeerInfo, SocketOption};
use zmtp_spec::connection::{Config, Connection, Event, PacketKind, State};
use zmtp_spec::security::curve::CookieJar;
use zmtp_spec::security::{Curve, KeyPair, Plain};
use zmtp_spec::wire::Command;
use zmtp_spec::wire::greeting::Protocol;
use zmtp_spec::{Message, SocketType};

use super::detectors::{self, Finding};
use super::mutations::{self, Action, Class, Mutation, Rng, Target};
use super::{Mech, Op, Session};
use crate::agent::{Agent, AgentFailure, Answer};
use crate::case::{Judgement, ModelTrace};
use crate::peer::{PeerError, RawListener, RawPeer, Transport};
use crate::wirelog::{WireLog, hex, unhex};

/// What a session runs in.
#[derive(Clone, Debug)]
pub struct Env {
    /// The transport.
    pub transport: &'static dyn Transport,
    /// A folder for ipc endpoints.
    pub scratch: PathBuf,
    /// The agent is the built-in one (our implementation).
    pub builtin: bool,
    /// How long an agent send or recv may wait, in ms.
    pub op_ms: u64,
    /// How long an agent may take beyond its op before it is hung.
    pub hang: Duration,
    /// How long a valid handshake may take.
    pub handshake: Duration,
}

impl Env {
    /// The defaults for `transport`.
    pub fn new(transport: &'static dyn Transport, scratch: PathBuf, builtin: bool) -> Self {
        Self {
            transport,
            scratch,
            builtin,
            op_ms: 60,
            hang: Duration::from_secs(3),
            handshake: Duration::from_millis(1500),
        }
    }
}

/// What one session gave.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings of the session's own checks (valid-exchange, oracle,
    /// built-in errors).
    pub findings: Vec<Finding>,
    /// The agent broke its contract: the failure and the op.
    pub agent_failure: Option<(String, String)>,
    /// The indices of the mutations that hit a packet.
    pub applied: BTreeSet<usize>,
    /// Coverage items: machine states, transitions, mutation reactions.
    pub coverage: BTreeSet<String>,
    /// The session could not run (a socket type the agent lacks, say).
    pub skipped: Option<String>,
}

/// The security options' values of a session.
struct Keys {
    client: KeyPair,
    server: KeyPair,
}

fn keys(seed: u64) -> Keys {
    let mut rng = Rng::new(seed);
    Keys {
        client: KeyPair::generate(&mut rng),
        server: KeyPair::generate(&mut rng),
    }
}

/// The routing id the raw peer announces when its type sends one.
pub const PEER_ID: &[u8] = b"fuzz-peer";
/// The body of the valid-exchange probe.
pub const PROBE: &[u8] = b"probe";

/// Runs `session` against `agent`, logging to `log`.
pub async fn run(agent: &mut dyn Agent, session: &Session, env: &Env, log: &WireLog) -> Outcome {
    let mut run = Run {
        agent,
        env,
        log: log.clone(),
        out: Outcome::default(),
        trace: Some(Vec::new()),
        wire: None,
        rep_owes: false,
        req_waits: false,
        off_pattern: false,
    };
    run.session(session).await;
    let mut out = run.out;
    if let Some(w) = run.wire.take() {
        out.applied.extend(w.applied.iter().copied());
        out.coverage.extend(w.coverage.iter().cloned());
        let reaction = w.reaction();
        for &i in &w.applied {
            if let Some(m) = session.mutations.get(i) {
                out.coverage
                    .insert(format!("reaction:{}->{reaction}", m.kind()));
            }
        }
        w.close().await;
    }
    out
}

struct Run<'a> {
    agent: &'a mut dyn Agent,
    env: &'a Env,
    log: WireLog,
    out: Outcome,
    /// The oracle's trace while everything sent was valid (`None` once a
    /// mutation, a failure or a disconnect makes it unjudgeable).
    trace: Option<Vec<TraceEvent>>,
    wire: Option<Wire>,
    /// A REP socket received a request it has not answered.
    rep_owes: bool,
    /// A REQ socket sent a request the raw peer has not answered.
    req_waits: bool,
    /// The raw peer broke its own pattern (a reply no REQ asked for, which
    /// libzmq's REQ drops the connection on): the valid-exchange checks
    /// do not apply.
    off_pattern: bool,
}

impl Run<'_> {
    async fn session(&mut self, s: &Session) {
        let (Some(agent_type), Some(peer_type)) = (
            SocketType::from_wire(s.agent_type.as_bytes()),
            SocketType::from_wire(s.peer_type.as_bytes()),
        ) else {
            self.out.skipped = Some("unknown socket type".into());
            return;
        };
        let Some(sock) = self.setup(s, agent_type).await else {
            return;
        };
        let keys = keys(s.key_seed);
        if !self.mechanism_options(s, sock, &keys).await {
            return;
        }
        let Some(peer) = self.connect(s, sock).await else {
            self.finish(sock).await;
            return;
        };
        let config = match config(s, peer_type, &keys) {
            Ok(c) => c,
            Err(e) => {
                self.out.skipped = Some(e);
                self.finish(sock).await;
                return;
            }
        };
        let side = peer.side();
        let conn = match Connection::new(config, side, Instant::now(), Rng::new(s.key_seed)) {
            Ok(c) => c,
            Err(e) => {
                self.out.skipped = Some(e.to_string());
                self.finish(sock).await;
                return;
            }
        };
        let info = if peer_type.sends_identity() {
            PeerInfo::new(peer_type).with_routing_id(Bytes::from_static(PEER_ID))
        } else {
            PeerInfo::new(peer_type)
        };
        self.wire = Some(Wire::new(
            peer,
            conn,
            s.mutations.clone(),
            s.mechanism != Mech::Curve,
            info,
            &self.log,
        ));
        // The handshake: bounded, the agent idle meanwhile.
        let start = tokio::time::Instant::now();
        if let Some(w) = &mut self.wire {
            w.flush().await;
            loop {
                // A mutated handshake gets a shorter bound: the
                // implementation may rightly wait for more.
                let bound = if w.invalid {
                    self.env.handshake / 6
                } else {
                    self.env.handshake
                };
                if w.active || w.gone() || w.failure.is_some() || start.elapsed() >= bound {
                    break;
                }
                w.pump(Duration::from_millis(20)).await;
            }
            // Our machine is active once it has the implementation's
            // READY; the implementation attaches once it has ours. Let it
            // settle before the application acts, so the trace's attach
            // is the socket's too.
            if w.active {
                for _ in 0..3 {
                    w.pump(Duration::from_millis(10)).await;
                }
            }
        }
        self.absorb();
        if !self.wire.as_ref().is_some_and(|w| w.active) {
            // Nothing the agent does now can be judged by the model.
            self.trace = None;
        }
        for op in &s.ops {
            self.op(op, sock, agent_type, peer_type).await;
            if self.out.agent_failure.is_some() {
                return;
            }
        }
        self.check_valid(s, sock, agent_type, peer_type).await;
        if self.out.agent_failure.is_none() {
            self.judge(agent_type);
        }
        self.finish(sock).await;
    }

    /// The agent's socket, its pattern options set.
    async fn setup(&mut self, s: &Session, t: SocketType) -> Option<u64> {
        let v = match self
            .call(json!({"op": "socket", "type": s.agent_type}), 0)
            .await?
        {
            Answer::Ok(v) => v,
            Answer::Unsupported(why) => {
                self.out.skipped = Some(why);
                return None;
            }
            Answer::Error { message, .. } => {
                self.setup_error("socket", &message);
                return None;
            }
        };
        let sock = v["socket"].as_u64()?;
        if t == SocketType::Sub {
            self.set(sock, "SUBSCRIBE", json!("")).await?;
            self.record(TraceEvent::SetOption(SocketOption::Subscribe(Bytes::new())));
        }
        Some(sock)
    }

    /// Sets an option; `None` when the agent failed or refused.
    async fn set(&mut self, sock: u64, option: &str, value: Value) -> Option<()> {
        let r = json!({"op": "setsockopt", "socket": sock, "option": option, "value": value});
        match self.call(r, 0).await? {
            Answer::Ok(_) => Some(()),
            Answer::Unsupported(why) => {
                self.out.skipped = Some(why);
                None
            }
            Answer::Error { message, .. } => {
                self.setup_error(&format!("setsockopt {option}"), &message);
                None
            }
        }
    }

    async fn mechanism_options(&mut self, s: &Session, sock: u64, keys: &Keys) -> bool {
        let hexs = |t: &str| json!(hex(t.as_bytes()));
        let steps: Vec<(&str, Value, bool)> = match s.mechanism {
            Mech::Null => Vec::new(),
            Mech::Plain => vec![
                ("PLAIN_SERVER", json!(1), true),
                ("ZAP_ALLOW", hexs("fuzz:fuzz"), false),
            ],
            Mech::Curve => vec![
                ("CURVE_SERVER", json!(1), true),
                (
                    "CURVE_SECRETKEY",
                    hexs(&keys.server.secret().to_z85()),
                    true,
                ),
                (
                    "CURVE_PUBLICKEY",
                    hexs(&keys.server.public().to_z85()),
                    true,
                ),
                ("ZAP_ALLOW", hexs(&keys.client.public().to_z85()), false),
            ],
        };
        for (option, value, needed) in steps {
            let r = json!({"op": "setsockopt", "socket": sock, "option": option, "value": value});
            match self.call(r, 0).await {
                None => return false,
                Some(Answer::Ok(_)) => {}
                Some(_) if !needed => {}
                Some(Answer::Unsupported(why)) => {
                    self.out.skipped = Some(why);
                    self.finish(sock).await;
                    return false;
                }
                Some(Answer::Error { message, .. }) => {
                    self.setup_error(&format!("setsockopt {option}"), &message);
                    self.finish(sock).await;
                    return false;
                }
            }
        }
        true
    }

    /// The raw peer's connection: it dials the agent's bound endpoint, or
    /// the agent dials its listener.
    async fn connect(&mut self, s: &Session, sock: u64) -> Option<RawPeer> {
        static UNIQUE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = UNIQUE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let unique = self
            .env
            .scratch
            .join(format!("fz{}-{n}.sock", std::process::id()));
        let wait = Duration::from_secs(2);
        if s.agent_binds {
            let endpoint = match self.env.transport.agent_endpoint(&unique) {
                Ok(e) => e,
                Err(e) => {
                    self.setup_error("bind", &e.to_string());
                    return None;
                }
            };
            let r = json!({"op": "bind", "socket": sock, "endpoint": endpoint});
            let bound = match self.call(r, 0).await? {
                Answer::Ok(v) => v["endpoint"].as_str().unwrap_or_default().to_string(),
                Answer::Unsupported(why) => {
                    self.out.skipped = Some(why);
                    return None;
                }
                Answer::Error { message, .. } => {
                    self.setup_error("bind", &message);
                    return None;
                }
            };
            match RawPeer::connect(&bound, wait, &self.log, "peer").await {
                Ok(p) => Some(p),
                Err(e) => {
                    self.out.skipped = Some(format!("connect to {bound}: {e}"));
                    None
                }
            }
        } else {
            let listener =
                match RawListener::bind(self.env.transport, &unique, &self.log, "peer").await {
                    Ok(l) => l,
                    Err(e) => {
                        self.out.skipped = Some(e.to_string());
                        return None;
                    }
                };
            let r = json!({"op": "connect", "socket": sock, "endpoint": listener.endpoint()});
            match self.call(r, self.env.op_ms).await? {
                Answer::Ok(_) => {}
                Answer::Unsupported(why) => {
                    self.out.skipped = Some(why);
                    return None;
                }
                Answer::Error { message, .. } => {
                    self.setup_error("connect", &message);
                    return None;
                }
            }
            self.record(TraceEvent::Connect(PeerId(1)));
            match listener.accept(wait, "peer").await {
                Ok(p) => Some(p),
                Err(e) => {
                    self.out.findings.push(detectors::unresponsive(
                        "agent did not connect",
                        format!("no connection to {} within 2 s: {e}", listener.endpoint()),
                    ));
                    None
                }
            }
        }
    }

    async fn op(&mut self, op: &Op, sock: u64, agent: SocketType, peer: SocketType) {
        match op {
            Op::PeerSend(body) => self.peer_send(body, agent, peer).await,
            Op::AgentSend(body) => {
                let mut frames = Vec::new();
                if agent == SocketType::Router {
                    frames.push(Bytes::from_static(PEER_ID));
                }
                frames.push(Bytes::copy_from_slice(body));
                self.agent_send(sock, frames, agent).await;
            }
            Op::AgentRecv => {
                let _ = self
                    .agent_recv(sock, agent, Duration::from_millis(self.env.op_ms))
                    .await;
            }
            Op::Wait(ms) => {
                if let Some(w) = &mut self.wire {
                    let until = tokio::time::Instant::now() + Duration::from_millis(u64::from(*ms));
                    while tokio::time::Instant::now() < until && !w.gone() {
                        w.pump(Duration::from_millis(10)).await;
                    }
                }
                self.absorb();
            }
        }
    }

    async fn peer_send(&mut self, body: &[u8], agent: SocketType, peer: SocketType) {
        let Some(w) = &mut self.wire else { return };
        if !w.active || w.gone() {
            return;
        }
        let item = if matches!(peer, SocketType::Sub | SocketType::XSub) {
            let topic = Bytes::copy_from_slice(body);
            if w.conn
                .send_command(Command::Subscribe(topic.clone()))
                .is_err()
            {
                return;
            }
            Outgoing::Subscribe(topic)
        } else {
            let mut frames = Vec::new();
            // The envelope's empty delimiter: what a REQ sends, what a REP
            // expects, and what a REQ wants on a reply (28-R01).
            if matches!(peer, SocketType::Req | SocketType::Rep)
                || matches!(agent, SocketType::Rep | SocketType::Req)
            {
                frames.push(Bytes::new());
            }
            frames.push(Bytes::copy_from_slice(body));
            let m = Message::from_frames(frames.clone());
            if w.conn.send_message(m).is_err() {
                return;
            }
            if agent == SocketType::Req {
                if !self.req_waits {
                    self.off_pattern = true;
                }
                self.req_waits = false;
            }
            Outgoing::Message(ModelMessage::from_frames(frames))
        };
        w.flush().await;
        self.absorb();
        self.record(TraceEvent::FromPeer(PeerId(1), item));
        w_pump(&mut self.wire).await;
        self.absorb();
    }

    async fn agent_send(&mut self, sock: u64, frames: Vec<Bytes>, agent: SocketType) {
        let hexed: Vec<String> = frames.iter().map(|f| hex(f)).collect();
        let ms = self.env.op_ms;
        let r = json!({"op": "send", "socket": sock, "frames": hexed, "timeout_ms": ms});
        // What the raw peer reads meanwhile is recorded after the send.
        let answer = self.call(r, ms).await;
        let sent = ModelMessage::from_frames(frames);
        match answer {
            None => {}
            Some(Answer::Ok(_)) => {
                if agent == SocketType::Rep {
                    self.rep_owes = false;
                }
                if agent == SocketType::Req {
                    self.req_waits = true;
                }
                self.record_first(TraceEvent::Send(sent));
            }
            Some(Answer::Error { message, again }) => {
                if !again
                    && self.env.builtin
                    && agent != SocketType::Req
                    && agent != SocketType::Rep
                {
                    self.out
                        .findings
                        .push(detectors::builtin_error("send", &message));
                }
                self.record_first(TraceEvent::SendRefused(sent));
            }
            Some(Answer::Unsupported(_)) => {}
        }
        self.absorb();
    }

    /// One receive; the frames when a message came.
    async fn agent_recv(
        &mut self,
        sock: u64,
        agent: SocketType,
        wait: Duration,
    ) -> Option<Vec<Bytes>> {
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        let r = json!({"op": "recv", "socket": sock, "timeout_ms": ms});
        let answer = self.call(r, ms).await;
        self.absorb();
        match answer? {
            Answer::Ok(v) => {
                let frames: Option<Vec<Bytes>> = v["frames"]
                    .as_array()?
                    .iter()
                    .map(|f| f.as_str().and_then(unhex).map(Bytes::from))
                    .collect();
                let frames = frames?;
                if agent == SocketType::Rep {
                    self.rep_owes = true;
                }
                self.record(TraceEvent::Recv(ModelMessage::from_frames(frames.clone())));
                Some(frames)
            }
            Answer::Error { message, again } => {
                if !again
                    && self.env.builtin
                    && agent != SocketType::Req
                    && agent != SocketType::Rep
                {
                    self.out
                        .findings
                        .push(detectors::builtin_error("recv", &message));
                }
                None
            }
            Answer::Unsupported(_) => None,
        }
    }

    /// The valid-exchange checks: when every mutation that hit kept the
    /// exchange valid, the handshake must have finished, the connection
    /// must still be open, and a valid message must get through.
    async fn check_valid(&mut self, s: &Session, sock: u64, agent: SocketType, peer: SocketType) {
        let Some(w) = &mut self.wire else { return };
        if w.invalid || w.disconnected || self.off_pattern {
            return;
        }
        let applied: Vec<String> = w
            .applied
            .iter()
            .filter_map(|&i| s.mutations.get(i))
            .map(|m| m.kind().to_string())
            .collect();
        let applied = if applied.is_empty() {
            "no mutation".to_string()
        } else {
            applied.join(", ")
        };
        if !w.active {
            let why = w.failure.clone().unwrap_or_else(|| {
                if w.closed {
                    "the connection was closed".into()
                } else {
                    format!("still in {:?}", w.conn.state())
                }
            });
            self.out.findings.push(detectors::unresponsive(
                &format!(
                    "{} valid handshake did not complete ({})",
                    s.agent_type,
                    s.mechanism_name()
                ),
                format!(
                    "{} {} with {}: {why} ({applied})",
                    s.mechanism_name(),
                    s.agent_type,
                    s.peer_type
                ),
            ));
            return;
        }
        for _ in 0..3 {
            w.pump(Duration::from_millis(20)).await;
        }
        self.absorb();
        let Some(w) = &mut self.wire else { return };
        if let Some(why) = w.failure.clone() {
            self.out.findings.push(Finding::new(
                detectors::Kind::Oracle,
                &format!(
                    "{} sent what the raw peer's machine refuses ({})",
                    s.agent_type,
                    s.mechanism_name()
                ),
                format!("{why} ({applied})"),
            ));
            return;
        }
        if w.closed {
            self.out.findings.push(detectors::unresponsive(
                &format!(
                    "{} closed the connection on a valid exchange ({})",
                    s.agent_type,
                    s.mechanism_name()
                ),
                format!(
                    "{} {} with {} closed the connection after: {applied}",
                    s.mechanism_name(),
                    s.agent_type,
                    s.peer_type
                ),
            ));
            return;
        }
        let probe_pair = matches!(
            agent,
            SocketType::Pair
                | SocketType::Pull
                | SocketType::Dealer
                | SocketType::Router
                | SocketType::Sub
        ) && matches!(
            peer,
            SocketType::Pair
                | SocketType::Push
                | SocketType::Dealer
                | SocketType::Router
                | SocketType::Pub
                | SocketType::XPub
        );
        if !probe_pair || self.rep_owes {
            return;
        }
        self.peer_send(PROBE, agent, peer).await;
        if self
            .wire
            .as_ref()
            .is_none_or(|w| w.invalid || w.disconnected)
        {
            // A mutation hit the probe itself.
            return;
        }
        let mut delivered = false;
        for _ in 0..6 {
            match self
                .agent_recv(sock, agent, Duration::from_millis(250))
                .await
            {
                Some(frames) if frames.last().is_some_and(|f| f[..] == *PROBE) => {
                    delivered = true;
                    break;
                }
                _ if self.out.agent_failure.is_some() => return,
                _ => {}
            }
        }
        let closed = self.wire.as_ref().is_some_and(|w| w.closed);
        if delivered {
            if closed {
                self.out.findings.push(detectors::unresponsive(
                    &format!(
                        "{} closed the connection on a valid exchange ({})",
                        s.agent_type,
                        s.mechanism_name()
                    ),
                    format!(
                        "{} {} with {} closed the connection after: {applied}",
                        s.mechanism_name(),
                        s.agent_type,
                        s.peer_type
                    ),
                ));
            }
            return;
        }
        if closed {
            self.out.findings.push(detectors::unresponsive(
                &format!(
                    "{} closed the connection on a valid exchange ({})",
                    s.agent_type,
                    s.mechanism_name()
                ),
                format!(
                    "{} {} with {} closed the connection, the probe undelivered, after: {applied}",
                    s.mechanism_name(),
                    s.agent_type,
                    s.peer_type
                ),
            ));
            return;
        }
        self.out.findings.push(detectors::unresponsive(
            &format!(
                "{} valid message not delivered ({})",
                s.agent_type,
                s.mechanism_name()
            ),
            format!(
                "{} {} did not deliver a valid message from {} within 1.5 s (after: {applied})",
                s.mechanism_name(),
                s.agent_type,
                s.peer_type,
            ),
        ));
    }

    fn judge(&mut self, agent: SocketType) {
        let Some(events) = self.trace.take() else {
            return;
        };
        if !events.iter().any(|e| matches!(e, TraceEvent::Attach(..))) {
            return;
        }
        let trace = ModelTrace {
            socket_type: agent,
            events,
        };
        if let Judgement::Rejected(why) = trace.judge_within(20_000) {
            self.log.note("oracle", why.clone());
            self.out
                .findings
                .push(detectors::oracle(agent.as_str(), &why));
        }
    }

    async fn finish(&mut self, sock: u64) {
        if self.out.agent_failure.is_some() {
            return;
        }
        let _ = self.call(json!({"op": "close", "socket": sock}), 0).await;
    }

    /// One agent call, bounded; `None` when the agent broke its contract
    /// (recorded in the outcome).
    async fn call(&mut self, request: Value, op_ms: u64) -> Option<Answer> {
        if self.out.agent_failure.is_some() {
            return None;
        }
        let op = request["op"].as_str().unwrap_or("?").to_string();
        let wait = Duration::from_millis(op_ms) + self.env.hang;
        self.log.note("agent", format!("> {request}"));
        let fut = self.agent.call(request, wait);
        let answer = pumped(&mut self.wire, async {
            match tokio::time::timeout(wait + Duration::from_millis(500), fut).await {
                Ok(a) => a,
                Err(_) => Err(AgentFailure(format!(
                    "agent did not answer within {} ms (hung)",
                    wait.as_millis()
                ))),
            }
        })
        .await;
        match answer {
            Ok(a) => {
                self.log.note("agent", format!("< {a:?}"));
                Some(a)
            }
            Err(AgentFailure(e)) => {
                self.log.note("agent", format!("failure: {e}"));
                self.out.agent_failure = Some((e, op));
                None
            }
        }
    }

    fn setup_error(&mut self, op: &str, message: &str) {
        if self.env.builtin {
            self.out
                .findings
                .push(detectors::builtin_error(op, message));
        } else {
            self.out.skipped = Some(format!("{op}: {message}"));
        }
    }

    fn record(&mut self, e: TraceEvent) {
        self.absorb();
        if let Some(t) = &mut self.trace {
            t.push(e);
        }
    }

    /// Records `e` before what the wire gave during the agent call that
    /// produced it (a message the socket sent may arrive before the
    /// agent's answer).
    fn record_first(&mut self, e: TraceEvent) {
        if let Some(t) = &mut self.trace {
            t.push(e);
        }
        self.absorb();
    }

    /// Moves what the wire observed into the trace, or closes the trace
    /// when the exchange stopped being valid.
    fn absorb(&mut self) {
        let Some(w) = &mut self.wire else { return };
        let seen = std::mem::take(&mut w.seen);
        if w.invalid || w.disconnected || w.failure.is_some() || w.closed {
            // The first events may still be judged: they came before.
            if let Some(t) = &mut self.trace {
                t.extend(seen.into_iter().take_while(|_| false));
            }
            self.trace = None;
            return;
        }
        if let Some(t) = &mut self.trace {
            t.extend(seen);
        }
    }
}

impl Session {
    /// The mechanism's name.
    pub fn mechanism_name(&self) -> &'static str {
        match self.mechanism {
            Mech::Null => "NULL",
            Mech::Plain => "PLAIN",
            Mech::Curve => "CURVE",
        }
    }
}

/// The raw peer's machine configuration for a session.
fn config(s: &Session, peer: SocketType, keys: &Keys) -> Result<Config, String> {
    let mut config = Config::new(peer);
    if peer.sends_identity() {
        config.routing_id = Bytes::from_static(PEER_ID);
    }
    config.behaviour.packets = true;
    match s.mechanism {
        Mech::Null => {}
        Mech::Plain => {
            let plain = Plain::client("fuzz", "fuzz").map_err(|e| e.to_string())?;
            config.mechanism = std::sync::Arc::new(plain);
        }
        Mech::Curve => {
            let client = KeyPair::from_secret(zmtp_spec::security::SecretKey::from_bytes(
                *keys.client.secret().to_bytes(),
            ));
            config.mechanism = std::sync::Arc::new(Curve::client(client, *keys.server.public()));
        }
    }
    Ok(config)
}

/// Runs `fut` while the wire keeps reading (and answering PINGs), so an
/// agent blocked in an op never stalls the raw peer.
async fn pumped<F: Future>(wire: &mut Option<Wire>, fut: F) -> F::Output {
    tokio::pin!(fut);
    loop {
        let Some(w) = wire.as_mut().filter(|w| !w.gone()) else {
            return fut.await;
        };
        tokio::select! {
            out = &mut fut => return out,
            got = w.peer.read_some(Duration::from_millis(50)) => w.take(got).await,
        }
    }
}

async fn w_pump(wire: &mut Option<Wire>) {
    if let Some(w) = wire {
        w.pump(Duration::from_millis(5)).await;
    }
}

/// The raw peer's connection and machine, with the session's mutations.
struct Wire {
    peer: RawPeer,
    conn: Connection,
    mutations: Vec<Mutation>,
    /// Commands go in clear (NULL, PLAIN): an injected PING is valid.
    clear: bool,
    info: PeerInfo,
    counts: [u16; 3],
    held: Option<Vec<(Duration, Bytes)>>,
    applied: BTreeSet<usize>,
    /// A mutation that makes the exchange invalid hit a packet.
    invalid: bool,
    /// The raw peer disconnected (a mutation said so).
    disconnected: bool,
    /// The implementation closed the connection.
    closed: bool,
    /// The handshake finished.
    active: bool,
    /// The machine refused what the implementation sent.
    failure: Option<String>,
    /// Observations for the trace.
    seen: Vec<TraceEvent>,
    coverage: BTreeSet<String>,
    last_state: State,
    jar: Option<CookieJar>,
    log: WireLog,
}

impl Wire {
    fn new(
        peer: RawPeer,
        conn: Connection,
        mutations: Vec<Mutation>,
        clear: bool,
        info: PeerInfo,
        log: &WireLog,
    ) -> Self {
        let last_state = conn.state();
        let mut coverage = BTreeSet::new();
        coverage.insert(format!("state:{last_state:?}"));
        Self {
            peer,
            conn,
            mutations,
            clear,
            info,
            counts: [0; 3],
            held: None,
            applied: BTreeSet::new(),
            invalid: false,
            disconnected: false,
            closed: false,
            active: false,
            failure: None,
            seen: Vec::new(),
            coverage,
            last_state,
            jar: None,
            log: log.clone(),
        }
    }

    fn gone(&self) -> bool {
        self.closed || self.disconnected
    }

    /// How the session ended, for the coverage of reactions.
    fn reaction(&self) -> &'static str {
        if self.failure.is_some() {
            "refused"
        } else if self.closed {
            "closed"
        } else if self.active {
            "active"
        } else {
            "stalled"
        }
    }

    /// Sends what the machine queued, each packet through the mutations
    /// that target it.
    async fn flush(&mut self) {
        while !self.gone() {
            let Some(packet) = self.conn.poll_packet() else {
                break;
            };
            let class = match &packet.kind {
                PacketKind::Greeting { .. } | PacketKind::LegacyIdentity => Class::Greeting,
                PacketKind::Command { name, boxed: false }
                    if !self.active || is_handshake(name) =>
                {
                    Class::Handshake
                }
                _ => Class::Traffic,
            };
            let slot = match class {
                Class::Greeting => 0,
                Class::Handshake => 1,
                Class::Traffic => 2,
            };
            let n = self.counts[slot];
            self.counts[slot] = n.saturating_add(1);
            let target = Target { class, n };
            let mut octets = packet.octets.to_vec();
            let (mut cuts, mut delay, mut duplicate, mut reorder, mut disconnect) =
                (Vec::new(), 0u16, false, false, false);
            let mut injects = Vec::new();
            // ZMTP 1.0 and 2.0 have no commands: a PING there is invalid.
            let commands_in_clear = self.clear
                && !matches!(self.conn.protocol(), Some(Protocol::V1_0 | Protocol::V2_0));
            for (i, m) in self.mutations.iter().enumerate() {
                if m.target != target {
                    continue;
                }
                self.applied.insert(i);
                if !m.keeps_valid(commands_in_clear, &packet.kind) {
                    self.invalid = true;
                }
                self.log.note(
                    "fuzz",
                    format!("mutation {i} on {target:?}: {:?}", m.action),
                );
                match &m.action {
                    Action::Split(c) => cuts = c.iter().map(|&c| usize::from(c)).collect(),
                    Action::DelayMs(ms) => delay = *ms,
                    Action::Duplicate => duplicate = true,
                    Action::Reorder => reorder = true,
                    Action::Inject(what) => injects.push(mutations::injected_octets(what)),
                    Action::Disconnect => disconnect = true,
                    other => octets = mutations::rewrite(other, &packet.kind, &octets),
                }
            }
            let writes = writes(Bytes::from(octets), &cuts, delay);
            if reorder && self.held.is_none() {
                self.held = Some(writes);
            } else {
                self.write(&writes).await;
                if duplicate {
                    self.write(&writes).await;
                }
                if let Some(held) = self.held.take() {
                    self.write(&held).await;
                }
            }
            for inject in injects {
                self.write(&[(Duration::ZERO, Bytes::from(inject))]).await;
            }
            if disconnect {
                self.log.note("fuzz", "disconnect");
                self.disconnected = true;
                return;
            }
        }
    }

    async fn write(&mut self, writes: &[(Duration, Bytes)]) {
        for (delay, octets) in writes {
            if self.gone() {
                return;
            }
            if !delay.is_zero() {
                tokio::time::sleep(*delay).await;
            }
            if octets.is_empty() {
                continue;
            }
            if let Err(PeerError::Closed) = self.peer.send(octets).await {
                self.closed = true;
            }
        }
    }

    /// Reads for at most `wait`, feeds the machine and answers.
    async fn pump(&mut self, wait: Duration) {
        if self.gone() {
            return;
        }
        let got = self.peer.read_some(wait).await;
        self.take(got).await;
    }

    /// Feeds what a read gave to the machine, then sends what it queued.
    async fn take(&mut self, got: Result<Bytes, PeerError>) {
        let now = Instant::now();
        match got {
            Ok(octets) if self.failure.is_none() && !self.conn.is_closed() => {
                self.conn.handle_bytes(now, &octets);
            }
            Ok(_) | Err(PeerError::Timeout) | Err(PeerError::Io(_)) => {}
            Err(PeerError::Closed) => self.closed = true,
        }
        if self.conn.needs_cookie_jar() {
            let jar = self
                .jar
                .get_or_insert_with(|| CookieJar::new(&mut Rng::new(7)));
            self.conn.handle_cookie_jar(now, jar);
        }
        if let Some(at) = self.conn.poll_timeout()
            && at <= now
        {
            self.conn.handle_timeout(now);
        }
        while let Some(event) = self.conn.poll_event() {
            match event {
                Event::HandshakeSucceeded(_) => {
                    self.active = true;
                    self.seen
                        .push(TraceEvent::Attach(PeerId(1), self.info.clone()));
                }
                Event::Message(m) => self.seen.push(TraceEvent::ToPeer(
                    PeerId(1),
                    Outgoing::Message(ModelMessage::from_frames(m.iter().cloned())),
                )),
                Event::Subscribe(t) => self
                    .seen
                    .push(TraceEvent::ToPeer(PeerId(1), Outgoing::Subscribe(t))),
                Event::Cancel(t) => self
                    .seen
                    .push(TraceEvent::ToPeer(PeerId(1), Outgoing::Cancel(t))),
                Event::Failed(e) => {
                    self.log.note("fuzz", format!("machine: {e}"));
                    self.coverage
                        .insert(format!("failed:{}", error_kind(&e.to_string())));
                    self.failure = Some(e.to_string());
                }
                _ => {}
            }
        }
        let state = self.conn.state();
        if state != self.last_state {
            self.coverage.insert(format!("state:{state:?}"));
            self.coverage
                .insert(format!("edge:{:?}->{state:?}", self.last_state));
            self.last_state = state;
        }
        if !self.conn.is_closed() {
            self.flush().await;
        }
    }

    async fn close(mut self) {
        if let Some(held) = self.held.take() {
            self.write(&held).await;
        }
        let _ = tokio::time::timeout(Duration::from_millis(200), self.peer.close()).await;
    }
}

fn is_handshake(name: &[u8]) -> bool {
    [&b"READY"[..], b"HELLO", b"WELCOME", b"INITIATE", b"ERROR"].contains(&name)
}

/// The first words of an error's text, for coverage.
fn error_kind(text: &str) -> String {
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A packet's octets as writes: cut at `cuts`, the pieces after the first
/// (or the packet, uncut) `delay` ms late.
fn writes(octets: Bytes, cuts: &[usize], delay: u16) -> Vec<(Duration, Bytes)> {
    let delay = Duration::from_millis(u64::from(delay));
    let mut out = Vec::new();
    let mut at = 0;
    for &cut in cuts {
        if cut > at && cut < octets.len() {
            out.push(octets.slice(at..cut));
            at = cut;
        }
    }
    out.push(octets.slice(at..));
    let many = out.len() > 1;
    out.into_iter()
        .enumerate()
        .map(|(i, o)| {
            (
                if !many || i > 0 {
                    delay
                } else {
                    Duration::ZERO
                },
                o,
            )
        })
        .collect()
}
