//! The PGM checksum: the Internet one's-complement sum over the whole
//! packet with the checksum field zero, folded the way OpenPGM folds it
//! (PGM-R05, PGM-R06).

/// The one's-complement sum of `data` as big-endian 16-bit words (an odd
/// last octet is padded with zero), not yet folded.
pub fn partial(data: &[u8], mut sum: u32) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum = add_carry(sum, u32::from(u16::from_be_bytes([c[0], c[1]])));
    }
    if let [last] = chunks.remainder() {
        sum = add_carry(sum, u32::from(*last) << 8);
    }
    sum
}

fn add_carry(a: u32, b: u32) -> u32 {
    let (s, overflow) = a.overflowing_add(b);
    s + u32::from(overflow)
}

/// Folds a partial sum to 16 bits and complements it. A folded sum of
/// `0xFFFF` is kept as it is rather than complemented to zero, because
/// zero in the header means "no checksum" (PGM-R06).
pub fn fold(sum: u32) -> u16 {
    let mut s = (sum >> 16) + (sum & 0xffff);
    s += s >> 16;
    if s == 0xffff {
        0xffff
    } else {
        // Truncation is the fold's intent: the carry was added above.
        #[allow(clippy::cast_possible_truncation)]
        let v = !s as u16;
        v
    }
}

/// The checksum of a whole packet whose checksum field (octets 6..8) is
/// taken as zero whatever it holds.
pub fn of_packet(packet: &[u8]) -> u16 {
    let mut sum = partial(packet.get(..6).unwrap_or(packet), 0);
    if packet.len() > 8 {
        sum = partial(&packet[8..], sum);
    }
    fold(sum)
}
