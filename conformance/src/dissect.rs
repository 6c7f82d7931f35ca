//! A ZMTP wire dissector: one direction of a connection, read through
//! zmtp-spec's lenient views, printed greeting by greeting and frame by
//! frame with the grammar rule and requirement IDs each part answers to,
//! and every malformed part explained by the rule it breaks.
//!
//! `zmtp-conformance dissect FILE` reads a hex dump (any whitespace, an
//! optional `0x` per octet), raw octets, or a pcap/pcapng capture, whose
//! TCP directions it reassembles and dissects one by one ([`capture`]). It knows no layout of its own:
//! every field comes from a view of [`zmtp_spec::wire::view`], every
//! judgement from the view's strict check, whose errors already name
//! their rule.

use std::fmt::Write as _;

pub mod capture;

use zmtp_spec::wire::command::name;
use zmtp_spec::wire::greeting::Detected;
use zmtp_spec::wire::metadata::{IDENTITY, RESOURCE, SOCKET_TYPE};
use zmtp_spec::wire::view::{CheckError, CommandView, FrameView, GreetingView};
use zmtp_spec::wire::{Greeting, Mechanism, MechanismCommand};

/// One line of a dissection: an offset into the stream, what is there,
/// and the rules it answers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Where the part starts in the stream.
    pub at: usize,
    /// Nesting: 0 for a greeting or a frame, 1 for its fields.
    pub depth: u8,
    /// What the part is and holds.
    pub text: String,
    /// The grammar rules and requirement IDs it answers to, or the one it
    /// breaks.
    pub rules: &'static str,
    /// Whether the part breaks its rule.
    pub error: bool,
}

/// The octets in `input`: a hex dump when it is only hex digits,
/// whitespace, `0x` prefixes and `:`/`,` separators, else the octets as
/// they are.
pub fn octets(input: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(input);
    let cleaned: String = text
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .map(|t| t.strip_prefix("0x").unwrap_or(t))
        .collect();
    let hex = !cleaned.is_empty()
        && cleaned.len().is_multiple_of(2)
        && cleaned.chars().all(|c| c.is_ascii_hexdigit())
        && std::str::from_utf8(input).is_ok();
    if !hex {
        return input.to_vec();
    }
    (0..cleaned.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(cleaned.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Dissects one direction of a connection, from its first octet.
pub fn dissect(stream: &[u8]) -> Vec<Line> {
    let mut out = Out::default();
    let view = GreetingView::new(stream);
    match view.detect() {
        Ok(Detected::Versioned { revision }) if revision >= 3 => {
            let Some(mechanism) = greeting(&mut out, stream) else {
                return out.lines;
            };
            frames(&mut out, stream, Greeting::LEN, &mechanism);
        }
        Ok(Detected::Versioned { revision }) => {
            out.field(
                0,
                0,
                format!(
                    "a ZMTP {} greeting (revision {revision:02x}): this dissector reads ZMTP 3.x",
                    if revision == 1 { "2.0" } else { "1.0-framed" }
                ),
                "RFC 15, 37-R02",
            );
        }
        Ok(Detected::Unversioned) => {
            out.field(
                0,
                0,
                "no greeting signature: a ZMTP 1.0 peer's identity frame (RFC 13); this dissector reads ZMTP 3.x",
                "RFC 13, 37-R02",
            );
        }
        Err(e) => out.check_error(0, 0, "greeting", &e),
    }
    out.lines
}

#[derive(Default)]
struct Out {
    lines: Vec<Line>,
}

impl Out {
    fn field(&mut self, at: usize, depth: u8, text: impl Into<String>, rules: &'static str) {
        self.lines.push(Line {
            at,
            depth,
            text: text.into(),
            rules,
            error: false,
        });
    }

    fn broken(&mut self, at: usize, depth: u8, text: impl Into<String>) {
        self.lines.push(Line {
            at,
            depth,
            text: text.into(),
            rules: "",
            error: true,
        });
    }

    fn check_error(&mut self, at: usize, depth: u8, what: &str, e: &CheckError) {
        match e {
            CheckError::Incomplete(n) => {
                self.broken(
                    at,
                    depth,
                    format!("{what}: the stream ends {n} octets short"),
                );
            }
            CheckError::Invalid(e) => self.broken(at, depth, format!("{what}: {e}")),
        }
    }
}

/// The 64-octet greeting; the mechanism it names, when it is whole.
fn greeting(out: &mut Out, stream: &[u8]) -> Option<Mechanism> {
    let view = GreetingView::new(stream);
    out.field(
        0,
        0,
        "greeting, ZMTP 3.x (64 octets)",
        "G01, 37-R03, 37-R04",
    );
    if let Some(padding) = view.padding() {
        out.field(
            0,
            1,
            format!("signature, padding {} (never interpreted)", hex(&padding)),
            "G01, 37-R05, 37-R06",
        );
    }
    if let Err(e) = view.check_signature_end() {
        out.check_error(0, 1, "signature", &e);
    }
    match view.check_version() {
        Ok(v) => out.field(
            0,
            1,
            format!("version {}.{}", v.major, v.minor),
            "G01, 37-R07, 37-R08",
        ),
        Err(e) => out.check_error(0, 1, "version", &e),
    }
    let mechanism = match view.check_mechanism() {
        Ok(m) => {
            out.field(
                0,
                1,
                format!("mechanism {}", String::from_utf8_lossy(m.name())),
                "G02, 37-R13, 37-R15",
            );
            Some(m)
        }
        Err(e) => {
            out.check_error(0, 1, "mechanism", &e);
            None
        }
    };
    match view.check_as_server() {
        Ok(s) => out.field(
            0,
            1,
            format!("as-server {}", u8::from(s)),
            "G03, 37-R10, 37-R22",
        ),
        Err(e) => out.check_error(0, 1, "as-server", &e),
    }
    if let Some(filler) = view.filler() {
        let zeros = filler.iter().all(|&b| b == 0);
        out.field(
            0,
            1,
            format!(
                "filler, {} octets{}",
                filler.len(),
                if zeros {
                    ", all zero"
                } else {
                    ", not all zero (receivers ignore it)"
                }
            ),
            "G04",
        );
    }
    match view.check() {
        Ok(_) => mechanism,
        Err(CheckError::Incomplete(n)) => {
            out.broken(0, 1, format!("the greeting ends {n} octets short"));
            None
        }
        Err(_) => None,
    }
}

/// Every frame from `at` to the end of the stream.
fn frames(out: &mut Out, stream: &[u8], mut at: usize, mechanism: &Mechanism) {
    let mut in_message = false;
    let mut handshake = true;
    while let Some(rest) = stream.get(at..).filter(|r| !r.is_empty()) {
        let view = FrameView::new(rest);
        let (header, body) = match view.check() {
            Ok(frame) => frame,
            Err(e) => {
                out.check_error(at, 0, "frame", &e);
                return;
            }
        };
        let used = view.frame_len().and_then(|n| usize::try_from(n).ok());
        let long = view.flags().is_some_and(|f| f.long());
        let size = if long { "long size" } else { "short size" };
        match header.kind {
            zmtp_spec::wire::FrameKind::Command => {
                if in_message {
                    out.broken(at, 0, "a command between the frames of one message (G09)");
                }
                command(out, at, body, size, mechanism, handshake);
                // NULL and PLAIN end their handshake with READY, CURVE's
                // traffic is MESSAGE commands.
                let name = CommandView::new(body).name().unwrap_or_default();
                if name == name::READY
                    || MechanismCommand::from_name(name) == Some(MechanismCommand::Message)
                {
                    handshake = false;
                }
            }
            zmtp_spec::wire::FrameKind::Message { more } => {
                if handshake {
                    out.broken(at, 0, "a message frame before the handshake ended (G05)");
                }
                out.field(
                    at,
                    0,
                    format!(
                        "message frame, {} octets ({size}){}: {}",
                        body.len(),
                        if more { ", MORE" } else { ", last" },
                        printable(body)
                    ),
                    "G06, G07, G09, 37-R21",
                );
                in_message = more;
            }
        }
        let Some(used) = used else { return };
        at += used;
    }
}

/// One command frame's body.
fn command(
    out: &mut Out,
    at: usize,
    body: &[u8],
    size: &str,
    mechanism: &Mechanism,
    handshake: bool,
) {
    let view = CommandView::new(body);
    let name = match view.check_name() {
        Ok(n) => n,
        Err(e) => {
            out.broken(at, 0, format!("command frame ({size}): {e}"));
            return;
        }
    };
    let label = String::from_utf8_lossy(name).into_owned();
    let rules: &'static str = match name {
        n if n == name::READY => "G06, G08, G10, 37-R24, 37-R25",
        n if n == name::ERROR => "G06, G08, G11, 37-R16",
        n if n == name::PING || n == name::PONG => "G06, G08, G13, 37-R58, 37-R59",
        n if n == name::SUBSCRIBE || n == name::CANCEL => "G06, G08, G12, 37-R46, 37-R47",
        n if n == name::JOIN || n == name::LEAVE => "G06, G08, G14, 37-R53, 37-R54",
        _ if MechanismCommand::from_name(name).is_some() && *mechanism == Mechanism::PLAIN => {
            "G06, G08, G-P1..G-P5"
        }
        _ if MechanismCommand::from_name(name).is_some() && *mechanism == Mechanism::CURVE => {
            "G06, G08, G-C1..G-C9, RFC 26"
        }
        _ => "G06, G08 (a command name no rule here knows)",
    };
    out.field(
        at,
        0,
        format!("command {label}, {} octets ({size})", body.len()),
        rules,
    );
    let data = view.data().unwrap_or_default();
    match name {
        n if n == name::READY => match view.check_ready() {
            Ok(props) => {
                for p in props {
                    let rule = if p.name.eq_ignore_ascii_case(SOCKET_TYPE.as_bytes()) {
                        "37-R33"
                    } else if p.name.eq_ignore_ascii_case(IDENTITY.as_bytes()) {
                        "37-R34, 37-R35"
                    } else if p.name.eq_ignore_ascii_case(RESOURCE.as_bytes()) {
                        "37-R36"
                    } else {
                        "G10, 37-R31, 37-R32"
                    };
                    out.field(
                        at,
                        1,
                        format!(
                            "property {} = {}",
                            String::from_utf8_lossy(p.name),
                            printable(p.value)
                        ),
                        rule,
                    );
                }
                if !handshake {
                    out.broken(at, 1, "a second READY, after the handshake (G05)");
                }
            }
            Err(e) => out.broken(at, 1, e.to_string()),
        },
        n if n == name::ERROR => match view.check_error() {
            Ok(reason) => out.field(at, 1, format!("reason {}", printable(reason)), "G11"),
            Err(e) => out.broken(at, 1, e.to_string()),
        },
        n if n == name::PING => match view.check_ping() {
            Ok((ttl, context)) => out.field(
                at,
                1,
                format!(
                    "ttl {ttl} (tenths of a second), context {}",
                    printable(context)
                ),
                "G13",
            ),
            Err(e) => out.broken(at, 1, e.to_string()),
        },
        n if n == name::PONG => match view.check_pong() {
            Ok(context) => out.field(at, 1, format!("context {}", printable(context)), "G13"),
            Err(e) => out.broken(at, 1, e.to_string()),
        },
        _ if !data.is_empty() => {
            out.field(at, 1, format!("data, {} octets", data.len()), "");
        }
        _ => {}
    }
}

/// Octets as text where they are printable, else as hex.
fn printable(octets: &[u8]) -> String {
    const SHOWN: usize = 48;
    let shown = &octets[..octets.len().min(SHOWN)];
    let more = if octets.len() > SHOWN { "..." } else { "" };
    if shown.iter().all(|b| (0x20..0x7F).contains(b)) {
        format!("\"{}\"{more}", String::from_utf8_lossy(shown))
    } else {
        format!("{}{more}", hex(shown))
    }
}

fn hex(octets: &[u8]) -> String {
    let mut s = String::with_capacity(octets.len() * 2);
    for b in octets {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The dissection as text, a line per part.
pub fn render(lines: &[Line]) -> String {
    let mut s = String::new();
    for l in lines {
        let indent = "  ".repeat(usize::from(l.depth));
        let mark = if l.error { "!! " } else { "" };
        let rules = if l.rules.is_empty() {
            String::new()
        } else {
            format!("   [{}]", l.rules)
        };
        let _ = writeln!(s, "{:>6}  {indent}{mark}{}{rules}", l.at, l.text);
    }
    s
}

#[cfg(test)]
mod tests;
