//! Cases, verdicts, tolerances and the context a case runs in.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use zmtp_model::oracle::{Oracle, TraceEvent};
use zmtp_model::{Options as ModelOptions, Outgoing, PeerId, PeerInfo};
use zmtp_spec::wire::view::{GreetingBuilder, GreetingView};
use zmtp_spec::{Message, SocketType};

use crate::agent::{Agent, BoxFuture, Client, Sock, Stop};
use crate::peer::{PeerError, RawListener, RawPeer, Transport};
use crate::peer::{message_frames, ready};
use crate::wirelog::{WireLog, printable};

/// What a case concluded.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
pub enum Kind {
    /// The implementation did what the requirement asks.
    #[serde(rename = "PASS")]
    Pass,
    /// It did something the spec also allows, or a known libzmq deviation
    /// the default profile tolerates (the tolerance is named).
    #[serde(rename = "PASS-LENIENT")]
    PassLenient,
    /// A SHOULD was not met.
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// The agent said the implementation cannot do a step.
    #[serde(rename = "UNSUPPORTED")]
    Unsupported,
    /// A requirement was broken (or the case hung).
    #[serde(rename = "FAIL")]
    Fail,
}

impl Kind {
    /// The label used in reports and expected-results files.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::PassLenient => "PASS-LENIENT",
            Self::NonStrict => "NON-STRICT",
            Self::Unsupported => "UNSUPPORTED",
            Self::Fail => "FAIL",
        }
    }

    /// Parses a label.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pass,
            Self::PassLenient,
            Self::NonStrict,
            Self::Unsupported,
            Self::Fail,
        ]
        .into_iter()
        .find(|k| k.label() == s)
    }
}

/// A verdict with its explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Verdict {
    /// The verdict.
    pub kind: Kind,
    /// What was observed.
    pub detail: String,
    /// The tolerance applied, if any (its id from [`TOLERANCES`]).
    pub tolerance: Option<&'static str>,
}

/// A known deviation of libzmq (zmtp-wire.md section 6.2) that the default
/// profile tolerates and the strict profile does not.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Tolerance {
    /// Short id, named in reports.
    pub id: &'static str,
    /// What is tolerated, where it is documented, and for whom.
    pub text: &'static str,
    /// Whether only agents of the libzmq family get it (see
    /// [`Ctx::libzmq_family`]); any other implementation that shows the
    /// deviation breaks a MUST on its own account and fails.
    pub libzmq_only: bool,
}

/// Every tolerance of the default profile.
///
/// The four that excuse a broken MUST (T-METADATA-CASE, T-EMPTY-NAME,
/// T-LAX-FRAMES, T-ZERO-IDENTITY) are granted to libzmq-family agents only:
/// they exist so that libzmq's documented deviations do not hide the rest
/// of its results, not to forgive them in every implementation. The other
/// three are granted to every agent: T-NULL-SYMMETRIC is RFC 23's exchange,
/// which every 3.x implementation keeps for 3.0 peers; T-NO-ERROR and
/// T-PADDING excuse a SHOULD.
///
/// libzmq's greeting pacing (zmtp-wire.md 6.2 #6) needs none: it is RFC 37's
/// §Detecting ZMTP 1.0 and 2.0 Peers strategy, which case 37-R01/1 accepts
/// in both profiles.
pub const TOLERANCES: [Tolerance; 7] = [
    Tolerance {
        id: "T-NULL-SYMMETRIC",
        text: "NULL server sends READY without waiting for the client's READY (6.2 #2, 6.1 #8); every agent",
        libzmq_only: false,
    },
    Tolerance {
        id: "T-METADATA-CASE",
        text: "metadata names compared case-sensitively (6.2 #3); libzmq-family agents only (manifest version names libzmq), FAIL for any other",
        libzmq_only: true,
    },
    Tolerance {
        id: "T-EMPTY-NAME",
        text: "zero-length property names accepted (6.2 #3); libzmq-family agents only (manifest version names libzmq), FAIL for any other",
        libzmq_only: true,
    },
    Tolerance {
        id: "T-NO-ERROR",
        text: "connection closed without an ERROR command where one SHOULD be sent (6.2 #3); every agent",
        libzmq_only: false,
    },
    Tolerance {
        id: "T-LAX-FRAMES",
        text: "reserved flag bits and MORE on commands not rejected (6.2 #9); libzmq-family agents only (manifest version names libzmq), FAIL for any other",
        libzmq_only: true,
    },
    Tolerance {
        id: "T-PADDING",
        text: "padding carries identity length + 1 instead of zeros (6.2 #5); every agent",
        libzmq_only: false,
    },
    Tolerance {
        id: "T-ZERO-IDENTITY",
        text: "an Identity whose first octet is zero accepted (37-R35 is new in 3.1); libzmq-family agents only (manifest version names libzmq), FAIL for any other",
        libzmq_only: true,
    },
];

/// The tolerance named `id`.
pub fn tolerance(id: &str) -> Option<&'static Tolerance> {
    TOLERANCES.iter().find(|t| t.id == id)
}

/// What one connection negotiated: the ZMTP 3 minor version each side
/// announced and the mechanism, read from the greetings (RFC 37 §Version
/// Negotiation: the lower version is the one both speak).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// The minor version the raw peer announced.
    pub ours: u8,
    /// The minor version the implementation announced (0 for a 2.0
    /// implementation presented as 3.0, see [`Handshake`]).
    pub theirs: u8,
}

impl Negotiated {
    /// The minor version both sides speak.
    pub fn minor(self) -> u8 {
        self.ours.min(self.theirs)
    }

    /// From the raw peer's minor and the implementation's greeting.
    pub fn of(ours: u8, theirs: &[u8; 64]) -> Self {
        Self {
            ours,
            theirs: GreetingView::new(&theirs[..]).minor().unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for Negotiated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "judged as ZMTP 3.{} (the implementation announced 3.{}, the raw peer 3.{})",
            self.minor(),
            self.theirs,
            self.ours
        )
    }
}

/// What a case function returns: a verdict, or a stop the runner turns
/// into one.
pub type Outcome = Result<Verdict, Stop>;

/// A case function.
pub type CaseFn = for<'a> fn(&'a mut Ctx) -> BoxFuture<'a, Outcome>;

/// One case of the suite.
#[derive(Clone, Copy)]
pub struct Case {
    /// `<requirement-id>/<n>`.
    pub id: &'static str,
    /// Other requirement ids the case also checks.
    pub also: &'static [&'static str],
    /// What it sends.
    pub sends: &'static str,
    /// What it expects.
    pub expects: &'static str,
    /// A parameter the function reads (`Ctx::param`), e.g. a ZMTP minor.
    pub param: i64,
    /// The function.
    pub run: CaseFn,
}

impl Case {
    /// The requirement this case is named after.
    pub fn requirement(&self) -> &'static str {
        self.id.split('/').next().unwrap_or(self.id)
    }

    /// Every requirement the case checks.
    pub fn requirements(&self) -> Vec<&'static str> {
        let mut v = vec![self.requirement()];
        v.extend_from_slice(self.also);
        v
    }
}

/// Settings shared by every case of a run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The transport every case of the run goes over.
    pub transport: &'static dyn Transport,
    /// The strict profile (no tolerance).
    pub strict: bool,
    /// How long an expected event may take.
    pub op_timeout: Duration,
    /// How long to watch for something that must not happen.
    pub quiet: Duration,
    /// Where endpoints that are names (ipc socket files) go.
    pub scratch_dir: PathBuf,
}

/// The context a case runs in: the agent, the wire log, the settings.
pub struct Ctx {
    agent: Box<dyn Agent>,
    /// The case's wire log.
    pub log: WireLog,
    /// The run's settings.
    pub settings: Settings,
    /// The case's parameter.
    pub param: i64,
    /// The agent's manifest.
    pub manifest: Value,
    /// The observable trace of a behavioural case, as text for reports.
    pub trace: Vec<String>,
    /// The same trace as model events, for the oracle (see [`Ctx::model`]).
    pub model: Option<ModelTrace>,
    /// What the last handshake (or greeting exchange) of the case
    /// negotiated; every verdict names it (see [`Ctx::annotate`]).
    pub negotiated: Option<Negotiated>,
    serial: u32,
    case_tag: String,
}

impl Ctx {
    /// A context for one case.
    pub fn new(
        agent: Box<dyn Agent>,
        settings: Settings,
        manifest: Value,
        case: &Case,
        serial: u32,
    ) -> Self {
        Self {
            agent,
            log: WireLog::new(),
            settings,
            param: case.param,
            manifest,
            trace: Vec::new(),
            model: None,
            negotiated: None,
            serial,
            case_tag: case.id.replace(['/', '-'], "_"),
        }
    }

    /// Gives the agent back to the runner.
    pub fn into_agent(self) -> Box<dyn Agent> {
        self.agent
    }

    /// The agent itself, for a driver that speaks its protocol directly
    /// (the fuzzer's, in promoted reproducer cases).
    pub fn agent_mut(&mut self) -> &mut dyn Agent {
        self.agent.as_mut()
    }

    /// Typed calls on the agent, logged to the case's wire log.
    pub fn agent(&mut self) -> Client<'_> {
        let t = self.settings.op_timeout;
        Client::new(self.agent.as_mut(), self.log.clone(), t)
    }

    /// The op timeout.
    pub fn wait(&self) -> Duration {
        self.settings.op_timeout
    }

    /// The quiet window.
    pub fn quiet(&self) -> Duration {
        self.settings.quiet
    }

    /// A fresh endpoint for the agent to bind.
    ///
    /// # Errors
    /// None is left (`--port-range` exhausted): a FAIL that says so.
    pub fn endpoint(&mut self) -> Result<String, Stop> {
        let unique = self.unique_path();
        self.settings
            .transport
            .agent_endpoint(&unique)
            .map_err(|e| Stop::Fail(format!("no endpoint to bind: {e}")))
    }

    /// A path no other endpoint of the run uses, in the run's folder (for
    /// transports whose endpoints are names).
    fn unique_path(&mut self) -> PathBuf {
        static UNIQUE: AtomicU32 = AtomicU32::new(0);
        self.serial += 1;
        let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
        self.settings
            .scratch_dir
            .join(format!("{}-{}-{n}.sock", self.case_tag, self.serial))
    }

    /// Checks that the agent offers `kinds`.
    pub fn need(&self, kinds: &[&str]) -> Result<(), Stop> {
        let offered = self.manifest["socket_types"].as_array();
        for k in kinds {
            if !offered.is_some_and(|o| o.iter().any(|t| t == k)) {
                return Err(Stop::Unsupported(format!("no {k} socket")));
            }
        }
        let t = self.settings.transport.name();
        let transports = self.manifest["transports"].as_array();
        if !transports.is_some_and(|o| o.iter().any(|x| x == t)) {
            return Err(Stop::Unsupported(format!("no {t} transport")));
        }
        Ok(())
    }

    /// Whether the agent runs libzmq's code (pyzmq, Debian's python3-zmq,
    /// zeromq.js): its manifest's `version` names libzmq. Only these get
    /// the tolerances marked [`Tolerance::libzmq_only`].
    pub fn libzmq_family(&self) -> bool {
        self.manifest["version"]
            .as_str()
            .is_some_and(|v| v.to_ascii_lowercase().contains("libzmq"))
    }

    /// The minor version the last handshake negotiated (1 when none ran).
    pub fn negotiated_minor(&self) -> u8 {
        self.negotiated.map_or(1, Negotiated::minor)
    }

    /// Notes what a handshake negotiated: the raw peer announced
    /// 3.`ours`, the implementation sent `theirs`.
    pub fn negotiate(&mut self, ours: u8, theirs: &[u8; 64]) -> Negotiated {
        let n = Negotiated::of(ours, theirs);
        self.log.note("negotiated", n.to_string());
        self.negotiated = Some(n);
        n
    }

    /// Adds to an outcome the version it was judged under, when a
    /// handshake of the case read one (the `case_fn!` wrapper calls it
    /// for every case).
    pub fn annotate(&self, outcome: Outcome) -> Outcome {
        let Some(n) = self.negotiated else {
            return outcome;
        };
        match outcome {
            Ok(mut v) => {
                v.detail = format!("{}; {n}", v.detail);
                Ok(v)
            }
            Err(Stop::Fail(s)) => Err(Stop::Fail(format!("{s}; {n}"))),
            Err(Stop::Unsupported(s)) => Err(Stop::Unsupported(format!("{s}; {n}"))),
        }
    }

    /// Not applicable: the rule does not bind what was negotiated
    /// (reported UNSUPPORTED, never FAIL).
    pub fn not_applicable(&self, why: impl std::fmt::Display) -> Outcome {
        Err(Stop::Unsupported(format!("not applicable: {why}")))
    }

    /// A raw listener on a fresh endpoint.
    ///
    /// # Errors
    /// A failure to bind.
    pub async fn listener(&mut self, label: &str) -> Result<RawListener, Stop> {
        let unique = self.unique_path();
        RawListener::bind(self.settings.transport, &unique, &self.log, label)
            .await
            .map_err(|e| Stop::Fail(format!("raw listener: {e}")))
    }

    /// A raw connection to `endpoint`.
    ///
    /// # Errors
    /// A failure to connect.
    pub async fn dial(&mut self, endpoint: &str, label: &str) -> Result<RawPeer, Stop> {
        RawPeer::connect(endpoint, self.wait(), &self.log, label)
            .await
            .map_err(|e| Stop::Fail(format!("raw connect: {e}")))
    }

    /// An agent socket of `kind`, bound to a fresh endpoint.
    pub async fn bound(&mut self, kind: &str) -> Result<(Sock, String), Stop> {
        self.need(&[kind])?;
        let ep = self.endpoint()?;
        let mut a = self.agent();
        let s = a.socket(kind).await?;
        let real = a.bind(s, &ep).await?;
        Ok((s, real))
    }

    /// An agent socket of `kind` connected to a new raw listener, and the
    /// accepted raw connection (the agent's connect runs alongside the
    /// accept: some implementations finish the handshake inside connect).
    pub async fn connected(
        &mut self,
        kind: &str,
        label: &str,
    ) -> Result<(Sock, RawListener, RawPeer), Stop> {
        self.need(&[kind])?;
        let listener = self.listener(label).await?;
        let s = self.agent().socket(kind).await?;
        let (peer, _) = self.connect_and_accept(s, &listener, label).await?;
        Ok((s, listener, peer))
    }

    /// Has socket `s` connect to `listener` and accepts the connection.
    pub async fn connect_and_accept(
        &mut self,
        s: Sock,
        listener: &RawListener,
        label: &str,
    ) -> Result<(RawPeer, ()), Stop> {
        let ep = listener.endpoint().to_string();
        let wait = self.wait();
        let log = self.log.clone();
        let accept = listener.accept(wait, label);
        let connect = async {
            let mut a = Client::new(self.agent.as_mut(), log, wait);
            a.connect(s, &ep).await
        };
        let (peer, connected) = tokio::join!(accept, connect);
        connected?;
        let peer =
            peer.map_err(|e| Stop::Fail(format!("the implementation did not connect: {e}")))?;
        Ok((peer, ()))
    }

    /// A full NULL handshake as ZMTP 3.`minor` with socket type `as_type`.
    pub async fn handshake(
        &mut self,
        peer: &mut RawPeer,
        as_type: &str,
        minor: u8,
    ) -> Result<Handshake, Stop> {
        let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", as_type.as_bytes())];
        let greeting = GreetingBuilder::new().minor(minor);
        self.handshake_with(peer, &greeting, &ready(&props).build())
            .await
    }

    /// A handshake with a chosen greeting and READY body.
    pub async fn handshake_with(
        &mut self,
        peer: &mut RawPeer,
        greeting: &GreetingBuilder,
        ready: &[u8],
    ) -> Result<Handshake, Stop> {
        let h = raw_handshake(peer, self.zmtp2_only(), greeting, ready, self.wait()).await?;
        let ours = GreetingView::new(&greeting.build()[..])
            .minor()
            .unwrap_or(1);
        self.negotiate(ours, &h.greeting);
        Ok(h)
    }

    /// Sends `greeting` and reads the implementation's 64 octets. A ZMTP
    /// 2.0 answer (revision 01) stops the case as UNSUPPORTED.
    pub async fn greet(
        &mut self,
        peer: &mut RawPeer,
        greeting: impl Into<GreetingBuilder>,
    ) -> Result<[u8; 64], Stop> {
        self.need_zmtp3()?;
        let greeting = greeting.into();
        let theirs = greet(peer, &greeting, self.wait()).await?;
        let ours = GreetingView::new(&greeting.build()[..])
            .minor()
            .unwrap_or(1);
        self.negotiate(ours, &theirs);
        Ok(theirs)
    }

    /// Whether the agent says its implementation speaks only ZMTP 2.0.
    pub fn zmtp2_only(&self) -> bool {
        self.manifest["zmtp"].as_str() == Some("2.0")
    }

    /// Stops a case that checks the ZMTP 3.x wire against a 2.0-only
    /// implementation (its greeting and framing differ; RFC 15).
    pub fn need_zmtp3(&self) -> Result<(), Stop> {
        if self.zmtp2_only() {
            Err(Stop::Unsupported(
                "the implementation speaks ZMTP 2.0 only: this 3.x wire case does not apply".into(),
            ))
        } else {
            Ok(())
        }
    }

    /// Sends a message from a raw peer.
    pub async fn raw_send(&mut self, peer: &mut RawPeer, frames: &[&[u8]]) -> Result<(), Stop> {
        peer.send(&message_frames(frames))
            .await
            .map_err(step("sending a message"))
    }

    /// Receives a message at a raw peer.
    pub async fn raw_recv(&mut self, peer: &mut RawPeer) -> Result<Vec<Bytes>, Stop> {
        let wait = self.wait();
        peer.recv_message(wait)
            .await
            .map_err(step("waiting for a message"))
    }

    /// Records an event of the observable trace.
    pub fn observe(&mut self, event: impl Into<String>) {
        let e = event.into();
        self.log.note("trace", e.clone());
        self.trace.push(e);
    }

    /// Starts the model trace of the agent's socket of type `kind`: the
    /// runner asks zmtp-model's trace oracle whether some run of the model
    /// explains it, and fails a case whose own checks passed if none does.
    pub fn model(&mut self, kind: &str) {
        if let Some(t) = SocketType::from_wire(kind.as_bytes()) {
            self.model = Some(ModelTrace {
                socket_type: t,
                events: Vec::new(),
            });
        }
    }

    /// Appends an event to the model trace (and its text to the trace).
    pub fn record(&mut self, event: TraceEvent) {
        self.observe(format!("{event:?}"));
        if let Some(m) = &mut self.model {
            m.events.push(event);
        }
    }

    /// Records that raw peer `n` (1-based) attached as `kind`, with the
    /// Identity `id` if it sent one.
    pub fn record_attach(&mut self, n: u64, kind: &str, id: Option<&[u8]>) {
        if let Some(t) = SocketType::from_wire(kind.as_bytes()) {
            let mut info = PeerInfo::new(t);
            if let Some(id) = id {
                info = info.with_routing_id(Bytes::copy_from_slice(id));
            }
            self.record(TraceEvent::Attach(PeerId(n), info));
        }
    }

    /// Records a message raw peer `n` wrote to the socket.
    pub fn record_from(&mut self, n: u64, frames: &[Bytes]) {
        self.record(TraceEvent::FromPeer(
            PeerId(n),
            Outgoing::Message(msg(frames)),
        ));
    }

    /// Records a subscription (or a cancel) raw peer `n` sent.
    pub fn record_subscription(&mut self, n: u64, subscribe: bool, topic: &[u8]) {
        let topic = Bytes::copy_from_slice(topic);
        let item = if subscribe {
            Outgoing::Subscribe(topic)
        } else {
            Outgoing::Cancel(topic)
        };
        self.record(TraceEvent::FromPeer(PeerId(n), item));
    }

    /// Records a subscription (or a cancel) the socket wrote to raw peer
    /// `n`, as a 3.1 command or a 3.0 message (the same item to the model).
    pub fn record_subscription_to(&mut self, n: u64, subscribe: bool, topic: &[u8]) {
        let topic = Bytes::copy_from_slice(topic);
        let item = if subscribe {
            Outgoing::Subscribe(topic)
        } else {
            Outgoing::Cancel(topic)
        };
        self.record(TraceEvent::ToPeer(PeerId(n), item));
    }

    /// Records a message the socket wrote to raw peer `n`.
    pub fn record_to(&mut self, n: u64, frames: &[Bytes]) {
        self.record(TraceEvent::ToPeer(
            PeerId(n),
            Outgoing::Message(msg(frames)),
        ));
    }

    /// Records a message the application sent.
    pub fn record_send(&mut self, frames: &[Bytes]) {
        self.record(TraceEvent::Send(msg(frames)));
    }

    /// Records a message the application received.
    pub fn record_recv(&mut self, frames: &[Bytes]) {
        self.record(TraceEvent::Recv(msg(frames)));
    }

    /// PASS.
    pub fn pass(&self, detail: impl Into<String>) -> Outcome {
        Ok(verdict(Kind::Pass, detail, None))
    }

    /// PASS-LENIENT: another behaviour the spec allows.
    pub fn lenient(&self, detail: impl Into<String>) -> Outcome {
        Ok(verdict(Kind::PassLenient, detail, None))
    }

    /// NON-STRICT: a SHOULD not met.
    pub fn non_strict(&self, detail: impl Into<String>) -> Outcome {
        Ok(verdict(Kind::NonStrict, detail, None))
    }

    /// FAIL.
    pub fn fail(&self, detail: impl Into<String>) -> Outcome {
        Ok(verdict(Kind::Fail, detail, None))
    }

    /// A known libzmq deviation: PASS-LENIENT in the default profile, FAIL
    /// in the strict one; the tolerance is named either way. A tolerance
    /// for libzmq-family agents only FAILs any other agent in both
    /// profiles, and the detail says why.
    pub fn deviation(&self, tolerance: &'static str, detail: impl Into<String>) -> Outcome {
        let family_only = crate::case::tolerance(tolerance).is_some_and(|t| t.libzmq_only);
        let mut detail = detail.into();
        let kind = if self.settings.strict {
            Kind::Fail
        } else if family_only && !self.libzmq_family() {
            detail = format!(
                "{detail} ({tolerance} is granted to libzmq-family agents only, and this agent's \
                 manifest version does not name libzmq)"
            );
            Kind::Fail
        } else {
            Kind::PassLenient
        };
        Ok(verdict(kind, detail, Some(tolerance)))
    }
}

/// The model trace of one socket under test.
#[derive(Clone, Debug)]
pub struct ModelTrace {
    /// The socket's type.
    pub socket_type: SocketType,
    /// What was observed, in order.
    pub events: Vec<TraceEvent>,
}

/// How many model states the oracle may keep for one case (its default).
pub const ORACLE_STATE_LIMIT: usize = 100_000;

/// What the trace oracle said about a [`ModelTrace`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// Some run of the model explains all these events.
    Explained(usize),
    /// No run explains the trace: the first event none explains, and why.
    Rejected(String),
    /// The oracle's state set outgrew its limit before a verdict: no
    /// judgement either way (the case's own verdict stands).
    GaveUp(String),
}

impl ModelTrace {
    /// Asks the trace oracle whether some run of the model explains the
    /// trace.
    pub fn judge(&self) -> Judgement {
        self.judge_within(ORACLE_STATE_LIMIT)
    }

    /// [`ModelTrace::judge`] with the oracle keeping at most `limit`
    /// states.
    pub fn judge_within(&self, limit: usize) -> Judgement {
        let mut oracle = match Oracle::new(self.socket_type, ModelOptions::default()) {
            Ok(o) => o.with_limit(limit),
            Err(e) => {
                return Judgement::Rejected(format!(
                    "the model has no {:?} socket: {e:?}",
                    self.socket_type
                ));
            }
        };
        match oracle.observe_all(&self.events) {
            Ok(()) => Judgement::Explained(self.events.len()),
            Err(u) if u.limit_reached => Judgement::GaveUp(format!(
                "too many possible model states at event {} ({:?})",
                u.index, u.event
            )),
            Err(u) => Judgement::Rejected(format!(
                "the model explains no state after event {} ({:?})",
                u.index, u.event
            )),
        }
    }
}

fn msg(frames: &[Bytes]) -> Message {
    Message::from_frames(frames.iter().cloned())
}

fn verdict(kind: Kind, detail: impl Into<String>, tolerance: Option<&'static str>) -> Verdict {
    Verdict {
        kind,
        detail: detail.into(),
        tolerance,
    }
}

/// Maps a raw-peer error during `what` to a failure.
pub fn step(what: &'static str) -> impl Fn(PeerError) -> Stop {
    move |e| Stop::Fail(format!("{what}: {e}"))
}

/// What ended a wait on `peer`, for a verdict: the implementation closed
/// the connection (after an ERROR, with its reason, or without one), or it
/// stopped answering.
pub fn ended(peer: &RawPeer, e: &PeerError) -> String {
    match (e, peer.error_reason()) {
        (PeerError::Closed, Some(reason)) => format!(
            "the implementation sent ERROR \"{}\" and closed the connection",
            printable(reason)
        ),
        (PeerError::Closed, None) => {
            "the implementation closed the connection (no ERROR)".to_string()
        }
        (PeerError::Timeout, _) => "the implementation stopped answering (timed out)".to_string(),
        (PeerError::Io(e), _) => format!("local I/O error: {e}"),
    }
}

/// Maps a raw-peer error during `what` to a failure that says what ended
/// the wait ([`ended`]).
pub fn ended_during(what: &str, peer: &RawPeer, e: &PeerError) -> Stop {
    Stop::Fail(format!("{what}: {}", ended(peer, e)))
}

/// Renders frames for a verdict detail.
pub fn show(frames: &[Bytes]) -> String {
    let parts: Vec<String> = frames
        .iter()
        .map(|f| format!("[{}]", printable(f)))
        .collect();
    parts.join("")
}

mod handshake;
pub use handshake::{Handshake, greet, raw_handshake};

#[cfg(test)]
mod tests;
