//! HELLO's data (G-C1, 26-R06..R08, 26-R13): 194 octets after the name.

use super::super::command::CommandBuilder;
use super::super::{array, put, view};
use super::{BAD_HELLO, SHORT_NONCE_LEN};
use crate::security::curve::commands::{
    HELLO_DATA_LEN, Hello, PADDING_LEN, SIGNATURE_BOX_LEN, VERSION,
};
use crate::security::curve::crypto::{KEY_LEN, PublicKey};
use crate::wire::{MechanismCommand, WireError};

/// Where each field sits.
mod field {
    use super::{KEY_LEN, PADDING_LEN, SHORT_NONCE_LEN, VERSION};

    pub(super) const VERSION_AT: usize = 0;
    pub(super) const PADDING: usize = VERSION_AT + VERSION.len();
    pub(super) const CLIENT_TRANSIENT: usize = PADDING + PADDING_LEN;
    pub(super) const NONCE: usize = CLIENT_TRANSIENT + KEY_LEN;
    pub(super) const SIGNATURE: usize = NONCE + SHORT_NONCE_LEN;
}

const _: () = assert!(field::SIGNATURE + SIGNATURE_BOX_LEN == HELLO_DATA_LEN);

view! {
    /// A view of HELLO's data: version, padding, C', short nonce and the
    /// signature box, any values, `None` past the end.
    HelloView
}

impl<T: AsRef<[u8]>> HelloView<T> {
    /// The two version octets (`01 00` in CurveZMQ 1.0: 26-R07).
    pub fn version(&self) -> Option<[u8; 2]> {
        array(self.buf(), field::VERSION_AT)
    }

    /// The client's transient public key C'.
    pub fn client_transient(&self) -> Option<[u8; KEY_LEN]> {
        array(self.buf(), field::CLIENT_TRANSIENT)
    }

    /// The short nonce.
    pub fn nonce(&self) -> Option<u64> {
        array(self.buf(), field::NONCE).map(u64::from_be_bytes)
    }

    /// The layout `hello` (G-C1): exactly 194 octets (26-R06), version
    /// `01 00` (26-R07), zero padding (26-R08).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C1.
    pub fn check(&self) -> Result<Hello, WireError> {
        let data = self.buf();
        if data.len() != HELLO_DATA_LEN
            || (self.version() != Some(VERSION) && !crate::mutant!(CurveHelloVersionNotChecked))
            || (data[field::PADDING..field::PADDING + PADDING_LEN]
                .iter()
                .any(|&b| b != 0)
                && !crate::mutant!(CurveHelloPaddingNotChecked))
        {
            return Err(BAD_HELLO);
        }
        match (
            self.client_transient(),
            self.nonce(),
            array(data, field::SIGNATURE),
        ) {
            (Some(key), Some(nonce), Some(signature)) => Ok(Hello {
                client_transient: PublicKey::from_bytes(key),
                nonce,
                signature,
            }),
            _ => Err(BAD_HELLO),
        }
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> HelloView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The 72 padding octets (zeros: 26-R08).
    pub fn padding(&self) -> Option<&'a [u8]> {
        self.bytes()
            .get(field::PADDING..field::PADDING + PADDING_LEN)
    }

    /// The signature box, Box[64 zeros](C'->S): the octets from its start
    /// to the end of the data (80 in a valid HELLO).
    pub fn signature_box(&self) -> Option<&'a [u8]> {
        self.bytes().get(field::SIGNATURE..)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> HelloView<T> {
    /// Writes the version octets.
    pub fn set_version(&mut self, version: [u8; 2]) {
        put(self.buf_mut(), field::VERSION_AT, &version);
    }

    /// Writes the padding octets.
    pub fn set_padding(&mut self, padding: &[u8; PADDING_LEN]) {
        put(self.buf_mut(), field::PADDING, padding);
    }

    /// Writes C'.
    pub fn set_client_transient(&mut self, key: &[u8; KEY_LEN]) {
        put(self.buf_mut(), field::CLIENT_TRANSIENT, key);
    }

    /// Writes the short nonce.
    pub fn set_nonce(&mut self, nonce: u64) {
        put(self.buf_mut(), field::NONCE, &nonce.to_be_bytes());
    }

    /// Writes the signature box (any length the buffer holds).
    pub fn set_signature_box(&mut self, boxed: &[u8]) {
        put(self.buf_mut(), field::SIGNATURE, boxed);
    }
}

/// Builds HELLO data with any field: a wrong version, non-zero padding, a
/// signature box of any length (so any HELLO length) and any octets.
///
/// The defaults are a valid layout: version `01 00`, zero padding, a zero
/// C', nonce 1 and an 80-octet zero box (which does not open).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloBuilder {
    version: [u8; 2],
    padding: [u8; PADDING_LEN],
    client_transient: [u8; KEY_LEN],
    nonce: u64,
    signature_box: Vec<u8>,
}

impl Default for HelloBuilder {
    fn default() -> Self {
        Self {
            version: VERSION,
            padding: [0; PADDING_LEN],
            client_transient: [0; KEY_LEN],
            nonce: 1,
            signature_box: vec![0; SIGNATURE_BOX_LEN],
        }
    }
}

impl From<&Hello> for HelloBuilder {
    fn from(hello: &Hello) -> Self {
        Self::new()
            .client_transient(*hello.client_transient.as_bytes())
            .nonce(hello.nonce)
            .signature_box(&hello.signature)
    }
}

impl HelloBuilder {
    /// The valid layout described above.
    pub fn new() -> Self {
        Self::default()
    }

    /// The version octets.
    pub fn version(mut self, version: [u8; 2]) -> Self {
        self.version = version;
        self
    }

    /// The padding octets.
    pub fn padding(mut self, padding: [u8; PADDING_LEN]) -> Self {
        self.padding = padding;
        self
    }

    /// C'.
    pub fn client_transient(mut self, key: [u8; KEY_LEN]) -> Self {
        self.client_transient = key;
        self
    }

    /// The short nonce.
    pub fn nonce(mut self, nonce: u64) -> Self {
        self.nonce = nonce;
        self
    }

    /// The signature box, any length.
    pub fn signature_box(mut self, boxed: &[u8]) -> Self {
        self.signature_box = boxed.to_vec();
        self
    }

    /// The data's octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; field::SIGNATURE + self.signature_box.len()];
        let mut view = HelloView::new(&mut out[..]);
        view.set_version(self.version);
        view.set_padding(&self.padding);
        view.set_client_transient(&self.client_transient);
        view.set_nonce(self.nonce);
        view.set_signature_box(&self.signature_box);
        out
    }

    /// The whole command body, name included.
    pub fn command(&self) -> CommandBuilder {
        CommandBuilder::new(MechanismCommand::Hello.as_str().as_bytes()).data(&self.build())
    }
}
