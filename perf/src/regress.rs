//! Regression timing of the slow checks: the whole conformance run
//! (`zmtp-conformance` with no arguments: every case against the built-in
//! agent) and model checking per scenario (`zmtp-model check <scenario>`).
//!
//! Run with `cargo run --release -p zmtp-perf --bin zmtp-regress`. Each
//! command is timed `--repeat` times and the median kept; the figures go
//! to `target/perf/regress.csv` and are compared with
//! `target/perf/regress-baseline.csv` (written by `--save-baseline`), a
//! figure more than `--tolerance` times its baseline being a regression.
//! Times are wall-clock on a shared machine: compare runs made on the same
//! machine close together, and take the state counts (which do not depend
//! on the machine) as the check that the model did not grow.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The model-checking scenarios timed, as `zmtp-model check` names them.
pub const SCENARIOS: [&str; 9] = [
    "push-pull",
    "pull-fair",
    "req-rep",
    "req-router",
    "dealer-rep",
    "dealer-router",
    "pub-sub",
    "xpub-xsub",
    "pair",
];

/// One timed command.
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// `conformance` or `model <scenario>`.
    pub name: String,
    /// Median wall time.
    pub median: Duration,
    /// Every run's wall time.
    pub runs: Vec<Duration>,
    /// Whether every run exited successfully.
    pub ok: bool,
    /// States explored (model checking only), from the checker's line.
    pub states: Option<u64>,
}

/// Times `program args` `repeat` times.
///
/// # Errors
/// When the program cannot be started.
pub fn time_command(
    name: &str,
    program: &Path,
    args: &[&str],
    repeat: usize,
) -> std::io::Result<Timing> {
    let mut runs = Vec::new();
    let mut ok = true;
    let mut states = None;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let out = Command::new(program).args(args).output()?;
        runs.push(start.elapsed());
        ok &= out.status.success();
        states = states.or_else(|| parse_states(&String::from_utf8_lossy(&out.stdout)));
    }
    let mut sorted = runs.clone();
    sorted.sort();
    Ok(Timing {
        name: name.to_owned(),
        median: sorted[sorted.len() / 2],
        runs,
        ok,
        states,
    })
}

/// The state count in a `zmtp-model check` line (`<name> N states ...`).
pub fn parse_states(output: &str) -> Option<u64> {
    output.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        let _name = words.next()?;
        let n = words.next()?.parse().ok()?;
        (words.next()? == "states").then_some(n)
    })
}

/// The CSV of a run: `name,median_s,ok,states`.
pub fn to_csv(timings: &[Timing]) -> String {
    let mut s = String::from("name,median_s,ok,states\n");
    for t in timings {
        let _ = writeln!(
            s,
            "{},{:.3},{},{}",
            t.name,
            t.median.as_secs_f64(),
            t.ok,
            t.states.map_or(String::new(), |n| n.to_string())
        );
    }
    s
}

/// Reads a CSV written by [`to_csv`]: name to (median seconds, states).
pub fn from_csv(text: &str) -> BTreeMap<String, (f64, Option<u64>)> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let secs = f.get(1)?.parse().ok()?;
            Some((
                f[0].to_owned(),
                (secs, f.get(3).and_then(|s| s.parse().ok())),
            ))
        })
        .collect()
}

/// The comparison with a baseline: one line per timing, and whether any
/// is slower than `tolerance` times its baseline or explores another
/// number of states.
pub fn compare(
    timings: &[Timing],
    baseline: &BTreeMap<String, (f64, Option<u64>)>,
    tolerance: f64,
) -> (String, bool) {
    let mut s = String::from(
        "| check | median | baseline | ratio | states | verdict |\n|---|---:|---:|---:|---:|---|\n",
    );
    let mut regressed = false;
    for t in timings {
        let now = t.median.as_secs_f64();
        let base = baseline.get(&t.name);
        let ratio = base.map(|(b, _)| now / b.max(1e-9));
        let states_changed = matches!((base, t.states), (Some((_, Some(b))), Some(n)) if *b != n);
        let slow = ratio.is_some_and(|r| r > tolerance);
        let verdict = if !t.ok {
            "FAILED"
        } else if slow {
            "SLOWER"
        } else if states_changed {
            "STATES CHANGED"
        } else if base.is_none() {
            "no baseline"
        } else {
            "ok"
        };
        regressed |= slow || !t.ok;
        let _ = writeln!(
            s,
            "| {} | {now:.2} s | {} | {} | {} | {verdict} |",
            t.name,
            base.map_or("-".to_owned(), |(b, _)| format!("{b:.2} s")),
            ratio.map_or("-".to_owned(), |r| format!("{r:.2}x")),
            t.states.map_or("-".to_owned(), |n| n.to_string()),
        );
    }
    (s, regressed)
}

/// The directory cargo builds into: `CARGO_TARGET_DIR`, else `target/`
/// at the repository root.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

#[cfg(test)]
mod tests;
