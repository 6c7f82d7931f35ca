use super::{SMALL_MESSAGE_MAX, payload};

#[test]
fn payload_has_the_asked_size_and_zero_octets() {
    for size in [
        0,
        1,
        64 / 2,
        SMALL_MESSAGE_MAX,
        SMALL_MESSAGE_MAX + 1,
        1024,
        65536,
    ] {
        let body = payload(size);
        assert_eq!(body.len(), size);
        assert!(body.iter().all(|&b| b == 0), "{size}");
    }
}

#[test]
fn small_payloads_are_static_and_large_ones_are_shared() {
    // A static body is the same memory for every call; a heap body is
    // a fresh buffer per call (then shared by the clones of one run).
    let (a, b) = (payload(SMALL_MESSAGE_MAX), payload(SMALL_MESSAGE_MAX));
    assert_eq!(a.as_ptr(), b.as_ptr());
    let (c, d) = (payload(1024), payload(1024));
    assert_ne!(c.as_ptr(), d.as_ptr());
    assert_eq!(c.clone().as_ptr(), c.as_ptr());
}
