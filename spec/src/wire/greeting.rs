//! The ZMTP 3.x greeting: its values, its grammar (G01..G04, 37-R01..R09)
//! and its encoder, plus the version detection that tells a 3.x peer from a
//! ZMTP 1.0 or 2.0 one (37-R60; zmtp-wire.md 4.1, 4.5).

use bytes::BufMut;
use nom::{IResult, Needed};

use super::error::WireError;
use super::view::greeting::{as_server_value, mechanism_value};
use super::view::{GreetingView, to_rule};

/// A ZMTP protocol version as carried in octets 10 and 11 of the greeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Version {
    /// Octet 10: 3 for ZMTP 3.x (1 for a 2.0 peer's revision).
    pub major: u8,
    /// Octet 11: 0 for ZMTP 3.0 (RFC 23), 1 for ZMTP 3.1 (RFC 37).
    pub minor: u8,
}

impl Version {
    /// ZMTP 3.0 (RFC 23).
    pub const V3_0: Self = Self { major: 3, minor: 0 };
    /// ZMTP 3.1 (RFC 37), what this crate speaks.
    pub const V3_1: Self = Self { major: 3, minor: 1 };
}

/// A security mechanism name: 1-20 ASCII characters of `A-Z 0-9 - _ . +`,
/// carried NUL-padded in exactly 20 octets (G02, 37-R13).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mechanism {
    octets: [u8; Mechanism::LEN],
}

impl Mechanism {
    /// The length of the mechanism field (octets 12-31).
    pub const LEN: usize = 20;
    /// The NULL mechanism (RFC 23/37).
    pub const NULL: Self = Self::from_static(b"NULL");
    /// The PLAIN mechanism (RFC 24).
    pub const PLAIN: Self = Self::from_static(b"PLAIN");
    /// The CURVE mechanism (RFC 25/26).
    pub const CURVE: Self = Self::from_static(b"CURVE");

    const fn from_static(name: &[u8]) -> Self {
        let mut octets = [0u8; 20];
        let mut i = 0;
        while i < name.len() {
            octets[i] = name[i];
            i += 1;
        }
        Self { octets }
    }

    /// Builds a mechanism from its 20 raw octets, as read off the wire.
    /// Any octets are kept; whether they form a valid name is
    /// [`Mechanism::is_valid`]. Comparing two mechanisms compares all 20
    /// octets (37-R15).
    pub const fn from_octets(octets: [u8; 20]) -> Self {
        Self { octets }
    }

    /// Builds a mechanism from a name, checking G02: 1-20 characters of
    /// `A-Z 0-9 - _ . +`.
    pub fn new(name: &[u8]) -> Option<Self> {
        if name.is_empty() || name.len() > 20 || !name.iter().all(|&c| is_mechanism_char(c)) {
            return None;
        }
        let mut octets = [0u8; 20];
        octets[..name.len()].copy_from_slice(name);
        Some(Self { octets })
    }

    /// The 20 octets as sent on the wire.
    pub const fn octets(&self) -> &[u8; 20] {
        &self.octets
    }

    /// The name without its NUL padding.
    pub fn name(&self) -> &[u8] {
        let end = self.octets.iter().position(|&c| c == 0).unwrap_or(20);
        &self.octets[..end]
    }

    /// Whether the octets are a well-formed name followed only by NULs (G02).
    pub fn is_valid(&self) -> bool {
        let name = self.name();
        !name.is_empty()
            && name.iter().all(|&c| is_mechanism_char(c))
            && self.octets[name.len()..].iter().all(|&c| c == 0)
    }
}

/// A character allowed in a mechanism name (G02).
pub const fn is_mechanism_char(c: u8) -> bool {
    matches!(c, b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'+')
}

impl core::fmt::Debug for Mechanism {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Mechanism({:?})", String::from_utf8_lossy(self.name()))
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Mechanism {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Self::from_octets(u.arbitrary()?))
    }
}

/// A complete 64-octet ZMTP 3.x greeting (G01..G04).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Greeting {
    /// Octets 1-8. Never interpreted (37-R05, 37-R06); kept so that a
    /// greeting re-encodes to the bytes it was read from.
    pub padding: [u8; 8],
    /// Octets 10-11.
    pub version: Version,
    /// Octets 12-31.
    pub mechanism: Mechanism,
    /// Octet 32 (G03): 0 or 1. Only mechanisms with roles give it meaning
    /// (37-R10); NULL requires 0 (37-R22).
    pub as_server: bool,
}

impl Greeting {
    /// The length of a full greeting.
    pub const LEN: usize = 64;
    /// The length of the partial greeting used for version detection:
    /// signature and version-major (37-R01).
    pub const PARTIAL_LEN: usize = 11;
    /// The length of the signature alone (octets 0-9).
    pub const SIGNATURE_LEN: usize = 10;

    /// The greeting this crate sends: version 3.1, zero padding.
    pub const fn new(mechanism: Mechanism, as_server: bool) -> Self {
        Self {
            padding: [0; 8],
            version: Version::V3_1,
            mechanism,
            as_server,
        }
    }
}

// ---------------------------------------------------------------------------
// Grammar. Every rule is a nom parser over a byte slice. Incomplete input is
// `nom::Err::Incomplete(Needed)`, never an error; malformed input is
// `nom::Err::Failure(WireError)` (never backtracked). The rules read fixed-width fields only, so
// they need no nom combinator: each takes its octets with `octets`.
// ---------------------------------------------------------------------------

/// The result of a greeting rule: the unread input and the value (the same
/// type as the other wire rules' result).
pub type Parse<'a, T> = IResult<&'a [u8], T, WireError>;

/// The signature-start octet (octet 0).
pub const SIGNATURE_START: u8 = 0xFF;
/// The signature-end octet (octet 9) this crate sends.
pub const SIGNATURE_END: u8 = 0x7F;
/// The length of the filler (octets 33-63).
pub const FILLER_LEN: usize = 31;

/// Takes exactly `N` octets, or reports how many more are needed.
fn octets<const N: usize>(input: &[u8]) -> Parse<'_, [u8; N]> {
    match input.split_first_chunk::<N>() {
        Some((head, rest)) => Ok((rest, *head)),
        None => Err(nom::Err::Incomplete(Needed::new(N - input.len()))),
    }
}

/// `padding`: any 8 octets (octets 1-8).
///
/// Never validated nor interpreted (37-R05, 37-R06): a detecting peer puts
/// its identity length + 1 there (37-R60), libzmq always does, and a
/// non-detecting one puts zeros.
pub fn padding(input: &[u8]) -> Parse<'_, [u8; 8]> {
    octets::<8>(input)
}

/// `signature`: `0xFF`, 8 octets of padding, then an end octet whose lowest
/// bit is set (octets 0-9).
///
/// A set lowest bit in octet 9 is what marks a versioned (2.0 or later)
/// peer; the 3.x grammar fixes the octet at `0x7F` (G01), but like libzmq we
/// only look at that bit, so every versioned peer passes here and
/// [`greeting`] is where a 3.x peer's other fields are checked. Octet 0
/// other than `0xFF`, or a clear lowest bit, is
/// [`WireError::BadSignature`]: such a peer is ZMTP 1.0, which
/// [`detect`] recognises before this rule is used.
///
/// This is [`GreetingView::check_signature`].
pub fn signature(input: &[u8]) -> Parse<'_, Signature> {
    let checked = GreetingView::new(input).check_signature();
    to_rule(input, checked.map(|s| (s, Greeting::SIGNATURE_LEN)))
}

/// `version`: version-major then version-minor (octets 10-11).
///
/// Any pair is read; the grammar gives the values meaning elsewhere (a 3.x
/// greeting requires major >= 3 in [`greeting`], and a higher version than
/// ours is accepted there: 37-R07, 37-R08).
pub fn version(input: &[u8]) -> Parse<'_, Version> {
    let (rest, [major, minor]) = octets::<2>(input)?;
    Ok((rest, Version { major, minor }))
}

/// `mechanism`: 20 octets holding a name of 1-20 characters of
/// `A-Z 0-9 - _ . +` followed only by NULs (octets 12-31; G02, 37-R13).
///
/// Anything else is [`WireError::BadMechanismName`]. A well-formed name we
/// do not speak is not an error here: it is a mismatch, which the
/// connection handles by closing (37-R15).
pub fn mechanism(input: &[u8]) -> Parse<'_, Mechanism> {
    let (rest, raw) = octets::<{ Mechanism::LEN }>(input)?;
    Ok((rest, mechanism_value(raw).map_err(nom::Err::Failure)?))
}

/// `as-server`: one octet, `0x00` or `0x01` (octet 32; G03).
///
/// Any other value is [`WireError::BadAsServer`]. Whether the value means
/// anything is the mechanism's business (37-R10; NULL requires 0, 37-R22).
pub fn as_server(input: &[u8]) -> Parse<'_, bool> {
    let (rest, [octet]) = octets::<1>(input)?;
    Ok((rest, as_server_value(octet).map_err(nom::Err::Failure)?))
}

/// `filler`: 31 octets (octets 33-63), zeros on send and never validated
/// on receipt (G04; libzmq does not check them either).
pub fn filler(input: &[u8]) -> Parse<'_, ()> {
    let (rest, _) = octets::<FILLER_LEN>(input)?;
    Ok((rest, ()))
}

/// `greeting`: the full 64-octet ZMTP 3.x greeting, [`signature`]
/// [`version`] [`mechanism`] [`as_server`] [`filler`] (G01..G04, 37-R03,
/// 37-R04).
///
/// The signature end must be exactly `0x7F` here (G01). Version-major
/// below 3 is [`WireError::VersionBelow3`] (such peers are found by
/// [`detect`]); any version from 3.0 up, 3.2 and 4.x included, is accepted
/// (37-R07).
///
/// This is [`GreetingView::check`]: the fields are checked in wire order.
pub fn greeting(input: &[u8]) -> Parse<'_, Greeting> {
    let checked = GreetingView::new(input).check();
    to_rule(input, checked.map(|g| (g, Greeting::LEN)))
}

/// `partial-greeting`: the [`signature`] and version-major, the first 11
/// octets that a detecting peer sends before anything else and reads from
/// its peer to decide on a downgrade (37-R01, 37-R02).
///
/// This is [`GreetingView::check_partial`].
pub fn partial_greeting(input: &[u8]) -> Parse<'_, PartialGreeting> {
    let checked = GreetingView::new(input).check_partial();
    to_rule(input, checked.map(|p| (p, Greeting::PARTIAL_LEN)))
}

/// Version detection on the first octets a peer sent (zmtp-wire.md 4.5;
/// 37-R02, 37-R60). It consumes nothing: the returned input is `input`, so
/// that the caller then parses the whole greeting (or the ZMTP 1.0
/// identity frame) with the rule for the version found.
///
/// - octet 0 is not `0xFF`: ZMTP 1.0, whose first frame is a short
///   identity frame (decided on one octet);
/// - octet 9 has its lowest bit clear: ZMTP 1.0 with a long identity
///   length (decided on 10 octets);
/// - otherwise the peer is versioned and octet 10 is its revision
///   (decided on 11 octets): see [`Detected::Versioned`].
///
/// This is [`GreetingView::detect`].
pub fn detect(input: &[u8]) -> Parse<'_, Detected> {
    to_rule(input, GreetingView::new(input).detect().map(|d| (d, 0)))
}

/// The signature (octets 0-9) as read: the padding and the end octet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    /// Octets 1-8, not interpreted (37-R05, 37-R06).
    pub padding: [u8; 8],
    /// Octet 9; its lowest bit is set (`0x7F` in every greeting we send).
    pub end: u8,
}

impl Signature {
    /// The signature of a peer not doing 1.0 detection: zero padding.
    pub const PLAIN: Self = Self {
        padding: [0; 8],
        end: SIGNATURE_END,
    };

    /// The pseudo-signature of a peer doing ZMTP 1.0 detection: the padding
    /// is the big-endian identity length + 1 (37-R60), so that a 1.0 peer
    /// reads the 10 octets as the header of a long identity frame whose
    /// flags octet is `0x7F`.
    pub const fn detecting(identity_len: u8) -> Self {
        Self {
            padding: (identity_len as u64 + 1).to_be_bytes(),
            end: SIGNATURE_END,
        }
    }

    /// The number of octets [`Signature::encode`] writes.
    pub const fn encoded_len(&self) -> usize {
        Greeting::SIGNATURE_LEN
    }

    /// Writes the 10 octets (through [`GreetingView::set_signature`]).
    pub fn encode<B: BufMut>(&self, buf: &mut B) {
        let mut out = [0; Greeting::SIGNATURE_LEN];
        GreetingView::new(&mut out[..]).set_signature(self);
        buf.put_slice(&out);
    }
}

/// The first 11 octets of a versioned greeting (37-R01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialGreeting {
    /// Octets 0-9.
    pub signature: Signature,
    /// Octet 10: 3 for ZMTP 3.x; a 2.0 peer's revision (1).
    pub major: u8,
}

impl PartialGreeting {
    /// The number of octets [`PartialGreeting::encode`] writes.
    pub const fn encoded_len(&self) -> usize {
        Greeting::PARTIAL_LEN
    }

    /// Writes the 11 octets (through [`GreetingView`]).
    pub fn encode<B: BufMut>(&self, buf: &mut B) {
        let mut out = [0; Greeting::PARTIAL_LEN];
        let mut view = GreetingView::new(&mut out[..]);
        view.set_signature(&self.signature);
        view.set_major(self.major);
        buf.put_slice(&out);
    }
}

/// What [`detect`] found out about the peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Detected {
    /// ZMTP 1.0 (RFC 13): no signature, the peer's first octets are its
    /// identity frame.
    Unversioned,
    /// A versioned peer with the given revision (octet 10).
    Versioned {
        /// The revision octet.
        revision: u8,
    },
}

/// The protocol a peer speaks, as decided from its revision (octet 10) and,
/// for 3.x, its version-minor (octet 11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// ZMTP 1.0 (RFC 13), unversioned; also a versioned peer with revision
    /// 0, which libzmq handles with 1.0 framing (no spec defines it).
    V1_0,
    /// ZMTP 2.0 (RFC 15): revision 1, and revision 2 (see
    /// [`Protocol::from_revision`]).
    V2_0,
    /// ZMTP 3.0 (RFC 23): version 3.0.
    V3_0,
    /// ZMTP 3.1 (RFC 37): version 3.1 and every higher version (37-R07,
    /// 37-R08).
    V3_1,
}

impl Protocol {
    /// The protocol a versioned peer speaks given its revision octet, or
    /// `None` for 3.x, which needs the version-minor as well
    /// ([`Protocol::from_version`]).
    ///
    /// Revision 2 selects ZMTP 2.0, as 23 and 37 say ("1 or 2"). libzmq
    /// instead treats it as 3.x (zmtp-wire.md 4.5 #5, 6.1 #21); no
    /// published spec defines revision 2 and no known peer sends it.
    pub const fn from_revision(revision: u8) -> Option<Self> {
        match revision {
            0 => Some(Self::V1_0),
            1 | 2 => Some(Self::V2_0),
            _ => None,
        }
    }

    /// The protocol of a 3.x greeting: 3.0 for minor 0 and major 3, 3.1
    /// for anything higher (37-R07). `None` below major 3.
    pub const fn from_version(version: Version) -> Option<Self> {
        match (version.major, version.minor) {
            (0..=2, _) => None,
            (3, 0) => Some(Self::V3_0),
            _ => Some(Self::V3_1),
        }
    }
}

impl Version {
    /// The number of octets [`Version::encode`] writes.
    pub const fn encoded_len(&self) -> usize {
        2
    }

    /// Writes major then minor.
    pub fn encode<B: BufMut>(&self, buf: &mut B) {
        buf.put_u8(self.major);
        buf.put_u8(self.minor);
    }
}

impl Mechanism {
    /// The number of octets [`Mechanism::encode`] writes.
    pub const fn encoded_len(&self) -> usize {
        20
    }

    /// Writes the 20 octets.
    pub fn encode<B: BufMut>(&self, buf: &mut B) {
        buf.put_slice(&self.octets);
    }
}

impl Greeting {
    /// The number of octets [`Greeting::encode`] writes.
    pub const fn encoded_len(&self) -> usize {
        Self::LEN
    }

    /// Writes the 64 octets: signature with this padding and end `0x7F`,
    /// version, mechanism, as-server, zero filler (G01..G04).
    pub fn encode<B: BufMut>(&self, buf: &mut B) {
        buf.put_slice(&self.to_bytes());
    }

    /// The greeting as an array, written through
    /// [`GreetingView::set_greeting`].
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        GreetingView::new(&mut out[..]).set_greeting(self);
        out
    }
}

#[cfg(test)]
mod tests;
