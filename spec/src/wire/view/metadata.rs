//! The metadata views: one property, and the properties of a metadata body
//! (READY, INITIATE, ZAP replies; 37-R26..R29, G10).
//!
//! ```text
//!  0          1..=n    n+1..=n+4          n+5..
//!  name-len | name   | value-len (BE)   | value      (then the next property)
//! ```

use super::{array, put};
use crate::wire::WireError;
use crate::wire::metadata::{MAX_VALUE_LEN, Metadata, PropertyRef, is_name_char};

/// Where each field sits, for a name of `name_len` octets.
mod field {
    pub(super) const NAME_LEN: usize = 0;
    pub(super) const NAME: usize = 1;
    pub(super) const VALUE_LEN_LEN: usize = size_of::<u32>();

    pub(super) const fn value_len(name_len: usize) -> usize {
        NAME + name_len
    }

    pub(super) const fn value(name_len: usize) -> usize {
        value_len(name_len) + VALUE_LEN_LEN
    }
}

/// A view of the octets of one property, from its name-length octet on:
/// any lengths, any characters, `None` past the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PropertyView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> PropertyView<T> {
    /// A view of `buffer`, which may be of any length (and may hold more
    /// properties after this one).
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

    /// The name-length octet, any value (0 too).
    pub fn name_len(&self) -> Option<u8> {
        self.buf().get(field::NAME_LEN).copied()
    }

    /// The four-octet value length, any value.
    pub fn value_len(&self) -> Option<u32> {
        let at = field::value_len(usize::from(self.name_len()?));
        array(self.buf(), at).map(u32::from_be_bytes)
    }

    /// How many octets follow the value-length field, to the end of the
    /// viewed octets (later properties included): what a value length may
    /// at most declare.
    pub fn value_room(&self) -> Option<usize> {
        self.buf().len().checked_sub(self.value_at()?)
    }

    /// The property's length as its length fields declare it.
    pub fn declared_len(&self) -> Option<usize> {
        self.value_at()?
            .checked_add(usize::try_from(self.value_len()?).ok()?)
    }

    fn value_at(&self) -> Option<usize> {
        let at = field::value(usize::from(self.name_len()?));
        (at <= self.buf().len()).then_some(at)
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> PropertyView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The name, as many octets as the name length says.
    pub fn name(&self) -> Option<&'a [u8]> {
        let len = usize::from(self.name_len()?);
        self.bytes().get(field::NAME..field::value_len(len))
    }

    /// The value, as many octets as the value length says.
    pub fn value(&self) -> Option<&'a [u8]> {
        let start = self.value_at()?;
        let end = start.checked_add(usize::try_from(self.value_len()?).ok()?)?;
        self.bytes().get(start..end)
    }

    /// The octets after a complete property.
    pub fn rest(&self) -> Option<&'a [u8]> {
        property_rest(self.bytes())
    }

    /// The rule `property-name` (37-R26, G10): 1-255 characters of
    /// `A-Z a-z 0-9 - _ . +`, within the octets.
    ///
    /// # Errors
    /// [`WireError::BadPropertyName`] for no octets, a zero length or a
    /// name past the end; [`WireError::BadPropertyNameChar`] for a
    /// character outside the set.
    pub fn check_name(&self) -> Result<&'a [u8], WireError> {
        check_name(self.bytes())
    }

    /// The rule `property-value` (37-R28, 37-R29, G10), after a valid
    /// name.
    ///
    /// # Errors
    /// [`WireError::TrailingPropertyBytes`] counting from the start of the
    /// property when the four length octets are missing;
    /// [`WireError::BadPropertyValue`] for a length over 2^31-1 or past the
    /// end; or the name's error.
    pub fn check_value(&self) -> Result<&'a [u8], WireError> {
        check_property(self.bytes()).map(|p| p.value)
    }

    /// The rule `property` (37-R26..R29, G10): the name, then the value.
    ///
    /// # Errors
    /// As [`PropertyView::check_name`] and [`PropertyView::check_value`].
    pub fn check(&self) -> Result<PropertyRef<'a>, WireError> {
        check_property(self.bytes())
    }
}

pub(crate) fn check_name(buf: &[u8]) -> Result<&[u8], WireError> {
    let len = match PropertyView::new(buf).name_len() {
        Some(len) if len > 0 || crate::mutant!(EmptyPropertyName) => usize::from(len),
        _ => return Err(WireError::BadPropertyName),
    };
    let name = buf
        .get(field::NAME..field::value_len(len))
        .ok_or(WireError::BadPropertyName)?;
    if !name.iter().all(|&c| is_name_char(c)) {
        return Err(WireError::BadPropertyNameChar);
    }
    Ok(name)
}

/// The name, then the value; a missing value length counts the trailing
/// octets from the start of the property.
pub(crate) fn check_property(buf: &[u8]) -> Result<PropertyRef<'_>, WireError> {
    let name = check_name(buf)?;
    let value = match value_field(&buf[field::value_len(name.len())..]) {
        Err(WireError::TrailingPropertyBytes(_)) => {
            return Err(WireError::TrailingPropertyBytes(buf.len()));
        }
        other => other?.0,
    };
    Ok(PropertyRef { name, value })
}

/// The rule `metadata` over `buf`: see [`MetadataView::check`].
pub(crate) fn check_metadata(buf: &[u8]) -> Result<Vec<PropertyRef<'_>>, WireError> {
    let mut properties = Vec::new();
    let mut rest = buf;
    while !rest.is_empty() {
        if crate::mutant!(MetadataTrailingOctets) && property_rest(rest).is_none() {
            break;
        }
        let property = check_property(rest)?;
        rest = &rest[field::value(property.name.len()) + property.value.len()..];
        properties.push(property);
    }
    Ok(properties)
}

/// The octets after the property that starts `buf`, if it is complete.
fn property_rest(buf: &[u8]) -> Option<&[u8]> {
    let view = PropertyView::new(buf);
    buf.get(view.declared_len()?..)
}

/// The value-length field and the value, from `input` on (the rule
/// `property-value`): the value and the octets used.
pub(crate) fn value_field(input: &[u8]) -> Result<(&[u8], usize), WireError> {
    let Some(len) = array(input, 0).map(u32::from_be_bytes) else {
        return Err(WireError::TrailingPropertyBytes(input.len()));
    };
    let value = input[field::VALUE_LEN_LEN..]
        .get(..len as usize)
        .filter(|_| u64::from(len) <= MAX_VALUE_LEN as u64)
        .ok_or(WireError::BadPropertyValue(len))?;
    Ok((value, field::VALUE_LEN_LEN + value.len()))
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> PropertyView<T> {
    fn buf_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Writes the name-length octet (the fields after it move with it).
    pub fn set_name_len(&mut self, len: u8) {
        put(self.buf_mut(), field::NAME_LEN, &[len]);
    }

    /// Writes `name` after the name-length octet, whatever that says.
    pub fn set_name(&mut self, name: &[u8]) {
        put(self.buf_mut(), field::NAME, name);
    }

    /// Writes the value length where the name length puts it, any value.
    pub fn set_value_len(&mut self, len: u32) {
        let name_len = usize::from(self.name_len().unwrap_or(0));
        self.set_value_len_after(name_len, len);
    }

    fn set_value_len_after(&mut self, name_len: usize, len: u32) {
        put(
            self.buf_mut(),
            field::value_len(name_len),
            &len.to_be_bytes(),
        );
    }

    /// The value's octets, as long as the value length says.
    pub fn value_mut(&mut self) -> Option<&mut [u8]> {
        let start = self.value_at()?;
        let end = start.checked_add(usize::try_from(self.value_len()?).ok()?)?;
        self.buf_mut().get_mut(start..end)
    }
}

/// A view of a metadata body: the properties back to back, read by their
/// length fields without judging them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetadataView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> MetadataView<T> {
    /// A view of `buffer`, a metadata body of any length.
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

    /// Where property `index` starts, counted as [`MetadataView::properties`]
    /// does.
    pub fn property_offset(&self, index: usize) -> Option<usize> {
        let total = self.buf().len();
        Properties {
            rest: Some(self.buf()),
        }
        .nth(index)
        .map(|p| total - p.into_inner().len())
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> MetadataView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The properties, in order. Each starts where the one before ends by
    /// its length fields; one that runs past the end is the last.
    pub fn properties(&self) -> Properties<'a> {
        Properties {
            rest: Some(self.bytes()),
        }
    }

    /// Property `index` (from 0), viewed to the end of the body.
    pub fn property(&self, index: usize) -> Option<PropertyView<&'a [u8]>> {
        self.properties().nth(index)
    }

    /// The rule `metadata` (G10, G-P5): properties that fill the body
    /// exactly, each checked as [`PropertyView::check`].
    ///
    /// # Errors
    /// The first malformed property's error.
    pub fn check(&self) -> Result<Vec<PropertyRef<'a>>, WireError> {
        check_metadata(self.bytes())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> MetadataView<T> {
    /// Property `index`, viewed mutably to the end of the body.
    pub fn property_mut(&mut self, index: usize) -> Option<PropertyView<&mut [u8]>> {
        let at = self.property_offset(index)?;
        Some(PropertyView::new(&mut self.buffer.as_mut()[at..]))
    }
}

/// The properties of a [`MetadataView`], each viewed to the end of the
/// body.
#[derive(Clone, Debug)]
pub struct Properties<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Properties<'a> {
    type Item = PropertyView<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest.filter(|r| !r.is_empty())?;
        self.rest = property_rest(rest);
        Some(PropertyView::new(rest))
    }
}

/// Builds one property with any name length, name, value length and value:
/// an empty or over-long name, a bad character, a length over 2^31-1 or
/// past the end (37-R26, 37-R28, G10).
///
/// By default each length is that of the octets given (the name length
/// cut to its low octet, so a 300-octet name says 44).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PropertyBuilder {
    name: Vec<u8>,
    value: Vec<u8>,
    name_len: Option<u8>,
    value_len: Option<u32>,
}

impl PropertyBuilder {
    /// A property `name` = `value`.
    pub fn new(name: &[u8], value: &[u8]) -> Self {
        Self {
            name: name.to_vec(),
            value: value.to_vec(),
            ..Self::default()
        }
    }

    /// The name-length octet, instead of the name's length.
    pub fn name_len(mut self, len: u8) -> Self {
        self.name_len = Some(len);
        self
    }

    /// The value length, instead of the value's length.
    pub fn value_len(mut self, len: u32) -> Self {
        self.value_len = Some(len);
        self
    }

    /// The number of octets [`PropertyBuilder::build`] writes.
    pub fn encoded_len(&self) -> usize {
        field::value(self.name.len()) + self.value.len()
    }

    /// The property's octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; self.encoded_len()];
        let mut view = PropertyView::new(&mut out[..]);
        view.set_name(&self.name);
        #[allow(clippy::cast_possible_truncation)] // documented: the low octet
        view.set_name_len(self.name_len.unwrap_or(self.name.len() as u8));
        #[allow(clippy::cast_possible_truncation)] // documented: the low octets
        let value_len = self.value_len.unwrap_or(self.value.len() as u32);
        view.set_value_len_after(self.name.len(), value_len);
        put(&mut out, field::value(self.name.len()), &self.value);
        out
    }
}

/// Builds a metadata body: properties, valid or not, and any octets
/// between or after them.
///
/// ```
/// use zmtp_spec::wire::view::{MetadataBuilder, PropertyBuilder};
/// use zmtp_spec::wire::{Metadata, WireError};
/// use bytes::Bytes;
///
/// let body = MetadataBuilder::new()
///     .property(b"Socket-Type", b"PAIR")
///     .raw(PropertyBuilder::new(b"Identity", b"").value_len(1 << 31))
///     .build();
/// assert_eq!(
///     Metadata::parse(&Bytes::from(body)),
///     Err(WireError::BadPropertyValue(1 << 31))
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataBuilder {
    octets: Vec<u8>,
}

impl MetadataBuilder {
    /// No properties.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `name` = `value`, lengths as given.
    pub fn property(self, name: &[u8], value: &[u8]) -> Self {
        self.raw(PropertyBuilder::new(name, value))
    }

    /// Appends a property built with any field values.
    pub fn raw(mut self, property: PropertyBuilder) -> Self {
        self.octets.extend(property.build());
        self
    }

    /// Appends octets that are no property (a trailing octet, say).
    pub fn octets(mut self, octets: &[u8]) -> Self {
        self.octets.extend_from_slice(octets);
        self
    }

    /// The body's octets.
    pub fn build(&self) -> Vec<u8> {
        self.octets.clone()
    }
}

impl From<&Metadata> for MetadataBuilder {
    /// The properties of `metadata` as they are (valid or not).
    fn from(metadata: &Metadata) -> Self {
        metadata
            .properties()
            .iter()
            .fold(Self::new(), |b, p| b.property(&p.name, &p.value))
    }
}

#[cfg(test)]
mod tests;
