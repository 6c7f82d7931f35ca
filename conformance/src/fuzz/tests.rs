use std::time::Duration;

use serde_json::json;
use tokio::process::Command;

use super::detectors::{self, Kind};
use super::driver::{self, Env};
use super::minimizer::{Ddmin, minimize};
use super::mutations::{self, Action, Class, Mutation, Rng, Target};
use super::reproducer::{Reproducer, parse_expected};
use super::{Mech, Menu, Op, Session, plan};
use crate::agent::process::ProcessAgent;
use crate::peer::transport;
use crate::wirelog::WireLog;

fn menu() -> Menu {
    let manifest = json!({
        "socket_types": ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB"],
        "mechanisms": ["NULL", "PLAIN", "CURVE"],
    });
    Menu::from_manifest(&manifest, None)
}

#[test]
fn same_seed_same_sessions_and_mutations() {
    let m = menu();
    let a: Vec<Session> = (0..200).filter_map(|i| plan(&m, 42, i)).collect();
    let b: Vec<Session> = (0..200).filter_map(|i| plan(&m, 42, i)).collect();
    assert_eq!(a.len(), 200);
    assert_eq!(a, b);
    let c: Vec<Session> = (0..200).filter_map(|i| plan(&m, 43, i)).collect();
    assert_ne!(a, c, "another seed gives other sessions");
    // The raw generator repeats too.
    let (mut x, mut y) = (Rng::new(9), Rng::new(9));
    assert_eq!(
        mutations::generate(&mut x, 8, 2, 3),
        mutations::generate(&mut y, 8, 2, 3)
    );
    // And the mix covers every class and the valid-only sessions.
    let all: Vec<&Mutation> = a.iter().flat_map(|s| &s.mutations).collect();
    for class in [Class::Greeting, Class::Handshake, Class::Traffic] {
        assert!(all.iter().any(|m| m.target.class == class), "{class:?}");
    }
    let end = zmtp_spec::connection::PacketKind::Message {
        more: false,
        boxed: false,
    };
    assert!(
        a.iter()
            .any(|s| !s.mutations.is_empty()
                && s.mutations.iter().all(|m| m.keeps_valid(true, &end)))
    );
    assert!(a.iter().any(|s| s.mechanism == Mech::Curve));
}

#[test]
fn pairings_are_compatible() {
    let m = menu();
    for i in 0..300 {
        let s = plan(&m, 5, i).expect("a session");
        let a = zmtp_spec::SocketType::from_wire(s.agent_type.as_bytes()).expect("agent type");
        let p = zmtp_spec::SocketType::from_wire(s.peer_type.as_bytes()).expect("peer type");
        assert!(a.is_compatible_with(p), "{a:?} with {p:?}");
        if s.mechanism != Mech::Null {
            assert!(s.agent_binds, "the agent is the server of PLAIN and CURVE");
        }
    }
}

#[test]
fn only_a_socket_type_when_asked() {
    let manifest = json!({"socket_types": ["PULL", "PUSH"], "mechanisms": ["NULL"]});
    let m = Menu::from_manifest(&manifest, Some("pull"));
    for i in 0..50 {
        let s = plan(&m, 1, i).expect("a session");
        assert_eq!(s.agent_type, "PULL");
        assert_eq!(s.mechanism, Mech::Null);
    }
}

#[test]
fn minimizer_shrinks_a_synthetic_failing_list() {
    let list: Vec<u32> = (0..20).collect();
    let mut trials = 0;
    let small = minimize(list, 200, |c| {
        trials += 1;
        c.contains(&3) && c.contains(&17)
    });
    assert_eq!(small, vec![3, 17]);
    assert!(trials < 100, "{trials} trials");
}

#[test]
fn minimizer_tries_the_empty_list_first_and_keeps_its_budget() {
    let mut d = Ddmin::new(vec![1, 2, 3], 10);
    assert_eq!(d.candidate(), Some(vec![]));
    d.report(true);
    assert_eq!(d.candidate(), None);
    assert!(d.result().is_empty());

    let mut calls = 0;
    let kept = minimize((0..64).collect::<Vec<u32>>(), 5, |_| {
        calls += 1;
        false
    });
    assert_eq!(calls, 5);
    assert_eq!(kept.len(), 64, "nothing smaller failed: the list stays");
}

#[test]
fn rewrites_never_panic_on_short_packets() {
    use zmtp_spec::connection::PacketKind;
    let kinds = [
        PacketKind::Greeting { from: 0, to: 10 },
        PacketKind::Greeting { from: 10, to: 11 },
        PacketKind::Greeting { from: 11, to: 64 },
        PacketKind::Command {
            name: bytes::Bytes::from_static(b"READY"),
            boxed: false,
        },
        PacketKind::Message {
            more: false,
            boxed: false,
        },
    ];
    let mut rng = Rng::new(3);
    for _ in 0..3000 {
        let m = mutations::generate(&mut rng, 1, 2, 2).remove(0);
        for kind in &kinds {
            for len in [0usize, 1, 2, 3, 9, 10, 53, 64] {
                let octets = rng.octets(len);
                let _ = mutations::rewrite(&m.action, kind, &octets);
            }
        }
    }
}

#[test]
fn reproducer_round_trips_and_expected_lists_parse() {
    let r = Reproducer {
        format: super::reproducer::FORMAT,
        agent: "zmqrs".into(),
        seed: 7,
        iteration: 3,
        transport: "tcp".into(),
        finding: detectors::unresponsive(
            "PULL closed the connection on a valid exchange (NULL)",
            "x",
        ),
        mutations_before: 2,
        session: Session {
            agent_type: "PULL".into(),
            peer_type: "PUSH".into(),
            agent_binds: true,
            mechanism: Mech::Null,
            key_seed: 1,
            ops: vec![Op::PeerSend(b"a".to_vec()), Op::AgentRecv],
            mutations: vec![Mutation {
                target: Target {
                    class: Class::Traffic,
                    n: 0,
                },
                action: Action::DelayMs(5),
            }],
        },
        promoted: None,
    };
    let dir = std::env::temp_dir().join(format!("zmtp-fuzz-test-{}", std::process::id()));
    let path = r.save(&dir).expect("saved");
    assert_eq!(Reproducer::load(&path).expect("loaded"), r);
    let _ = std::fs::remove_dir_all(&dir);
    let expected = parse_expected(
        "# known\nhang: PULL closed the connection on a valid exchange (NULL) # zmq.rs and PING\n\n",
    );
    assert_eq!(
        expected,
        vec!["hang: PULL closed the connection on a valid exchange (NULL)"]
    );
}

#[test]
fn vm_rss_is_read_and_judged() {
    let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t  5120 kB\n";
    assert_eq!(detectors::vm_rss(status), Some(5120));
    assert!(detectors::memory(5120, 4096).is_some());
    assert!(detectors::memory(5120, 8192).is_none());
    assert!(detectors::rss_kib(std::process::id()).is_some());
}

/// A fake agent in Python: answers the manifest, then does `then` on the
/// first `socket` request.
fn fake_agent(then: &str) -> ProcessAgent {
    let script = format!(
        r#"
import json, os, signal, sys, time
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "socket":
        {then}
    out = {{"id": req["id"], "ok": True, "socket_types": ["PULL"], "mechanisms": ["NULL"], "socket": 0}}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
"#
    );
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script);
    ProcessAgent::spawn(cmd).expect("python3 runs")
}

fn one_session() -> Session {
    Session {
        agent_type: "PULL".into(),
        peer_type: "PUSH".into(),
        agent_binds: true,
        mechanism: Mech::Null,
        key_seed: 1,
        ops: vec![Op::AgentRecv],
        mutations: Vec::new(),
    }
}

/// Sessions against a fake agent, which may take `hang` to answer.
fn env(hang: Duration) -> Env {
    let mut e = Env::new(&transport::Tcp, std::env::temp_dir(), false);
    e.hang = hang;
    e
}

#[tokio::test]
async fn a_crashing_agent_is_a_crash() {
    let mut agent = fake_agent("os.kill(os.getpid(), signal.SIGSEGV)");
    // Room for Python to start on a loaded machine.
    let env = env(Duration::from_secs(10));
    let out = driver::run(&mut agent, &one_session(), &env, &WireLog::new()).await;
    let (failure, op) = out.agent_failure.expect("the agent failed");
    assert_eq!(op, "socket");
    let mut status = None;
    for _ in 0..20 {
        status = agent.exit_status();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let f = detectors::crash_or_hang(&failure, status, &op);
    assert_eq!(f.kind, Kind::Crash);
    assert_eq!(f.signature, "crash: agent killed by signal 11");
}

#[tokio::test]
async fn a_silent_agent_is_a_hang() {
    let mut agent = fake_agent("time.sleep(60)");
    let env = env(Duration::from_millis(1500));
    let out = driver::run(&mut agent, &one_session(), &env, &WireLog::new()).await;
    let (failure, op) = out.agent_failure.expect("the agent failed");
    let f = detectors::crash_or_hang(&failure, agent.exit_status(), &op);
    assert_eq!(f.kind, Kind::Hang, "{f}");
    assert_eq!(f.signature, "hang: agent stopped answering (socket)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_session_with_our_implementation_finds_nothing() {
    let mut agent = crate::agent::builtin::Builtin::new();
    let mut env = Env::new(&transport::Tcp, std::env::temp_dir(), true);
    env.handshake = Duration::from_secs(3);
    let s = Session {
        ops: vec![
            Op::PeerSend(b"a".to_vec()),
            Op::AgentRecv,
            Op::PeerSend(b"b".to_vec()),
        ],
        mutations: vec![Mutation {
            target: Target {
                class: Class::Traffic,
                n: 1,
            },
            action: Action::Inject(mutations::Injected::Ping {
                ttl: 0,
                context: b"hi".to_vec(),
            }),
        }],
        ..one_session()
    };
    let out = driver::run(&mut agent, &s, &env, &WireLog::new()).await;
    assert!(out.agent_failure.is_none());
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    assert!(out.applied.contains(&0), "the PING went out");
    assert!(
        out.coverage.iter().any(|c| c == "state:Active"),
        "{:?}",
        out.coverage
    );
}

#[test]
fn a_ping_inside_a_multipart_message_is_not_valid() {
    use zmtp_spec::connection::PacketKind;
    let ping = Mutation {
        target: Target {
            class: Class::Traffic,
            n: 0,
        },
        action: Action::Inject(mutations::Injected::Ping {
            ttl: 0,
            context: Vec::new(),
        }),
    };
    let more = PacketKind::Message {
        more: true,
        boxed: false,
    };
    let last = PacketKind::Message {
        more: false,
        boxed: false,
    };
    assert!(!ping.keeps_valid(true, &more));
    assert!(ping.keeps_valid(true, &last));
    assert!(!ping.keeps_valid(false, &last), "a clear PING under CURVE");
}

async fn honest(mechanism: Mech) -> driver::Outcome {
    let mut agent = crate::agent::builtin::Builtin::new();
    let mut env = Env::new(&transport::Tcp, std::env::temp_dir(), true);
    env.handshake = Duration::from_secs(3);
    let s = Session {
        mechanism,
        ops: vec![Op::PeerSend(b"a".to_vec()), Op::AgentRecv],
        ..one_session()
    };
    driver::run(&mut agent, &s, &env, &WireLog::new()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn honest_plain_and_curve_sessions_find_nothing() {
    for mech in [Mech::Plain, Mech::Curve] {
        let out = honest(mech).await;
        assert!(out.agent_failure.is_none(), "{mech:?}");
        assert!(out.skipped.is_none(), "{mech:?}: {:?}", out.skipped);
        assert!(out.findings.is_empty(), "{mech:?}: {:?}", out.findings);
        assert!(
            out.coverage.iter().any(|c| c == "state:Active"),
            "{mech:?}: {:?}",
            out.coverage
        );
    }
}

#[test]
fn the_shipped_reproducers_and_expected_lists_read() {
    let dir = crate::agent::registry::repo_root().join("conformance/findings");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.ends_with(".json") {
            let r = Reproducer::load(&path).expect("a reproducer");
            assert!(name.starts_with(&r.agent), "{name} names its agent");
            assert!(
                r.finding.signature.starts_with(&r.finding.kind.to_string()),
                "{name}"
            );
        } else if let Some(agent) = name
            .strip_prefix("expected-")
            .and_then(|n| n.strip_suffix(".txt"))
        {
            assert!(
                crate::agent::registry::find(agent).is_some(),
                "{name}: no agent {agent}"
            );
            assert_ne!(agent, "builtin", "our own findings are fixed, not expected");
            let text = std::fs::read_to_string(&path).expect("readable");
            for sig in parse_expected(&text) {
                assert!(
                    ["crash: ", "hang: ", "memory: ", "oracle: "]
                        .iter()
                        .any(|k| sig.starts_with(k)),
                    "{name}: {sig}"
                );
            }
        }
    }
}
