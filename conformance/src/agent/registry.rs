//! The shipped agents: how to start each one, and its setup step, which
//! installs the implementation under `<data>/agents/<name>/` (or from
//! Debian's packages) the first time it is needed. `<data>` is the data
//! directory ([`crate::data::data_dir`]); the agents' sources are embedded
//! in the binary and written out to `<data>/agent-sources/`.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use tokio::process::Command;

/// A known agent.
#[derive(Clone, Copy, Debug)]
pub struct AgentSpec {
    /// The name given to `--agent`.
    pub name: &'static str,
    /// What it drives.
    pub describes: &'static str,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Builtin,
    PyVenv {
        package: &'static str,
        /// The version pip installs (`package==version`).
        version: &'static str,
        lib: &'static str,
    },
    Debian,
    ZeromqJs,
    ZmqRs,
    JeroMq,
}

/// Every agent, the built-in one first.
pub const AGENTS: [AgentSpec; 7] = [
    AgentSpec {
        name: "builtin",
        describes: "this project's zmtp crate (in process)",
        kind: Kind::Builtin,
    },
    AgentSpec {
        name: "pyzmq",
        describes: "libzmq 4.3.5 via pyzmq",
        kind: Kind::PyVenv {
            package: "pyzmq",
            version: "27.3.0",
            lib: "zmq",
        },
    },
    AgentSpec {
        name: "debian",
        describes: "libzmq 4.3.4 from Debian (python3-zmq)",
        kind: Kind::Debian,
    },
    AgentSpec {
        name: "zeromqjs",
        describes: "zeromq.js 6.8 (Node)",
        kind: Kind::ZeromqJs,
    },
    AgentSpec {
        name: "zmqrs",
        describes: "zmq.rs (crate zeromq 0.7)",
        kind: Kind::ZmqRs,
    },
    AgentSpec {
        name: "pyomq",
        describes: "omq.rs via pyomq",
        kind: Kind::PyVenv {
            package: "pyomq",
            version: "0.21.0",
            lib: "pyomq",
        },
    },
    AgentSpec {
        name: "jeromq",
        describes: "JeroMQ 0.3.6 from Debian (ZMTP 2.0)",
        kind: Kind::JeroMq,
    },
];

/// The agent named `name`.
pub fn find(name: &str) -> Option<AgentSpec> {
    AGENTS.iter().copied().find(|a| a.name == name)
}

/// The names `--agent` accepts, `all` last, for messages.
pub fn names() -> String {
    let mut v: Vec<&str> = AGENTS.iter().map(|a| a.name).collect();
    v.push("all");
    v.join(", ")
}

fn install_dir(data: &Path, name: &str) -> PathBuf {
    data.join("agents").join(name)
}

fn agents_src(data: &Path) -> Result<PathBuf, String> {
    crate::data::write_agent_sources(data)
        .map_err(|e| format!("writing the agents' sources under {}: {e}", data.display()))
}

const ZMQRS_BIN: &str = "release/zmtp-conformance-agent-zmqrs";
/// The zeromq.js release npm installs.
const ZEROMQJS_VERSION: &str = "6.8.0";
const JEROMQ_JAR: &str = "/usr/share/java/jeromq.jar";

impl AgentSpec {
    /// Whether this is the in-process agent.
    pub fn is_builtin(&self) -> bool {
        self.kind == Kind::Builtin
    }

    /// What the setup installs, pinned where the installer can pin
    /// (`pyzmq==27.3.0`, `zeromq@6.8.0`, the zmq.rs agent's Cargo.lock);
    /// Debian's packages are the distribution's release of them.
    pub fn pin(&self) -> String {
        match self.kind {
            Kind::Builtin => format!("zmtp {}", env!("CARGO_PKG_VERSION")),
            Kind::PyVenv {
                package, version, ..
            } => format!("{package}=={version}"),
            Kind::Debian => "python3-zmq (Debian's release)".into(),
            Kind::ZeromqJs => format!("zeromq@{ZEROMQJS_VERSION}"),
            Kind::ZmqRs => format!("zeromq {} (Cargo.lock)", zmqrs_locked().unwrap_or("?")),
            Kind::JeroMq => "libjeromq-java (Debian's release)".into(),
        }
    }

    /// The implementation's package and version as installed now
    /// (`pyzmq 27.3.0`, `python3-zmq 4.3.4-6`), `None` when it cannot be
    /// told.
    pub fn installed_version(&self, data: &Path) -> Option<String> {
        let dir = install_dir(data, self.name);
        let version = match self.kind {
            Kind::Builtin => env!("CARGO_PKG_VERSION").to_string(),
            Kind::PyVenv { package, .. } => {
                output(StdCommand::new(dir.join("bin/python")).args([
                    "-c",
                    &format!("import importlib.metadata as m; print(m.version('{package}'))"),
                ]))?
            }
            Kind::Debian => dpkg_version("python3-zmq")?,
            Kind::ZeromqJs => {
                let text =
                    std::fs::read_to_string(dir.join("node_modules/zeromq/package.json")).ok()?;
                let v: serde_json::Value = serde_json::from_str(&text).ok()?;
                v["version"].as_str()?.to_string()
            }
            Kind::ZmqRs => zmqrs_locked()?.to_string(),
            Kind::JeroMq => dpkg_version("libjeromq-java")?,
        };
        let package = match self.kind {
            Kind::Builtin => "zmtp",
            Kind::PyVenv { package, .. } => package,
            Kind::Debian => "python3-zmq",
            Kind::ZeromqJs | Kind::ZmqRs => "zeromq",
            Kind::JeroMq => "libjeromq-java",
        };
        Some(format!("{package} {version}"))
    }

    /// Whether the implementation and the agent program are in place, at
    /// the pinned version where there is one (a venv or node_modules of
    /// another version is set up again).
    pub fn is_installed(&self, data: &Path) -> bool {
        let dir = install_dir(data, self.name);
        match self.kind {
            Kind::Builtin => true,
            Kind::PyVenv {
                package, version, ..
            } => self.installed_version(data) == Some(format!("{package} {version}")),
            Kind::ZeromqJs => {
                self.installed_version(data) == Some(format!("zeromq {ZEROMQJS_VERSION}"))
            }
            Kind::Debian => quiet(StdCommand::new("/usr/bin/python3").args(["-c", "import zmq"])),
            Kind::ZmqRs => dir.join(ZMQRS_BIN).exists(),
            Kind::JeroMq => Path::new(JEROMQ_JAR).exists() && dir.join("Agent.class").exists(),
        }
    }

    /// Installs the implementation and builds the agent, printing each
    /// step (the tools' own progress goes to the terminal).
    ///
    /// # Errors
    /// The step that failed.
    pub fn setup(&self, data: &Path) -> Result<(), String> {
        let dir = install_dir(data, self.name);
        let src = agents_src(data)?;
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let dir_s = dir.display().to_string();
        match self.kind {
            Kind::Builtin => Ok(()),
            Kind::PyVenv {
                package, version, ..
            } => {
                step(self.name, "python3", &["-m", "venv", &dir_s])?;
                let pip = dir.join("bin/pip").display().to_string();
                step(
                    self.name,
                    &pip,
                    &[
                        "install",
                        "--disable-pip-version-check",
                        &format!("{package}=={version}"),
                    ],
                )
            }
            Kind::Debian => {
                if step(self.name, "apt-get", &["install", "-y", "python3-zmq"]).is_err() {
                    step(self.name, "apt-get", &["update"])?;
                    step(self.name, "apt-get", &["install", "-y", "python3-zmq"])?;
                }
                Ok(())
            }
            Kind::ZeromqJs => step(
                self.name,
                "npm",
                &[
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    &dir_s,
                    &format!("zeromq@{ZEROMQJS_VERSION}"),
                ],
            ),
            Kind::ZmqRs => {
                let manifest = src.join("zmqrs/Cargo.toml").display().to_string();
                let mut c = StdCommand::new("cargo");
                c.args([
                    "build",
                    "--release",
                    "--locked",
                    "--manifest-path",
                    &manifest,
                ])
                .env("CARGO_TARGET_DIR", &dir);
                run_step(self.name, &mut c)
            }
            Kind::JeroMq => {
                if !Path::new(JEROMQ_JAR).exists()
                    && step(self.name, "apt-get", &["install", "-y", "libjeromq-java"]).is_err()
                {
                    step(self.name, "apt-get", &["update"])?;
                    step(self.name, "apt-get", &["install", "-y", "libjeromq-java"])?;
                }
                let java = src.join("jeromq/Agent.java").display().to_string();
                step(
                    self.name,
                    "javac",
                    &["-cp", JEROMQ_JAR, "-d", &dir_s, &java],
                )
            }
        }
    }

    /// The command that starts the agent process (`None` for the built-in
    /// one), run from the data directory.
    ///
    /// # Errors
    /// When the agent's sources cannot be written out.
    pub fn command(&self, data: &Path) -> Result<Option<Command>, String> {
        let dir = install_dir(data, self.name);
        if self.kind == Kind::Builtin {
            return Ok(None);
        }
        let src = agents_src(data)?;
        let python_agent = src.join("python/agent.py");
        let mut c = match self.kind {
            Kind::Builtin => return Ok(None),
            Kind::PyVenv { lib, .. } => {
                let mut c = Command::new(dir.join("bin/python"));
                c.arg(&python_agent)
                    .args(["--lib", lib, "--name", self.name]);
                c
            }
            Kind::Debian => {
                let mut c = Command::new("/usr/bin/python3");
                c.arg(&python_agent).args(["--name", self.name]);
                c
            }
            Kind::ZeromqJs => {
                let mut c = Command::new("node");
                c.arg(src.join("zeromqjs/agent.js"))
                    .env("NODE_PATH", dir.join("node_modules"));
                c
            }
            Kind::ZmqRs => Command::new(dir.join(ZMQRS_BIN)),
            Kind::JeroMq => {
                let mut c = Command::new("java");
                c.args(["-Xss512k", "-XX:TieredStopAtLevel=1", "-cp"])
                    .arg(format!("{JEROMQ_JAR}:{}", dir.display()))
                    .arg("Agent");
                c
            }
        };
        c.current_dir(data);
        Ok(Some(c))
    }
}

/// The version of zeromq (zmq.rs) the zmq.rs agent's Cargo.lock holds.
fn zmqrs_locked() -> Option<&'static str> {
    let lock = crate::data::AGENT_SOURCES
        .iter()
        .find(|(p, _)| *p == "zmqrs/Cargo.lock")?
        .1;
    let at =
        lock.find("name = \"zeromq\"\nversion = \"")? + "name = \"zeromq\"\nversion = \"".len();
    let rest = lock.get(at..)?;
    rest.get(..rest.find('"')?)
}

/// An installed Debian package's version.
fn dpkg_version(package: &str) -> Option<String> {
    output(StdCommand::new("dpkg-query").args(["-W", "-f=${Version}", package]))
}

/// What `c` prints, trimmed, when it succeeds and prints something.
fn output(c: &mut StdCommand) -> Option<String> {
    let o = c.stderr(std::process::Stdio::null()).output().ok()?;
    let text = String::from_utf8_lossy(&o.stdout).trim().to_string();
    (o.status.success() && !text.is_empty()).then_some(text)
}

fn quiet(c: &mut StdCommand) -> bool {
    c.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn step(agent: &str, program: &str, args: &[&str]) -> Result<(), String> {
    run_step(agent, StdCommand::new(program).args(args))
}

fn run_step(agent: &str, c: &mut StdCommand) -> Result<(), String> {
    let shown = format!("{c:?}").replace('"', "");
    crate::out::stderr(&format!("[setup {agent}] {shown}\n"));
    let status = c
        .stdin(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("{shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown}: {status}"))
    }
}

/// The clone this binary was built from, for what lives in the source tree
/// and is not embedded (the fuzzer's findings and expected lists, the
/// mutants' sites); the current directory when the binary was moved away
/// from it.
pub fn repo_root() -> PathBuf {
    crate::data::source_tree().unwrap_or_else(|| PathBuf::from("."))
}
