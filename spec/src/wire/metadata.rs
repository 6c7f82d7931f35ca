//! Connection metadata: the properties carried in READY, INITIATE and ZAP
//! replies (37-R26..R36, G10).

use bytes::Bytes;

use super::WireError;
use super::view::metadata::check_metadata;

mod grammar;
#[cfg(test)]
mod tests;

pub use grammar::{PropertyRef, is_name_char, metadata, property, property_name, property_value};

/// The longest property value: 2^31-1 octets (37-R28).
pub const MAX_VALUE_LEN: usize = i32::MAX as usize;
/// The longest property name (37-R26).
pub const MAX_NAME_LEN: usize = 255;

/// One metadata property. The name is 1-255 characters of
/// `A-Z a-z 0-9 - _ . +` (37-R26, G10); the value is 0 to 2^31-1 octets
/// (37-R28).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Property {
    /// The property name, as sent (case is kept, but lookups ignore it:
    /// 37-R27, 37-R31).
    pub name: Bytes,
    /// The value.
    pub value: Bytes,
}

impl Property {
    /// Whether the name is 1-255 characters of `A-Z a-z 0-9 - _ . +` and
    /// the value at most 2^31-1 octets (37-R26, 37-R28, G10).
    pub fn is_valid(&self) -> bool {
        (1..=MAX_NAME_LEN).contains(&self.name.len())
            && self.name.iter().all(|&c| is_name_char(c))
            && self.value.len() <= MAX_VALUE_LEN
    }
}

/// An ordered list of properties. Lookup by name is case-insensitive
/// (37-R27, 37-R31). Duplicates are kept in order; [`Metadata::get`]
/// returns the first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Metadata {
    properties: Vec<Property>,
}

/// The `Socket-Type` property name (37-R33).
pub const SOCKET_TYPE: &str = "Socket-Type";
/// The `Identity` property name (37-R34, 37-R35).
pub const IDENTITY: &str = "Identity";
/// The `Resource` property name (37-R36).
pub const RESOURCE: &str = "Resource";
/// The `User-Id` property a ZAP handler may set (RFC 27).
pub const USER_ID: &str = "User-Id";

impl Metadata {
    /// No properties.
    pub const fn new() -> Self {
        Self {
            properties: Vec::new(),
        }
    }

    /// Appends a property. Validation of the name and value is the
    /// encoder's and the grammar's job; this is a plain container.
    pub fn push(&mut self, name: impl Into<Bytes>, value: impl Into<Bytes>) {
        self.properties.push(Property {
            name: name.into(),
            value: value.into(),
        });
    }

    /// Builder form of [`Metadata::push`].
    pub fn with(mut self, name: impl Into<Bytes>, value: impl Into<Bytes>) -> Self {
        self.push(name, value);
        self
    }

    /// The first value whose name matches `name`, ignoring ASCII case
    /// (37-R27, 37-R31).
    pub fn get(&self, name: &str) -> Option<&Bytes> {
        self.properties
            .iter()
            .find(|p| {
                if crate::mutant!(MetadataNameCaseSensitive) {
                    p.name == name.as_bytes()
                } else {
                    p.name.eq_ignore_ascii_case(name.as_bytes())
                }
            })
            .map(|p| &p.value)
    }

    /// Parses a whole metadata body, every octet belonging to a property
    /// (G10). Names and values share `body`'s buffer.
    ///
    /// # Errors
    /// The [`WireError`] of the first malformed property.
    pub fn parse(body: &Bytes) -> Result<Self, WireError> {
        Ok(Self::from_refs(body, &check_metadata(body)?))
    }

    /// Builds metadata from properties that are slices of `body`.
    ///
    /// # Panics
    /// If a slice is not part of `body` (the grammar only hands out slices
    /// of its input, so this is a programming error).
    pub(crate) fn from_refs(body: &Bytes, refs: &[PropertyRef<'_>]) -> Self {
        refs.iter()
            .map(|p| Property {
                name: body.slice_ref(p.name),
                value: body.slice_ref(p.value),
            })
            .collect()
    }

    /// Whether every name is 1-255 characters of `A-Z a-z 0-9 - _ . +`
    /// and every value at most 2^31-1 octets (37-R26, 37-R28, G10).
    pub fn is_valid(&self) -> bool {
        self.properties.iter().all(Property::is_valid)
    }

    /// The properties, in order.
    pub fn properties(&self) -> &[Property] {
        &self.properties
    }

    /// The number of properties.
    pub fn len(&self) -> usize {
        self.properties.len()
    }

    /// Whether there are no properties.
    pub fn is_empty(&self) -> bool {
        self.properties.is_empty()
    }
}

impl FromIterator<Property> for Metadata {
    fn from_iter<T: IntoIterator<Item = Property>>(iter: T) -> Self {
        Self {
            properties: iter.into_iter().collect(),
        }
    }
}
