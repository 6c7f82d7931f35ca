//! The result lines, exactly as libzmq's perf tools print them.

use core::fmt;
use core::time::Duration;

/// A throughput measurement (local_thr, inproc_thr).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThrReport {
    /// Octets per message.
    pub size: usize,
    /// Messages counted (the clock runs from the first to the last).
    pub count: usize,
    /// Time from the first message received to the last.
    pub elapsed: Duration,
}

impl ThrReport {
    /// Messages per second, computed as libzmq does: every message over the
    /// time from the first to the last (never dividing by zero).
    pub fn msg_per_sec(&self) -> f64 {
        let us = (self.elapsed.as_secs_f64() * 1e6).max(1.0);
        self.count as f64 / us * 1e6
    }

    /// Megabits per second of payload.
    pub fn megabits(&self) -> f64 {
        self.msg_per_sec() * self.size as f64 * 8.0 / 1e6
    }
}

impl fmt::Display for ThrReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "message size: {} [B]", self.size)?;
        writeln!(f, "message count: {}", self.count)?;
        writeln!(f, "mean throughput: {} [msg/s]", self.msg_per_sec() as u64)?;
        writeln!(f, "mean throughput: {:.3} [Mb/s]", self.megabits())
    }
}

/// A latency measurement (remote_lat, inproc_lat).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatReport {
    /// Octets per message.
    pub size: usize,
    /// Round trips made.
    pub roundtrips: usize,
    /// Time for all of them.
    pub elapsed: Duration,
}

impl LatReport {
    /// One-way latency in microseconds: half a round trip, as libzmq
    /// reports it.
    pub fn latency_us(&self) -> f64 {
        if self.roundtrips == 0 {
            return 0.0;
        }
        self.elapsed.as_secs_f64() * 1e6 / (self.roundtrips as f64 * 2.0)
    }
}

impl fmt::Display for LatReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "message size: {} [B]", self.size)?;
        writeln!(f, "roundtrip count: {}", self.roundtrips)?;
        writeln!(f, "average latency: {:.3} [us]", self.latency_us())
    }
}

/// Output of a tool that prints nothing (local_lat, remote_thr).
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl fmt::Display for Silent {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

/// Parses the value of the first line of `output` that starts with
/// `prefix` (e.g. `"mean throughput: "` with unit `"[msg/s]"`).
pub fn parse_line(output: &str, prefix: &str, unit: &str) -> Option<f64> {
    output.lines().find_map(|l| {
        l.strip_prefix(prefix)?
            .strip_suffix(unit)?
            .trim()
            .parse()
            .ok()
    })
}

#[cfg(test)]
mod tests;
