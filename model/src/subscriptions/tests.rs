use super::*;

fn b(s: &'static str) -> Bytes {
    Bytes::from_static(s.as_bytes())
}

#[test]
fn prefix_match_37_r48() {
    let mut s = Subscriptions::new();
    s.add(b("A"));
    assert!(s.matches(b"A"));
    assert!(s.matches(b"ABC"));
    assert!(!s.matches(b"BA"));
    assert!(!s.matches(b""));
}

#[test]
fn empty_topic_matches_all_37_r49() {
    let mut s = Subscriptions::new();
    assert!(!s.matches(b"x"));
    s.add(Bytes::new());
    assert!(s.matches(b"x"));
    assert!(s.matches(b""));
}

#[test]
fn subscriptions_are_additive_37_r50() {
    let mut s = Subscriptions::new();
    s.add(b("A"));
    s.add(b("B"));
    assert!(s.matches(b"A1") && s.matches(b"B1"));
    assert_eq!(s.len(), 2);
}

#[test]
fn subscriptions_are_not_idempotent_37_r51() {
    let mut s = Subscriptions::new();
    assert_eq!(s.add(b("A")), 1);
    assert_eq!(s.add(b("A")), 2);
    assert_eq!(s.remove(b"A"), Some(1));
    assert!(s.matches(b"A"));
    assert_eq!(s.remove(b"A"), Some(0));
    assert!(!s.matches(b"A"));
    assert_eq!(s.remove(b"A"), None);
    assert!(s.is_empty());
    assert_eq!(s.total(), 0);
}

#[test]
fn counts_and_iteration() {
    let mut s = Subscriptions::new();
    s.add(b("B"));
    s.add(b("A"));
    s.add(b("A"));
    assert_eq!(s.count(b"A"), 2);
    assert_eq!(s.count(b"C"), 0);
    let all: Vec<_> = s.iter().map(|(t, c)| (t.clone(), c)).collect();
    assert_eq!(all, vec![(b("A"), 2), (b("B"), 1)]);
    assert_eq!(s.total(), 3);
}
