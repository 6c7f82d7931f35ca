//! A lenient frame reader for what the implementation under test sends:
//! it keeps the flags octet and the size form so cases can judge them.

use bytes::Bytes;
use zmtp_spec::wire::Command;
use zmtp_spec::wire::command::split_command;

/// One ZMTP 3.x (or 2.0) frame as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawFrame {
    /// The flags octet, reserved bits included.
    pub flags: u8,
    /// Whether the size came in the 8-octet form.
    pub long: bool,
    /// The body.
    pub body: Bytes,
}

impl RawFrame {
    /// Parses one frame from the start of `buf`: the frame and the octets
    /// it used, or `None` when more octets are needed. The declared size
    /// only decides how many octets to wait for: nothing is allocated for
    /// it.
    pub fn parse(buf: &[u8]) -> Option<(Self, usize)> {
        let flags = *buf.first()?;
        let long = flags & 0x02 != 0;
        let (size, header) = if long {
            let raw: [u8; 8] = buf.get(1..9)?.try_into().ok()?;
            (u64::from_be_bytes(raw), 9)
        } else {
            (u64::from(*buf.get(1)?), 2)
        };
        let end = header + usize::try_from(size).ok()?;
        let body = buf.get(header..end)?;
        Some((
            Self {
                flags,
                long,
                body: Bytes::copy_from_slice(body),
            },
            end,
        ))
    }

    /// The COMMAND bit.
    pub fn is_command(&self) -> bool {
        self.flags & 0x04 != 0
    }

    /// The MORE bit.
    pub fn more(&self) -> bool {
        self.flags & 0x01 != 0
    }

    /// Reserved bits 7-3 that are set (37-R19).
    pub fn reserved_bits(&self) -> u8 {
        self.flags & 0xF8
    }

    /// The command, if this is a well-formed command frame.
    pub fn command(&self) -> Option<Command> {
        if !self.is_command() {
            return None;
        }
        Command::parse(&self.body).ok()
    }

    /// The command name, if this is a command frame with a well-formed name.
    pub fn command_name(&self) -> Option<Bytes> {
        if !self.is_command() {
            return None;
        }
        split_command(&self.body).ok().map(|(name, _)| name)
    }

    /// The context of a PING command.
    pub fn ping_context(&self) -> Option<Bytes> {
        match self.command()? {
            Command::Ping { context, .. } => Some(context),
            _ => None,
        }
    }

    /// A one-line description for verdict details.
    pub fn describe(&self) -> String {
        let kind = if self.is_command() {
            match self.command_name() {
                Some(n) => format!("command {}", String::from_utf8_lossy(&n)),
                None => "malformed command".to_string(),
            }
        } else {
            "message frame".to_string()
        };
        format!(
            "{kind} (flags {:02x}, {} octets)",
            self.flags,
            self.body.len()
        )
    }
}

#[cfg(test)]
mod tests;
