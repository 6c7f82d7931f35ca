//! Child processes with a deadline: their output is read by threads, so
//! none blocks on a full pipe.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running tool.
pub struct Proc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    out: Option<JoinHandle<String>>,
    err: Option<JoinHandle<String>>,
}

impl Proc {
    /// Starts `exe args`, with a piped standard input when `stdin`.
    ///
    /// # Errors
    /// When it cannot start.
    pub fn spawn(exe: &std::path::Path, args: &[String], stdin: bool) -> Result<Proc, String> {
        let mut child = Command::new(exe)
            .args(args)
            .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
        let (tx, lines) = channel();
        let stdout = child.stdout.take();
        let out = std::thread::spawn(move || {
            let mut all = String::new();
            if let Some(s) = stdout {
                for line in BufReader::new(s).lines().map_while(Result::ok) {
                    let _ = tx.send(line.clone());
                    all.push_str(&line);
                    all.push('\n');
                }
            }
            all
        });
        let stderr = child.stderr.take();
        let err = std::thread::spawn(move || {
            let mut all = String::new();
            if let Some(mut s) = stderr {
                let _ = s.read_to_string(&mut all);
            }
            all
        });
        Ok(Proc {
            name: args.join(" "),
            stdin: child.stdin.take(),
            child,
            lines,
            out: Some(out),
            err: Some(err),
        })
    }

    /// Waits for a line equal to `want` on its standard output.
    ///
    /// # Errors
    /// When the process ends first or the deadline passes.
    pub fn wait_line(&mut self, want: &str, deadline: Instant) -> Result<(), String> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) if l == want => return Ok(()),
                Ok(_) => {}
                Err(_) => return Err(format!("{}: no {want:?} line", self.name)),
            }
        }
    }

    /// Writes a line to its standard input.
    pub fn say(&mut self, line: &str) {
        if let Some(s) = self.stdin.as_mut() {
            let _ = writeln!(s, "{line}");
            let _ = s.flush();
        }
    }

    /// Waits for it to exit by `deadline` (then kills it) and returns its
    /// standard output.
    ///
    /// # Errors
    /// When it failed, or had to be killed.
    pub fn finish(mut self, deadline: Instant) -> Result<String, String> {
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                _ => break None,
            }
        };
        if status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let out = self
            .out
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let err = self
            .err
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        match status {
            Some(s) if s.success() => Ok(out),
            Some(s) => Err(format!("{}: {s}: {}", self.name, err.trim())),
            None => Err(format!("{}: timed out: {}", self.name, err.trim())),
        }
    }

    /// Ends it now, whatever it is doing.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
