//! # zmtp-spec: the ZMTP wire protocol, with no I/O, no clock and no entropy
//!
//! ```text
//!   bytes from the transport                    bytes to the transport
//!            |                                          ^
//!            v                                          |
//!   +--------------------- Connection (sans-IO) ---------------------+
//!   |  greeting + version detection (3.1 / 3.0 / 2.0 / 1.0)          |
//!   |  mechanism handshake (NULL; PLAIN and CURVE plug in)           |
//!   |  streaming Decoder  --> frames --> commands / messages         |
//!   |  heartbeats (PING/PONG, TTL)      Encoder <-- messages         |
//!   +----------------------------------------------------------------+
//!            |  poll_event(): Ready, Message, Command, Closed ...
//!            v
//!   the socket-pattern machines (zmtp-model) and the tokio driver (zmtp)
//! ```
//!
//! Everything here is a pure function of its inputs: bytes come in through
//! `handle_*` methods, time comes in as an argument, and output is pulled
//! with `poll_*` methods. Randomness is an argument too, as in quinn-proto:
//! a `rand_core` generator (`CryptoRng + RngCore`) given to
//! [`Connection::new`] and to the key and cookie-jar constructors
//! ([`security::KeyPair::generate`], [`security::curve::CookieJar::new`]);
//! the crate enables no entropy source. State shared between connections,
//! a CURVE server's cookie keys, is a plain value the driver owns and
//! lends ([`Connection::handle_cookie_jar`]); nothing here locks, spawns or
//! keeps a global. The same code serves the tokio implementation, the
//! model checker, the conformance runner's raw peer and the fuzzers.
//!
//! A peer that misbehaves on purpose (the conformance runner, a fuzzer
//! attacking a live implementation) is built from the same pieces, not
//! from a second wire: the lenient views and builders of [`wire::view`]
//! read and write any field value, valid or not, and the strict grammar is
//! those views plus their checks; the connection machine hands out its
//! output one named packet at a time for it to send, replace, mutate,
//! split, delay or drop ([`connection::packets`]), through every handshake
//! and the downgrade; and the `raw` feature gives CURVE's primitives with
//! chosen keys and nonces.
//!
//! # Features
//!
//! - `arbitrary`: `arbitrary::Arbitrary` for the wire values (fuzz/).
//! - `fuzz-memo`: remembers each thread's recent X25519 results, so a fuzz
//!   target replaying one seeded CURVE handshake per input pays for its
//!   scalar multiplications once. For fuzz/ only: it keeps secret keys in a
//!   table.
//! - `raw`: `security::curve::raw`, CURVE boxes under chosen keys and
//!   nonces and raw client and server halves, for a peer that forges one
//!   field at a time (the conformance runner). Not part of the API.
//! - `fuzzing`: the test harness and the fuzz target bodies (`fuzzing`,
//!   `connection::harness` with its seeded `TestRng`, `security::fuzzing`,
//!   `wire::view::fuzzing`),
//!   for this crate's tests and fuzz/. Not part of the API; a library
//!   user's build does not compile them.
//! - `mutants`: deliberate defects, one chosen per process, for
//!   `zmtp-conformance mutants` (module `mutants`, macro `mutant!`). The only
//!   process-wide state of the crate, and it stays unset unless the
//!   conformance command selects a mutant; without the feature no defect
//!   is compiled.
//!
//! Requirement IDs (`37-R15`, `G07`, ...) refer to the project's requirement
//! catalogue; each rule's doc comment names the ones it enforces.

pub mod connection;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod guide;
pub mod message;
#[cfg(feature = "mutants")]
#[doc(hidden)]
pub mod mutants;
pub mod norm;
pub mod pgm;
pub mod security;
pub mod socket_type;
pub mod wire;

/// Whether the deliberate defect `Name` is the one
/// selected (module `mutants`, feature `mutants`):
/// `if mutant!(Name) { defect } else { correct }` marks a mutation site,
/// one per mutant.
#[cfg(feature = "mutants")]
#[macro_export]
macro_rules! mutant {
    ($name:ident) => {
        $crate::mutants::Mutant::$name.is_active()
    };
}

/// Whether the deliberate defect `Name` is selected: always `false`
/// without the `mutants` feature, so the defect's branch is dead code.
#[cfg(not(feature = "mutants"))]
#[macro_export]
macro_rules! mutant {
    ($name:ident) => {
        false
    };
}

pub use connection::Connection;
pub use message::{IntoFrames, Message};
pub use socket_type::SocketType;
