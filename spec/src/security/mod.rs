//! Security mechanisms beyond NULL: PLAIN (RFC 24) and CURVE (RFC 25, 26),
//! the ZAP authentication protocol (RFC 27), NULL with ZAP, and Z85 key
//! text (RFC 32).
//!
//! ```text
//!   Config.mechanism = Arc<Plain | Curve | ZapNull>   (connection::Mechanism)
//!        | start() per connection
//!        v
//!   plain / curve::{client, server} / null sessions   (MechanismSession)
//!        handshake commands in, commands out
//!        server: zap::Zap decides (RFC 27): a callback (Authenticator), or an
//!          external handler through Connection::poll_zap_request /
//!          Connection::handle_zap_reply
//!        CURVE after READY: wrap_frame / unwrap_frame = MESSAGE boxes
//! ```
//!
//! Everything is sans-IO, like the connection machine: no socket, no
//! clock, no entropy source. Randomness (transient keys, long nonces,
//! cookie keys) comes from the generator the caller passes: to
//! [`KeyPair::generate`], to [`Connection::new`](crate::connection::Connection::new)
//! for what a session draws, and to the [`curve::CookieJar`] a CURVE
//! server's driver owns and lends to its connections.
//!
//! # Using it
//!
//! ```
//! use std::sync::Arc;
//! use zmtp_spec::connection::Config;
//! use zmtp_spec::security::zap::{FnAuthenticator, StatusCode, ZapRequest};
//! use zmtp_spec::security::{Curve, KeyPair, PublicKey, Zap};
//! use zmtp_spec::SocketType;
//!
//! # let mut rng = zmtp_spec::connection::harness::TestRng::new(1);
//! // `rng`: any rand_core `CryptoRng + RngCore`; a driver passes `OsRng`.
//! let server_keys = KeyPair::generate(&mut rng);
//! let allowed: PublicKey = KeyPair::generate(&mut rng).public().to_z85().parse().unwrap();
//! let zap = Zap::new(Arc::new(FnAuthenticator(move |r: &ZapRequest| {
//!     if r.credentials[0][..] == allowed.as_bytes()[..] {
//!         r.accept("alice")
//!     } else {
//!         r.refuse(StatusCode::AuthenticationFailure, "unknown key")
//!     }
//! })));
//! let mut server = Config::new(SocketType::Router);
//! server.mechanism = Arc::new(Curve::server(server_keys, zap));
//! ```
//!
//! # libzmq 4.3.5 on the wire, and where it is handled
//!
//! - CURVE MESSAGE payload flag 0x02 marks a tunnelled command (PING, PONG,
//!   SUBSCRIBE, ...), against 26-R56: sent and accepted in
//!   `curve/traffic.rs` ([`curve::FLAG_COMMAND`], `Tunnel::wrap`,
//!   `Tunnel::unwrap`); other reserved bits are refused.
//! - libzmq carries each MESSAGE in a message frame (flags 0x00) and drops
//!   a connection whose MESSAGE comes in a command frame; omq.rs mirrors
//!   the inner MORE onto the outer frame. We send 0x00 and accept both
//!   (`curve/traffic.rs`).
//! - libzmq's PLAIN server sends a malformed ERROR on a ZAP refusal
//!   (`5E "RROR" 03 "400"`): read as ERROR by [`plain::libzmq_error_reason`]
//!   (called from the connection's handshake).
//! - libzmq checks that short nonces grow, we check that they grow by
//!   exactly 1 ([`curve::nonce::PeerNonces`]); libzmq and omq.rs count by 1.
//! - libzmq sends as-server 0 whatever its role; it is not checked.
//! - Without a ZAP handler libzmq's CURVE server accepts every client and
//!   its PLAIN server refuses every client; [`zap::Handler::None`] does
//!   the same, and [`Zap::enforce_domain`] refuses for both.

pub mod curve;
pub mod error;
#[cfg(any(test, feature = "fuzzing"))]
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
pub use zap::{Authenticator, Handler, StatusCode, Zap, ZapReply, ZapRequest};
