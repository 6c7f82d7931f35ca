use super::*;

#[test]
fn view_reads_any_octets() {
    let empty = DatagramView::new(&b""[..]);
    assert_eq!(empty.group_len(), None);
    assert_eq!(empty.group(), None);
    assert_eq!(empty.body(), None);
    assert!(empty.after_len().is_empty());

    let short = DatagramView::new(&b"\x09abc"[..]);
    assert_eq!(short.group_len(), Some(9));
    assert_eq!(short.group(), None);
    assert_eq!(short.after_len(), b"abc");
    assert_eq!(short.body_at(), Some(10));

    let ok = DatagramView::new(&b"\x01gbody"[..]);
    assert_eq!(ok.group(), Some(&b"g"[..]));
    assert_eq!(ok.body(), Some(&b"body"[..]));
}

#[test]
fn builder_writes_any_field() {
    assert_eq!(DatagramBuilder::empty().build(), b"");
    assert_eq!(DatagramBuilder::new().build(), b"\x00");
    assert_eq!(
        DatagramBuilder::new().group(b"ab").body(b"c").build(),
        b"\x02abc"
    );
    assert_eq!(
        DatagramBuilder::new().group(b"ab").group_len(200).build(),
        b"\xc8ab"
    );
    // A 256-octet group's length octet wraps to 0: the group is then read
    // as the body.
    let long = DatagramBuilder::new().group(&[b'a'; 256]).build();
    assert_eq!(long[0], 0);
    let d = DatagramView::new(&long[..])
        .check()
        .expect("valid as written");
    assert_eq!((d.group.len(), d.body.len()), (0, 256));
}

#[test]
fn set_group_len_mutates() {
    let mut octets = DatagramBuilder::new().group(b"g").body(b"b").build();
    DatagramView::new(&mut octets[..]).set_group_len(3);
    assert_eq!(
        DatagramView::new(&octets[..]).check(),
        Err(DatagramError::TruncatedGroup {
            declared: 3,
            available: 2
        })
    );
}
