//! The case registry. Each module holds the cases of one area; every case
//! is named `<requirement-id>/<n>` after the requirement it checks.

use bytes::Bytes;
use zmtp_spec::wire::Greeting;
use zmtp_spec::wire::view::{GreetingBuilder, GreetingView};

use crate::agent::Stop;
use crate::case::{Case, Ctx};
use crate::peer::{RawPeer, message_frames, ready};

mod channel;
mod clientserver;
mod departed;
mod discard;
mod flow;
mod framing;
mod greeting;
mod handshake;
mod legacy;
mod limits;
mod mutants;
mod p2p;
mod pipeline;
mod promoted;
mod pubsub;
mod radiodish;
pub(crate) mod reqrep;
mod scattergather;
mod security;
mod stream;
mod threadsafe;
mod udp;
mod z85;
mod zws;

/// Defines a case function: `case_fn!(name, |cx| { ... })`. Whatever the
/// body concludes, a verdict or a stop, names the version it was judged
/// under when a handshake of the case read one ([`Ctx::annotate`]).
macro_rules! case_fn {
    ($name:ident, |$cx:ident| $body:block) => {
        fn $name(
            $cx: &mut $crate::case::Ctx,
        ) -> $crate::agent::BoxFuture<'_, $crate::case::Outcome> {
            Box::pin(async move {
                let outcome: $crate::case::Outcome = async { $body }.await;
                $cx.annotate(outcome)
            })
        }
    };
}
pub(crate) use case_fn;

/// Every case, in registry order.
pub fn all() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(greeting::cases());
    v.extend(handshake::cases());
    v.extend(framing::cases());
    v.extend(reqrep::cases());
    v.extend(pubsub::cases());
    v.extend(pipeline::cases());
    v.extend(flow::cases());
    v.extend(departed::cases());
    v.extend(discard::cases());
    v.extend(security::cases());
    v.extend(legacy::cases());
    v.extend(threadsafe::cases());
    v.extend(clientserver::cases());
    v.extend(radiodish::cases());
    v.extend(scattergather::cases());
    v.extend(p2p::cases());
    v.extend(channel::cases());
    v.extend(stream::cases());
    v.extend(limits::cases());
    v.extend(z85::cases());
    v.extend(zws::cases());
    v.extend(mutants::cases());
    v.extend(promoted::cases());
    v.extend(udp::cases());
    v
}

/// The cases of `cases` that run over `transport`: the udp cases over a
/// datagram transport, every other case over a stream transport.
pub fn over(cases: &[Case], transport: &dyn crate::peer::Transport) -> Vec<Case> {
    cases
        .iter()
        .filter(|c| udp::runs_over(c, transport))
        .copied()
        .collect()
}

/// Whether the case reads or forges the ZMTP greeting itself (the greeting
/// and 1.0/2.0 cases): not applicable over a transport without one (ws,
/// 45-R07).
pub fn needs_greeting(id: &str) -> bool {
    static IDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        greeting::cases()
            .into_iter()
            .chain(legacy::cases())
            .map(|c| c.id)
            .collect()
    })
    .contains(&id)
}

/// Whether the case writes raw octets of its own under the transport: the
/// STREAM cases (plain tcp or ipc, no ZMTP) and the promoted fuzzer
/// reproducers (the fuzzer's byte-stream driver): not applicable over a
/// transport that frames what it carries (ws).
pub fn needs_byte_stream(id: &str) -> bool {
    static IDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        stream::cases()
            .into_iter()
            .chain(promoted::cases())
            .map(|c| c.id)
            .collect()
    })
    .contains(&id)
}

/// The cases whose id starts with `prefix` (all when empty).
pub fn select(prefix: &str) -> Vec<Case> {
    all()
        .into_iter()
        .filter(|c| c.id.starts_with(prefix))
        .collect()
}

/// What the implementation did after a probe.
#[derive(Debug)]
pub(crate) enum Reaction {
    /// It delivered the probe message to the application.
    Delivered(Vec<Bytes>),
    /// It closed the connection, after an ERROR with this reason if any.
    Closed(Option<Bytes>),
    /// It neither delivered nor closed.
    Ignored,
}

impl Reaction {
    /// What happened, for a verdict.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Delivered(m) => format!("it delivered {}", crate::case::show(m)),
            Self::Closed(Some(reason)) => format!(
                "it sent ERROR \"{}\" and closed the connection",
                crate::wirelog::printable(reason)
            ),
            Self::Closed(None) => "it closed the connection (no ERROR)".into(),
            Self::Ignored => "it neither delivered nor closed".into(),
        }
    }
}

/// Binds a PULL socket, connects a raw peer that sends `greeting`, reads
/// the implementation's greeting, sends `after` (READY and whatever the
/// case wants), then a message `probe`, and watches what happens.
pub(crate) async fn probe(cx: &mut Ctx, greeting: &[u8], after: &[u8]) -> Result<Reaction, Stop> {
    cx.need_zmtp3()?;
    let (s, ep) = cx.bound("PULL").await?;
    let mut peer = cx.dial(&ep, "peer1").await?;
    probe_on(cx, s, &mut peer, greeting, after).await
}

/// [`probe`] on an existing socket and connection.
pub(crate) async fn probe_on(
    cx: &mut Ctx,
    s: crate::agent::Sock,
    peer: &mut RawPeer,
    greeting: &[u8],
    after: &[u8],
) -> Result<Reaction, Stop> {
    cx.need_zmtp3()?;
    let wait = cx.wait();
    let quiet = cx.quiet();
    let _ = peer.send(greeting).await;
    // Their greeting comes first unless they close at once.
    if let Ok(theirs) = peer.read_exact(Greeting::LEN, wait).await
        && let Ok(theirs) = <[u8; Greeting::LEN]>::try_from(&theirs[..])
    {
        let ours = GreetingView::new(greeting).minor().unwrap_or(1);
        cx.negotiate(ours, &theirs);
    }
    let _ = peer.send(after).await;
    let _ = peer.send(&message_frames(&[b"probe"])).await;
    if let Some(m) = cx.agent().recv_within(s, quiet).await? {
        return Ok(Reaction::Delivered(m));
    }
    match peer.wait_close(wait).await {
        Ok(frames) => {
            let reason = frames.iter().find_map(|f| match f.command() {
                Some(zmtp_spec::wire::Command::Error { reason }) => Some(reason),
                _ => None,
            });
            Ok(Reaction::Closed(reason))
        }
        Err(_) => Ok(Reaction::Ignored),
    }
}

/// How the control step of a "must not reconnect" case went: the
/// implementation's client, whose connection the raw peer closed without
/// an ERROR, connected again (37-R18), which shows that it reconnects at
/// all, and so that its silence after an ERROR means something.
pub(crate) struct Control {
    /// The new connection.
    pub peer: RawPeer,
    /// How long the reconnection took.
    pub took: std::time::Duration,
}

/// The reconnect interval the "must not reconnect" cases give the
/// implementation's client (RECONNECT_IVL, in ms).
pub(crate) const RECONNECT_IVL_MS: i64 = 100;

/// Sets RECONNECT_IVL on `s` to [`RECONNECT_IVL_MS`]; whether the agent
/// could (an agent without the option leaves the implementation's default,
/// which the control step then measures).
pub(crate) async fn set_reconnect_ivl(cx: &mut Ctx, s: crate::agent::Sock) -> Result<bool, Stop> {
    match cx
        .agent()
        .set_int(s, "RECONNECT_IVL", RECONNECT_IVL_MS)
        .await
    {
        Ok(()) => Ok(true),
        Err(Stop::Unsupported(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The control step: closes `peer` (no ERROR) and waits for the client to
/// connect to `listener` again. `Err` is the case's outcome when it does
/// not: "no reconnect after ERROR" cannot be judged for a client that
/// never reconnects (UNSUPPORTED, never PASS).
pub(crate) async fn control_reconnect(
    cx: &mut Ctx,
    listener: &crate::peer::RawListener,
    peer: RawPeer,
    label: &str,
) -> Result<Control, Stop> {
    peer.close().await;
    let start = tokio::time::Instant::now();
    // The interval set (or the implementation's own, often 100 ms to 1 s)
    // plus an op timeout for the connection itself.
    let wait = cx.wait() + std::time::Duration::from_millis(1000);
    match listener.accept(wait, label).await {
        Ok(peer) => {
            let took = start.elapsed();
            cx.observe(format!(
                "control: reconnected after a plain close in {} ms",
                took.as_millis()
            ));
            Ok(Control { peer, took })
        }
        Err(e) => Err(Stop::Unsupported(format!(
            "cannot be judged: the control step failed, the client did not reconnect after a \
             plain close (no ERROR) within {} ms ({e}), so its not reconnecting after ERROR \
             would show nothing",
            wait.as_millis()
        ))),
    }
}

/// How long a "must not reconnect" case watches after the ERROR: well past
/// both the interval set and the reconnection the control step measured
/// (five times the longer), and never less than a second or the quiet
/// window.
pub(crate) fn reconnect_watch(cx: &Ctx, took: std::time::Duration) -> std::time::Duration {
    let ivl = std::time::Duration::from_millis(RECONNECT_IVL_MS.unsigned_abs());
    (ivl.max(took) * 5)
        .max(std::time::Duration::from_millis(1000))
        .max(cx.quiet())
}

/// A valid NULL greeting for 3.`minor`.
pub(crate) fn greeting(minor: u8) -> [u8; Greeting::LEN] {
    GreetingBuilder::new().minor(minor).build()
}

/// The READY command frame of a PUSH peer.
pub(crate) fn push_ready() -> Vec<u8> {
    let props: [(&[u8], &[u8]); 1] = [(b"Socket-Type", b"PUSH")];
    ready(&props).frame().build()
}

/// The ZMTP minor version a case runs as: its parameter (0 or 1).
pub(crate) fn minor(cx: &Ctx) -> u8 {
    u8::try_from(cx.param).unwrap_or(1)
}

#[cfg(test)]
mod tests;
