//! The checking command as a learner runs it (built with the `check`
//! feature; without it the binary does not exist and this file is empty).
#![cfg(feature = "check")]

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use zmtp_model::Fault;
use zmtp_model::models::Scenario;

/// Runs the command, killing it after `limit`.
fn run(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zmtp-model"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the command starts");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("zmtp-model {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn check_help_lists_every_scenario_and_mutant() {
    let out = run(&["check", "--help"], Duration::from_secs(30));
    let text = String::from_utf8_lossy(&out.stdout);
    for s in Scenario::ALL {
        assert!(
            text.contains(s.name()),
            "{} missing from:\n{text}",
            s.name()
        );
    }
    for f in Fault::ALL {
        assert!(
            text.contains(f.name()),
            "{} missing from:\n{text}",
            f.name()
        );
    }
}

#[test]
fn a_mutant_prints_its_counterexample_in_words() {
    let out = run(
        &[
            "check",
            "req-rep",
            "--mutant",
            "req-two-outstanding",
            "--messages",
            "2",
            "--disconnects",
            "0",
        ],
        Duration::from_secs(120),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("broken: 28-R01"), "{text}");
    assert!(text.contains("sends its request number 1"), "{text}");
    assert!(
        text.contains("^ from here on the property no longer holds"),
        "{text}"
    );
    assert!(
        text.contains("2 peers on the many side"),
        "bounds in words:\n{text}"
    );
    assert!(!text.contains("Bounds {"), "{text}");
}

#[test]
fn dot_draws_every_socket_type_the_model_has() {
    for name in ["push", "sub", "router", "dish", "lifecycle"] {
        let out = run(&["dot", name], Duration::from_secs(30));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.starts_with("digraph"),
            "{name}: {text}"
        );
    }
}
