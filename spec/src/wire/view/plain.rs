//! The PLAIN view (RFC 24): HELLO's data after its name (G-P3).
//!
//! ```text
//!  0      1..=u        u+1    u+2..
//!  ulen | username   | plen | password
//! ```
//!
//! WELCOME's data is empty (G-P4) and INITIATE's is metadata (G-P5), read
//! with [`super::MetadataView`]; [`HelloView::check`] is the strict layout
//! that [`crate::security::plain::Hello::parse`] applies.

use super::command::CommandBuilder;
use super::metadata::MetadataBuilder;
use super::{put, view};
use crate::wire::{MechanismCommand, WireError};

/// Where each field sits, for a username of `ulen` octets.
mod field {
    pub(super) const USERNAME_LEN: usize = 0;
    pub(super) const USERNAME: usize = 1;

    pub(super) const fn password_len(ulen: usize) -> usize {
        USERNAME + ulen
    }

    pub(super) const fn password(ulen: usize) -> usize {
        password_len(ulen) + 1
    }
}

/// The error of a malformed PLAIN HELLO (G-P3).
pub(crate) const BAD_HELLO: WireError = WireError::BadMechanismCommand {
    mechanism: "PLAIN",
    command: "HELLO",
    rule: "G-P3..G-P5",
};

view! {
    /// A view of PLAIN HELLO's data: both length octets and both fields,
    /// any values, `None` past the end.
    HelloView
}

impl<T: AsRef<[u8]>> HelloView<T> {
    /// The username-length octet, any value.
    pub fn username_len(&self) -> Option<u8> {
        self.buf().get(field::USERNAME_LEN).copied()
    }

    /// The password-length octet, where the username length puts it.
    pub fn password_len(&self) -> Option<u8> {
        let ulen = usize::from(self.username_len()?);
        self.buf().get(field::password_len(ulen)).copied()
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> HelloView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The username, as many octets as its length says.
    pub fn username(&self) -> Option<&'a [u8]> {
        let ulen = usize::from(self.username_len()?);
        self.bytes().get(field::USERNAME..field::password_len(ulen))
    }

    /// The password, as many octets as its length says.
    pub fn password(&self) -> Option<&'a [u8]> {
        let ulen = usize::from(self.username_len()?);
        let start = field::password(ulen);
        let end = start + usize::from(self.password_len()?);
        self.bytes().get(start..end)
    }

    /// The layout `hello` (G-P3): the two fields fill the data exactly.
    /// The grammar says VCHAR; libzmq accepts any octets, and so does
    /// this.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-P3 for a field past the
    /// end or octets after the password.
    pub fn check(&self) -> Result<(&'a [u8], &'a [u8]), WireError> {
        match (self.username(), self.password()) {
            (Some(username), Some(password))
                if field::password(username.len()) + password.len() == self.bytes().len() =>
            {
                Ok((username, password))
            }
            _ => Err(BAD_HELLO),
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> HelloView<T> {
    /// Writes the username-length octet (the fields after it move with
    /// it).
    pub fn set_username_len(&mut self, len: u8) {
        put(self.buf_mut(), field::USERNAME_LEN, &[len]);
    }

    /// Writes `username` after its length octet, whatever that says.
    pub fn set_username(&mut self, username: &[u8]) {
        put(self.buf_mut(), field::USERNAME, username);
    }

    /// Writes the password-length octet after `ulen` username octets.
    pub fn set_password_len_after(&mut self, ulen: usize, len: u8) {
        put(self.buf_mut(), field::password_len(ulen), &[len]);
    }

    /// Writes `password` after `ulen` username octets and the
    /// password-length octet.
    pub fn set_password_after(&mut self, ulen: usize, password: &[u8]) {
        put(self.buf_mut(), field::password(ulen), password);
    }
}

/// Builds PLAIN HELLO data with any length octets and any fields: a
/// password length that runs past the data, a username length of 0 with
/// a username after it, octets of any kind (G-P3).
///
/// By default each length octet is its field's length, cut to the low
/// octet.
///
/// ```
/// use zmtp_spec::wire::view::plain::HelloBuilder;
/// use zmtp_spec::security::plain::Hello;
/// use bytes::Bytes;
///
/// let data = HelloBuilder::new(b"admin", b"sec").password_len(6).build();
/// assert!(Hello::parse(&Bytes::from(data)).is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelloBuilder {
    username: Vec<u8>,
    password: Vec<u8>,
    username_len: Option<u8>,
    password_len: Option<u8>,
}

impl HelloBuilder {
    /// HELLO `username` / `password`, lengths as given.
    pub fn new(username: &[u8], password: &[u8]) -> Self {
        Self {
            username: username.to_vec(),
            password: password.to_vec(),
            ..Self::default()
        }
    }

    /// The username-length octet, instead of the username's length.
    pub fn username_len(mut self, len: u8) -> Self {
        self.username_len = Some(len);
        self
    }

    /// The password-length octet, instead of the password's length.
    pub fn password_len(mut self, len: u8) -> Self {
        self.password_len = Some(len);
        self
    }

    /// The number of octets [`HelloBuilder::build`] writes.
    pub fn encoded_len(&self) -> usize {
        field::password(self.username.len()) + self.password.len()
    }

    /// The data's octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; self.encoded_len()];
        let ulen = self.username.len();
        let mut view = HelloView::new(&mut out[..]);
        #[allow(clippy::cast_possible_truncation)] // documented: the low octet
        view.set_username_len(self.username_len.unwrap_or(ulen as u8));
        view.set_username(&self.username);
        #[allow(clippy::cast_possible_truncation)] // documented: the low octet
        view.set_password_len_after(ulen, self.password_len.unwrap_or(self.password.len() as u8));
        view.set_password_after(ulen, &self.password);
        out
    }

    /// The whole command body, name included.
    pub fn command(&self) -> CommandBuilder {
        CommandBuilder::new(MechanismCommand::Hello.as_str().as_bytes()).data(&self.build())
    }
}

/// A PLAIN INITIATE around a metadata body, valid or not (G-P5).
pub fn initiate(metadata: &MetadataBuilder) -> CommandBuilder {
    CommandBuilder::new(MechanismCommand::Initiate.as_str().as_bytes()).data(&metadata.build())
}

#[cfg(test)]
mod tests;
