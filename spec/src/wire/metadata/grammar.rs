//! The metadata rules (37-R26..R29, G10), over a complete command body.
//! Each is the check of the same name on a
//! [`PropertyView`](crate::wire::view::PropertyView) or
//! [`MetadataView`](crate::wire::view::MetadataView).

use crate::wire::IResult;
#[cfg(doc)]
use crate::wire::WireError;
use crate::wire::view::PropertyView;
use crate::wire::view::metadata::{check_metadata, check_name, check_property, value_field};

/// A property as slices of the body it was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PropertyRef<'a> {
    /// The name, 1-255 characters of `A-Z a-z 0-9 - _ . +`.
    pub name: &'a [u8],
    /// The value, 0 to 2^31-1 octets.
    pub value: &'a [u8],
}

/// A character allowed in a property name (G10): `ALPHA DIGIT - _ . +`.
pub const fn is_name_char(c: u8) -> bool {
    matches!(c, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'+')
}

/// `property-name = name-len:1 (1..255) name-char{name-len}` (37-R26, G10).
///
/// A zero length or a name past the end of the body is
/// [`WireError::BadPropertyName`] (libzmq accepts zero-length names:
/// zmtp-wire.md 6.2 #3); a character outside `A-Z a-z 0-9 - _ . +` is
/// [`WireError::BadPropertyNameChar`].
pub fn property_name(input: &[u8]) -> IResult<'_, &[u8]> {
    let name = check_name(input).map_err(nom::Err::Failure)?;
    Ok((&input[1 + name.len()..], name))
}

/// `property-value = value-len:4 (0..2^31-1, big-endian) value:value-len`
/// (37-R28, 37-R29, G10).
///
/// Fewer than 4 octets left for the length is
/// [`WireError::TrailingPropertyBytes`]; a length above 2^31-1 or past the
/// end of the body is [`WireError::BadPropertyValue`].
pub fn property_value(input: &[u8]) -> IResult<'_, &[u8]> {
    let (value, used) = value_field(input).map_err(nom::Err::Failure)?;
    Ok((&input[used..], value))
}

/// `property = property-name property-value` (37-R26..R29, G10). Missing
/// value-length octets are counted from the start of the property.
pub fn property(input: &[u8]) -> IResult<'_, PropertyRef<'_>> {
    let property = check_property(input).map_err(nom::Err::Failure)?;
    let used = PropertyView::new(input)
        .declared_len()
        .unwrap_or(input.len());
    Ok((&input[used..], property))
}

/// `metadata = *property`, filling the input exactly (G10, G-P5): there is
/// no count and no terminator, so every octet must belong to a property.
pub fn metadata(input: &[u8]) -> IResult<'_, Vec<PropertyRef<'_>>> {
    let properties = check_metadata(input).map_err(nom::Err::Failure)?;
    Ok((&input[input.len()..], properties))
}
