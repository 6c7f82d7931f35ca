use serde_json::json;

use super::*;

#[test]
fn answers_are_read_by_their_marker() {
    assert_eq!(
        Answer::from_json(&json!({"id": 1, "unsupported": "socket type CLIENT"})),
        Answer::Unsupported("socket type CLIENT".into())
    );
    assert!(matches!(
        Answer::from_json(&json!({"id": 1, "ok": true})),
        Answer::Ok(_)
    ));
    assert_eq!(
        Answer::from_json(&json!({"id": 1, "error": "recv timed out", "again": true})),
        Answer::Error {
            message: "recv timed out".into(),
            again: true
        }
    );
    // An answer with neither marker is an error, not a success.
    assert!(matches!(
        Answer::from_json(&json!({"id": 1})),
        Answer::Error { again: false, .. }
    ));
}

#[test]
fn every_agent_has_a_unique_name() {
    let mut names: Vec<_> = registry::AGENTS.iter().map(|a| a.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), registry::AGENTS.len());
    assert!(registry::find("pyzmq").is_some());
    assert!(registry::find("nope").is_none());
}

#[test]
fn an_agent_file_takes_paths_from_its_directory() {
    use std::path::Path;

    use custom::{CommandLine, Custom};
    let c = Custom::parse(
        "name = \"mylib\"\ncommand = \"python3 agent.py --fast\"\nsetup = [\"pip\", \"install\", \"mylib==1.2\"]\nworkdir = \"agent\"\nexpected = \"mylib.txt\"\n",
        Path::new("/ci"),
    )
    .expect("valid file");
    assert_eq!(c.name.as_deref(), Some("mylib"));
    assert_eq!(
        c.command,
        CommandLine::Shell("python3 agent.py --fast".into())
    );
    assert_eq!(
        c.setup,
        Some(CommandLine::Argv(vec![
            "pip".into(),
            "install".into(),
            "mylib==1.2".into()
        ]))
    );
    assert_eq!(c.workdir, Path::new("/ci/agent"));
    assert_eq!(c.expected.as_deref(), Some(Path::new("/ci/mylib.txt")));

    // Only the command is required; the name then comes from the manifest.
    let c = Custom::parse("command = [\"./agent\"]", Path::new("/ci")).expect("valid");
    assert_eq!(c.name, None);
    assert_eq!(c.expected, None);
}

#[test]
fn a_bad_agent_file_says_what_is_wrong() {
    use std::path::Path;

    use custom::Custom;
    let dir = Path::new(".");
    assert!(Custom::parse("name = \"x\"", dir).is_err(), "no command");
    assert!(Custom::parse("command = []", dir).is_err(), "empty command");
    assert!(Custom::parse("command = \"a\"\ncomand = \"b\"", dir).is_err());
    let e = Custom::parse("name = \"my lib\"\ncommand = \"a\"", dir).expect_err("a space");
    assert!(e.contains("my lib"), "{e}");
}

#[test]
fn the_type_free_cases_exist() {
    let all: Vec<&str> = crate::cases::all().iter().map(|c| c.id).collect();
    for id in fixed::TYPE_FREE {
        assert!(all.contains(&id), "{id} is not a case");
    }
}

#[test]
fn the_installed_implementations_are_pinned() {
    let pin = |name: &str| registry::find(name).expect(name).pin();
    assert_eq!(pin("pyzmq"), "pyzmq==27.3.0");
    assert_eq!(pin("pyomq"), "pyomq==0.21.0");
    assert_eq!(pin("zeromqjs"), "zeromq@6.8.0");
    assert_eq!(pin("zmqrs"), "zeromq 0.7.0 (Cargo.lock)");
    assert!(pin("debian").contains("Debian"));
    assert_eq!(
        registry::find("builtin")
            .expect("builtin")
            .installed_version(std::path::Path::new("/nonexistent")),
        Some(format!("zmtp {}", env!("CARGO_PKG_VERSION")))
    );
    // Nothing installed under an empty data directory: no version, and
    // not installed.
    let empty = tempfile::tempdir().expect("temp dir");
    for name in ["pyzmq", "pyomq", "zeromqjs"] {
        let a = registry::find(name).expect(name);
        assert_eq!(a.installed_version(empty.path()), None, "{name}");
        assert!(!a.is_installed(empty.path()), "{name}");
    }
}
