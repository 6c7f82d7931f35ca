//! CURVE (RFC 25 over RFC 26, CurveZMQ): a client that knows the server's
//! permanent key, a server that keeps no secret per connection until
//! INITIATE, and every frame after the handshake boxed in a MESSAGE.
//!
//! ```text
//!   client (C, c; S known: 26-R04)           server (S, s; the driver's cookie jar K)
//!   C', c' fresh per connection (26-R09)
//!   HELLO   C', n, Box[0*64](C'->S)    ──>   opens it (26-R13, 26-R14)
//!                                            S', s' fresh; cookie = Box[C'+s'](K)
//!           <──  WELCOME  Box[S' + cookie](S->C')   (s' dropped: 26-R17)
//!   INITIATE cookie, n, Box[C + vouch + metadata](C'->S')   ──>
//!           vouch = Box[C' + S](C->S')       cookie opens, is ours, names C';
//!                                            vouch names C' and S (26-R40);
//!                                            Authenticator (ZAP, RFC 27)
//!           <──  READY  n, Box[metadata](S'->C')      or ERROR "400"
//!   MESSAGE n, Box[flags + frame]  <──>  MESSAGE  (G-C8; nonces increase)
//! ```
//!
//! Short nonces strictly increase in each direction and are checked
//! ([`nonce::PeerNonces`]); every box is `crypto_box` from RustCrypto.
//!
//! Nothing here draws randomness or keeps shared state of its own. A
//! session takes the connection's generator (handed to
//! [`Connection::new`](crate::connection::Connection::new)): the client's
//! C', c' and vouch nonce when it starts, the server's S', s' and long
//! nonces on HELLO. The cookie key K is the driver's [`CookieJar`], which
//! a server connection borrows on HELLO and INITIATE
//! ([`Connection::handle_cookie_jar`](crate::connection::Connection::handle_cookie_jar));
//! the driver rotates it with its clock ([`CookieJar::rotate_if_due`]).

pub mod client;
pub mod commands;
pub mod cookie;
pub mod crypto;
pub mod nonce;
#[cfg(feature = "raw")]
pub mod raw;
pub mod server;
mod traffic;

pub use traffic::{FLAG_COMMAND, FLAG_MORE};

#[cfg(test)]
mod tests;

use std::sync::Arc;

use rand_core::CryptoRngCore;

pub use cookie::CookieJar;
pub use crypto::{KeyError, KeyPair, PublicKey, SecretKey};
pub use nonce::Exhausted;

use super::zap::Zap;
use crate::connection::config::{Behaviour, Side};
use crate::connection::mechanism::{Mechanism, MechanismSession};
use crate::wire;

/// The CURVE mechanism of a socket: client or server, with its keys.
#[derive(Clone, Debug)]
pub struct Curve {
    role: Role,
}

#[derive(Clone, Debug)]
enum Role {
    Client(Arc<ClientConfig>),
    Server(Arc<ServerConfig>),
}

/// What a CURVE client knows.
#[derive(Debug)]
pub struct ClientConfig {
    /// Our permanent key pair (C, c): libzmq's CURVE_PUBLICKEY and
    /// CURVE_SECRETKEY.
    pub keys: KeyPair,
    /// The server's permanent public key S (26-R04; libzmq's
    /// CURVE_SERVERKEY).
    pub server_key: PublicKey,
}

/// What a CURVE server knows. (The cookie keys are the driver's
/// [`CookieJar`], lent to each connection when it needs them.)
#[derive(Debug)]
pub struct ServerConfig {
    /// Our permanent key pair (S, s).
    pub keys: KeyPair,
    /// Who decides on clients; without an authenticator every client that
    /// completes the handshake is accepted, as in libzmq (zmtp-wire.md
    /// 6.2 #12).
    pub zap: Zap,
}

impl Curve {
    /// A CURVE client with permanent keys `keys` that will talk only to the
    /// server whose permanent public key is `server_key` (26-R04).
    pub fn client(keys: KeyPair, server_key: PublicKey) -> Self {
        Self {
            role: Role::Client(Arc::new(ClientConfig { keys, server_key })),
        }
    }

    /// A CURVE server with permanent keys `keys`, asking `zap` about each
    /// client. Its connections borrow the driver's [`CookieJar`].
    pub fn server(keys: KeyPair, zap: Zap) -> Self {
        Self {
            role: Role::Server(Arc::new(ServerConfig { keys, zap })),
        }
    }

    /// Whether this is the server role.
    pub fn is_server(&self) -> bool {
        matches!(self.role, Role::Server(_))
    }
}

impl Mechanism for Curve {
    fn name(&self) -> wire::Mechanism {
        wire::Mechanism::CURVE
    }

    /// 1 for the server role (RFC 25). libzmq always sends 0 and ignores
    /// the peer's value (zmtp-wire.md 6.2 #1), so it is not checked.
    fn as_server(&self, _side: Side) -> bool {
        self.is_server()
    }

    fn start(
        &self,
        _side: Side,
        _behaviour: &Behaviour,
        rng: &mut dyn CryptoRngCore,
    ) -> Box<dyn MechanismSession> {
        match &self.role {
            Role::Client(config) => Box::new(client::ClientSession::new(Arc::clone(config), rng)),
            Role::Server(config) => Box::new(server::ServerSession::new(Arc::clone(config))),
        }
    }
}
