use super::*;

#[test]
fn tagged_messages_have_the_tag_and_size() {
    let m = tagged(DATA, 64);
    assert_eq!(m.len(), 64);
    assert_eq!(m[0], DATA);
    // A size of zero still carries the tag.
    assert_eq!(&tagged(END, 0)[..], b"E");
}

#[test]
fn peak_rss_is_read_on_linux() {
    if cfg!(target_os = "linux") {
        assert!(peak_rss_kib() > 0);
    }
}
