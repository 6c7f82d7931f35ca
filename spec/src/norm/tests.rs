//! Packets captured from Debian's libzmq 4.3.4 (libnorm) PUB sending the
//! two-frame message ["topic", "0"] to 239.192.1.1:5600.

use super::NormError;
use super::packet::{Cmd, MsgType, Packet, parse};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

const DATA_FIRST: &str = "12080001000000008e789442200500000000000040030000001fc980057810040008000100000000000105746f706963";
const DATA_MORE: &str =
    "12080003000000008e789842200500000000000140030000001fc980057810040004000100000008ff000130";
const FLUSH: &str = "13050008000000008e7898420105000000000005";
const CC: &str = "13070000000000008e789442040000006b166554000404a98000ccd3";

#[test]
fn libnorm_stream_data_reads_with_fti_and_message_start() {
    // NORM-R01, NORM-R02, NORM-R03, NORM-R04
    let b = hex(DATA_FIRST);
    let Ok(Packet::Data(h, d)) = parse(&b) else {
        panic!("data");
    };
    assert_eq!(h.msg_type, MsgType::Data);
    assert_eq!(h.hdr_len, 32);
    assert_eq!(h.sequence, 1);
    assert_eq!(d.instance_id, 0x8e78);
    assert_eq!((d.block, d.symbol), (0, 0));
    let fti = d.fti.expect("EXT_FTI");
    assert_eq!(fti.segment_size, 1400);
    assert_eq!((fti.block_size, fti.num_parity), (16, 4));
    assert_eq!(fti.transfer_length, 0x1f_c980);
    let s = d.stream.expect("stream payload");
    assert_eq!(s.offset, 0);
    assert_eq!(s.msg_start, Some(0));
    // libzmq's framing: 0x00 marks a message's first frame, then the v2
    // frame (flags 0x01 = more, length 5, body).
    assert_eq!(s.data, b"\x00\x01\x05topic");

    let b = hex(DATA_MORE);
    let Ok(Packet::Data(_, d)) = parse(&b) else {
        panic!("data");
    };
    let s = d.stream.expect("stream payload");
    assert_eq!((d.block, d.symbol, s.offset), (0, 1, 8));
    // 0xff: a frame after the first of its message.
    assert_eq!(s.data, b"\xff\x00\x010");
}

#[test]
fn libnorm_flush_and_cc_commands_read() {
    // NORM-R05
    let b = hex(FLUSH);
    assert!(matches!(
        parse(&b),
        Ok(Packet::Cmd(
            _,
            Cmd::Flush {
                block: 0,
                symbol: 5,
                object_id: 0,
                instance_id: 0x8e78
            }
        ))
    ));
    let b = hex(CC);
    assert!(matches!(
        parse(&b),
        Ok(Packet::Cmd(
            _,
            Cmd::Cc {
                cc_sequence: 0,
                send_time: (0x6b16_6554, 0x0004_04a9),
                ..
            }
        ))
    ));
}

#[test]
fn bad_packets_are_typed_errors_never_panics() {
    // NORM-R06
    let good = hex(DATA_FIRST);
    for n in 0..good.len() {
        assert!(parse(&good[..n]).is_err(), "truncated at {n}");
    }
    let mut v2 = good.clone();
    v2[0] = 0x22;
    assert_eq!(parse(&v2), Err(NormError::BadVersion));
    let mut short = good.clone();
    short[1] = 1;
    assert_eq!(parse(&short), Err(NormError::BadHeaderLength));
    let mut over = good.clone();
    over[1] = 0xff;
    assert_eq!(parse(&over), Err(NormError::Truncated));
    let mut fec = good.clone();
    fec[13] = 2;
    assert_eq!(parse(&fec), Err(NormError::UnsupportedFec));
    let mut ext = good.clone();
    ext[21] = 9;
    assert_eq!(parse(&ext), Err(NormError::BadExtension));
    let mut len = good;
    len[33] = 0xff;
    assert_eq!(parse(&len), Err(NormError::Truncated));
    // Every single-octet value at every position: no panic.
    let base = hex(FLUSH);
    for i in 0..base.len() {
        for v in 0..=255u8 {
            let mut p = base.clone();
            p[i] = v;
            let _ = parse(&p);
        }
    }
}

mod machines;
