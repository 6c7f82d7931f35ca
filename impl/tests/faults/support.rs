//! What every scenario needs: bounded waits, the quick/full switch, the
//! process's memory and descriptors, one scenario at a time where they
//! are measured, the libzmq baseline, and the figures line.

use std::future::Future;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Any single wait of the suite: far above what a passing wait needs on a
/// loaded 2-core machine, far below a hang.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// Awaits `fut`, failing the test with `what` after [`WAIT`].
pub(crate) async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    within_for(WAIT, what, fut).await
}

/// Awaits `fut`, failing the test with `what` after `limit`.
pub(crate) async fn within_for<T>(limit: Duration, what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(limit, fut).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {limit:?} waiting for {what}"),
    }
}

/// Whether `ZMTP_FAULTS_FULL=1` asks for the counts.
pub(crate) fn full() -> bool {
    std::env::var("ZMTP_FAULTS_FULL").as_deref() == Ok("1")
}

/// `quick` in the default mode, `full` with `ZMTP_FAULTS_FULL=1`.
pub(crate) fn scale(quick: usize, full_count: usize) -> usize {
    if full() { full_count } else { quick }
}

/// The scenarios that measure the process (memory, descriptors) run
/// alone; the others may run beside each other.
static SERIAL: RwLock<()> = RwLock::new(());

/// Runs a scenario that measures the process, with every other scenario
/// held off, on a runtime of its own (2 workers) that is gone, with its
/// sockets and tasks, before the next one starts.
pub(crate) fn alone<F: Future>(scenario: F) -> F::Output {
    let _alone = SERIAL.write().unwrap_or_else(|e| e.into_inner());
    run(scenario)
}

/// Runs a scenario that does not measure the process, beside others of
/// its kind.
pub(crate) fn beside<F: Future>(scenario: F) -> F::Output {
    let _beside = SERIAL.read().unwrap_or_else(|e| e.into_inner());
    run(scenario)
}

fn run<F: Future>(scenario: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let out = rt.block_on(scenario);
    rt.shutdown_timeout(Duration::from_secs(5));
    out
}

/// The process's resident set size, in kB.
pub(crate) fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// The process's open descriptors.
pub(crate) fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("read /proc/self/fd")
        .count()
}

/// The runtime's live tasks (the socket's drivers and listeners among
/// them).
pub(crate) fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// Waits (5 s at most) until `measure()` is at most `target`, checking
/// every 20 ms; returns the last value seen, which may still be above
/// `target`: the caller asserts on it, with its slack.
pub(crate) async fn settle_to(target: usize, mut measure: impl FnMut() -> usize) -> usize {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let now = measure();
        if now <= target || tokio::time::Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The peak of the resident set while it runs, sampled every
/// millisecond on a thread of its own.
pub(crate) struct PeakRss {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PeakRss {
    pub(crate) fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(rss_kb()));
        let thread = {
            let (stop, peak) = (stop.clone(), peak.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kb(), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        };
        Self {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    /// The peak so far, in kB.
    pub(crate) fn peak_kb(&self) -> u64 {
        self.peak.load(Ordering::Relaxed).max(rss_kb())
    }
}

impl Drop for PeakRss {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(crate) use crate::pyzmq::python;

/// The baseline script.
pub(crate) fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/faults_baseline.py")
}

/// libzmq's figures for `scenario` (`faults_baseline.py SCENARIO ARGS`),
/// or `None` without pyzmq. The child is killed if it outlives `limit`.
pub(crate) async fn libzmq(
    scenario: &str,
    args: &[String],
    limit: Duration,
) -> Option<serde_json::Value> {
    let python = python()?;
    let child = tokio::process::Command::new(python)
        .arg(script())
        .arg(scenario)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the libzmq baseline");
    let out = within_for(
        limit,
        &format!("libzmq baseline {scenario}"),
        child.wait_with_output(),
    )
    .await
    .expect("baseline output");
    assert!(
        out.status.success(),
        "libzmq baseline {scenario} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "libzmq baseline {scenario}: no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    }))
}

/// Octets as lower-case hex, to hand wire bytes built here to the
/// baseline script.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Octets too many for a command line, in a file of hex that the
/// baseline script reads when its argument is `@PATH` (keep the file
/// until the script is done).
pub(crate) fn hex_file(bytes: &[u8]) -> (tempfile::NamedTempFile, String) {
    use std::io::Write;
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(hex(bytes).as_bytes()).expect("write the hex");
    let arg = format!("@{}", f.path().display());
    (f, arg)
}

/// Many octet strings, one hex line each, in a file the baseline script
/// reads with `octet_lines` (keep the file until the script is done).
pub(crate) fn hex_lines_file(
    items: impl Iterator<Item = Vec<u8>>,
) -> (tempfile::NamedTempFile, String) {
    use std::io::Write;
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    {
        let mut w = std::io::BufWriter::new(f.as_file_mut());
        for item in items {
            writeln!(w, "{}", hex(&item)).expect("write the hex");
        }
    }
    let arg = f.path().display().to_string();
    (f, arg)
}

/// The scenario's figures line: the scenario, ours, libzmq's where
/// measured, and whether the promise held (for both).
pub(crate) fn report(scenario: &str, ours: &str, libzmq: Option<&str>, held: bool) {
    eprintln!(
        "FAULTS | {scenario} | ours: {ours} | libzmq: {} | promise held: {}",
        libzmq.unwrap_or("not measured"),
        if held { "yes" } else { "NO" }
    );
}

/// A small deterministic generator for garbage octets (no cryptographic
/// strength needed: the garbage only has to be wrong).
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}
