//! Connection metadata: the properties carried in READY, INITIATE and ZAP
//! replies (37-R26..R36, G10).

use bytes::Bytes;

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
            .find(|p| p.name.eq_ignore_ascii_case(name.as_bytes()))
            .map(|p| &p.value)
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
