//! The lenient layer: views that read any field of any octets, and builders
//! that write any field value, valid or not.
//!
//! ```text
//!   octets (short, malformed, hostile: anything)
//!      |  XxxView::new(octets)          reads every field, judges none;
//!      v                                a field past the end reads as None
//!   accessors: flags(), size(), name(), value_len(), nonce(), ...
//!      |  check_*()                     the strict rules, with the grammar's
//!      v                                own WireError (and "need more")
//!   typed values: Greeting, FrameHeader, Command, Metadata, curve::Hello ...
//!
//!   XxxBuilder::new().field(any value)...build()  -->  octets
//!      (every octet written through the views' setters)
//! ```
//!
//! This is smoltcp's `Packet` / `Repr` split (style.md 3): a view is the
//! `Packet`, the values of [`crate::wire`] are the `Repr`s. The strict
//! grammar rules of [`crate::wire`] are defined as a view plus its checks,
//! so the two cannot drift: the rules in [`crate::wire::greeting`],
//! [`crate::wire::frame`], [`crate::wire::legacy`], [`crate::wire::command`]
//! and [`crate::wire::metadata`], and the CURVE layouts of
//! [`crate::security::curve::commands`], call the checks here.
//!
//! Reading never panics: every accessor returns `None` for a field that
//! lies (partly) past the end of the octets. As in smoltcp, the accessors
//! that return slices of the octets (a body, a name, a box) belong to
//! borrowed views (`XxxView<&[u8]>`), so what they return borrows the
//! octets themselves; views over owned or mutable buffers have the
//! fixed-size fields and the setters. Setters write into a buffer
//! the caller sized, and panic when the field does not fit it, as a slice
//! index would; the builders size their buffers first.
//!
//! A raw peer (the conformance runner) forges one field at a time:
//!
//! ```
//! use zmtp_spec::wire::view::{CommandBuilder, CommandView, MetadataBuilder};
//! use zmtp_spec::wire::{Command, WireError};
//! use bytes::Bytes;
//!
//! // A READY whose second property's value length is one more than the
//! // octets that follow it.
//! let mut body = CommandBuilder::ready(
//!     MetadataBuilder::new()
//!         .property(b"Socket-Type", b"DEALER")
//!         .property(b"Identity", b""),
//! )
//! .build();
//! let mut ready = CommandView::new(&mut body[..]);
//! let mut metadata = ready.metadata_mut().expect("a whole name");
//! let mut identity = metadata.property_mut(1).expect("a second property");
//! let room = identity.value_room().expect("a whole header");
//! identity.set_value_len(room as u32 + 1);
//! assert_eq!(
//!     Command::parse(&Bytes::from(body)),
//!     Err(WireError::BadPropertyValue(1))
//! );
//! ```

use super::WireError;

pub(crate) mod command;
pub mod curve;
pub(crate) mod datagram;
pub(crate) mod frame;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod greeting;
pub(crate) mod legacy;
pub(crate) mod metadata;
pub mod plain;
pub(crate) mod zws;

pub use command::{CommandBuilder, CommandView};
pub use datagram::{DatagramBuilder, DatagramView};
pub use frame::{FrameBuilder, FrameView};
pub use greeting::{GreetingBuilder, GreetingView};
pub use legacy::{V1FrameBuilder, V1FrameView};
pub use metadata::{MetadataBuilder, MetadataView, Properties, PropertyBuilder, PropertyView};
pub use zws::{ZwsBuilder, ZwsView};

/// Why octets that may not all have arrived fail a strict check: the
/// streaming views' (greeting, frame header) error.
///
/// "Need more octets" is not the peer's fault (style.md 3), so it is kept
/// apart from [`CheckError::Invalid`], exactly as the grammar rules report
/// `nom::Err::Incomplete` apart from `nom::Err::Failure`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// At least this many more octets (always >= 1) are needed to judge
    /// the field being checked.
    Incomplete(usize),
    /// A field breaks a rule: the same error the grammar rule gives.
    Invalid(WireError),
}

impl From<WireError> for CheckError {
    fn from(error: WireError) -> Self {
        Self::Invalid(error)
    }
}

impl From<CheckError> for nom::Err<WireError> {
    fn from(error: CheckError) -> Self {
        match error {
            CheckError::Incomplete(n) => Self::Incomplete(nom::Needed::new(n)),
            CheckError::Invalid(e) => Self::Failure(e),
        }
    }
}

/// A check's result as a grammar rule's: the value and the input left
/// after the `used` octets.
pub(crate) fn to_rule<T>(
    input: &[u8],
    checked: Result<(T, usize), CheckError>,
) -> nom::IResult<&[u8], T, WireError> {
    let (value, used) = checked?;
    Ok((&input[used..], value))
}

/// Declares a view: a struct over `T: AsRef<[u8]>` with `new`,
/// `into_inner` and the private `buf` / `buf_mut` accessors.
macro_rules! view {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<T: AsRef<[u8]>> {
            buffer: T,
        }

        impl<T: AsRef<[u8]>> $name<T> {
            /// A view of `buffer`, which may be of any length.
            pub const fn new(buffer: T) -> Self {
                Self { buffer }
            }

            /// The octets viewed.
            pub fn into_inner(self) -> T {
                self.buffer
            }

            fn buf(&self) -> &[u8] {
                self.buffer.as_ref()
            }
        }

        impl<T: AsRef<[u8]> + AsMut<[u8]>> $name<T> {
            fn buf_mut(&mut self) -> &mut [u8] {
                self.buffer.as_mut()
            }
        }
    };
}
use view;

/// The `N` octets at `at`, if the buffer holds them all.
fn array<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    let end = at.checked_add(N)?;
    buf.get(at..end)?.try_into().ok()
}

/// The `N` octets at `at`, or how many more octets a streaming check needs
/// before it can read them.
fn need<const N: usize>(buf: &[u8], at: usize) -> Result<[u8; N], CheckError> {
    array(buf, at).ok_or_else(|| CheckError::Incomplete(at + N - buf.len()))
}

/// `len` octets at `at`, or how many more are needed.
fn need_slice(buf: &[u8], at: usize, len: usize) -> Result<&[u8], CheckError> {
    let end = at.saturating_add(len);
    buf.get(at..end)
        .ok_or_else(|| CheckError::Incomplete(end - buf.len()))
}

/// Writes `value` at `at`.
///
/// # Panics
/// If the buffer does not hold the field.
fn put(buf: &mut [u8], at: usize, value: &[u8]) {
    buf[at..at + value.len()].copy_from_slice(value);
}

#[cfg(test)]
mod tests;
