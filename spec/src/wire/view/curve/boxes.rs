//! The layouts inside CURVE boxes, once opened, and of the cookie and the
//! vouch: what a raw peer seals after forging a field.
//!
//! ```text
//!  WELCOME box:   S' 32 | cookie 96                        (G-C2)
//!  INITIATE box:  C 32 | vouch 96 | metadata               (G-C4)
//!  cookie, vouch: long nonce 16 | box 80                   (G-C3, G-C5)
//!  MESSAGE box:   flags 1 | payload                        (G-C7, G-C8)
//! ```

use super::super::metadata::MetadataView;
use super::super::{array, put, view};
use super::{BAD_INITIATE_BOX, BAD_WELCOME_BOX, LONG_NONCE_LEN};
use crate::security::curve::commands::{VOUCH_LEN, WELCOME_BOX_LEN, WelcomeContent};
use crate::security::curve::cookie::COOKIE_LEN;
use crate::security::curve::crypto::{KEY_LEN, PublicKey, TAG_LEN};
use crate::security::curve::{FLAG_COMMAND, FLAG_MORE};
use crate::wire::WireError;

/// Where each field sits.
mod field {
    use super::{COOKIE_LEN, KEY_LEN, LONG_NONCE_LEN, VOUCH_LEN};

    pub(super) const SERVER_TRANSIENT: usize = 0;
    pub(super) const COOKIE: usize = SERVER_TRANSIENT + KEY_LEN;
    pub(super) const WELCOME_LEN: usize = COOKIE + COOKIE_LEN;

    pub(super) const CLIENT_PERMANENT: usize = 0;
    pub(super) const VOUCH: usize = CLIENT_PERMANENT + KEY_LEN;
    pub(super) const METADATA: usize = VOUCH + VOUCH_LEN;

    pub(super) const LONG_NONCE: usize = 0;
    pub(super) const LONG_BOX: usize = LONG_NONCE + LONG_NONCE_LEN;

    pub(super) const FLAGS: usize = 0;
    pub(super) const PAYLOAD: usize = FLAGS + 1;
}

const _: () = assert!(field::WELCOME_LEN + TAG_LEN == WELCOME_BOX_LEN);
const _: () = assert!(field::LONG_BOX + TAG_LEN + 2 * KEY_LEN == COOKIE_LEN);
const _: () = assert!(COOKIE_LEN == VOUCH_LEN);

view! {
    /// A view of an opened WELCOME box: S' and the cookie.
    WelcomeBoxView
}

impl<T: AsRef<[u8]>> WelcomeBoxView<T> {
    /// The server's transient public key S'.
    pub fn server_transient(&self) -> Option<[u8; KEY_LEN]> {
        array(self.buf(), field::SERVER_TRANSIENT)
    }

    /// The cookie, to return in INITIATE.
    pub fn cookie(&self) -> Option<[u8; COOKIE_LEN]> {
        array(self.buf(), field::COOKIE)
    }

    /// An opened WELCOME box holds exactly S' and the cookie (G-C2).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C2.
    pub fn check(&self) -> Result<WelcomeContent, WireError> {
        match (self.server_transient(), self.cookie()) {
            (Some(key), Some(cookie)) if self.buf().len() == field::WELCOME_LEN => {
                Ok(WelcomeContent {
                    server_transient: PublicKey::from_bytes(key),
                    cookie,
                })
            }
            _ => Err(BAD_WELCOME_BOX),
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> WelcomeBoxView<T> {
    /// Writes S'.
    pub fn set_server_transient(&mut self, key: &[u8; KEY_LEN]) {
        put(self.buf_mut(), field::SERVER_TRANSIENT, key);
    }

    /// Writes the cookie (any length the buffer holds).
    pub fn set_cookie(&mut self, cookie: &[u8]) {
        put(self.buf_mut(), field::COOKIE, cookie);
    }
}

view! {
    /// A view of an opened INITIATE box: C, the vouch and the metadata.
    InitiateBoxView
}

/// An opened INITIATE box once checked; the metadata borrows the view's
/// octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitiateBoxFields<'a> {
    /// The client's permanent public key C.
    pub client_permanent: [u8; KEY_LEN],
    /// The vouch: a long nonce and Box[C' + S](C->S') (G-C5).
    pub vouch: [u8; VOUCH_LEN],
    /// The metadata octets (G10, checked by the caller).
    pub metadata: &'a [u8],
}

impl<T: AsRef<[u8]>> InitiateBoxView<T> {
    /// C.
    pub fn client_permanent(&self) -> Option<[u8; KEY_LEN]> {
        array(self.buf(), field::CLIENT_PERMANENT)
    }

    /// The vouch.
    pub fn vouch(&self) -> Option<[u8; VOUCH_LEN]> {
        array(self.buf(), field::VOUCH)
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> InitiateBoxView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The metadata octets after the vouch.
    pub fn metadata(&self) -> Option<MetadataView<&'a [u8]>> {
        self.bytes().get(field::METADATA..).map(MetadataView::new)
    }

    /// An opened INITIATE box holds at least C and the vouch (G-C4).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C4.
    pub fn check(&self) -> Result<InitiateBoxFields<'a>, WireError> {
        match (
            self.client_permanent(),
            self.vouch(),
            self.bytes().get(field::METADATA..),
        ) {
            (Some(client_permanent), Some(vouch), Some(metadata)) => Ok(InitiateBoxFields {
                client_permanent,
                vouch,
                metadata,
            }),
            _ => Err(BAD_INITIATE_BOX),
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> InitiateBoxView<T> {
    /// Writes C.
    pub fn set_client_permanent(&mut self, key: &[u8; KEY_LEN]) {
        put(self.buf_mut(), field::CLIENT_PERMANENT, key);
    }

    /// Writes the vouch (any length the buffer holds).
    pub fn set_vouch(&mut self, vouch: &[u8]) {
        put(self.buf_mut(), field::VOUCH, vouch);
    }

    /// Writes the metadata octets after a full-length vouch.
    pub fn set_metadata(&mut self, metadata: &[u8]) {
        put(self.buf_mut(), field::METADATA, metadata);
    }
}

view! {
    /// A view of a cookie or a vouch: a long nonce (after the `COOKIE--`
    /// or `VOUCH---` prefix) and a box.
    LongNonceBoxView
}

impl<T: AsRef<[u8]>> LongNonceBoxView<T> {
    /// The long nonce.
    pub fn nonce(&self) -> Option<[u8; LONG_NONCE_LEN]> {
        array(self.buf(), field::LONG_NONCE)
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> LongNonceBoxView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The box, from its start to the end.
    pub fn boxed(&self) -> Option<&'a [u8]> {
        self.bytes().get(field::LONG_BOX..)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> LongNonceBoxView<T> {
    /// Writes the long nonce.
    pub fn set_nonce(&mut self, nonce: &[u8; LONG_NONCE_LEN]) {
        put(self.buf_mut(), field::LONG_NONCE, nonce);
    }

    /// Writes the box (any length the buffer holds).
    pub fn set_boxed(&mut self, boxed: &[u8]) {
        put(self.buf_mut(), field::LONG_BOX, boxed);
    }
}

view! {
    /// A view of an opened MESSAGE box: the payload flags and the frame
    /// body (G-C7, G-C8).
    MessageBoxView
}

impl<T: AsRef<[u8]>> MessageBoxView<T> {
    /// The payload flags octet, any value (MORE 0x01; libzmq's command
    /// 0x02: zmtp-wire.md 6.2 #10).
    pub fn flags(&self) -> Option<u8> {
        self.buf().get(field::FLAGS).copied()
    }

    /// Whether MORE is set.
    pub fn more(&self) -> Option<bool> {
        Some(self.flags()? & FLAG_MORE != 0)
    }

    /// Whether the command bit is set.
    pub fn command(&self) -> Option<bool> {
        Some(self.flags()? & FLAG_COMMAND != 0)
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> MessageBoxView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The frame body after the flags.
    pub fn payload(&self) -> Option<&'a [u8]> {
        self.bytes().get(field::PAYLOAD..)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> MessageBoxView<T> {
    /// Writes the payload flags.
    pub fn set_flags(&mut self, flags: u8) {
        put(self.buf_mut(), field::FLAGS, &[flags]);
    }

    /// Writes the payload (any length the buffer holds).
    pub fn set_payload(&mut self, payload: &[u8]) {
        put(self.buf_mut(), field::PAYLOAD, payload);
    }
}

/// Builds the plaintext of a WELCOME box: S' and a cookie of any length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WelcomeBoxBuilder {
    server_transient: [u8; KEY_LEN],
    cookie: Vec<u8>,
}

impl WelcomeBoxBuilder {
    /// S' and the cookie.
    pub fn new(server_transient: [u8; KEY_LEN], cookie: &[u8]) -> Self {
        Self {
            server_transient,
            cookie: cookie.to_vec(),
        }
    }

    /// The plaintext octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; field::COOKIE + self.cookie.len()];
        let mut view = WelcomeBoxView::new(&mut out[..]);
        view.set_server_transient(&self.server_transient);
        view.set_cookie(&self.cookie);
        out
    }
}

/// Builds the plaintext of an INITIATE box: C, the vouch and the metadata
/// (see [`super::super::MetadataBuilder`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiateBoxBuilder {
    client_permanent: [u8; KEY_LEN],
    vouch: [u8; VOUCH_LEN],
    metadata: Vec<u8>,
}

impl InitiateBoxBuilder {
    /// C, the vouch and the metadata octets.
    pub fn new(client_permanent: [u8; KEY_LEN], vouch: [u8; VOUCH_LEN], metadata: &[u8]) -> Self {
        Self {
            client_permanent,
            vouch,
            metadata: metadata.to_vec(),
        }
    }

    /// The plaintext octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; field::METADATA + self.metadata.len()];
        let mut view = InitiateBoxView::new(&mut out[..]);
        view.set_client_permanent(&self.client_permanent);
        view.set_vouch(&self.vouch);
        view.set_metadata(&self.metadata);
        out
    }
}

/// Builds a cookie or a vouch: a long nonce and a box of any length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LongNonceBoxBuilder {
    nonce: [u8; LONG_NONCE_LEN],
    boxed: Vec<u8>,
}

impl LongNonceBoxBuilder {
    /// The long nonce and the box.
    pub fn new(nonce: [u8; LONG_NONCE_LEN], boxed: &[u8]) -> Self {
        Self {
            nonce,
            boxed: boxed.to_vec(),
        }
    }

    /// The octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; field::LONG_BOX + self.boxed.len()];
        let mut view = LongNonceBoxView::new(&mut out[..]);
        view.set_nonce(&self.nonce);
        view.set_boxed(&self.boxed);
        out
    }
}

/// Builds the plaintext of a MESSAGE box: any payload flags (reserved bits
/// too: 26-R56) and any payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageBoxBuilder {
    flags: u8,
    payload: Vec<u8>,
}

impl MessageBoxBuilder {
    /// The flags octet and the payload.
    pub fn new(flags: u8, payload: &[u8]) -> Self {
        Self {
            flags,
            payload: payload.to_vec(),
        }
    }

    /// The plaintext octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; field::PAYLOAD + self.payload.len()];
        let mut view = MessageBoxView::new(&mut out[..]);
        view.set_flags(self.flags);
        view.set_payload(&self.payload);
        out
    }
}
