//! CURVE keys and boxes, on RustCrypto's `crypto_box` (X25519 +
//! XSalsa20-Poly1305, the NaCl `crypto_box`) and `crypto_secretbox`
//! (XSalsa20-Poly1305 under a symmetric key, for the cookie). Nothing
//! cryptographic is written here: this file only lays out keys, nonces
//! and boxes.
//!
//! Nothing here draws randomness of its own: whatever needs some (a key,
//! a long nonce) takes the caller's generator, as RustCrypto's
//! `SecretKey::generate(&mut rng)` does.
//!
//! A box on the wire is the 16-octet Poly1305 tag followed by the
//! ciphertext, which is what NaCl's `crypto_box` produces once its 16 zero
//! octets are dropped, and what libzmq sends.

use core::fmt;
use core::str::FromStr;

use bytes::{BufMut, Bytes, BytesMut};
use crypto_box::SalsaBox;
use crypto_box::aead::consts::{U16, U24};
use crypto_box::aead::generic_array::GenericArray;
use crypto_box::aead::{AeadCore, AeadInPlace};
use crypto_secretbox::{KeyInit, XSalsa20Poly1305};
use rand_core::CryptoRngCore;
use zeroize::{Zeroize, Zeroizing};

use crate::security::z85::{self, Z85Error};

/// The length of a key, in octets.
pub const KEY_LEN: usize = 32;
/// The length of a key as Z85 text.
pub const KEY_TEXT_LEN: usize = 40;
/// The Poly1305 tag in front of every box.
pub const TAG_LEN: usize = 16;

/// A CURVE public key: a permanent one (C, S) or a transient one (C', S').
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey([u8; KEY_LEN]);

impl PublicKey {
    /// A key from its 32 octets.
    pub const fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// A key from 32 octets, or 40 Z85 characters (RFC 32).
    ///
    /// # Errors
    /// [`KeyError`] for any other length or bad Z85.
    pub fn from_slice(key: &[u8]) -> Result<Self, KeyError> {
        decode_key(key).map(Self)
    }

    /// The 32 octets.
    pub const fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The key as 40 Z85 characters.
    pub fn to_z85(&self) -> String {
        encode_key(&self.0)
    }

    fn to_crypto(self) -> crypto_box::PublicKey {
        crypto_box::PublicKey::from_bytes(self.0)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_z85())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_z85())
    }
}

impl FromStr for PublicKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        Self::from_slice(s.as_bytes())
    }
}

/// A CURVE secret key. Its octets are wiped when it is dropped, and its
/// `Debug` output does not show them.
///
/// `crypto_box`'s own secret key wipes its scalar on drop but not its copy
/// of the octets; this type therefore overwrites that copy with zeros
/// before it goes.
#[derive(Clone)]
pub struct SecretKey(crypto_box::SecretKey);

impl SecretKey {
    /// A fresh random key from `rng` (a driver passes the operating
    /// system's generator, e.g. rand_core's `OsRng`).
    pub fn generate(rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rng.fill_bytes(bytes.as_mut());
        Self::from_bytes(*bytes)
    }

    /// A key from its 32 octets.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        let mut bytes = bytes;
        let key = Self(crypto_box::SecretKey::from_bytes(bytes));
        bytes.zeroize();
        key
    }

    /// A key from 32 octets, or 40 Z85 characters (RFC 32).
    ///
    /// # Errors
    /// [`KeyError`] for any other length or bad Z85.
    pub fn from_slice(key: &[u8]) -> Result<Self, KeyError> {
        let bytes = Zeroizing::new(decode_key(key)?);
        Ok(Self::from_bytes(*bytes))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(x25519::public(&self.0))
    }

    /// The 32 octets, wiped when the returned value is dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The key as 40 Z85 characters, wiped when dropped.
    pub fn to_z85(&self) -> Zeroizing<String> {
        Zeroizing::new(encode_key(&self.to_bytes()))
    }

    fn as_crypto(&self) -> &crypto_box::SecretKey {
        &self.0
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        // Overwrites the inner key's octets in place; its own Drop (run by
        // the assignment) wipes the scalar. `black_box` keeps the store.
        self.0 = crypto_box::SecretKey::from_bytes([0; KEY_LEN]);
        core::hint::black_box(&self.0);
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl PartialEq for SecretKey {
    /// Constant-time comparison (`crypto_box` compares the scalars).
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for SecretKey {}

/// A public key and its secret key.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPair {
    public: PublicKey,
    secret: SecretKey,
}

impl KeyPair {
    /// A fresh random pair from `rng` (libzmq's `zmq_curve_keypair`).
    pub fn generate(rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        Self::from_secret(SecretKey::generate(rng))
    }

    /// The pair of a known secret key (libzmq's `zmq_curve_public`).
    pub fn from_secret(secret: SecretKey) -> Self {
        Self {
            public: secret.public_key(),
            secret,
        }
    }

    /// The public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The secret key.
    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// Why a key was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Neither 32 octets nor 40 characters.
    #[error("a CURVE key is 32 octets or 40 Z85 characters, not {0}")]
    Length(usize),
    /// 40 characters that are not valid Z85.
    #[error("bad Z85 key text: {0}")]
    Z85(#[from] Z85Error),
}

fn decode_key(key: &[u8]) -> Result<[u8; KEY_LEN], KeyError> {
    match key.len() {
        KEY_LEN => {
            let mut bytes = [0u8; KEY_LEN];
            bytes.copy_from_slice(key);
            Ok(bytes)
        }
        KEY_TEXT_LEN => Ok(z85::decode_key(key)?),
        other => Err(KeyError::Length(other)),
    }
}

fn encode_key(key: &[u8; KEY_LEN]) -> String {
    // 32 is a multiple of 4, so Z85 cannot refuse it.
    z85::encode(key).unwrap_or_default()
}

/// A 24-octet nonce: a 16-octet prefix and an 8-octet big-endian short
/// nonce (HELLO, INITIATE, READY, MESSAGE), or an 8-octet prefix and a
/// 16-octet long nonce (WELCOME, COOKIE, VOUCH).
pub(crate) fn short_nonce(prefix: &[u8; 16], nonce: u64) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[..16].copy_from_slice(prefix);
    out[16..].copy_from_slice(&nonce.to_be_bytes());
    out
}

/// See [`short_nonce`].
pub(crate) fn long_nonce(prefix: &[u8; 8], nonce: &[u8; 16]) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[..8].copy_from_slice(prefix);
    out[8..].copy_from_slice(nonce);
    out
}

/// 16 random octets for a long nonce (26-R25, 26-R35: unique per key, which
/// 128 random bits give with overwhelming probability).
pub(crate) fn random_long_nonce(rng: &mut (impl CryptoRngCore + ?Sized)) -> [u8; 16] {
    let mut nonce = [0u8; 16];
    rng.fill_bytes(&mut nonce);
    nonce
}

/// A peer's public key is a low-order point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WeakKey;

/// A box is refused: the tag does not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unboxed;

/// The precomputed `crypto_box` between one of our secret keys and one of
/// the peer's public keys (the X25519 agreement is done once, as libzmq's
/// `crypto_box_beforenm`). The derived key is wiped on drop.
pub(crate) struct Channel(std::sync::Arc<SalsaBox>);

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Channel(..)")
    }
}

impl Channel {
    pub(crate) fn new(theirs: &PublicKey, ours: &SecretKey) -> Self {
        Self(x25519::channel(theirs, ours))
    }

    /// As [`Channel::new`] for a key the peer sent, refused when the
    /// agreement is all zeros: a low-order point, whose boxes anyone could
    /// open or forge (libsodium's `crypto_box_beforenm` refuses it too).
    pub(crate) fn with_peer_key(theirs: &PublicKey, ours: &SecretKey) -> Result<Self, WeakKey> {
        if x25519::weak(theirs, ours) {
            return Err(WeakKey);
        }
        Ok(Self::new(theirs, ours))
    }

    /// Appends `tag || ciphertext` of `plaintext` to `out`.
    pub(crate) fn seal_into(&self, nonce: &[u8; 24], plaintext: &[u8], out: &mut BytesMut) {
        seal_with(&*self.0, nonce, &[plaintext], out);
    }

    /// Appends `tag || ciphertext` of the concatenated `parts` to `out`,
    /// copying each part once.
    pub(crate) fn seal_parts_into(&self, nonce: &[u8; 24], parts: &[&[u8]], out: &mut BytesMut) {
        seal_with(&*self.0, nonce, parts, out);
    }

    /// The plaintext of `tag || ciphertext`.
    pub(crate) fn open(&self, nonce: &[u8; 24], boxed: &[u8]) -> Result<Bytes, Unboxed> {
        open_with(&*self.0, nonce, boxed)
    }
}

/// The three X25519 operations, each done by the RustCrypto crates.
#[cfg(not(feature = "fuzz-memo"))]
mod x25519 {
    pub(super) use super::direct::{channel, public, weak};
}

/// The same, remembered per thread (fuzz builds).
#[cfg(feature = "fuzz-memo")]
mod x25519 {
    pub(super) use super::memo::{channel, public, weak};
}

mod direct {
    use std::sync::Arc;

    use crypto_box::SalsaBox;
    use zeroize::Zeroize;

    use super::{KEY_LEN, PublicKey, SecretKey};

    /// The public key of `secret`.
    pub(super) fn public(secret: &crypto_box::SecretKey) -> [u8; KEY_LEN] {
        secret.public_key().to_bytes()
    }

    /// The box between `theirs` and `ours` (one X25519 agreement).
    pub(super) fn channel(theirs: &PublicKey, ours: &SecretKey) -> Arc<SalsaBox> {
        Arc::new(SalsaBox::new(&theirs.to_crypto(), ours.as_crypto()))
    }

    /// Whether the agreement of `theirs` and `ours` is all zeros (a
    /// low-order peer key).
    pub(super) fn weak(theirs: &PublicKey, ours: &SecretKey) -> bool {
        let mut shared =
            curve25519_dalek::MontgomeryPoint(*theirs.as_bytes()).mul_clamped(*ours.to_bytes());
        let weak = shared.to_bytes() == [0; KEY_LEN];
        shared.zeroize();
        weak
    }
}

/// For the fuzz targets only (feature `fuzz-memo`, which fuzz/ turns on
/// and nothing else does): the X25519 results of this thread's recent
/// key pairs, kept so that a target replaying the same seeded handshake
/// for every input pays for its scalar multiplications once. The values
/// are exactly what the functions compute; only the time changes.
#[cfg(feature = "fuzz-memo")]
mod memo {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::sync::Arc;

    use crypto_box::SalsaBox;

    use super::direct;
    use super::{KEY_LEN, PublicKey, SecretKey};

    /// Past this many entries a table starts again (fuzz inputs with
    /// fresh keys would otherwise grow it).
    const MAX: usize = 256;

    type Pair = ([u8; KEY_LEN], [u8; KEY_LEN]);

    thread_local! {
        static PUBLICS: RefCell<HashMap<[u8; KEY_LEN], [u8; KEY_LEN]>> = RefCell::default();
        static BOXES: RefCell<HashMap<Pair, Arc<SalsaBox>>> = RefCell::default();
        static WEAK: RefCell<HashMap<Pair, bool>> = RefCell::default();
    }

    fn cached<K: Eq + std::hash::Hash, V: Clone>(
        table: &'static std::thread::LocalKey<RefCell<HashMap<K, V>>>,
        key: K,
        compute: impl FnOnce() -> V,
    ) -> V {
        table.with(|t| {
            if let Some(v) = t.borrow().get(&key) {
                return v.clone();
            }
            let v = compute();
            let mut t = t.borrow_mut();
            if t.len() >= MAX {
                t.clear();
            }
            t.insert(key, v.clone());
            v
        })
    }

    pub(super) fn public(secret: &crypto_box::SecretKey) -> [u8; KEY_LEN] {
        cached(&PUBLICS, secret.to_bytes(), || direct::public(secret))
    }

    pub(super) fn channel(theirs: &PublicKey, ours: &SecretKey) -> Arc<SalsaBox> {
        cached(&BOXES, (*theirs.as_bytes(), *ours.to_bytes()), || {
            direct::channel(theirs, ours)
        })
    }

    pub(super) fn weak(theirs: &PublicKey, ours: &SecretKey) -> bool {
        cached(&WEAK, (*theirs.as_bytes(), *ours.to_bytes()), || {
            direct::weak(theirs, ours)
        })
    }
}

/// A symmetric key for the cookie box (G-C3), wiped on drop.
pub(crate) struct SecretBoxKey(XSalsa20Poly1305);

impl fmt::Debug for SecretBoxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBoxKey(..)")
    }
}

impl SecretBoxKey {
    pub(crate) fn generate(rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        rng.fill_bytes(key.as_mut());
        Self(XSalsa20Poly1305::new((&*key).into()))
    }

    pub(crate) fn seal_into(&self, nonce: &[u8; 24], plaintext: &[u8], out: &mut BytesMut) {
        seal_with(&self.0, nonce, &[plaintext], out);
    }

    /// Opens a box holding secrets: the plaintext is wiped on drop.
    pub(crate) fn open_secret(
        &self,
        nonce: &[u8; 24],
        boxed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Unboxed> {
        if boxed.len() < TAG_LEN {
            return Err(Unboxed);
        }
        let (tag, ciphertext) = boxed.split_at(TAG_LEN);
        let mut plain = Zeroizing::new(ciphertext.to_vec());
        self.0
            .decrypt_in_place_detached(
                GenericArray::from_slice(nonce),
                b"",
                plain.as_mut_slice(),
                GenericArray::from_slice(tag),
            )
            .map_err(|_| Unboxed)?;
        Ok(plain)
    }
}

fn seal_with(cipher: &impl Cipher, nonce: &[u8; 24], parts: &[&[u8]], out: &mut BytesMut) {
    let start = out.len();
    out.reserve(TAG_LEN + parts.iter().map(|p| p.len()).sum::<usize>());
    out.put_bytes(0, TAG_LEN);
    for part in parts {
        out.put_slice(part);
    }
    let (tag_slot, body) = out[start..].split_at_mut(TAG_LEN);
    // Encryption fails only with associated data, which is never passed.
    if let Ok(tag) = cipher.encrypt_in_place_detached(GenericArray::from_slice(nonce), b"", body) {
        tag_slot.copy_from_slice(&tag);
    }
}

fn open_with(cipher: &impl Cipher, nonce: &[u8; 24], boxed: &[u8]) -> Result<Bytes, Unboxed> {
    if boxed.len() < TAG_LEN {
        return Err(Unboxed);
    }
    let (tag, ciphertext) = boxed.split_at(TAG_LEN);
    let mut plain = BytesMut::from(ciphertext);
    cipher
        .decrypt_in_place_detached(
            GenericArray::from_slice(nonce),
            b"",
            &mut plain,
            GenericArray::from_slice(tag),
        )
        .map_err(|_| Unboxed)?;
    Ok(plain.freeze())
}

/// XSalsa20-Poly1305 as `crypto_box` and `crypto_secretbox` provide it.
trait Cipher: AeadInPlace + AeadCore<NonceSize = U24, TagSize = U16> {}
impl<T: AeadInPlace + AeadCore<NonceSize = U24, TagSize = U16>> Cipher for T {}
