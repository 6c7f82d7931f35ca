use zmtp_spec::wire::view::{CommandBuilder, FrameBuilder, GreetingBuilder, MetadataBuilder};

use super::{dissect, octets, render};

fn null_stream() -> Vec<u8> {
    let mut s = GreetingBuilder::new().build().to_vec();
    s.extend(
        CommandBuilder::ready(MetadataBuilder::new().property(b"Socket-Type", b"DEALER"))
            .frame()
            .build(),
    );
    s.extend(FrameBuilder::message(b"hello", true).build());
    s.extend(FrameBuilder::message(b"world", false).build());
    s
}

#[test]
fn a_null_greeting_is_annotated_with_g01_and_the_37_ids() {
    let greeting = GreetingBuilder::new().build();
    let lines = dissect(&greeting);
    let text = render(&lines);
    assert!(lines.iter().all(|l| !l.error), "{text}");
    assert!(lines[0].rules.contains("G01"), "{text}");
    for id in [
        "37-R03", "37-R05", "37-R07", "37-R13", "37-R22", "G02", "G03", "G04",
    ] {
        assert!(text.contains(id), "{id} missing from\n{text}");
    }
    assert!(text.contains("mechanism NULL"), "{text}");
    assert!(text.contains("version 3.1"), "{text}");
}

#[test]
fn a_whole_null_session_reads_frame_by_frame() {
    let text = render(&dissect(&null_stream()));
    assert!(text.contains("command READY"), "{text}");
    assert!(text.contains("property Socket-Type = \"DEALER\""), "{text}");
    assert!(text.contains("37-R33"), "{text}");
    assert!(text.contains("\"hello\""), "{text}");
    assert!(text.contains("MORE"), "{text}");
    assert!(text.contains("\"world\""), "{text}");
    assert!(!text.contains("!!"), "{text}");
}

#[test]
fn broken_parts_name_the_rule_they_break() {
    // A greeting whose as-server octet is 2 (G03).
    let text = render(&dissect(&GreetingBuilder::new().as_server(2).build()));
    assert!(text.contains("!!") && text.contains("G03"), "{text}");
    // A frame with a reserved flag bit (37-R19) after a good greeting.
    let mut s = GreetingBuilder::new().build().to_vec();
    s.extend(FrameBuilder::message(b"x", false).flags(0x20).build());
    let text = render(&dissect(&s));
    assert!(text.contains("37-R19"), "{text}");
    // A message before any command (G05), and a stream cut short.
    let mut s = GreetingBuilder::new().build().to_vec();
    s.extend(FrameBuilder::message(b"early", false).build());
    s.extend(&FrameBuilder::message(b"cut", false).build()[..2]);
    let text = render(&dissect(&s));
    assert!(text.contains("G05"), "{text}");
    assert!(text.contains("octets short"), "{text}");
}

#[test]
fn older_peers_are_named_not_misread() {
    let text = render(&dissect(&GreetingBuilder::new().major(1).build()[..12]));
    assert!(text.contains("ZMTP 2.0"), "{text}");
    let text = render(&dissect(b"\x06\x00hello"));
    assert!(text.contains("ZMTP 1.0"), "{text}");
}

#[test]
fn input_is_hex_or_raw() {
    assert_eq!(
        octets(b"ff 00\n0x7f:01,02"),
        vec![0xFF, 0x00, 0x7F, 0x01, 0x02]
    );
    assert_eq!(octets(b"\xff\x00\x01"), vec![0xFF, 0x00, 0x01]);
    // Odd-length or non-hex text is taken as octets.
    assert_eq!(octets(b"abc"), b"abc".to_vec());
    assert_eq!(octets(b"hello"), b"hello".to_vec());
}
