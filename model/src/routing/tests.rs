use super::*;

#[test]
fn ids_map_both_ways_28_r36() {
    let mut t = RoutingTable::default();
    t.insert(Bytes::from_static(b"A"), PeerId(1));
    assert_eq!(t.peer(b"A"), Some(PeerId(1)));
    assert_eq!(t.routing_id(PeerId(1)).unwrap().as_ref(), b"A");
    assert_eq!(t.remove(PeerId(1)).unwrap().as_ref(), b"A");
    assert_eq!(t.peer(b"A"), None);
    assert_eq!(t.remove(PeerId(1)), None);
}

#[test]
fn generated_ids_start_with_zero_and_are_unique() {
    let mut t = RoutingTable::default();
    let a = t.generate();
    t.insert(a.clone(), PeerId(1));
    let b = t.generate();
    assert_eq!(a.len(), 5);
    assert_eq!(a[0], 0);
    assert_ne!(a, b);
}
