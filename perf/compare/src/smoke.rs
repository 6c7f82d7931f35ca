//! The perf smoke CI runs: a few seconds per case, zmtp against `raw` in
//! the same run, failing when zmtp's speed relative to raw falls below its
//! baseline by more than the baseline's noise margin. Only ratios are
//! judged, never absolute times (the machine is shared and CI machines
//! differ).
//!
//! ```text
//! zmtp-perf-compare smoke                     # judge against perf/results/smoke-baseline.csv
//! zmtp-perf-compare smoke --calibrate 5       # run 5 times, write the baseline with its margins
//! ```

use std::fmt::Write as _;
use std::path::Path;

use crate::plan::{Case, Kind, Transport};
use crate::results::median;
use crate::runner;
use crate::tool::Impl;

/// Rounds per smoke run; each round measures zmtp and raw back to back.
pub const ROUNDS: usize = 5;
/// The smallest margin a baseline gets, whatever its calibration runs
/// showed: a drop of less than this is never called a regression.
pub const MIN_MARGIN: f64 = 0.25;
/// The largest margin a baseline gets: a drop to less than half the
/// baseline always fails, however noisy the calibration was (a noisier
/// machine must calibrate with more runs, or on a quieter hour).
pub const MAX_MARGIN: f64 = 0.5;

/// The smoke's cases, with counts small enough for a few seconds each
/// and large enough that raw's measurement lasts tens of milliseconds.
pub fn cases() -> Vec<Case> {
    vec![
        Case::new(Kind::PushPull, Transport::Tcp, 64, 2_000_000),
        Case::new(Kind::PushPull, Transport::Ipc, 64, 2_000_000),
        Case::new(Kind::PushPull, Transport::Tcp, 65536, 20_000),
        Case::new(Kind::ReqRep, Transport::Tcp, 1, 10_000),
    ]
}

/// One case's baseline: zmtp's speed over raw's (above 1 is better for
/// every metric) and the relative drop tolerated.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// The case id.
    pub case: String,
    /// zmtp's speed-up over raw (median of the calibration runs).
    pub gain: f64,
    /// The relative drop tolerated.
    pub margin: f64,
}

impl Baseline {
    /// The baseline of `case` from its calibration runs' gains: their
    /// median, and a margin of twice the largest relative distance of a
    /// run from it, within [`MIN_MARGIN`] and [`MAX_MARGIN`].
    pub fn calibrate(case: &str, gains: &[f64]) -> Option<Baseline> {
        let gain = median(gains.to_vec())?;
        let spread = gains
            .iter()
            .map(|g| (g - gain).abs() / gain)
            .fold(0.0, f64::max);
        Some(Baseline {
            case: case.to_owned(),
            gain,
            margin: (2.0 * spread).clamp(MIN_MARGIN, MAX_MARGIN),
        })
    }

    /// The lowest gain that still passes.
    pub fn floor(&self) -> f64 {
        self.gain * (1.0 - self.margin)
    }

    /// Whether `gain` passes.
    pub fn passes(&self, gain: f64) -> bool {
        gain >= self.floor()
    }
}

/// Reads `case,gain,margin` lines (a header and `#` comments skipped).
pub fn parse_baselines(text: &str) -> Vec<Baseline> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("case,"))
        .filter_map(|l| {
            let mut f = l.split(',');
            Some(Baseline {
                case: f.next()?.to_owned(),
                gain: f.next()?.trim().parse().ok()?,
                margin: f.next()?.trim().parse().ok()?,
            })
        })
        .collect()
}

/// Writes baselines as [`parse_baselines`] reads them.
pub fn format_baselines(baselines: &[Baseline], note: &str) -> String {
    let mut s = format!("# {note}\ncase,gain,margin\n");
    for b in baselines {
        let _ = writeln!(s, "{},{:.4},{:.4}", b.case, b.gain, b.margin);
    }
    s
}

/// One smoke run: per case, zmtp's median speed-up over raw.
///
/// # Errors
/// A measurement that failed.
pub fn run_once(exe: &Path) -> Result<Vec<(Case, f64)>, String> {
    let mut out = Vec::new();
    let mut seq = 0;
    for case in cases() {
        let mut zmtp = Vec::new();
        let mut raw = Vec::new();
        for round in 0..ROUNDS {
            let order = if round % 2 == 0 {
                [Impl::Ours, Impl::Raw]
            } else {
                [Impl::Raw, Impl::Ours]
            };
            for imp in order {
                seq += 1;
                let f = runner::measure(exe, imp, &case, 100_000 + seq)?
                    .ok_or_else(|| format!("{}: {imp} does not measure it", case.id))?;
                if imp == Impl::Ours {
                    zmtp.push(f.value);
                } else {
                    raw.push(f.value);
                }
            }
        }
        let (z, r) = (
            median(zmtp).ok_or("no figure")?,
            median(raw).ok_or("no figure")?,
        );
        let gain = if case.metric().higher_is_better() {
            z / r
        } else {
            r / z
        };
        eprintln!("smoke {:<28} zmtp/raw speed {gain:.3}", case.id);
        out.push((case, gain));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
