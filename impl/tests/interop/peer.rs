//! Runs `peer.py` (libzmq through pyzmq) as a child process, owned by a
//! [`ChildGuard`] (killed when the `Peer` drops). Every wait for the peer,
//! its start, each answer and its exit, is bounded (`crate::bounded`;
//! its limit is longer than the peer's own socket timeouts, so that the
//! peer's report of a timeout comes first). The including test provides
//! `crate::bounded` and `crate::child` (`../common/`).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::bounded::within;
use crate::child::ChildGuard;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdin, ChildStdout};
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
    child: ChildGuard,
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
        let mut child = ChildGuard::spawn(
            Command::new(python)
                .arg(script)
                .arg(kind(t))
                .arg(mode)
                .arg(endpoint)
                .args(options)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped()),
            "the pyzmq peer",
        )
        .expect("start the pyzmq peer");
        let stdin = child.child().stdin.take().expect("stdin");
        let stdout = child.child().stdout.take().expect("stdout");
        let stdin = ChildStdin::from_std(stdin).expect("peer stdin");
        let mut lines = BufReader::new(ChildStdout::from_std(stdout).expect("peer stdout")).lines();
        let first = within("the peer to start", lines.next_line())
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
        within(&format!("the peer to take {line}"), async {
            self.stdin
                .write_all(format!("{line}\n").as_bytes())
                .await
                .expect("write to peer");
            self.stdin.flush().await.expect("flush");
        })
        .await;
    }

    /// The next answer line.
    async fn answer(&mut self) -> String {
        within("the peer's answer", self.lines.next_line())
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

    /// Sends `frames` (a JSON array) with a timeout: whether the peer
    /// could send within `ms` milliseconds.
    pub(crate) async fn send_within(&mut self, frames: &str, ms: u64) -> bool {
        self.command_nowait(&format!(
            r#"{{"op":"send_within","frames":{frames},"ms":{ms}}}"#
        ))
        .await;
        let a = self.answer().await;
        assert!(
            a.contains("\"ok\"") || a.contains("\"timeout\""),
            "peer said {a}"
        );
        a.contains("\"ok\"")
    }

    /// Ends the peer, and waits (bounded) until it has exited.
    pub(crate) async fn exit(mut self) {
        self.command_nowait(r#"{"op":"exit"}"#).await;
        within("the peer to exit", async {
            while self.child.try_wait().is_none() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
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
