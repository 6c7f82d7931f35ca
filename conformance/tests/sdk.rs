//! The agent SDKs (conformance/sdk): each example agent, which holds only
//! its library's socket calls, answers the contract's edge cases as the
//! SDK promises, and runs a few cases through `run --agent-cmd` with the
//! counts a libzmq-based agent gets. A child that outlives its deadline is
//! killed and the test fails.

mod common;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{conformance, pyzmq_python, root, wait_within};
use serde_json::{Value, json};

/// 37-R5x with libzmq: four PASS, 37-R51/1 FAIL (listed below, so an
/// expected failure), four UNSUPPORTED (the draft socket types).
const CASES: &str = "37-R5";
const EXPECTED: &str = "37-R51/1 FAIL libzmq subscriptions are idempotent per connection\n";
const TALLY: &str =
    "4 passed, 0 lenient, 0 failed, 4 unsupported, 1 expected-failure, 0 unexpected-pass";

/// Where zeromq.js is installed (`setup --agent zeromqjs`), if it is and
/// node runs; `None` after saying why.
fn zeromqjs() -> Option<PathBuf> {
    let modules = std::env::var_os("ZMTP_NODE_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/agents/zeromqjs/node_modules"));
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if node && modules.join("zeromq/package.json").is_file() {
        return Some(modules);
    }
    // zeromq.js is installed by `setup --agent zeromqjs`, which CI runs
    // after the workspace's tests: it asks for this test again then.
    assert!(
        std::env::var("ZMTP_REQUIRE_AGENTS").as_deref() != Ok("1"),
        "ZMTP_REQUIRE_AGENTS=1 but node or zeromq.js is missing"
    );
    eprintln!(
        "skipped: no node, or no zeromq.js in {} (zmtp-conformance setup --agent zeromqjs)",
        modules.display()
    );
    None
}

/// Feeds `requests` (one JSON line each) to the agent `program args`,
/// closes its input and gives its answers.
fn converse(
    program: &str,
    args: &[String],
    env: &[(&str, PathBuf)],
    requests: &[&str],
) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("answers");
    let mut c = Command::new(program);
    c.args(args)
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out).expect("answers file"))
        .stderr(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().expect("the agent starts");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for r in requests {
            writeln!(stdin, "{r}").expect("a request");
        }
    }
    let status = wait_within(&mut child, program);
    assert!(status.success(), "{program}: {status}");
    std::fs::read_to_string(&out)
        .expect("answers")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// What every SDK answers the same way.
fn check_contract(answers: &[Value], name: &str) {
    let by_id = |id: i64| {
        answers
            .iter()
            .find(|a| a["id"] == json!(id))
            .unwrap_or_else(|| panic!("no answer {id} in {answers:?}"))
    };
    assert_eq!(by_id(1)["ok"], true);
    assert_eq!(by_id(1)["name"], name);
    assert!(
        by_id(1)["socket_types"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("REP")))
    );
    assert_eq!(by_id(2)["socket"], 0);
    // An endpoint really bound, the port resolved.
    let ep = by_id(3)["endpoint"].as_str().expect("endpoint");
    assert!(
        ep.starts_with("tcp://127.0.0.1:") && !ep.ends_with(":*"),
        "{ep}"
    );
    // Nothing to receive: a timeout, with `again`.
    assert_eq!(by_id(4)["again"], true, "{:?}", by_id(4));
    assert!(by_id(5)["unsupported"].is_string(), "unknown option");
    assert!(
        by_id(6)["unsupported"]
            .as_str()
            .is_some_and(|w| w.contains("DISH"))
    );
    assert!(
        by_id(7)["error"]
            .as_str()
            .is_some_and(|e| e.contains("unknown socket handle"))
    );
    assert!(
        by_id(8)["unsupported"]
            .as_str()
            .is_some_and(|w| w.contains("teleport"))
    );
    assert_eq!(by_id(9)["ok"], true, "reset");
    assert!(
        by_id(10)["error"].is_string(),
        "the handle is gone after reset"
    );
    assert_eq!(by_id(11)["ok"], true, "quit");
    let bad = answers
        .iter()
        .find(|a| a["id"].is_null())
        .expect("bad JSON answered");
    assert!(
        bad["error"]
            .as_str()
            .is_some_and(|e| e.contains("bad json"))
    );
    assert_eq!(answers.len(), 12, "nothing after quit");
}

const REQUESTS: [&str; 13] = [
    r#"{"id":1,"op":"manifest"}"#,
    r#"{"id":2,"op":"socket","type":"REP"}"#,
    r#"{"id":3,"op":"bind","socket":0,"endpoint":"tcp://127.0.0.1:*"}"#,
    r#"{"id":4,"op":"recv","socket":0,"timeout_ms":50}"#,
    r#"{"id":5,"op":"setsockopt","socket":0,"option":"NO_SUCH","value":1}"#,
    r#"{"id":6,"op":"socket","type":"DISH"}"#,
    r#"{"id":7,"op":"send","socket":9,"frames":["00"],"timeout_ms":50}"#,
    "{not json",
    r#"{"id":8,"op":"teleport"}"#,
    r#"{"id":9,"op":"reset"}"#,
    r#"{"id":10,"op":"close","socket":0}"#,
    r#"{"id":11,"op":"quit"}"#,
    r#"{"id":12,"op":"manifest"}"#,
];

/// `run --agent-cmd CMD --cases 37-R5` against [`EXPECTED`].
fn run_cases(cmd: &str, env: &[(&str, Option<&str>)]) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("expected.txt"), EXPECTED).expect("expected file");
    let o = common::run(
        std::path::Path::new(env!("CARGO_BIN_EXE_zmtp-conformance")),
        dir.path(),
        &[
            "run",
            "--agent-cmd",
            cmd,
            "--cases",
            CASES,
            "--transport",
            "tcp",
            "--expected",
            "expected.txt",
        ],
        env,
    );
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains(TALLY), "{}", o.stdout);
}

#[test]
fn the_python_sdk_example_drives_pyzmq() {
    let Some(python) = pyzmq_python() else {
        return;
    };
    let example = root().join("conformance/sdk/python/examples/pyzmq_agent.py");
    let answers = converse(
        &python.display().to_string(),
        &[example.display().to_string()],
        &[],
        &REQUESTS,
    );
    check_contract(&answers, "pyzmq-sdk");
    run_cases(
        &format!("'{}' '{}'", python.display(), example.display()),
        &[],
    );
    // Named in the reports by its manifest.
    let dir = tempfile::tempdir().expect("temp dir");
    let cmd = format!("'{}' '{}'", python.display(), example.display());
    let o = conformance(
        dir.path(),
        &[
            "run",
            "--agent-cmd",
            &cmd,
            "--cases",
            "G01/",
            "--transport",
            "tcp",
        ],
    );
    assert!(o.stdout.contains("== pyzmq-sdk (libzmq"), "{}", o.stdout);

    // The copy an installed binary writes under its data directory works
    // there too.
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let o = conformance(
        dir.path(),
        &["--data-dir", &data_s, "setup", "--agent", "builtin"],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let copy = data.join("sdk/python/examples/pyzmq_agent.py");
    let answers = converse(
        &python.display().to_string(),
        &[copy.display().to_string()],
        &[],
        &[r#"{"id":1,"op":"manifest"}"#, r#"{"id":2,"op":"quit"}"#],
    );
    assert_eq!(answers[0]["name"], "pyzmq-sdk", "{answers:?}");
}

#[test]
fn the_node_sdk_example_drives_zeromqjs() {
    let Some(modules) = zeromqjs() else {
        return;
    };
    let example = root().join("conformance/sdk/node/examples/zeromqjs-agent.js");
    let answers = converse(
        "node",
        &[example.display().to_string()],
        &[("NODE_PATH", modules.clone())],
        &REQUESTS,
    );
    check_contract(&answers, "zeromqjs-sdk");
    let modules = modules.display().to_string();
    run_cases(
        &format!("node '{}'", example.display()),
        &[("NODE_PATH", Some(&modules))],
    );
}
