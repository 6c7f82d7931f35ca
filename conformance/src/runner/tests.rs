use bytes::Bytes;
use zmtp_model::oracle::TraceEvent;
use zmtp_model::{Outgoing, PeerId, PeerInfo};
use zmtp_spec::{Message, SocketType};

use super::*;
use crate::case::{Judgement, ModelTrace};

fn pass() -> Verdict {
    Verdict {
        kind: Kind::Pass,
        detail: "ok".into(),
        tolerance: None,
    }
}

fn rep_trace(deliver: &'static [u8]) -> ModelTrace {
    let peer = PeerId(1);
    ModelTrace {
        socket_type: SocketType::Rep,
        events: vec![
            TraceEvent::Attach(peer, PeerInfo::new(SocketType::Req)),
            TraceEvent::FromPeer(
                peer,
                Outgoing::Message(Message::from_frames([
                    Bytes::new(),
                    Bytes::from_static(b"hi"),
                ])),
            ),
            TraceEvent::Recv(Message::from_frames([Bytes::from_static(deliver)])),
        ],
    }
}

#[test]
fn an_explained_trace_keeps_the_verdict() {
    let v = consult_oracle(pass(), Some(&rep_trace(b"hi")));
    assert_eq!(v.kind, Kind::Pass);
    assert!(v.detail.contains("3 events explained"), "{}", v.detail);
}

#[test]
fn an_unexplained_trace_fails_a_passing_case() {
    // REP delivering something no peer sent: no model run explains it.
    let v = consult_oracle(pass(), Some(&rep_trace(b"forged")));
    assert_eq!(v.kind, Kind::Fail);
    assert!(v.detail.contains("oracle rejects"), "{}", v.detail);
}

#[test]
fn no_trace_no_change() {
    assert_eq!(consult_oracle(pass(), None), pass());
}

/// Two PULL peers and one send: the oracle keeps both choices of peer.
fn push_trace() -> ModelTrace {
    ModelTrace {
        socket_type: SocketType::Push,
        events: vec![
            TraceEvent::Attach(PeerId(1), PeerInfo::new(SocketType::Pull)),
            TraceEvent::Attach(PeerId(2), PeerInfo::new(SocketType::Pull)),
            TraceEvent::Send(Message::from_frames([Bytes::from_static(b"m")])),
        ],
    }
}

#[test]
fn an_oracle_that_gives_up_judges_nothing() {
    let trace = push_trace();
    assert!(matches!(trace.judge_within(1), Judgement::GaveUp(_)));
    assert_eq!(trace.judge(), Judgement::Explained(3));
}

#[test]
fn a_rejected_trace_is_not_a_gave_up() {
    assert!(matches!(
        rep_trace(b"forged").judge(),
        Judgement::Rejected(_)
    ));
}
