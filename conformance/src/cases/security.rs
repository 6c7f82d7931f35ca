//! Security mechanisms: PLAIN (RFC 24, G-P1..G-P5), CURVE (RFCs 25/26,
//! G-C1..G-C9), ZAP (RFC 27) as seen from the wire, and downgrades
//! (37-R61, 37-R67). The raw peer plays the other side with spec's raw
//! CURVE halves (`zmtp_spec::security::curve::raw`), so hostile cases can
//! forge one field at a time; every hostile case also checks that no application data crossed.
//!
//! The agent is configured through the security options of AGENTS.md
//! (`CURVE_SERVER`, `CURVE_SECRETKEY` as Z85, ..., and `ZAP_ALLOW`).

use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, Outcome};
use zmtp_spec::wire::view::{FrameBuilder, GreetingBuilder};

use crate::peer::{RawFrame, RawPeer};
use crate::wirelog::printable;

mod curve;
mod curve_client;
mod plain;
mod zap;

pub(super) fn cases() -> Vec<Case> {
    let mut v = curve::cases();
    v.extend(curve_client::cases());
    v.extend(plain::cases());
    v.extend(zap::cases());
    v
}

/// A ZMTP 3.1 greeting for `mech` as a client (`curve.rs` sets its
/// as-server field).
pub(crate) fn greeting_for(mech: &[u8]) -> GreetingBuilder {
    GreetingBuilder::new().mechanism_name(mech)
}

/// Stops the case when the agent's manifest lacks `mech`.
pub(crate) fn need_mechanism(cx: &Ctx, mech: &str) -> Result<(), Stop> {
    cx.need_zmtp3()?;
    let offered = cx.manifest["mechanisms"].as_array();
    if offered.is_some_and(|o| o.iter().any(|m| m == mech)) {
        Ok(())
    } else {
        Err(Stop::Unsupported(format!("no {mech} mechanism")))
    }
}

/// A message frame carrying a CURVE MESSAGE (libzmq sends MESSAGE in a
/// message frame; zmtp-wire.md).
pub(crate) fn message_frame(body: &[u8]) -> Vec<u8> {
    FrameBuilder::message(body, false).build()
}

/// How a hostile exchange ended, as seen from both sides.
pub(crate) struct Aftermath {
    /// What the application received (must be nothing).
    pub(crate) delivered: Option<Vec<bytes::Bytes>>,
    /// Whether the connection was closed within the op timeout.
    pub(crate) closed: bool,
    /// The frames that arrived before the close.
    pub(crate) frames: Vec<RawFrame>,
}

impl Aftermath {
    /// The ERROR reason among the frames, if any.
    pub(crate) fn error(&self) -> Option<String> {
        self.frames.iter().find_map(|f| match f.command() {
            Some(zmtp_spec::wire::Command::Error { reason }) => Some(printable(&reason)),
            _ => None,
        })
    }

    /// Whether a command named `name` arrived.
    pub(crate) fn got(&self, name: &[u8]) -> bool {
        self.frames
            .iter()
            .any(|f| f.command_name().is_some_and(|n| &n[..] == name))
    }

    /// The frames, described.
    pub(crate) fn describe(&self) -> String {
        let v: Vec<String> = self.frames.iter().map(RawFrame::describe).collect();
        v.join(", ")
    }
}

/// Watches socket `s` for a delivery (the quiet window) and `peer` for the
/// close.
pub(crate) async fn aftermath(
    cx: &mut Ctx,
    s: Sock,
    peer: &mut RawPeer,
) -> Result<Aftermath, Stop> {
    let quiet = cx.quiet();
    let wait = cx.wait();
    let delivered = cx.agent().recv_within(s, quiet).await?;
    let (closed, frames) = match peer.wait_close(wait).await {
        Ok(f) => (true, f),
        Err(f) => (false, f),
    };
    Ok(Aftermath {
        delivered,
        closed,
        frames,
    })
}

/// The verdict of a hostile case: PASS when nothing crossed and the
/// connection was closed without any of `forbidden` commands; FAIL
/// otherwise.
pub(crate) fn judge_refusal(cx: &Ctx, a: &Aftermath, forbidden: &[&[u8]], what: &str) -> Outcome {
    if let Some(m) = &a.delivered {
        return cx.fail(format!(
            "{what}: application data crossed: {}",
            crate::case::show(m)
        ));
    }
    for name in forbidden {
        if a.got(name) {
            return cx.fail(format!(
                "{what}: the implementation answered {} ({})",
                String::from_utf8_lossy(name),
                a.describe()
            ));
        }
    }
    if !a.closed {
        return cx.fail(format!(
            "{what}: nothing crossed, but the connection stayed open (frames: [{}])",
            a.describe()
        ));
    }
    let error = a
        .error()
        .map(|r| format!(", after ERROR \"{r}\""))
        .unwrap_or_default();
    cx.pass(format!("{what}: refused, closed{error}; nothing crossed"))
}
