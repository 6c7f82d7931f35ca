//! What a run's verdicts mean against the expected results, counted once
//! for every report, pytest-style.
//!
//! ```text
//!   verdict (PASS .. FAIL) + expected-results entry --Expected::judge--> Judged { status }
//!   [Judged] --Tally::of--> counts: the closing line, summary, markdown, JSON and JUnit
//! ```
//!
//! | verdict | no entry, or an entry that lists it | an entry that does not |
//! |---|---|---|
//! | PASS | passed | passed if the entry lists PASS-LENIENT, else unexpected-pass |
//! | PASS-LENIENT | lenient | lenient if the entry lists PASS, else unexpected-pass |
//! | UNSUPPORTED | unsupported | failed (the entry wants another verdict) |
//! | NON-STRICT, FAIL | failed (no entry), expected-failure (listed) | failed |

use std::fmt;

use serde::Serialize;

/// A result's place in the counts.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// PASS, as expected.
    Passed,
    /// PASS-LENIENT (a tolerance applied, or something the spec also
    /// allows), as expected.
    Lenient,
    /// Not as expected: a FAIL or NON-STRICT nobody expected, or not the
    /// verdict its entry names.
    Failed,
    /// The agent cannot do a step; never a failure unless an entry expects
    /// something else.
    Unsupported,
    /// A FAIL or NON-STRICT that the expected-results file lists, with its
    /// reason (pytest's xfail).
    ExpectedFailure,
    /// A pass where the file expects FAIL, NON-STRICT or UNSUPPORTED: the
    /// file is out of date (pytest's xpass, strict).
    UnexpectedPass,
}

impl Status {
    /// Every status, in the order reports show them.
    pub const ALL: [Self; 6] = [
        Self::Passed,
        Self::Lenient,
        Self::Failed,
        Self::Unsupported,
        Self::ExpectedFailure,
        Self::UnexpectedPass,
    ];

    /// The name in reports.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Lenient => "lenient",
            Self::Failed => "failed",
            Self::Unsupported => "unsupported",
            Self::ExpectedFailure => "expected-failure",
            Self::UnexpectedPass => "unexpected-pass",
        }
    }

    /// Whether the result makes the run fail (exit code 1).
    pub const fn is_unexpected(self) -> bool {
        matches!(self, Self::Failed | Self::UnexpectedPass)
    }
}

/// One result judged against the expected results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Judged {
    /// The case.
    pub id: String,
    /// Its place in the counts.
    pub status: Status,
    /// The verdict it got.
    pub got: String,
    /// The verdicts expected (`PASS` when the file has no entry).
    pub expected: String,
    /// The entry's reason, if there is an entry.
    pub reason: String,
}

/// Counts per [`Status`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Tally {
    /// PASS as expected.
    pub passed: usize,
    /// PASS-LENIENT as expected.
    pub lenient: usize,
    /// Not as expected.
    pub failed: usize,
    /// UNSUPPORTED.
    pub unsupported: usize,
    /// Listed FAIL or NON-STRICT.
    pub expected_failure: usize,
    /// A pass the file does not expect.
    pub unexpected_pass: usize,
}

impl Tally {
    /// Counts `judged`.
    pub fn of<'a>(judged: impl IntoIterator<Item = &'a Judged>) -> Self {
        let mut t = Self::default();
        for j in judged {
            *t.slot(j.status) += 1;
        }
        t
    }

    fn slot(&mut self, s: Status) -> &mut usize {
        match s {
            Status::Passed => &mut self.passed,
            Status::Lenient => &mut self.lenient,
            Status::Failed => &mut self.failed,
            Status::Unsupported => &mut self.unsupported,
            Status::ExpectedFailure => &mut self.expected_failure,
            Status::UnexpectedPass => &mut self.unexpected_pass,
        }
    }

    /// The count of one status.
    pub fn get(&self, s: Status) -> usize {
        let mut t = *self;
        *t.slot(s)
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, other: &Self) {
        for s in Status::ALL {
            *self.slot(s) += other.get(s);
        }
    }

    /// Every result counted.
    pub fn total(&self) -> usize {
        Status::ALL.iter().map(|&s| self.get(s)).sum()
    }

    /// The results that make a run fail: failed and unexpected passes.
    pub fn unexpected(&self) -> usize {
        self.failed + self.unexpected_pass
    }
}

/// `143 passed, 0 lenient, 0 failed, 0 unsupported, 0 expected-failure,
/// 0 unexpected-pass`: every count, zeros too, so a tool can read it.
impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = Status::ALL
            .iter()
            .map(|&s| format!("{} {}", self.get(s), s.label()))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests;
