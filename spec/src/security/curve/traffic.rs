//! The data phase shared by both CURVE roles: every frame goes out as one
//! MESSAGE command and comes in as one (G-C7, G-C8, 37-R64).
//!
//! The payload flags octet carries MORE in bit 0 (G-C8) and, as libzmq
//! does, COMMAND in bit 1 (0x02) for tunnelled commands: PING, PONG,
//! SUBSCRIBE, CANCEL... RFC 26 reserves bits 1-7 (26-R56), but libzmq sets
//! 0x02 and expects it (zmtp-wire.md 6.2 #10), so [`Tunnel::unwrap`]
//! tolerates it and [`Tunnel::wrap`] sends it. This is the only place the
//! deviation is handled.
//!
//! The MESSAGE command itself travels in a final *message* frame (flags
//! 0x00), as libzmq 4.3.5 sends it and requires: libzmq drops a connection
//! whose MESSAGE arrives in a command frame (observed on the wire). 37-R64
//! says encrypted data is "encoded as commands", which the MESSAGE body is;
//! [`Tunnel::unwrap`] accepts a command frame, or a message frame with or
//! without MORE (omq.rs mirrors the inner MORE on the outer frame).

use bytes::{BufMut, Bytes, BytesMut};

use super::commands::NonceBox;
use super::crypto::{Channel, TAG_LEN, short_nonce};
use super::nonce::{self, Counter, PeerNonces};
use crate::connection::error::{ConnectionError, LocalError, PeerError};
use crate::security::SecurityError;
use crate::wire::command::split_command;
use crate::wire::{Frame, FrameKind, WireError};

/// Payload flag: another frame of the message follows (G-C8).
pub const FLAG_MORE: u8 = 0x01;
/// Payload flag set by libzmq on a tunnelled command (zmtp-wire.md 6.2
/// #10).
pub const FLAG_COMMAND: u8 = 0x02;

const MESSAGE_NAME: &[u8] = b"\x07MESSAGE";

/// One direction's keys and nonces after the handshake.
#[derive(Debug)]
pub(crate) struct Tunnel {
    /// The precomputed box between our transient secret and the peer's
    /// transient public key.
    pub(crate) channel: Channel,
    /// Our short nonces (already advanced by the handshake commands).
    pub(crate) ours: Counter,
    /// The peer's short nonces (already advanced by the handshake).
    pub(crate) theirs: PeerNonces,
    /// The nonce prefix of what we send.
    pub(crate) send_prefix: &'static [u8; 16],
    /// The nonce prefix of what we receive.
    pub(crate) receive_prefix: &'static [u8; 16],
}

impl Tunnel {
    /// One frame as a MESSAGE command frame.
    pub(crate) fn wrap(&mut self, frame: &Frame) -> Result<Frame, ConnectionError> {
        let flags = match frame.kind {
            FrameKind::Message { more: true } => FLAG_MORE,
            FrameKind::Message { more: false } => 0,
            FrameKind::Command => FLAG_COMMAND,
        };
        let nonce = self.ours.take().map_err(LocalError::from)?;
        let mut out =
            BytesMut::with_capacity(MESSAGE_NAME.len() + 8 + TAG_LEN + 1 + frame.body.len());
        out.put_slice(MESSAGE_NAME);
        out.put_u64(nonce);
        self.channel.seal_parts_into(
            &short_nonce(self.send_prefix, nonce),
            &[&[flags], &frame.body],
            &mut out,
        );
        // A final message frame, as libzmq sends it and requires (it drops
        // a connection whose MESSAGE comes in a command frame).
        Ok(Frame::message(out.freeze(), false))
    }

    /// One received frame: a MESSAGE command becomes the frame it carries.
    /// A clear ERROR passes through (the machine ends the connection on
    /// it); anything else is refused (G-C8).
    pub(crate) fn unwrap(&mut self, frame: Frame) -> Result<Frame, ConnectionError> {
        let clear = || PeerError::from(SecurityError::ClearTextAfterHandshake).into();
        match frame.kind {
            FrameKind::Command => {}
            // libzmq sends each MESSAGE command in a message frame (flags
            // 0x00), omq.rs copies the inner MORE onto it (0x01): accept
            // both; the inner flags decide (module docs).
            FrameKind::Message { .. } if frame.body.starts_with(MESSAGE_NAME) => {}
            FrameKind::Message { .. } => return Err(clear()),
        }
        let (name, data) = split_command(&frame.body).map_err(PeerError::from)?;
        match &name[..] {
            b"MESSAGE" => {}
            b"ERROR" if frame.kind == FrameKind::Command => return Ok(frame),
            _ => return Err(clear()),
        }
        let message = NonceBox::parse_message(&data).map_err(PeerError::from)?;
        let plain = self.open(message)?;
        // parse_message guarantees a box of at least one plaintext octet.
        let Some(&flags) = plain.first() else {
            return Err(PeerError::from(WireError::TruncatedBody).into());
        };
        let body = plain.slice(1..);
        match flags {
            0 => Ok(Frame::message(body, false)),
            FLAG_MORE => Ok(Frame::message(body, true)),
            FLAG_COMMAND => Ok(Frame::command(body)),
            other => Err(PeerError::from(SecurityError::ReservedPayloadFlags(other)).into()),
        }
    }

    /// Opens a MESSAGE box, checking its nonce first and recording it
    /// once the box is authentic (26-R20, 26-R21, 26-R52, 26-R53, 26-R57).
    fn open(&mut self, message: NonceBox) -> Result<Bytes, ConnectionError> {
        let mut check = self.theirs;
        check
            .accept("MESSAGE", message.nonce)
            .map_err(PeerError::from)?;
        let plain = self
            .channel
            .open(
                &short_nonce(self.receive_prefix, message.nonce),
                &message.boxed,
            )
            .map_err(|_| PeerError::from(SecurityError::BadBox("MESSAGE")))?;
        self.theirs = check;
        Ok(plain)
    }
}

impl Tunnel {
    /// The CURVE client's tunnel once READY has come, over `channel`, with
    /// the short nonces the handshake commands already used.
    pub(crate) fn client(channel: Channel, ours: Counter, theirs: PeerNonces) -> Self {
        Self::with_prefixes(
            channel,
            ours,
            theirs,
            nonce::MESSAGE_FROM_CLIENT,
            nonce::MESSAGE_FROM_SERVER,
        )
    }

    /// The CURVE server's tunnel once READY is out (as [`Tunnel::client`]).
    pub(crate) fn server(channel: Channel, ours: Counter, theirs: PeerNonces) -> Self {
        Self::with_prefixes(
            channel,
            ours,
            theirs,
            nonce::MESSAGE_FROM_SERVER,
            nonce::MESSAGE_FROM_CLIENT,
        )
    }

    const fn with_prefixes(
        channel: Channel,
        ours: Counter,
        theirs: PeerNonces,
        send_prefix: &'static [u8; 16],
        receive_prefix: &'static [u8; 16],
    ) -> Self {
        Self {
            channel,
            ours,
            theirs,
            send_prefix,
            receive_prefix,
        }
    }
}
