//! The ZMTP 3.x greeting: version and mechanism values.

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
    octets: [u8; 20],
}

impl Mechanism {
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
