//! Why a PGM packet was refused.

/// What went wrong reading a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PgmError {
    /// Shorter than its header or body says.
    #[error("PGM packet truncated")]
    Truncated,
    /// The checksum does not match the packet (PGM-R05).
    #[error("PGM checksum mismatch")]
    BadChecksum,
    /// ODATA or RDATA without a checksum (PGM-R06).
    #[error("PGM data packet without a checksum")]
    MissingChecksum,
    /// An address family other than IPv4 (1) or IPv6 (2) (PGM-R04).
    #[error("PGM address family not IPv4 or IPv6")]
    BadAddressFamily,
    /// OPT_PRESENT set but the options do not start with OPT_LENGTH (PGM-R07).
    #[error("PGM options do not start with OPT_LENGTH")]
    MissingOptLength,
    /// An option's length does not fit (PGM-R07).
    #[error("PGM option length out of bounds")]
    BadOptionLength,
    /// More options than OpenPGM accepts (PGM-R08).
    #[error("more than 16 PGM options")]
    TooManyOptions,
    /// No option carries the end bit (PGM-R07).
    #[error("PGM options without an end marker")]
    UnterminatedOptions,
    /// The data does not have the header's TSDU length (PGM-R03).
    #[error("PGM TSDU length does not match the data")]
    BadTsduLength,
}
