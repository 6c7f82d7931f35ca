//! Builders for what the raw peer sends. Well-formed values go through
//! zmtp-spec's encoder; the builders also take values the encoder refuses
//! (that is the point of a raw peer), written octet by octet.

use bytes::Bytes;
use zmtp_spec::Message;
use zmtp_spec::wire::{Command, Encode};

/// A greeting with every field under the case's control (G01-G04).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GreetingSpec {
    /// Octets 1-8.
    pub padding: [u8; 8],
    /// Octet 9 (`7F` in a valid greeting).
    pub signature_end: u8,
    /// Octet 10.
    pub major: u8,
    /// Octet 11.
    pub minor: u8,
    /// Octets 12-31.
    pub mechanism: [u8; 20],
    /// Octet 32.
    pub as_server: u8,
    /// Octets 33-63.
    pub filler: [u8; 31],
}

impl GreetingSpec {
    /// A valid NULL greeting for ZMTP 3.`minor`.
    pub fn null(minor: u8) -> Self {
        Self {
            padding: [0; 8],
            signature_end: 0x7F,
            major: 3,
            minor,
            mechanism: mechanism(b"NULL"),
            as_server: 0,
            filler: [0; 31],
        }
    }

    /// The 64 octets.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut g = [0u8; 64];
        g[0] = 0xFF;
        g[1..9].copy_from_slice(&self.padding);
        g[9] = self.signature_end;
        g[10] = self.major;
        g[11] = self.minor;
        g[12..32].copy_from_slice(&self.mechanism);
        g[32] = self.as_server;
        g[33..64].copy_from_slice(&self.filler);
        g
    }
}

/// A mechanism name NUL-padded to 20 octets (longer names are cut).
pub fn mechanism(name: &[u8]) -> [u8; 20] {
    let mut m = [0u8; 20];
    for (d, s) in m.iter_mut().zip(name) {
        *d = *s;
    }
    m
}

/// A command frame around `body` (name-len, name, data), short or long
/// size as the length requires (G06).
pub fn command_frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 9);
    if body.len() <= 255 {
        out.push(0x04);
        out.push(body.len() as u8);
    } else {
        out.push(0x06);
        out.extend_from_slice(&(body.len() as u64).to_be_bytes());
    }
    out.extend_from_slice(body);
    out
}

/// A well-formed command, encoded by zmtp-spec (the whole frame).
pub fn command(cmd: &Command) -> Vec<u8> {
    cmd.to_bytes().map(|b| b.to_vec()).unwrap_or_default()
}

/// A READY body with the properties as given, even invalid ones (empty
/// names, odd characters): `05 READY` then name-len, name, value-len (4
/// octets BE), value for each.
pub fn ready_body(props: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = vec![5];
    out.extend_from_slice(b"READY");
    for (name, value) in props {
        out.push(name.len() as u8);
        out.extend_from_slice(name);
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// A PONG body echoing `context` (G13).
pub fn pong_body(context: &[u8]) -> Vec<u8> {
    let mut out = vec![4];
    out.extend_from_slice(b"PONG");
    out.extend_from_slice(context);
    out
}

/// A PING body (G13), any context length.
pub fn ping_body(ttl: u16, context: &[u8]) -> Vec<u8> {
    let mut out = vec![4];
    out.extend_from_slice(b"PING");
    out.extend_from_slice(&ttl.to_be_bytes());
    out.extend_from_slice(context);
    out
}

/// A body of a command named `name` with `data` after the name.
pub fn named_body(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = vec![name.len() as u8];
    out.extend_from_slice(name);
    out.extend_from_slice(data);
    out
}

/// The frames of a multipart message, encoded by zmtp-spec (short sizes
/// whenever they fit, MORE on all frames but the last).
pub fn message_frames(frames: &[&[u8]]) -> Vec<u8> {
    let msg = Message::from_frames(frames.iter().map(|f| Bytes::copy_from_slice(f)));
    msg.to_bytes().map(|b| b.to_vec()).unwrap_or_default()
}

/// One message frame with explicit flags and size form (no checks).
pub fn raw_frame(flags: u8, long: bool, body: &[u8]) -> Vec<u8> {
    let mut out = vec![flags];
    if long {
        out.extend_from_slice(&(body.len() as u64).to_be_bytes());
    } else {
        out.push(body.len() as u8);
    }
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests;
