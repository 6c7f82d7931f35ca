use bytes::Bytes;
use zmtp_model::oracle::TraceEvent;
use zmtp_model::{Outgoing, PeerId, PeerInfo};
use zmtp_spec::{Message, SocketType};

use super::*;
use crate::case::ModelTrace;

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
