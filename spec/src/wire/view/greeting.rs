//! The greeting view: the 64-octet ZMTP 3.x greeting (G01..G04), whose
//! first 10, 11 and 12 octets are also the signature, the partial greeting
//! (37-R01) and the ZMTP 2.0 greeting (RFC 15).
//!
//! ```text
//!  0    1..=8     9    10      11           12..=31     32         33..=63
//!  FF | padding | 7F | major | minor       | mechanism | as-server | filler
//!                    | revision | socket-type (2.0)
//! ```

use super::{CheckError, array, need, put};
use crate::wire::WireError;
use crate::wire::greeting::{
    Detected, FILLER_LEN, Greeting, Mechanism, PartialGreeting, SIGNATURE_END, SIGNATURE_START,
    Signature, Version,
};
use crate::wire::legacy::V2Greeting;

/// Where each field sits, from the encoder's lengths.
mod field {
    use core::ops::Range;

    use crate::wire::greeting::{FILLER_LEN, Greeting, Mechanism};

    pub(super) const START: usize = 0;
    pub(super) const PADDING: Range<usize> = 1..END;
    pub(super) const END: usize = Greeting::SIGNATURE_LEN - 1;
    pub(super) const MAJOR: usize = Greeting::SIGNATURE_LEN;
    pub(super) const MINOR: usize = Greeting::PARTIAL_LEN;
    pub(super) const MECHANISM: usize = MINOR + 1;
    pub(super) const AS_SERVER: usize = MECHANISM + Mechanism::LEN;
    pub(super) const FILLER: usize = AS_SERVER + 1;
    pub(super) const LEN: usize = FILLER + FILLER_LEN;
}

const _: () = assert!(field::LEN == Greeting::LEN);
const _: () = assert!(field::PADDING.end - field::PADDING.start == 8);
const _: () = assert!(field::MINOR + 1 == V2Greeting::LEN);

/// A view of the octets of a greeting: every field readable whatever its
/// value, `None` past the end of the octets.
///
/// Octet 10 is the version-major of a 3.x greeting and the revision of a
/// 2.0 one; octet 11 is the version-minor, or the 2.0 socket-type code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GreetingView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> GreetingView<T> {
    /// A view of `buffer`, which may be of any length.
    pub const fn new(buffer: T) -> Self {
        Self { buffer }
    }

    /// The octets viewed.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn buf(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Octet 0, the signature start (`FF` in a versioned greeting).
    pub fn signature_start(&self) -> Option<u8> {
        self.buf().get(field::START).copied()
    }

    /// Octets 1-8, the padding (never interpreted: 37-R05, 37-R06).
    pub fn padding(&self) -> Option<[u8; 8]> {
        array(self.buf(), field::PADDING.start)
    }

    /// Octet 9, the signature end (`7F` in a 3.x greeting).
    pub fn signature_end(&self) -> Option<u8> {
        self.buf().get(field::END).copied()
    }

    /// Octet 10: the version-major, or a 2.0 peer's revision.
    pub fn major(&self) -> Option<u8> {
        self.buf().get(field::MAJOR).copied()
    }

    /// Octet 11: the version-minor, or a 2.0 peer's socket-type code.
    pub fn minor(&self) -> Option<u8> {
        self.buf().get(field::MINOR).copied()
    }

    /// Octets 10-11 as a version.
    pub fn version(&self) -> Option<Version> {
        Some(Version {
            major: self.major()?,
            minor: self.minor()?,
        })
    }

    /// Octets 12-31 as they are, valid name or not.
    pub fn mechanism(&self) -> Option<Mechanism> {
        array(self.buf(), field::MECHANISM).map(Mechanism::from_octets)
    }

    /// Octet 32, the as-server octet, any value.
    pub fn as_server(&self) -> Option<u8> {
        self.buf().get(field::AS_SERVER).copied()
    }

    /// Octets 33-63, the filler.
    pub fn filler(&self) -> Option<[u8; FILLER_LEN]> {
        array(self.buf(), field::FILLER)
    }

    /// Whether all 64 octets are there.
    ///
    /// # Errors
    /// [`CheckError::Incomplete`] with the number of octets missing.
    pub fn check_len(&self) -> Result<(), CheckError> {
        need::<{ Greeting::LEN }>(self.buf(), 0).map(drop)
    }

    /// The rule `signature` (G01): octet 0 is `FF`, any padding, and octet
    /// 9 has its lowest bit set (a versioned peer).
    ///
    /// # Errors
    /// [`WireError::BadSignature`], or "need more" while octets 0-9 have
    /// not all arrived (octet 0 is judged on its own).
    pub fn check_signature(&self) -> Result<Signature, CheckError> {
        let [start] = need(self.buf(), field::START)?;
        if start != SIGNATURE_START {
            return Err(WireError::BadSignature.into());
        }
        let padding = need(self.buf(), field::PADDING.start)?;
        let [end] = need(self.buf(), field::END)?;
        if end & 0x01 == 0 {
            return Err(WireError::BadSignature.into());
        }
        Ok(Signature { padding, end })
    }

    /// The rule `partial-greeting` (37-R01, 37-R02): the signature and
    /// version-major.
    ///
    /// # Errors
    /// As [`GreetingView::check_signature`].
    pub fn check_partial(&self) -> Result<PartialGreeting, CheckError> {
        let signature = self.check_signature()?;
        let [major] = need(self.buf(), field::MAJOR)?;
        Ok(PartialGreeting { signature, major })
    }

    /// The rule `v2-greeting` (RFC 15): the signature, the revision and
    /// the socket-type code, both kept raw.
    ///
    /// # Errors
    /// As [`GreetingView::check_signature`].
    pub fn check_v2(&self) -> Result<V2Greeting, CheckError> {
        let signature = self.check_signature()?;
        let [revision, socket_type] = need(self.buf(), field::MAJOR)?;
        Ok(V2Greeting {
            padding: signature.padding,
            revision,
            socket_type,
        })
    }

    /// Version detection (37-R02, 37-R60; zmtp-wire.md 4.5): unversioned
    /// (ZMTP 1.0) when octet 0 is not `FF` or octet 9's lowest bit is
    /// clear, else versioned with the revision in octet 10.
    ///
    /// # Errors
    /// Only [`CheckError::Incomplete`]: every input is a version of some
    /// kind once enough of it has arrived.
    pub fn detect(&self) -> Result<Detected, CheckError> {
        let [start] = need(self.buf(), field::START)?;
        if start != SIGNATURE_START {
            return Ok(Detected::Unversioned);
        }
        let signature: [u8; Greeting::SIGNATURE_LEN] = need(self.buf(), 0)?;
        if signature[field::END] & 0x01 == 0 {
            return Ok(Detected::Unversioned);
        }
        let [revision] = need(self.buf(), field::MAJOR)?;
        Ok(Detected::Versioned { revision })
    }

    /// Octet 9 of a 3.x greeting is exactly `7F` (G01); run after
    /// [`GreetingView::check_signature`].
    ///
    /// # Errors
    /// [`WireError::BadSignature`], or "need more".
    pub fn check_signature_end(&self) -> Result<(), CheckError> {
        let [end] = need(self.buf(), field::END)?;
        if end != SIGNATURE_END {
            return Err(WireError::BadSignature.into());
        }
        Ok(())
    }

    /// The version of a 3.x greeting: major 3 or more (G01). Higher
    /// versions than ours are accepted (37-R07, 37-R08).
    ///
    /// # Errors
    /// [`WireError::VersionBelow3`], or "need more".
    pub fn check_version(&self) -> Result<Version, CheckError> {
        let [major, minor] = need(self.buf(), field::MAJOR)?;
        if major < 3 {
            return Err(WireError::VersionBelow3(major).into());
        }
        Ok(Version { major, minor })
    }

    /// The mechanism: a NUL-padded name of `A-Z 0-9 - _ . +` (G02,
    /// 37-R13).
    ///
    /// # Errors
    /// [`WireError::BadMechanismName`], or "need more".
    pub fn check_mechanism(&self) -> Result<Mechanism, CheckError> {
        Ok(mechanism_value(need(self.buf(), field::MECHANISM)?)?)
    }

    /// The as-server octet: 0 or 1 (G03).
    ///
    /// # Errors
    /// [`WireError::BadAsServer`], or "need more".
    pub fn check_as_server(&self) -> Result<bool, CheckError> {
        let [octet] = need(self.buf(), field::AS_SERVER)?;
        Ok(as_server_value(octet)?)
    }

    /// The rule `greeting`, the full 3.x greeting (G01..G04, 37-R03,
    /// 37-R04): the signature, its end `7F`, the version, the mechanism,
    /// as-server, and 31 octets of filler that are never judged (G04).
    /// The checks run in wire order, so a prefix of the octets fails with
    /// the same error as the whole, or needs more.
    ///
    /// # Errors
    /// The first of the checks above to fail.
    pub fn check(&self) -> Result<Greeting, CheckError> {
        let signature = self.check_signature()?;
        self.check_signature_end()?;
        let version = self.check_version()?;
        let mechanism = self.check_mechanism()?;
        let as_server = self.check_as_server()?;
        self.check_len()?;
        Ok(Greeting {
            padding: signature.padding,
            version,
            mechanism,
            as_server,
        })
    }
}

/// G02, 37-R13: the 20 mechanism octets form a valid name.
pub(crate) fn mechanism_value(octets: [u8; Mechanism::LEN]) -> Result<Mechanism, WireError> {
    let mechanism = Mechanism::from_octets(octets);
    if !mechanism.is_valid() {
        return Err(WireError::BadMechanismName);
    }
    Ok(mechanism)
}

/// G03: the as-server octet is 0 or 1.
pub(crate) fn as_server_value(octet: u8) -> Result<bool, WireError> {
    match octet {
        0x00 => Ok(false),
        0x01 => Ok(true),
        other => Err(WireError::BadAsServer(other)),
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> GreetingView<T> {
    fn buf_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Writes octet 0.
    pub fn set_signature_start(&mut self, octet: u8) {
        put(self.buf_mut(), field::START, &[octet]);
    }

    /// Writes octets 1-8.
    pub fn set_padding(&mut self, padding: [u8; 8]) {
        put(self.buf_mut(), field::PADDING.start, &padding);
    }

    /// Writes octet 9.
    pub fn set_signature_end(&mut self, octet: u8) {
        put(self.buf_mut(), field::END, &[octet]);
    }

    /// Writes octet 10 (version-major, or the 2.0 revision).
    pub fn set_major(&mut self, octet: u8) {
        put(self.buf_mut(), field::MAJOR, &[octet]);
    }

    /// Writes octet 11 (version-minor, or the 2.0 socket-type code).
    pub fn set_minor(&mut self, octet: u8) {
        put(self.buf_mut(), field::MINOR, &[octet]);
    }

    /// Writes octets 10-11.
    pub fn set_version(&mut self, version: Version) {
        self.set_major(version.major);
        self.set_minor(version.minor);
    }

    /// Writes octets 12-31, whatever they hold.
    pub fn set_mechanism(&mut self, mechanism: &Mechanism) {
        put(self.buf_mut(), field::MECHANISM, mechanism.octets());
    }

    /// Writes octet 32.
    pub fn set_as_server(&mut self, octet: u8) {
        put(self.buf_mut(), field::AS_SERVER, &[octet]);
    }

    /// Writes octets 33-63.
    pub fn set_filler(&mut self, filler: [u8; FILLER_LEN]) {
        put(self.buf_mut(), field::FILLER, &filler);
    }

    /// Writes octets 0-9: `FF`, the padding and the end octet.
    pub fn set_signature(&mut self, signature: &Signature) {
        self.set_signature_start(SIGNATURE_START);
        self.set_padding(signature.padding);
        self.set_signature_end(signature.end);
    }

    /// Writes the 12 octets of a ZMTP 2.0 greeting (end octet `7F`).
    pub fn set_v2(&mut self, greeting: &V2Greeting) {
        self.set_signature(&Signature {
            padding: greeting.padding,
            end: SIGNATURE_END,
        });
        self.set_major(greeting.revision);
        self.set_minor(greeting.socket_type);
    }

    /// Writes a whole 3.x greeting: `FF`, its padding, `7F`, version,
    /// mechanism, as-server and a zero filler (G01..G04). This is the
    /// encoder's layout ([`Greeting::encode`]).
    pub fn set_greeting(&mut self, greeting: &Greeting) {
        self.set_signature(&Signature {
            padding: greeting.padding,
            end: SIGNATURE_END,
        });
        self.set_version(greeting.version);
        self.set_mechanism(&greeting.mechanism);
        self.set_as_server(u8::from(greeting.as_server));
        self.set_filler([0; FILLER_LEN]);
    }
}

/// Builds a 64-octet greeting with any value in any field: a wrong
/// signature, version, mechanism, as-server or filler (G01..G04).
///
/// It starts from the greeting this crate sends (3.1, NULL, client, zero
/// padding); its first [`Greeting::SIGNATURE_LEN`],
/// [`Greeting::PARTIAL_LEN`] and [`V2Greeting::LEN`] octets are the
/// signature, the partial greeting and the 2.0 greeting.
///
/// ```
/// use zmtp_spec::wire::view::GreetingBuilder;
/// use zmtp_spec::wire::greeting::greeting;
/// use zmtp_spec::wire::WireError;
///
/// let octets = GreetingBuilder::new().as_server(2).build();
/// assert_eq!(greeting(&octets), Err(nom::Err::Failure(WireError::BadAsServer(2))));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GreetingBuilder {
    octets: [u8; Greeting::LEN],
}

impl Default for GreetingBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl From<&Greeting> for GreetingBuilder {
    fn from(greeting: &Greeting) -> Self {
        let mut octets = [0; Greeting::LEN];
        GreetingView::new(&mut octets[..]).set_greeting(greeting);
        Self { octets }
    }
}

impl GreetingBuilder {
    /// The greeting this crate sends as a NULL client: 3.1, zero padding.
    pub fn new() -> Self {
        Self::from(&Greeting::new(Mechanism::NULL, false))
    }

    fn with(mut self, write: impl FnOnce(&mut GreetingView<&mut [u8]>)) -> Self {
        write(&mut GreetingView::new(&mut self.octets[..]));
        self
    }

    /// Octet 0.
    pub fn signature_start(self, octet: u8) -> Self {
        self.with(|v| v.set_signature_start(octet))
    }

    /// Octets 1-8.
    pub fn padding(self, padding: [u8; 8]) -> Self {
        self.with(|v| v.set_padding(padding))
    }

    /// Octet 9.
    pub fn signature_end(self, octet: u8) -> Self {
        self.with(|v| v.set_signature_end(octet))
    }

    /// Octet 10: version-major (the revision of a 2.0 greeting).
    pub fn major(self, octet: u8) -> Self {
        self.with(|v| v.set_major(octet))
    }

    /// Octet 11: version-minor (the socket-type code of a 2.0 greeting).
    pub fn minor(self, octet: u8) -> Self {
        self.with(|v| v.set_minor(octet))
    }

    /// Octets 10-11.
    pub fn version(self, version: Version) -> Self {
        self.with(|v| v.set_version(version))
    }

    /// Octets 12-31 as given.
    pub fn mechanism(self, mechanism: Mechanism) -> Self {
        self.with(|v| v.set_mechanism(&mechanism))
    }

    /// Octets 12-31: `name` NUL-padded, cut at 20 octets, any octets.
    pub fn mechanism_name(self, name: &[u8]) -> Self {
        let mut octets = [0; Mechanism::LEN];
        for (slot, &octet) in octets.iter_mut().zip(name) {
            *slot = octet;
        }
        self.mechanism(Mechanism::from_octets(octets))
    }

    /// Octet 32.
    pub fn as_server(self, octet: u8) -> Self {
        self.with(|v| v.set_as_server(octet))
    }

    /// Octets 33-63.
    pub fn filler(self, filler: [u8; FILLER_LEN]) -> Self {
        self.with(|v| v.set_filler(filler))
    }

    /// The 64 octets.
    pub const fn build(&self) -> [u8; Greeting::LEN] {
        self.octets
    }
}

#[cfg(test)]
mod tests;
