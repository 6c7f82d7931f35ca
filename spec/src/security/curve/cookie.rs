//! The server's cookie (G-C3): its transient secret key s' and the client's
//! C', boxed under a symmetric cookie key K that only the server knows, and
//! handed to the client in WELCOME. The client returns it in INITIATE, so
//! the server keeps no secret per connection between WELCOME and INITIATE
//! (26-R17).
//!
//! One [`CookieJar`] serves every connection of a socket: a connection
//! never holds K. The jar is a plain value that its driver owns (and
//! shares between its tasks as it likes); a CURVE server connection
//! borrows it for HELLO and INITIATE
//! ([`Connection::handle_cookie_jar`](crate::connection::Connection::handle_cookie_jar)).
//! The jar keeps the current key and the one before it;
//! [`CookieJar::rotate`] retires the older (26-R27). It reads no clock and
//! draws no randomness of its own: the driver calls
//! [`CookieJar::rotate_if_due`] with `now` and its generator, e.g. once
//! per [`ROTATION_PERIOD`], and a key stays current for that period, so a
//! cookie opens for one to two periods after its WELCOME. The jar also
//! rotates by itself after [`ROTATE_AFTER`] cookies.
//! Replaying an INITIATE on another connection fails anyway: the server
//! compares the cookie with the one its own WELCOME sent.

use std::time::{Duration, Instant};

use bytes::BytesMut;
use rand_core::CryptoRngCore;

use super::crypto::{KEY_LEN, PublicKey, SecretBoxKey, SecretKey, long_nonce, random_long_nonce};
use super::nonce;

/// The length of a cookie: a 16-octet nonce and an 80-octet box (G-C3).
pub const COOKIE_LEN: usize = 96;

/// The jar rotates its key by itself after this many cookies.
pub const ROTATE_AFTER: u32 = 1 << 16;

/// How long a cookie key stays current under [`CookieJar::rotate_if_due`]:
/// a cookie then opens for 30 to 60 s after its WELCOME (26-R27 suggests
/// about 60 s).
pub const ROTATION_PERIOD: Duration = Duration::from_secs(30);

/// The cookie keys of one server socket.
#[derive(Debug)]
pub struct CookieJar {
    current: SecretBoxKey,
    previous: Option<SecretBoxKey>,
    issued: u32,
    /// When the current key became current, as the driver's clock said;
    /// `None` until the first [`CookieJar::rotate_if_due`].
    since: Option<Instant>,
}

impl CookieJar {
    /// A jar with a fresh random key from `rng`.
    pub fn new(rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        Self {
            current: SecretBoxKey::generate(rng),
            previous: None,
            issued: 0,
            since: None,
        }
    }

    /// Makes a new key from `rng` current and forgets the previous one:
    /// cookies made two rotations ago no longer open (26-R27).
    pub fn rotate(&mut self, rng: &mut (impl CryptoRngCore + ?Sized)) {
        let fresh = SecretBoxKey::generate(rng);
        self.previous = Some(core::mem::replace(&mut self.current, fresh));
        self.issued = 0;
    }

    /// Rotates (with a key from `rng`) when the current key has been
    /// current for [`ROTATION_PERIOD`] at `now` (the driver's clock; the
    /// first call only starts the clock). Returns whether it rotated.
    pub fn rotate_if_due(&mut self, now: Instant, rng: &mut (impl CryptoRngCore + ?Sized)) -> bool {
        match self.since {
            Some(since) if now.saturating_duration_since(since) >= ROTATION_PERIOD => {
                self.rotate(rng);
                self.since = Some(now);
                true
            }
            Some(_) => false,
            None => {
                self.since = Some(now);
                false
            }
        }
    }

    /// A new cookie for this client transient key and server transient
    /// secret key (26-R28: a fresh nonce from `rng`, so a new cookie every
    /// time).
    pub fn seal(
        &mut self,
        client: &PublicKey,
        server_secret: &SecretKey,
        rng: &mut (impl CryptoRngCore + ?Sized),
    ) -> [u8; COOKIE_LEN] {
        self.issued += 1;
        if self.issued >= ROTATE_AFTER {
            self.rotate(rng);
        }
        let long = random_long_nonce(rng);
        let mut plain = zeroize::Zeroizing::new([0u8; 2 * KEY_LEN]);
        plain[..KEY_LEN].copy_from_slice(client.as_bytes());
        plain[KEY_LEN..].copy_from_slice(server_secret.to_bytes().as_ref());
        let mut out = BytesMut::with_capacity(COOKIE_LEN);
        out.extend_from_slice(&long);
        self.current
            .seal_into(&long_nonce(nonce::COOKIE, &long), &plain[..], &mut out);
        let mut cookie = [0u8; COOKIE_LEN];
        cookie.copy_from_slice(&out);
        cookie
    }

    /// The client transient key and server transient secret key inside a
    /// cookie, if it opens under the current or the previous key.
    pub fn open(&self, cookie: &[u8; COOKIE_LEN]) -> Option<(PublicKey, SecretKey)> {
        let (long, boxed) = cookie.split_at(16);
        let mut long_bytes = [0u8; 16];
        long_bytes.copy_from_slice(long);
        let nonce = long_nonce(nonce::COOKIE, &long_bytes);
        let plain = core::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find_map(|key| key.open_secret(&nonce, boxed).ok())?;
        if plain.len() != 2 * KEY_LEN {
            return None;
        }
        let client = PublicKey::from_slice(&plain[..KEY_LEN]).ok()?;
        let secret = SecretKey::from_slice(&plain[KEY_LEN..]).ok()?;
        Some((client, secret))
    }
}
