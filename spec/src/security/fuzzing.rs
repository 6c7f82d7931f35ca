//! Check functions for the fuzz targets (wired into `fuzz/` by its owner):
//! each feeds arbitrary input to a security machine and asserts the
//! properties that must hold for any input. They never panic on input;
//! a panic is a bug they found.

use bytes::Bytes;

use super::z85;

/// Z85 decode on arbitrary octets: either an error, or octets that encode
/// back to the same text.
pub fn check_z85_decode(data: &[u8]) {
    if let Ok(bytes) = z85::decode(data) {
        assert_eq!(bytes.len(), data.len() / 5 * 4);
        let text = z85::encode(&bytes).unwrap_or_default();
        assert_eq!(text.as_bytes(), data, "Z85 decode/encode round trip");
    }
}

/// Marker so the module has an item while the handshake checks are added.
#[doc(hidden)]
pub fn _unused(_: Bytes) {}
