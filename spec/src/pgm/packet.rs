//! PGM packets (RFC 3208 section 8): the common header and the bodies of
//! SPM, ODATA, RDATA, NAK, N-NAK, NCF and SPMR.
//!
//! ```text
//!   header = sport(2) dport(2) type(1) options(1) checksum(2) gsi(6) tsdu-length(2)
//!   spm    = spm-sqn(4) trail(4) lead(4) nla-afi(2) reserved(2) nla(4 | 16)
//!   data   = data-sqn(4) trail(4)                [options] tsdu(tsdu-length)
//!   nak    = sqn(4) afi(2) res(2) source-nla  afi(2) res(2) group-nla  [options]
//!   spmr   = (empty)                             [options]
//! ```
//!
//! [`packet`] is the strict grammar (the checksum, lengths and address
//! families checked); [`Outgoing::encode`] is its inverse and computes the
//! checksum.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nom::Parser;
use nom::bytes::complete::take;
use nom::number::complete::{be_u8, be_u16, be_u32};

use super::checksum;
pub use super::error::PgmError;
use super::options::{self, Options};

/// Octets of the common header.
pub const HEADER_LEN: usize = 16;
/// The header's options bit: option extensions follow the body.
pub const OPT_PRESENT: u8 = 0x01;
/// The header's options bit: some option is network-significant.
pub const OPT_NETWORK: u8 = 0x02;
/// IP protocol number of PGM (pgm:// sends raw IP datagrams of it).
pub const IPPROTO_PGM: i32 = 113;

/// A Global Source Identifier: six octets that name the sender's host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gsi(pub [u8; 6]);

/// A Transport Session Identifier: the GSI and the source port
/// (PGM-R02). Each sending socket is one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tsi {
    /// The source's GSI.
    pub gsi: Gsi,
    /// The source port of the session's downstream packets.
    pub sport: u16,
}

/// A network-layer address as PGM carries it: an address family
/// indicator (1 IPv4, 2 IPv6), two reserved octets and the address.
pub type Nla = IpAddr;

/// A packet type (PGM-R01); unknown codes are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// 0x00: source path message.
    Spm,
    /// 0x04: original data.
    Odata,
    /// 0x05: repair data.
    Rdata,
    /// 0x08: negative acknowledgement.
    Nak,
    /// 0x09: null NAK (from a network element).
    Nnak,
    /// 0x0A: NAK confirmation.
    Ncf,
    /// 0x0C: SPM request.
    Spmr,
    /// Any other code (POLL 0x01, POLR 0x02, ACK 0x0D, ...).
    Other(u8),
}

impl PacketType {
    /// The type octet.
    pub fn code(self) -> u8 {
        match self {
            Self::Spm => 0x00,
            Self::Odata => 0x04,
            Self::Rdata => 0x05,
            Self::Nak => 0x08,
            Self::Nnak => 0x09,
            Self::Ncf => 0x0a,
            Self::Spmr => 0x0c,
            Self::Other(c) => c,
        }
    }

    /// The type of a type octet (its low nibble is the type; the version
    /// bits above are zero in every implementation).
    pub fn from_code(c: u8) -> Self {
        match c {
            0x00 => Self::Spm,
            0x04 => Self::Odata,
            0x05 => Self::Rdata,
            0x08 => Self::Nak,
            0x09 => Self::Nnak,
            0x0a => Self::Ncf,
            0x0c => Self::Spmr,
            c => Self::Other(c),
        }
    }
}

/// The common header, as read (PGM-R01..PGM-R03).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Source port (the session's port downstream; upstream packets swap
    /// source and destination ports).
    pub sport: u16,
    /// Destination port (the session's data port, the endpoint's port
    /// under libzmq).
    pub dport: u16,
    /// Packet type.
    pub kind: PacketType,
    /// The options octet.
    pub options: u8,
    /// The checksum as sent.
    pub checksum: u16,
    /// The source's GSI.
    pub gsi: Gsi,
    /// Octets of data after the options (data packets; 0 otherwise).
    pub tsdu_length: u16,
}

/// The SPM body (PGM-R12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spm {
    /// SPM sequence number (its own sequence).
    pub sqn: u32,
    /// Trailing edge of the transmit window.
    pub trail: u32,
    /// Leading edge: the last data sequence number sent.
    pub lead: u32,
    /// The source's unicast address, where NAKs go.
    pub nla: Nla,
}

/// The NAK, N-NAK and NCF body (PGM-R13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nak {
    /// The first sequence number asked for (more in OPT_NAK_LIST).
    pub sqn: u32,
    /// The source's unicast address as its SPM gave it.
    pub source: Nla,
    /// The multicast group.
    pub group: Nla,
}

/// The body of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body<'a> {
    /// SPM.
    Spm(Spm),
    /// ODATA or RDATA: sequence number, trailing edge, data.
    Data {
        /// The data sequence number.
        sqn: u32,
        /// The transmit window's trailing edge.
        trail: u32,
        /// The TSDU.
        tsdu: &'a [u8],
    },
    /// NAK, N-NAK or NCF.
    Nak(Nak),
    /// SPMR.
    Spmr,
    /// Another type, unread.
    Other(&'a [u8]),
}

/// A whole packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The header.
    pub header: Header,
    /// The body.
    pub body: Body<'a>,
    /// The options.
    pub options: Options,
}

impl Packet<'_> {
    /// The session this packet belongs to (for upstream packets the
    /// session's port is the destination port).
    pub fn tsi(&self) -> Tsi {
        let sport = match self.header.kind {
            PacketType::Nak | PacketType::Nnak | PacketType::Spmr => self.header.dport,
            _ => self.header.sport,
        };
        Tsi {
            gsi: self.header.gsi,
            sport,
        }
    }
}

fn trunc(_: nom::Err<nom::error::Error<&[u8]>>) -> PgmError {
    PgmError::Truncated
}

/// `header`: the 16-octet common header (PGM-R01).
pub fn header(input: &[u8]) -> Result<(&[u8], Header), PgmError> {
    let (rest, (sport, dport, kind, options, checksum, gsi, tsdu_length)) =
        (be_u16, be_u16, be_u8, be_u8, be_u16, take(6usize), be_u16)
            .parse(input)
            .map_err(trunc)?;
    let mut g = [0; 6];
    g.copy_from_slice(gsi);
    Ok((
        rest,
        Header {
            sport,
            dport,
            kind: PacketType::from_code(kind),
            options,
            checksum,
            gsi: Gsi(g),
            tsdu_length,
        },
    ))
}

/// `nla`: address family, two reserved octets, then 4 or 16 address
/// octets (PGM-R04).
pub fn nla(input: &[u8]) -> Result<(&[u8], Nla), PgmError> {
    let (rest, (afi, _)) = (be_u16, be_u16).parse(input).map_err(trunc)?;
    match afi {
        1 => {
            let (rest, a) = take(4usize)(rest).map_err(trunc)?;
            Ok((rest, IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]))))
        }
        2 => {
            let (rest, a) = take(16usize)(rest).map_err(trunc)?;
            let mut b = [0; 16];
            b.copy_from_slice(a);
            Ok((rest, IpAddr::V6(Ipv6Addr::from(b))))
        }
        _ => Err(PgmError::BadAddressFamily),
    }
}

/// `packet`: a whole PGM packet, one datagram (PGM-R01..PGM-R13). The
/// checksum is verified when it is not zero; ODATA and RDATA must carry
/// one (OpenPGM refuses them otherwise).
pub fn packet(input: &[u8]) -> Result<Packet<'_>, PgmError> {
    let (rest, header) = header(input)?;
    if header.checksum != 0 {
        if checksum::of_packet(input) != header.checksum {
            return Err(PgmError::BadChecksum);
        }
    } else if matches!(header.kind, PacketType::Odata | PacketType::Rdata) {
        return Err(PgmError::MissingChecksum);
    }
    let (rest, body) = match header.kind {
        PacketType::Spm => {
            let (r, (sqn, trail, lead)) = (be_u32, be_u32, be_u32).parse(rest).map_err(trunc)?;
            let (r, nla) = nla(r)?;
            (
                r,
                Body::Spm(Spm {
                    sqn,
                    trail,
                    lead,
                    nla,
                }),
            )
        }
        PacketType::Odata | PacketType::Rdata => {
            let (r, (sqn, trail)) = (be_u32, be_u32).parse(rest).map_err(trunc)?;
            (
                r,
                Body::Data {
                    sqn,
                    trail,
                    tsdu: &[],
                },
            )
        }
        PacketType::Nak | PacketType::Nnak | PacketType::Ncf => {
            let (r, sqn) = be_u32::<_, nom::error::Error<&[u8]>>(rest).map_err(trunc)?;
            let (r, source) = nla(r)?;
            let (r, group) = nla(r)?;
            (r, Body::Nak(Nak { sqn, source, group }))
        }
        PacketType::Spmr => (rest, Body::Spmr),
        PacketType::Other(_) => (&rest[rest.len()..], Body::Other(rest)),
    };
    let (rest, options) = if header.options & OPT_PRESENT != 0 && !matches!(body, Body::Other(_)) {
        options::options(rest)?
    } else {
        (rest, Options::default())
    };
    let body = match body {
        Body::Data { sqn, trail, .. } => {
            if rest.len() != usize::from(header.tsdu_length) {
                return Err(PgmError::BadTsduLength);
            }
            Body::Data {
                sqn,
                trail,
                tsdu: rest,
            }
        }
        b => b,
    };
    Ok(Packet {
        header,
        body,
        options,
    })
}

fn put_nla(out: &mut Vec<u8>, nla: Nla) {
    match nla {
        IpAddr::V4(a) => {
            out.extend_from_slice(&[0, 1, 0, 0]);
            out.extend_from_slice(&a.octets());
        }
        IpAddr::V6(a) => {
            out.extend_from_slice(&[0, 2, 0, 0]);
            out.extend_from_slice(&a.octets());
        }
    }
}

/// What a packet to write holds: the encoder's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing<'a> {
    /// Packet type.
    pub kind: PacketType,
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// GSI.
    pub gsi: Gsi,
    /// The body (a `Data` body's `tsdu` is the data written).
    pub body: Body<'a>,
    /// Options.
    pub options: Options,
}

impl Outgoing<'_> {
    /// Octets [`Outgoing::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        let nla_len = |a: &Nla| if a.is_ipv4() { 8 } else { 20 };
        HEADER_LEN
            + match &self.body {
                Body::Spm(s) => 12 + nla_len(&s.nla),
                Body::Data { tsdu, .. } => 8 + tsdu.len(),
                Body::Nak(n) => 4 + nla_len(&n.source) + nla_len(&n.group),
                Body::Spmr => 0,
                Body::Other(b) => b.len(),
            }
            + self.options.encoded_len()
    }

    /// Appends the packet to `out`, checksum computed (PGM-R05). The
    /// TSDU is at most 65535 octets (a datagram's bound); more is
    /// truncated in the header's length field, so callers keep to the
    /// TPDU size.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let start = out.len();
        let tsdu_len = match &self.body {
            Body::Data { tsdu, .. } => tsdu.len(),
            _ => 0,
        };
        let opt = if self.options.is_empty() {
            0
        } else {
            OPT_PRESENT
        };
        out.extend_from_slice(&self.sport.to_be_bytes());
        out.extend_from_slice(&self.dport.to_be_bytes());
        out.extend_from_slice(&[self.kind.code(), opt, 0, 0]);
        out.extend_from_slice(&self.gsi.0);
        #[allow(clippy::cast_possible_truncation)]
        out.extend_from_slice(&(tsdu_len as u16).to_be_bytes());
        match &self.body {
            Body::Spm(s) => {
                out.extend_from_slice(&s.sqn.to_be_bytes());
                out.extend_from_slice(&s.trail.to_be_bytes());
                out.extend_from_slice(&s.lead.to_be_bytes());
                put_nla(out, s.nla);
                self.options.encode(out);
            }
            Body::Data { sqn, trail, tsdu } => {
                out.extend_from_slice(&sqn.to_be_bytes());
                out.extend_from_slice(&trail.to_be_bytes());
                self.options.encode(out);
                out.extend_from_slice(tsdu);
            }
            Body::Nak(n) => {
                out.extend_from_slice(&n.sqn.to_be_bytes());
                put_nla(out, n.source);
                put_nla(out, n.group);
                self.options.encode(out);
            }
            Body::Spmr => self.options.encode(out),
            Body::Other(b) => out.extend_from_slice(b),
        }
        let sum = checksum::of_packet(&out[start..]);
        out[start + 6..start + 8].copy_from_slice(&sum.to_be_bytes());
    }

    /// The packet as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        self.encode(&mut v);
        v
    }
}
