//! The connection's states and transitions, as data (style.md 4): the
//! machine asserts every transition it takes against [`transitions`], a
//! test snapshots the table, and [`dot`] renders it for the docs.

use core::fmt::Write as _;

/// Where a connection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum State {
    /// Our first greeting octets are out; reading the peer's signature and
    /// revision to detect its version (37-R01, 37-R02, 37-R60).
    Signature,
    /// The peer is 3.x and our whole greeting is out: reading its 64-octet
    /// greeting (37-R03, 37-R04, 37-R14).
    Greeting,
    /// The peer is ZMTP 1.0 or 2.0 and our legacy greeting is out: reading
    /// its identity (RFC 13, RFC 15).
    LegacyGreeting,
    /// The mechanism handshake (NULL: READY each way).
    Handshake,
    /// Messages and commands flow.
    Active,
    /// Finished; nothing more is read or written except what was already
    /// queued for [`super::Connection::poll_transmit`].
    Closed,
}

/// What moves the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Input {
    /// The peer's revision is 3 or more.
    Versioned3x,
    /// The peer is ZMTP 1.0 or 2.0 and we can downgrade (NULL mechanism).
    Legacy,
    /// The peer's full greeting arrived and its mechanism matches ours.
    PeerGreeting,
    /// The legacy peer's identity (and 2.0 socket type) arrived and was
    /// accepted.
    PeerIdentity,
    /// The mechanism finished and the peer's metadata was accepted.
    HandshakeDone,
    /// The peer broke the protocol, is incompatible, or sent ERROR.
    PeerFault,
    /// The handshake or heartbeat timer ran out.
    Timeout,
    /// Our own side failed (a mechanism could not encode, say).
    LocalFault,
    /// The application closed the connection.
    Close,
}

use Input::*;
use State::*;

/// Every transition the connection may take.
pub const fn transitions() -> &'static [(State, Input, State)] {
    &[
        (Signature, Versioned3x, Greeting),
        (Signature, Legacy, LegacyGreeting),
        (Greeting, PeerGreeting, Handshake),
        (LegacyGreeting, PeerIdentity, Active),
        (Handshake, HandshakeDone, Active),
        (Signature, PeerFault, Closed),
        (Greeting, PeerFault, Closed),
        (LegacyGreeting, PeerFault, Closed),
        (Handshake, PeerFault, Closed),
        (Active, PeerFault, Closed),
        (Signature, Timeout, Closed),
        (Greeting, Timeout, Closed),
        (LegacyGreeting, Timeout, Closed),
        (Handshake, Timeout, Closed),
        (Active, Timeout, Closed),
        (Signature, LocalFault, Closed),
        (Greeting, LocalFault, Closed),
        (LegacyGreeting, LocalFault, Closed),
        (Handshake, LocalFault, Closed),
        (Active, LocalFault, Closed),
        (Signature, Close, Closed),
        (Greeting, Close, Closed),
        (LegacyGreeting, Close, Closed),
        (Handshake, Close, Closed),
        (Active, Close, Closed),
    ]
}

/// The state `input` leads to from `from`, if the table allows it.
pub fn next(from: State, input: Input) -> Option<State> {
    transitions()
        .iter()
        .find(|(f, i, _)| *f == from && *i == input)
        .map(|&(_, _, to)| to)
}

/// The transition table as a Graphviz `digraph`.
pub fn dot() -> String {
    let mut out = String::from("digraph connection {\n    rankdir=LR;\n    node [shape=box];\n");
    for (from, input, to) in transitions() {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "    {from:?} -> {to:?} [label=\"{input:?}\"];");
    }
    out.push_str("}\n");
    out
}
