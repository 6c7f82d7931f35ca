//! Runs the `zmtp-conformance` binary with a deadline.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest any one invocation may take (a handful of cases).
pub const DEADLINE: Duration = Duration::from_secs(120);

/// What an invocation did.
pub struct Outcome {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// What it wrote to standard output.
    pub stdout: String,
    /// What it wrote to standard error.
    pub stderr: String,
}

/// Runs the binary with `args` in `cwd`, killing it at [`DEADLINE`].
pub fn conformance(cwd: &Path, args: &[&str]) -> Outcome {
    run(
        Path::new(env!("CARGO_BIN_EXE_zmtp-conformance")),
        cwd,
        args,
        &[],
    )
}

/// Runs `bin` with `args` in `cwd` and the environment changed by `env`
/// (`None` removes a variable), killing it at [`DEADLINE`].
pub fn run(bin: &Path, cwd: &Path, args: &[&str], env: &[(&str, Option<&str>)]) -> Outcome {
    let out = cwd.join(".stdout");
    let err = cwd.join(".stderr");
    let mut cmd = Command::new(bin);
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("CI")
        .stdin(Stdio::null());
    // A binary another test has just copied can be briefly busy: a child
    // forked by a parallel test meanwhile holds the copy's write handle
    // (ETXTBSY) until it execs. A few bounded retries get past it.
    let mut tries = 0;
    let mut child = loop {
        cmd.stdout(std::fs::File::create(&out).expect("stdout file"))
            .stderr(std::fs::File::create(&err).expect("stderr file"));
        match cmd.spawn() {
            Ok(c) => break c,
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("the binary starts: {e}"),
        }
    };
    let status = wait_within(&mut child, &format!("zmtp-conformance {args:?}"));
    Outcome {
        code: status.code(),
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
    }
}

/// Waits for `child` to exit, killing it and failing the test (naming
/// `what`) once [`DEADLINE`] has passed.
pub fn wait_within(child: &mut std::process::Child, what: &str) -> std::process::ExitStatus {
    wait_for(child, what, DEADLINE)
}

/// Waits for `child` as [`wait_within`] does, for `deadline` instead.
pub fn wait_for(
    child: &mut std::process::Child,
    what: &str,
    deadline: Duration,
) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} ran past {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A Python with pyzmq: the pyzmq agent's venv, `.ci/setup-pyzmq`'s, or
/// `ZMTP_PYTHON`; `None` (after saying so) when there is none and
/// `ZMTP_REQUIRE_PEERS=1` is not set.
pub fn pyzmq_python() -> Option<PathBuf> {
    let candidates = std::env::var_os("ZMTP_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            root().join("target/agents/pyzmq/bin/python"),
            root().join("target/peers/pyzmq/bin/python"),
        ]);
    for p in candidates {
        let ok = Command::new(&p)
            .args(["-c", "import zmq"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(p);
        }
    }
    assert!(
        std::env::var("ZMTP_REQUIRE_PEERS").as_deref() != Ok("1"),
        "ZMTP_REQUIRE_PEERS=1 but no Python with pyzmq was found"
    );
    eprintln!("skipped: no Python with pyzmq (run .ci/setup-pyzmq)");
    None
}
