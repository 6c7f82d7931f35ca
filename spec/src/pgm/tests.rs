//! Golden vectors recorded from libzmq 4.3.4 with OpenPGM (epgm, Debian's
//! python3-zmq), round trips, and the two machines wired back to back
//! with virtual time.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand_core::{RngCore, SeedableRng};

use super::options::{Fragment, Options};
use super::packet::{self, Body, Gsi, Nak, Outgoing, PacketType, Spm, Tsi};
use super::payload::{Joiner, NO_MESSAGE_START, Packer};
use super::receiver::{Receiver, ReceiverConfig, ReceiverEvent};
use super::sender::{RateLimit, Sender, SenderConfig, max_tsdu};
use super::{Destination, PgmError, checksum};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// An SPM libzmq sent before any data: trail 0, lead FFFFFFFF, NLA 127.0.0.1.
const SPM: &str = "b1d615b300002c66b7c6d1bc038a00000000000000000000ffffffff000100007f000001";
/// ODATA 0 carrying ["topic", "hello"] and a 300-octet message.
fn odata() -> Vec<u8> {
    let mut s = String::from(
        "b1d615b30400c365b7c6d1bc038a0146000000000000000000000601746f706963060068656c6c6fff000000000000012d00",
    );
    s.push_str(&"78".repeat(300));
    hex(&s)
}

const GSI: Gsi = Gsi([0xb7, 0xc6, 0xd1, 0xbc, 0x03, 0x8a]);
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const GROUP: IpAddr = IpAddr::V4(Ipv4Addr::new(239, 192, 1, 1));

#[test]
fn libzmq_spm_parses_and_reencodes_to_the_same_octets() {
    let bytes = hex(SPM);
    let p = packet::packet(&bytes).expect("spm");
    assert_eq!(p.header.kind, PacketType::Spm);
    assert_eq!(p.header.dport, 5555);
    assert_eq!(p.header.gsi, GSI);
    let Body::Spm(spm) = p.body else {
        panic!("{:?}", p.body)
    };
    assert_eq!((spm.sqn, spm.trail, spm.lead), (0, 0, u32::MAX));
    assert_eq!(spm.nla, LOOPBACK);
    let again = Outgoing {
        kind: PacketType::Spm,
        sport: p.header.sport,
        dport: 5555,
        gsi: GSI,
        body: Body::Spm(spm),
        options: Options::default(),
    };
    assert_eq!(again.to_vec(), bytes);
    assert_eq!(again.encoded_len(), bytes.len());
}

#[test]
fn libzmq_odata_checksum_and_payload() {
    let bytes = odata();
    let p = packet::packet(&bytes).expect("odata");
    let Body::Data { sqn, trail, tsdu } = p.body else {
        panic!()
    };
    assert_eq!((sqn, trail), (0, 0));
    let again = Outgoing {
        kind: PacketType::Odata,
        sport: p.header.sport,
        dport: p.header.dport,
        gsi: GSI,
        body: p.body,
        options: Options::default(),
    };
    assert_eq!(again.to_vec(), bytes, "our checksum is OpenPGM's");
    let mut j = Joiner::new(None);
    let mut out = Vec::new();
    j.handle_tsdu(tsdu, &mut out).expect("payload");
    assert_eq!(out.len(), 2);
    assert_eq!(out[0], vec![Bytes::from("topic"), Bytes::from("hello")]);
    assert_eq!(out[1], vec![Bytes::from(vec![b'x'; 300])]);
    // Our packer writes the same TSDU for the same messages (PGM-R31, R32).
    let mut packer = Packer::new();
    packer.push(&[&b"topic"[..], b"hello"]);
    packer.push(&[vec![b'x'; 300]]);
    assert_eq!(packer.next_tsdu(1500).expect("tsdu"), tsdu);
}

#[test]
fn a_flipped_bit_fails_the_checksum_and_data_needs_one() {
    let mut bytes = odata();
    bytes[40] ^= 1;
    assert_eq!(packet::packet(&bytes), Err(PgmError::BadChecksum));
    let mut bytes = odata();
    bytes[6] = 0;
    bytes[7] = 0;
    assert_eq!(packet::packet(&bytes), Err(PgmError::MissingChecksum));
    // A control packet may go without one.
    let mut spm = hex(SPM);
    spm[6] = 0;
    spm[7] = 0;
    assert!(packet::packet(&spm).is_ok());
}

#[test]
fn checksum_fold_keeps_ffff() {
    assert_eq!(checksum::fold(0), 0xffff);
    assert_eq!(checksum::fold(0xffff), 0xffff);
    assert_eq!(checksum::fold(0x1_0000), 0xfffe);
}

#[test]
fn truncations_are_errors_not_panics() {
    for b in [hex(SPM), odata()] {
        for n in 0..b.len() {
            let _ = packet::packet(&b[..n]);
        }
    }
    assert_eq!(packet::packet(&[0; 3]), Err(PgmError::Truncated));
}

#[test]
fn nak_with_options_round_trips() {
    let nak = Outgoing {
        kind: PacketType::Nak,
        sport: 5555,
        dport: 0xb1d6,
        gsi: GSI,
        body: Body::Nak(Nak {
            sqn: 7,
            source: LOOPBACK,
            group: GROUP,
        }),
        options: Options {
            nak_list: vec![8, 9, 12],
            ..Options::default()
        },
    };
    let bytes = nak.to_vec();
    assert_eq!(bytes.len(), nak.encoded_len());
    let p = packet::packet(&bytes).expect("nak");
    assert_eq!(p.body, nak.body);
    assert_eq!(p.options.nak_list, vec![8, 9, 12]);
    assert_eq!(
        p.tsi().sport,
        0xb1d6,
        "a NAK's session port is its destination"
    );
    let frag = Outgoing {
        kind: PacketType::Odata,
        options: Options {
            fragment: Some(Fragment {
                first_sqn: 3,
                offset: 100,
                apdu_len: 4000,
            }),
            fin: true,
            ..Options::default()
        },
        body: Body::Data {
            sqn: 4,
            trail: 1,
            tsdu: b"abc",
        },
        ..nak.clone()
    };
    let bytes = frag.to_vec();
    assert_eq!(bytes.len(), frag.encoded_len());
    let p = packet::packet(&bytes).expect("odata");
    assert_eq!(p.options, frag.options);
    assert_eq!(p.body, frag.body);
    for n in 0..bytes.len() {
        let _ = packet::packet(&bytes[..n]);
    }
}

#[test]
fn joiner_skips_to_the_first_message_start() {
    let mut packer = Packer::new();
    packer.push(&[vec![1u8; 40]]);
    packer.push(&[&b"b"[..]]);
    let first = packer.next_tsdu(2 + 20).expect("tsdu");
    let second = packer.next_tsdu(2 + 100).expect("tsdu");
    assert_eq!(u16::from_be_bytes([first[0], first[1]]), 0);
    assert_eq!(u16::from_be_bytes([second[0], second[1]]), 22);
    // A late joiner that missed `first` sees only "b" (PGM-R34).
    let mut j = Joiner::new(None);
    let mut out = Vec::new();
    j.handle_tsdu(&second, &mut out).expect("second");
    assert_eq!(out, vec![vec![Bytes::from("b")]]);
    // A TSDU in the middle of a frame has no start.
    let mut p = Packer::new();
    p.push(&[vec![0u8; 100]]);
    let _ = p.next_tsdu(50);
    let mid = p.next_tsdu(50).expect("mid");
    assert_eq!(u16::from_be_bytes([mid[0], mid[1]]), NO_MESSAGE_START);
    let mut j = Joiner::new(Some(10));
    assert!(j.handle_tsdu(&mid, &mut out).is_ok());
    assert!(!j.is_joined());
    assert!(
        j.handle_tsdu(&first, &mut out).is_err(),
        "40 > MAXMSGSIZE 10"
    );
}

#[test]
fn rate_limit_is_a_token_bucket() {
    let t0 = Instant::now();
    let mut b = RateLimit::new(1000, 100, t0);
    assert!(b.try_take(100, t0));
    assert!(!b.try_take(10, t0));
    assert_eq!(b.ready_at(10), t0 + Duration::from_millis(10));
    assert!(b.try_take(10, t0 + Duration::from_millis(10)));
    assert!(b.try_take(50, t0 + Duration::from_millis(60)));
    assert!(!b.try_take(1, t0 + Duration::from_millis(60)));
}

fn sender(now: Instant, rate: u64) -> Sender {
    Sender::new(
        SenderConfig {
            tsi: Tsi {
                gsi: GSI,
                sport: 4000,
            },
            dport: 5555,
            nla: LOOPBACK,
            group: GROUP,
            max_tsdu: max_tsdu(1500, true),
            window_sqns: 1000,
            rate_bytes_per_sec: rate,
        },
        now,
    )
}

/// Runs sender to receiver for `steps` milliseconds of virtual time,
/// dropping ODATA numbers in `drop`; returns the messages delivered.
fn run(
    s: &mut Sender,
    r: &mut Receiver,
    t: &mut Instant,
    steps: u32,
    drop: &[u32],
    rng: &mut dyn RngCore,
) -> (Vec<Vec<Bytes>>, Vec<ReceiverEvent>, u32) {
    let mut got = Vec::new();
    let mut losses = Vec::new();
    let mut naks = 0;
    for _ in 0..steps {
        while let Some(tx) = s.poll_transmit(*t) {
            let p = packet::packet(&tx.packet).expect("ours parse");
            if let (PacketType::Odata, Body::Data { sqn, .. }) = (p.header.kind, p.body)
                && drop.contains(&sqn)
            {
                continue;
            }
            r.handle_packet(&tx.packet, Some(LOOPBACK), *t, rng)
                .expect("receiver");
        }
        r.handle_timeout(*t, rng);
        while let Some(nak) = r.poll_transmit() {
            assert_eq!(nak.destination, Destination::Unicast(LOOPBACK));
            naks += 1;
            s.handle_packet(&nak.packet, *t).expect("sender");
        }
        while let Some(e) = r.poll_event() {
            match e {
                ReceiverEvent::Message { frames, .. } => got.push(frames),
                loss => losses.push(loss),
            }
        }
        *t += Duration::from_millis(1);
    }
    (got, losses, naks)
}

#[test]
fn loss_is_repaired_through_nak_ncf_rdata() {
    let mut t = Instant::now();
    let mut rng = rand_chacha_free::Rng::seed_from_u64(1);
    let mut s = sender(t, 10_000_000);
    let mut r = Receiver::new(ReceiverConfig::new(GROUP, 5555, 1000));
    for i in 0..2000u32 {
        s.push_message(&[i.to_be_bytes()]);
    }
    let (got, losses, naks) = run(&mut s, &mut r, &mut t, 2000, &[1, 2, 5], &mut rng);
    assert!(naks >= 1, "gaps were NAKed");
    assert!(losses.is_empty(), "{losses:?}");
    let want: Vec<Vec<Bytes>> = (0..2000u32)
        .map(|i| vec![Bytes::copy_from_slice(&i.to_be_bytes())])
        .collect();
    // Everything, in order, although three ODATA were dropped.
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
}

#[test]
fn a_late_joiner_starts_after_the_lead_of_the_first_spm() {
    let mut t = Instant::now();
    let mut rng = rand_chacha_free::Rng::seed_from_u64(2);
    let mut s = sender(t, 10_000_000);
    let mut early = Receiver::new(ReceiverConfig::new(GROUP, 5555, 1000));
    s.push_message(&[&b"before"[..]]);
    let (got, _, _) = run(&mut s, &mut early, &mut t, 500, &[], &mut rng);
    assert_eq!(got, vec![vec![Bytes::from("before")]]);
    let mut late = Receiver::new(ReceiverConfig::new(GROUP, 5555, 1000));
    let (got, _, _) = run(&mut s, &mut late, &mut t, 5, &[], &mut rng);
    assert!(got.is_empty());
    s.push_message(&[&b"after"[..]]);
    let (got, losses, _) = run(&mut s, &mut late, &mut t, 500, &[], &mut rng);
    assert_eq!(got, vec![vec![Bytes::from("after")]]);
    assert!(losses.is_empty(), "no repair of what came before the join");
}

#[test]
fn unrepairable_loss_is_reported_and_the_stream_rejoins() {
    let mut t = Instant::now();
    let mut rng = rand_chacha_free::Rng::seed_from_u64(3);
    let mut s = sender(t, 10_000_000);
    let mut cfg = ReceiverConfig::new(GROUP, 5555, 1000);
    cfg.nak_ncf_retries = 2;
    let mut r = Receiver::new(cfg);
    s.push_message(&[&b"a"[..]]);
    let (mut got, _, _) = run(&mut s, &mut r, &mut t, 2, &[], &mut rng);
    s.push_message(&[&b"b"[..]]);
    // ODATA 1 is dropped, and the NAKs never reach the sender below.
    while let Some(tx) = s.poll_transmit(t) {
        let p = packet::packet(&tx.packet).expect("ours");
        if p.header.kind != PacketType::Odata {
            r.handle_packet(&tx.packet, Some(LOOPBACK), t, &mut rng)
                .expect("receiver");
        }
    }
    s.push_message(&[&b"c"[..]]);
    let mut losses = Vec::new();
    for _ in 0..3000 {
        while let Some(tx) = s.poll_transmit(t) {
            r.handle_packet(&tx.packet, Some(LOOPBACK), t, &mut rng)
                .expect("receiver");
        }
        r.handle_timeout(t, &mut rng);
        while r.poll_transmit().is_some() {}
        while let Some(e) = r.poll_event() {
            match e {
                ReceiverEvent::Message { frames, .. } => got.push(frames),
                l => losses.push(l),
            }
        }
        t += Duration::from_millis(1);
    }
    assert_eq!(got, vec![vec![Bytes::from("a")], vec![Bytes::from("c")]]);
    assert_eq!(losses.len(), 1);
}

#[test]
fn the_rate_limit_paces_odata() {
    let mut t = Instant::now();
    // 100 kB/s: 200 messages of ~1 KB take about two seconds.
    let mut s = sender(t, 100_000);
    for _ in 0..200 {
        s.push_message(&[vec![0u8; 1000]]);
    }
    let mut bytes = 0usize;
    let start = t;
    while s.queued() > 0 {
        while let Some(tx) = s.poll_transmit(t) {
            bytes += tx.packet.len();
        }
        t = s
            .poll_timeout()
            .expect("timer")
            .max(t + Duration::from_micros(100));
    }
    let secs = (t - start).as_secs_f64();
    let rate = bytes as f64 / secs;
    assert!(
        rate < 110_000.0 && rate > 80_000.0,
        "{rate} B/s over {secs} s"
    );
}

#[test]
fn spm_heartbeat_follows_libzmq_schedule() {
    let t0 = Instant::now();
    let mut s = sender(t0, 10_000_000);
    let first = s.poll_transmit(t0).expect("spm");
    assert_eq!(
        packet::packet(&first.packet).expect("spm").header.kind,
        PacketType::Spm
    );
    s.push_message(&[&b"x"[..]]);
    let odata = s.poll_transmit(t0).expect("odata");
    assert_eq!(
        packet::packet(&odata.packet).expect("odata").header.kind,
        PacketType::Odata
    );
    let mut at = Vec::new();
    for _ in 0..6 {
        let t = s.poll_timeout().expect("timer");
        let spm = s.poll_transmit(t).expect("heartbeat");
        let p = packet::packet(&spm.packet).expect("spm");
        let Body::Spm(Spm { lead, .. }) = p.body else {
            panic!()
        };
        assert_eq!(lead, 0);
        at.push((t - t0).as_millis());
    }
    assert_eq!(at, vec![100, 200, 300, 400, 1700, 8700]);
}

/// A small seeded generator for the back-off (rand_core's `SeedableRng`
/// over splitmix64), so the tests need no generator crate.
mod rand_chacha_free {
    use rand_core::{RngCore, SeedableRng, impls};

    pub(super) struct Rng(u64);

    impl SeedableRng for Rng {
        type Seed = [u8; 8];
        fn from_seed(seed: [u8; 8]) -> Self {
            Self(u64::from_le_bytes(seed))
        }
    }

    impl RngCore for Rng {
        fn next_u32(&mut self) -> u32 {
            self.next_u64() as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            impls::fill_bytes_via_next(self, dest);
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }
}

#[test]
fn a_gap_before_any_spm_asks_for_one_with_spmr() {
    let mut t = Instant::now();
    let mut rng = rand_chacha_free::Rng::seed_from_u64(4);
    let mut s = sender(t, 10_000_000);
    let _ = s.poll_transmit(t); // the first SPM, which this receiver misses
    let mut r = Receiver::new(ReceiverConfig::new(GROUP, 5555, 1000));
    for m in [&b"a"[..], b"b", b"c"] {
        s.push_message(&[m]);
        let tx = s.poll_transmit(t).expect("odata");
        if m != b"b" {
            r.handle_packet(&tx.packet, Some(LOOPBACK), t, &mut rng)
                .expect("odata");
        }
    }
    t += Duration::from_millis(60);
    r.handle_timeout(t, &mut rng);
    let spmr = r.poll_transmit().expect("an SPMR");
    assert_eq!(spmr.destination, Destination::Unicast(LOOPBACK));
    assert_eq!(
        packet::packet(&spmr.packet).expect("spmr").header.kind,
        PacketType::Spmr
    );
    assert!(
        r.poll_timeout().expect("a timer") > t,
        "no timer left in the past"
    );
    s.handle_packet(&spmr.packet, t).expect("sender");
    let spm = s.poll_transmit(t).expect("SPM at once");
    assert_eq!(
        packet::packet(&spm.packet).expect("spm").header.kind,
        PacketType::Spm
    );
    r.handle_packet(&spm.packet, Some(LOOPBACK), t, &mut rng)
        .expect("spm");
    let (got, losses, naks) = run(&mut s, &mut r, &mut t, 1000, &[], &mut rng);
    assert!(naks >= 1);
    assert!(losses.is_empty());
    assert_eq!(
        got,
        vec![
            vec![Bytes::from("a")],
            vec![Bytes::from("b")],
            vec![Bytes::from("c")]
        ]
    );
}
