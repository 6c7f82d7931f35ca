//! The security mechanism handshake, behind a trait so that PLAIN and CURVE
//! can be added without touching the connection machine. NULL (RFC 23, 37)
//! is implemented here.
//!
//! ```text
//!   Config.mechanism: Arc<dyn Mechanism>     (one per socket: keys, names)
//!        | start(side, behaviour, rng)      (rng: the connection's generator)
//!        v
//!   Box<dyn MechanismSession>                (one per connection)
//!        begin(ctx, out)  -> commands to send once the greetings are done
//!        handle_raw(body, ctx, out) -> Continue | Done(peer metadata)
//!          (default: Command::parse, then handle(cmd, ctx, out))
//!        needs_cookie_jar() -> handle_cookie_jar(jar, rng, ctx, out)
//!          (a CURVE server: the driver's cookie keys, lent on HELLO, INITIATE)
//!        -- after the handshake, only if wraps_frames() --
//!        wrap_frame(frame)   -> the frame that goes on the wire
//!        unwrap_frame(frame) -> the frame it carried
//! ```
//!
//! The connection machine owns everything around the mechanism: ERROR
//! commands (37-R16) never reach it, the peer metadata it returns is
//! validated by the machine (Socket-Type, Identity), and the commands it
//! pushes from [`MechanismSession::handle`] are sent only after that
//! validation (so an incompatible peer gets ERROR, not READY).
//!
//! # Writing a mechanism (PLAIN, CURVE)
//!
//! - Commands whose bodies have no typed variant are pushed as
//!   [`Command::Mechanism`] (HELLO, WELCOME, INITIATE, MESSAGE) or, for a
//!   READY whose body is not clear-text metadata (CURVE's box),
//!   `Command::Unknown { name: "READY", body }`: the machine encodes both
//!   verbatim (G08).
//! - Override [`MechanismSession::handle_raw`] to read command bodies that
//!   [`Command::parse`] cannot (CURVE's READY); it receives every handshake
//!   command frame body except ERROR, name included.
//! - A mechanism that encrypts traffic (CURVE: every frame after the
//!   handshake travels as one MESSAGE command, G-C8, 37-R64) returns `true`
//!   from [`MechanismSession::wraps_frames`]; the machine then passes every
//!   outgoing frame (message frames with MORE, and command frames: PING,
//!   PONG, SUBSCRIBE, ...) through [`MechanismSession::wrap_frame`] and
//!   every incoming frame through [`MechanismSession::unwrap_frame`], and
//!   reassembles multipart messages itself (with the maximum message size).
//!   An error from either hook closes the connection.

use core::fmt;

use bytes::Bytes;
use rand_core::CryptoRngCore;

use super::config::{Behaviour, Side};
use super::error::{ConnectionError, ErrorReason, LocalError, PeerError};
use crate::wire::{self, Command, Frame, Metadata};

/// A security mechanism, as configured on a socket.
pub trait Mechanism: fmt::Debug + Send + Sync {
    /// The 20-octet name sent in the greeting (G02) and compared with the
    /// peer's (37-R15).
    fn name(&self) -> wire::Mechanism;

    /// Whether a ZMTP 1.0 or 2.0 peer may be accepted: only without
    /// security, i.e. NULL (37-R61, 37-R67). A mechanism that
    /// authenticates under the name NULL (NULL with ZAP, which libzmq
    /// also refuses to downgrade: zmtp-wire.md 4.5 #6) returns `false`.
    fn allows_downgrade(&self) -> bool {
        self.name() == wire::Mechanism::NULL
    }

    /// The as-server octet of our greeting. Mechanisms without roles send
    /// 0 (37-R22 for NULL).
    fn as_server(&self, side: Side) -> bool {
        let _ = side;
        false
    }

    /// A fresh handshake for one connection. The connection passes its
    /// behaviour resolved against the negotiated version
    /// ([`Behaviour::for_protocol`]) and its generator, from which the
    /// session draws what it needs when it starts (CURVE: a client's
    /// transient keys). A mechanism draws no randomness of its own.
    fn start(
        &self,
        side: Side,
        behaviour: &Behaviour,
        rng: &mut dyn CryptoRngCore,
    ) -> Box<dyn MechanismSession>;
}

/// What the handshake needs from the connection.
#[derive(Debug)]
pub struct HandshakeContext<'a> {
    /// Which end we are.
    pub side: Side,
    /// The metadata our READY (or INITIATE) carries.
    pub metadata: &'a Metadata,
}

/// Where a handshake stands after a command.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// More commands are expected.
    Continue,
    /// The handshake is done; this is the metadata the peer sent.
    Done(Metadata),
}

/// The per-connection state of a mechanism handshake.
pub trait MechanismSession: fmt::Debug + Send {
    /// Called once, when both greetings are exchanged: push the commands to
    /// send first (NULL: READY, unless an RFC 37 server waits).
    fn begin(&mut self, ctx: &HandshakeContext<'_>, out: &mut Vec<Command>);

    /// A command from the peer during the handshake (never ERROR, which
    /// the machine handles).
    ///
    /// # Errors
    /// The peer's fault when the command is not what the mechanism expects.
    fn handle(
        &mut self,
        command: Command,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError>;

    /// A command frame body (name included) from the peer during the
    /// handshake; ERROR never arrives here (37-R16). The default parses it
    /// with [`Command::parse`] and calls [`MechanismSession::handle`];
    /// CURVE overrides it because its READY is a box, not metadata.
    ///
    /// # Errors
    /// The peer's fault for a malformed body, or what `handle` returns.
    fn handle_raw(
        &mut self,
        body: Bytes,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        let command = Command::parse(&body).map_err(PeerError::Malformed)?;
        self.handle(command, ctx, out)
    }

    /// Whether frames after the handshake go through
    /// [`MechanismSession::wrap_frame`] and
    /// [`MechanismSession::unwrap_frame`] (CURVE: G-C8, 37-R64). `false`
    /// (the default, NULL and PLAIN: 37-R62, 37-R63) keeps the clear-text
    /// fast path.
    fn wraps_frames(&self) -> bool {
        false
    }

    /// After the handshake, with [`MechanismSession::wraps_frames`]: one
    /// outgoing frame (a message frame with its MORE flag, or a command
    /// frame holding a whole command body) becomes the frame sent, e.g. a
    /// MESSAGE command frame. The default sends it unchanged.
    ///
    /// # Errors
    /// A local error (e.g. nonce exhausted); the connection closes.
    fn wrap_frame(&mut self, frame: Frame) -> Result<Frame, ConnectionError> {
        Ok(frame)
    }

    /// After the handshake, with [`MechanismSession::wraps_frames`]: one
    /// frame as received (a command frame's body is the whole command
    /// body, name included) becomes the frame it carries. The default
    /// returns it unchanged.
    ///
    /// # Errors
    /// The peer's fault (bad box, replayed nonce, clear-text frame where
    /// only MESSAGE is allowed); the connection closes.
    fn unwrap_frame(&mut self, frame: Frame) -> Result<Frame, ConnectionError> {
        Ok(frame)
    }

    /// The reason of the ERROR sent when the connection fails through the
    /// peer's fault, or `None` to close without one. The default sends
    /// [`ErrorReason::from`] the error. A CURVE client never sends ERROR
    /// (26-R03), nor does a CURVE server for a bad MESSAGE (26-R59); a
    /// refusal carries the ZAP status code, and status 300 sends nothing
    /// (zmtp-wire.md 6.2 #12).
    fn error_reason(&self, error: &PeerError) -> Option<ErrorReason> {
        Some(ErrorReason::from(error))
    }

    /// Whether the handshake waits for the driver's cookie jar (a CURVE
    /// server after HELLO and after INITIATE: the cookie key is the
    /// socket's, not the connection's, 26-R17); the connection then calls
    /// [`MechanismSession::handle_cookie_jar`] when the driver hands it
    /// to [`Connection::handle_cookie_jar`](super::Connection::handle_cookie_jar).
    /// The default never waits.
    fn needs_cookie_jar(&self) -> bool {
        false
    }

    /// The step that waited for the cookie jar ([`MechanismSession::needs_cookie_jar`]),
    /// with the connection's generator: like [`MechanismSession::handle`],
    /// it may push commands and finish the handshake.
    ///
    /// # Errors
    /// The peer's fault (a cookie that does not open, a bad INITIATE), or
    /// an unexpected jar (the default: the handshake did not wait for one).
    fn handle_cookie_jar(
        &mut self,
        jar: &mut crate::security::curve::CookieJar,
        rng: &mut dyn CryptoRngCore,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        let _ = (jar, rng, ctx, out);
        Err(LocalError::NotAnApplicationCommand("a cookie jar").into())
    }

    /// A ZAP request the handshake now waits on (RFC 27), taken once;
    /// the driver gets it through
    /// [`Connection::poll_zap_request`](super::Connection::poll_zap_request).
    /// The default has none.
    fn poll_zap_request(&mut self) -> Option<crate::security::ZapRequest> {
        None
    }

    /// The ZAP handler's reply to the request from
    /// [`MechanismSession::poll_zap_request`]: like
    /// [`MechanismSession::handle`], it may push commands and finish the
    /// handshake.
    ///
    /// # Errors
    /// The refusal the reply carries, or an unexpected reply (the default:
    /// no request was made).
    fn handle_zap_reply(
        &mut self,
        reply: crate::security::ZapReply,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        let _ = (reply, ctx, out);
        Err(LocalError::NotAnApplicationCommand("a ZAP reply").into())
    }
}

/// The NULL mechanism: no authentication, a READY each way (RFC 23, 37).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Null;

impl Mechanism for Null {
    fn name(&self) -> wire::Mechanism {
        wire::Mechanism::NULL
    }

    fn start(
        &self,
        side: Side,
        behaviour: &Behaviour,
        _rng: &mut dyn CryptoRngCore,
    ) -> Box<dyn MechanismSession> {
        Box::new(NullSession {
            waits: if crate::mutant!(NullServerReadyFirst) {
                false
            } else {
                (side == Side::Client && crate::mutant!(NullClientWaits))
                    || (side == Side::Server && behaviour.null_server_ready.server_waits())
            },
            sent_ready: false,
        })
    }
}

/// The NULL handshake of one connection.
///
/// The client sends READY at once and accepts the server's whenever it
/// comes (37-R24, 23-R28), so it works with an RFC 37 server that replies
/// and with an RFC 23 or libzmq server that does not wait (zmtp-wire.md
/// 4.6, 6.1 #8). The server follows [`Behaviour::null_server_ready`], as
/// resolved by the connection against the negotiated version
/// ([`Behaviour::for_protocol`]): by default it sends READY only in reply
/// to a 3.1 client's READY (37-R25), and only once the machine accepted
/// that READY (an incompatible client gets ERROR instead, 37-R33), and at
/// once to a 3.0 client (23-R28).
#[derive(Debug)]
struct NullSession {
    waits: bool,
    sent_ready: bool,
}

impl MechanismSession for NullSession {
    fn begin(&mut self, ctx: &HandshakeContext<'_>, out: &mut Vec<Command>) {
        if !self.waits {
            out.push(Command::Ready(ctx.metadata.clone()));
            self.sent_ready = true;
        }
    }

    fn handle(
        &mut self,
        command: Command,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        match command {
            Command::Ready(metadata) => {
                if !self.sent_ready {
                    out.push(Command::Ready(ctx.metadata.clone()));
                    self.sent_ready = true;
                }
                Ok(Progress::Done(metadata))
            }
            other => Err(PeerError::UnexpectedDuringHandshake(command_label(&other)).into()),
        }
    }
}

/// A static label for a command, for error messages.
pub(crate) fn command_label(command: &Command) -> &'static str {
    match command {
        Command::Ready(_) => "READY",
        Command::Error { .. } => "ERROR",
        Command::Subscribe(_) => "SUBSCRIBE",
        Command::Cancel(_) => "CANCEL",
        Command::Ping { .. } => "PING",
        Command::Pong { .. } => "PONG",
        Command::Join(_) => "JOIN",
        Command::Leave(_) => "LEAVE",
        Command::Mechanism { name, .. } => name.as_str(),
        _ => "an unknown command",
    }
}
