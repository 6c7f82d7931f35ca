use super::Message;
use bytes::Bytes;

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
