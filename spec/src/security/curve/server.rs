//! The CURVE server handshake: WELCOME on a valid HELLO, READY (or ERROR)
//! on a valid INITIATE, then MESSAGE (26-R14..R17, 26-R22, 26-R40..R44).
//!
//! Between WELCOME and INITIATE the session holds no secret: only the
//! client's transient public key, the cookie it sent (both public) and the
//! nonce counters. The server transient secret key s' lives in the cookie,
//! boxed under the socket's [`CookieJar`] key (26-R17).
//!
//! The jar is the driver's: a checked HELLO, and an INITIATE that returns
//! our cookie, wait for it
//! ([`MechanismSession::needs_cookie_jar`]), and the work that needs the
//! cookie key (sealing the cookie and answering WELCOME; opening it and
//! checking the rest of INITIATE) runs when the driver lends it
//! ([`MechanismSession::handle_cookie_jar`]).
//!
//! ```text
//!   ExpectHello ──HELLO──> SealCookie ──jar──> ExpectInitiate (WELCOME sent)
//!   ExpectInitiate ──INITIATE──> OpenCookie ──jar──> Active (READY) | AwaitZap
//! ```

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use rand_core::CryptoRngCore;

use super::ServerConfig;
use super::commands::{Hello, Initiate, InitiateContent, VOUCH_LEN, WELCOME_BOX_LEN, Welcome};
use super::cookie::{COOKIE_LEN, CookieJar};
use super::crypto::{
    Channel, KEY_LEN, KeyPair, PublicKey, long_nonce, random_long_nonce, short_nonce,
};
use super::nonce::{self, Counter, PeerNonces};
use super::traffic::Tunnel;
use crate::connection::error::{ConnectionError, ErrorReason, LocalError, PeerError};
use crate::connection::mechanism::{HandshakeContext, MechanismSession, Progress};
use crate::security::SecurityError;
use crate::security::zap::{Asked, ZapReply, ZapRequest, accepted_peer_metadata, verdict};
use crate::wire::command::split_command;
use crate::wire::metadata::IDENTITY;
use crate::wire::{Command, Encode, Frame, MechanismCommand, Metadata};

/// Where the server handshake stands.
#[derive(Debug)]
enum State {
    /// A HELLO is due.
    ExpectHello,
    /// HELLO checked; WELCOME waits for the cookie jar.
    SealCookie {
        client_transient: PublicKey,
        /// The box between our permanent key and C'.
        permanent: Channel,
    },
    /// WELCOME sent: what INITIATE must match (all public).
    ExpectInitiate {
        client_transient: PublicKey,
        cookie: [u8; COOKIE_LEN],
    },
    /// An INITIATE with our cookie; opening it waits for the cookie jar.
    OpenCookie {
        client_transient: PublicKey,
        initiate: Initiate,
    },
    /// INITIATE checked; the external ZAP handler has the request.
    AwaitZap {
        metadata: Metadata,
        channel: Channel,
    },
    /// The handshake is done: MESSAGE commands.
    Active(Tunnel),
    /// Failed; nothing more is accepted.
    Failed,
}

/// One server connection's CURVE handshake and tunnel.
#[derive(Debug)]
pub struct ServerSession {
    config: Arc<ServerConfig>,
    ours: Counter,
    theirs: PeerNonces,
    state: State,
    /// A request for the external handler, until the driver takes it.
    pending: Option<ZapRequest>,
}

impl ServerSession {
    /// A session waiting for HELLO.
    pub fn new(config: Arc<ServerConfig>) -> Self {
        Self {
            config,
            ours: Counter::default(),
            theirs: PeerNonces::default(),
            state: State::ExpectHello,
            pending: None,
        }
    }

    /// Checks HELLO (26-R06..R08, R13..R15, R20); WELCOME then waits for
    /// the cookie jar ([`ServerSession::welcome`]).
    fn on_hello(&mut self, data: &Bytes) -> Result<State, ConnectionError> {
        let hello = Hello::parse(data).map_err(PeerError::from)?;
        let permanent = Channel::with_peer_key(&hello.client_transient, self.config.keys.secret())
            .map_err(|_| PeerError::from(SecurityError::WeakKey("HELLO")))?;
        let signature = permanent
            .open(&short_nonce(nonce::HELLO, hello.nonce), &hello.signature)
            .map_err(|_| PeerError::from(SecurityError::BadBox("HELLO")))?;
        if signature.iter().any(|&b| b != 0) {
            return Err(PeerError::from(SecurityError::BadBox("HELLO")).into());
        }
        self.theirs
            .accept("HELLO", hello.nonce)
            .map_err(PeerError::from)?;
        Ok(State::SealCookie {
            client_transient: hello.client_transient,
            permanent,
        })
    }

    /// WELCOME with a fresh S', s' from `rng` (26-R16, 26-R22) whose
    /// secret goes into a new cookie sealed in `jar` (26-R28) and is then
    /// dropped (26-R17).
    fn welcome(
        client_transient: PublicKey,
        permanent: &Channel,
        jar: &mut CookieJar,
        rng: &mut dyn CryptoRngCore,
    ) -> (Command, State) {
        let transient = KeyPair::generate(rng);
        let cookie = jar.seal(&client_transient, transient.secret(), rng);
        let long = random_long_nonce(rng);
        let mut boxed = BytesMut::with_capacity(WELCOME_BOX_LEN);
        permanent.seal_parts_into(
            &long_nonce(nonce::WELCOME, &long),
            &[transient.public().as_bytes(), &cookie],
            &mut boxed,
        );
        drop(transient);
        let mut welcome_box = [0u8; WELCOME_BOX_LEN];
        welcome_box.copy_from_slice(&boxed);
        let welcome = Welcome {
            nonce: long,
            boxed: welcome_box,
        };
        let command = Command::Mechanism {
            name: MechanismCommand::Welcome,
            body: welcome.encode(),
        };
        (
            command,
            State::ExpectInitiate {
                client_transient,
                cookie,
            },
        )
    }

    /// INITIATE must return the cookie our WELCOME sent (26-R40); the rest
    /// waits for the cookie jar ([`ServerSession::on_initiate`]).
    fn check_cookie(
        data: &Bytes,
        client_transient: PublicKey,
        sent_cookie: &[u8; COOKIE_LEN],
    ) -> Result<State, ConnectionError> {
        let initiate = Initiate::parse(data).map_err(PeerError::from)?;
        if initiate.cookie != *sent_cookie && !crate::mutant!(CurveCookieNotChecked) {
            return Err(PeerError::from(SecurityError::CookieRejected).into());
        }
        Ok(State::OpenCookie {
            client_transient,
            initiate,
        })
    }

    /// Checks INITIATE (26-R40, 26-R41): the cookie (the one our WELCOME
    /// sent) opens under a live key of `jar` (26-R27), it names this
    /// connection's C', the box opens with s', the vouch opens with C and
    /// s' and names C' and S, the metadata parses; then the authenticator
    /// decides (RFC 27). Returns the client's metadata (with the ZAP
    /// reply's properties) and the tunnel's channel.
    fn on_initiate(
        &mut self,
        initiate: &Initiate,
        client_transient: &PublicKey,
        jar: &CookieJar,
        ctx: &HandshakeContext<'_>,
    ) -> Result<(Metadata, Channel, Asked), ConnectionError> {
        let cookie_error = || PeerError::from(SecurityError::CookieRejected);
        let (cookie_client, server_secret) = jar.open(&initiate.cookie).ok_or_else(cookie_error)?;
        if cookie_client != *client_transient {
            return Err(cookie_error().into());
        }
        let mut check = self.theirs;
        check
            .accept("INITIATE", initiate.nonce)
            .map_err(PeerError::from)?;
        let session = Channel::new(client_transient, &server_secret);
        let plain = session
            .open(
                &short_nonce(nonce::INITIATE, initiate.nonce),
                &initiate.boxed,
            )
            .map_err(|_| PeerError::from(SecurityError::BadBox("INITIATE")))?;
        self.theirs = check;
        let content = InitiateContent::parse(&plain).map_err(PeerError::from)?;
        verify_vouch(
            &content,
            client_transient,
            self.config.keys.public(),
            &server_secret,
        )?;
        let metadata = Metadata::parse(&content.metadata).map_err(PeerError::from)?;

        // RFC 27: the credentials are C (27-R39, 27-R40). The identity is
        // our own routing id, as libzmq sends it. Without a handler every
        // client is accepted, unless the domain is enforced (libzmq).
        let identity = ctx.metadata.get(IDENTITY).cloned().unwrap_or_default();
        let credentials = vec![Bytes::copy_from_slice(content.client_permanent.as_bytes())];
        let asked = self
            .config
            .zap
            .ask("CURVE", identity, credentials, false)
            .map_err(PeerError::from)?;
        Ok((metadata, session, asked))
    }

    /// The handshake ends with READY; the ZAP properties join the client's
    /// metadata on the peer, ahead of it (a client cannot claim a
    /// `User-Id`).
    fn accept(
        &mut self,
        metadata: Metadata,
        properties: &Metadata,
        channel: Channel,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        let metadata = accepted_peer_metadata(properties, metadata);
        out.push(self.ready(&channel, ctx.metadata)?);
        self.state = State::Active(Tunnel::server(channel, self.ours, self.theirs));
        Ok(Progress::Done(metadata))
    }

    /// READY: our metadata boxed from S' to C' (G-C6, 26-R43..R46).
    fn ready(
        &mut self,
        session: &Channel,
        metadata: &Metadata,
    ) -> Result<Command, ConnectionError> {
        let metadata = metadata.to_bytes().map_err(LocalError::from)?;
        let nonce = self.ours.take().map_err(LocalError::from)?;
        let mut body = BytesMut::with_capacity(8 + 16 + metadata.len());
        body.put_u64(nonce);
        session.seal_into(&short_nonce(nonce::READY, nonce), &metadata, &mut body);
        Ok(Command::Unknown {
            name: Bytes::from_static(b"READY"),
            body: body.freeze(),
        })
    }

    /// HELLO and INITIATE: each is checked as far as it can be without
    /// the cookie jar, then the session waits for it.
    fn step(&mut self, body: &Bytes) -> Result<Progress, ConnectionError> {
        let (name, data) = split_command(body).map_err(PeerError::from)?;
        match (
            core::mem::replace(&mut self.state, State::Failed),
            &name[..],
        ) {
            (State::ExpectHello, b"HELLO") => {
                self.state = self.on_hello(&data)?;
                Ok(Progress::Continue)
            }
            (
                State::ExpectInitiate {
                    client_transient,
                    cookie,
                },
                b"INITIATE",
            ) => {
                self.state = Self::check_cookie(&data, client_transient, &cookie)?;
                Ok(Progress::Continue)
            }
            _ => Err(PeerError::UnexpectedDuringHandshake(super::client::label(&name)).into()),
        }
    }
}

/// The vouch opens from C to S' and holds exactly C' and S (G-C5, 26-R40).
fn verify_vouch(
    content: &InitiateContent,
    client_transient: &PublicKey,
    server_permanent: &PublicKey,
    server_secret: &super::SecretKey,
) -> Result<(), ConnectionError> {
    if crate::mutant!(CurveVouchNotChecked) {
        return Ok(());
    }
    let (long, boxed) = content.vouch.split_at(16);
    let mut long_bytes = [0u8; 16];
    long_bytes.copy_from_slice(long);
    let vouch = Channel::with_peer_key(&content.client_permanent, server_secret)
        .map_err(|_| PeerError::from(SecurityError::WeakKey("INITIATE")))?
        .open(&long_nonce(nonce::VOUCH, &long_bytes), boxed)
        .map_err(|_| PeerError::from(SecurityError::VouchMismatch))?;
    debug_assert_eq!(VOUCH_LEN, 16 + 16 + 2 * KEY_LEN);
    if vouch.len() != 2 * KEY_LEN
        || vouch[..KEY_LEN] != client_transient.as_bytes()[..]
        || vouch[KEY_LEN..] != server_permanent.as_bytes()[..]
    {
        return Err(PeerError::from(SecurityError::VouchMismatch).into());
    }
    Ok(())
}

impl MechanismSession for ServerSession {
    fn begin(&mut self, _ctx: &HandshakeContext<'_>, _out: &mut Vec<Command>) {}

    fn handle(
        &mut self,
        command: Command,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        let mut body = BytesMut::with_capacity(command.body_len());
        command.encode_body(&mut body).map_err(LocalError::from)?;
        self.handle_raw(body.freeze(), ctx, out)
    }

    fn handle_raw(
        &mut self,
        body: Bytes,
        _ctx: &HandshakeContext<'_>,
        _out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        self.step(&body)
    }

    fn needs_cookie_jar(&self) -> bool {
        matches!(
            self.state,
            State::SealCookie { .. } | State::OpenCookie { .. }
        )
    }

    fn handle_cookie_jar(
        &mut self,
        jar: &mut CookieJar,
        rng: &mut dyn CryptoRngCore,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        match core::mem::replace(&mut self.state, State::Failed) {
            State::SealCookie {
                client_transient,
                permanent,
            } => {
                let (welcome, next) = Self::welcome(client_transient, &permanent, jar, rng);
                out.push(welcome);
                self.state = next;
                Ok(Progress::Continue)
            }
            State::OpenCookie {
                client_transient,
                initiate,
            } => {
                let (metadata, channel, asked) =
                    self.on_initiate(&initiate, &client_transient, jar, ctx)?;
                match asked {
                    Asked::Accepted(properties) => {
                        self.accept(metadata, &properties, channel, ctx, out)
                    }
                    Asked::Pending(request) => {
                        self.pending = Some(request);
                        self.state = State::AwaitZap { metadata, channel };
                        Ok(Progress::Continue)
                    }
                }
            }
            other => {
                self.state = other;
                Err(LocalError::NotAnApplicationCommand("an unrequested cookie jar").into())
            }
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
        match core::mem::replace(&mut self.state, State::Failed) {
            State::AwaitZap { metadata, channel } => {
                let properties = verdict(&reply).map_err(PeerError::from)?;
                self.accept(metadata, &properties, channel, ctx, out)
            }
            other => {
                self.state = other;
                Err(LocalError::NotAnApplicationCommand("an unrequested ZAP reply").into())
            }
        }
    }

    fn wraps_frames(&self) -> bool {
        matches!(self.state, State::Active(_))
    }

    fn wrap_frame(&mut self, frame: Frame) -> Result<Frame, ConnectionError> {
        match &mut self.state {
            State::Active(tunnel) => tunnel.wrap(&frame),
            _ => Err(LocalError::Closed.into()),
        }
    }

    fn unwrap_frame(&mut self, frame: Frame) -> Result<Frame, ConnectionError> {
        match &mut self.state {
            State::Active(tunnel) => tunnel.unwrap(frame),
            _ => Err(PeerError::UnexpectedCommand("a frame before INITIATE").into()),
        }
    }

    /// ERROR only during the handshake (26-R60), never for a bad MESSAGE
    /// (26-R59); a ZAP refusal carries its status, and 300 sends nothing.
    fn error_reason(&self, error: &PeerError) -> Option<ErrorReason> {
        if matches!(self.state, State::Active(_)) {
            return None;
        }
        match error {
            PeerError::Security(security) => security.error_reason().and_then(ErrorReason::new),
            other => Some(ErrorReason::from(other)),
        }
    }
}
