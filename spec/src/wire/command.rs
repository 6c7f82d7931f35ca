//! ZMTP commands as typed values (G08..G14).

use bytes::Bytes;

use super::WireError;
use super::metadata::Metadata;
use super::view::CommandView;
use super::view::command::{check_error, check_ping, check_pong, check_ready, check_split};

mod grammar;
#[cfg(test)]
mod tests;

pub use grammar::{
    cancel, command_body, command_name, error_command, group, join, leave, ping, pong, ready,
    subscribe,
};

/// A command, parsed from the body of a command frame.
///
/// The security mechanisms' handshake commands (HELLO, WELCOME, INITIATE,
/// MESSAGE) keep their body as raw octets here, since their layout depends
/// on the mechanism; `wire::mechanism` parses them into typed PLAIN and
/// CURVE layouts. READY is parsed as metadata because NULL and PLAIN carry
/// it in clear; CURVE's READY is a box, so a CURVE connection reads its body
/// with `wire::mechanism` instead (see [`Command::name`] and the raw body).
///
/// An unknown command name is kept as [`Command::Unknown`], never a panic
/// (libzmq drops unknown commands: zmtp-wire.md 6.2 #9).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command {
    /// READY with its metadata (G10).
    Ready(Metadata),
    /// ERROR with its reason, 0-255 octets (G11, 37-R16).
    Error {
        /// The reason text.
        reason: Bytes,
    },
    /// SUBSCRIBE (G12, 37-R46).
    Subscribe(Bytes),
    /// CANCEL (G12, 37-R47).
    Cancel(Bytes),
    /// PING with a time-to-live in tenths of a second and a 0-16 octet
    /// context (G13, 37-R58, 37-R59).
    Ping {
        /// Time to live, in units of 100 ms; 0 means none.
        ttl: u16,
        /// Echoed back in PONG.
        context: Bytes,
    },
    /// PONG echoing a PING's context (G13, 37-R58).
    Pong {
        /// The echoed context.
        context: Bytes,
    },
    /// JOIN a RADIO/DISH group (G14, 37-R53).
    Join(Bytes),
    /// LEAVE a RADIO/DISH group (G14, 37-R54).
    Leave(Bytes),
    /// A mechanism handshake or data command (HELLO, WELCOME, INITIATE,
    /// MESSAGE) with its raw body after the name.
    Mechanism {
        /// Which one.
        name: MechanismCommand,
        /// The body after the name.
        body: Bytes,
    },
    /// Any other well-formed command name, with its data.
    Unknown {
        /// The name, 1-255 ALPHA octets (G08).
        name: Bytes,
        /// The data after the name.
        body: Bytes,
    },
}

/// The mechanism-specific command names (RFC 24, 26).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum MechanismCommand {
    /// HELLO (PLAIN and CURVE client).
    Hello,
    /// WELCOME (PLAIN and CURVE server).
    Welcome,
    /// INITIATE (PLAIN and CURVE client).
    Initiate,
    /// MESSAGE (CURVE, both directions).
    Message,
}

impl MechanismCommand {
    /// The command name on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hello => "HELLO",
            Self::Welcome => "WELCOME",
            Self::Initiate => "INITIATE",
            Self::Message => "MESSAGE",
        }
    }
}

impl MechanismCommand {
    /// The mechanism command with this wire name, if any (case-sensitive).
    pub fn from_name(name: &[u8]) -> Option<Self> {
        match name {
            b"HELLO" => Some(Self::Hello),
            b"WELCOME" => Some(Self::Welcome),
            b"INITIATE" => Some(Self::Initiate),
            b"MESSAGE" => Some(Self::Message),
            _ => None,
        }
    }
}

/// Splits a command body into its name and data (G08), both sharing
/// `body`'s buffer.
///
/// # Errors
/// [`WireError::BadCommandName`] if the body does not start with a
/// well-formed name.
pub fn split_command(body: &Bytes) -> Result<(Bytes, Bytes), WireError> {
    let (name, data) = check_split(body)?;
    Ok((body.slice_ref(name), body.slice_ref(data)))
}

impl Command {
    /// Parses a command from the body of a command frame (G08..G14). The
    /// command's fields share `body`'s buffer; nothing is copied except the
    /// metadata list.
    ///
    /// Known names are matched case-sensitively (zmtp-wire.md 6.1 #4). A
    /// well-formed unknown name gives [`Command::Unknown`].
    ///
    /// READY is parsed as metadata (NULL and PLAIN); a CURVE READY, whose
    /// body is a box, must be read with [`split_command`] and
    /// `wire::mechanism::curve` instead.
    ///
    /// # Errors
    /// The [`WireError`] of the rule the body breaks.
    ///
    /// This is a [`CommandView`] and its checks: the name, then the check
    /// of the command it names.
    pub fn parse(body: &Bytes) -> Result<Self, WireError> {
        let slice = |s: &[u8]| body.slice_ref(s);
        let view = CommandView::new(&body[..]);
        let command = match view.check_name()? {
            name::READY => Self::Ready(Metadata::from_refs(body, &check_ready(body)?)),
            name::ERROR => Self::Error {
                reason: slice(check_error(body)?),
            },
            name::SUBSCRIBE => Self::Subscribe(slice(view.check_subscribe()?)),
            name::CANCEL => Self::Cancel(slice(view.check_cancel()?)),
            name::PING => {
                let (ttl, context) = check_ping(body)?;
                Self::Ping {
                    ttl,
                    context: slice(context),
                }
            }
            name::PONG => Self::Pong {
                context: slice(check_pong(body)?),
            },
            name::JOIN => Self::Join(slice(view.check_join()?)),
            name::LEAVE => Self::Leave(slice(view.check_leave()?)),
            other => {
                let (name, data) = split_command(body)?;
                match MechanismCommand::from_name(other) {
                    Some(name) => Self::Mechanism { name, body: data },
                    None => Self::Unknown { name, body: data },
                }
            }
        };
        Ok(command)
    }

    /// The command name as it goes on the wire.
    pub fn name(&self) -> &[u8] {
        match self {
            Self::Ready(_) => name::READY,
            Self::Error { .. } => name::ERROR,
            Self::Subscribe(_) => name::SUBSCRIBE,
            Self::Cancel(_) => name::CANCEL,
            Self::Ping { .. } => name::PING,
            Self::Pong { .. } => name::PONG,
            Self::Join(_) => name::JOIN,
            Self::Leave(_) => name::LEAVE,
            Self::Mechanism { name, .. } => name.as_str().as_bytes(),
            Self::Unknown { name, .. } => name,
        }
    }
}

/// The names of the ZMTP commands (G08..G14) as they go on the wire; the
/// mechanisms' own names are [`MechanismCommand::as_str`].
pub mod name {
    /// READY (G10).
    pub const READY: &[u8] = b"READY";
    /// ERROR (G11).
    pub const ERROR: &[u8] = b"ERROR";
    /// SUBSCRIBE (G12).
    pub const SUBSCRIBE: &[u8] = b"SUBSCRIBE";
    /// CANCEL (G12).
    pub const CANCEL: &[u8] = b"CANCEL";
    /// PING (G13).
    pub const PING: &[u8] = b"PING";
    /// PONG (G13).
    pub const PONG: &[u8] = b"PONG";
    /// JOIN (G14).
    pub const JOIN: &[u8] = b"JOIN";
    /// LEAVE (G14).
    pub const LEAVE: &[u8] = b"LEAVE";
}

/// The longest PING/PONG context (37-R59, G13).
pub const MAX_PING_CONTEXT: usize = 16;
