use super::*;

#[test]
fn calibration_takes_the_median_and_twice_the_widest_spread() {
    let b = Baseline::calibrate("c", &[0.11, 0.12, 0.14]).unwrap();
    assert!((b.gain - 0.12).abs() < 1e-12);
    // 0.02 / 0.12 from the median, doubled.
    assert!((b.margin - 2.0 * 0.02 / 0.12).abs() < 1e-9);
    assert!(Baseline::calibrate("c", &[]).is_none());
}

#[test]
fn a_quiet_calibration_still_tolerates_the_minimum_margin() {
    let b = Baseline::calibrate("c", &[0.5, 0.5, 0.5]).unwrap();
    assert_eq!(b.margin, MIN_MARGIN);
    assert!(b.passes(0.5 * (1.0 - MIN_MARGIN) + 1e-9));
    assert!(!b.passes(0.5 * (1.0 - MIN_MARGIN) - 1e-3));
}

#[test]
fn a_wild_calibration_is_capped_so_the_check_still_bites() {
    let b = Baseline::calibrate("c", &[0.02, 0.1, 0.3]).unwrap();
    assert_eq!(b.margin, MAX_MARGIN);
    assert!(!b.passes(0.049));
}

#[test]
fn baselines_round_trip_through_their_file() {
    let v = vec![
        Baseline {
            case: "push-pull tcp 64B".into(),
            gain: 0.125,
            margin: 0.3,
        },
        Baseline {
            case: "req-rep latency tcp 1B".into(),
            gain: 0.5,
            margin: 0.15,
        },
    ];
    assert_eq!(parse_baselines(&format_baselines(&v, "note")), v);
}

#[test]
fn every_smoke_case_is_one_raw_measures() {
    for c in cases() {
        assert!(
            crate::backend::raw::supports(c.kind, c.transport),
            "{}",
            c.id
        );
    }
}
