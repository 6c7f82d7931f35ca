//! NULL with ZAP: libzmq asks its ZAP handler about NULL peers too when
//! the socket has a ZAP domain (ZMQ_ZAP_DOMAIN) or enforces one
//! (zmtp-wire.md 4.6, 6.2 #12). The handshake is NULL's READY each way;
//! our READY waits for the verdict (and, as a server following RFC 37,
//! for the client's READY: 37-R25), and a refusal sends ERROR with the
//! status code in its place (RFC 27).
//!
//! ```text
//!   begin: ZapRequest(mechanism "NULL", no credentials: 27-R35, 27-R36)
//!     accepted -> READY       pending -> wait for Connection::handle_zap_reply
//!     refused  -> ERROR "400" (300: nothing), then fail on the peer's READY
//! ```

use std::sync::Arc;

use bytes::Bytes;

use super::SecurityError;
use super::zap::{Asked, Zap, ZapReply, ZapRequest, accepted_peer_metadata, verdict};
use crate::connection::config::{Behaviour, Side};
use crate::connection::error::{ConnectionError, ErrorReason, LocalError, PeerError};
use crate::connection::mechanism::{
    HandshakeContext, Mechanism, MechanismSession, Progress, command_label,
};
use crate::wire::metadata::IDENTITY;
use crate::wire::{self, Command, Metadata};

#[cfg(test)]
mod tests;

/// The NULL mechanism of a socket with a ZAP domain: each peer is put to
/// the handler before our READY goes out. Interoperates with any NULL
/// peer (the name on the wire is NULL, 37-R22: as-server 0).
#[derive(Clone, Debug)]
pub struct ZapNull {
    zap: Arc<Zap>,
}

impl ZapNull {
    /// NULL, asking `zap` about every peer.
    pub fn new(zap: Zap) -> Self {
        Self { zap: Arc::new(zap) }
    }
}

impl Mechanism for ZapNull {
    fn name(&self) -> wire::Mechanism {
        wire::Mechanism::NULL
    }

    /// A ZMTP 1.0/2.0 peer would skip the ZAP question: refused, as
    /// libzmq refuses it when a ZAP domain is set (zmtp-wire.md 4.5 #6).
    fn allows_downgrade(&self) -> bool {
        false
    }

    /// The server follows [`Behaviour::null_server_ready`] as plain NULL
    /// does: by default its READY answers a 3.1 client's READY (37-R24,
    /// 37-R25), so it goes out once both the verdict and that READY are
    /// in.
    fn start(
        &self,
        side: Side,
        behaviour: &Behaviour,
        _rng: &mut dyn rand_core::CryptoRngCore,
    ) -> Box<dyn MechanismSession> {
        Box::new(Session {
            waits: side == Side::Server && behaviour.null_server_ready.server_waits(),
            sent_ready: false,
            zap: Arc::clone(&self.zap),
            verdict: Verdict::Unasked,
            peer: None,
            pending: None,
            error_sent: false,
        })
    }
}

/// Where the ZAP question stands.
#[derive(Debug)]
enum Verdict {
    Unasked,
    /// The external handler has the request.
    Pending,
    /// Accepted with these properties; our READY is out.
    Accepted(Metadata),
    /// Refused; the ERROR (if any) is out.
    Refused(SecurityError),
}

#[derive(Debug)]
struct Session {
    /// Our READY waits for the peer's (an RFC 37 NULL server).
    waits: bool,
    /// Our READY is out.
    sent_ready: bool,
    zap: Arc<Zap>,
    verdict: Verdict,
    /// The peer's READY metadata, if it came before the verdict.
    peer: Option<Metadata>,
    pending: Option<ZapRequest>,
    /// The refusal's ERROR is already out (sent from `begin`).
    error_sent: bool,
}

impl Session {
    /// Acts on a verdict: READY when accepted, ERROR when refused.
    fn decide(
        &mut self,
        result: Result<Metadata, SecurityError>,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) {
        match result {
            Ok(properties) => {
                self.verdict = Verdict::Accepted(properties);
                self.send_ready_when_due(ctx, out);
            }
            Err(error) => {
                if let Some(reason) = error.error_reason() {
                    out.push(Command::Error {
                        reason: Bytes::from_static(reason.as_bytes()),
                    });
                    self.error_sent = true;
                }
                self.verdict = Verdict::Refused(error);
            }
        }
    }

    /// Our READY, once accepted, and, when we wait, once the peer's READY
    /// is in (37-R25).
    fn send_ready_when_due(&mut self, ctx: &HandshakeContext<'_>, out: &mut Vec<Command>) {
        if matches!(self.verdict, Verdict::Accepted(_))
            && !self.sent_ready
            && (!self.waits || self.peer.is_some())
        {
            out.push(Command::Ready(ctx.metadata.clone()));
            self.sent_ready = true;
        }
    }

    /// Done once both the verdict and the peer's READY are in.
    fn progress(&mut self) -> Result<Progress, ConnectionError> {
        match (&self.verdict, self.peer.take()) {
            (Verdict::Accepted(properties), Some(metadata)) => {
                Ok(Progress::Done(accepted_peer_metadata(properties, metadata)))
            }
            (Verdict::Refused(error), _) => Err(PeerError::from(error.clone()).into()),
            (_, peer) => {
                self.peer = peer;
                Ok(Progress::Continue)
            }
        }
    }
}

impl MechanismSession for Session {
    fn begin(&mut self, ctx: &HandshakeContext<'_>, out: &mut Vec<Command>) {
        if !matches!(self.verdict, Verdict::Unasked) {
            return;
        }
        // 27-R35, 27-R36: mechanism "NULL", no credentials; the identity is
        // our own routing id, as libzmq sends it.
        let identity = ctx.metadata.get(IDENTITY).cloned().unwrap_or_default();
        match self.zap.ask("NULL", identity, Vec::new(), false) {
            Ok(Asked::Accepted(properties)) => self.decide(Ok(properties), ctx, out),
            Ok(Asked::Pending(request)) => {
                self.pending = Some(request);
                self.verdict = Verdict::Pending;
            }
            Err(error) => self.decide(Err(error), ctx, out),
        }
    }

    fn handle(
        &mut self,
        command: Command,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        match command {
            Command::Ready(metadata) if self.peer.is_none() => {
                self.peer = Some(metadata);
                self.send_ready_when_due(ctx, out);
                self.progress()
            }
            other => Err(PeerError::UnexpectedDuringHandshake(command_label(&other)).into()),
        }
    }

    fn poll_zap_request(&mut self) -> Option<ZapRequest> {
        self.pending.take()
    }

    fn handle_zap_reply(
        &mut self,
        reply: ZapReply,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        if !matches!(self.verdict, Verdict::Pending) {
            return Err(LocalError::NotAnApplicationCommand("an unrequested ZAP reply").into());
        }
        match verdict(&reply) {
            Ok(properties) => {
                self.decide(Ok(properties), ctx, out);
                self.progress()
            }
            Err(error) => {
                self.verdict = Verdict::Refused(error.clone());
                Err(PeerError::from(error).into())
            }
        }
    }

    /// A refusal sends its ZAP status (300: nothing), once: a refusal
    /// found in `begin` already sent it.
    fn error_reason(&self, error: &PeerError) -> Option<ErrorReason> {
        match error {
            PeerError::Security(_) if self.error_sent => None,
            PeerError::Security(security) => security.error_reason().and_then(ErrorReason::new),
            other => Some(ErrorReason::from(other)),
        }
    }
}
