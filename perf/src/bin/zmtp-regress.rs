//! Times the whole conformance run and model checking per scenario, and
//! compares them with a saved baseline (see `zmtp_perf::regress`).
//!
//! `zmtp-regress [--repeat N] [--tolerance X] [--save-baseline] [--no-build]
//! [--skip-conformance] [--skip-model] [--scenario NAME]...`
//!
//! Exits with status 1 when a check failed or got slower than the
//! tolerance (default 1.3x) against the baseline.

use std::path::Path;
use std::process::{Command, ExitCode};

use zmtp_perf::regress::{SCENARIOS, Timing, compare, from_csv, target_dir, time_command, to_csv};

struct Args {
    repeat: usize,
    tolerance: f64,
    save: bool,
    build: bool,
    conformance: bool,
    model: bool,
    scenarios: Vec<String>,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        repeat: 3,
        tolerance: 1.3,
        save: false,
        build: true,
        conformance: true,
        model: true,
        scenarios: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |what: &str| it.next().ok_or(format!("{what} needs a value"));
        match arg.as_str() {
            "--repeat" => a.repeat = value("--repeat")?.parse().map_err(|_| "bad --repeat")?,
            "--tolerance" => {
                a.tolerance = value("--tolerance")?
                    .parse()
                    .map_err(|_| "bad --tolerance")?;
            }
            "--scenario" => a.scenarios.push(value("--scenario")?),
            "--save-baseline" => a.save = true,
            "--no-build" => a.build = false,
            "--skip-conformance" => a.conformance = false,
            "--skip-model" => a.model = false,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if a.scenarios.is_empty() {
        a.scenarios = SCENARIOS.iter().map(|s| (*s).to_owned()).collect();
    }
    Ok(a)
}

fn run(a: &Args) -> Result<bool, String> {
    let target = target_dir();
    if a.build {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "-p",
                "zmtp-conformance",
                "-p",
                "zmtp-model",
                "--features",
                "zmtp-model/check",
                "--bins",
            ])
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .status()
            .map_err(|e| format!("cargo: {e}"))?;
        if !status.success() {
            return Err("building zmtp-conformance and zmtp-model failed".into());
        }
    }
    let bin = target.join("release");
    let mut timings: Vec<Timing> = Vec::new();
    let mut time = |name: String, program: &str, args: &[&str]| -> Result<(), String> {
        let t = time_command(&name, &bin.join(program), args, a.repeat)
            .map_err(|e| format!("{program}: {e}"))?;
        eprintln!(
            "{name}: {:.2?} (runs {:.2?}){}",
            t.median,
            t.runs,
            if t.ok { "" } else { " FAILED" }
        );
        timings.push(t);
        Ok(())
    };
    if a.conformance {
        time("conformance".into(), "zmtp-conformance", &[])?;
    }
    if a.model {
        for s in &a.scenarios {
            time(format!("model {s}"), "zmtp-model", &["check", s])?;
        }
    }
    let dir = target.join("perf");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let baseline_path = dir.join("regress-baseline.csv");
    let baseline = std::fs::read_to_string(&baseline_path)
        .map(|t| from_csv(&t))
        .unwrap_or_default();
    let (table, regressed) = compare(&timings, &baseline, a.tolerance);
    println!("{table}");
    let csv = to_csv(&timings);
    std::fs::write(dir.join("regress.csv"), &csv).map_err(|e| e.to_string())?;
    if a.save {
        std::fs::write(&baseline_path, &csv).map_err(|e| e.to_string())?;
        eprintln!("baseline saved to {}", baseline_path.display());
    }
    Ok(!regressed)
}

fn main() -> ExitCode {
    match parse().and_then(|a| run(&a)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
