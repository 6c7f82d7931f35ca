//! The NORM packet grammar (RFC 5740 §4), big-endian throughout.

use super::NormError;

/// The message types of the common header's low nibble (NORM-R01).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsgType {
    /// NORM_INFO (1).
    Info,
    /// NORM_DATA (2).
    Data,
    /// NORM_CMD (3).
    Cmd,
    /// NORM_NACK (4).
    Nack,
    /// NORM_ACK (5).
    Ack,
    /// NORM_REPORT (6) or a type this crate does not know.
    Other(u8),
}

impl MsgType {
    fn from_nibble(n: u8) -> Self {
        match n {
            1 => Self::Info,
            2 => Self::Data,
            3 => Self::Cmd,
            4 => Self::Nack,
            5 => Self::Ack,
            n => Self::Other(n),
        }
    }
}

/// The 8-octet common header (NORM-R01).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The message type.
    pub msg_type: MsgType,
    /// The header length in octets (the wire field counts 32-bit words).
    pub hdr_len: usize,
    /// The per-source transmission sequence number.
    pub sequence: u16,
    /// The sending node's id.
    pub source_id: u32,
}

/// A stream segment's payload header and data (NORM-R04).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamPayload<'a> {
    /// Where in this segment's data a message starts (`msg_start - 1`),
    /// if one does.
    pub msg_start: Option<usize>,
    /// The stream byte offset of the data's first octet.
    pub offset: u32,
    /// The segment's data, `payload_len` octets.
    pub data: &'a [u8],
}

/// The FEC object transmission information of EXT_FTI for fec id 5
/// (NORM-R03).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fti {
    /// The object's transfer length (a stream's buffer size).
    pub transfer_length: u64,
    /// The segment (encoding symbol) size.
    pub segment_size: u16,
    /// Source symbols per block.
    pub block_size: u8,
    /// The last octet: libnorm writes its parity count here (see
    /// conformance/FINDINGS.md, NORM).
    pub num_parity: u8,
}

/// NORM_DATA (NORM-R02).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Data<'a> {
    /// The sender's instance id.
    pub instance_id: u16,
    /// The quantized GRTT.
    pub grtt: u8,
    /// The flags octet (0x20 stream, 0x01 repair, ...).
    pub flags: u8,
    /// The object transport id.
    pub object_id: u16,
    /// The source block number (24 bits for fec id 5).
    pub block: u32,
    /// The encoding symbol id (below `block_size`: data; above: parity).
    pub symbol: u8,
    /// EXT_FTI, when present.
    pub fti: Option<Fti>,
    /// The stream payload, when the stream flag is set.
    pub stream: Option<StreamPayload<'a>>,
}

/// The NORM_CMD flavours libnorm sends to a libzmq receiver (NORM-R05).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// NORM_CMD(FLUSH) (1): the last segment sent so far.
    Flush {
        /// The sender's instance id.
        instance_id: u16,
        /// The object transport id.
        object_id: u16,
        /// The source block number.
        block: u32,
        /// The encoding symbol id.
        symbol: u8,
    },
    /// NORM_CMD(CC) (4): a GRTT probe with its send time.
    Cc {
        /// The sender's instance id.
        instance_id: u16,
        /// The probe's sequence.
        cc_sequence: u16,
        /// Seconds and microseconds of the send time.
        send_time: (u32, u32),
    },
    /// Another flavour, not read further.
    Other {
        /// The flavour octet.
        flavor: u8,
    },
}

/// One packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packet<'a> {
    /// NORM_DATA.
    Data(Header, Data<'a>),
    /// NORM_CMD.
    Cmd(Header, Cmd),
    /// Any other type, header only.
    Other(Header),
}

fn be16(b: &[u8], at: usize) -> Result<u16, NormError> {
    b.get(at..at + 2)
        .map(|s| u16::from_be_bytes([s[0], s[1]]))
        .ok_or(NormError::Truncated)
}

fn be32(b: &[u8], at: usize) -> Result<u32, NormError> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(NormError::Truncated)
}

fn byte(b: &[u8], at: usize) -> Result<u8, NormError> {
    b.get(at).copied().ok_or(NormError::Truncated)
}

/// Reads one datagram. Never panics; every length is checked against the
/// datagram.
pub fn parse(b: &[u8]) -> Result<Packet<'_>, NormError> {
    let first = byte(b, 0)?;
    if first >> 4 != 1 {
        return Err(NormError::BadVersion);
    }
    let hdr_len = usize::from(byte(b, 1)?) * 4;
    let header = Header {
        msg_type: MsgType::from_nibble(first & 0x0f),
        hdr_len,
        sequence: be16(b, 2)?,
        source_id: be32(b, 4)?,
    };
    if hdr_len < 8 {
        return Err(NormError::BadHeaderLength);
    }
    if b.len() < hdr_len {
        return Err(NormError::Truncated);
    }
    match header.msg_type {
        MsgType::Data => parse_data(b, hdr_len).map(|d| Packet::Data(header, d)),
        MsgType::Cmd => parse_cmd(b, hdr_len).map(|c| Packet::Cmd(header, c)),
        _ => Ok(Packet::Other(header)),
    }
}

/// The fixed part of NORM_DATA with fec id 5: common header, instance id,
/// grtt, backoff/gsize, flags, fec id, object id, FEC payload id.
const DATA_FIXED: usize = 20;

fn parse_data(b: &[u8], hdr_len: usize) -> Result<Data<'_>, NormError> {
    if hdr_len < DATA_FIXED {
        return Err(NormError::BadHeaderLength);
    }
    if byte(b, 13)? != 5 {
        return Err(NormError::UnsupportedFec);
    }
    let payload_id = be32(b, 16)?;
    let mut fti = None;
    let mut at = DATA_FIXED;
    while at < hdr_len {
        let het = byte(b, at)?;
        // HET 128..=255 are 4 octets long; others carry a length in words.
        let len = if het >= 128 {
            4
        } else {
            usize::from(byte(b, at + 1)?) * 4
        };
        if len == 0 || at + len > hdr_len {
            return Err(NormError::BadExtension);
        }
        if het == 64 && len == 12 {
            let hi = u64::from(be16(b, at + 2)?);
            let lo = u64::from(be32(b, at + 4)?);
            fti = Some(Fti {
                transfer_length: (hi << 32) | lo,
                segment_size: be16(b, at + 8)?,
                block_size: byte(b, at + 10)?,
                num_parity: byte(b, at + 11)?,
            });
        }
        at += len;
    }
    let flags = byte(b, 12)?;
    let stream = if flags & 0x20 != 0 {
        let len = usize::from(be16(b, hdr_len)?);
        let msg_start = be16(b, hdr_len + 2)?;
        let offset = be32(b, hdr_len + 4)?;
        let data = b
            .get(hdr_len + 8..hdr_len + 8 + len)
            .ok_or(NormError::Truncated)?;
        let msg_start = match usize::from(msg_start) {
            0 => None,
            n if n - 1 < len => Some(n - 1),
            _ => return Err(NormError::Truncated),
        };
        Some(StreamPayload {
            msg_start,
            offset,
            data,
        })
    } else {
        None
    };
    Ok(Data {
        instance_id: be16(b, 8)?,
        grtt: byte(b, 10)?,
        flags,
        object_id: be16(b, 14)?,
        block: payload_id >> 8,
        symbol: (payload_id & 0xff) as u8,
        fti,
        stream,
    })
}

fn parse_cmd(b: &[u8], hdr_len: usize) -> Result<Cmd, NormError> {
    if hdr_len < 13 {
        return Err(NormError::BadHeaderLength);
    }
    let instance_id = be16(b, 8)?;
    match byte(b, 12)? {
        1 => {
            if hdr_len < 20 {
                return Err(NormError::BadHeaderLength);
            }
            if byte(b, 13)? != 5 {
                return Err(NormError::UnsupportedFec);
            }
            let payload_id = be32(b, 16)?;
            Ok(Cmd::Flush {
                instance_id,
                object_id: be16(b, 14)?,
                block: payload_id >> 8,
                symbol: (payload_id & 0xff) as u8,
            })
        }
        4 => {
            if hdr_len < 24 {
                return Err(NormError::BadHeaderLength);
            }
            Ok(Cmd::Cc {
                instance_id,
                cc_sequence: be16(b, 14)?,
                send_time: (be32(b, 16)?, be32(b, 20)?),
            })
        }
        flavor => Ok(Cmd::Other { flavor }),
    }
}
