//! The raw peer's handshakes with the implementation under test, run by
//! zmtp-spec's connection machine ([`crate::peer::machine`]): a case
//! names the greeting and READY it wants sent, the machine runs the
//! exchange (and the downgrade for a ZMTP 2.0-only implementation) and
//! judges what comes back.

use std::time::Duration;

use bytes::Bytes;
use zmtp_spec::SocketType;
use zmtp_spec::connection::{
    Config, ConnectionError, GreetingPacing, NullServerReady, PacketKind, PeerError, Tamper,
};
use zmtp_spec::wire::command::name;
use zmtp_spec::wire::greeting::{Detected, Protocol};
use zmtp_spec::wire::metadata::{IDENTITY, SOCKET_TYPE};
use zmtp_spec::wire::view::{FrameBuilder, GreetingBuilder, GreetingView};
use zmtp_spec::wire::{Command, Greeting, Metadata};

use super::step;
use crate::agent::Stop;
use crate::peer::machine::{HandshakeError, Handshaken, machine};
use crate::peer::{RawFrame, RawPeer};

/// A completed handshake with the implementation under test.
#[derive(Clone, Debug)]
pub struct Handshake {
    /// Its 64-octet greeting (for a ZMTP 2.0 implementation, its 2.0
    /// greeting presented as 3.0: subscriptions go as messages).
    pub greeting: [u8; Greeting::LEN],
    /// Its READY command frame (a 2.0 implementation's identity frame).
    pub ready: RawFrame,
    /// Its READY metadata (empty when malformed).
    pub metadata: Metadata,
}

impl Handshake {
    /// The version-minor of the implementation's greeting.
    pub fn minor(&self) -> u8 {
        GreetingView::new(&self.greeting)
            .minor()
            .unwrap_or_default()
    }
}

/// Sends `greeting` and reads the implementation's 64 octets (without a
/// context, so it can run alongside an agent call). A ZMTP 2.0 answer
/// stops the case as UNSUPPORTED.
pub async fn greet(
    peer: &mut RawPeer,
    greeting: &GreetingBuilder,
    wait: Duration,
) -> Result<[u8; Greeting::LEN], Stop> {
    peer.send(&greeting.build())
        .await
        .map_err(step("sending the greeting"))?;
    // The signature and the revision octet tell a 3.x peer from an older one.
    let head = peer
        .read_exact(Greeting::PARTIAL_LEN, wait)
        .await
        .map_err(step("reading the greeting"))?;
    let view = GreetingView::new(&head[..]);
    if let Ok(Detected::Versioned { revision }) = view.detect()
        && revision < 3
    {
        return Err(older(revision));
    }
    let rest = peer
        .read_exact(Greeting::LEN - head.len(), wait)
        .await
        .map_err(step("reading the greeting"))?;
    let mut g = [0u8; Greeting::LEN];
    let (first, second) = g.split_at_mut(head.len());
    first.copy_from_slice(&head);
    second.copy_from_slice(&rest);
    Ok(g)
}

fn older(revision: u8) -> Stop {
    Stop::Unsupported(format!(
        "the peer answered as ZMTP 2.0 or older (revision {revision:02x})"
    ))
}

/// A whole handshake without a context (so it can run alongside an agent
/// call): the case's `greeting` and `ready` body go out in place of the
/// machine's own, and the machine reads the implementation's. With
/// `zmtp2` (a 2.0-only implementation) the machine downgrades as a 3.x
/// peer doing version detection would, with the socket type and identity
/// of `ready`.
pub async fn raw_handshake(
    peer: &mut RawPeer,
    zmtp2: bool,
    greeting: &GreetingBuilder,
    ready: &[u8],
    wait: Duration,
) -> Result<Handshake, Stop> {
    let body = Bytes::copy_from_slice(ready);
    let metadata = match Command::parse(&body) {
        Ok(Command::Ready(md)) => Some(md),
        _ if zmtp2 => {
            return Err(Stop::Unsupported(
                "a malformed READY has no ZMTP 2.0 equivalent".into(),
            ));
        }
        _ => None,
    };
    let claimed = metadata
        .as_ref()
        .and_then(|md| md.get(SOCKET_TYPE))
        .and_then(|t| SocketType::from_wire(t));
    let mut config = Config::new(claimed.unwrap_or(SocketType::Pair));
    if zmtp2 {
        if claimed.and_then(SocketType::zmtp2_code).is_none() {
            return Err(Stop::Unsupported(
                "no ZMTP 2.0 code for this socket type".into(),
            ));
        }
        if let Some(id) = metadata.as_ref().and_then(|md| md.get(IDENTITY)) {
            config.routing_id = id.clone();
        }
    }
    let sent = greeting.build();
    config.behaviour.minor = GreetingView::new(&sent[..]).minor().unwrap_or(1);
    // All 64 octets at once, as the case built them; detection only to
    // downgrade.
    config.behaviour.pacing = if zmtp2 {
        GreetingPacing::Detect
    } else {
        GreetingPacing::Full
    };
    // The raw peer sends its READY at once, whichever end it is; it judges
    // the implementation's READY, not the order.
    config.behaviour.null_server_ready = NullServerReady::Symmetric;
    config.behaviour.require_socket_type = false;
    let mut conn = machine(config, peer.side()).map_err(|e| Stop::Fail(e.to_string()))?;
    let ready_frame = Bytes::from(FrameBuilder::command(ready).build());
    let sent = Bytes::copy_from_slice(&sent);
    let mut forge = |p: &zmtp_spec::connection::Packet| match &p.kind {
        _ if zmtp2 => Tamper::Send,
        PacketKind::Greeting { .. } => Tamper::Replace(sent.clone()),
        PacketKind::Command { name, .. } if name[..] == *name::READY => {
            Tamper::Replace(ready_frame.clone())
        }
        _ => Tamper::Send,
    };
    let h = peer
        .handshake_through(&mut conn, &mut forge, wait)
        .await
        .map_err(refusal)?;
    if h.peer.protocol == Protocol::V2_0 {
        return as_v2(&h);
    }
    let mut greeting = [0u8; Greeting::LEN];
    if h.greeting.len() == greeting.len() {
        greeting.copy_from_slice(&h.greeting);
    }
    let Some(ready) = h.frames.last().cloned() else {
        return Err(Stop::Fail("the handshake had no READY".into()));
    };
    let Some(Command::Ready(metadata)) = ready.command() else {
        return Err(Stop::Fail(format!(
            "expected READY, got {}",
            ready.describe()
        )));
    };
    Ok(Handshake {
        greeting,
        ready,
        metadata,
    })
}

/// A failed handshake as the case's stop.
fn refusal(e: HandshakeError) -> Stop {
    match e {
        HandshakeError::Refused(ConnectionError::Peer(PeerError::CannotDowngrade)) => older(1),
        HandshakeError::Wire(e) => Stop::Fail(format!("the handshake: {e}")),
        e => Stop::Fail(e.to_string()),
    }
}

/// A 2.0 implementation's greeting and identity, presented as a ZMTP 3.0
/// handshake (minor 0: subscriptions as messages).
fn as_v2(h: &Handshaken) -> Result<Handshake, Stop> {
    let mut greeting = [0u8; Greeting::LEN];
    let head = h.greeting.len().min(Greeting::PARTIAL_LEN + 1);
    greeting[..head].copy_from_slice(&h.greeting[..head]);
    let mut view = GreetingView::new(&mut greeting[..]);
    view.set_major(3);
    view.set_minor(0);
    let identity_frame = h.greeting.slice(head..);
    let Some((ready, _)) = RawFrame::parse(&identity_frame) else {
        return Err(Stop::Fail("the 2.0 handshake had no identity frame".into()));
    };
    let mut metadata = Metadata::new();
    if let Some(t) = h.peer.socket_type {
        metadata.push(SOCKET_TYPE, t.as_str());
    }
    metadata.push(IDENTITY, ready.body.clone());
    Ok(Handshake {
        greeting,
        ready,
        metadata,
    })
}
