//! What a connection takes from its driver besides octets and time: a
//! generator, handed to [`Connection::new`] and drawn from only by the
//! mechanism, and, for a CURVE server, the socket's cookie jar, lent for
//! the handshake steps that need the cookie key (26-R17, 26-R27).
//!
//! ```text
//!   handle_bytes / handle_read ──> HELLO or INITIATE for a CURVE server
//!   needs_cookie_jar() == true ──> driver: handle_cookie_jar(now, &mut jar)
//!                                   ──> WELCOME, or READY / ERROR / a ZAP request
//! ```

use core::fmt;
use std::time::Instant;

use rand_core::CryptoRngCore;

use super::Connection;
use super::mechanism::HandshakeContext;
use super::state::State;
use crate::security::curve::CookieJar;

/// The connection's generator.
pub(super) struct Rng(Box<dyn CryptoRngCore + Send>);

impl Rng {
    pub(super) fn new(rng: impl CryptoRngCore + Send + 'static) -> Self {
        Self(Box::new(rng))
    }

    pub(super) fn get(&mut self) -> &mut dyn CryptoRngCore {
        &mut *self.0
    }
}

impl fmt::Debug for Rng {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rng(..)")
    }
}

impl Connection {
    /// Whether the handshake waits for the socket's cookie jar: a CURVE
    /// server that has read a valid HELLO (the jar seals the cookie of its
    /// WELCOME) or an INITIATE returning that cookie (the jar opens it).
    /// Check after each [`Connection::handle_bytes`] or
    /// [`Connection::handle_read`], and answer with
    /// [`Connection::handle_cookie_jar`].
    pub fn needs_cookie_jar(&self) -> bool {
        self.state == State::Handshake
            && self
                .mechanism
                .as_ref()
                .is_some_and(|session| session.needs_cookie_jar())
    }

    /// Lends the socket's cookie jar at `now` to the handshake step that
    /// waits for it ([`Connection::needs_cookie_jar`]): WELCOME is queued,
    /// or INITIATE is checked (READY, ERROR, or a ZAP request). Every
    /// server connection of a socket gets the same jar, which the driver
    /// rotates with its clock ([`CookieJar::rotate_if_due`]). Ignored when
    /// nothing waits.
    pub fn handle_cookie_jar(&mut self, now: Instant, jar: &mut CookieJar) {
        if !self.needs_cookie_jar() {
            return;
        }
        let Some(session) = self.mechanism.as_mut() else {
            return;
        };
        let ctx = HandshakeContext {
            side: self.side,
            metadata: &self.local_metadata,
        };
        let mut out = Vec::new();
        let result = session
            .handle_cookie_jar(jar, self.rng.get(), &ctx, &mut out)
            .and_then(|progress| self.handshake_progress(now, progress, out));
        if let Err(error) = result {
            self.fail(error);
        }
    }
}
