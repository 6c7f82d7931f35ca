use super::*;

#[test]
fn throughput_lines_match_libzmq() {
    let r = ThrReport {
        size: 64,
        count: 1_000_000,
        elapsed: Duration::from_millis(400),
    };
    assert_eq!(
        r.to_string(),
        "message size: 64 [B]\nmessage count: 1000000\nmean throughput: 2500000 [msg/s]\nmean throughput: 1280.000 [Mb/s]\n"
    );
}

#[test]
fn latency_is_half_a_round_trip() {
    let r = LatReport {
        size: 1,
        roundtrips: 1000,
        elapsed: Duration::from_millis(100),
    };
    assert_eq!(
        r.to_string(),
        "message size: 1 [B]\nroundtrip count: 1000\naverage latency: 50.000 [us]\n"
    );
}

#[test]
fn zero_elapsed_does_not_divide_by_zero() {
    let r = ThrReport {
        size: 1,
        count: 10,
        elapsed: Duration::ZERO,
    };
    assert_eq!(r.msg_per_sec(), 10e6);
}

#[test]
fn parses_libzmq_output_lines() {
    let out = "message size: 64 [B]\nmessage count: 10\nmean throughput: 2571428 [msg/s]\nmean throughput: 1316.571 [Mb/s]\n";
    assert_eq!(
        parse_line(out, "mean throughput: ", "[msg/s]"),
        Some(2_571_428.0)
    );
    assert_eq!(
        parse_line(out, "mean throughput: ", "[Mb/s]"),
        Some(1316.571)
    );
    assert_eq!(parse_line(out, "average latency: ", "[us]"), None);
}
