//! The wire log of a case: every octet each raw peer sent and received, in
//! order, with the time since the case started.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

/// Which way the octets went, seen from the raw peer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the raw peer to the implementation under test.
    Out,
    /// From the implementation under test to the raw peer.
    In,
    /// Not octets: a note (connection opened, closed, agent call).
    #[default]
    Note,
}

/// One entry of the log.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// Milliseconds since the case started.
    pub t_ms: u64,
    /// The raw peer's label (`peer1`, `peer2`, ...) or `agent`.
    pub who: String,
    /// Which way.
    pub dir: Direction,
    /// The octets, hex; or the note's text.
    pub data: String,
    /// An agent's request or answer as the JSON it was (long strings cut
    /// with their length kept, [`crate::events::bounded`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
}

/// The most octets of one read or write kept in the log.
pub const MAX_OCTETS: usize = 256;
/// The most entries a case's log keeps.
pub const MAX_ENTRIES: usize = 2000;

/// A shared, append-only log (cheap to clone).
#[derive(Clone, Debug)]
pub struct WireLog {
    start: Instant,
    entries: Arc<Mutex<Vec<Entry>>>,
}

impl Default for WireLog {
    fn default() -> Self {
        Self::new()
    }
}

impl WireLog {
    /// An empty log starting now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            entries: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn push(&self, who: &str, dir: Direction, data: String) {
        self.push_json(who, dir, data, None);
    }

    fn push_json(&self, who: &str, dir: Direction, data: String, json: Option<Value>) {
        let t_ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                return;
            }
            let data = if entries.len() + 1 == MAX_ENTRIES {
                format!("(log truncated after {MAX_ENTRIES} entries)")
            } else {
                data
            };
            let dir = if entries.len() + 1 == MAX_ENTRIES {
                Direction::Note
            } else {
                dir
            };
            entries.push(Entry {
                t_ms,
                who: who.to_string(),
                dir,
                data,
                json,
            });
        }
    }

    /// Records octets: the first [`MAX_OCTETS`] in hex, then how many more
    /// there were (flood cases send megabytes).
    pub fn bytes(&self, who: &str, dir: Direction, data: &[u8]) {
        match data.get(..MAX_OCTETS) {
            Some(head) if data.len() > MAX_OCTETS => {
                self.push(
                    who,
                    dir,
                    format!("{}+{}", hex(head), data.len() - MAX_OCTETS),
                );
            }
            _ => self.push(who, dir, hex(data)),
        }
    }

    /// Records a note (at most [`MAX_OCTETS`] * 2 characters of it).
    pub fn note(&self, who: &str, text: impl Into<String>) {
        let mut text = text.into();
        if text.len() > MAX_OCTETS * 2 {
            let cut = (0..=MAX_OCTETS * 2)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let more = text.len() - cut;
            text.truncate(cut);
            text.push_str(&format!("... (+{more} characters)"));
        }
        self.push(who, Direction::Note, text);
    }

    /// Records an agent's request (`>`) or answer (`<`): a short note for
    /// the text views, and the JSON itself, bounded.
    pub fn agent(&self, arrow: &str, value: &Value) {
        let text = value.to_string();
        let cut = (0..=MAX_OCTETS.min(text.len()))
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let note = match text.get(..cut) {
            Some(head) if cut < text.len() => {
                format!("{arrow} {head}... (+{} characters)", text.len() - cut)
            }
            _ => format!("{arrow} {text}"),
        };
        self.push_json(
            "agent",
            Direction::Note,
            note,
            Some(crate::events::bounded(value)),
        );
    }

    /// A copy of the entries so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

/// Lower-case hex of `data`. (By table, not `write!` per octet: the
/// agents' frames cross as hex, megabytes in the large-message cases, and
/// the suite's main job runs a debug build.)
pub fn hex(data: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(data.len() * 2);
    for &b in data {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Parses lower- or upper-case hex; `None` on odd length or a bad digit.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let s = s.as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 2);
    for pair in s.chunks_exact(2) {
        out.push(digit(pair[0])? << 4 | digit(pair[1])?);
    }
    Some(out)
}

/// A printable rendering of octets: ASCII graphic characters as they are,
/// others as `\xNN`.
pub fn printable(data: &[u8]) -> String {
    let mut s = String::new();
    for &b in data {
        if b.is_ascii_graphic() || b == b' ' {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s
}

#[cfg(test)]
mod tests;
