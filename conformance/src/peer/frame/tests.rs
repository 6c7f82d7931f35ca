use zmtp_spec::wire::command::name;
use zmtp_spec::wire::view::{CommandBuilder, FrameBuilder};

use super::*;

#[test]
fn reads_short_long_and_partial_frames() {
    let mut short = FrameBuilder::message(b"ab", true).build();
    let used = short.len();
    short.push(0x55);
    let (f, n) = RawFrame::parse(&short).expect("short frame");
    assert_eq!((f.long(), n, &f.body[..]), (false, used, &b"ab"[..]));
    assert!(f.more() && !f.is_command());
    let long = FrameBuilder::message(b"x", false).long(true).build();
    let (f, n) = RawFrame::parse(&long).expect("long frame");
    assert!(f.long() && !f.more());
    assert_eq!((&f.body[..], n), (&b"x"[..], long.len()));
    for cut in 0..long.len() {
        assert_eq!(RawFrame::parse(&long[..cut]), None, "cut at {cut}");
    }
    let huge = FrameBuilder::new().size(u64::MAX).build();
    assert_eq!(RawFrame::parse(&huge), None);
}

#[test]
fn reads_commands_and_reserved_bits() {
    let ping = CommandBuilder::ping(10, b"c").frame().build();
    let (f, _) = RawFrame::parse(&ping).expect("ping");
    assert_eq!(f.ping_context(), Some(&b"c"[..]));
    assert_eq!(f.command_name().as_deref(), Some(name::PING));
    assert!(f.describe().starts_with("command PING"));
    let reserved = FrameBuilder::new().flags(0x88).build();
    let (f, _) = RawFrame::parse(&reserved).expect("frame");
    assert_eq!(f.reserved_bits(), 0x88);
    assert!(f.command().is_none() && f.command_name().is_none());
    let unnamed = CommandBuilder::new(b"").frame().build();
    let (f, _) = RawFrame::parse(&unnamed).expect("frame");
    assert!(f.is_command() && f.command_name().is_none());
    assert!(f.describe().starts_with("malformed command"));
}
