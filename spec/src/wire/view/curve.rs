//! The CurveZMQ views (RFC 26): the data of HELLO, WELCOME, INITIATE,
//! READY and MESSAGE after their names, and the layouts inside their
//! boxes once opened. Boxes stay sealed here: a view reads and writes the
//! nonces and the box octets (the 16-octet tag, then the ciphertext);
//! `security::curve` opens them.
//!
//! ```text
//!  HELLO     version 01 00 | padding 72 x 00 | C' 32 | nonce 8 | box 80   (G-C1)
//!  WELCOME   nonce 16 | box 144 = Box[S' + cookie]                       (G-C2)
//!  INITIATE  cookie 96 | nonce 8 | box = Box[C + vouch + metadata]       (G-C4)
//!  READY     nonce 8 | box = Box[metadata]                               (G-C6)
//!  MESSAGE   nonce 8 | box = Box[flags + payload]                        (G-C7)
//!  opened:   WELCOME S' 32 | cookie 96;  INITIATE C 32 | vouch 96 | metadata;
//!            MESSAGE flags 1 | payload;  cookie, vouch: nonce 16 | box 80
//! ```
//!
//! The checks return the errors of the strict layouts in
//! [`crate::security::curve::commands`], which are defined through them.

use crate::wire::WireError;

mod boxes;
mod hello;
mod initiate;
mod nonce_box;
mod welcome;

pub use boxes::{
    InitiateBoxBuilder, InitiateBoxFields, InitiateBoxView, LongNonceBoxBuilder, LongNonceBoxView,
    MessageBoxBuilder, MessageBoxView, WelcomeBoxBuilder, WelcomeBoxView,
};
pub use hello::{HelloBuilder, HelloView};
pub use initiate::{InitiateBuilder, InitiateFields, InitiateView};
pub use nonce_box::{NonceBoxBuilder, NonceBoxFields, NonceBoxView};
pub use welcome::{WelcomeBuilder, WelcomeView};

/// The length of a short nonce on the wire (the counter of a 24-octet
/// nonce whose 16-octet prefix names the command).
pub const SHORT_NONCE_LEN: usize = size_of::<u64>();
/// The length of a long nonce on the wire (after an 8-octet prefix).
pub const LONG_NONCE_LEN: usize = 16;

const _: () = {
    use crate::security::curve::nonce;
    assert!(nonce::HELLO.len() + SHORT_NONCE_LEN == nonce::WELCOME.len() + LONG_NONCE_LEN);
};

/// The error of a malformed CURVE layout.
const fn malformed(command: &'static str, rule: &'static str) -> WireError {
    WireError::BadMechanismCommand {
        mechanism: "CURVE",
        command,
        rule,
    }
}

/// HELLO data of the wrong length, version or padding (G-C1).
pub(crate) const BAD_HELLO: WireError = malformed("HELLO", "G-C1, 26-R06..R08");
/// WELCOME data of the wrong length (G-C2).
pub(crate) const BAD_WELCOME: WireError = malformed("WELCOME", "G-C2, 26-R23");
/// INITIATE data too short (G-C4).
pub(crate) const BAD_INITIATE: WireError = malformed("INITIATE", "G-C4, 26-R32");
/// READY data too short (G-C6).
pub(crate) const BAD_READY: WireError = malformed("READY", "G-C6, 26-R45");
/// MESSAGE data too short (G-C7).
pub(crate) const BAD_MESSAGE: WireError = malformed("MESSAGE", "G-C7, 26-R54");
/// An opened WELCOME box of the wrong length (G-C2).
pub(crate) const BAD_WELCOME_BOX: WireError = malformed("WELCOME", "G-C2");
/// An opened INITIATE box too short (G-C4).
pub(crate) const BAD_INITIATE_BOX: WireError = malformed("INITIATE", "G-C4");

#[cfg(test)]
mod tests;
