//! INITIATE's data (G-C4, 26-R32): the cookie, a short nonce and
//! Box[C + vouch + metadata], at least 248 octets after the name.

use super::super::command::CommandBuilder;
use super::super::{array, put, view};
use super::{BAD_INITIATE, SHORT_NONCE_LEN};
use crate::security::curve::commands::MIN_INITIATE_DATA_LEN;
use crate::security::curve::commands::VOUCH_LEN;
use crate::security::curve::cookie::COOKIE_LEN;
use crate::security::curve::crypto::{KEY_LEN, TAG_LEN};
use crate::wire::{MechanismCommand, WireError};

/// Where each field sits.
mod field {
    pub(super) const COOKIE: usize = 0;
    pub(super) const NONCE: usize = COOKIE + super::COOKIE_LEN;
    pub(super) const BOX: usize = NONCE + super::SHORT_NONCE_LEN;
}

const _: () = assert!(field::BOX + TAG_LEN + KEY_LEN + VOUCH_LEN == MIN_INITIATE_DATA_LEN);

view! {
    /// A view of INITIATE's data: the cookie, the short nonce and the box,
    /// any values, `None` past the end.
    InitiateView
}

/// INITIATE's fields once checked; the box borrows the view's octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitiateFields<'a> {
    /// The cookie from WELCOME.
    pub cookie: [u8; COOKIE_LEN],
    /// The short nonce.
    pub nonce: u64,
    /// Box[C + vouch + metadata](C'->S').
    pub boxed: &'a [u8],
}

impl<T: AsRef<[u8]>> InitiateView<T> {
    /// The cookie, returned as WELCOME carried it.
    pub fn cookie(&self) -> Option<[u8; COOKIE_LEN]> {
        array(self.buf(), field::COOKIE)
    }

    /// The short nonce.
    pub fn nonce(&self) -> Option<u64> {
        array(self.buf(), field::NONCE).map(u64::from_be_bytes)
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> InitiateView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The box, from its start to the end of the data.
    pub fn initiate_box(&self) -> Option<&'a [u8]> {
        self.bytes().get(field::BOX..)
    }

    /// The layout `initiate` (G-C4): at least 248 octets (26-R32), the
    /// box holding at least C and the vouch.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C4.
    pub fn check(&self) -> Result<InitiateFields<'a>, WireError> {
        if self.bytes().len() < MIN_INITIATE_DATA_LEN {
            return Err(BAD_INITIATE);
        }
        match (self.cookie(), self.nonce(), self.initiate_box()) {
            (Some(cookie), Some(nonce), Some(boxed)) => Ok(InitiateFields {
                cookie,
                nonce,
                boxed,
            }),
            _ => Err(BAD_INITIATE),
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> InitiateView<T> {
    /// Writes the cookie.
    pub fn set_cookie(&mut self, cookie: &[u8; COOKIE_LEN]) {
        put(self.buf_mut(), field::COOKIE, cookie);
    }

    /// Writes the short nonce.
    pub fn set_nonce(&mut self, nonce: u64) {
        put(self.buf_mut(), field::NONCE, &nonce.to_be_bytes());
    }

    /// Writes the box (any length the buffer holds).
    pub fn set_initiate_box(&mut self, boxed: &[u8]) {
        put(self.buf_mut(), field::BOX, boxed);
    }
}

/// Builds INITIATE data with any cookie, nonce and box (a box too short
/// for C and the vouch, or one that does not open). The defaults: a zero
/// cookie, nonce 2 (the client's second command) and an empty box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiateBuilder {
    cookie: [u8; COOKIE_LEN],
    nonce: u64,
    boxed: Vec<u8>,
}

impl Default for InitiateBuilder {
    fn default() -> Self {
        Self {
            cookie: [0; COOKIE_LEN],
            nonce: 2,
            boxed: Vec::new(),
        }
    }
}

impl InitiateBuilder {
    /// The layout described above.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cookie.
    pub fn cookie(mut self, cookie: [u8; COOKIE_LEN]) -> Self {
        self.cookie = cookie;
        self
    }

    /// The short nonce.
    pub fn nonce(mut self, nonce: u64) -> Self {
        self.nonce = nonce;
        self
    }

    /// The box, any length.
    pub fn initiate_box(mut self, boxed: &[u8]) -> Self {
        self.boxed = boxed.to_vec();
        self
    }

    /// The data's octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; field::BOX + self.boxed.len()];
        let mut view = InitiateView::new(&mut out[..]);
        view.set_cookie(&self.cookie);
        view.set_nonce(self.nonce);
        view.set_initiate_box(&self.boxed);
        out
    }

    /// The whole command body, name included.
    pub fn command(&self) -> CommandBuilder {
        CommandBuilder::new(MechanismCommand::Initiate.as_str().as_bytes()).data(&self.build())
    }
}
