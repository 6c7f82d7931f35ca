//! The udp datagram view (libzmq's udp transport, 48-R31..48-R37): any
//! octets read as a group-length octet, a group and a body, valid or not.
//!
//! ```text
//!  0           1 ..= group_len   1+group_len ..
//!  group-len | group            | body
//! ```
//!
//! [`DatagramView::check`] is the strict rule
//! [`crate::wire::datagram::datagram`]; [`DatagramBuilder`] writes any
//! group length, group and body (a length that says more than follows, a
//! datagram past 8192 octets, zero octets in the group).

use super::view;
use crate::wire::datagram::{Datagram, DatagramError, MAX_DATAGRAM_LEN};

/// Where each field sits.
mod field {
    pub(super) const GROUP_LEN: usize = 0;
    pub(super) const GROUP: usize = 1;
}

view! {
    /// A view of a datagram: the length octet, the group and the body,
    /// any values, `None` past the end.
    DatagramView
}

impl<T: AsRef<[u8]>> DatagramView<T> {
    /// The group-length octet, any value; `None` for an empty datagram.
    pub fn group_len(&self) -> Option<u8> {
        self.buf().get(field::GROUP_LEN).copied()
    }

    /// The datagram's length.
    pub fn len(&self) -> usize {
        self.buf().len()
    }

    /// Whether the datagram has no octet at all.
    pub fn is_empty(&self) -> bool {
        self.buf().is_empty()
    }

    /// Where the body starts, as the length octet says (it may lie past
    /// the end).
    pub fn body_at(&self) -> Option<usize> {
        Some(field::GROUP + usize::from(self.group_len()?))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> DatagramView<T> {
    /// Writes the group-length octet, any value.
    ///
    /// # Panics
    /// On an empty buffer.
    pub fn set_group_len(&mut self, len: u8) {
        self.buf_mut()[field::GROUP_LEN] = len;
    }
}

/// The parts of a borrowed view: the slices borrow the octets.
impl<'a, T: AsRef<[u8]> + ?Sized> DatagramView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The group, as many octets as the length says; `None` when fewer
    /// follow.
    pub fn group(&self) -> Option<&'a [u8]> {
        self.bytes().get(field::GROUP..self.body_at()?)
    }

    /// The octets after the length octet, however many (the group when
    /// the length says more than follows).
    pub fn after_len(&self) -> &'a [u8] {
        self.bytes().get(field::GROUP..).unwrap_or_default()
    }

    /// The body: everything after the group; `None` when the group is
    /// cut short.
    pub fn body(&self) -> Option<&'a [u8]> {
        self.bytes().get(self.body_at()?..)
    }

    /// The rule `datagram` (48-R31..48-R34, 48-R37): a length octet, that
    /// many group octets, none zero, the body; at most 8192 octets.
    ///
    /// # Errors
    /// [`DatagramError::TooLarge`], [`DatagramError::Empty`],
    /// [`DatagramError::TruncatedGroup`] or [`DatagramError::NulInGroup`],
    /// checked in that order.
    pub fn check(&self) -> Result<Datagram<'a>, DatagramError> {
        if self.len() > MAX_DATAGRAM_LEN {
            return Err(DatagramError::TooLarge(self.len()));
        }
        let Some(declared) = self.group_len() else {
            return Err(DatagramError::Empty);
        };
        let (Some(group), Some(body)) = (self.group(), self.body()) else {
            return Err(DatagramError::TruncatedGroup {
                declared,
                available: self.after_len().len(),
            });
        };
        if let Some(at) = group.iter().position(|&o| o == 0) {
            return Err(DatagramError::NulInGroup(at));
        }
        Ok(Datagram { group, body })
    }
}

/// Writes a datagram with any field value: by default the length octet
/// is the group's length; [`DatagramBuilder::group_len`] overrides it,
/// [`DatagramBuilder::empty`] writes no octet at all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DatagramBuilder {
    group_len: Option<u8>,
    group: Vec<u8>,
    body: Vec<u8>,
    empty: bool,
}

impl DatagramBuilder {
    /// A datagram with an empty group and an empty body (`00`).
    pub fn new() -> Self {
        Self::default()
    }

    /// A datagram of no octets (48-R34).
    pub fn empty() -> Self {
        Self {
            empty: true,
            ..Self::default()
        }
    }

    /// The group octets (any: zero octets, more than 255).
    #[must_use]
    pub fn group(mut self, group: &[u8]) -> Self {
        group.clone_into(&mut self.group);
        self
    }

    /// The length octet, whatever the group's length.
    #[must_use]
    pub fn group_len(mut self, len: u8) -> Self {
        self.group_len = Some(len);
        self
    }

    /// The body octets.
    #[must_use]
    pub fn body(mut self, body: &[u8]) -> Self {
        body.clone_into(&mut self.body);
        self
    }

    /// The octets. Without [`DatagramBuilder::group_len`], a group over
    /// 255 octets gets the length octet of its length modulo 256, as a
    /// sender that truncates the length would write.
    pub fn build(&self) -> Vec<u8> {
        if self.empty {
            return Vec::new();
        }
        let mut out = vec![0; 1];
        out.extend_from_slice(&self.group);
        out.extend_from_slice(&self.body);
        let mut view = DatagramView::new(&mut out[..]);
        #[allow(clippy::cast_possible_truncation)] // modulo 256, as documented
        view.set_group_len(self.group_len.unwrap_or(self.group.len() as u8));
        out
    }
}

#[cfg(test)]
mod tests;
