//! Reproducers: a finding's session (mutation list minimized) as JSON, and
//! its replay.
//!
//! ```json
//! {"format": 1, "agent": "zmqrs", "seed": 7, "iteration": 12, "transport": "tcp",
//!  "finding": {"kind": "hang", "signature": "hang: closed the connection on a valid exchange", "detail": "..."},
//!  "mutations_before": 3, "session": {"agent_type": "PULL", "peer_type": "PUSH", ...}}
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Session;
use super::detectors::Finding;

/// The reproducer file's format version.
pub const FORMAT: u32 = 1;

/// One saved finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reproducer {
    /// [`FORMAT`].
    pub format: u32,
    /// The agent it was found with.
    pub agent: String,
    /// The run's seed.
    pub seed: u64,
    /// The iteration that found it.
    pub iteration: u64,
    /// The transport.
    pub transport: String,
    /// What was found.
    pub finding: Finding,
    /// How many mutations the session had before minimizing.
    pub mutations_before: usize,
    /// The session, its mutations minimized.
    pub session: Session,
    /// Set when the reproducer is promoted to a regular case
    /// (`replay FILE --promote ID`, kept in `conformance/findings/promoted/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promoted: Option<Promotion>,
}

/// What a promoted reproducer checks, as a case of the suite.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    /// The requirement the case is filed under (a catalogue ID).
    pub requirement: String,
    /// Why the session breaks that requirement, for the case's listing.
    pub why: String,
}

impl Reproducer {
    /// The file name under `--out`: agent, class and a hash of the
    /// signature (one file per defect).
    pub fn file_name(&self) -> String {
        format!(
            "{}-{}-{:08x}.json",
            self.agent,
            self.finding.kind,
            fnv(self.finding.signature.as_bytes()) & 0xffff_ffff
        )
    }

    /// Writes it under `dir` (created when missing); gives the path.
    ///
    /// # Errors
    /// The I/O or encoding error, as text.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(self.file_name());
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }

    /// Reads one.
    ///
    /// # Errors
    /// The I/O or decoding error, as text.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let r: Self =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if r.format != FORMAT {
            return Err(format!(
                "{}: format {} (this build reads {FORMAT})",
                path.display(),
                r.format
            ));
        }
        Ok(r)
    }
}

/// FNV-1a, for stable file names.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The signatures a third-party agent is known to produce
/// (`conformance/findings/expected-<agent>.txt`: one signature a line,
/// `#` starts a comment, text after ` # ` on a line is its reason).
pub fn parse_expected(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split(" # ").next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}
