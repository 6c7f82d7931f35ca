//! The binary away from its clone, as `cargo install` leaves it: copied
//! into an empty directory and run from another one, outside `cargo run`
//! (no `CARGO_MANIFEST_DIR`), with its data directory in a temporary home.
//! The catalogue, exclusions and expected files are embedded; `--endpoint`
//! runs the cases a peer can answer and stops at once when none is there.
//! Every wait is bounded.

mod common;

use std::path::PathBuf;

use common::{Outcome, run};
use zmtp::{Context, SocketType};

struct Installed {
    _root: tempfile::TempDir,
    bin: PathBuf,
    cwd: PathBuf,
    data: PathBuf,
}

impl Installed {
    fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        let bin = root.path().join("bin/zmtp-conformance");
        std::fs::create_dir_all(root.path().join("bin")).expect("bin dir");
        std::fs::copy(env!("CARGO_BIN_EXE_zmtp-conformance"), &bin).expect("copy");
        let cwd = root.path().join("elsewhere");
        std::fs::create_dir_all(&cwd).expect("cwd");
        let data = root.path().join("xdg");
        Self {
            bin,
            cwd,
            data,
            _root: root,
        }
    }

    fn run(&self, args: &[&str]) -> Outcome {
        let xdg = self.data.display().to_string();
        run(
            &self.bin,
            &self.cwd,
            args,
            &[
                ("CARGO_MANIFEST_DIR", None),
                ("ZMTP_CONFORMANCE_DATA", None),
                ("XDG_DATA_HOME", Some(&xdg)),
            ],
        )
    }
}

#[test]
fn list_shows_requirement_texts_and_coverage_passes() {
    let i = Installed::new();
    let o = i.run(&["list", "--cases", "G01/"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stdout.contains("requirement: - G01:"), "{}", o.stdout);
    let o = i.run(&["coverage"]);
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(
            "every [wire]/[behav] requirement has a case, a written exclusion or a [pending] marker"
        ),
        "{}",
        o.stdout
    );
}

#[test]
fn builtin_runs_against_its_embedded_expected_file() {
    let i = Installed::new();
    let o = i.run(&[
        "run",
        "--agent",
        "builtin",
        "--cases",
        "37-R1",
        "--transport",
        "tcp",
    ]);
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("all results as expected"), "{}", o.stdout);
    // A shipped agent that is not installed is looked for in the data
    // directory, not in the clone.
    let o = i.run(&["run", "--agent", "zmqrs", "--no-setup", "--cases", "G01/"]);
    assert_eq!(o.code, Some(2), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("not installed"), "{}", o.stdout);
    let o = i.run(&[
        "--data-dir",
        "/nonexistent/zmtp",
        "run",
        "--agent-cmd",
        "true",
        "--expected",
        "mine.txt",
    ]);
    assert_eq!(o.code, Some(2), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("mine.txt"), "{}", o.stderr);
}

#[test]
fn endpoint_with_nothing_there_is_one_set_up_error() {
    let i = Installed::new();
    // A port that was just free.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let ep = format!("tcp://127.0.0.1:{port}");
    let o = i.run(&["run", "--endpoint", &ep, "--peer-type", "REP"]);
    assert_eq!(o.code, Some(2), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("nothing answers at"), "{}", o.stderr);
    assert!(!o.stdout.contains("FAIL"), "{}", o.stdout);
}

#[test]
fn endpoint_runs_the_greeting_cases_and_the_peer_types_own() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let ctx = rt.block_on(async { Context::new() }).expect("context");
    let rep = rt
        .block_on(async { ctx.socket(SocketType::Rep) })
        .expect("socket");
    rt.block_on(async { rep.bind("tcp://127.0.0.1:*") })
        .expect("bind");
    let ep = rep.last_endpoint();
    let i = Installed::new();
    let o = i.run(&[
        "run",
        "--endpoint",
        &ep,
        "--peer-type",
        "REP",
        "--cases",
        "",
    ]);
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    for id in zmtp_conformance::agent::fixed::TYPE_FREE {
        assert!(
            !o.stdout.contains(&format!("UNSUPPORTED  {id} ")),
            "{id} was not run:\n{}",
            o.stdout
        );
    }
    let last = o.stdout.lines().last().unwrap_or_default();
    assert!(last.contains(" 0 failed"), "{last}");
    let passed: usize = last
        .split(" passed")
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(
        passed >= zmtp_conformance::agent::fixed::TYPE_FREE.len(),
        "{last}"
    );
    drop(rep);
}
