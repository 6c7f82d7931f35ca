//! Why a NORM packet was refused.

/// What went wrong reading a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NormError {
    /// Shorter than its header or payload says (NORM-R01, NORM-R04).
    #[error("NORM packet truncated")]
    Truncated,
    /// A protocol version other than 1 (NORM-R01).
    #[error("NORM version not 1")]
    BadVersion,
    /// A header length shorter than the message type's fixed part (NORM-R01).
    #[error("NORM header length too short for its type")]
    BadHeaderLength,
    /// A header extension whose length does not fit (NORM-R03).
    #[error("NORM header extension length out of bounds")]
    BadExtension,
    /// A FEC encoding id other than 5 (RS8, RFC 5510), the one libnorm
    /// uses for libzmq's block size and parity (NORM-R02).
    #[error("NORM FEC encoding id not supported")]
    UnsupportedFec,
}
