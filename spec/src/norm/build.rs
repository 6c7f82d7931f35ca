//! Building NORM packets (the inverse of [`super::packet`]), big-endian,
//! for the sender and receiver machines and for tests that forge traffic.

use super::packet::{CcFeedback, EXT_CC, EXT_FTI, EXT_RATE, Fti, MsgType, RepairItem};

/// The common header's fields a builder fills (NORM-R01).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Common {
    /// The per-source transmission sequence number.
    pub sequence: u16,
    /// The sending node's id.
    pub source_id: u32,
}

fn type_code(t: MsgType) -> u8 {
    match t {
        MsgType::Info => 1,
        MsgType::Data => 2,
        MsgType::Cmd => 3,
        MsgType::Nack => 4,
        MsgType::Ack => 5,
        MsgType::Other(n) => n & 0x0f,
    }
}

/// Starts a packet: the common header with a placeholder length, fixed by
/// [`finish_header`].
fn common(t: MsgType, c: Common, out: &mut Vec<u8>) {
    out.push(0x10 | type_code(t));
    out.push(0);
    out.extend_from_slice(&c.sequence.to_be_bytes());
    out.extend_from_slice(&c.source_id.to_be_bytes());
}

/// Sets the header length (in words) to what `out` holds now.
fn finish_header(out: &mut [u8]) {
    debug_assert!(out.len().is_multiple_of(4) && out.len() / 4 <= 255);
    out[1] = u8::try_from(out.len() / 4).unwrap_or(u8::MAX);
}

/// What the DATA, CMD builders share: the sender's instance, its GRTT
/// code and its backoff factor and group size nibbles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SenderFields {
    /// The sender's instance id.
    pub instance_id: u16,
    /// The quantized GRTT.
    pub grtt: u8,
    /// Backoff factor (high nibble) and quantized group size (low nibble).
    pub backoff_gsize: u8,
}

/// A stream segment of NORM_DATA (NORM-R02..R04).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataSegment<'a> {
    /// The object transport id.
    pub object_id: u16,
    /// The source block number (24 bits).
    pub block: u32,
    /// The encoding symbol id.
    pub symbol: u8,
    /// Whether this is a repair.
    pub repair: bool,
    /// The object's FEC parameters, sent in EXT_FTI.
    pub fti: Fti,
    /// Where a message starts in `data`, if one does.
    pub msg_start: Option<usize>,
    /// The stream offset of `data[0]`.
    pub offset: u32,
    /// The segment's data (at most the FTI's segment size).
    pub data: &'a [u8],
}

/// The flags octet's stream bit.
pub const FLAG_STREAM: u8 = 0x20;
/// The flags octet's repair bit.
pub const FLAG_REPAIR: u8 = 0x01;
/// The FEC encoding id the machines use (RS8).
pub const FEC_ID: u8 = 5;

fn sender_fields(s: SenderFields, out: &mut Vec<u8>) {
    out.extend_from_slice(&s.instance_id.to_be_bytes());
    out.push(s.grtt);
    out.push(s.backoff_gsize);
}

fn payload_id(block: u32, symbol: u8) -> [u8; 4] {
    ((block << 8) | u32::from(symbol)).to_be_bytes()
}

/// NORM_DATA carrying one stream segment.
pub fn data(c: Common, s: SenderFields, seg: &DataSegment<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(40 + seg.data.len());
    common(MsgType::Data, c, &mut out);
    sender_fields(s, &mut out);
    out.push(FLAG_STREAM | if seg.repair { FLAG_REPAIR } else { 0 });
    out.push(FEC_ID);
    out.extend_from_slice(&seg.object_id.to_be_bytes());
    out.extend_from_slice(&payload_id(seg.block, seg.symbol));
    out.extend_from_slice(&[EXT_FTI, 3]);
    let tl = seg.fti.transfer_length & 0xffff_ffff_ffff;
    out.extend_from_slice(&tl.to_be_bytes()[2..]);
    out.extend_from_slice(&seg.fti.segment_size.to_be_bytes());
    out.push(seg.fti.block_size);
    out.push(seg.fti.num_parity);
    finish_header(&mut out);
    let len = u16::try_from(seg.data.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    let start = seg
        .msg_start
        .and_then(|m| u16::try_from(m + 1).ok())
        .unwrap_or(0);
    out.extend_from_slice(&start.to_be_bytes());
    out.extend_from_slice(&seg.offset.to_be_bytes());
    out.extend_from_slice(&seg.data[..usize::from(len)]);
    out
}

/// NORM_CMD(FLUSH) naming the last segment sent.
pub fn flush(c: Common, s: SenderFields, object_id: u16, block: u32, symbol: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(20);
    common(MsgType::Cmd, c, &mut out);
    sender_fields(s, &mut out);
    out.push(1);
    out.push(FEC_ID);
    out.extend_from_slice(&object_id.to_be_bytes());
    out.extend_from_slice(&payload_id(block, symbol));
    finish_header(&mut out);
    out
}

/// NORM_CMD(CC): a probe with its send time and EXT_RATE, naming no
/// receivers.
pub fn cc(
    c: Common,
    s: SenderFields,
    cc_sequence: u16,
    send_time: (u32, u32),
    send_rate: u16,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(28);
    common(MsgType::Cmd, c, &mut out);
    sender_fields(s, &mut out);
    out.push(4);
    out.push(0);
    out.extend_from_slice(&cc_sequence.to_be_bytes());
    out.extend_from_slice(&send_time.0.to_be_bytes());
    out.extend_from_slice(&send_time.1.to_be_bytes());
    out.extend_from_slice(&[EXT_RATE, 0]);
    out.extend_from_slice(&send_rate.to_be_bytes());
    finish_header(&mut out);
    out
}

fn feedback_fixed(
    t: MsgType,
    c: Common,
    server_id: u32,
    instance_id: u16,
    mid: [u8; 2],
    grtt_response: (u32, u32),
    out: &mut Vec<u8>,
) {
    common(t, c, out);
    out.extend_from_slice(&server_id.to_be_bytes());
    out.extend_from_slice(&instance_id.to_be_bytes());
    out.extend_from_slice(&mid);
    out.extend_from_slice(&grtt_response.0.to_be_bytes());
    out.extend_from_slice(&grtt_response.1.to_be_bytes());
}

fn ext_cc(f: &CcFeedback, out: &mut Vec<u8>) {
    out.extend_from_slice(&[EXT_CC, 3]);
    out.extend_from_slice(&f.cc_sequence.to_be_bytes());
    out.push(f.flags);
    out.push(f.rtt);
    out.extend_from_slice(&((f.loss32 >> 16) as u16).to_be_bytes());
    out.extend_from_slice(&f.rate.to_be_bytes());
    out.extend_from_slice(&((f.loss32 & 0xffff) as u16).to_be_bytes());
}

/// NORM_ACK(CC) with EXT_CC (NORM-R08).
pub fn ack_cc(
    c: Common,
    server_id: u32,
    instance_id: u16,
    grtt_response: (u32, u32),
    feedback: &CcFeedback,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(36);
    feedback_fixed(
        MsgType::Ack,
        c,
        server_id,
        instance_id,
        [1, 0],
        grtt_response,
        &mut out,
    );
    ext_cc(feedback, &mut out);
    finish_header(&mut out);
    out
}

/// NORM_NACK with one request of the ITEMS form for segments (NORM-R09).
pub fn nack_segments(
    c: Common,
    server_id: u32,
    instance_id: u16,
    grtt_response: (u32, u32),
    items: &[RepairItem],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(28 + 8 * items.len());
    feedback_fixed(
        MsgType::Nack,
        c,
        server_id,
        instance_id,
        [0, 0],
        grtt_response,
        &mut out,
    );
    finish_header(&mut out);
    out.push(1);
    out.push(super::packet::repair_flag::SEGMENT);
    let len = u16::try_from(items.len() * 8).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    for i in items {
        out.push(i.fec_id);
        out.push(0);
        out.extend_from_slice(&i.object_id.to_be_bytes());
        out.extend_from_slice(&payload_id(i.block, i.symbol));
    }
    out
}

/// NORM_DATA carrying a parity symbol: `vector` is the encoded stream
/// payload (header and data) of its block's sources (NORM-R19).
pub fn parity(
    c: Common,
    s: SenderFields,
    object_id: u16,
    block: u32,
    symbol: u8,
    fti: Fti,
    vector: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + vector.len());
    common(MsgType::Data, c, &mut out);
    sender_fields(s, &mut out);
    out.push(FLAG_STREAM);
    out.push(FEC_ID);
    out.extend_from_slice(&object_id.to_be_bytes());
    out.extend_from_slice(&payload_id(block, symbol));
    out.extend_from_slice(&[EXT_FTI, 3]);
    let tl = fti.transfer_length & 0xffff_ffff_ffff;
    out.extend_from_slice(&tl.to_be_bytes()[2..]);
    out.extend_from_slice(&fti.segment_size.to_be_bytes());
    out.push(fti.block_size);
    out.push(fti.num_parity);
    finish_header(&mut out);
    out.extend_from_slice(vector);
    out
}
