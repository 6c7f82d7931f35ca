//! Agents the suite does not ship: a command line (`run --agent-cmd`) or an
//! agent file (`run --agent-file mylib.toml`, format in AGENTS.md).
//!
//! ```text
//!   --agent-cmd "python3 my_agent.py" ──┐
//!   --agent-file mylib.toml ────────────┴─> Custom ──command()──> ProcessAgent
//!                                              └── setup(), expected path
//! ```

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use serde::Deserialize;
use tokio::process::Command;

/// A command: one string run by `sh -c`, or a program and its arguments.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum CommandLine {
    /// Run by `sh -c` (quotes, variables and `&&` work as in a shell).
    Shell(String),
    /// The program, then its arguments, with no shell in between.
    Argv(Vec<String>),
}

impl CommandLine {
    fn parts(&self) -> Result<(String, Vec<String>), String> {
        match self {
            Self::Shell(s) if s.trim().is_empty() => Err("empty command".into()),
            Self::Shell(s) => Ok(("sh".into(), vec!["-c".into(), s.clone()])),
            Self::Argv(v) => match v.split_first() {
                Some((p, rest)) => Ok((p.clone(), rest.to_vec())),
                None => Err("empty command".into()),
            },
        }
    }

    /// How the command reads, for messages.
    pub fn shown(&self) -> String {
        match self {
            Self::Shell(s) => s.clone(),
            Self::Argv(v) => v.join(" "),
        }
    }
}

/// What an agent file holds (unknown keys are an error, so a typo shows).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentFile {
    name: Option<String>,
    command: CommandLine,
    setup: Option<CommandLine>,
    workdir: Option<PathBuf>,
    expected: Option<PathBuf>,
}

/// An agent given by its command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Custom {
    /// The name in reports; `None`: the name in the agent's manifest.
    pub name: Option<String>,
    /// Starts the agent.
    pub command: CommandLine,
    /// Installs what the agent needs; run before the agent starts unless
    /// `--no-setup`.
    pub setup: Option<CommandLine>,
    /// Where the command and the setup run.
    pub workdir: PathBuf,
    /// The expected-results file, if the agent has one.
    pub expected: Option<PathBuf>,
}

impl Custom {
    /// The agent of `run --agent-cmd CMD`, run from the current directory.
    pub fn from_command(cmd: &str, expected: Option<PathBuf>) -> Self {
        Self {
            name: None,
            command: CommandLine::Shell(cmd.to_string()),
            setup: None,
            workdir: PathBuf::from("."),
            expected,
        }
    }

    /// Parses an agent file's `text`; relative paths in it are taken from
    /// `dir`, the file's directory.
    ///
    /// # Errors
    /// What is wrong with the file.
    pub fn parse(text: &str, dir: &Path) -> Result<Self, String> {
        let f: AgentFile = toml::from_str(text).map_err(|e| e.to_string())?;
        f.command.parts()?;
        if let Some(n) = &f.name
            && (n.is_empty() || n.contains(['/', '\\']) || n.chars().any(char::is_whitespace))
        {
            return Err(format!(
                "name {n:?}: want a word without spaces or slashes (it names report files)"
            ));
        }
        Ok(Self {
            name: f.name,
            command: f.command,
            setup: f.setup,
            workdir: dir.join(f.workdir.unwrap_or_else(|| PathBuf::from("."))),
            expected: f.expected.map(|p| dir.join(p)),
        })
    }

    /// Reads the agent file at `path`.
    ///
    /// # Errors
    /// The file cannot be read or is not a valid agent file.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, dir).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The command that starts the agent process.
    ///
    /// # Errors
    /// An empty command.
    pub fn command(&self) -> Result<Command, String> {
        let (program, args) = self.command.parts()?;
        let mut c = Command::new(program);
        c.args(args).current_dir(&self.workdir);
        Ok(c)
    }

    /// Runs the setup command, if there is one, with the terminal as its
    /// output.
    ///
    /// # Errors
    /// The command could not start or did not succeed.
    pub fn run_setup(&self, label: &str) -> Result<(), String> {
        let Some(setup) = &self.setup else {
            return Ok(());
        };
        let (program, args) = setup.parts()?;
        crate::out::stderr(&format!("[setup {label}] {}\n", setup.shown()));
        let status = StdCommand::new(program)
            .args(args)
            .current_dir(&self.workdir)
            .stdin(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("{}: {e}", setup.shown()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{}: {status}", setup.shown()))
        }
    }
}
