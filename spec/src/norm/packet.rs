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
    /// The backoff factor receivers scale their NACK wait by (the high
    /// nibble after the GRTT).
    pub backoff: u8,
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
    /// The stream payload, when the stream flag is set and this is a
    /// source symbol.
    pub stream: Option<StreamPayload<'a>>,
    /// Every octet after the header: for a parity symbol, the encoded
    /// vector (NORM-R19).
    pub payload: &'a [u8],
}

/// The NORM_CMD flavours libnorm sends to a libzmq receiver (NORM-R05).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd<'a> {
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
    /// NORM_CMD(SQUELCH) (3): the sender no longer holds what was asked
    /// for; this is the first segment it can still repair (NORM-R09).
    Squelch {
        /// The sender's instance id.
        instance_id: u16,
        /// The object transport id.
        object_id: u16,
        /// The source block number.
        block: u32,
        /// The encoding symbol id.
        symbol: u8,
    },
    /// NORM_CMD(CC) (4): a GRTT probe with its send time (NORM-R07).
    Cc {
        /// The sender's instance id.
        instance_id: u16,
        /// The sender's quantized GRTT.
        grtt: u8,
        /// The probe's sequence.
        cc_sequence: u16,
        /// Seconds and microseconds of the send time.
        send_time: (u32, u32),
        /// EXT_RATE's quantized send rate: present when the sender wants
        /// congestion-control feedback.
        send_rate: Option<u16>,
        /// The probe's list of receivers it names (CLR, PLR, RTT).
        nodes: CcNodes<'a>,
    },
    /// Another flavour, not read further.
    Other {
        /// The flavour octet.
        flavor: u8,
    },
}

/// The NORM-CC flags (RFC 5740 §4.2.3.2 and §5.5.2).
pub mod cc_flag {
    /// The node is the current limiting receiver.
    pub const CLR: u8 = 0x01;
    /// The node is a potential limiting receiver.
    pub const PLR: u8 = 0x02;
    /// The node's RTT was measured by the sender.
    pub const RTT: u8 = 0x04;
    /// The node is in slow start (no loss seen yet).
    pub const START: u8 = 0x08;
    /// The node is leaving the group.
    pub const LEAVE: u8 = 0x10;
}

/// A NORM_CMD(CC) node list: 8 octets per node (id, flags, quantized RTT,
/// quantized rate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CcNodes<'a>(&'a [u8]);

/// One entry of a [`CcNodes`] list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CcNode {
    /// The receiver's node id.
    pub id: u32,
    /// [`cc_flag`] bits.
    pub flags: u8,
    /// The quantized RTT the sender measured for it.
    pub rtt: u8,
    /// The quantized rate.
    pub rate: u16,
}

impl CcNodes<'_> {
    /// The entry naming `id`, if any.
    pub fn find(&self, id: u32) -> Option<CcNode> {
        self.0.chunks_exact(8).find_map(|c| {
            let n = CcNode {
                id: u32::from_be_bytes([c[0], c[1], c[2], c[3]]),
                flags: c[4],
                rtt: c[5],
                rate: u16::from_be_bytes([c[6], c[7]]),
            };
            (n.id == id).then_some(n)
        })
    }

    /// How many entries the list holds.
    pub fn len(&self) -> usize {
        self.0.len() / 8
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// EXT_CC, the NORM-CC feedback a receiver attaches to NACK and ACK
/// (NORM-R08).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CcFeedback {
    /// The CMD(CC) sequence it answers.
    pub cc_sequence: u16,
    /// [`cc_flag`] bits.
    pub flags: u8,
    /// The quantized RTT the receiver holds.
    pub rtt: u8,
    /// The loss estimate, scaled to 2^32 - 1 (libnorm's extended form:
    /// the RFC's 16-bit loss and the reserved field after the rate).
    pub loss32: u32,
    /// The quantized rate the receiver asks for.
    pub rate: u16,
}

/// NORM_ACK (NORM-R08).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    /// The sender the ACK is for.
    pub server_id: u32,
    /// The sender's instance id.
    pub instance_id: u16,
    /// 1: CC, 2: FLUSH, 16 and up: application.
    pub ack_type: u8,
    /// The ACK id.
    pub ack_id: u8,
    /// The sender's probe send time, moved on by the time the receiver
    /// held it (seconds, microseconds; zero when it has none).
    pub grtt_response: (u32, u32),
    /// EXT_CC, when present.
    pub cc: Option<CcFeedback>,
}

/// NORM_NACK (NORM-R09).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nack<'a> {
    /// The sender the NACK is for.
    pub server_id: u32,
    /// The sender's instance id.
    pub instance_id: u16,
    /// As in [`Ack::grtt_response`].
    pub grtt_response: (u32, u32),
    /// EXT_CC, when present.
    pub cc: Option<CcFeedback>,
    /// The repair requests, checked: each request's length fits.
    requests: &'a [u8],
}

/// How a repair request lists what it asks for (RFC 5740 §4.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepairForm {
    /// Each item names one thing.
    Items,
    /// Items in pairs: first and last of a range.
    Ranges,
    /// Items carry erasure counts.
    Erasures,
}

/// Repair request flags.
pub mod repair_flag {
    /// Segments are asked for.
    pub const SEGMENT: u8 = 0x01;
    /// Whole blocks are asked for.
    pub const BLOCK: u8 = 0x02;
    /// NORM_INFO is asked for.
    pub const INFO: u8 = 0x04;
    /// Whole objects are asked for.
    pub const OBJECT: u8 = 0x08;
}

/// One repair request of a NACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RepairRequest<'a> {
    /// The form.
    pub form: RepairForm,
    /// [`repair_flag`] bits.
    pub flags: u8,
    items: &'a [u8],
}

/// One repair item (FEC id 5: 8 octets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RepairItem {
    /// The FEC encoding id (5).
    pub fec_id: u8,
    /// The object transport id.
    pub object_id: u16,
    /// The source block number.
    pub block: u32,
    /// The encoding symbol id.
    pub symbol: u8,
}

impl<'a> Nack<'a> {
    /// The repair requests, in order.
    pub fn requests(&self) -> impl Iterator<Item = RepairRequest<'a>> + 'a {
        let mut rest = self.requests;
        std::iter::from_fn(move || {
            let (form, flags, len) = (rest.first()?, rest.get(1)?, be16(rest, 2).ok()?);
            let len = usize::from(len);
            let items = rest.get(4..4 + len)?;
            rest = &rest[4 + len..];
            let form = match form {
                1 => RepairForm::Items,
                2 => RepairForm::Ranges,
                _ => RepairForm::Erasures,
            };
            Some(RepairRequest {
                form,
                flags: *flags,
                items,
            })
        })
    }
}

impl RepairRequest<'_> {
    /// The items, in order (a trailing partial item is ignored).
    pub fn items(&self) -> impl Iterator<Item = RepairItem> + '_ {
        self.items.chunks_exact(8).map(|c| {
            let id = u32::from_be_bytes([c[4], c[5], c[6], c[7]]);
            RepairItem {
                fec_id: c[0],
                object_id: u16::from_be_bytes([c[2], c[3]]),
                block: id >> 8,
                symbol: (id & 0xff) as u8,
            }
        })
    }
}

/// One packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packet<'a> {
    /// NORM_DATA.
    Data(Header, Data<'a>),
    /// NORM_CMD.
    Cmd(Header, Cmd<'a>),
    /// NORM_NACK.
    Nack(Header, Nack<'a>),
    /// NORM_ACK.
    Ack(Header, Ack),
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
        MsgType::Nack => parse_nack(b, hdr_len).map(|n| Packet::Nack(header, n)),
        MsgType::Ack => parse_ack(b, hdr_len).map(|a| Packet::Ack(header, a)),
        _ => Ok(Packet::Other(header)),
    }
}

/// Walks the header extensions in `b[from..hdr_len]`, calling `f` with
/// each one's type and octets (NORM-R03).
fn extensions<'a>(
    b: &'a [u8],
    from: usize,
    hdr_len: usize,
    mut f: impl FnMut(u8, &'a [u8]) -> Result<(), NormError>,
) -> Result<(), NormError> {
    let mut at = from;
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
        f(het, &b[at..at + len])?;
        at += len;
    }
    Ok(())
}

/// EXT_CC's type.
pub const EXT_CC: u8 = 3;
/// EXT_FTI's type.
pub const EXT_FTI: u8 = 64;
/// EXT_RATE's type.
pub const EXT_RATE: u8 = 128;

fn cc_feedback(e: &[u8]) -> Result<CcFeedback, NormError> {
    if e.len() != 12 {
        return Err(NormError::BadExtension);
    }
    Ok(CcFeedback {
        cc_sequence: be16(e, 2)?,
        flags: e[4],
        rtt: e[5],
        loss32: (u32::from(be16(e, 6)?) << 16) | u32::from(be16(e, 10)?),
        rate: be16(e, 8)?,
    })
}

/// The fixed part of NACK and ACK: common header, server id, instance id,
/// two octets, the GRTT response.
const FEEDBACK_FIXED: usize = 24;

/// The EXT_CC of a NACK or ACK, if it carries one, after checking that
/// the header holds the fixed part.
fn feedback_cc(b: &[u8], hdr_len: usize) -> Result<Option<CcFeedback>, NormError> {
    if hdr_len < FEEDBACK_FIXED {
        return Err(NormError::BadHeaderLength);
    }
    let mut cc = None;
    extensions(b, FEEDBACK_FIXED, hdr_len, |t, e| {
        if t == EXT_CC {
            cc = Some(cc_feedback(e)?);
        }
        Ok(())
    })?;
    Ok(cc)
}

fn parse_nack(b: &[u8], hdr_len: usize) -> Result<Nack<'_>, NormError> {
    let cc = feedback_cc(b, hdr_len)?;
    let requests = &b[hdr_len..];
    // Every request's length must fit (NORM-R09).
    let mut rest = requests;
    while !rest.is_empty() {
        let len = usize::from(be16(rest, 2)?);
        rest = rest.get(4 + len..).ok_or(NormError::Truncated)?;
    }
    Ok(Nack {
        server_id: be32(b, 8)?,
        instance_id: be16(b, 12)?,
        grtt_response: (be32(b, 16)?, be32(b, 20)?),
        cc,
        requests,
    })
}

fn parse_ack(b: &[u8], hdr_len: usize) -> Result<Ack, NormError> {
    let cc = feedback_cc(b, hdr_len)?;
    Ok(Ack {
        server_id: be32(b, 8)?,
        instance_id: be16(b, 12)?,
        ack_type: byte(b, 14)?,
        ack_id: byte(b, 15)?,
        grtt_response: (be32(b, 16)?, be32(b, 20)?),
        cc,
    })
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
    extensions(b, DATA_FIXED, hdr_len, |t, e| {
        if t == EXT_FTI && e.len() == 12 {
            let hi = u64::from(be16(e, 2)?);
            let lo = u64::from(be32(e, 4)?);
            fti = Some(Fti {
                transfer_length: (hi << 32) | lo,
                segment_size: be16(e, 8)?,
                block_size: e[10],
                num_parity: e[11],
            });
        }
        Ok(())
    })?;
    let flags = byte(b, 12)?;
    // A parity symbol's payload is FEC-encoded, stream header included:
    // it is not read as a stream segment.
    let parity = fti.is_some_and(|f| (payload_id & 0xff) as u8 >= f.block_size);
    let stream = if flags & 0x20 != 0 && !parity {
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
        backoff: byte(b, 11)? >> 4,
        flags,
        object_id: be16(b, 14)?,
        block: payload_id >> 8,
        symbol: (payload_id & 0xff) as u8,
        fti,
        stream,
        payload: &b[hdr_len..],
    })
}

/// The segment a FLUSH or SQUELCH names: FEC id 5 at octet 13, the object
/// at 14, the FEC payload id at 16.
fn segment_named(b: &[u8], hdr_len: usize) -> Result<(u16, u32, u8), NormError> {
    if hdr_len < 20 {
        return Err(NormError::BadHeaderLength);
    }
    if byte(b, 13)? != 5 {
        return Err(NormError::UnsupportedFec);
    }
    let payload_id = be32(b, 16)?;
    Ok((be16(b, 14)?, payload_id >> 8, (payload_id & 0xff) as u8))
}

fn parse_cmd(b: &[u8], hdr_len: usize) -> Result<Cmd<'_>, NormError> {
    if hdr_len < 13 {
        return Err(NormError::BadHeaderLength);
    }
    let instance_id = be16(b, 8)?;
    match byte(b, 12)? {
        1 => {
            let (object_id, block, symbol) = segment_named(b, hdr_len)?;
            Ok(Cmd::Flush {
                instance_id,
                object_id,
                block,
                symbol,
            })
        }
        3 => {
            let (object_id, block, symbol) = segment_named(b, hdr_len)?;
            Ok(Cmd::Squelch {
                instance_id,
                object_id,
                block,
                symbol,
            })
        }
        4 => {
            if hdr_len < 24 {
                return Err(NormError::BadHeaderLength);
            }
            let mut send_rate = None;
            extensions(b, 24, hdr_len, |t, e| {
                if t == EXT_RATE {
                    send_rate = Some(be16(e, 2)?);
                }
                Ok(())
            })?;
            Ok(Cmd::Cc {
                instance_id,
                grtt: byte(b, 10)?,
                cc_sequence: be16(b, 14)?,
                send_time: (be32(b, 16)?, be32(b, 20)?),
                send_rate,
                nodes: CcNodes(&b[hdr_len..]),
            })
        }
        flavor => Ok(Cmd::Other { flavor }),
    }
}
