//! Child processes of the tests, each owned by a [`ChildGuard`]: killed
//! and reaped when the guard drops (a failed test leaves no peer behind),
//! and every wait for one to end is bounded.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// A running child process, killed and reaped on drop.
pub(crate) struct ChildGuard {
    child: Child,
    what: String,
}

impl ChildGuard {
    /// Starts `command`; `what` names it in failures.
    ///
    /// # Errors
    /// The spawn error.
    pub(crate) fn spawn(command: &mut Command, what: &str) -> std::io::Result<Self> {
        Ok(Self {
            child: command.spawn()?,
            what: what.to_owned(),
        })
    }

    /// The process, for its pipes.
    pub(crate) fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Its exit status, if it has ended.
    pub(crate) fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("query the child")
    }

    /// Waits up to `limit` for it to end (checking every few
    /// milliseconds, so a short wait from async code is harmless);
    /// fails the test after that (and the drop kills it).
    pub(crate) fn wait_within(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.try_wait() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit within {limit:?}",
                self.what
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // SIGKILL cannot be refused, so the wait after it is short.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `command` to its end, within `limit` (or fails the test), and
/// returns its status and output (both pipes are read on threads, so a
/// chatty child cannot block on a full pipe).
///
/// # Errors
/// The spawn error.
pub(crate) fn output_within(
    command: &mut Command,
    what: &str,
    limit: Duration,
) -> std::io::Result<Output> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut guard = ChildGuard::spawn(command, what)?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut out);
            }
            out
        })
    };
    let stdout = drain(guard.child().stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(guard.child().stderr.take().map(|p| Box::new(p) as _));
    let status = guard.wait_within(limit);
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}
