use super::*;

#[test]
fn hex_round_trips() {
    let data = [0x00, 0x7f, 0xff, 0x10];
    assert_eq!(hex(&data), "007fff10");
    assert_eq!(unhex("007FFF10"), Some(data.to_vec()));
    assert_eq!(unhex("abc"), None);
    assert_eq!(unhex("zz"), None);
    assert_eq!(unhex("0g"), None);
    assert_eq!(unhex(""), Some(Vec::new()));
    let every: Vec<u8> = (0..=255).collect();
    assert_eq!(unhex(&hex(&every)), Some(every.clone()));
    assert_eq!(unhex(&hex(&every).to_uppercase()), Some(every));
}

#[test]
fn printable_escapes_non_graphic_octets() {
    assert_eq!(printable(b"\x05READY\x00"), "\\x05READY\\x00");
}

#[test]
fn log_keeps_order_and_direction() {
    let log = WireLog::new();
    log.bytes("peer1", Direction::Out, &[1, 2]);
    log.note("peer1", "closed");
    let e = log.entries();
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].data, "0102");
    assert_eq!(e[0].dir, Direction::Out);
    assert_eq!(e[1].dir, Direction::Note);
}

#[test]
fn long_writes_and_long_logs_are_cut() {
    let log = WireLog::new();
    log.bytes("p", Direction::In, &[0xAB; MAX_OCTETS + 10]);
    let e = log.entries();
    assert!(e[0].data.ends_with("+10"));
    assert_eq!(e[0].data.len(), MAX_OCTETS * 2 + 3);
    for _ in 0..MAX_ENTRIES + 5 {
        log.note("p", "x");
    }
    let e = log.entries();
    assert_eq!(e.len(), MAX_ENTRIES);
    assert!(e[MAX_ENTRIES - 1].data.contains("truncated"));
}

#[test]
fn long_notes_are_cut() {
    let log = WireLog::new();
    log.note("agent", "x".repeat(10_000));
    let e = log.entries();
    assert!(e[0].data.len() < 600);
    assert!(e[0].data.ends_with("characters)"));
}
