use super::*;

fn timing(name: &str, secs: f64, states: Option<u64>, ok: bool) -> Timing {
    let d = Duration::from_secs_f64(secs);
    Timing {
        name: name.to_owned(),
        median: d,
        runs: vec![d],
        ok,
        states,
    }
}

#[test]
fn reads_the_state_count_of_a_checker_line() {
    let out = "pair                 550302 states     150705 unique  depth  40     3.82s  (Bounds { .. })\n    [ok] x\n";
    assert_eq!(parse_states(out), Some(550_302));
    assert_eq!(
        parse_states("    [ok] 37-R41 multipart messages arrive whole\n"),
        None
    );
}

#[test]
fn csv_round_trips() {
    let t = [
        timing("model pair", 3.5, Some(10), true),
        timing("conformance", 20.0, None, true),
    ];
    let back = from_csv(&to_csv(&t));
    assert_eq!(back["model pair"], (3.5, Some(10)));
    assert_eq!(back["conformance"], (20.0, None));
}

#[test]
fn slower_than_tolerance_is_a_regression() {
    let base =
        from_csv("name,median_s,ok,states\nmodel pair,2.000,true,10\nconformance,10.000,true,\n");
    let (table, regressed) = compare(&[timing("model pair", 2.2, Some(10), true)], &base, 1.3);
    assert!(!regressed, "{table}");
    assert!(table.contains("| model pair | 2.20 s | 2.00 s | 1.10x | 10 | ok |"));
    let (table, regressed) = compare(&[timing("model pair", 3.0, Some(10), true)], &base, 1.3);
    assert!(regressed && table.contains("SLOWER"));
    let (table, regressed) = compare(&[timing("model pair", 2.0, Some(11), true)], &base, 1.3);
    assert!(!regressed && table.contains("STATES CHANGED"));
    let (table, regressed) = compare(&[timing("conformance", 1.0, None, false)], &base, 1.3);
    assert!(regressed && table.contains("FAILED"));
}
