//! The command view: the body of a command frame (G08..G14).
//!
//! ```text
//!  0          1..=n   n+1..
//!  name-len | name  | data
//!                     READY:  metadata                (see MetadataView)
//!                     ERROR:  reason-len | reason
//!                     PING:   ttl (2, BE) | context
//!                     PONG:   context   SUBSCRIBE, CANCEL: topic
//!                     JOIN, LEAVE: group
//! ```

use super::frame::FrameBuilder;
use super::metadata::{MetadataBuilder, MetadataView, check_metadata};
use super::{array, put};
use crate::wire::WireError;
use crate::wire::command::{MAX_PING_CONTEXT, name};
use crate::wire::metadata::PropertyRef;

/// Where each field sits; the data fields count from the data's start.
mod field {
    pub(super) const NAME_LEN: usize = 0;
    pub(super) const NAME: usize = 1;
    pub(super) const REASON_LEN: usize = 0;
    pub(super) const REASON: usize = 1;
    pub(super) const TTL: usize = 0;
    pub(super) const CONTEXT: usize = TTL + size_of::<u16>();

    pub(super) const fn data(name_len: usize) -> usize {
        NAME + name_len
    }
}

/// The longest group (G14).
const MAX_GROUP: usize = u8::MAX as usize;

/// A view of a command body, from its name-length octet on: any name, any
/// data, `None` past the end. The accessors for one command's fields
/// (`reason`, `ttl`, ...) read the data whatever the name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> CommandView<T> {
    /// A view of `buffer`, a command body of any length.
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

    /// The name-length octet, any value.
    pub fn name_len(&self) -> Option<u8> {
        self.buf().get(field::NAME_LEN).copied()
    }

    /// ERROR's reason-length octet (the data's first).
    pub fn reason_len(&self) -> Option<u8> {
        self.data_octets()?.get(field::REASON_LEN).copied()
    }

    /// PING's time-to-live (the data's first two octets, big-endian).
    pub fn ttl(&self) -> Option<u16> {
        array(self.data_octets()?, field::TTL).map(u16::from_be_bytes)
    }

    fn data_octets(&self) -> Option<&[u8]> {
        let at = field::data(usize::from(self.name_len()?));
        self.buf().get(at..)
    }
}

/// The parts of a borrowed view: the slices they return borrow the
/// octets, not the view, so they outlive a temporary view.
impl<'a, T: AsRef<[u8]> + ?Sized> CommandView<&'a T> {
    fn bytes(&self) -> &'a [u8] {
        <T as AsRef<[u8]>>::as_ref(self.buffer)
    }

    /// The name, as many octets as the name length says.
    pub fn name(&self) -> Option<&'a [u8]> {
        let len = usize::from(self.name_len()?);
        self.bytes().get(field::NAME..field::data(len))
    }

    /// The octets after the name.
    pub fn data(&self) -> Option<&'a [u8]> {
        let at = field::data(usize::from(self.name_len()?));
        self.bytes().get(at..)
    }

    /// ERROR's reason, as many octets as the reason length says.
    pub fn reason(&self) -> Option<&'a [u8]> {
        let len = usize::from(self.reason_len()?);
        self.data()?.get(field::REASON..field::REASON + len)
    }

    /// PING's context (the data after the TTL).
    pub fn ping_context(&self) -> Option<&'a [u8]> {
        self.data()?.get(field::CONTEXT..)
    }

    /// The data as metadata (READY; INITIATE in PLAIN).
    pub fn metadata(&self) -> Option<MetadataView<&'a [u8]>> {
        self.data().map(MetadataView::new)
    }

    /// The rule `command-name` (G08, 37-R66): 1-255 ALPHA octets within
    /// the body; case-sensitive (zmtp-wire.md 6.1 #4).
    ///
    /// # Errors
    /// [`WireError::BadCommandName`] for an empty body, a zero length, a
    /// name past the end or a non-ALPHA octet.
    pub fn check_name(&self) -> Result<&'a [u8], WireError> {
        check_name(self.bytes())
    }

    /// The rule `command-body` (G08): a valid name and the data after it.
    ///
    /// # Errors
    /// As [`CommandView::check_name`].
    pub fn check_split(&self) -> Result<(&'a [u8], &'a [u8]), WireError> {
        check_split(self.bytes())
    }

    /// The rule `ready` (G10, G-P5; 37-R26..R29 through
    /// [`MetadataView::check`]): READY, then properties filling the body.
    ///
    /// # Errors
    /// [`WireError::BadCommandName`] for another name, else the metadata's
    /// error.
    pub fn check_ready(&self) -> Result<Vec<PropertyRef<'a>>, WireError> {
        check_ready(self.bytes())
    }

    /// The rule `error-command` (G11, 37-R16): ERROR, a reason length and
    /// a reason that ends the body. The reason's characters are not judged
    /// (zmtp-wire.md 6.1 #6).
    ///
    /// # Errors
    /// [`WireError::BadCommandName`] for another name;
    /// [`WireError::BadErrorReason`] for a missing length, a reason past
    /// the end or octets after it.
    pub fn check_error(&self) -> Result<&'a [u8], WireError> {
        check_error(self.bytes())
    }

    /// The rule `ping` (G13, 37-R58, 37-R59): PING, a two-octet TTL and a
    /// context of at most 16 octets.
    ///
    /// # Errors
    /// [`WireError::BadCommandName`] for another name;
    /// [`WireError::BadPing`] for a missing TTL or a long context.
    pub fn check_ping(&self) -> Result<(u16, &'a [u8]), WireError> {
        check_ping(self.bytes())
    }

    /// The rule `pong` (G13, 37-R58, 37-R59): PONG and a context of at
    /// most 16 octets.
    ///
    /// # Errors
    /// [`WireError::BadCommandName`] for another name;
    /// [`WireError::BadPing`] for a long context.
    pub fn check_pong(&self) -> Result<&'a [u8], WireError> {
        check_pong(self.bytes())
    }

    /// The rule `subscribe` (G12, 37-R46): SUBSCRIBE and any topic.
    ///
    /// # Errors
    /// [`WireError::BadCommandName`] for another name.
    pub fn check_subscribe(&self) -> Result<&'a [u8], WireError> {
        check_named(self.bytes(), name::SUBSCRIBE)
    }

    /// The rule `cancel` (G12, 37-R47): CANCEL and any topic.
    ///
    /// # Errors
    /// [`WireError::BadCommandName`] for another name.
    pub fn check_cancel(&self) -> Result<&'a [u8], WireError> {
        check_named(self.bytes(), name::CANCEL)
    }

    /// The rule `join` (G14, 37-R53): JOIN and a group.
    ///
    /// # Errors
    /// [`WireError::BadCommandName`] for another name;
    /// [`WireError::BadGroup`] for a group over 255 octets or with a NUL.
    pub fn check_join(&self) -> Result<&'a [u8], WireError> {
        group_value(check_named(self.bytes(), name::JOIN)?)
    }

    /// The rule `leave` (G14, 37-R54): LEAVE and a group.
    ///
    /// # Errors
    /// As [`CommandView::check_join`].
    pub fn check_leave(&self) -> Result<&'a [u8], WireError> {
        group_value(check_named(self.bytes(), name::LEAVE)?)
    }
}

// The checks over a body, so that what they return borrows the body
// itself (the grammar rules hand these slices out): see the methods.

pub(crate) fn check_name(body: &[u8]) -> Result<&[u8], WireError> {
    let name = match body.get(field::NAME_LEN) {
        Some(&len) if len > 0 => body
            .get(field::NAME..field::data(usize::from(len)))
            .ok_or(WireError::BadCommandName)?,
        _ => return Err(WireError::BadCommandName),
    };
    if !name.iter().all(u8::is_ascii_alphabetic) {
        return Err(WireError::BadCommandName);
    }
    Ok(name)
}

pub(crate) fn check_split(body: &[u8]) -> Result<(&[u8], &[u8]), WireError> {
    let name = check_name(body)?;
    Ok((name, &body[field::data(name.len())..]))
}

/// The data of a command that must be called `name`.
pub(crate) fn check_named<'a>(body: &'a [u8], name: &[u8]) -> Result<&'a [u8], WireError> {
    match check_split(body)? {
        (found, data) if found == name => Ok(data),
        _ => Err(WireError::BadCommandName),
    }
}

pub(crate) fn check_ready(body: &[u8]) -> Result<Vec<PropertyRef<'_>>, WireError> {
    check_metadata(check_named(body, name::READY)?)
}

pub(crate) fn check_error(body: &[u8]) -> Result<&[u8], WireError> {
    let data = check_named(body, name::ERROR)?;
    let [len] = array(data, field::REASON_LEN).ok_or(WireError::BadErrorReason)?;
    match data.get(field::REASON..) {
        Some(reason) if reason.len() == usize::from(len) => Ok(reason),
        _ => Err(WireError::BadErrorReason),
    }
}

pub(crate) fn check_ping(body: &[u8]) -> Result<(u16, &[u8]), WireError> {
    let data = check_named(body, name::PING)?;
    let ttl = array(data, field::TTL).ok_or(WireError::BadPing)?;
    let context = ping_context(&data[field::CONTEXT..])?;
    Ok((u16::from_be_bytes(ttl), context))
}

pub(crate) fn check_pong(body: &[u8]) -> Result<&[u8], WireError> {
    ping_context(check_named(body, name::PONG)?)
}

/// `ping-context` (37-R59): at most 16 octets.
fn ping_context(context: &[u8]) -> Result<&[u8], WireError> {
    if context.len() > MAX_PING_CONTEXT && !crate::mutant!(PingContextUnbounded) {
        return Err(WireError::BadPing);
    }
    Ok(context)
}

/// The rule `group` (G14): at most 255 octets, none of them NUL, else
/// [`WireError::BadGroup`].
pub(crate) fn group_value(group: &[u8]) -> Result<&[u8], WireError> {
    if group.len() > MAX_GROUP || group.contains(&0) {
        return Err(WireError::BadGroup);
    }
    Ok(group)
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> CommandView<T> {
    fn buf_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Writes the name-length octet (the data moves with it).
    pub fn set_name_len(&mut self, len: u8) {
        put(self.buf_mut(), field::NAME_LEN, &[len]);
    }

    /// Writes `name` after the name-length octet, whatever that says.
    pub fn set_name(&mut self, name: &[u8]) {
        put(self.buf_mut(), field::NAME, name);
    }

    /// The octets after the name, to the end of the body.
    pub fn data_mut(&mut self) -> Option<&mut [u8]> {
        let at = field::data(usize::from(self.name_len()?));
        self.buf_mut().get_mut(at..)
    }

    /// Writes ERROR's reason-length octet, any value.
    pub fn set_reason_len(&mut self, len: u8) {
        if let Some(data) = self.data_mut() {
            put(data, field::REASON_LEN, &[len]);
        }
    }

    /// Writes PING's TTL.
    pub fn set_ttl(&mut self, ttl: u16) {
        if let Some(data) = self.data_mut() {
            put(data, field::TTL, &ttl.to_be_bytes());
        }
    }

    /// The data as metadata, to edit a property's fields.
    pub fn metadata_mut(&mut self) -> Option<MetadataView<&mut [u8]>> {
        self.data_mut().map(MetadataView::new)
    }
}

/// Builds a command body with any name length, any name and any data: an
/// unknown or non-ALPHA name, a zero or wrong name length, a PING without
/// its TTL, an ERROR whose reason length overruns (G08..G14).
///
/// [`CommandBuilder::frame`] wraps it in a command frame, whose flags and
/// size may then be forged as well (MORE on a command: 37-R20).
///
/// ```
/// use zmtp_spec::wire::view::CommandBuilder;
/// use zmtp_spec::wire::{Command, WireError};
/// use bytes::Bytes;
///
/// let body = CommandBuilder::ping(7, &[0xAA; 17]).build();
/// assert_eq!(Command::parse(&Bytes::from(body)), Err(WireError::BadPing));
/// let frame = CommandBuilder::new(b"PONG").frame().flags(0x05).build();
/// assert_eq!(frame, b"\x05\x05\x04PONG");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandBuilder {
    name: Vec<u8>,
    name_len: Option<u8>,
    data: Vec<u8>,
}

impl CommandBuilder {
    /// A command `name` with no data.
    pub fn new(name: &[u8]) -> Self {
        Self {
            name: name.to_vec(),
            ..Self::default()
        }
    }

    /// READY with a metadata body (valid or not).
    pub fn ready(metadata: MetadataBuilder) -> Self {
        Self::new(name::READY).data(&metadata.build())
    }

    /// ERROR with a reason, its length octet the reason's (cut to the
    /// low octet).
    pub fn error(reason: &[u8]) -> Self {
        let mut data = vec![0; field::REASON + reason.len()];
        #[allow(clippy::cast_possible_truncation)] // documented: the low octet
        put(&mut data, field::REASON_LEN, &[reason.len() as u8]);
        put(&mut data, field::REASON, reason);
        Self::new(name::ERROR).data(&data)
    }

    /// PING with a TTL and a context of any length.
    pub fn ping(ttl: u16, context: &[u8]) -> Self {
        let mut data = vec![0; field::CONTEXT + context.len()];
        put(&mut data, field::TTL, &ttl.to_be_bytes());
        put(&mut data, field::CONTEXT, context);
        Self::new(name::PING).data(&data)
    }

    /// PONG echoing a context of any length.
    pub fn pong(context: &[u8]) -> Self {
        Self::new(name::PONG).data(context)
    }

    /// The name-length octet, instead of the name's length (cut to its low
    /// octet by default).
    pub fn name_len(mut self, len: u8) -> Self {
        self.name_len = Some(len);
        self
    }

    /// The data after the name, replacing any.
    pub fn data(mut self, data: &[u8]) -> Self {
        self.data = data.to_vec();
        self
    }

    /// The number of octets [`CommandBuilder::build`] writes.
    pub fn encoded_len(&self) -> usize {
        field::data(self.name.len()) + self.data.len()
    }

    /// The body's octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0; self.encoded_len()];
        let mut view = CommandView::new(&mut out[..]);
        view.set_name(&self.name);
        put(&mut out, field::data(self.name.len()), &self.data);
        #[allow(clippy::cast_possible_truncation)] // documented: the low octet
        CommandView::new(&mut out[..]).set_name_len(self.name_len.unwrap_or(self.name.len() as u8));
        out
    }

    /// A command frame (flags `04`, or `06` for a long size) around the
    /// body.
    pub fn frame(&self) -> FrameBuilder {
        FrameBuilder::command(&self.build())
    }
}

#[cfg(test)]
mod tests;
