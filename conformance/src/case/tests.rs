use super::*;

#[test]
fn labels_round_trip() {
    for k in [
        Kind::Pass,
        Kind::PassLenient,
        Kind::NonStrict,
        Kind::Unsupported,
        Kind::Fail,
    ] {
        assert_eq!(Kind::parse(k.label()), Some(k));
    }
    assert_eq!(Kind::parse("pass"), None);
}

#[test]
fn tolerance_ids_are_unique() {
    let mut ids: Vec<_> = TOLERANCES.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), TOLERANCES.len());
}
