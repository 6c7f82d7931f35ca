//! The command line's contract: exit codes (0 as expected, 1 unexpected
//! results, 2 usage or set-up errors), defaults, progress, and no panic on
//! a closed pipe. Every wait is bounded.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::{conformance, wait_within};

#[test]
fn an_unknown_agent_lists_the_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = conformance(dir.path(), &["run", "--agent", "foo"]);
    assert_eq!(o.code, Some(2));
    assert!(
        o.stderr
            .contains("unknown agent foo (known: builtin, pyzmq"),
        "{}",
        o.stderr
    );
}

#[test]
fn run_without_an_agent_tests_builtin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = conformance(
        dir.path(),
        &["run", "--cases", "G01/", "--transport", "tcp"],
    );
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("== builtin"), "{}", o.stdout);
}

#[test]
fn udp_runs_the_datagram_cases() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = conformance(
        dir.path(),
        &["run", "--cases", "48-R3", "--transport", "udp"],
    );
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("over udp"), "{}", o.stdout);
    assert!(o.stdout.contains("10 passed"), "{}", o.stdout);
}

#[test]
fn usage_and_set_up_errors_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [
        &["run", "--no-such-flag"][..],
        &["run", "--transport", "pgm"],
        &["run", "--cases", "NOPE"],
        // No G case runs over datagrams.
        &["run", "--cases", "G01/", "--transport", "udp"],
        &["run", "--agent-file", "missing.toml"],
        &["run", "--agent-cmd", "true", "--expected", "missing.txt"],
        &["setup", "--agent", "foo"],
    ] {
        let o = conformance(dir.path(), args);
        assert_eq!(o.code, Some(2), "{args:?}: {}\n{}", o.stdout, o.stderr);
    }
    // An agent program that exits at once never answers its manifest.
    let o = conformance(
        dir.path(),
        &["run", "--agent-cmd", "true", "--cases", "G01/"],
    );
    assert_eq!(o.code, Some(2), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("the agent did not start"), "{}", o.stdout);
}

#[test]
fn verbose_prints_a_line_per_case_and_the_summary_always_prints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["run", "--cases", "G01/", "--transport", "tcp"];
    let quiet = conformance(dir.path(), &args);
    assert_eq!(quiet.code, Some(0));
    // Not a terminal: no progress, but the summary and the closing line.
    assert!(!quiet.stderr.contains("[builtin tcp"), "{}", quiet.stderr);
    assert!(quiet.stdout.contains("== builtin"), "{}", quiet.stdout);
    assert!(quiet.stdout.contains(" passed, 0 lenient, 0 failed,"));

    let mut verbose = args.to_vec();
    verbose.push("-v");
    let o = conformance(dir.path(), &verbose);
    assert_eq!(o.code, Some(0));
    let cases = quiet
        .stdout
        .lines()
        .find_map(|l| {
            l.split(": ")
                .nth(1)?
                .split(' ')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .expect("the case count");
    let lines = o
        .stderr
        .lines()
        .filter(|l| l.starts_with("[builtin tcp "))
        .count();
    assert_eq!(lines, cases, "{}", o.stderr);
}

#[test]
fn list_into_a_closed_pipe_does_not_panic() {
    // The reader is gone before the first line is written, as when `head`
    // has had its lines: every write meets a closed pipe.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_zmtp-conformance"))
        .arg("list")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let status = wait_within(&mut child, "list into a closed pipe");
    let mut err = String::new();
    let _ = child.stderr.take().expect("piped").read_to_string(&mut err);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn dissect_reads_a_pcap_capture_per_direction() {
    use etherparse::PacketBuilder;
    use pcap_file::pcap::{PcapPacket, PcapWriter};
    use zmtp_spec::wire::view::GreetingBuilder;

    let greeting = GreetingBuilder::new().build();
    let mut file = PcapWriter::new(Vec::new()).expect("pcap header");
    for (i, (from, to, piece)) in [
        (40_000u16, 5555u16, &greeting[..11]),
        (40_000, 5555, &greeting[11..]),
        (5555, 40_000, &greeting[..]),
    ]
    .into_iter()
    .enumerate()
    {
        let builder = PacketBuilder::ethernet2([0; 6], [0; 6])
            .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
            .tcp(from, to, if i == 1 { 111 } else { 100 }, 1024)
            .ack(1);
        let mut frame = Vec::new();
        builder.write(&mut frame, piece).expect("frame");
        let len = u32::try_from(frame.len()).expect("small");
        file.write_packet(&PcapPacket::new(std::time::Duration::ZERO, len, &frame))
            .expect("packet");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("session.pcap");
    std::fs::write(&path, file.into_writer()).expect("write");
    let o = conformance(dir.path(), &["dissect", path.to_str().expect("utf-8")]);
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("== 127.0.0.1:40000 -> 127.0.0.1:5555: 64 octets"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("== 127.0.0.1:5555 -> 127.0.0.1:40000: 64 octets"),
        "{}",
        o.stdout
    );
    assert_eq!(
        o.stdout.matches("greeting, ZMTP 3.x (64 octets)").count(),
        2,
        "{}",
        o.stdout
    );
}

/// `n` ports in a row that nothing holds now, from a point that depends
/// on the process.
fn free_ports(n: u16) -> u16 {
    let start = 21_000 + (std::process::id() % 19_000) as u16;
    (start..60_000)
        .step_by(usize::from(n))
        .find(|&p| (p..p + n).all(|q| std::net::TcpListener::bind(("127.0.0.1", q)).is_ok()))
        .expect("a free stretch of ports")
}

#[test]
fn port_range_confines_every_tcp_port_and_says_when_none_is_free() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = free_ports(20);
    let last = first + 19;
    let range = format!("{first}-{last}");
    let o = conformance(
        dir.path(),
        &[
            "run",
            "--agent",
            "builtin",
            "--cases",
            "37-R1",
            "--transport",
            "tcp",
            "--port-range",
            &range,
            "--report",
            "out",
        ],
    );
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    let json = std::fs::read_to_string(dir.path().join("out/builtin-tcp-default.json"))
        .expect("the JSON report");
    // Every tcp endpoint the log names (listening on, bound to, connect
    // to) is in the range.
    let ports: Vec<u16> = json
        .split("127.0.0.1:")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect();
    assert!(ports.len() > 5, "{} endpoints in the log", ports.len());
    for p in &ports {
        assert!((first..=last).contains(p), "port {p} outside {range}");
    }

    // A range whose only port is held: a set-up error that says so.
    let held = std::net::TcpListener::bind(("127.0.0.1", first)).expect("bind");
    let one = format!("{first}-{first}");
    let o = conformance(
        dir.path(),
        &["run", "--port-range", &one, "--cases", "G01/"],
    );
    assert_eq!(o.code, Some(2), "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains(&format!(
            "--port-range {one} is exhausted: all 1 ports are in use"
        )),
        "{}",
        o.stderr
    );
    drop(held);
    let o = conformance(dir.path(), &["run", "--port-range", "9-1"]);
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("expected FIRST-LAST"), "{}", o.stderr);
}
