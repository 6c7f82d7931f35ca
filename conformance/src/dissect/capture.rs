//! Capture files for the dissector: pcap and pcapng, read with the
//! `pcap-file` crate, their Ethernet, Linux cooked, loopback or raw IP
//! frames sliced with `etherparse`, and each TCP direction reassembled in
//! sequence order (retransmissions and overlaps dropped, a gap reported).

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_file::DataLink;
use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::{Block, PcapNgReader};

/// One direction of a TCP connection in a capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Direction {
    /// The sender.
    pub from: SocketAddr,
    /// The receiver.
    pub to: SocketAddr,
    /// The payload in sequence order, up to the first gap.
    pub octets: Vec<u8>,
    /// Octets missing from the capture after `octets` (0 when whole).
    pub missing: u64,
    /// Segments dropped as retransmissions or overlaps.
    pub duplicates: usize,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} -> {}: {} octets",
            self.from,
            self.to,
            self.octets.len()
        )?;
        if self.duplicates > 0 {
            write!(
                f,
                ", {} retransmitted or overlapping segments dropped",
                self.duplicates
            )?;
        }
        if self.missing > 0 {
            write!(
                f,
                "; then {} octets missing from the capture, the rest not read",
                self.missing
            )?;
        }
        Ok(())
    }
}

/// Why a capture could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The pcap or pcapng structure is broken.
    #[error("not a readable capture: {0}")]
    File(#[from] pcap_file::PcapError),
    /// A link type this dissector does not slice.
    #[error("link type {0:?} is not read (Ethernet, Linux cooked, loopback and raw IP are)")]
    LinkType(DataLink),
}

/// Whether `input` starts like a pcap or pcapng file.
pub fn is_capture(input: &[u8]) -> bool {
    const MAGICS: [[u8; 4]; 5] = [
        [0xd4, 0xc3, 0xb2, 0xa1],
        [0xa1, 0xb2, 0xc3, 0xd4],
        [0x4d, 0x3c, 0xb2, 0xa1],
        [0xa1, 0xb2, 0x3c, 0x4d],
        [0x0a, 0x0d, 0x0d, 0x0a],
    ];
    input.len() >= 4 && MAGICS.iter().any(|m| input[..4] == *m)
}

/// A TCP segment with payload, as read from one packet.
struct Segment {
    from: SocketAddr,
    to: SocketAddr,
    seq: u32,
    syn: bool,
    payload: Vec<u8>,
}

/// Slices one link-layer frame down to its TCP segment, if it holds one.
fn segment(link: DataLink, data: &[u8]) -> Result<Option<Segment>, CaptureError> {
    let sliced = match link {
        DataLink::ETHERNET => SlicedPacket::from_ethernet(data),
        DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data),
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(data),
        // BSD loopback: a four-octet address family, then IP.
        DataLink::NULL | DataLink::LOOP => match data.get(4..) {
            Some(ip) => SlicedPacket::from_ip(ip),
            None => return Ok(None),
        },
        other => return Err(CaptureError::LinkType(other)),
    };
    // A frame that does not slice (truncated, not IP) carries no segment
    // of ours.
    let Ok(packet) = sliced else {
        return Ok(None);
    };
    let (src, dst): (IpAddr, IpAddr) = match &packet.net {
        Some(NetSlice::Ipv4(ip)) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        Some(NetSlice::Ipv6(ip)) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        _ => return Ok(None),
    };
    let Some(TransportSlice::Tcp(tcp)) = &packet.transport else {
        return Ok(None);
    };
    Ok(Some(Segment {
        from: SocketAddr::new(src, tcp.source_port()),
        to: SocketAddr::new(dst, tcp.destination_port()),
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        payload: tcp.payload().to_vec(),
    }))
}

/// Every TCP segment in the capture, in file order.
fn segments(input: &[u8]) -> Result<Vec<Segment>, CaptureError> {
    let mut out = Vec::new();
    if input.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]) {
        let mut reader = PcapNgReader::new(input)?;
        while let Some(block) = reader.next_block() {
            let (interface, data) = match block? {
                Block::EnhancedPacket(p) => (p.interface_id as usize, p.data.into_owned()),
                Block::SimplePacket(p) => (0, p.data.into_owned()),
                Block::Packet(p) => (usize::from(p.interface_id), p.data.into_owned()),
                _ => continue,
            };
            let link = reader
                .interfaces()
                .get(interface)
                .map_or(DataLink::ETHERNET, |i| i.linktype);
            out.extend(segment(link, &data)?);
        }
    } else {
        let mut reader = PcapReader::new(input)?;
        let link = reader.header().datalink;
        while let Some(packet) = reader.next_packet() {
            out.extend(segment(link, &packet?.data)?);
        }
    }
    Ok(out)
}

/// One direction's segments while the capture is read: where its stream
/// starts (the SYN's sequence number plus one, else its first segment's)
/// and its (sequence number, payload) pairs.
#[derive(Default)]
struct Flow {
    start: Option<u32>,
    segments: Vec<(u32, Vec<u8>)>,
}

/// The TCP directions in `input` (a pcap or pcapng file), each reassembled,
/// in the order their first segment appears.
pub fn directions(input: &[u8]) -> Result<Vec<Direction>, CaptureError> {
    let mut order: Vec<(SocketAddr, SocketAddr)> = Vec::new();
    let mut flows: BTreeMap<(SocketAddr, SocketAddr), Flow> = BTreeMap::new();
    for s in segments(input)? {
        let key = (s.from, s.to);
        let flow = flows.entry(key).or_insert_with(|| {
            order.push(key);
            Flow::default()
        });
        if s.syn {
            flow.start = Some(s.seq.wrapping_add(1));
        }
        if !s.payload.is_empty() {
            if flow.start.is_none() {
                flow.start = Some(s.seq);
            }
            flow.segments.push((s.seq, s.payload));
        }
    }
    let mut out = Vec::new();
    for key in order {
        let Some(Flow {
            start: Some(start),
            segments: mut segs,
        }) = flows.remove(&key)
        else {
            continue;
        };
        // Offsets from the start, wrapping with the sequence space.
        segs.sort_by_key(|(seq, _)| seq.wrapping_sub(start));
        let (mut octets, mut duplicates, mut missing) = (Vec::new(), 0usize, 0u64);
        for (seq, payload) in segs {
            let at = u64::from(seq.wrapping_sub(start));
            let have = octets.len() as u64;
            let end = at + payload.len() as u64;
            if at > have {
                missing = at - have;
                break;
            }
            if end <= have {
                duplicates += 1;
                continue;
            }
            if at < have {
                duplicates += 1;
            }
            let skip = usize::try_from(have - at).unwrap_or(usize::MAX);
            octets.extend_from_slice(&payload[skip.min(payload.len())..]);
        }
        out.push(Direction {
            from: key.0,
            to: key.1,
            octets,
            missing,
            duplicates,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
