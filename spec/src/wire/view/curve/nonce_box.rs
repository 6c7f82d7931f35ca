//! READY's and MESSAGE's data (G-C6, G-C7): a short nonce and a box.

use super::super::command::CommandBuilder;
use super::super::{array, put, view};
use super::{BAD_MESSAGE, BAD_READY, SHORT_NONCE_LEN};
use crate::security::curve::commands::{MIN_MESSAGE_DATA_LEN, MIN_READY_DATA_LEN};
use crate::wire::WireError;

/// Where each field sits.
mod field {
    pub(super) const NONCE: usize = 0;
    pub(super) const BOX: usize = NONCE + super::SHORT_NONCE_LEN;
}

view! {
    /// A view of READY's or MESSAGE's data: the short nonce and the box,
    /// any values, `None` past the end.
    NonceBoxView
}

/// A short nonce and a box once checked; the box borrows the view's
/// octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonceBoxFields<'a> {
    /// The short nonce.
    pub nonce: u64,
    /// The box.
    pub boxed: &'a [u8],
}

impl<T: AsRef<[u8]>> NonceBoxView<T> {
    /// The short nonce.
    pub fn nonce(&self) -> Option<u64> {
        array(self.buf(), field::NONCE).map(u64::from_be_bytes)
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> NonceBoxView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The box, from its start to the end of the data.
    pub fn boxed(&self) -> Option<&'a [u8]> {
        self.bytes().get(field::BOX..)
    }

    fn check_min(&self, min: usize, error: WireError) -> Result<NonceBoxFields<'a>, WireError> {
        if self.bytes().len() < min {
            return Err(error);
        }
        match (self.nonce(), self.boxed()) {
            (Some(nonce), Some(boxed)) => Ok(NonceBoxFields { nonce, boxed }),
            _ => Err(error),
        }
    }

    /// The layout `ready` of CURVE (G-C6): at least 24 octets, a nonce and
    /// a box of at least its tag (26-R45).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C6.
    pub fn check_ready(&self) -> Result<NonceBoxFields<'a>, WireError> {
        self.check_min(MIN_READY_DATA_LEN, BAD_READY)
    }

    /// The layout `message` (G-C7): at least 25 octets, a nonce and a box
    /// of at least the flags octet (26-R54).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C7.
    pub fn check_message(&self) -> Result<NonceBoxFields<'a>, WireError> {
        self.check_min(MIN_MESSAGE_DATA_LEN, BAD_MESSAGE)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> NonceBoxView<T> {
    /// Writes the short nonce.
    pub fn set_nonce(&mut self, nonce: u64) {
        put(self.buf_mut(), field::NONCE, &nonce.to_be_bytes());
    }

    /// Writes the box (any length the buffer holds).
    pub fn set_boxed(&mut self, boxed: &[u8]) {
        put(self.buf_mut(), field::BOX, boxed);
    }
}

/// Builds READY or MESSAGE data with any nonce and a box of any length
/// (shorter than a tag, say). The defaults: nonce 1 and an empty box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonceBoxBuilder {
    nonce: u64,
    boxed: Vec<u8>,
}

impl Default for NonceBoxBuilder {
    fn default() -> Self {
        Self {
            nonce: 1,
            boxed: Vec::new(),
        }
    }
}

impl NonceBoxBuilder {
    /// The layout described above.
    pub fn new() -> Self {
        Self::default()
    }

    /// The short nonce.
    pub fn nonce(mut self, nonce: u64) -> Self {
        self.nonce = nonce;
        self
    }

    /// The box, any length.
    pub fn boxed(mut self, boxed: &[u8]) -> Self {
        self.boxed = boxed.to_vec();
        self
    }

    /// The data's octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; field::BOX + self.boxed.len()];
        let mut view = NonceBoxView::new(&mut out[..]);
        view.set_nonce(self.nonce);
        view.set_boxed(&self.boxed);
        out
    }

    /// A READY command body around the data.
    pub fn ready(&self) -> CommandBuilder {
        CommandBuilder::new(b"READY").data(&self.build())
    }

    /// A MESSAGE command body around the data.
    pub fn message(&self) -> CommandBuilder {
        CommandBuilder::new(crate::wire::MechanismCommand::Message.as_str().as_bytes())
            .data(&self.build())
    }
}
