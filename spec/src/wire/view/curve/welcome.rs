//! WELCOME's data (G-C2, 26-R23): a long nonce and Box[S' + cookie], 160
//! octets after the name.

use super::super::command::CommandBuilder;
use super::super::{array, put, view};
use super::{BAD_WELCOME, LONG_NONCE_LEN};
use crate::security::curve::commands::{WELCOME_BOX_LEN, WELCOME_DATA_LEN, Welcome};
use crate::wire::{MechanismCommand, WireError};

/// Where each field sits.
mod field {
    pub(super) const NONCE: usize = 0;
    pub(super) const BOX: usize = NONCE + super::LONG_NONCE_LEN;
}

const _: () = assert!(field::BOX + WELCOME_BOX_LEN == WELCOME_DATA_LEN);

view! {
    /// A view of WELCOME's data: the long nonce and the box, any values,
    /// `None` past the end.
    WelcomeView
}

impl<T: AsRef<[u8]>> WelcomeView<T> {
    /// The server's long nonce (after the `WELCOME-` prefix: 26-R24).
    pub fn nonce(&self) -> Option<[u8; LONG_NONCE_LEN]> {
        array(self.buf(), field::NONCE)
    }

    /// The layout `welcome` (G-C2): exactly 160 octets (26-R23).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C2.
    pub fn check(&self) -> Result<Welcome, WireError> {
        if self.buf().len() != WELCOME_DATA_LEN {
            return Err(BAD_WELCOME);
        }
        match (self.nonce(), array(self.buf(), field::BOX)) {
            (Some(nonce), Some(boxed)) => Ok(Welcome { nonce, boxed }),
            _ => Err(BAD_WELCOME),
        }
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> WelcomeView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The box, Box[S' + cookie](S->C'): from its start to the end of the
    /// data (144 octets in a valid WELCOME).
    pub fn welcome_box(&self) -> Option<&'a [u8]> {
        self.bytes().get(field::BOX..)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> WelcomeView<T> {
    /// Writes the long nonce.
    pub fn set_nonce(&mut self, nonce: &[u8; LONG_NONCE_LEN]) {
        put(self.buf_mut(), field::NONCE, nonce);
    }

    /// Writes the box (any length the buffer holds).
    pub fn set_welcome_box(&mut self, boxed: &[u8]) {
        put(self.buf_mut(), field::BOX, boxed);
    }
}

/// Builds WELCOME data with any nonce and a box of any length (so any
/// WELCOME length). The defaults: a zero nonce and a 144-octet zero box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WelcomeBuilder {
    nonce: [u8; LONG_NONCE_LEN],
    boxed: Vec<u8>,
}

impl Default for WelcomeBuilder {
    fn default() -> Self {
        Self {
            nonce: [0; LONG_NONCE_LEN],
            boxed: vec![0; WELCOME_BOX_LEN],
        }
    }
}

impl From<&Welcome> for WelcomeBuilder {
    fn from(welcome: &Welcome) -> Self {
        Self::new().nonce(welcome.nonce).welcome_box(&welcome.boxed)
    }
}

impl WelcomeBuilder {
    /// The valid layout described above.
    pub fn new() -> Self {
        Self::default()
    }

    /// The long nonce.
    pub fn nonce(mut self, nonce: [u8; LONG_NONCE_LEN]) -> Self {
        self.nonce = nonce;
        self
    }

    /// The box, any length.
    pub fn welcome_box(mut self, boxed: &[u8]) -> Self {
        self.boxed = boxed.to_vec();
        self
    }

    /// The data's octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; field::BOX + self.boxed.len()];
        let mut view = WelcomeView::new(&mut out[..]);
        view.set_nonce(&self.nonce);
        view.set_welcome_box(&self.boxed);
        out
    }

    /// The whole command body, name included.
    pub fn command(&self) -> CommandBuilder {
        CommandBuilder::new(MechanismCommand::Welcome.as_str().as_bytes()).data(&self.build())
    }
}
