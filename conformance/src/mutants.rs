//! `zmtp-conformance mutants`: the suite's mutation score. Each mutant of
//! `zmtp_spec::mutants::Mutant` is one deliberate defect in spec, model or
//! impl; the suite runs against the builtin agent with that one defect
//! turned on, and the mutant is killed when some case's result differs
//! from `conformance/expected/builtin.txt` in the strict profile (which CI
//! runs against the builtin agent too: a deviation the default profile
//! tolerates as PASS-LENIENT is a FAIL there).
//!
//! ```text
//!   mutants (parent) --control run, no mutant--> child: mutants --child none
//!          |          --one child per mutant---> child: mutants --child NAME
//!          |                                       select(NAME), runner::run(builtin),
//!          v                                       one JSON line per case result
//!   per mutant: the cases that killed it;  score "K of M killed"
//! ```
//!
//! Every mutant runs in a child process of its own (this binary, built with
//! the `mutants` feature): the selection is process-wide and set once, and
//! a defect that wedges a task or leaks a connection cannot reach the next
//! mutant's run. By default a mutant runs only the cases listed for it in
//! `KILLERS` (whole ids or id prefixes), which keeps the command within a
//! few minutes; `--all-cases` runs every case against every mutant. The
//! score line names which of the two was done.

/// The command line of `zmtp-conformance mutants`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only these mutants (names as `--list` prints them, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Runs every case against every mutant, not only its listed cases.
    #[arg(long)]
    pub all_cases: bool,
    /// The transport (tcp or ipc).
    #[arg(long, default_value = "tcp")]
    pub transport: String,
    /// The lowest score that passes, in percent of the mutants run less
    /// the equivalent ones that survived (`EQUIVALENT`).
    #[arg(long, default_value_t = 95)]
    pub threshold: u32,
    /// Parallel agents within one mutant's run.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// How long an expected event may take, in ms.
    #[arg(long, default_value_t = 2000)]
    pub timeout_ms: u64,
    /// How long to watch for something that must not happen, in ms.
    #[arg(long, default_value_t = 300)]
    pub quiet_ms: u64,
    /// Lists the mutants with the cases run against each, and exits.
    #[arg(long)]
    pub list: bool,
    /// Runs in this process with mutant NAME (`none`: no mutant) and
    /// prints one JSON line per case result (what the parent starts).
    #[arg(long, hide = true)]
    pub child: Option<String>,
    /// The case ids or prefixes a `--child` runs (all when empty).
    #[arg(long, hide = true, value_delimiter = ',')]
    pub cases: Vec<String>,
}

/// Runs the command.
#[cfg(not(feature = "mutants"))]
pub async fn main(_args: Args) -> std::process::ExitCode {
    eprintln!(
        "zmtp-conformance mutants: this binary was built without the `mutants` feature; \
         run `cargo run -p zmtp-conformance --features mutants -- mutants`"
    );
    std::process::ExitCode::from(2)
}

#[cfg(feature = "mutants")]
pub use enabled::{EQUIVALENT, KILLERS, main};

#[cfg(feature = "mutants")]
mod enabled;
