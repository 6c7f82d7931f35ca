//! What can be wrong with bytes that came from the wire. Every variant is
//! the peer's fault; each names the requirement it breaks.

/// Malformed input from the peer.
///
/// Incomplete input is never an error: the parsers report how many more
/// bytes they need separately (see `wire::Parsed`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Octet 0 of a greeting was not 0xFF, or octet 9 did not have its
    /// lowest bit set, where a 3.x greeting was required (G01).
    #[error("not a ZMTP 3.x greeting signature (G01)")]
    BadSignature,
    /// A full 3.x greeting carried a version-major below 3 (G01). Lower
    /// revisions are ZMTP 1.0/2.0 peers, found by detection instead.
    #[error("greeting version-major {0} is below 3 where a 3.x greeting was required (G01)")]
    VersionBelow3(u8),
    /// The identity frame of a ZMTP 2.0 greeting was not a short final
    /// frame (flags 0x00): RFC 15 `identity = final-short body`.
    #[error("ZMTP 2.0 identity frame flags {0:#04x}, expected 0x00 (RFC 15)")]
    BadV2IdentityFlags(u8),
    /// A ZMTP 1.0 identity frame declared a body longer than the 255 octets
    /// an identity may have (RFC 13; 37-R34 for 3.x).
    #[error("ZMTP 1.0 identity of {0} octets is longer than 255 (RFC 13)")]
    LegacyIdentityTooLong(u64),
    /// The mechanism field is not a NUL-padded name of `A-Z 0-9 - _ . +` (G02).
    #[error("malformed mechanism name (G02, 37-R13)")]
    BadMechanismName,
    /// The as-server octet was neither 0 nor 1 (G03).
    #[error("as-server octet {0:#04x} is neither 0 nor 1 (G03)")]
    BadAsServer(u8),
    /// A frame flags octet had reserved bits set (37-R19, G06).
    #[error("frame flags {0:#04x} set reserved bits (37-R19, G06)")]
    ReservedFlags(u8),
    /// A command frame had MORE set (37-R20).
    #[error("command frame with MORE set (37-R20)")]
    CommandWithMore,
    /// A long size had its most significant bit set (G07).
    #[error("frame size {0} exceeds 2^63-1 (G07)")]
    SizeTooLarge(u64),
    /// A message would exceed the configured maximum size (libzmq's
    /// MAXMSGSIZE).
    #[error("message of at least {size} octets exceeds the maximum of {max}")]
    MessageTooLarge {
        /// The size declared or reached so far.
        size: u64,
        /// The configured maximum.
        max: u64,
    },
    /// A message would have more frames than the maximum message size
    /// allows (one per octet of it, and one at least): empty frames add
    /// no octets, yet each costs memory while the message is gathered.
    #[error("message of more than {max} frames (bounded by the maximum message size)")]
    TooManyFrames {
        /// The largest number of frames allowed.
        max: u64,
    },
    /// A command frame was empty or its name length was 0 or overran the
    /// body, or the name had a non-ALPHA character (G08).
    #[error("malformed command name (G08)")]
    BadCommandName,
    /// A command arrived between the frames of one multipart message (G09).
    #[error("command inside a multipart message (G09)")]
    CommandInsideMessage,
    /// A property name was empty or longer than the body (37-R26, G10).
    #[error("property name of length 0 or past the end of the body (37-R26, G10)")]
    BadPropertyName,
    /// A property name had a character outside `A-Z a-z 0-9 - _ . +` (G10).
    #[error("property name has a character outside A-Z a-z 0-9 - _ . + (G10)")]
    BadPropertyNameChar,
    /// A property value length was above 2^31-1 or overran the body
    /// (37-R28, 37-R29, G10).
    #[error("property value length {0} is over 2^31-1 or past the end of the body (37-R28, G10)")]
    BadPropertyValue(u32),
    /// The properties did not exactly fill the body (G10).
    #[error("{0} trailing octets after the last property (G10)")]
    TrailingPropertyBytes(usize),
    /// An ERROR reason length overran the body, or octets followed it (G11).
    #[error("malformed ERROR reason (G11)")]
    BadErrorReason,
    /// A PING was shorter than its 2-octet TTL, or a PING/PONG context was
    /// longer than 16 octets (G13, 37-R59).
    #[error("malformed PING or PONG (G13, 37-R59)")]
    BadPing,
    /// A JOIN/LEAVE group contained a NUL or was longer than 255 (G14).
    #[error("malformed JOIN or LEAVE group (G14)")]
    BadGroup,
    /// A 3.0 subscription message did not start with 0x00 or 0x01 (G17).
    #[error("subscription message does not start with 0x00 or 0x01 (G17)")]
    BadSubscriptionMessage,
    /// A ZMTP 1.0 frame declared length 0 (RFC 13).
    #[error("ZMTP 1.0 frame with length 0 (RFC 13)")]
    ZeroLengthLegacyFrame,
    /// A mechanism command body did not have the layout of its mechanism
    /// (G-P3..G-P5, G-C1..G-C7).
    #[error("malformed {command} body for {mechanism} ({rule})")]
    BadMechanismCommand {
        /// The mechanism.
        mechanism: &'static str,
        /// The command name.
        command: &'static str,
        /// The grammar rule broken.
        rule: &'static str,
    },
    /// A field of a command body ran past the end of the body. The rules map
    /// this to a more precise variant where they can (G08).
    #[error("a field runs past the end of the command body (G08)")]
    TruncatedBody,
    /// A ZWS message with no flags octet (45-R06).
    #[error("empty ZWS message: no flags octet (45-R06)")]
    EmptyZwsMessage,
    /// A ZWS flags octet other than 00, 01 or 02 (45-R06).
    #[error("ZWS flags octet {0:#04x} is not 0x00, 0x01 or 0x02 (45-R06)")]
    BadZwsFlags(u8),
    /// A frame arrived whose kind the current framing cannot carry, e.g. a
    /// command where the framing is ZMTP 2.0 or 1.0 (RFC 15, RFC 13).
    #[error("frame flags {0:#04x} are not valid in this framing")]
    UnexpectedFrame(u8),
}

impl<'a> nom::error::ParseError<&'a [u8]> for WireError {
    /// The rules only use nom's parsers for fixed-size fields, so the only
    /// error nom itself raises is "not enough input" inside a complete body.
    fn from_error_kind(_input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        Self::TruncatedBody
    }

    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// A value the local application asked to encode that the grammar forbids.
/// Nothing is written when encoding fails.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A message with no frames cannot be sent (G09: `message` has at least
    /// one frame).
    #[error("a message needs at least one frame (G09)")]
    EmptyMessage,
    /// A frame body longer than 2^63-1 octets (G07).
    #[error("frame body of {0} octets exceeds 2^63-1 (G07)")]
    FrameTooLarge(u64),
    /// A command frame cannot be sent with ZMTP 1.0 or 2.0 framing.
    #[error("commands do not exist in ZMTP 1.0/2.0 framing")]
    CommandInLegacyFraming,
    /// A command name that is empty, longer than 255 or not ALPHA (G08).
    #[error("command name is empty, longer than 255 or not ALPHA (G08)")]
    BadCommandName,
    /// A property name that is empty, longer than 255 or has a character
    /// outside `A-Z a-z 0-9 - _ . +` (37-R26, G10).
    #[error("property name is empty, longer than 255 or has a bad character (37-R26, G10)")]
    BadPropertyName,
    /// A property value longer than 2^31-1 octets (37-R28).
    #[error("property value of {0} octets exceeds 2^31-1 (37-R28)")]
    PropertyValueTooLong(usize),
    /// An ERROR reason longer than 255 octets or with a character outside
    /// VCHAR, `%x21-7E` (G11).
    #[error("ERROR reason longer than 255 or not VCHAR (G11)")]
    BadErrorReason,
    /// A PING or PONG context longer than 16 octets (37-R59, G13).
    #[error("PING/PONG context of {0} octets exceeds 16 (37-R59, G13)")]
    PingContextTooLong(usize),
    /// A JOIN/LEAVE group longer than 255 octets or containing NUL (G14).
    #[error("group longer than 255 or containing NUL (G14)")]
    BadGroup,
    /// A mechanism command field of the wrong size (G-P3, G-C1..G-C7).
    #[error("{field} does not fit the {mechanism} {command} layout ({rule})")]
    BadMechanismCommand {
        /// The mechanism.
        mechanism: &'static str,
        /// The command name.
        command: &'static str,
        /// The field at fault.
        field: &'static str,
        /// The grammar rule.
        rule: &'static str,
    },
}
