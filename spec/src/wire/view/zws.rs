//! The ZWS message view: one WebSocket binary message of ZWS 2.0 (RFC 45).
//!
//! ```text
//!  0       1 ..
//!  flags | body          flags: 00 last, 01 more, 02 command (45-R06)
//! ```
//!
//! A WebSocket message carries its own length, so a ZWS message is always
//! whole: there is no "need more" here, only valid or not.

use super::{CheckError, view};
use crate::wire::WireError;
use crate::wire::frame::FrameKind;
use crate::wire::zws::{ZwsFrame, flags};

view!(
    /// A view of a ZWS message's octets: any flags octet (or none), any
    /// body.
    ZwsView
);

impl<T: AsRef<[u8]>> ZwsView<T> {
    /// The flags octet, any value; `None` for an empty message.
    pub fn flags(&self) -> Option<u8> {
        self.buf().first().copied()
    }
}

impl<'a> ZwsView<&'a [u8]> {
    /// The octets after the flags octet (empty for an empty message).
    pub fn body(&self) -> &'a [u8] {
        self.buffer.get(1..).unwrap_or_default()
    }

    /// The rule `zws-message` (45-R06): a flags octet of `00`, `01` or
    /// `02`, then any body.
    ///
    /// # Errors
    /// [`WireError::EmptyZwsMessage`] for a message with no flags octet,
    /// [`WireError::BadZwsFlags`] for any other flags value.
    pub fn check(&self) -> Result<(ZwsFrame<'a>, usize), CheckError> {
        let Some(octet) = self.flags() else {
            return Err(WireError::EmptyZwsMessage.into());
        };
        let kind = match octet {
            flags::LAST => FrameKind::Message { more: false },
            flags::MORE => FrameKind::Message { more: true },
            flags::COMMAND => FrameKind::Command,
            other => return Err(WireError::BadZwsFlags(other).into()),
        };
        let body = self.body();
        Ok((ZwsFrame { kind, body }, self.buffer.len()))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> ZwsView<T> {
    /// Sets the flags octet to any value.
    ///
    /// # Panics
    /// On an empty buffer.
    pub fn set_flags(&mut self, value: u8) {
        self.buf_mut()[0] = value;
    }
}

/// Builds a ZWS message with any flags octet (or none) and any body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZwsBuilder {
    flags: Option<u8>,
    body: Vec<u8>,
}

impl ZwsBuilder {
    /// A last-frame message with an empty body.
    pub fn new() -> Self {
        Self {
            flags: Some(flags::LAST),
            body: Vec::new(),
        }
    }

    /// A message carrying `frame` as a valid sender writes it.
    pub fn frame(frame: &ZwsFrame<'_>) -> Self {
        Self::new().flags(frame.flags()).body(frame.body)
    }

    /// A command message whose body is `command` (name length, name,
    /// data: a [`CommandBuilder`](super::CommandBuilder)'s output).
    pub fn command(command: &[u8]) -> Self {
        Self::new().flags(flags::COMMAND).body(command)
    }

    /// The flags octet, any value.
    #[must_use]
    pub fn flags(mut self, value: u8) -> Self {
        self.flags = Some(value);
        self
    }

    /// No flags octet at all: an empty message when the body is empty too.
    #[must_use]
    pub fn no_flags(mut self) -> Self {
        self.flags = None;
        self
    }

    /// The body octets.
    #[must_use]
    pub fn body(mut self, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self
    }

    /// The message's octets.
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + self.body.len());
        if let Some(value) = self.flags {
            out.push(0);
            ZwsView::new(&mut out[..]).set_flags(value);
        }
        out.extend_from_slice(&self.body);
        out
    }
}
