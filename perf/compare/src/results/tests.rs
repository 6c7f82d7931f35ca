use super::*;
use crate::plan::cases;

#[test]
fn median_of_odd_and_even_lists() {
    assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(vec![]), None);
}

fn results_for(case: usize, figures: &[(Impl, f64)]) -> Results {
    let mut r = Results::default();
    for (round, (imp, v)) in figures.iter().enumerate() {
        r.raw.push((
            round,
            case,
            *imp,
            Figure {
                value: *v,
                delivered: None,
            },
        ));
    }
    r
}

#[test]
fn ratios_and_gains_follow_the_metric_direction() {
    let all = cases(1);
    let lat = all
        .iter()
        .position(|c| c.kind == Kind::ReqRep)
        .expect("latency case");
    let rows = results_for(lat, &[(Impl::Libzmq, 40.0), (Impl::Ours, 20.0)]).rows(&all);
    let row = &rows[lat];
    assert_eq!(row.ratio(Impl::Ours), Some(0.5));
    // Half the latency is twice as fast.
    assert_eq!(row.gain(Impl::Ours, Impl::Libzmq), Some(2.0));
    assert_eq!(row.ratio(Impl::Zmqrs), None);
}

#[test]
fn table_csv_and_svg_name_every_case() {
    let all = cases(1);
    let rows = results_for(
        0,
        &[(Impl::Libzmq, 2e6), (Impl::Ours, 3e6), (Impl::Zmqrs, 1e6)],
    )
    .rows(&all);
    let t = table(&rows);
    assert!(t.contains(
        "| push-pull tcp 1B | 2.00 M/s | 3.00 M/s | 1.00 M/s | - | 1.50x | 0.50x | 3.00x | - |"
    ));
    let chart = svg(&rows);
    for c in &all {
        assert!(chart.contains(&c.id), "{}", c.id);
    }
    assert!(targets(&rows).contains("| tcp 64 B throughput >= 1.2x libzmq | - | n/a |"));
}

#[test]
fn round_by_round_ratios_give_the_spread() {
    let all = cases(1);
    let mut r = Results::default();
    for (round, lib, ours) in [(0, 2.0, 1.0), (1, 2.0, 3.0), (2, 4.0, 4.0)] {
        r.raw.push((
            round,
            0,
            Impl::Libzmq,
            Figure {
                value: lib,
                delivered: None,
            },
        ));
        r.raw.push((
            round,
            0,
            Impl::Ours,
            Figure {
                value: ours,
                delivered: None,
            },
        ));
    }
    let rows = r.rows(&all);
    assert_eq!(
        rows[0].round_ratios.get(&(Impl::Ours, Impl::Libzmq)),
        Some(&(0.5, 1.5))
    );
    // Median 3 over median 2.
    assert!(table(&rows).contains("| 1.50x (0.50-1.50) |"));
}

#[test]
fn ratios_to_raw_and_the_goals() {
    let all = cases(1);
    let tcp64 = all
        .iter()
        .position(|c| c.id == "push-pull tcp 64B")
        .expect("tcp 64B case");
    let rows = results_for(
        tcp64,
        &[(Impl::Libzmq, 4e6), (Impl::Ours, 6e6), (Impl::Raw, 24e6)],
    )
    .rows(&all);
    assert_eq!(rows[tcp64].ratio_to(Impl::Ours, Impl::Raw), Some(0.25));
    assert!(table(&rows).contains("| 24.00 M/s | 1.50x | - | - | 0.25x |"));
    let goals = raw_goals(&rows);
    assert!(goals.contains("| push-pull tcp 64B zmtp >= 0.5x raw | 0.25x | NO |"));
    assert!(goals.contains("| req-rep latency tcp 1B zmtp <= 1.2x raw | - | n/a |"));
}

#[test]
fn the_transport_set_holds_ws_udp_the_node_rows_and_their_tcp_references() {
    let all = cases(1);
    let set: Vec<&str> = all
        .iter()
        .filter(|c| c.in_transport_set())
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        set,
        [
            "push-pull tcp 64B",
            "req-rep latency tcp 1B",
            "push-pull ws 64B",
            "req-rep latency ws 1B",
            "radio-dish udp 64B",
            "radio-dish at 100k msg/s udp 64B",
            "push-pull tcp 64B (libzmq via node)",
            "req-rep latency tcp 1B (libzmq via node)",
        ]
    );
    // `--only ws` and `--only udp` pick exactly the new cases.
    let only = |o: &str| all.iter().filter(|c| c.id.contains(o)).count();
    assert_eq!(only("ws"), 2);
    assert_eq!(only("udp"), 2);
    // libzmq's udp and the calibration rows go through Node, its ws not.
    let via: Vec<&str> = all
        .iter()
        .filter(|c| c.libzmq_via_node())
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(via.len(), 4, "{via:?}");
    assert!(
        via.iter()
            .all(|id| id.contains("udp") || id.contains("via node"))
    );
}

#[test]
fn ws_rows_are_read_against_the_same_implementations_tcp() {
    let all = cases(1);
    let idx = |id: &str| all.iter().position(|c| c.id == id).unwrap();
    let mut r = Results::default();
    let fig = |value| Figure {
        value,
        delivered: None,
    };
    for (id, imp, v) in [
        ("push-pull ws 64B", Impl::Ours, 1.0e6),
        ("push-pull tcp 64B", Impl::Ours, 4.0e6),
        ("push-pull ws 64B", Impl::Libzmq, 1.6e6),
        ("push-pull tcp 64B (libzmq via node)", Impl::Libzmq, 4.0e5),
        ("push-pull tcp 64B", Impl::Libzmq, 3.2e6),
    ] {
        r.raw.push((0, idx(id), imp, fig(v)));
    }
    let rows = r.rows(&all);
    let t = transport_ratios(&rows);
    assert!(
        t.contains(
            "| push-pull ws 64B | 1.00 M/s | 4.00 M/s | 0.25x | 1.60 M/s | 3.20 M/s | 0.50x |"
        ),
        "{t}"
    );
    assert!(
        t.contains("| msg/s 64B | 3.20 M/s | 400.0 k/s | 0.12x |"),
        "{t}"
    );
    assert!(transport_ratios(&rows[..1]).is_empty());
}
