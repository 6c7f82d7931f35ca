use super::*;

fn rot(ids: &[u64]) -> Rotation {
    let mut r = Rotation::default();
    for id in ids {
        r.insert(PeerId(*id));
    }
    r
}

#[test]
fn round_robin_skips_ineligible_peers() {
    let mut r = rot(&[1, 2, 3]);
    let mut picked = Vec::new();
    for _ in 0..6 {
        let p = r.peek(|p| p != PeerId(2)).unwrap();
        r.advance_past(p);
        picked.push(p.0);
    }
    assert_eq!(picked, [1, 3, 1, 3, 1, 3]);
}

#[test]
fn removing_the_peer_whose_turn_it_is_passes_the_turn_on() {
    let mut r = rot(&[1, 2, 3]);
    r.advance_past(PeerId(1)); // turn: 2
    r.remove(PeerId(2));
    assert_eq!(r.peek(|_| true), Some(PeerId(3)));
    r.remove(PeerId(1)); // before the cursor
    assert_eq!(r.peek(|_| true), Some(PeerId(3)));
    r.remove(PeerId(3));
    assert_eq!(r.peek(|_| true), None);
}

#[test]
fn eligible_lists_choices_from_the_current_turn() {
    let mut r = rot(&[1, 2, 3]);
    r.advance_past(PeerId(1));
    assert_eq!(r.eligible(|_| true), vec![PeerId(2), PeerId(3), PeerId(1)]);
    r.insert(PeerId(2)); // no duplicate
    assert_eq!(r.eligible(|_| true).len(), 3);
}

/// `pick` chooses what `peek` would and passes the turn as `advance_past`
/// does, in one walk (28-R26, 30-R08).
#[test]
fn pick_is_peek_then_advance() {
    let eligible = |p: PeerId| p != PeerId(2) && p != PeerId(4);
    let mut a = rot(&[1, 2, 3, 4]);
    let mut b = a.clone();
    for _ in 0..7 {
        let expected = b.peek(eligible);
        if let Some(p) = expected {
            b.advance_past(p);
        }
        assert_eq!(a.pick(eligible), expected);
        assert_eq!(a, b);
    }
    assert_eq!(a.pick(|_| false), None);
    assert!(!a.any(|_| false));
    assert!(a.any(|p| p == PeerId(4)));
    let mut empty = Rotation::default();
    assert_eq!(empty.pick(|_| true), None);
    assert!(!empty.any(|_| true));
}
