//! The NORM machines: quantized fields, libzmq's stream framing, the
//! receiver against libnorm's captured packets, and our sender and
//! receiver together over a simulated network that loses packets.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::{CC, DATA_FIRST, DATA_MORE, hex};
use crate::connection::harness::TestRng;
use crate::norm::build::{self, Common, DataSegment, SenderFields};
use crate::norm::packet::{Cmd, Fti, MsgType, Packet, cc_flag, parse};
use crate::norm::quantize::{
    quantize_loss32, quantize_rate, quantize_rtt, unquantize_loss32, unquantize_rate,
    unquantize_rtt,
};
use crate::norm::stream::{Deframer, StreamError, encode_message};
use crate::norm::{Receiver, ReceiverConfig, ReceiverEvent, Sender, SenderConfig};

#[test]
fn quantized_fields_round_trip_within_their_precision() {
    // NORM-R07, NORM-R08
    for q in 0..=255u8 {
        assert_eq!(quantize_rtt(unquantize_rtt(q)), q, "rtt code {q}");
    }
    for rtt in [1e-6, 5e-6, 4e-5, 1e-3, 0.0137, 0.5, 2.0, 999.0] {
        let back = unquantize_rtt(quantize_rtt(rtt));
        assert!(back >= rtt * 0.999 && back <= rtt * 1.09, "{rtt} -> {back}");
    }
    for rate in [1.0, 999.0, 8_000.0, 1.25e6, 3.3e9] {
        let back = unquantize_rate(quantize_rate(rate));
        assert!((back - rate).abs() / rate < 0.003, "{rate} -> {back}");
    }
    assert_eq!(quantize_rate(0.0), 1);
    assert_eq!(quantize_loss32(0.0), 0);
    assert_eq!(quantize_loss32(1.0), u32::MAX);
    assert!((unquantize_loss32(quantize_loss32(0.01)) - 0.01).abs() < 1e-9);
}

#[test]
fn libnorm_cc_probe_reads_its_rate_and_empty_node_list() {
    // NORM-R07
    let b = hex(CC);
    let Ok(Packet::Cmd(
        _,
        Cmd::Cc {
            send_rate,
            nodes,
            grtt,
            ..
        },
    )) = parse(&b)
    else {
        panic!("cc");
    };
    assert_eq!(send_rate, Some(0xccd3));
    assert!(nodes.is_empty());
    assert_eq!(grtt, 0x94);
}

fn frames(parts: &[&[u8]]) -> Vec<Bytes> {
    parts.iter().map(|p| Bytes::copy_from_slice(p)).collect()
}

#[test]
fn stream_framing_round_trips_and_joins_at_a_first_frame() {
    // NORM-R10
    let long = vec![7u8; 300];
    let msgs = [
        frames(&[b"topic", b"0"]),
        frames(&[b""]),
        frames(&[&long, b"x", b""]),
    ];
    let mut wire = Vec::new();
    let mut starts = Vec::new();
    for m in &msgs {
        starts.push(wire.len());
        encode_message(m, &mut wire);
    }
    // libzmq's layout: flag, v2 flags, size, body.
    assert_eq!(&wire[..8], b"\x00\x01\x05topic");
    // Fed in one piece, and in pieces of every size.
    for step in [wire.len(), 1, 2, 3, 7, 64] {
        let mut d = Deframer::new(None);
        let mut out = Vec::new();
        for (i, chunk) in wire.chunks(step).enumerate() {
            let mark = (i == 0).then_some(0);
            d.feed(chunk, mark, &mut out).expect("valid stream");
        }
        assert_eq!(out, msgs, "step {step}");
    }
    // Joining at a mark on a later frame skips to the next marked start.
    let mut d = Deframer::new(None);
    let mut out = Vec::new();
    let later = 8; // the FF flag of ["topic", "0"]'s second frame
    assert_eq!(wire[later], 0xff);
    d.feed(&wire[later..starts[1]], Some(0), &mut out)
        .expect("skipped");
    assert!(!d.is_joined());
    d.feed(&wire[starts[1]..], Some(0), &mut out)
        .expect("joined");
    assert_eq!(out, msgs[1..]);
}

#[test]
fn stream_framing_errors_reset_to_seeking() {
    // NORM-R10
    let mut out = Vec::new();
    let mut d = Deframer::new(None);
    assert_eq!(
        d.feed(b"\x00\x04\x01a", Some(0), &mut out),
        Err(StreamError::BadFrameFlags)
    );
    assert!(!d.is_joined());
    let mut d = Deframer::new(None);
    // A first-frame flag where a later frame was due.
    assert_eq!(
        d.feed(b"\x00\x01\x01a\x00\x00\x01b", Some(0), &mut out),
        Err(StreamError::BadFlag)
    );
    let mut d = Deframer::new(Some(4));
    assert_eq!(
        d.feed(b"\x00\x00\x05hello", Some(0), &mut out),
        Err(StreamError::TooLarge)
    );
    // A frame declaring 2^62 octets allocates nothing up front.
    let mut d = Deframer::new(None);
    d.feed(
        b"\x00\x02\x40\x00\x00\x00\x00\x00\x00\x00ab",
        Some(0),
        &mut out,
    )
    .expect("waits for the body");
    assert!(out.is_empty());
}

/// Runs the receiver's timers a millisecond at a time from `now` until it
/// sends a NACK (at most `limit_ms`); the time, the NACK's sender id and
/// instance, and the segment ids it asks for.
fn next_nack(
    rx: &mut Receiver,
    rng: &mut TestRng,
    now: Instant,
    limit_ms: u64,
) -> (Instant, u32, u16, Vec<(u32, u8)>) {
    let mut t = now;
    loop {
        t += Duration::from_millis(1);
        rx.handle_timeout(t, rng);
        if let Some(x) = rx.poll_transmit() {
            let Ok(Packet::Nack(_, n)) = parse(&x.packet) else {
                panic!("not a NACK: {:02x?}", x.packet);
            };
            let asked = n
                .requests()
                .flat_map(|r| r.items().map(|i| (i.block, i.symbol)).collect::<Vec<_>>())
                .collect();
            return (t, n.server_id, n.instance_id, asked);
        }
        assert!(t < now + Duration::from_millis(limit_ms), "no NACK");
    }
}

fn t0() -> Instant {
    Instant::now()
}

#[test]
fn receiver_reads_libzmq_capture_into_one_message() {
    // NORM-R11
    let mut rx = Receiver::new(ReceiverConfig::new(7));
    let mut rng = TestRng::new(1);
    let now = t0();
    rx.handle_packet(&hex(DATA_FIRST), None, now, &mut rng)
        .expect("data");
    rx.handle_packet(&hex(DATA_MORE), None, now, &mut rng)
        .expect("data");
    assert_eq!(
        rx.poll_event(),
        Some(ReceiverEvent::Message {
            source: 0,
            frames: frames(&[b"topic", b"0"]),
        })
    );
    assert_eq!(rx.poll_event(), None);
    // Nothing is missing: no NACK.
    assert_eq!(rx.poll_transmit(), None);
}

#[test]
fn receiver_answers_a_cc_probe_with_ack_cc_feedback() {
    // NORM-R12
    let mut rx = Receiver::new(ReceiverConfig::new(7));
    let mut rng = TestRng::new(1);
    let now = t0();
    rx.handle_packet(&hex(DATA_FIRST), None, now, &mut rng)
        .expect("data");
    rx.handle_packet(&hex(CC), None, now, &mut rng).expect("cc");
    // Not named in the probe: a back-off first.
    let due = rx.poll_timeout().expect("feedback due");
    assert!(due <= now + Duration::from_secs(4));
    let later = due.max(now + Duration::from_millis(3));
    rx.handle_timeout(later, &mut rng);
    let t = rx.poll_transmit().expect("ack");
    assert_eq!(t.to, None, "feedback goes to the group");
    let Ok(Packet::Ack(h, a)) = parse(&t.packet) else {
        panic!("ack: {:02x?}", t.packet);
    };
    assert_eq!(h.msg_type, MsgType::Ack);
    assert_eq!(h.source_id, 7);
    assert_eq!((a.server_id, a.instance_id, a.ack_type), (0, 0x8e78, 1));
    // The probe's send time moved on by the time held.
    let held = later - now;
    let usec = 0x0004_04a9u64 + u64::from(held.subsec_micros());
    assert_eq!(
        a.grtt_response,
        (
            (0x6b16_6554 + held.as_secs() + usec / 1_000_000) as u32,
            (usec % 1_000_000) as u32
        )
    );
    let cc = a.cc.expect("EXT_CC");
    assert_eq!(
        cc.flags & cc_flag::START,
        cc_flag::START,
        "no loss: slow start"
    );
    assert!(unquantize_rate(cc.rate) > 0.0);
    // Once answered, nothing more until the next probe.
    rx.handle_timeout(later + Duration::from_secs(1), &mut rng);
    assert_eq!(rx.poll_transmit(), None);
}

/// Runs sender and receiver over a simulated network until the sender has
/// nothing left to do or `limit` passes; `drop` decides which sender
/// datagrams are lost.
fn run(
    tx: &mut Sender,
    rx: &mut Receiver,
    start: Instant,
    limit: Duration,
    mut drop: impl FnMut(&[u8]) -> bool,
) -> (Vec<Vec<Bytes>>, u32, Instant) {
    let mut rng = TestRng::new(9);
    let mut now = start;
    let mut got = Vec::new();
    let mut losses = 0;
    while now < start + limit {
        while let Some(t) = tx.poll_transmit(now) {
            if !drop(&t.packet) {
                rx.handle_packet(&t.packet, None, now, &mut rng)
                    .expect("valid");
            }
        }
        if rx.poll_timeout().is_some_and(|t| t <= now) {
            rx.handle_timeout(now, &mut rng);
        }
        while let Some(t) = rx.poll_transmit() {
            tx.handle_packet(&t.packet, now).expect("valid feedback");
        }
        while let Some(e) = rx.poll_event() {
            match e {
                ReceiverEvent::Message { frames, .. } => got.push(frames),
                ReceiverEvent::Loss { .. } => losses += 1,
            }
        }
        if tx.queued() == 0
            && tx
                .poll_timeout()
                .is_none_or(|t| t > now + Duration::from_secs(5))
        {
            break;
        }
        now += Duration::from_millis(1);
    }
    (got, losses, now)
}

fn numbered(n: usize) -> Vec<Vec<Bytes>> {
    (0..n)
        .map(|i| vec![Bytes::from_static(b"t"), Bytes::from(format!("{i:05}"))])
        .collect()
}

#[test]
fn ten_thousand_messages_cross_in_order() {
    // NORM-R15, NORM-R11
    let now = t0();
    let mut tx = Sender::new(SenderConfig::new(1, 0x1234, 100_000_000), now);
    let mut rx = Receiver::new(ReceiverConfig::new(2));
    let msgs = numbered(10_000);
    for m in &msgs {
        tx.push_message(m);
    }
    let (got, losses, _) = run(&mut tx, &mut rx, now, Duration::from_secs(20), |_| false);
    assert_eq!(losses, 0);
    assert_eq!(got.len(), msgs.len());
    assert_eq!(got, msgs);
    assert_eq!(tx.repairs_sent(), 0);
}

fn is_data(p: &[u8]) -> bool {
    matches!(parse(p), Ok(Packet::Data(..)))
}

#[test]
fn lost_segments_come_back_through_nack_and_repair() {
    // NORM-R13, NORM-R16
    let now = t0();
    let mut tx = Sender::new(SenderConfig::new(1, 0x1234, 100_000_000), now);
    let mut rx = Receiver::new(ReceiverConfig::new(2));
    let msgs = numbered(10_000);
    for m in &msgs {
        tx.push_message(m);
    }
    let mut n = 0u64;
    let (got, losses, _) = run(&mut tx, &mut rx, now, Duration::from_secs(60), |p| {
        // Every 7th original DATA is lost; repairs get through.
        if matches!(parse(p), Ok(Packet::Data(_, d)) if d.flags & build::FLAG_REPAIR == 0) {
            n += 1;
            return n.is_multiple_of(7);
        }
        false
    });
    assert_eq!(losses, 0);
    assert_eq!(got, msgs);
    assert!(
        tx.repairs_sent() >= n / 7,
        "{} repairs for {} drops",
        tx.repairs_sent(),
        n / 7
    );
    // The probes' answers measured the (simulated, instant) round trip.
    assert!(
        tx.grtt() < Duration::from_millis(50),
        "grtt {:?}",
        tx.grtt()
    );
}

#[test]
fn a_lost_tail_is_asked_for_after_the_flush() {
    // NORM-R13, NORM-R17
    let now = t0();
    let mut tx = Sender::new(SenderConfig::new(1, 0x1234, 100_000_000), now);
    let mut rx = Receiver::new(ReceiverConfig::new(2));
    let first = numbered(3);
    for m in &first {
        tx.push_message(m);
    }
    let (got, _, now) = run(&mut tx, &mut rx, now, Duration::from_secs(30), |_| false);
    assert_eq!(got, first);
    // The next DATA (all three fit one segment) is lost the first time:
    // only the FLUSH after it tells the receiver it exists.
    let second: Vec<_> = numbered(6).split_off(3);
    for m in &second {
        tx.push_message(m);
    }
    let mut lose = true;
    let (got, losses, _) = run(&mut tx, &mut rx, now, Duration::from_secs(30), |p| {
        is_data(p) && std::mem::take(&mut lose)
    });
    assert_eq!(losses, 0);
    assert_eq!(got, second);
    assert_eq!(tx.repairs_sent(), 1);
}

fn parity_segment(offset: u32, id: (u32, u8), data: &[u8], msg_start: Option<usize>) -> Vec<u8> {
    // Blocks of two sources and one parity symbol.
    let seg = DataSegment {
        object_id: 0,
        block: id.0,
        symbol: id.1,
        repair: false,
        fti: Fti {
            transfer_length: 2 * 1024 * 1024,
            segment_size: 1400,
            block_size: 2,
            num_parity: 1,
        },
        msg_start,
        offset,
        data,
    };
    let f = SenderFields {
        instance_id: 0x8e78,
        grtt: quantize_rtt(0.01),
        backoff_gsize: 0x42,
    };
    build::data(
        Common {
            sequence: id.1.into(),
            source_id: 5,
        },
        f,
        &seg,
    )
}

#[test]
fn a_gap_never_repaired_is_a_loss_and_the_stream_joins_again() {
    // NORM-R13, NORM-R14
    let mut cfg = ReceiverConfig::new(2);
    cfg.gap_timeout = Duration::from_millis(500);
    let mut rx = Receiver::new(cfg);
    let mut rng = TestRng::new(3);
    let now = t0();
    let mut a = Vec::new();
    encode_message(&frames(&[b"a"]), &mut a);
    let mut b = Vec::new();
    encode_message(&frames(&[b"b"]), &mut b);
    let mut c = Vec::new();
    encode_message(&frames(&[b"c"]), &mut c);
    let (la, lb) = (a.len() as u32, b.len() as u32);
    rx.handle_packet(&parity_segment(0, (0, 0), &a, Some(0)), None, now, &mut rng)
        .expect("a");
    // "b" (block 0, symbol 1) never arrives; "c" (block 1) does.
    rx.handle_packet(
        &parity_segment(la + lb, (1, 0), &c, Some(0)),
        None,
        now,
        &mut rng,
    )
    .expect("c");
    assert!(matches!(
        rx.poll_event(),
        Some(ReceiverEvent::Message { .. })
    ));
    assert_eq!(rx.poll_event(), None, "c waits behind the gap");
    // A NACK for parity for block 0 (complete on the sender's side), once
    // the back-off ends.
    let (_, server, instance, asked) = next_nack(&mut rx, &mut rng, now, 400);
    assert_eq!((server, instance), (5, 0x8e78));
    assert_eq!(asked, [(0, 2)]);
    // No repair comes: after the gap timeout it is a loss.
    rx.handle_timeout(now + Duration::from_millis(500), &mut rng);
    assert_eq!(
        rx.poll_event(),
        Some(ReceiverEvent::Loss {
            source: 5,
            offset: la
        })
    );
    assert_eq!(
        rx.poll_event(),
        Some(ReceiverEvent::Message {
            source: 5,
            frames: frames(&[b"c"]),
        })
    );
}

#[test]
fn the_sender_keeps_to_its_rate() {
    // NORM-R18
    let now = t0();
    let rate = 1_000_000 / 8; // 1 Mbit/s
    let mut tx = Sender::new(SenderConfig::new(1, 1, rate), now);
    let msg = vec![Bytes::from(vec![0u8; 1000])];
    for _ in 0..2000 {
        tx.push_message(&msg);
    }
    let mut octets = 0usize;
    let mut t = now;
    while t < now + Duration::from_secs(2) {
        while let Some(x) = tx.poll_transmit(t) {
            octets += x.packet.len() + 28;
        }
        t += Duration::from_millis(1);
    }
    let expected = rate as usize * 2;
    // The burst (two full packets here) on top of two seconds' worth.
    assert!(octets <= expected + 2 * 1500, "{octets} > {expected}");
    assert!(octets >= expected * 9 / 10, "{octets} < 90% of {expected}");
}

#[test]
fn hostile_datagrams_never_panic_and_sources_stay_bounded() {
    // NORM-R06
    let mut cfg = ReceiverConfig::new(2);
    cfg.max_sources = 4;
    let mut rx = Receiver::new(cfg);
    let mut tx = Sender::new(SenderConfig::new(1, 1, 1_000_000), t0());
    let mut rng = TestRng::new(11);
    let base = hex(DATA_FIRST);
    let now = t0();
    for i in 0..20_000u32 {
        let mut p = base.clone();
        let at = (i as usize * 7) % p.len();
        p[at] = (i.wrapping_mul(2_654_435_761) >> 24) as u8;
        // A new source id now and then.
        p[7] = (i % 9) as u8;
        let _ = rx.handle_packet(&p, None, now, &mut rng);
        let _ = tx.handle_packet(&p, now);
    }
    rx.handle_timeout(now + Duration::from_secs(10), &mut rng);
    while rx.poll_event().is_some() {}
    assert!(rx.sources() <= 4);
}

#[test]
fn rs8_recovers_any_erasures_up_to_the_parity_count() {
    // NORM-R19
    use crate::norm::fec::Rs8;
    let code = Rs8::new(16, 4).expect("code");
    let len = 40;
    let sources: Vec<Vec<u8>> = (0..16u8)
        .map(|i| {
            (0..len as u8 - 2 * i)
                .map(|x| x.wrapping_mul(31) ^ i)
                .collect()
        })
        .collect();
    let refs: Vec<&[u8]> = sources.iter().map(Vec::as_slice).collect();
    let parity = code.encode(&refs, len);
    assert_eq!(parity.len(), 4);
    let padded = |v: &[u8]| {
        let mut p = v.to_vec();
        p.resize(len, 0);
        p
    };
    // Every erasure pattern of up to four sources, with every choice of
    // which parity symbols arrived (enough of them).
    let mut rng = TestRng::new(5);
    for _ in 0..500 {
        let e = 1 + (rand_core::RngCore::next_u32(&mut rng) % 4) as usize;
        let mut lost = std::collections::BTreeSet::new();
        while lost.len() < e {
            lost.insert((rand_core::RngCore::next_u32(&mut rng) % 16) as usize);
        }
        let have: Vec<Option<&[u8]>> = (0..16)
            .map(|i| (!lost.contains(&i)).then(|| refs[i]))
            .collect();
        // One parity symbol lost too, when the others still suffice.
        let skip = if e < 4 {
            (rand_core::RngCore::next_u32(&mut rng) % 5) as usize
        } else {
            4
        };
        let par: Vec<(usize, &[u8])> = (0..4)
            .filter(|j| *j != skip)
            .map(|j| (j, parity[j].as_slice()))
            .take(e)
            .collect();
        let got = code.decode(&have, &par, len).expect("decodable");
        assert_eq!(got.len(), e);
        for (i, v) in got {
            assert_eq!(v, padded(&sources[i]), "source {i}");
        }
    }
    // Not enough symbols: nothing.
    let have: Vec<Option<&[u8]>> = (0..16).map(|i| (i > 1).then(|| refs[i])).collect();
    assert!(code.decode(&have, &[(0, &parity[0])], len).is_none());
    assert!(Rs8::new(0, 4).is_none());
    assert!(Rs8::new(250, 10).is_none());
}

#[test]
fn parity_from_a_parity_sender_is_asked_for_and_decoded() {
    // NORM-R13, NORM-R19: libnorm's geometry (16 + 4); two sources of
    // block 0 lost; the NACK asks for two parity symbols; they complete
    // the block, and every message arrives in order.
    use crate::norm::fec::Rs8;
    let fti = Fti {
        transfer_length: 2 * 1024 * 1024,
        segment_size: 1400,
        block_size: 16,
        num_parity: 4,
    };
    let f = SenderFields {
        instance_id: 0x8e78,
        grtt: quantize_rtt(0.001),
        backoff_gsize: 0x42,
    };
    let mut offset = 0u32;
    let mut packets = Vec::new();
    let mut vectors = Vec::new();
    let msgs = numbered(17);
    for (i, m) in msgs.iter().enumerate() {
        let mut data = Vec::new();
        encode_message(m, &mut data);
        let (block, symbol) = ((i / 16) as u32, (i % 16) as u8);
        let seg = DataSegment {
            object_id: 0,
            block,
            symbol,
            repair: false,
            fti,
            msg_start: Some(0),
            offset,
            data: &data,
        };
        let p = build::data(
            Common {
                sequence: i as u16,
                source_id: 5,
            },
            f,
            &seg,
        );
        if block == 0 {
            // The FEC vector: the stream payload, header included.
            vectors.push(p[32..].to_vec());
        }
        packets.push(p);
        offset += data.len() as u32;
    }
    let code = Rs8::new(16, 4).expect("code");
    let refs: Vec<&[u8]> = vectors.iter().map(Vec::as_slice).collect();
    let parity = code.encode(&refs, 1408);
    let mut rx = Receiver::new(ReceiverConfig::new(2));
    let mut rng = TestRng::new(8);
    let now = t0();
    for (i, p) in packets.iter().enumerate() {
        if i == 3 || i == 9 {
            continue;
        }
        rx.handle_packet(p, None, now, &mut rng).expect("data");
    }
    let mut got = Vec::new();
    while let Some(e) = rx.poll_event() {
        if let ReceiverEvent::Message { frames, .. } = e {
            got.push(frames);
        }
    }
    assert_eq!(got, msgs[..3], "held behind the first gap");
    let (t, _, _, asked) = next_nack(&mut rx, &mut rng, now, 200);
    assert_eq!(asked, [(0, 16), (0, 17)], "fresh parity, as many as lost");
    for (j, v) in parity.iter().enumerate().skip(1).take(2) {
        let p = build::parity(
            Common {
                sequence: 100 + j as u16,
                source_id: 5,
            },
            f,
            0,
            0,
            16 + j as u8,
            fti,
            v,
        );
        rx.handle_packet(&p, None, t, &mut rng).expect("parity");
    }
    while let Some(e) = rx.poll_event() {
        if let ReceiverEvent::Message { frames, .. } = e {
            got.push(frames);
        }
    }
    assert_eq!(got, msgs);
}

#[test]
fn feedback_and_command_packets_round_trip_and_refuse_malformed_bytes() {
    // NORM-R06, NORM-R07, NORM-R08, NORM-R09
    use crate::norm::NormError;
    use crate::norm::packet::{CcFeedback, RepairItem};
    let c = Common {
        sequence: 3,
        source_id: 9,
    };
    let f = SenderFields {
        instance_id: 0x1234,
        grtt: 100,
        backoff_gsize: 0x42,
    };
    let fb = CcFeedback {
        cc_sequence: 7,
        flags: cc_flag::RTT | cc_flag::START,
        rtt: 60,
        loss32: 0x0102_0304,
        rate: quantize_rate(1.0e6),
    };
    let ack = build::ack_cc(c, 5, 0x1234, (11, 22), &fb);
    let Ok(Packet::Ack(_, a)) = parse(&ack) else {
        panic!("ack");
    };
    assert_eq!(
        (a.server_id, a.ack_type, a.grtt_response, a.cc),
        (5, 1, (11, 22), Some(fb))
    );
    let items = [RepairItem {
        fec_id: 5,
        object_id: 0,
        block: 3,
        symbol: 16,
    }];
    let nack = build::nack_segments(c, 5, 0x1234, (0, 0), &items);
    let Ok(Packet::Nack(_, n)) = parse(&nack) else {
        panic!("nack");
    };
    assert_eq!(
        n.requests()
            .flat_map(|r| r.items().collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        items
    );
    let cc = build::cc(c, f, 4, (1, 2), 0xccd3);
    assert!(matches!(
        parse(&cc),
        Ok(Packet::Cmd(
            _,
            Cmd::Cc {
                cc_sequence: 4,
                send_rate: Some(0xccd3),
                ..
            }
        ))
    ));
    let flush = build::flush(c, f, 0, 8, 15);
    assert!(matches!(
        parse(&flush),
        Ok(Packet::Cmd(
            _,
            Cmd::Flush {
                block: 8,
                symbol: 15,
                ..
            }
        ))
    ));
    let mut squelch = flush.clone();
    squelch[12] = 3;
    assert!(matches!(
        parse(&squelch),
        Ok(Packet::Cmd(
            _,
            Cmd::Squelch {
                block: 8,
                symbol: 15,
                ..
            }
        ))
    ));
    // Every prefix shorter than a header is refused; no length panics.
    for p in [&ack, &nack, &cc, &flush, &squelch] {
        let hdr = usize::from(p[1]) * 4;
        for k in 0..hdr {
            assert!(parse(&p[..k]).is_err(), "prefix {k} of {:02x?}", &p[..8]);
        }
    }
    // A repair request longer than the datagram.
    let mut long = nack.clone();
    let at = usize::from(long[1]) * 4 + 3;
    long[at] = 0xff;
    assert_eq!(parse(&long).err(), Some(NormError::Truncated));
    // EXT_CC of the wrong length.
    let mut ext = ack.clone();
    ext[25] = 2;
    assert_eq!(parse(&ext).err(), Some(NormError::BadExtension));
    // SQUELCH and FLUSH with another FEC id.
    let mut fec = squelch;
    fec[13] = 2;
    assert_eq!(parse(&fec).err(), Some(NormError::UnsupportedFec));
    // Every single-octet change of each: a packet or a typed error.
    for p in [&ack, &nack, &cc] {
        for i in 0..p.len() {
            for v in [0u8, 1, 0x7f, 0x80, 0xff] {
                let mut q = p.clone();
                q[i] = v;
                let _ = parse(&q);
            }
        }
    }
}

#[test]
fn parity_is_decoded_only_within_the_receivers_bounds() {
    // A sender's FTI sets the size of the matrix the code inverts: the
    // receiver builds codes up to MAX_FEC_SOURCES x MAX_FEC_PARITY (libzmq's
    // 16 + 4 among them) and repairs larger blocks by NACK alone.
    use crate::norm::receiver::{MAX_FEC_PARITY, MAX_FEC_SOURCES, fec_code};
    let fti = |block_size, num_parity| Fti {
        transfer_length: 2 * 1024 * 1024,
        segment_size: 1400,
        block_size,
        num_parity,
    };
    assert!(fec_code(fti(16, 4)).is_some());
    assert!(fec_code(fti(MAX_FEC_SOURCES, MAX_FEC_PARITY)).is_some());
    assert!(fec_code(fti(16, 0)).is_none(), "no parity, no code");
    assert!(fec_code(fti(MAX_FEC_SOURCES + 1, 4)).is_none());
    assert!(fec_code(fti(16, MAX_FEC_PARITY + 1)).is_none());
    assert!(fec_code(fti(200, 55)).is_none());
}
