use super::*;

fn judged(status: Status) -> Judged {
    Judged {
        id: "G01/1".into(),
        status,
        got: "PASS".into(),
        expected: "PASS".into(),
        reason: String::new(),
    }
}

#[test]
fn every_status_has_its_count_and_only_two_are_unexpected() {
    let all: Vec<Judged> = Status::ALL.iter().map(|&s| judged(s)).collect();
    let t = Tally::of(&all);
    for s in Status::ALL {
        assert_eq!(t.get(s), 1, "{}", s.label());
    }
    assert_eq!(t.total(), 6);
    assert_eq!(t.unexpected(), 2);
    let mut twice = t;
    twice.add(&t);
    assert_eq!(twice.total(), 12);
    assert_eq!(
        Tally::default().to_string(),
        "0 passed, 0 lenient, 0 failed, 0 unsupported, 0 expected-failure, 0 unexpected-pass"
    );
}

#[test]
fn statuses_serialize_as_their_labels() {
    for s in Status::ALL {
        assert_eq!(
            serde_json::to_value(s).expect("a label"),
            serde_json::Value::from(s.label())
        );
    }
}
