//! Property tests: random operation sequences keep every invariant, and the
//! oracle accepts the traces the machines themselves produce.

use proptest::prelude::*;

use super::*;
use crate::oracle::Oracle;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_random_operations(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Err(v) = run(&data) {
            prop_assert!(false, "{v}");
        }
    }

    #[test]
    fn oracle_accepts_what_the_machines_do(data in proptest::collection::vec(any::<u8>(), 0..120)) {
        if let Ok(Some((t, options, trace))) = run_recorded(&data) {
            let mut oracle = Oracle::new(t, options).unwrap().with_limit(20_000);
            match oracle.observe_all(&trace) {
                Ok(()) => {}
                // Too many interleavings to keep: not a verdict.
                Err(e) if e.limit_reached => {}
                Err(e) => prop_assert!(false, "{t}: event {} {:?} unexplained", e.index, e.event),
            }
        }
    }

    #[test]
    fn oracle_rejects_a_message_nobody_sent(data in proptest::collection::vec(any::<u8>(), 0..120)) {
        if let Ok(Some((t, options, mut trace))) = run_recorded(&data)
            && let Some(i) = trace.iter().position(|e| matches!(e, TraceEvent::Recv(_))) {
                // Frames the harness never generates (they are at most 3 octets).
                trace[i] = TraceEvent::Recv(Message::from_frames([&b"forged"[..]]));
                let mut oracle = Oracle::new(t, options).unwrap().with_limit(20_000);
                let err = oracle.observe_all(&trace).unwrap_err();
                prop_assert!(err.index <= i);
            }
    }
}

#[test]
fn seeds_replay_without_violation() {
    // A few hand-picked inputs: every socket type with peers, traffic and
    // option changes.
    for t in 0..11u8 {
        let mut data = vec![t, 0x15, 0x00];
        for peer in 0..3u8 {
            data.extend([0, peer, 0, 1]);
        }
        data.extend([
            4, 1, 2, 1, 0, 4, 1, 7, 1, 1, 2, 9, 1, 11, 1, 3, 12, 0, 1, 2, 7, 2, 1, 0,
        ]);
        data.extend([5, 0, 2, 1, 2, 7, 1, 1, 1, 11, 2, 3, 9, 1, 3, 1, 2, 11, 1, 3]);
        run(&data).unwrap();
        fuzz(&data).unwrap();
        let (_, _, trace) = run_recorded(&data).unwrap().unwrap();
        assert!(!trace.is_empty());
    }
    assert_eq!(run(&[]), Ok(()));
    assert_eq!(run(&[3]), Ok(()));
}

#[test]
fn random_runs_are_not_vacuous() {
    // A fixed xorshift stream, so the test is deterministic.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    };
    let mut kinds = std::collections::BTreeMap::new();
    let mut oracle_checked = 0;
    let mut refusals_explained = 0;
    for case in 0..220u32 {
        let mut data: Vec<u8> = (0..200).map(|_| next()).collect();
        data[0] = (case % 11) as u8;
        let (t, options, trace) = match run_recorded(&data) {
            Ok(r) => r.unwrap(),
            Err(v) => panic!("{v}: input {data:?}"),
        };
        for e in &trace {
            *kinds.entry((t, kind_of(e))).or_insert(0u32) += 1;
        }
        if trace.len() < 60 {
            let mut oracle = Oracle::new(t, options).unwrap().with_limit(20_000);
            if oracle.observe_all(&trace).is_ok() {
                oracle_checked += 1;
                if trace
                    .iter()
                    .any(|e| matches!(e, TraceEvent::SendRefused(_)))
                {
                    refusals_explained += 1;
                }
            }
        }
    }
    for t in SocketType::CLASSIC {
        let count = |k: &str| kinds.get(&(t, k.to_string())).copied().unwrap_or(0);
        assert!(count("Attach") > 0, "{t}: no attach");
        let traffic = count("Recv") + count("ToPeer");
        assert!(traffic > 0, "{t}: no traffic: {kinds:?}");
    }
    let departs: u32 = SocketType::CLASSIC
        .into_iter()
        .map(|t| kinds.get(&(t, "Depart".to_string())).copied().unwrap_or(0))
        .sum();
    assert!(departs > 10, "only {departs} departures: {kinds:?}");
    assert!(
        oracle_checked > 20,
        "oracle explained only {oracle_checked} traces"
    );
    // Refused sends (REQ awaiting its reply, no peer, full queues, ROUTER
    // with an unknown id) are recorded and explained too.
    assert!(
        refusals_explained > 5,
        "only {refusals_explained} explained traces have a refused send: {kinds:?}"
    );
}

#[test]
fn draft_type_runs_are_not_vacuous_and_explained() {
    // CLIENT, SERVER, RADIO, DISH, SCATTER, GATHER, PEER and CHANNEL
    // (first bytes 11-18): peers attach, messages flow, and the oracle
    // explains the traces.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    };
    let mut kinds = std::collections::BTreeMap::new();
    let mut explained = std::collections::BTreeMap::new();
    for case in 0..400u32 {
        let mut data: Vec<u8> = (0..300).map(|_| next()).collect();
        data[0] = 11 + (case % DRAFT.len() as u32) as u8;
        let (t, options, trace) = match run_recorded(&data) {
            Ok(r) => r.unwrap(),
            Err(v) => panic!("{v}: input {data:?}"),
        };
        for e in &trace {
            *kinds.entry((t, kind_of(e))).or_insert(0u32) += 1;
        }
        if trace.len() < 80 {
            let mut oracle = Oracle::new(t, options).unwrap().with_limit(20_000);
            match oracle.observe_all(&trace) {
                Ok(()) => *explained.entry(t).or_insert(0u32) += 1,
                Err(e) if e.limit_reached => {}
                Err(e) => panic!("{t}: event {} {:?} unexplained", e.index, e.event),
            }
        }
    }
    for t in DRAFT {
        let count = |k: &str| kinds.get(&(t, k.to_string())).copied().unwrap_or(0);
        assert!(count("Attach") > 0, "{t}: no attach");
        assert!(
            explained.get(&t).copied().unwrap_or(0) > 5,
            "{t}: {explained:?}"
        );
    }
    let count = |t, k: &str| kinds.get(&(t, k.to_string())).copied().unwrap_or(0);
    // Traffic both ways where the type allows it, and DISH's joins.
    assert!(count(SocketType::Client, "Recv") > 0, "{kinds:?}");
    assert!(count(SocketType::Server, "ToPeer") > 0, "{kinds:?}");
    assert!(count(SocketType::Radio, "ToPeer") > 0, "{kinds:?}");
    assert!(count(SocketType::Dish, "Recv") > 0, "{kinds:?}");
    assert!(count(SocketType::Dish, "Join") > 0, "{kinds:?}");
}

/// Inputs the fuzzer found, kept as regression tests.
#[test]
fn fuzz_regressions() {
    // REQ with PROBE_ROUTER re-attaching after suspends: the probe is
    // queued once per pipe, not once per connection.
    let probe_per_connection = [
        157, 91, 46, 10, 157, 6, 0, 0, 0, 152, 152, 152, 152, 255, 255, 255, 255, 152, 35, 2, 0, 0,
        0, 0, 35, 2, 0, 8, 0, 0, 152, 152, 152, 157, 157, 152, 152, 152, 40, 255, 255, 255, 255,
        152, 35, 2, 0, 0, 0, 0, 35, 2, 0, 0, 152, 152, 152, 157, 157, 100, 100, 91, 10, 157, 152,
        157, 10, 61, 157, 91, 100,
    ];
    run(&probe_per_connection).unwrap();
    // REQ given two replies to one request: the second is discarded.
    let two_replies = [
        212, 217, 1, 0, 16, 65, 96, 255, 0, 212, 212, 212, 212, 196, 205, 212, 212, 212, 212, 212,
        196, 212, 212, 217, 0, 0, 36, 0, 0, 251, 255, 255, 255, 255, 255, 40, 59, 212, 212, 212,
        212, 212, 1, 0, 0, 0, 3, 212, 81, 75,
    ];
    run(&two_replies).unwrap();
    // A relaxed REQ spreading eight requests over four pending peers: more
    // distributions than the oracle's limit, which must say so rather than
    // call the trace unexplained.
    let many_choices = [
        157, 91, 157, 10, 157, 91, 157, 10, 157, 152, 137, 152, 152, 255, 255, 255, 255, 152, 152,
        152, 152, 157, 157, 157, 157, 100, 100, 91, 212, 212, 212, 212, 212, 212, 212, 212, 212,
        212, 212, 212, 212, 212, 212, 212, 212, 212, 212, 212, 212, 212, 212, 212, 212, 212, 212,
        212, 212, 212, 212, 212, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 212, 212, 212, 212, 10, 157, 215, 215, 215, 10, 157, 152, 61, 157,
        91, 100,
    ];
    fuzz(&many_choices).unwrap();
}

/// A trace event's variant name, from its Debug form (`Send`, `Recv`, ...).
fn kind_of(event: &impl core::fmt::Debug) -> String {
    format!("{event:?}")
        .split('(')
        .next()
        .unwrap_or_default()
        .to_string()
}
