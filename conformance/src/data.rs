//! What the binary carries with it, so that an installed or copied
//! `zmtp-conformance` needs no clone of this repository: the requirement
//! catalogue, the written exclusions, every shipped agent's expected-results
//! file and the shipped agents' sources. The agents are installed under the
//! data directory ([`data_dir`]), their sources written out next to them.
//!
//! ```text
//!   conformance/requirements.md, exclusions.txt, expected/*.txt, agents/**, sdk/**
//!        |  include_str! (rebuilt when a file changes)
//!        v
//!   CATALOGUE, EXCLUSIONS, expected(name), AGENT_SOURCES, SDK_SOURCES
//!        |  write_agent_sources(data_dir)
//!        v
//!   <data>/agent-sources/python/agent.py ...   <data>/sdk/python/zmtp_agent.py ...
//!   <data>/agents/<name>/ (venvs, builds)
//! ```

use std::io;
use std::path::{Path, PathBuf};

/// The requirement catalogue (`conformance/requirements.md`).
pub const CATALOGUE: &str = include_str!("../requirements.md");

/// The written exclusions (`conformance/exclusions.txt`).
pub const EXCLUSIONS: &str = include_str!("../exclusions.txt");

/// Where the catalogue is published, for links beside each case.
pub const CATALOGUE_URL: &str =
    "https://github.com/zmtp-rs/zmtp/blob/main/conformance/requirements.md";

/// The expected-results file of the shipped agent `name`
/// (`conformance/expected/<name>.txt`).
pub fn expected(name: &str) -> Option<&'static str> {
    Some(match name {
        "builtin" => include_str!("../expected/builtin.txt"),
        "pyzmq" => include_str!("../expected/pyzmq.txt"),
        "debian" => include_str!("../expected/debian.txt"),
        "zeromqjs" => include_str!("../expected/zeromqjs.txt"),
        "zmqrs" => include_str!("../expected/zmqrs.txt"),
        "pyomq" => include_str!("../expected/pyomq.txt"),
        "jeromq" => include_str!("../expected/jeromq.txt"),
        _ => return None,
    })
}

/// The shipped agents' sources, by their path under `conformance/agents/`.
/// A `.in` file is written out without that suffix: the zmq.rs agent's
/// manifest is `Cargo.toml.in` in the repository, because `cargo package`
/// leaves out any directory that holds a `Cargo.toml`.
pub const AGENT_SOURCES: [(&str, &str); 6] = [
    ("python/agent.py", include_str!("../agents/python/agent.py")),
    (
        "zeromqjs/agent.js",
        include_str!("../agents/zeromqjs/agent.js"),
    ),
    (
        "zmqrs/Cargo.toml.in",
        include_str!("../agents/zmqrs/Cargo.toml.in"),
    ),
    (
        "zmqrs/Cargo.lock",
        include_str!("../agents/zmqrs/Cargo.lock"),
    ),
    (
        "zmqrs/src/main.rs",
        include_str!("../agents/zmqrs/src/main.rs"),
    ),
    (
        "jeromq/Agent.java",
        include_str!("../agents/jeromq/Agent.java"),
    ),
];

/// The agent SDKs (`conformance/sdk/`), by their path under it; written
/// out to `<data>/sdk/` with the agents' sources, so an installed binary
/// brings them along.
pub const SDK_SOURCES: [(&str, &str); 6] = [
    ("README.md", include_str!("../sdk/README.md")),
    (
        "python/zmtp_agent.py",
        include_str!("../sdk/python/zmtp_agent.py"),
    ),
    (
        "python/examples/pyzmq_agent.py",
        include_str!("../sdk/python/examples/pyzmq_agent.py"),
    ),
    (
        "node/zmtp-agent/index.js",
        include_str!("../sdk/node/zmtp-agent/index.js"),
    ),
    (
        "node/zmtp-agent/package.json",
        include_str!("../sdk/node/zmtp-agent/package.json"),
    ),
    (
        "node/examples/zeromqjs-agent.js",
        include_str!("../sdk/node/examples/zeromqjs-agent.js"),
    ),
];

/// The environment variable that names the data directory (after
/// `--data-dir`, before the defaults).
pub const DATA_ENV: &str = "ZMTP_CONFORMANCE_DATA";

/// The data directory: `flag` (`--data-dir`), else `$ZMTP_CONFORMANCE_DATA`;
/// else, under `cargo run` or `cargo test` of this crate, the workspace's
/// `target/` (where the repository's CI keeps its agents); else
/// `$XDG_DATA_HOME/zmtp-conformance`, `~/.local/share/zmtp-conformance`,
/// or one under the temporary directory when there is no home.
///
/// A relative path is taken from the current directory (agents run from
/// the data directory, so their paths under it must not be relative).
pub fn data_dir(flag: Option<&Path>) -> PathBuf {
    let dir = data_dir_from(flag, &|k| std::env::var_os(k));
    std::path::absolute(&dir).unwrap_or(dir)
}

/// [`data_dir`] with the environment given (for tests).
pub fn data_dir_from(
    flag: Option<&Path>,
    env: &dyn Fn(&str) -> Option<std::ffi::OsString>,
) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(p) = env(DATA_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    // Cargo sets CARGO_MANIFEST_DIR for the programs it runs; only this
    // crate's own manifest directory counts.
    if env("CARGO_MANIFEST_DIR").is_some_and(|d| Path::new(&d) == Path::new(BUILT_FROM)) {
        return Path::new(BUILT_FROM).join("..").join("target");
    }
    if let Some(x) = env("XDG_DATA_HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(x).join("zmtp-conformance");
    }
    if let Some(h) = env("HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(h).join(".local/share/zmtp-conformance");
    }
    std::env::temp_dir().join("zmtp-conformance")
}

/// This crate's directory in its clone when the program runs under
/// `cargo run` or `cargo test` of this crate (cargo sets
/// `CARGO_MANIFEST_DIR` for what it runs); `None` for an installed binary.
pub fn cargo_run_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .filter(|d| Path::new(d) == Path::new(BUILT_FROM))
        .map(PathBuf::from)
}

/// The directory this crate was built from (its manifest's).
const BUILT_FROM: &str = env!("CARGO_MANIFEST_DIR");

/// The workspace this binary was built from, when it is still there and
/// holds the crates' sources (`coverage` lists where each requirement is
/// enforced from it); `None` for a binary built from a published package
/// or moved away from its clone.
pub fn source_tree() -> Option<PathBuf> {
    let root = Path::new(BUILT_FROM).join("..");
    ["spec/src", "model/src", "impl/src"]
        .iter()
        .all(|d| root.join(d).is_dir())
        .then_some(root)
}

/// Writes [`AGENT_SOURCES`] under `<data>/agent-sources/` and
/// [`SDK_SOURCES`] under `<data>/sdk/` (a file whose content is already
/// right is left alone) and gives the first directory.
///
/// # Errors
/// A directory or file that cannot be written.
pub fn write_agent_sources(data: &Path) -> io::Result<PathBuf> {
    write_files(&data.join("sdk"), &SDK_SOURCES)?;
    let dir = data.join("agent-sources");
    write_files(&dir, &AGENT_SOURCES)?;
    Ok(dir)
}

fn write_files(dir: &Path, files: &[(&str, &str)]) -> io::Result<()> {
    for &(rel, text) in files {
        let path = dir.join(rel.strip_suffix(".in").unwrap_or(rel));
        if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
