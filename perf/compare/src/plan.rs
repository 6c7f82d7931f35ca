//! What the comparison measures (issue 7, section 2).

/// A transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// tcp over 127.0.0.1.
    Tcp,
    /// ipc (a unix domain socket under the temp dir).
    Ipc,
    /// inproc (both ends in one process).
    Inproc,
    /// ws (ZWS 2.0 over WebSocket) over 127.0.0.1, path `/zmtp-perf`.
    Ws,
    /// udp over 127.0.0.1 (RADIO/DISH only).
    Udp,
}

impl Transport {
    /// Its endpoint scheme.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Ipc => "ipc",
            Transport::Inproc => "inproc",
            Transport::Ws => "ws",
            Transport::Udp => "udp",
        }
    }
}

/// What a case measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// PUSH/PULL throughput (local_thr/remote_thr, or inproc_thr).
    PushPull,
    /// REQ/REP one-way latency (local_lat/remote_lat, or inproc_lat).
    ReqRep,
    /// PUB/SUB throughput with this many subscribers (mean per subscriber).
    PubSub(usize),
    /// ROUTER/DEALER throughput (DEALER sends, ROUTER receives).
    RouterDealer,
    /// The PULL receiver's peak RSS while a PUSH floods it.
    Flood,
    /// PUSH/PULL throughput under CURVE (PULL the server).
    CurvePushPull,
    /// REQ/REP latency under CURVE (REP the server).
    CurveReqRep,
    /// CURVE handshakes per second to a ROUTER (the server), clients
    /// connecting 16 at a time, each making one round trip.
    CurveHandshakes,
    /// PUB/SUB to this many subscribers with 1,000 subscriptions each and
    /// the default high-water marks: what each gets per second, and the
    /// share delivered.
    FanOut(usize),
    /// ROUTER receiving from this many DEALER peers of one process.
    RouterPeers(usize),
    /// ROUTER sending by routing id, round robin, to this many DEALER
    /// peers of one process (ROUTER_MANDATORY: it waits where a peer's
    /// queue is full rather than drop); what the peers get per second.
    RouterTo(usize),
    /// This many connections to one ROUTER: connections per second, from
    /// the first peer's message to the last.
    ConnAccept(usize),
    /// This many connections to one ROUTER: the ROUTER's resident memory
    /// per connection.
    ConnMemory(usize),
    /// RADIO to one DISH (one group) throughput: what the DISH gets per
    /// second, and the share delivered (udp is lossy). The RADIO sends
    /// at most this many messages per second, in bursts of
    /// [`crate::tool::RADIO_BURST`] (0: as fast as it can).
    RadioDish(u32),
}

/// Subscriptions per subscriber in the fan-out cases.
pub const FANOUT_SUBSCRIPTIONS: usize = 1000;
/// Client processes the connections of the scale cases are spread over.
pub const CONN_CLIENT_PROCESSES: usize = 4;

/// The unit of a case's figure, which also says which way is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Messages per second (higher is better).
    MsgPerSec,
    /// Microseconds, one way (lower is better).
    LatencyUs,
    /// Peak resident memory in MiB (lower is better).
    RssMib,
    /// Events (handshakes, connections) per second (higher is better).
    PerSec,
    /// Resident memory per connection in KiB (lower is better).
    KibPerConn,
}

impl Metric {
    /// Name in the CSV.
    pub fn name(self) -> &'static str {
        match self {
            Metric::MsgPerSec => "msg/s",
            Metric::LatencyUs => "us",
            Metric::RssMib => "MiB",
            Metric::PerSec => "1/s",
            Metric::KibPerConn => "KiB/conn",
        }
    }

    /// Whether a larger figure is better.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::MsgPerSec | Metric::PerSec)
    }
}

/// One measured cell.
#[derive(Clone, Debug)]
pub struct Case {
    /// Short unique name, e.g. `push-pull tcp 64B`.
    pub id: String,
    /// What is measured.
    pub kind: Kind,
    /// Over which transport.
    pub transport: Transport,
    /// Message size in octets.
    pub size: usize,
    /// Messages (or round trips) per measurement.
    pub count: usize,
    /// Measured for libzmq only, through zeromq.js in Node (as libzmq's
    /// udp cases are): the script's own cost per message, to set beside
    /// the `zmq` crate's figure for the same case.
    pub via_node: bool,
}

impl Case {
    pub fn new(kind: Kind, transport: Transport, size: usize, count: usize) -> Self {
        let what = match kind {
            Kind::PushPull => "push-pull".to_owned(),
            Kind::ReqRep => "req-rep latency".to_owned(),
            Kind::PubSub(n) => format!("pub-sub x{n}"),
            Kind::RouterDealer => "dealer-router".to_owned(),
            Kind::Flood => "flood rss".to_owned(),
            Kind::CurvePushPull => "curve push-pull".to_owned(),
            Kind::CurveReqRep => "curve req-rep latency".to_owned(),
            Kind::CurveHandshakes => "curve handshakes".to_owned(),
            Kind::FanOut(n) => format!("fan-out x{n} ({FANOUT_SUBSCRIPTIONS} subs, hwm 1000)"),
            Kind::RouterPeers(n) => format!("router from {n} peers"),
            Kind::RouterTo(n) => format!("router to {n} peers"),
            Kind::ConnAccept(n) => format!("accept {n} connections"),
            Kind::ConnMemory(n) => format!("memory of {n} connections"),
            Kind::RadioDish(0) => "radio-dish".to_owned(),
            Kind::RadioDish(rate) => format!("radio-dish at {}k msg/s", rate / 1000),
        };
        Case {
            id: format!("{what} {} {size}B", transport.name()),
            kind,
            transport,
            size,
            count,
            via_node: false,
        }
    }

    /// The same case measured for libzmq only, through zeromq.js (see
    /// [`Case::via_node`]).
    #[must_use]
    pub fn through_node(mut self) -> Self {
        self.id.push_str(" (libzmq via node)");
        self.via_node = true;
        self
    }

    /// Whether libzmq's side of this case runs in Node through zeromq.js:
    /// the `zmq` crate's libzmq 4.3.4 is built without the draft API
    /// (`zmq_join`, `zmq_msg_set_group`), which RADIO/DISH need. It does
    /// have ws (zeromq-src defines `ZMQ_HAVE_WS`; its `zmq_has("ws")` is
    /// false only because 4.3.4 compares the name with "WS"), so the ws
    /// cases use it directly.
    pub fn libzmq_via_node(&self) -> bool {
        self.via_node || self.transport == Transport::Udp
    }

    /// Whether this is one of issue 15's transport cases (ws, udp and the
    /// Node calibration rows).
    pub fn is_transport(&self) -> bool {
        self.via_node || matches!(self.transport, Transport::Ws | Transport::Udp)
    }

    /// Whether the `transports` set measures it: the transport cases and
    /// the tcp rows they are read against.
    pub fn in_transport_set(&self) -> bool {
        self.is_transport()
            || (self.transport == Transport::Tcp
                && ((self.kind == Kind::PushPull && self.size == 64)
                    || (self.kind == Kind::ReqRep && self.size == 1)))
    }

    /// The unit of the figure.
    pub fn metric(&self) -> Metric {
        match self.kind {
            Kind::ReqRep | Kind::CurveReqRep => Metric::LatencyUs,
            Kind::Flood => Metric::RssMib,
            Kind::CurveHandshakes | Kind::ConnAccept(_) => Metric::PerSec,
            Kind::ConnMemory(_) => Metric::KibPerConn,
            _ => Metric::MsgPerSec,
        }
    }

    /// Whether this is one of issue 18's CURVE or scale cases (measured
    /// against libzmq only).
    pub fn is_curve_or_scale(&self) -> bool {
        matches!(
            self.kind,
            Kind::CurvePushPull
                | Kind::CurveReqRep
                | Kind::CurveHandshakes
                | Kind::FanOut(_)
                | Kind::RouterPeers(_)
                | Kind::RouterTo(_)
                | Kind::ConnAccept(_)
                | Kind::ConnMemory(_)
        )
    }
}

/// The cases, with counts sized so that a default run takes a few minutes
/// on a 2-core machine; `scale` multiplies every count (`--long`).
pub fn cases(scale: usize) -> Vec<Case> {
    let thr_count = |size: usize| match size {
        0..=64 => 500_000,
        65..=1024 => 200_000,
        _ => 10_000,
    };
    let mut v = Vec::new();
    for t in [Transport::Tcp, Transport::Ipc, Transport::Inproc] {
        for size in [1, 64, 1024, 65536] {
            v.push(Case::new(Kind::PushPull, t, size, thr_count(size) * scale));
        }
    }
    for t in [Transport::Tcp, Transport::Ipc] {
        for size in [1, 1024] {
            v.push(Case::new(Kind::ReqRep, t, size, 10_000 * scale));
        }
    }
    for n in [1, 4] {
        v.push(Case::new(
            Kind::PubSub(n),
            Transport::Tcp,
            64,
            500_000 * scale,
        ));
    }
    v.push(Case::new(
        Kind::RouterDealer,
        Transport::Tcp,
        64,
        1_000_000 * scale,
    ));
    v.push(Case::new(
        Kind::Flood,
        Transport::Tcp,
        1024,
        300_000 * scale,
    ));
    // Issue 18: CURVE and scale.
    v.push(Case::new(
        Kind::Flood,
        Transport::Tcp,
        65536,
        20_000 * scale,
    ));
    v.push(Case::new(
        Kind::CurvePushPull,
        Transport::Tcp,
        64,
        300_000 * scale,
    ));
    v.push(Case::new(
        Kind::CurveReqRep,
        Transport::Tcp,
        1,
        10_000 * scale,
    ));
    v.push(Case::new(
        Kind::CurveHandshakes,
        Transport::Tcp,
        1,
        1_000 * scale,
    ));
    for n in [16, 64] {
        v.push(Case::new(
            Kind::FanOut(n),
            Transport::Tcp,
            64,
            200_000 * scale,
        ));
    }
    v.push(Case::new(
        Kind::RouterPeers(1000),
        Transport::Tcp,
        64,
        1_000_000 * scale,
    ));
    v.push(Case::new(
        Kind::RouterTo(1000),
        Transport::Tcp,
        64,
        1_000_000 * scale,
    ));
    v.push(Case::new(
        Kind::ConnAccept(10_000),
        Transport::Tcp,
        1,
        10_000,
    ));
    v.push(Case::new(
        Kind::ConnMemory(10_000),
        Transport::Tcp,
        1,
        10_000,
    ));
    // Issue 15: ws and udp, and the tcp rows measured through Node for
    // libzmq (its udp goes through zeromq.js) to show Node's own cost.
    v.push(Case::new(
        Kind::PushPull,
        Transport::Ws,
        64,
        500_000 * scale,
    ));
    v.push(Case::new(Kind::ReqRep, Transport::Ws, 1, 10_000 * scale));
    v.push(Case::new(
        Kind::RadioDish(0),
        Transport::Udp,
        64,
        500_000 * scale,
    ));
    v.push(Case::new(
        Kind::RadioDish(UDP_PACED_RATE),
        Transport::Udp,
        64,
        200_000 * scale,
    ));
    v.push(Case::new(Kind::PushPull, Transport::Tcp, 64, 500_000 * scale).through_node());
    v.push(Case::new(Kind::ReqRep, Transport::Tcp, 1, 10_000 * scale).through_node());
    v
}

/// The paced RADIO/DISH case's rate: under what the slowest DISH here
/// (zeromq.js's, in Node) takes, so the share delivered compares the two
/// at the same offered load.
pub const UDP_PACED_RATE: u32 = 100_000;

/// How long the flood receiver stops reading.
pub const FLOOD_PAUSE_MS: u64 = 1500;
