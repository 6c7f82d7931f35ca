use super::Message;
use bytes::Bytes;

use std::hash::BuildHasher;

use crate::wire::Metadata;

#[test]
fn envelope_operations_keep_order() {
    let mut m = Message::from_frames(["body"]);
    m.push_front(Bytes::new());
    m.push_front("id");
    assert_eq!(m.len(), 3);
    assert_eq!(m.pop_front().as_deref(), Some(&b"id"[..]));
    assert_eq!(m.pop_front().as_deref(), Some(&b""[..]));
    assert_eq!(m.frames(), &[Bytes::from_static(b"body")]);
    assert_eq!(m.byte_len(), 4);
    assert_eq!(Message::new().pop_front(), None);
}

#[test]
fn one_frame_and_many_frame_forms_are_the_same_message() {
    let one = Message::from(Bytes::from_static(b"a"));
    let built = Message::from_frames(["a"]);
    let many = Message::from(vec![Bytes::from_static(b"a")]);
    assert_eq!(one, built);
    assert_eq!(one, many);
    let state = std::hash::RandomState::new();
    assert_eq!(state.hash_one(&one), state.hash_one(&many));
    assert_eq!(one.clone().into_frames(), vec![Bytes::from_static(b"a")]);
    assert_eq!(one.into_iter().len(), 1);
    assert_eq!(Message::new().into_iter().next(), None);
}

#[test]
fn push_and_pop_cross_the_one_frame_form() {
    let mut m = Message::new();
    assert!(m.is_empty());
    m.push("b");
    assert_eq!(m.len(), 1);
    m.push_front("a");
    m.push("c");
    let frames: Vec<Bytes> = m.clone().into_iter().collect();
    assert_eq!(
        frames,
        [&b"a"[..], &b"b"[..], &b"c"[..]].map(Bytes::from_static)
    );
    assert_eq!(m.pop_front().as_deref(), Some(&b"a"[..]));
    assert_eq!(m.pop_front().as_deref(), Some(&b"b"[..]));
    assert_eq!(m.pop_front().as_deref(), Some(&b"c"[..]));
    assert_eq!(m.pop_front(), None);
    let mut single = Message::from("x");
    single.frames_mut().push(Bytes::from_static(b"y"));
    assert_eq!(single.len(), 2);
    assert_eq!(single.pop_front().as_deref(), Some(&b"x"[..]));
    let mut front = Message::new();
    front.push_front("only");
    assert_eq!(front.frames(), &[Bytes::from_static(b"only")]);
}

#[test]
fn metadata_travels_with_the_message_but_not_into_equality() {
    let md = std::sync::Arc::new(Metadata::new().with("User-Id", &b"alice"[..]));
    let plain = Message::from("body");
    let tagged = plain.clone().with_metadata(md);
    assert_eq!(plain.metadata(), None);
    assert_eq!(plain.property("User-Id"), None);
    assert_eq!(
        tagged.property("user-id").map(|v| &v[..]),
        Some(&b"alice"[..])
    );
    assert_eq!(tagged.clone().metadata().map(Metadata::len), Some(1));
    assert_eq!(plain, tagged);
    let mut cleared = tagged;
    cleared.set_metadata(None);
    assert_eq!(cleared.metadata(), None);
}

#[test]
fn mixed_frames_build_one_message() {
    let owned = String::from("body");
    let id = Bytes::from_static(b"id");
    let expected = Message::from_frames([
        Bytes::from_static(b"topic"),
        Bytes::from_static(b"body"),
        Bytes::from_static(b"id"),
        Bytes::from_static(&[1, 2]),
    ]);
    let from_macro = crate::msg!["topic", owned.clone(), id.clone(), vec![1u8, 2]];
    let from_tuple = Message::from(("topic", owned, id, &[1u8, 2][..]));
    assert_eq!(from_macro, expected);
    assert_eq!(from_tuple, expected);
    // Borrowed data that is not 'static goes in copied.
    let local = vec![7u8; 3];
    let copied = crate::msg![Bytes::copy_from_slice(&local), "x",];
    assert_eq!(copied.frames()[0], &local[..]);
    assert_eq!(crate::msg![], Message::new());
    assert_eq!(crate::msg!["one"], Message::from("one"));
}

#[test]
fn an_array_of_frames_is_a_message() {
    let m = Message::from(["a", "b", "c"]);
    assert_eq!(m.frames().len(), 3);
    assert_eq!(m, Message::from_frames(["a", "b", "c"]));
    let owned = Message::from([String::from("k"), String::from("v")]);
    assert_eq!(owned, Message::from(("k", "v")));
}
