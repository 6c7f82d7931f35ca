//! The command line with agents it does not ship: `run --agent-cmd` with a
//! real third-party agent (libzmq through the pyzmq agent script), agent
//! files, `--bless`, and the messages for a wrong `--agent`. Every wait is
//! bounded: a child that outlives its deadline is killed and the test fails.

mod common;

use common::{conformance, pyzmq_python, root};

fn agent_script() -> String {
    root()
        .join("conformance/agents/python/agent.py")
        .display()
        .to_string()
}

/// 37-R5x: four PASS, one libzmq FAIL (37-R51/1), four UNSUPPORTED
/// (the draft socket types pyzmq lacks).
const CASES: &str = "37-R5";

#[test]
fn agent_cmd_runs_pyzmq_and_bless_writes_its_expected_file() {
    let Some(python) = pyzmq_python() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let cmd = format!("'{}' '{}'", python.display(), agent_script());
    let common = [
        "run",
        "--agent-cmd",
        &cmd,
        "--cases",
        CASES,
        "--transport",
        "tcp",
    ];

    // Blessing: the name comes from the agent's manifest.
    let mut args = common.to_vec();
    args.extend(["--bless", "--report", "out"]);
    let o = conformance(dir.path(), &args);
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("== pyzmq (libzmq"), "{}", o.stdout);
    let blessed =
        std::fs::read_to_string(dir.path().join("pyzmq.expected.txt")).expect("blessed file");
    assert!(
        blessed.contains("37-R56/1 UNSUPPORTED no CLIENT socket"),
        "{blessed}"
    );
    assert!(blessed.contains("37-R51/1 FAIL "), "{blessed}");
    assert!(dir.path().join("out/pyzmq-tcp-default.json").exists());

    // The blessed file, given back, holds: as expected.
    let mut args = common.to_vec();
    args.extend(["--expected", "pyzmq.expected.txt"]);
    let o = conformance(dir.path(), &args);
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("all results as expected"), "{}", o.stdout);

    // Without its FAIL entry the libzmq deviation is unexpected: exit 1.
    let edited: String = blessed
        .lines()
        .filter(|l| !l.starts_with("37-R51/1"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("edited.txt"), edited).expect("write");
    let mut args = common.to_vec();
    args.extend(["--expected", "edited.txt"]);
    let o = conformance(dir.path(), &args);
    assert_eq!(o.code, Some(1), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("UNEXPECTED 37-R51/1"), "{}", o.stdout);
}

#[test]
fn an_agent_file_names_its_command_and_expected_file() {
    let Some(python) = pyzmq_python() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let file = format!(
        "name = \"mylib\"\ncommand = [{:?}, {:?}, \"--name\", \"mylib\"]\nsetup = \"true\"\nexpected = \"expected/mylib.txt\"\n",
        python.display().to_string(),
        agent_script()
    );
    std::fs::create_dir_all(dir.path().join("cfg/expected")).expect("mkdir");
    std::fs::write(dir.path().join("cfg/mylib.toml"), file).expect("write");
    let args = [
        "run",
        "--agent-file",
        "cfg/mylib.toml",
        "--cases",
        CASES,
        "--transport",
        "tcp",
    ];

    // The expected file it names does not exist yet: a set-up error.
    let o = conformance(dir.path(), &args);
    assert_eq!(o.code, Some(2), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("--bless"), "{}", o.stderr);

    let mut bless = args.to_vec();
    bless.push("--bless");
    let o = conformance(dir.path(), &bless);
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("== mylib"), "{}", o.stdout);
    let blessed = std::fs::read_to_string(dir.path().join("cfg/expected/mylib.txt"))
        .expect("blessed into the path the file names");
    assert!(blessed.contains("37-R57/1 UNSUPPORTED"), "{blessed}");

    let o = conformance(dir.path(), &args);
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
}
