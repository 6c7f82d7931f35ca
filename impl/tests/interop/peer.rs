//! Runs `peer.py` (libzmq through pyzmq) as a child process.

use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use zmtp::SocketType;

/// The Python interpreter with pyzmq, or why there is none.
pub(crate) fn python() -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("ZMTP_PYTHON") {
        let p = PathBuf::from(p);
        return if p.exists() {
            Ok(p)
        } else {
            Err(format!("ZMTP_PYTHON={} does not exist", p.display()))
        };
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/peers/pyzmq/bin/python");
    if p.exists() {
        Ok(p)
    } else {
        Err(format!(
            "no pyzmq peer: set ZMTP_PYTHON or run .ci/setup-pyzmq (looked for {})",
            p.display()
        ))
    }
}

/// A running libzmq peer.
pub(crate) struct Peer {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// Its endpoint (resolved when it bound).
    pub(crate) endpoint: String,
}

fn kind(t: SocketType) -> &'static str {
    t.as_str()
}

impl Peer {
    /// Starts a peer, or returns `None` (after saying why) when pyzmq is
    /// not available and peers are not required.
    pub(crate) async fn start(
        t: SocketType,
        mode: &str,
        endpoint: &str,
        options: &[&str],
    ) -> Option<Peer> {
        let python = match python() {
            Ok(p) => p,
            Err(why) => {
                assert!(
                    std::env::var("ZMTP_REQUIRE_PEERS").as_deref() != Ok("1"),
                    "ZMTP_REQUIRE_PEERS=1 but {why}"
                );
                eprintln!("skipped: {why}");
                return None;
            }
        };
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/peer.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(kind(t))
            .arg(mode)
            .arg(endpoint)
            .args(options)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the pyzmq peer");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next_line()
            .await
            .expect("peer output")
            .expect("peer started");
        let endpoint = field(&first, "endpoint").expect("endpoint line");
        Some(Peer {
            child,
            stdin,
            lines,
            endpoint,
        })
    }

    /// Sends a command line without waiting for its answer.
    pub(crate) async fn command_nowait(&mut self, line: &str) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("write to peer");
        self.stdin.flush().await.expect("flush");
    }

    /// The next answer line.
    async fn answer(&mut self) -> String {
        self.lines
            .next_line()
            .await
            .expect("peer output")
            .expect("peer answered")
    }

    /// Waits for an `{"ok": true}` answer.
    pub(crate) async fn expect_ok(&mut self) {
        let a = self.answer().await;
        assert!(a.contains("\"ok\""), "peer said {a}");
    }

    /// Sends a command and waits for `ok`.
    pub(crate) async fn command_ok(&mut self, line: &str) {
        self.command_nowait(line).await;
        self.expect_ok().await;
    }

    /// Sends a command and returns the frames it answers with.
    pub(crate) async fn command(&mut self, line: &str) -> Vec<String> {
        self.command_nowait(line).await;
        self.read_frames().await
    }

    /// Receives with a timeout: the frames, or `None` when nothing came
    /// within `ms` milliseconds.
    pub(crate) async fn recv_within(&mut self, ms: u64) -> Option<Vec<String>> {
        self.command_nowait(&format!(r#"{{"op":"recv_within","ms":{ms}}}"#))
            .await;
        let a = self.answer().await;
        if a.contains("\"timeout\"") {
            None
        } else {
            Some(parse_frames(&a).unwrap_or_else(|| panic!("peer said {a}")))
        }
    }

    /// Reads a `{"frames": [...]}` answer.
    pub(crate) async fn read_frames(&mut self) -> Vec<String> {
        let a = self.answer().await;
        parse_frames(&a).unwrap_or_else(|| panic!("peer said {a}"))
    }

    /// Ends the peer.
    pub(crate) async fn exit(mut self) {
        self.command_nowait(r#"{"op":"exit"}"#).await;
        let _ = self.child.wait().await;
    }
}

/// `{"key": "value"}` -> value (enough JSON for the peer's answers).
fn field(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\": \""))? + key.len() + 5;
    let rest = &line[start..];
    let end = rest.find('"')?;
    Some(rest[..end].to_owned())
}

/// `{"frames": ["a", "b"]}` -> ["a", "b"]. The frames the tests use are
/// plain ASCII without quotes; other octets arrive as JSON `\uXXXX`.
fn parse_frames(line: &str) -> Option<Vec<String>> {
    let start = line.find('[')?;
    let end = line.rfind(']')?;
    let inner = &line[start + 1..end];
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut s = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next()? {
                    'u' => {
                        let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                        s.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    other => s.push(other),
                },
                c => s.push(c),
            }
        }
        out.push(s);
    }
    Some(out)
}
