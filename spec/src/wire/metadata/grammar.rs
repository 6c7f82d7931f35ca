//! The metadata rules (37-R26..R29, G10), over a complete command body.

use nom::bytes::complete::take;
use nom::number::complete::{be_u8, be_u32};

use crate::wire::{IResult, WireError, fail};

use super::MAX_VALUE_LEN;

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
    let Ok((input, len)) = be_u8::<_, WireError>(input) else {
        return fail(WireError::BadPropertyName);
    };
    if len == 0 {
        return fail(WireError::BadPropertyName);
    }
    let Ok((input, name)) = take::<_, _, WireError>(len)(input) else {
        return fail(WireError::BadPropertyName);
    };
    if !name.iter().all(|&c| is_name_char(c)) {
        return fail(WireError::BadPropertyNameChar);
    }
    Ok((input, name))
}

/// `property-value = value-len:4 (0..2^31-1, big-endian) value:value-len`
/// (37-R28, 37-R29, G10).
///
/// Fewer than 4 octets left for the length is
/// [`WireError::TrailingPropertyBytes`]; a length above 2^31-1 or past the
/// end of the body is [`WireError::BadPropertyValue`].
pub fn property_value(input: &[u8]) -> IResult<'_, &[u8]> {
    let Ok((input, len)) = be_u32::<_, WireError>(input) else {
        return fail(WireError::TrailingPropertyBytes(input.len()));
    };
    if u64::from(len) > MAX_VALUE_LEN as u64 || len as usize > input.len() {
        return fail(WireError::BadPropertyValue(len));
    }
    let (input, value) = take(len)(input)?;
    Ok((input, value))
}

/// `property = property-name property-value` (37-R26..R29, G10).
pub fn property(input: &[u8]) -> IResult<'_, PropertyRef<'_>> {
    let (after_name, name) = property_name(input)?;
    let (input, value) = property_value(after_name).map_err(|e| match e {
        // Count the trailing octets from the start of the broken property.
        nom::Err::Failure(WireError::TrailingPropertyBytes(_)) => {
            nom::Err::Failure(WireError::TrailingPropertyBytes(input.len()))
        }
        other => other,
    })?;
    Ok((input, PropertyRef { name, value }))
}

/// `metadata = *property`, filling the input exactly (G10, G-P5): there is
/// no count and no terminator, so every octet must belong to a property.
pub fn metadata(mut input: &[u8]) -> IResult<'_, Vec<PropertyRef<'_>>> {
    let mut properties = Vec::new();
    while !input.is_empty() {
        let (rest, property) = property(input)?;
        properties.push(property);
        input = rest;
    }
    Ok((input, properties))
}
