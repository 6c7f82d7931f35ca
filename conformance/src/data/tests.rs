use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::*;
use crate::agent::registry::AGENTS;

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
    move |k| {
        vars.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| OsString::from(v))
    }
}

#[test]
fn every_shipped_agent_has_an_embedded_expected_file() {
    for a in AGENTS {
        let text = expected(a.name).unwrap_or_else(|| panic!("{} has no expected file", a.name));
        assert!(crate::expected::Expected::parse(text).is_ok(), "{}", a.name);
    }
    assert!(expected("nosuchagent").is_none());
}

#[test]
fn embedded_files_are_the_shipped_ones() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).expect("shipped file");
    assert_eq!(CATALOGUE, read("requirements.md"));
    assert_eq!(EXCLUSIONS, read("exclusions.txt"));
    for (rel, text) in AGENT_SOURCES {
        assert_eq!(text, read(&format!("agents/{rel}")), "{rel}");
    }
    // Every file under agents/ is embedded (a new one needs its line).
    let mut on_disk = Vec::new();
    walk(&dir.join("agents"), &dir.join("agents"), &mut on_disk);
    on_disk.sort();
    let mut embedded: Vec<String> = AGENT_SOURCES.iter().map(|(p, _)| p.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
    // And every file of the SDKs.
    for (rel, text) in SDK_SOURCES {
        assert_eq!(text, read(&format!("sdk/{rel}")), "{rel}");
    }
    let mut on_disk = Vec::new();
    walk(&dir.join("sdk"), &dir.join("sdk"), &mut on_disk);
    on_disk.retain(|p| !p.contains("__pycache__"));
    on_disk.sort();
    let mut embedded: Vec<String> = SDK_SOURCES.iter().map(|(p, _)| p.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
}

fn walk(root: &Path, d: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(d).expect("agents dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.display().to_string());
        }
    }
}

#[test]
fn the_catalogue_parses() {
    assert!(crate::coverage::parse_catalogue(CATALOGUE).len() > 100);
}

#[test]
fn data_dir_order() {
    let flag = PathBuf::from("/flag");
    let all = [
        (DATA_ENV, "/env"),
        ("CARGO_MANIFEST_DIR", BUILT_FROM),
        ("XDG_DATA_HOME", "/xdg"),
        ("HOME", "/home/u"),
    ];
    assert_eq!(data_dir_from(Some(&flag), &env(&all)), flag);
    assert_eq!(data_dir_from(None, &env(&all)), PathBuf::from("/env"));
    assert_eq!(
        data_dir_from(None, &env(&all[1..])),
        Path::new(BUILT_FROM).join("../target")
    );
    // Another crate's cargo run is not this one's clone.
    let other = [("CARGO_MANIFEST_DIR", "/elsewhere"), all[2], all[3]];
    assert_eq!(
        data_dir_from(None, &env(&other)),
        PathBuf::from("/xdg/zmtp-conformance")
    );
    assert_eq!(
        data_dir_from(None, &env(&all[3..])),
        PathBuf::from("/home/u/.local/share/zmtp-conformance")
    );
}

#[test]
fn agent_sources_are_written_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = write_agent_sources(tmp.path()).expect("written");
    let py = dir.join("python/agent.py");
    assert_eq!(
        std::fs::read_to_string(&py).expect("agent.py"),
        AGENT_SOURCES[0].1
    );
    let before = std::fs::metadata(&py)
        .and_then(|m| m.modified())
        .expect("mtime");
    write_agent_sources(tmp.path()).expect("again");
    let after = std::fs::metadata(&py)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after);
}
