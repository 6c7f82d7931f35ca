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
