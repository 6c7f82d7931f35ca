use std::time::Duration;

use etherparse::PacketBuilder;
use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use zmtp_spec::wire::view::{CommandBuilder, FrameBuilder, GreetingBuilder, MetadataBuilder};

use super::{directions, is_capture};
use crate::dissect::{dissect, render};

const CLIENT: ([u8; 4], u16) = ([127, 0, 0, 1], 40_000);
const SERVER: ([u8; 4], u16) = ([127, 0, 0, 1], 5555);

/// One Ethernet/IPv4/TCP frame.
fn frame(from: ([u8; 4], u16), to: ([u8; 4], u16), seq: u32, syn: bool, payload: &[u8]) -> Vec<u8> {
    let builder = PacketBuilder::ethernet2([0; 6], [0; 6])
        .ipv4(from.0, to.0, 64)
        .tcp(from.1, to.1, seq, 65_535);
    let builder = if syn { builder.syn() } else { builder.ack(1) };
    let mut out = Vec::with_capacity(builder.size(payload.len()));
    builder.write(&mut out, payload).expect("the frame builds");
    out
}

fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let header = PcapHeader {
        datalink: DataLink::ETHERNET,
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(Vec::new(), header).expect("header");
    for (i, f) in frames.iter().enumerate() {
        let len = u32::try_from(f.len()).expect("small");
        w.write_packet(&PcapPacket::new(Duration::from_millis(i as u64), len, f))
            .expect("packet");
    }
    w.into_writer()
}

/// The client's side of a NULL session: greeting, READY, one message.
fn client_stream() -> Vec<u8> {
    let mut s = GreetingBuilder::new().build().to_vec();
    s.extend(
        CommandBuilder::ready(MetadataBuilder::new().property(b"Socket-Type", b"DEALER"))
            .frame()
            .build(),
    );
    s.extend(FrameBuilder::message(b"hello", false).build());
    s
}

#[test]
fn a_capture_split_reordered_and_retransmitted_reassembles_per_direction() {
    let stream = client_stream();
    let isn = 1000u32;
    let (a, rest) = stream.split_at(10);
    let (b, c) = rest.split_at(30);
    let server_greeting = GreetingBuilder::new().as_server(0).build();
    let frames = vec![
        frame(CLIENT, SERVER, isn, true, &[]),
        frame(CLIENT, SERVER, isn + 1, false, a),
        // Out of order: the third piece first, then the second, then the
        // second again (a retransmission).
        frame(CLIENT, SERVER, isn + 1 + 40, false, c),
        frame(SERVER, CLIENT, 7, false, &server_greeting),
        frame(CLIENT, SERVER, isn + 11, false, b),
        frame(CLIENT, SERVER, isn + 11, false, b),
    ];
    let file = pcap(&frames);
    assert!(is_capture(&file));
    let dirs = directions(&file).expect("the capture reads");
    assert_eq!(dirs.len(), 2, "{dirs:?}");
    assert_eq!(dirs[0].from.port(), 40_000);
    assert_eq!(dirs[0].octets, stream);
    assert_eq!(dirs[0].missing, 0);
    assert_eq!(dirs[0].duplicates, 1);
    assert_eq!(dirs[1].octets, server_greeting.to_vec());
    let text = render(&dissect(&dirs[0].octets));
    assert!(text.contains("G01") && text.contains("37-R03"), "{text}");
    assert!(
        text.contains("command READY") && text.contains("\"hello\""),
        "{text}"
    );
}

#[test]
fn a_gap_is_reported_and_reading_stops_there() {
    let stream = client_stream();
    let frames = vec![
        frame(CLIENT, SERVER, 1, false, &stream[..20]),
        frame(CLIENT, SERVER, 1 + 30, false, &stream[30..]),
    ];
    let dirs = directions(&pcap(&frames)).expect("reads");
    assert_eq!(dirs[0].octets, stream[..20].to_vec());
    assert_eq!(dirs[0].missing, 10);
    assert!(
        dirs[0].to_string().contains("10 octets missing"),
        "{}",
        dirs[0]
    );
}

#[test]
fn sequence_numbers_wrap() {
    let stream = client_stream();
    let isn = u32::MAX - 5;
    let frames = vec![
        frame(CLIENT, SERVER, isn, true, &[]),
        frame(CLIENT, SERVER, isn.wrapping_add(1), false, &stream[..20]),
        frame(CLIENT, SERVER, isn.wrapping_add(21), false, &stream[20..]),
    ];
    let dirs = directions(&pcap(&frames)).expect("reads");
    assert_eq!(dirs[0].octets, stream);
}

#[test]
fn a_broken_file_is_a_typed_error_not_a_panic() {
    let mut file = pcap(&[frame(CLIENT, SERVER, 1, false, b"abc")]);
    assert!(is_capture(&file));
    file.truncate(30);
    // A truncated record is an error or no segment; never a panic.
    let _ = directions(&file);
    assert!(!is_capture(b"00 01 02"));
}
