//! PLAIN (RFC 24): a username and password in clear, checked by the
//! server's authenticator.
//!
//! ```text
//!   client                                   server
//!   HELLO  username, password     ──>   ZapRequest ─> Authenticator (RFC 27)
//!          <──  WELCOME                 200            (G-P4)
//!          <──  ERROR "400"/"500"       refused; 300: close only
//!   INITIATE metadata             ──>
//!          <──  READY metadata                         (G-P5)
//! ```
//!
//! The command order is G-P2; after READY, frames travel in clear
//! (37-R62, 37-R63). RFC 24 itself has no MUST/SHALL sentence: the rules
//! here are its grammar (G-P1..G-P5).

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use zeroize::Zeroizing;

use super::zap::{Asked, Zap, ZapReply, ZapRequest, accepted_peer_metadata, verdict};
use crate::connection::config::{Behaviour, Side};
use crate::connection::error::{ConnectionError, ErrorReason, LocalError, PeerError};
use crate::connection::mechanism::{
    HandshakeContext, Mechanism, MechanismSession, Progress, command_label,
};
use crate::wire::metadata::IDENTITY;
use crate::wire::view::plain::HelloView;
use crate::wire::{self, Command, Encode, MechanismCommand, Metadata, WireError};

#[cfg(test)]
mod tests;

/// The PLAIN mechanism of a socket: a client with credentials, or a server
/// with an authenticator.
#[derive(Clone, Debug)]
pub struct Plain {
    role: Role,
}

#[derive(Clone, Debug)]
enum Role {
    Client(Arc<Credentials>),
    Server(Arc<Zap>),
}

/// A PLAIN client's username and password. The password is kept in a
/// buffer of its own that is wiped when the last connection using it is
/// gone, and `Debug` never shows it.
struct Credentials {
    username: Bytes,
    password: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The HELLO data. The copy of the password in it goes to the wire
    /// (PLAIN sends it in clear: G-P3).
    fn hello(&self) -> Bytes {
        encode_hello(&self.username, &self.password)
    }
}

impl Plain {
    /// A PLAIN client sending these credentials (libzmq's PLAIN_USERNAME
    /// and PLAIN_PASSWORD). The mechanism keeps its own copy of the
    /// password, wiped on drop (the caller's is the caller's to wipe).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] if either is longer than 255
    /// octets (G-P3).
    pub fn client(
        username: impl Into<Bytes>,
        password: impl AsRef<[u8]>,
    ) -> Result<Self, WireError> {
        let username = username.into();
        let password = password.as_ref();
        if username.len() > 255 || password.len() > 255 {
            return Err(malformed("HELLO"));
        }
        Ok(Self {
            role: Role::Client(Arc::new(Credentials {
                username,
                password: Zeroizing::new(password.to_vec()),
            })),
        })
    }

    /// A PLAIN server asking `zap` about each client (libzmq's
    /// PLAIN_SERVER). Without an authenticator every client is refused, as
    /// libzmq's PLAIN server does without a ZAP handler (zmtp-wire.md 6.2
    /// #12).
    pub fn server(zap: Zap) -> Self {
        Self {
            role: Role::Server(Arc::new(zap)),
        }
    }

    /// Whether this is the server role.
    pub fn is_server(&self) -> bool {
        matches!(self.role, Role::Server(_))
    }
}

impl Mechanism for Plain {
    fn name(&self) -> wire::Mechanism {
        wire::Mechanism::PLAIN
    }

    /// 1 for the server (G-P1). libzmq sends 0 and ignores ours
    /// (zmtp-wire.md 6.2 #1), so the peer's value is not checked.
    fn as_server(&self, _side: Side) -> bool {
        self.is_server()
    }

    fn start(
        &self,
        _side: Side,
        _behaviour: &Behaviour,
        _rng: &mut dyn rand_core::CryptoRngCore,
    ) -> Box<dyn MechanismSession> {
        match &self.role {
            Role::Client(credentials) => Box::new(ClientSession {
                credentials: Arc::clone(credentials),
                state: ClientState::Start,
            }),
            Role::Server(zap) => Box::new(ServerSession {
                zap: Arc::clone(zap),
                state: ServerState::ExpectHello,
                pending: None,
            }),
        }
    }
}

/// `hello = ulen:1 username:ulen plen:1 password:plen` (G-P3). The grammar
/// says VCHAR; libzmq accepts any octets, and so does this.
#[derive(Clone, PartialEq, Eq)]
pub struct Hello {
    /// 0-255 octets.
    pub username: Bytes,
    /// 0-255 octets.
    pub password: Bytes,
}

impl core::fmt::Debug for Hello {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hello")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

fn malformed(command: &'static str) -> WireError {
    WireError::BadMechanismCommand {
        mechanism: "PLAIN",
        command,
        rule: "G-P3..G-P5",
    }
}

impl Hello {
    /// Parses HELLO data (after the name): both fields exactly fill it.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-P3.
    pub fn parse(data: &Bytes) -> Result<Self, WireError> {
        let (username, password) = HelloView::new(&data[..]).check()?;
        Ok(Self {
            username: data.slice_ref(username),
            password: data.slice_ref(password),
        })
    }

    /// The data after the name. Fields longer than 255 octets, which
    /// [`Hello::parse`] never makes, are cut to 255.
    pub fn encode(&self) -> Bytes {
        encode_hello(&self.username, &self.password)
    }
}

/// `ulen username plen password` (G-P3), each field cut to 255 octets
/// (callers check the lengths first).
fn encode_hello(username: &[u8], password: &[u8]) -> Bytes {
    let username = &username[..username.len().min(255)];
    let password = &password[..password.len().min(255)];
    let mut out = BytesMut::with_capacity(2 + username.len() + password.len());
    out.put_u8(username.len() as u8);
    out.put_slice(username);
    out.put_u8(password.len() as u8);
    out.put_slice(password);
    out.freeze()
}

#[derive(Debug)]
enum ClientState {
    Start,
    ExpectWelcome,
    ExpectReady,
    Done,
}

/// One client connection's PLAIN handshake.
#[derive(Debug)]
struct ClientSession {
    credentials: Arc<Credentials>,
    state: ClientState,
}

impl MechanismSession for ClientSession {
    fn begin(&mut self, _ctx: &HandshakeContext<'_>, out: &mut Vec<Command>) {
        if let ClientState::Start = self.state {
            out.push(Command::Mechanism {
                name: MechanismCommand::Hello,
                body: self.credentials.hello(),
            });
            self.state = ClientState::ExpectWelcome;
        }
    }

    fn handle(
        &mut self,
        command: Command,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        match (&self.state, command) {
            (
                ClientState::ExpectWelcome,
                Command::Mechanism {
                    name: MechanismCommand::Welcome,
                    body,
                },
            ) => {
                if !body.is_empty() {
                    return Err(PeerError::from(malformed("WELCOME")).into());
                }
                out.push(Command::Mechanism {
                    name: MechanismCommand::Initiate,
                    body: ctx.metadata.to_bytes().map_err(LocalError::from)?,
                });
                self.state = ClientState::ExpectReady;
                Ok(Progress::Continue)
            }
            (ClientState::ExpectReady, Command::Ready(metadata)) => {
                self.state = ClientState::Done;
                Ok(Progress::Done(metadata))
            }
            (_, other) => Err(PeerError::UnexpectedDuringHandshake(command_label(&other)).into()),
        }
    }
}

#[derive(Debug)]
enum ServerState {
    ExpectHello,
    /// The external ZAP handler has the request; WELCOME waits for it.
    AwaitZap,
    /// WELCOME sent; the properties from the ZAP reply wait for INITIATE.
    ExpectInitiate(Metadata),
    Done,
    Failed,
}

/// One server connection's PLAIN handshake.
#[derive(Debug)]
struct ServerSession {
    zap: Arc<Zap>,
    state: ServerState,
    /// A request for the external handler, until the driver takes it.
    pending: Option<ZapRequest>,
}

impl ServerSession {
    /// After the verdict on HELLO: WELCOME (G-P2, G-P4).
    fn welcome(&mut self, properties: Metadata, out: &mut Vec<Command>) -> Progress {
        out.push(Command::Mechanism {
            name: MechanismCommand::Welcome,
            body: Bytes::new(),
        });
        self.state = ServerState::ExpectInitiate(properties);
        Progress::Continue
    }
}

impl MechanismSession for ServerSession {
    fn begin(&mut self, _ctx: &HandshakeContext<'_>, _out: &mut Vec<Command>) {}

    fn handle(
        &mut self,
        command: Command,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        match (
            core::mem::replace(&mut self.state, ServerState::Failed),
            command,
        ) {
            (
                ServerState::ExpectHello,
                Command::Mechanism {
                    name: MechanismCommand::Hello,
                    body,
                },
            ) => {
                let hello = Hello::parse(&body).map_err(PeerError::from)?;
                // RFC 27: credentials are username and password (27-R37,
                // 27-R38); the identity frame is our own routing id, as
                // libzmq sends it. Without a handler, refuse (libzmq).
                let identity = ctx.metadata.get(IDENTITY).cloned().unwrap_or_default();
                if crate::mutant!(PlainCredentialsIgnored) {
                    return Ok(self.welcome(Metadata::new(), out));
                }
                let asked = self
                    .zap
                    .ask(
                        "PLAIN",
                        identity,
                        vec![hello.username, hello.password],
                        true,
                    )
                    .map_err(PeerError::from)?;
                match asked {
                    Asked::Accepted(properties) => Ok(self.welcome(properties, out)),
                    Asked::Pending(request) => {
                        self.pending = Some(request);
                        self.state = ServerState::AwaitZap;
                        Ok(Progress::Continue)
                    }
                }
            }
            (
                ServerState::ExpectInitiate(properties),
                Command::Mechanism {
                    name: MechanismCommand::Initiate,
                    body,
                },
            ) => {
                let metadata = Metadata::parse(&body).map_err(PeerError::from)?;
                let metadata = accepted_peer_metadata(&properties, metadata);
                out.push(Command::Ready(ctx.metadata.clone()));
                self.state = ServerState::Done;
                Ok(Progress::Done(metadata))
            }
            (_, other) => Err(PeerError::UnexpectedDuringHandshake(command_label(&other)).into()),
        }
    }

    fn poll_zap_request(&mut self) -> Option<ZapRequest> {
        self.pending.take()
    }

    fn handle_zap_reply(
        &mut self,
        reply: ZapReply,
        _ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        if !matches!(self.state, ServerState::AwaitZap) {
            return Err(LocalError::NotAnApplicationCommand("an unrequested ZAP reply").into());
        }
        self.state = ServerState::Failed;
        let properties = verdict(&reply).map_err(PeerError::from)?;
        Ok(self.welcome(properties, out))
    }

    /// A refusal carries the ZAP status code, as libzmq sends it; status
    /// 300 closes without ERROR (zmtp-wire.md 6.2 #12).
    fn error_reason(&self, error: &PeerError) -> Option<ErrorReason> {
        match error {
            PeerError::Security(security) => security.error_reason().and_then(ErrorReason::new),
            other => Some(ErrorReason::from(other)),
        }
    }
}

/// The reason of the malformed ERROR libzmq 4.3.5's PLAIN server sends
/// when its ZAP handler refuses a client: `5E "RROR" reason-len reason`,
/// its `"\x05ERROR"` prefix having lost an octet to a C hex escape
/// (observed on the wire: `04 09 5E 52 52 4F 52 03 "400"`). No valid
/// command starts this way (a 94-octet name cannot fit), so the machine
/// reads it as ERROR with this reason instead of a malformed command.
pub fn libzmq_error_reason(body: &Bytes) -> Option<Bytes> {
    let rest = body.strip_prefix(b"\x5ERROR")?;
    let (&len, reason) = rest.split_first()?;
    (usize::from(len) == reason.len()).then(|| body.slice_ref(reason))
}
