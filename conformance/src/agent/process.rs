//! An agent running as a child process, spoken to in JSON lines.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::{Agent, AgentFailure, Answer, BoxFuture};

/// How much of the agent's standard error is kept.
const STDERR_KEEP: usize = 8 * 1024;

/// A running agent process.
pub struct ProcessAgent {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: Arc<Mutex<String>>,
    next_id: u64,
    dead: Option<String>,
}

impl ProcessAgent {
    /// Starts `command` with piped stdio (killed when dropped).
    ///
    /// # Errors
    /// The spawn error, as text.
    pub fn spawn(mut command: Command) -> Result<Self, AgentFailure> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .map_err(|e| AgentFailure(format!("cannot start agent: {e}")))?;
        let (Some(stdin), Some(stdout), Some(mut err)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(AgentFailure("agent stdio not piped".into()));
        };
        let stderr = Arc::new(Mutex::new(String::new()));
        let keep = Arc::clone(&stderr);
        tokio::spawn(async move {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = err.read(&mut chunk).await {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = keep.lock() {
                    s.push_str(&String::from_utf8_lossy(chunk.get(..n).unwrap_or_default()));
                    if s.len() > STDERR_KEEP {
                        let cut = s.len() - STDERR_KEEP;
                        let cut = (cut..s.len()).find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                        s.drain(..cut);
                    }
                }
            }
        });
        Ok(Self {
            child,
            stdin,
            stdout: BufReader::new(stdout).lines(),
            stderr,
            next_id: 1,
            dead: None,
        })
    }

    async fn exchange(
        &mut self,
        mut request: Value,
        wait: Duration,
    ) -> Result<Answer, AgentFailure> {
        if let Some(why) = &self.dead {
            return Err(AgentFailure(why.clone()));
        }
        let id = self.next_id;
        self.next_id += 1;
        request["id"] = Value::from(id);
        let line = format!("{request}\n");
        let result = tokio::time::timeout(wait, async {
            self.stdin
                .write_all(line.as_bytes())
                .await
                .map_err(|e| format!("agent stdin: {e}"))?;
            self.stdin
                .flush()
                .await
                .map_err(|e| format!("agent stdin: {e}"))?;
            loop {
                let Some(answer) = self
                    .stdout
                    .next_line()
                    .await
                    .map_err(|e| format!("agent stdout: {e}"))?
                else {
                    return Err("agent exited".to_string());
                };
                let v: Value = serde_json::from_str(&answer)
                    .map_err(|e| format!("agent wrote a line that is not JSON ({e}): {answer}"))?;
                if v.get("id").and_then(Value::as_u64) == Some(id) {
                    return Ok(Answer::from_json(&v));
                }
                // An answer to an earlier, timed-out request: skip it.
            }
        })
        .await;
        let failure = match result {
            Ok(Ok(answer)) => return Ok(answer),
            Ok(Err(e)) => e,
            Err(_) => format!("agent did not answer within {} ms (hung)", wait.as_millis()),
        };
        let _ = self.child.start_kill();
        self.dead = Some(failure.clone());
        Err(AgentFailure(failure))
    }

    /// Whether the process failed (then the runner starts a new one).
    pub fn is_dead(&self) -> bool {
        self.dead.is_some()
    }

    /// The process id (for its memory in `/proc`), while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// How the process ended, if it has (without waiting).
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Agent for ProcessAgent {
    fn call(
        &mut self,
        request: Value,
        wait: Duration,
    ) -> BoxFuture<'_, Result<Answer, AgentFailure>> {
        Box::pin(self.exchange(request, wait))
    }

    fn stderr_tail(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}
