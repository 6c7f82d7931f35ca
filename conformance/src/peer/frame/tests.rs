use super::*;

#[test]
fn parses_short_long_and_partial_frames() {
    let (f, used) = RawFrame::parse(&[0x01, 0x02, b'a', b'b', 0xff]).expect("short frame");
    assert_eq!((f.flags, f.long, used), (0x01, false, 4));
    assert!(f.more() && !f.is_command());
    let long = [0x02, 0, 0, 0, 0, 0, 0, 0, 1, b'x'];
    let (f, used) = RawFrame::parse(&long).expect("long frame");
    assert!(f.long);
    assert_eq!((f.body.as_ref(), used), (&b"x"[..], 10));
    assert_eq!(RawFrame::parse(&long[..9]), None);
    assert_eq!(RawFrame::parse(&[0x00]), None);
}

#[test]
fn reads_commands_and_reserved_bits() {
    let ping = [0x04, 0x08, 4, b'P', b'I', b'N', b'G', 0, 10, b'c'];
    let (f, _) = RawFrame::parse(&ping).expect("ping");
    assert_eq!(f.ping_context().as_deref(), Some(&b"c"[..]));
    assert_eq!(f.command_name().as_deref(), Some(&b"PING"[..]));
    let (f, _) = RawFrame::parse(&[0x88, 0x00]).expect("frame");
    assert_eq!(f.reserved_bits(), 0x88);
    assert!(f.command().is_none());
}
