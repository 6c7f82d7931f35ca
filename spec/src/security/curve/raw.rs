//! Primitives for a misbehaving CURVE peer (feature `raw`, for the
//! conformance runner's raw peer; not part of the API).
//!
//! ```text
//!   seal / open          a box under any keys and any 24-octet nonce
//!   ShortNonce, LongNonce   each command's nonce by name, any counter or
//!                        16 octets, from the prefixes of `nonce`
//!   Client, Server       the two halves of RFC 26, one step per call:
//!                        every command built with the lenient builders of
//!                        `wire::view::curve`, every received one read
//!                        with its views and strict layouts
//! ```
//!
//! A caller forges one field by building the rest honestly: a HELLO from
//! [`Client::hello_builder`] with another version, a vouch signed with
//! another key ([`Client::vouch`]), a MESSAGE at a reused nonce
//! ([`Server::message_at`]), a box with one octet flipped
//! ([`break_box`]). The halves' fields are public so that a caller can
//! read what the peer sent (S', the cookie, the nonces) and change what
//! it sends next.
//!
//! The halves check what the peer sends as RFC 26 asks: short nonces must
//! increase (26-R18, 26-R50); this crate's own sessions are stricter (a
//! step of 1, [`super::nonce::PeerNonces`]). Like the rest of the crate,
//! nothing here does I/O, reads a clock or draws randomness of its own:
//! keys and long nonces come from the generator the caller passes.

use bytes::BytesMut;

use super::client::label;
use super::crypto::{Channel, PublicKey, SecretKey, long_nonce, short_nonce};
use super::nonce;
use crate::connection::error::PeerError;
use crate::security::SecurityError;
use crate::wire::view::CommandView;
use crate::wire::view::curve::{MessageBoxBuilder, MessageBoxView, NonceBoxBuilder, NonceBoxView};

mod client;
mod server;

pub use client::Client;
pub use server::Server;

/// `tag || ciphertext` of `plain`, boxed from `ours` to `theirs` under
/// `nonce`. No key is refused, a low-order one neither.
pub fn seal(theirs: &PublicKey, ours: &SecretKey, nonce: &[u8; 24], plain: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::new();
    Channel::new(theirs, ours).seal_into(nonce, plain, &mut out);
    out.to_vec()
}

/// The plaintext of a `tag || ciphertext` box from `theirs` to `ours`,
/// `None` when it does not open.
pub fn open(
    theirs: &PublicKey,
    ours: &SecretKey,
    nonce: &[u8; 24],
    boxed: &[u8],
) -> Option<Vec<u8>> {
    Channel::new(theirs, ours)
        .open(nonce, boxed)
        .ok()
        .map(|plain| plain.to_vec())
}

/// Flips the last octet of a CURVE command body: every one ends in its
/// box, whose tag then no longer matches (26-R14, 26-R47, 26-R57).
pub fn break_box(body: &mut [u8]) {
    if let Some(last) = body.last_mut() {
        *last ^= 0x01;
    }
}

/// The commands whose box takes a short nonce: a 16-octet prefix and an
/// 8-octet counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShortNonce {
    /// HELLO's signature box (26-R12).
    Hello,
    /// INITIATE's box (26-R33).
    Initiate,
    /// READY's box (26-R46).
    Ready,
    /// MESSAGE from the client (26-R55).
    MessageFromClient,
    /// MESSAGE from the server (26-R55).
    MessageFromServer,
}

impl ShortNonce {
    /// The 16-octet prefix.
    pub const fn prefix(self) -> &'static [u8; 16] {
        match self {
            Self::Hello => nonce::HELLO,
            Self::Initiate => nonce::INITIATE,
            Self::Ready => nonce::READY,
            Self::MessageFromClient => nonce::MESSAGE_FROM_CLIENT,
            Self::MessageFromServer => nonce::MESSAGE_FROM_SERVER,
        }
    }

    /// The 24-octet nonce with counter `counter`.
    pub fn with(self, counter: u64) -> [u8; 24] {
        short_nonce(self.prefix(), counter)
    }
}

/// The boxes that take a long nonce: an 8-octet prefix and 16 octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LongNonce {
    /// WELCOME's box (26-R24).
    Welcome,
    /// The cookie's box (26-R26).
    Cookie,
    /// The vouch's box (26-R34).
    Vouch,
}

impl LongNonce {
    /// The 8-octet prefix.
    pub const fn prefix(self) -> &'static [u8; 8] {
        match self {
            Self::Welcome => nonce::WELCOME,
            Self::Cookie => nonce::COOKIE,
            Self::Vouch => nonce::VOUCH,
        }
    }

    /// The 24-octet nonce with the 16 octets `nonce`.
    pub fn with(self, nonce: &[u8; 16]) -> [u8; 24] {
        long_nonce(self.prefix(), nonce)
    }
}

/// A MESSAGE opened by [`Client::open_message`] or
/// [`Server::open_message`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedMessage {
    /// The short nonce.
    pub nonce: u64,
    /// The payload flags octet, any value (26-R56 reserves bits 1-7).
    pub flags: u8,
    /// The frame body.
    pub payload: Vec<u8>,
}

/// The data of `body` after its name, which must be `name`.
fn data_of<'a>(body: &'a [u8], name: &str) -> Result<&'a [u8], PeerError> {
    let (got, data) = CommandView::new(body).check_split()?;
    if got == name.as_bytes() {
        Ok(data)
    } else {
        Err(PeerError::UnexpectedDuringHandshake(label(got)))
    }
}

/// Takes `counter` and advances it (wrapping: a raw peer may go on).
fn take(counter: &mut u64) -> u64 {
    let n = *counter;
    *counter = n.wrapping_add(1);
    n
}

/// A MESSAGE body (G-C7): `flags` and `payload` boxed from `ours` to
/// `theirs` under short nonce `n` of `prefix`.
fn seal_message(
    theirs: &PublicKey,
    ours: &SecretKey,
    prefix: ShortNonce,
    n: u64,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let plain = MessageBoxBuilder::new(flags, payload).build();
    NonceBoxBuilder::new()
        .nonce(n)
        .boxed(&seal(theirs, ours, &prefix.with(n), &plain))
        .message()
        .build()
}

/// Opens a MESSAGE body from `theirs` to `ours` (G-C7, 26-R54, 26-R55);
/// its nonce must exceed `last` (26-R18, 26-R50).
fn open_message(
    body: &[u8],
    theirs: &PublicKey,
    ours: &SecretKey,
    prefix: ShortNonce,
    last: u64,
) -> Result<OpenedMessage, PeerError> {
    let data = data_of(body, "MESSAGE")?;
    let fields = NonceBoxView::new(data).check_message()?;
    let n = fields.nonce;
    if n <= last {
        return Err(unexpected_nonce("MESSAGE", n, last));
    }
    let plain = open(theirs, ours, &prefix.with(n), fields.boxed)
        .ok_or(SecurityError::BadBox("MESSAGE"))?;
    let view = MessageBoxView::new(&plain[..]);
    match (view.flags(), view.payload()) {
        (Some(flags), Some(payload)) => Ok(OpenedMessage {
            nonce: n,
            flags,
            payload: payload.to_vec(),
        }),
        _ => Err(SecurityError::BadBox("MESSAGE").into()),
    }
}

/// A short nonce that does not exceed the last one.
fn unexpected_nonce(command: &'static str, nonce: u64, last: u64) -> PeerError {
    SecurityError::UnexpectedNonce {
        command,
        nonce,
        last,
    }
    .into()
}

#[cfg(test)]
mod tests;
