//! The JSON report's types: what `<agent>-<transport>-<profile>.json`
//! holds, serialized from these types and described by the JSON Schema
//! derived from them ([`schema`], printed by `zmtp-conformance schema`).
//!
//! ```text
//!   RunReport + [Judged] --report::json--> Report { counts, run: Run { results: [Case { wire: [Wire] }] }, judged }
//!   Report --schemars--> schema() (draft 2020-12)
//! ```

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::case::Verdict;
use crate::tally::{Judged, Tally};
use crate::wirelog::Direction;

/// The version of the report's format, in [`Report::format`]; raised
/// when a field changes meaning or goes away.
pub const FORMAT: u32 = 1;

/// One run's JSON report.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Report {
    /// The report format's version (1), raised when a field changes
    /// meaning or goes away.
    pub format: u32,
    /// The run's counts, pytest-style: the same numbers as the closing
    /// line, the markdown and the JUnit.
    pub counts: Tally,
    /// The run: the agent, its manifest and every result.
    pub run: Run,
    /// Each result's place in the counts, against the expected results.
    pub judged: Vec<Judged>,
}

/// A run against one agent over one transport.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Run {
    /// The agent's name (the report's file name starts with it).
    pub agent: String,
    /// The agent's manifest as it answered it (name, version, sockets,
    /// transports, mechanisms...).
    pub manifest: Value,
    /// A shipped agent's implementation as installed, package and version
    /// (`pyzmq 27.3.0`); null for other agents (see `manifest.version`).
    pub installed: Option<String>,
    /// `tcp` or `ipc`.
    pub transport: String,
    /// `default` or `strict`.
    pub profile: String,
    /// Wall time of the run, ms.
    pub duration_ms: u64,
    /// One entry per case, in registry order.
    pub results: Vec<Case>,
}

/// One case's result.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Case {
    /// The case id (`37-R51/1`).
    pub id: String,
    /// The requirement IDs it checks (conformance/requirements.md).
    pub requirements: Vec<String>,
    /// What it sends.
    pub sends: String,
    /// What it expects.
    pub expects: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// How long it took, ms.
    pub duration_ms: u64,
    /// Its wire log, both directions and the agent calls, in order.
    pub wire: Vec<Wire>,
    /// The observable trace: model events as objects (`event` names
    /// each), other observations as `{"note": text}`.
    pub trace: Vec<Value>,
    /// The end of the agent's standard error, for a failure.
    pub agent_stderr: String,
}

/// One entry of a wire log: octets (`len`, `hex`, `truncated`), an agent
/// call (`json`), a trace entry (`trace`) or a note (`data`).
#[derive(Debug, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Wire {
    /// Milliseconds since the case started.
    pub t_ms: u64,
    /// The raw peer's label (`peer1`...), `agent` or `trace`.
    pub who: String,
    /// Which way: `out` (raw peer to the implementation), `in`, `note`.
    pub dir: Direction,
    /// How many octets went by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub len: Option<usize>,
    /// The first of them (at most 64), hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// Whether `hex` holds fewer octets than `len`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
    /// An agent's request or answer, as the JSON it was (long strings
    /// cut, their length kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    /// For a trace entry: its index in the case's `trace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<u64>,
    /// A note's text (connection opened, closed...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// The JSON Schema of [`Report`].
pub fn schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}
