//! The frames the implementation under test sends, as they arrived: read
//! through zmtp-spec's lenient views, which judge nothing, so a case can
//! judge the flags octet and the size form itself.

use bytes::Bytes;
use zmtp_spec::wire::Command;
use zmtp_spec::wire::frame::Flags;
use zmtp_spec::wire::view::{CommandView, FrameView};

/// One ZMTP 3.x (or 2.0) frame as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawFrame {
    flags: Flags,
    /// The body.
    pub body: Bytes,
}

impl RawFrame {
    /// Reads one frame from the start of `buf` ([`FrameView`]): the frame
    /// and the octets it used, or `None` while more octets are needed. The
    /// declared size only decides how many octets to wait for: nothing is
    /// allocated for it.
    pub fn parse(buf: &[u8]) -> Option<(Self, usize)> {
        let view = FrameView::new(buf);
        let frame = Self {
            flags: view.flags()?,
            body: Bytes::copy_from_slice(view.body()?),
        };
        Some((frame, buf.len() - view.rest()?.len()))
    }

    /// The flags octet, reserved bits included.
    pub const fn flags(&self) -> Flags {
        self.flags
    }

    /// Whether the size came in the 8-octet form (the LONG bit).
    pub const fn long(&self) -> bool {
        self.flags.long()
    }

    /// The COMMAND bit.
    pub const fn is_command(&self) -> bool {
        self.flags.command()
    }

    /// The MORE bit.
    pub const fn more(&self) -> bool {
        self.flags.more()
    }

    /// The reserved bits that are set (37-R19).
    pub const fn reserved_bits(&self) -> u8 {
        self.flags.reserved()
    }

    /// The body read as a command body, whatever the flags say.
    pub fn command_view(&self) -> CommandView<&[u8]> {
        CommandView::new(&self.body[..])
    }

    /// The body as a command body, if this is a command frame.
    fn command_body(&self) -> Option<CommandView<&[u8]>> {
        self.is_command().then(|| self.command_view())
    }

    /// The command, if this is a well-formed command frame.
    pub fn command(&self) -> Option<Command> {
        self.command_body()?;
        Command::parse(&self.body).ok()
    }

    /// The command name, if this is a command frame with a well-formed
    /// name (G08).
    pub fn command_name(&self) -> Option<Bytes> {
        let name = self.command_body()?.check_name().ok()?;
        Some(self.body.slice_ref(name))
    }

    /// The context of a well-formed PING command (G13).
    pub fn ping_context(&self) -> Option<&[u8]> {
        Some(self.command_body()?.check_ping().ok()?.1)
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
            self.flags.0,
            self.body.len()
        )
    }
}

#[cfg(test)]
mod tests;
