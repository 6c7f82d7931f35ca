//! The CURVE client handshake: HELLO, then INITIATE on a valid WELCOME,
//! then MESSAGE once READY opens (26-R05, 26-R29..R31, 26-R47..R49).
//!
//! The client never sends ERROR (26-R03): on any failure it closes.

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use rand_core::CryptoRngCore;

use super::ClientConfig;
use super::commands::{Hello, NonceBox, SIGNATURE_BOX_LEN, Welcome, WelcomeContent};
use super::crypto::{Channel, KeyPair, long_nonce, random_long_nonce, short_nonce};
use super::nonce::{self, Counter, PeerNonces};
use super::traffic::Tunnel;
use crate::connection::error::{ConnectionError, ErrorReason, LocalError, PeerError};
use crate::connection::mechanism::{HandshakeContext, MechanismSession, Progress};
use crate::security::SecurityError;
use crate::wire::command::split_command;
use crate::wire::{Command, Encode, Frame, MechanismCommand, Metadata};

/// Where the client handshake stands.
#[derive(Debug)]
enum State {
    /// HELLO not sent yet.
    Start,
    /// HELLO sent; a WELCOME is due.
    ExpectWelcome,
    /// INITIATE sent; READY is due. Holds the box to S'.
    ExpectReady(Channel),
    /// The handshake is done: MESSAGE commands.
    Active(Tunnel),
    /// Failed; nothing more is accepted.
    Failed,
}

/// One client connection's CURVE handshake and tunnel.
#[derive(Debug)]
pub struct ClientSession {
    config: Arc<ClientConfig>,
    /// C', c': fresh for this connection, wiped when it ends (26-R09..R11).
    transient: KeyPair,
    /// The long nonce of our vouch (26-R35), drawn with the keys.
    vouch_nonce: [u8; 16],
    ours: Counter,
    theirs: PeerNonces,
    state: State,
}

impl ClientSession {
    /// A session with a fresh transient key pair (26-R09) and vouch
    /// nonce, from `rng`: the only randomness a client needs.
    pub fn new(config: Arc<ClientConfig>, rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        Self {
            config,
            transient: KeyPair::generate(rng),
            vouch_nonce: random_long_nonce(rng),
            ours: Counter::default(),
            theirs: PeerNonces::default(),
            state: State::Start,
        }
    }

    /// HELLO: C', a short nonce, and 64 zeros boxed from C' to S (G-C1,
    /// 26-R05..R13).
    fn hello(&mut self) -> Result<Command, ConnectionError> {
        let nonce = self.ours.take().map_err(LocalError::from)?;
        let channel = Channel::new(&self.config.server_key, self.transient.secret());
        let mut boxed = BytesMut::with_capacity(SIGNATURE_BOX_LEN);
        channel.seal_into(&short_nonce(nonce::HELLO, nonce), &[0; 64], &mut boxed);
        let mut signature = [0u8; SIGNATURE_BOX_LEN];
        signature.copy_from_slice(&boxed);
        let hello = Hello {
            client_transient: *self.transient.public(),
            nonce,
            signature,
        };
        Ok(Command::Mechanism {
            name: MechanismCommand::Hello,
            body: hello.encode(),
        })
    }

    /// WELCOME opens with S and c' (26-R29, 26-R30); the answer is
    /// INITIATE with the cookie, C, the vouch and our metadata (26-R31,
    /// G-C4, G-C5).
    fn on_welcome(
        &mut self,
        data: &Bytes,
        metadata: &Metadata,
    ) -> Result<(Command, Channel), ConnectionError> {
        let welcome = Welcome::parse(data).map_err(PeerError::from)?;
        let permanent = Channel::new(&self.config.server_key, self.transient.secret());
        let plain = permanent
            .open(&long_nonce(nonce::WELCOME, &welcome.nonce), &welcome.boxed)
            .map_err(|_| PeerError::from(SecurityError::BadBox("WELCOME")))?;
        let content = WelcomeContent::parse(&plain).map_err(PeerError::from)?;
        let weak = |_| PeerError::from(SecurityError::WeakKey("WELCOME"));
        let session = Channel::with_peer_key(&content.server_transient, self.transient.secret())
            .map_err(weak)?;

        // The vouch: Box[C' + S](C->S') under a fresh long nonce (26-R35).
        let vouch_nonce = self.vouch_nonce;
        let vouch_channel = Channel::new(&content.server_transient, self.config.keys.secret());
        let mut vouch = BytesMut::with_capacity(super::commands::VOUCH_LEN);
        vouch.put_slice(&vouch_nonce);
        vouch_channel.seal_parts_into(
            &long_nonce(nonce::VOUCH, &vouch_nonce),
            &[
                self.transient.public().as_bytes(),
                self.config.server_key.as_bytes(),
            ],
            &mut vouch,
        );

        let metadata = metadata.to_bytes().map_err(LocalError::from)?;
        let nonce = self.ours.take().map_err(LocalError::from)?;
        let mut body = BytesMut::new();
        body.put_slice(&content.cookie);
        body.put_u64(nonce);
        session.seal_parts_into(
            &short_nonce(nonce::INITIATE, nonce),
            &[self.config.keys.public().as_bytes(), &vouch, &metadata],
            &mut body,
        );
        let initiate = Command::Mechanism {
            name: MechanismCommand::Initiate,
            body: body.freeze(),
        };
        Ok((initiate, session))
    }

    /// READY opens with S' and c', its nonce above the WELCOME-time ones
    /// (26-R47, 26-R48, 26-R52), and holds the server's metadata (G-C6).
    fn on_ready(&mut self, data: &Bytes, channel: &Channel) -> Result<Metadata, ConnectionError> {
        let ready = NonceBox::parse_ready(data).map_err(PeerError::from)?;
        let mut check = self.theirs;
        check
            .accept("READY", ready.nonce)
            .map_err(PeerError::from)?;
        let plain = channel
            .open(&short_nonce(nonce::READY, ready.nonce), &ready.boxed)
            .map_err(|_| PeerError::from(SecurityError::BadBox("READY")))?;
        self.theirs = check;
        Ok(Metadata::parse(&plain).map_err(PeerError::from)?)
    }

    fn step(
        &mut self,
        body: &Bytes,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        let (name, data) = split_command(body).map_err(PeerError::from)?;
        match (
            core::mem::replace(&mut self.state, State::Failed),
            &name[..],
        ) {
            (State::ExpectWelcome, b"WELCOME") => {
                let (initiate, channel) = self.on_welcome(&data, ctx.metadata)?;
                out.push(initiate);
                self.state = State::ExpectReady(channel);
                Ok(Progress::Continue)
            }
            (State::ExpectReady(channel), b"READY") => {
                let metadata = self.on_ready(&data, &channel)?;
                self.state = State::Active(Tunnel::client(channel, self.ours, self.theirs));
                Ok(Progress::Done(metadata))
            }
            _ => Err(PeerError::UnexpectedDuringHandshake(label(&name)).into()),
        }
    }
}

/// A static name for an unexpected handshake command.
pub(crate) fn label(name: &[u8]) -> &'static str {
    match name {
        b"HELLO" => "HELLO",
        b"WELCOME" => "WELCOME",
        b"INITIATE" => "INITIATE",
        b"READY" => "READY",
        b"MESSAGE" => "MESSAGE",
        _ => "an unknown command",
    }
}

impl MechanismSession for ClientSession {
    fn begin(&mut self, _ctx: &HandshakeContext<'_>, out: &mut Vec<Command>) {
        if let State::Start = self.state {
            // The first nonce of a fresh counter cannot be exhausted.
            if let Ok(hello) = self.hello() {
                out.push(hello);
                self.state = State::ExpectWelcome;
            }
        }
    }

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
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        self.step(&body, ctx, out)
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
            _ => Err(PeerError::UnexpectedCommand("a frame before READY").into()),
        }
    }

    /// A CURVE client never sends ERROR (26-R03).
    fn error_reason(&self, _error: &PeerError) -> Option<ErrorReason> {
        None
    }
}
