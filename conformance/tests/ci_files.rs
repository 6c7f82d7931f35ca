//! The files other projects' CI uses: the GitHub Action (action.yml at the
//! repository root) and the container image (Dockerfile). The action's
//! inputs are read with a small line reader (its YAML is kept to plain
//! `key: value` lines for that), and its run step's script is run for
//! real against the built binary. The Dockerfile is checked for its
//! stages and that every file it copies exists; `docker build` runs only
//! with a reachable Docker daemon and `ZMTP_DOCKER_BUILD=1` (a release
//! build with fat LTO: many minutes). Every wait is bounded.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{pyzmq_python, root, wait_for, wait_within};
use std::time::Duration;

fn action() -> String {
    std::fs::read_to_string(root().join("action.yml")).expect("action.yml at the root")
}

/// The keys of the top-level map `section` (two-space indented).
fn keys(yaml: &str, section: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in yaml.lines() {
        if !line.starts_with(' ') && !line.starts_with('#') && !line.is_empty() {
            inside = line.trim_end() == format!("{section}:");
            continue;
        }
        if inside
            && let Some(key) = line.strip_prefix("  ")
            && !key.starts_with(' ')
            && let Some((k, _)) = key.split_once(':')
        {
            out.push(k.to_string());
        }
    }
    out
}

/// The lines of input `name`'s block.
fn input_block(yaml: &str, name: &str) -> String {
    let start = yaml
        .find(&format!("\n  {name}:\n"))
        .unwrap_or_else(|| panic!("input {name}"));
    yaml[start + 1..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `run: |` script of the step with `id: ID`, dedented.
fn step_script(yaml: &str, id: &str) -> String {
    let at = yaml.find(&format!("id: {id}\n")).expect("the step");
    let rest = &yaml[at..];
    let run = rest.find("run: |\n").expect("its script") + "run: |\n".len();
    rest[run..]
        .lines()
        .take_while(|l| l.is_empty() || l.starts_with("        "))
        .map(|l| l.get(8..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_action_has_its_inputs_and_uploads_the_reports() {
    let y = action();
    let inputs = keys(&y, "inputs");
    for want in ["agent-command", "cases", "profile", "report-path"] {
        assert!(inputs.iter().any(|k| k == want), "input {want}: {inputs:?}");
    }
    assert!(input_block(&y, "agent-command").contains("required: true"));
    for optional in ["cases", "profile", "report-path"] {
        let b = input_block(&y, optional);
        assert!(
            b.contains("required: false") && b.contains("default:"),
            "{optional}"
        );
    }
    assert!(keys(&y, "runs").contains(&"using".to_string()));
    assert!(y.contains("  using: composite\n"));
    let upload = y
        .find("uses: actions/upload-artifact@")
        .expect("an upload step");
    let after = &y[upload..];
    assert!(after.contains("path: ${{ inputs.report-path }}"));
    assert!(
        y[..upload]
            .rfind("if: always()")
            .is_some_and(|i| upload - i < 80)
    );
}

/// Runs the action's run step as the runner would, with the built binary
/// on PATH; gives its exit code and the `exit-code` output it wrote.
fn run_step(cwd: &Path, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let script = step_script(&action(), "run");
    let output = cwd.join("github-output");
    let _ = std::fs::remove_file(&output);
    let bin = Path::new(env!("CARGO_BIN_EXE_zmtp-conformance"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new("bash");
    // As GitHub runs a `shell: bash` step.
    c.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .current_dir(cwd)
        .env("PATH", path)
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_OUTPUT", &output)
        .env_remove("CI")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for name in [
        "ZC_AGENT",
        "ZC_CASES",
        "ZC_PROFILE",
        "ZC_REPORT",
        "ZC_EXPECTED",
        "ZC_TRANSPORT",
        "ZC_PORTS",
    ] {
        c.env(name, "");
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().expect("bash starts");
    let status = wait_within(&mut child, "the action's run step");
    (
        status.code(),
        std::fs::read_to_string(&output).unwrap_or_default(),
    )
}

#[test]
fn the_action_run_step_runs_the_suite_and_reports_its_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    // An agent that never answers: a set-up error, exit 2, kept as output
    // (the step itself succeeds so that the upload runs).
    let (code, out) = run_step(
        dir.path(),
        &[
            ("ZC_AGENT", "true"),
            ("ZC_CASES", "G01/"),
            ("ZC_REPORT", "r0"),
            ("ZC_PROFILE", "default"),
        ],
    );
    assert_eq!(code, Some(0));
    assert_eq!(out.trim(), "exit-code=2");
    let (code, _) = run_step(dir.path(), &[("ZC_AGENT", "true"), ("ZC_PROFILE", "loose")]);
    assert_eq!(code, Some(2), "an unknown profile is refused");

    let Some(python) = pyzmq_python() else {
        return;
    };
    let agent = format!(
        "'{}' '{}'",
        python.display(),
        root().join("conformance/agents/python/agent.py").display()
    );
    let (code, out) = run_step(
        dir.path(),
        &[
            ("ZC_AGENT", &agent),
            ("ZC_CASES", "37-R50"),
            ("ZC_PROFILE", "strict"),
            ("ZC_REPORT", "r1"),
            ("ZC_TRANSPORT", "tcp"),
        ],
    );
    assert_eq!(code, Some(0));
    assert_eq!(out.trim(), "exit-code=0");
    for f in [
        "report.html",
        "pyzmq-tcp-strict.json",
        "pyzmq-tcp-strict.junit.xml",
    ] {
        assert!(dir.path().join("r1").join(f).is_file(), "{f}");
    }
}

#[test]
fn the_dockerfile_builds_the_binary_in_one_stage_and_ships_it_in_another() {
    let d = std::fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile");
    let froms: Vec<&str> = d.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "{froms:?}");
    assert!(froms[0].ends_with(" AS build"));
    assert!(d.contains("COPY --from=build /out/zmtp-conformance /usr/local/bin/"));
    assert!(d.contains("ENV ZMTP_CONFORMANCE_DATA="));
    assert!(d.contains("ENTRYPOINT [\"zmtp-conformance\"]"));
    // Every file the runtime stage copies from the repository exists.
    for l in d
        .lines()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from"))
    {
        let src = l.split_whitespace().nth(1).expect("a source");
        assert!(root().join(src).exists(), "{src} in {l}");
    }
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).expect(".dockerignore");
    assert!(ignore.lines().any(|l| l == "target"));

    let daemon = Command::new("docker")
        .arg("info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !daemon || std::env::var("ZMTP_DOCKER_BUILD").as_deref() != Ok("1") {
        eprintln!(
            "skipped docker build: {}",
            if daemon {
                "set ZMTP_DOCKER_BUILD=1 to build the image (a release build: many minutes)"
            } else {
                "no Docker daemon reachable"
            }
        );
        return;
    }
    let mut child = Command::new("docker")
        .args(["build", "-t", "zmtp-conformance-test", "."])
        .current_dir(root())
        .spawn()
        .expect("docker starts");
    let status = wait_for(&mut child, "docker build", Duration::from_secs(3600));
    assert!(status.success(), "docker build: {status}");
}
