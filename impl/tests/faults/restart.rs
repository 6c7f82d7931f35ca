//! kill -9 and restart of the bind side during PUSH->PULL. The bind side
//! is a child process: this test binary again, run with
//! [`CHILD_ENV`] set so that only [`restart_child_bind_side`] runs, as a
//! PULL that prints every message it receives. The PUSH (connect side, in
//! this process) sends numbered messages; the child is killed three
//! times, each time right after a burst of messages, and while it is
//! down (the PUSH has seen the disconnect) more messages are sent before
//! it is started again; those are waited for before the traffic goes on.
//!
//! The promise: no message arrives twice; the messages sent while the
//! peer was down all arrive after the restart; and a lost message is one
//! that was in flight to a child that was then killed (sent to it, not
//! yet printed by it). libzmq's figures are the same scenario with pyzmq
//! on both sides (`faults_baseline.py restart`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use zmtp::{Bytes, Context, MonitorEventKind, SocketType, opt};

use crate::child::ChildGuard;
use crate::support::{WAIT, beside, libzmq, report, scale, within};

/// Set in the child's environment: the endpoint it binds.
const CHILD_ENV: &str = "ZMTP_FAULTS_CHILD_BIND";
/// Messages sent while the bind side is down, at each kill.
const GAP: usize = 50;
const KILLS: usize = 3;
/// Messages sent without a pause just before each kill.
const BURST: usize = 200;
/// Each message's second frame, so that a burst takes the child a while.
const PAD: usize = 1024;

/// Message `n`: its number, then [`PAD`] octets.
fn numbered(n: usize) -> zmtp::Message {
    [Bytes::from(n.to_string()), Bytes::from(vec![0x5A; PAD])]
        .into_iter()
        .collect()
}

/// Not a scenario: the bind side of the restart scenario, when this
/// binary is run as its child. Without [`CHILD_ENV`] it does nothing.
#[test]
fn restart_child_bind_side() {
    let Ok(endpoint) = std::env::var(CHILD_ENV) else {
        return;
    };
    // The parent's end: when it goes, so does the child.
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        std::process::exit(0);
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let ctx = Context::new().expect("context");
        let pull = ctx.socket(SocketType::Pull).expect("socket");
        pull.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
        pull.bind(&endpoint).expect("bind");
        // On a line of its own: the harness's "test ... " has no newline.
        println!("\nready");
        // A parent that stops sending for this long is gone.
        while let Ok(Ok(m)) = tokio::time::timeout(Duration::from_secs(60), pull.recv()).await {
            println!("got {}", String::from_utf8_lossy(&m.frames()[0]));
        }
    });
}

/// One life of the child: its process and the numbers it printed.
struct Life {
    guard: ChildGuard,
    lines: mpsc::Receiver<String>,
}

fn start_child(endpoint: &str) -> Life {
    let mut command = Command::new(std::env::current_exe().expect("this test binary"));
    command
        .args([
            "--exact",
            "restart::restart_child_bind_side",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, endpoint)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut guard = ChildGuard::spawn(&mut command, "the bind side").expect("start the child");
    let stdout = guard.child().stdout.take().expect("stdout");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let life = Life { guard, lines };
    let ready = life
        .lines
        .recv_timeout(WAIT)
        .expect("the child's ready line");
    // The harness prints its own lines first.
    let mut ready = ready;
    while ready != "ready" {
        ready = life
            .lines
            .recv_timeout(WAIT)
            .expect("the child's ready line");
    }
    life
}

impl Life {
    /// The numbers printed so far.
    fn drain(&self, into: &mut Vec<usize>) {
        while let Ok(line) = self.lines.try_recv() {
            if let Some(n) = line.strip_prefix("got ") {
                into.push(n.parse().expect("a number"));
            }
        }
    }
}

/// Waits (bounded) for the next `kind` on the PUSH's monitor.
async fn seen(monitor: &mut zmtp::Monitor, kind: MonitorEventKind) {
    within(&format!("{kind:?} on the PUSH's monitor"), async {
        loop {
            if monitor.next().await.expect("monitor open").kind == kind {
                return;
            }
        }
    })
    .await;
}

/// The figures of a run, from what was sent to which life and what each
/// life printed.
fn figures(
    total: usize,
    gaps: &[std::ops::Range<usize>],
    lives: &[(std::ops::Range<usize>, Vec<usize>, bool)],
) -> serde_json::Value {
    let mut times: HashMap<usize, usize> = HashMap::new();
    for (_, got, _) in lives {
        for &n in got {
            *times.entry(n).or_default() += 1;
        }
    }
    let duplicates = times.values().filter(|&&t| t > 1).count();
    let lost: Vec<usize> = (0..total).filter(|n| !times.contains_key(n)).collect();
    let gap_sent: usize = gaps.iter().map(ExactSizeIterator::len).sum();
    let gap_delivered = gaps
        .iter()
        .flat_map(Clone::clone)
        .filter(|n| times.contains_key(n))
        .count();
    // A lost message was sent while a life that was then killed was up.
    let lost_in_flight = lost
        .iter()
        .filter(|&&n| {
            lives
                .iter()
                .any(|(sent, _, killed)| *killed && sent.contains(&n))
        })
        .count();
    serde_json::json!({
        "sent": total, "kills": gaps.len(), "duplicates": duplicates,
        "lost": lost.len(), "lost_in_flight_to_a_killed_peer": lost_in_flight,
        "sent_while_down": gap_sent, "sent_while_down_delivered": gap_delivered,
    })
}

#[test]
fn kill_9_and_restart_of_the_bind_side_loses_only_in_flight_messages() {
    beside(async {
        let total = scale(2000, 10_000);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a port")
            .local_addr()
            .expect("addr")
            .port();
        let endpoint = format!("tcp://127.0.0.1:{port}");
        let ctx = Context::new().expect("context");
        let push = ctx.socket(SocketType::Push).expect("socket");
        push.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
        push.set(opt::ReconnectIvl, Some(Duration::from_millis(50)))
            .expect("RECONNECT_IVL");
        let mut monitor = push.monitor();
        let mut life = start_child(&endpoint);
        push.connect(&endpoint).expect("connect");
        seen(&mut monitor, MonitorEventKind::HandshakeSucceeded).await;

        let kill_at: Vec<usize> = (1..=KILLS).map(|k| k * total / (KILLS + 1)).collect();
        let mut lives = Vec::new();
        let mut gaps = Vec::new();
        let mut got = Vec::new();
        let mut life_start = 0;
        let mut i = 0;
        while i < total {
            if kill_at.contains(&i) {
                // kill -9, then wait until the PUSH has seen its peer go.
                life.guard.child().kill().expect("SIGKILL");
                life.guard.wait_within(WAIT);
                life.drain(&mut got);
                lives.push((life_start..i, std::mem::take(&mut got), true));
                seen(&mut monitor, MonitorEventKind::Disconnected).await;
                let gap = i..(i + GAP).min(total);
                for n in gap.clone() {
                    within("a send while the peer is down", push.send(numbered(n)))
                        .await
                        .expect("send");
                }
                i = gap.end;
                gaps.push(gap);
                life = start_child(&endpoint);
                // Up again: the next kill falls on a connected peer, once the
                // messages queued while it was down are in.
                seen(&mut monitor, MonitorEventKind::HandshakeSucceeded).await;
                let last_of_gap = i - 1;
                let _ = tokio::time::timeout(WAIT, async {
                    while !got.contains(&last_of_gap) {
                        life.drain(&mut got);
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                })
                .await;
                life_start = i;
                continue;
            }
            within("a send", push.send(numbered(i)))
                .await
                .expect("send");
            i += 1;
            // Paced, except for a burst just before each kill, so that the
            // kills fall amid the traffic.
            let bursting = kill_at
                .iter()
                .any(|&k| (k.saturating_sub(BURST)..k).contains(&i));
            if i.is_multiple_of(10) && !bursting {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        // The last life: wait until the last message is in (or the wait ends).
        within("the last message", async {
            loop {
                life.drain(&mut got);
                if got.last() == Some(&(total - 1)) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        lives.push((life_start..total, got, false));
        drop(life);
        let ours = figures(total, &gaps, &lives);

        let theirs = libzmq(
            "restart",
            &[
                total.to_string(),
                GAP.to_string(),
                KILLS.to_string(),
                BURST.to_string(),
                PAD.to_string(),
            ],
            Duration::from_secs(120),
        )
        .await;
        let check = |f: &serde_json::Value| {
            f["duplicates"] == 0
                && f["sent_while_down_delivered"] == f["sent_while_down"]
                && f["lost"] == f["lost_in_flight_to_a_killed_peer"]
        };
        report(
            "8 kill -9 / restart of the bind side",
            &ours.to_string(),
            theirs.as_ref().map(ToString::to_string).as_deref(),
            check(&ours) && theirs.as_ref().is_none_or(check),
        );
        assert_eq!(ours["duplicates"], 0, "no duplicates: {ours}");
        assert_eq!(
            ours["sent_while_down_delivered"], ours["sent_while_down"],
            "what was sent while the peer was down arrives after the restart: {ours}"
        );
        assert_eq!(
            ours["lost"], ours["lost_in_flight_to_a_killed_peer"],
            "only messages in flight to a killed peer are lost: {ours}"
        );
        if let Some(t) = &theirs {
            assert!(check(t), "libzmq: {t}");
        }
    });
}
