//! The case registry. Each module holds the cases of one area; every case
//! is named `<requirement-id>/<n>` after the requirement it checks.

use bytes::Bytes;
use zmtp_spec::wire::Greeting;
use zmtp_spec::wire::view::GreetingBuilder;

use crate::agent::Stop;
use crate::case::{Case, Ctx};
use crate::peer::{RawPeer, message_frames, ready};

mod flow;
mod framing;
mod greeting;
mod handshake;
mod mutants;
mod pipeline;
mod pubsub;
pub(crate) mod reqrep;
mod security;

/// Defines a case function: `case_fn!(name, |cx| { ... })`.
macro_rules! case_fn {
    ($name:ident, |$cx:ident| $body:block) => {
        fn $name(
            $cx: &mut $crate::case::Ctx,
        ) -> $crate::agent::BoxFuture<'_, $crate::case::Outcome> {
            Box::pin(async move $body)
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
    v.extend(security::cases());
    v.extend(mutants::cases());
    v
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
    let _ = peer.read_exact(Greeting::LEN, wait).await;
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
