//! Security mechanisms beyond NULL: PLAIN (RFC 24) and CURVE (RFC 25, 26),
//! the ZAP authentication protocol (RFC 27) and Z85 key text (RFC 32).
//!
//! ```text
//!   Config.mechanism = Arc<Plain | Curve>        (connection::Mechanism)
//!        | start() per connection
//!        v
//!   plain::{Client,Server}Session, curve::{ClientSession, ServerSession}
//!        handshake commands in, commands out      (MechanismSession)
//!        server: zap::Authenticator decides       (RFC 27)
//!        CURVE after READY: wrap_frame / unwrap_frame = MESSAGE boxes
//! ```
//!
//! Everything is sans-IO, like the connection machine: no socket, no
//! clock. The only outside input is randomness (transient keys, long
//! nonces, cookie keys), taken from the operating system's generator.

pub mod curve;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod null;
pub mod plain;
pub mod z85;
pub mod zap;

pub use curve::{Curve, KeyPair, PublicKey, SecretKey};
pub use error::SecurityError;
pub use null::ZapNull;
pub use plain::Plain;
pub use zap::{Authenticator, StatusCode, Zap, ZapReply, ZapRequest};
