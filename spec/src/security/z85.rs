//! Z85 (RFC 32): 4 octets become 5 printable characters, big-endian, in
//! base 85 over a fixed alphabet. CURVE keys are written as 40 Z85
//! characters (32 octets).

#[cfg(test)]
mod tests;

/// The 85 characters, value 0 first (RFC 32 §Formal Specification).
const ALPHABET: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// No character: marks octets outside the alphabet in [`DECODE`].
const INVALID: u8 = 0xFF;

/// Character -> value, [`INVALID`] for characters outside the alphabet.
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Why a Z85 operation refused its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Z85Error {
    /// Binary input must be a multiple of 4 octets (RFC 32).
    #[error("Z85 encodes whole 4-octet groups; got {0} octets")]
    BinaryLength(usize),
    /// Text input must be a multiple of 5 characters (RFC 32).
    #[error("Z85 decodes whole 5-character groups; got {0} characters")]
    TextLength(usize),
    /// A character outside the Z85 alphabet, at this offset.
    #[error("character at offset {0} is not in the Z85 alphabet")]
    BadCharacter(usize),
    /// A 5-character group whose value does not fit in 32 bits (e.g.
    /// `#####`), starting at this offset.
    #[error("the group at offset {0} is larger than 2^32-1")]
    Overflow(usize),
}

/// Encodes `data` (a multiple of 4 octets) as Z85 text.
///
/// # Errors
/// [`Z85Error::BinaryLength`] if `data.len()` is not a multiple of 4.
pub fn encode(data: &[u8]) -> Result<String, Z85Error> {
    if !data.len().is_multiple_of(4) {
        return Err(Z85Error::BinaryLength(data.len()));
    }
    let mut out = String::with_capacity(data.len() / 4 * 5);
    for chunk in data.chunks_exact(4) {
        let mut value = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let mut group = [0u8; 5];
        for slot in group.iter_mut().rev() {
            *slot = ALPHABET[(value % 85) as usize];
            value /= 85;
        }
        out.extend(group.iter().map(|&c| char::from(c)));
    }
    Ok(out)
}

/// Decodes Z85 text (a multiple of 5 characters) into `text.len() / 5 * 4`
/// octets. The output length follows from the input length, which the
/// caller holds: nothing is allocated on a declared size.
///
/// # Errors
/// [`Z85Error::TextLength`], [`Z85Error::BadCharacter`] or
/// [`Z85Error::Overflow`] (a group above 2^32-1, which RFC 32's security
/// section warns about).
pub fn decode(text: impl AsRef<[u8]>) -> Result<Vec<u8>, Z85Error> {
    let text = text.as_ref();
    if !text.len().is_multiple_of(5) {
        return Err(Z85Error::TextLength(text.len()));
    }
    let mut out = Vec::with_capacity(text.len() / 5 * 4);
    for (index, group) in text.chunks_exact(5).enumerate() {
        let start = index * 5;
        let mut value: u64 = 0;
        for (offset, &c) in group.iter().enumerate() {
            let digit = DECODE[usize::from(c)];
            if digit == INVALID {
                return Err(Z85Error::BadCharacter(start + offset));
            }
            value = value * 85 + u64::from(digit);
        }
        let value = u32::try_from(value).map_err(|_| Z85Error::Overflow(start))?;
        out.extend_from_slice(&value.to_be_bytes());
    }
    Ok(out)
}

/// Decodes exactly 40 Z85 characters into a 32-octet key.
///
/// # Errors
/// [`Z85Error::TextLength`] unless `text` is 40 characters, or the errors
/// of [`decode`].
pub fn decode_key(text: impl AsRef<[u8]>) -> Result<[u8; 32], Z85Error> {
    let text = text.as_ref();
    if text.len() != 40 {
        return Err(Z85Error::TextLength(text.len()));
    }
    let bytes = decode(text)?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes);
    Ok(key)
}
