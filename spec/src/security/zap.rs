//! ZAP, the ZeroMQ Authentication Protocol (RFC 27): the request a
//! mechanism server sends to an authentication handler, the reply it gets,
//! and the [`Authenticator`] hook through which the sans-IO PLAIN and CURVE
//! servers ask it.
//!
//! ```text
//!   PLAIN server (on HELLO) ─┐               Handler::Callback: an Authenticator
//!   CURVE server (INITIATE) ─┴─ ZapRequest ─> Handler::External: Connection::
//!                              <─ ZapReply ──   poll_zap_request / handle_zap_reply,
//!                                               for a REP/ROUTER handler bound at
//!                                               inproc://zeromq.zap.01 (the driver)
//!   200 ─> READY/WELCOME, User-Id + reply metadata on the peer
//!   300 ─> close, no ERROR      400/500 ─> ERROR "400"/"500" (26-R60)
//! ```
//!
//! The frames here are the ones after the empty delimiter, which a REQ
//! client and a REP handler never see themselves (27-R26, 27-R27);
//! [`ZapRequest::parse`] and [`ZapReply::parse`] also accept the delimiter
//! in front, as a DEALER or ROUTER sees it (27-R42, 27-R44).

use core::fmt;

use bytes::Bytes;

use super::SecurityError;
use crate::wire::metadata::USER_ID;
use crate::wire::{Encode, EncodeError, Metadata, WireError};

#[cfg(test)]
mod tests;

/// The endpoint a ZAP handler binds (27-R04) and servers connect to
/// (27-R05).
pub const ENDPOINT: &str = "inproc://zeromq.zap.01";

/// The protocol version in every request and reply (27-R11, 27-R17).
pub const VERSION: &[u8] = b"1.0";

/// A ZAP status code (27-R18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusCode {
    /// 200: the peer is accepted.
    Success,
    /// 300: a temporary failure; the server closes without ERROR
    /// (zmtp-wire.md 6.2 #12).
    TemporaryFailure,
    /// 400: the peer is refused; the server sends ERROR "400".
    AuthenticationFailure,
    /// 500: the handler failed; the server sends ERROR "500".
    InternalError,
}

impl StatusCode {
    /// The 3-digit text sent in the status-code frame.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "200",
            Self::TemporaryFailure => "300",
            Self::AuthenticationFailure => "400",
            Self::InternalError => "500",
        }
    }

    /// The status for a status-code frame, `None` if it is not one of the
    /// four codes (27-R18; libzmq refuses other codes as well).
    pub fn from_wire(frame: &[u8]) -> Option<Self> {
        match frame {
            b"200" => Some(Self::Success),
            b"300" => Some(Self::TemporaryFailure),
            b"400" => Some(Self::AuthenticationFailure),
            b"500" => Some(Self::InternalError),
            _ => None,
        }
    }
}

/// Why a ZAP request or reply was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZapError {
    /// The message does not have the frames the protocol requires
    /// (27-R09, 27-R15: a reply has exactly 6 after the delimiter).
    #[error("ZAP message with {0} frames (27-R09, 27-R15)")]
    FrameCount(usize),
    /// The version frame is not "1.0" (27-R11, 27-R17).
    #[error("ZAP version is not 1.0 (27-R11, 27-R17)")]
    Version,
    /// The status code is not 200, 300, 400 or 500 (27-R18).
    #[error("ZAP status code is not 200, 300, 400 or 500 (27-R18)")]
    StatusCode,
    /// The mechanism frame is empty (27-R23).
    #[error("ZAP mechanism is empty (27-R23)")]
    EmptyMechanism,
    /// The reply's metadata frame is not in the ZMTP property format
    /// (27-R25).
    #[error("ZAP reply metadata: {0} (27-R25)")]
    Metadata(WireError),
    /// The reply echoes another request-id (27-R20).
    #[error("ZAP reply request-id does not match the request (27-R20)")]
    RequestId,
}

/// A ZAP request: what a server asks the handler (27-R09). Its `Debug`
/// output leaves out a PLAIN password.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ZapRequest {
    /// Echoed in the reply (27-R20).
    pub request_id: Bytes,
    /// The server's ZAP domain. RFC 27 wants it non-empty (27-R12); libzmq
    /// sends its ZAP_DOMAIN option as is, empty by default.
    pub domain: Bytes,
    /// The peer's address: IPv4 dotted or IPv6 text (27-R21); empty where
    /// the machine does not know it (the driver knows the socket).
    pub address: Bytes,
    /// The connection identity, at most 255 octets (27-R22).
    pub identity: Bytes,
    /// "NULL", "PLAIN" or "CURVE" (27-R13, 27-R23).
    pub mechanism: Bytes,
    /// PLAIN: username and password (27-R38); CURVE: the client's 32-octet
    /// permanent public key (27-R40); NULL: none (27-R36).
    pub credentials: Vec<Bytes>,
}

/// A credential as `Debug` shows it: a password by its length only.
enum Shown<'a> {
    Clear(&'a Bytes),
    Hidden(usize),
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Clear(c) => c.fmt(f),
            Self::Hidden(len) => write!(f, "<{len} octets hidden>"),
        }
    }
}

impl fmt::Debug for ZapRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = self.mechanism == "PLAIN".as_bytes();
        let credentials: Vec<Shown<'_>> = self
            .credentials
            .iter()
            .enumerate()
            .map(|(i, c)| {
                // PLAIN's second credential is the password (27-R38).
                if plain && i > 0 {
                    Shown::Hidden(c.len())
                } else {
                    Shown::Clear(c)
                }
            })
            .collect();
        f.debug_struct("ZapRequest")
            .field("request_id", &self.request_id)
            .field("domain", &self.domain)
            .field("address", &self.address)
            .field("identity", &self.identity)
            .field("mechanism", &self.mechanism)
            .field("credentials", &credentials)
            .finish()
    }
}

impl ZapRequest {
    /// The frames after the delimiter: version, request-id, domain,
    /// address, identity, mechanism, credentials (27-R09).
    pub fn frames(&self) -> Vec<Bytes> {
        let mut frames = vec![
            Bytes::from_static(VERSION),
            self.request_id.clone(),
            self.domain.clone(),
            self.address.clone(),
            self.identity.clone(),
            self.mechanism.clone(),
        ];
        frames.extend(self.credentials.iter().cloned());
        frames
    }

    /// A request from its frames, with or without the empty delimiter in
    /// front (27-R10).
    ///
    /// # Errors
    /// [`ZapError::FrameCount`] for fewer than 6 frames after the
    /// delimiter, [`ZapError::Version`], [`ZapError::EmptyMechanism`].
    pub fn parse(frames: &[Bytes]) -> Result<Self, ZapError> {
        let frames = strip_delimiter(frames);
        let [
            version,
            request_id,
            domain,
            address,
            identity,
            mechanism,
            credentials @ ..,
        ] = frames
        else {
            return Err(ZapError::FrameCount(frames.len()));
        };
        if version != VERSION {
            return Err(ZapError::Version);
        }
        if mechanism.is_empty() {
            return Err(ZapError::EmptyMechanism);
        }
        Ok(Self {
            request_id: request_id.clone(),
            domain: domain.clone(),
            address: address.clone(),
            identity: identity.clone(),
            mechanism: mechanism.clone(),
            credentials: credentials.to_vec(),
        })
    }

    /// A reply to this request with status 200 and this user id.
    pub fn accept(&self, user_id: impl Into<Bytes>) -> ZapReply {
        ZapReply {
            request_id: self.request_id.clone(),
            status: StatusCode::Success,
            status_text: Bytes::from_static(b"OK"),
            user_id: user_id.into(),
            metadata: Metadata::new(),
            from_handler: true,
        }
    }

    /// The acceptance a driver gives under libzmq's no-handler rule (a
    /// CURVE server, or NULL with a ZAP domain, and nobody to ask): status
    /// 200, and no `User-Id` on the peer, as libzmq 4.3.5 shows none
    /// without a ZAP exchange.
    pub fn accept_without_handler(&self) -> ZapReply {
        ZapReply {
            from_handler: false,
            ..self.accept(Bytes::new())
        }
    }

    /// The verdict when no handler answers (none is set or bound): libzmq's
    /// rule (zmtp-wire.md 6.2 #12). PLAIN is refused (500: a password
    /// nobody checks is no check), and so is every mechanism when the
    /// application asked for ZAP to be enforced (ZAP_ENFORCE_DOMAIN); CURVE
    /// and NULL are otherwise accepted
    /// ([`ZapRequest::accept_without_handler`]).
    pub fn reply_without_handler(&self, enforce_domain: bool) -> ZapReply {
        if enforce_domain || self.mechanism.as_ref() == b"PLAIN" {
            self.refuse(StatusCode::InternalError, "no ZAP handler")
        } else {
            self.accept_without_handler()
        }
    }

    /// A reply to this request with a failure status and text; the user id
    /// is empty, as 27-R24 requires.
    pub fn refuse(&self, status: StatusCode, text: impl Into<Bytes>) -> ZapReply {
        ZapReply::refusal(self.request_id.clone(), status, text)
    }
}

/// A ZAP reply: the handler's verdict (27-R15).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ZapReply {
    /// The request's id, unchanged (27-R20).
    pub request_id: Bytes,
    /// The verdict (27-R18).
    pub status: StatusCode,
    /// Free text for logs.
    pub status_text: Bytes,
    /// Who the peer is; empty unless the status is 200 (27-R19, 27-R24).
    pub user_id: Bytes,
    /// Properties the server attaches to the peer (27-R25).
    pub metadata: Metadata,
    /// Whether a handler (or an [`Authenticator`]) made this reply; `false`
    /// only for [`ZapRequest::accept_without_handler`]. Replies are made
    /// with [`ZapRequest::accept`], [`ZapRequest::refuse`] or
    /// [`ZapReply::parse`].
    pub(crate) from_handler: bool,
}

impl ZapReply {
    /// A reply to the request `request_id` with a failure status and text,
    /// and an empty user id (27-R24): what a driver answers itself when the
    /// handler went away or answered nonsense.
    pub fn refusal(request_id: Bytes, status: StatusCode, text: impl Into<Bytes>) -> Self {
        Self {
            request_id,
            status,
            status_text: text.into(),
            user_id: Bytes::new(),
            metadata: Metadata::new(),
            from_handler: true,
        }
    }

    /// The frames after the delimiter: version, request-id, status-code,
    /// status-text, user-id, metadata (27-R15).
    ///
    /// # Errors
    /// [`EncodeError`] if the metadata breaks the property grammar.
    pub fn frames(&self) -> Result<Vec<Bytes>, EncodeError> {
        Ok(vec![
            Bytes::from_static(VERSION),
            self.request_id.clone(),
            Bytes::from_static(self.status.as_str().as_bytes()),
            self.status_text.clone(),
            self.user_id.clone(),
            self.metadata.to_bytes()?,
        ])
    }

    /// A reply from its frames, with or without the empty delimiter in
    /// front: exactly 6 frames after it, as libzmq requires (27-R15,
    /// zmtp-wire.md 6.2 #12).
    ///
    /// # Errors
    /// [`ZapError`] for a wrong frame count, version, status code or
    /// metadata.
    pub fn parse(frames: &[Bytes]) -> Result<Self, ZapError> {
        let frames = strip_delimiter(frames);
        let [version, request_id, status, status_text, user_id, metadata] = frames else {
            return Err(ZapError::FrameCount(frames.len()));
        };
        if version != VERSION {
            return Err(ZapError::Version);
        }
        let status = StatusCode::from_wire(status).ok_or(ZapError::StatusCode)?;
        Ok(Self {
            request_id: request_id.clone(),
            status,
            status_text: status_text.clone(),
            user_id: user_id.clone(),
            metadata: Metadata::parse(metadata).map_err(ZapError::Metadata)?,
            from_handler: true,
        })
    }

    /// The properties the peer gets from this reply: `User-Id` (present
    /// even when empty, as libzmq 4.3.5's `zmq_msg_gets` shows it after a
    /// ZAP exchange; absent without one), then the handler's metadata.
    /// libzmq exposes both as message properties (27-R25).
    pub fn peer_properties(&self) -> Metadata {
        let mut metadata = Metadata::new();
        if self.from_handler {
            metadata.push(USER_ID, self.user_id.clone());
        }
        for property in self.metadata.properties() {
            metadata.push(property.name.clone(), property.value.clone());
        }
        metadata
    }
}

/// The peer's properties once a ZAP handler has accepted it: the handler's
/// (`zap`) first, then what the peer said about itself (`peer`, from its
/// INITIATE or READY), so that a lookup by name ([`Metadata::get`] returns
/// the first match) finds the handler's `User-Id` even when the peer claims
/// one: libzmq gives the ZAP properties the same precedence over the
/// peer's. The peer's `Socket-Type` and `Identity` stay ahead of any the
/// handler names, because the connection reads them to check and route
/// the peer.
pub(crate) fn accepted_peer_metadata(zap: &Metadata, peer: Metadata) -> Metadata {
    use crate::wire::metadata::{IDENTITY, SOCKET_TYPE};
    let protocol = |name: &[u8]| {
        name.eq_ignore_ascii_case(SOCKET_TYPE.as_bytes())
            || name.eq_ignore_ascii_case(IDENTITY.as_bytes())
    };
    let mut merged = Metadata::new();
    for property in peer.properties().iter().filter(|p| protocol(&p.name)) {
        merged.push(property.name.clone(), property.value.clone());
    }
    for property in zap.properties() {
        merged.push(property.name.clone(), property.value.clone());
    }
    for property in peer.properties().iter().filter(|p| !protocol(&p.name)) {
        merged.push(property.name.clone(), property.value.clone());
    }
    merged
}

/// Drops the empty delimiter frame a DEALER or ROUTER sees in front (the
/// version frame is never empty, so the test is unambiguous).
fn strip_delimiter(frames: &[Bytes]) -> &[Bytes] {
    match frames {
        [first, rest @ ..] if first.is_empty() => rest,
        all => all,
    }
}

/// Decides on a peer, given its ZAP request. A PLAIN or CURVE server calls
/// it before it accepts the peer; the implementation may answer from a
/// table, or forward the request to a handler at [`ENDPOINT`] and wait for
/// its reply (the driver's business: this crate does no I/O).
pub trait Authenticator: fmt::Debug + Send + Sync {
    /// The reply to `request`. A reply whose request-id differs from the
    /// request's is treated as a refusal (27-R20).
    fn authenticate(&self, request: &ZapRequest) -> ZapReply;
}

/// An [`Authenticator`] made of a closure.
pub struct FnAuthenticator<F>(pub F);

impl<F> fmt::Debug for FnAuthenticator<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnAuthenticator")
    }
}

impl<F> Authenticator for FnAuthenticator<F>
where
    F: Fn(&ZapRequest) -> ZapReply + Send + Sync,
{
    fn authenticate(&self, request: &ZapRequest) -> ZapReply {
        (self.0)(request)
    }
}

/// Who decides on a server's peers.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Handler {
    /// No handler: libzmq's CURVE server then accepts every client that
    /// completes the handshake (unless the domain is enforced), and its
    /// PLAIN server refuses every client (zmtp-wire.md 6.2 #12).
    #[default]
    None,
    /// A callback, asked synchronously.
    Callback(std::sync::Arc<dyn Authenticator>),
    /// A handler outside the machine (libzmq's REP/ROUTER at [`ENDPOINT`]):
    /// the handshake pauses on
    /// [`Connection::poll_zap_request`](crate::connection::Connection::poll_zap_request)
    /// until the driver passes the reply to
    /// [`Connection::handle_zap_reply`](crate::connection::Connection::handle_zap_reply).
    External,
}

/// How a server authenticates its peers: the handler and the domain.
#[derive(Clone, Debug, Default)]
pub struct Zap {
    /// The ZAP domain sent in each request (libzmq's ZMQ_ZAP_DOMAIN).
    pub domain: Bytes,
    /// Who decides.
    pub handler: Handler,
    /// With no handler, refuse every peer instead of accepting it
    /// (libzmq's ZMQ_ZAP_ENFORCE_DOMAIN).
    pub enforce_domain: bool,
}

/// What asking the handler gave.
#[derive(Debug)]
pub(crate) enum Asked {
    /// The peer is accepted, with these properties for it.
    Accepted(Metadata),
    /// The handshake waits for an external handler's reply to this
    /// request.
    Pending(ZapRequest),
}

/// The request-id of every request a session makes: one request per
/// connection.
const REQUEST_ID: &[u8] = b"1";

impl Zap {
    /// A callback handler for the empty domain.
    pub fn new(authenticator: std::sync::Arc<dyn Authenticator>) -> Self {
        Self {
            handler: Handler::Callback(authenticator),
            ..Self::default()
        }
    }

    /// An external handler for the empty domain (see
    /// [`Handler::External`]).
    pub fn external() -> Self {
        Self {
            handler: Handler::External,
            ..Self::default()
        }
    }

    /// Asks the handler about a peer.
    ///
    /// # Errors
    /// [`SecurityError::Refused`] when the callback refuses, or when there
    /// is no handler and `no_handler_refuses` or
    /// [`Zap::enforce_domain`] says so (status 500).
    pub(crate) fn ask(
        &self,
        mechanism: &'static str,
        identity: Bytes,
        credentials: Vec<Bytes>,
        no_handler_refuses: bool,
    ) -> Result<Asked, SecurityError> {
        let request = ZapRequest {
            request_id: Bytes::from_static(REQUEST_ID),
            domain: self.domain.clone(),
            address: Bytes::new(),
            identity,
            mechanism: Bytes::from_static(mechanism.as_bytes()),
            credentials,
        };
        match &self.handler {
            Handler::None if no_handler_refuses || self.enforce_domain => {
                Err(SecurityError::Refused {
                    status: StatusCode::InternalError,
                    text: Bytes::from_static(b"no ZAP handler"),
                })
            }
            Handler::None => Ok(Asked::Accepted(Metadata::new())),
            Handler::Callback(authenticator) => {
                verdict(&authenticator.authenticate(&request)).map(Asked::Accepted)
            }
            Handler::External => Ok(Asked::Pending(request)),
        }
    }
}

/// The properties a reply gives the peer, or the refusal it carries; a
/// reply to another request-id is a 500 refusal (27-R20).
pub(crate) fn verdict(reply: &ZapReply) -> Result<Metadata, SecurityError> {
    if reply.request_id != REQUEST_ID {
        return Err(SecurityError::Refused {
            status: StatusCode::InternalError,
            text: Bytes::from_static(b"request-id mismatch"),
        });
    }
    match reply.status {
        StatusCode::Success => Ok(reply.peer_properties()),
        _ if crate::mutant!(ZapRefusalIgnored) => Ok(reply.peer_properties()),
        status => Err(SecurityError::Refused {
            status,
            text: reply.status_text.clone(),
        }),
    }
}
