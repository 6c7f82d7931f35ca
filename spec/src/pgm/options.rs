//! PGM option extensions (RFC 3208 section 9) as OpenPGM writes them.
//!
//! ```text
//!   options    = opt-length 1*option               (when the header's
//!                                                   OPT_PRESENT bit is set)
//!   opt-length = %x00 %x04 total-length(2)         (first, counts itself)
//!   option     = type(1, top bit = last) length(1) flags(1) body(length - 3)
//!   fragment   = %x01 16 flags reserved first-sqn(4) offset(4) apdu-len(4)
//!   nak-list   = %x02 len flags reserved 1*62 sqn(4)
//!   join       = %x03 8  flags reserved min-sqn(4)
//!   syn / fin / rst = %x0D / %x0E / %x0F 4 flags reserved
//! ```
//!
//! Options this crate does not act on (FEC parity, congestion control,
//! redirect) are kept as their type code and skipped (PGM-R09).

use nom::Parser;
use nom::bytes::complete::take;
use nom::number::complete::{be_u8, be_u16, be_u32};

use super::error::PgmError;

/// OPT_LENGTH.
pub const OPT_LENGTH: u8 = 0x00;
/// OPT_FRAGMENT.
pub const OPT_FRAGMENT: u8 = 0x01;
/// OPT_NAK_LIST.
pub const OPT_NAK_LIST: u8 = 0x02;
/// OPT_JOIN.
pub const OPT_JOIN: u8 = 0x03;
/// OPT_SYN.
pub const OPT_SYN: u8 = 0x0d;
/// OPT_FIN.
pub const OPT_FIN: u8 = 0x0e;
/// OPT_RST.
pub const OPT_RST: u8 = 0x0f;
/// The bit of an option's type octet that marks the last option.
pub const OPT_END: u8 = 0x80;
/// At most this many options in one packet (OpenPGM's limit; PGM-R08).
pub const MAX_OPTIONS: usize = 16;
/// At most this many extra sequence numbers in OPT_NAK_LIST (PGM-R10).
pub const MAX_NAK_LIST: usize = 62;

/// An APDU fragment's place (OPT_FRAGMENT, PGM-R11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// Sequence number of the APDU's first fragment.
    pub first_sqn: u32,
    /// Offset of this fragment in the APDU.
    pub offset: u32,
    /// Length of the whole APDU.
    pub apdu_len: u32,
}

/// The options of one packet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// OPT_FRAGMENT.
    pub fragment: Option<Fragment>,
    /// OPT_NAK_LIST: further sequence numbers a NAK or NCF covers.
    pub nak_list: Vec<u32>,
    /// OPT_JOIN: the lowest sequence number a late joiner may ask for.
    pub join: Option<u32>,
    /// OPT_SYN: the first packet of a session.
    pub syn: bool,
    /// OPT_FIN: the session ends.
    pub fin: bool,
    /// OPT_RST: the session was reset.
    pub rst: bool,
    /// Type codes of options kept but not interpreted.
    pub other: Vec<u8>,
}

impl Options {
    /// Whether no option is set (the header's OPT_PRESENT bit is clear).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Octets [`Options::encode`] writes (zero when empty). Options kept
    /// only by type (`other`) are not written.
    pub fn encoded_len(&self) -> usize {
        if self.is_empty() {
            return 0;
        }
        let mut n = 4;
        if self.fragment.is_some() {
            n += 16;
        }
        if !self.nak_list.is_empty() {
            n += 4 + 4 * self.nak_list.len();
        }
        if self.join.is_some() {
            n += 8;
        }
        n += 4 * (usize::from(self.syn) + usize::from(self.fin) + usize::from(self.rst));
        n
    }

    /// Writes OPT_LENGTH and the options, the last one marked (PGM-R07).
    /// At most [`MAX_NAK_LIST`] NAK-list entries are written.
    pub fn encode(&self, out: &mut Vec<u8>) {
        if self.is_empty() {
            return;
        }
        let total = self.encoded_len();
        out.extend_from_slice(&[OPT_LENGTH, 4]);
        // Options are bounded far below 64 KiB (16 options of at most 252).
        #[allow(clippy::cast_possible_truncation)]
        out.extend_from_slice(&(total as u16).to_be_bytes());
        let mut items: Vec<(u8, Vec<u8>)> = Vec::new();
        if let Some(f) = self.fragment {
            let mut b = vec![0, 0];
            b.extend_from_slice(&f.first_sqn.to_be_bytes());
            b.extend_from_slice(&f.offset.to_be_bytes());
            b.extend_from_slice(&f.apdu_len.to_be_bytes());
            items.push((OPT_FRAGMENT, b));
        }
        if !self.nak_list.is_empty() {
            let mut b = vec![0, 0];
            for s in self.nak_list.iter().take(MAX_NAK_LIST) {
                b.extend_from_slice(&s.to_be_bytes());
            }
            items.push((OPT_NAK_LIST, b));
        }
        if let Some(j) = self.join {
            let mut b = vec![0, 0];
            b.extend_from_slice(&j.to_be_bytes());
            items.push((OPT_JOIN, b));
        }
        for (on, t) in [
            (self.syn, OPT_SYN),
            (self.fin, OPT_FIN),
            (self.rst, OPT_RST),
        ] {
            if on {
                items.push((t, vec![0, 0]));
            }
        }
        let last = items.len().saturating_sub(1);
        for (i, (t, body)) in items.into_iter().enumerate() {
            let t = if i == last { t | OPT_END } else { t };
            // An option body is at most 4 * 62 + 1 octets.
            #[allow(clippy::cast_possible_truncation)]
            out.extend_from_slice(&[t, (body.len() + 2) as u8]);
            out.extend_from_slice(&body);
        }
    }
}

type IResult<'a, T> = nom::IResult<&'a [u8], T>;

fn bad(_: nom::Err<nom::error::Error<&[u8]>>) -> PgmError {
    PgmError::Truncated
}

/// `options`: OPT_LENGTH, then options up to the one marked last. Returns
/// the options and what follows them (PGM-R07..PGM-R11).
pub fn options(input: &[u8]) -> Result<(&[u8], Options), PgmError> {
    let (rest, (t, l, total)) = (be_u8, be_u8, be_u16).parse(input).map_err(bad)?;
    if t != OPT_LENGTH || l != 4 {
        return Err(PgmError::MissingOptLength);
    }
    let total = usize::from(total);
    if total < 4 || total > input.len() {
        return Err(PgmError::BadOptionLength);
    }
    let (mut body, after) = (&rest[..total - 4], &input[total..]);
    let mut out = Options::default();
    let mut count = 0;
    loop {
        if body.is_empty() {
            // OpenPGM requires the last option to carry the end bit.
            return Err(PgmError::UnterminatedOptions);
        }
        count += 1;
        if count > MAX_OPTIONS {
            return Err(PgmError::TooManyOptions);
        }
        let (r, o) = option(body, &mut out)?;
        body = r;
        if o & OPT_END != 0 {
            break;
        }
    }
    Ok((after, out))
}

/// One `option`: type, length (counting the type and length octets), a
/// flags octet and the body; records it in `out`, returns its type octet.
fn option<'a>(input: &'a [u8], out: &mut Options) -> Result<(&'a [u8], u8), PgmError> {
    let (rest, (t, l)): (&[u8], (u8, u8)) = (be_u8, be_u8).parse(input).map_err(bad)?;
    let l = usize::from(l);
    if l < 3 || l - 2 > rest.len() {
        return Err(PgmError::BadOptionLength);
    }
    let (rest, body): (&[u8], &[u8]) = take(l - 2)(rest).map_err(bad)?;
    // body[0] is the flags octet (OPX, U bits); the rest is the option.
    let data = &body[1..];
    match t & !OPT_END {
        OPT_FRAGMENT => {
            let r: IResult<'_, (u8, u32, u32, u32)> = (be_u8, be_u32, be_u32, be_u32).parse(data);
            let (_, (_, first_sqn, offset, apdu_len)) = r.map_err(bad)?;
            out.fragment = Some(Fragment {
                first_sqn,
                offset,
                apdu_len,
            });
        }
        OPT_NAK_LIST => {
            let list = data.get(1..).unwrap_or(&[]);
            if list.len() % 4 != 0 || list.len() / 4 > MAX_NAK_LIST {
                return Err(PgmError::BadOptionLength);
            }
            out.nak_list = list
                .chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
        }
        OPT_JOIN => {
            let r: IResult<'_, (u8, u32)> = (be_u8, be_u32).parse(data);
            out.join = Some(r.map_err(bad)?.1.1);
        }
        OPT_SYN => out.syn = true,
        OPT_FIN => out.fin = true,
        OPT_RST => out.rst = true,
        OPT_LENGTH => return Err(PgmError::BadOptionLength),
        other => out.other.push(other),
    }
    Ok((rest, t))
}
