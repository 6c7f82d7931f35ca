use crate::testutil::*;
use crate::{Options, PeerId, RecvError, SendError, SocketType::*};

#[test]
fn envelope_is_stripped_and_restored_28_r13_r14_r16_r17() {
    let mut s = with_peers(Rep, Options::default(), Dealer, 2);
    s.peer_message(PeerId(2), msg(&["id", "", "q"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["q"])));
    s.send(msg(&["r"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["id", "", "r"])]);
    assert!(drain(&mut s, 1).is_empty());
}

#[test]
fn strict_alternation_28_r10() {
    let mut s = with_peers(Rep, Options::default(), Req, 1);
    assert_eq!(s.send(msg(&["r"])), Err(SendError::InvalidState));
    s.peer_message(PeerId(1), msg(&["", "q1"])).unwrap();
    s.peer_message(PeerId(1), msg(&["", "q2"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["q1"])));
    assert_eq!(s.recv(), Err(RecvError::InvalidState));
    assert!(!s.can_recv());
    assert!(s.can_send());
    s.send(msg(&["r1"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["q2"])));
}

#[test]
fn requests_are_fair_queued_28_r12() {
    let mut s = with_peers(Rep, Options::default(), Req, 2);
    s.peer_message(PeerId(1), msg(&["", "a1"])).unwrap();
    s.peer_message(PeerId(1), msg(&["", "a2"])).unwrap();
    s.peer_message(PeerId(2), msg(&["", "b1"])).unwrap();
    let mut order = Vec::new();
    while let Ok(m) = s.recv() {
        order.push(m);
        s.send(msg(&["r"])).unwrap();
    }
    assert_eq!(order, vec![msg(&["a1"]), msg(&["b1"]), msg(&["a2"])]);
}

#[test]
fn malformed_requests_are_discarded_28_r11() {
    let mut s = with_peers(Rep, Options::default(), Req, 1);
    s.peer_message(PeerId(1), msg(&["no-delimiter"])).unwrap();
    s.peer_message(PeerId(1), msg(&["id", ""])).unwrap();
    assert!(!s.can_recv());
}

#[test]
fn reply_to_a_gone_peer_is_dropped_28_r18_r19() {
    let mut s = with_peers(Rep, Options::default(), Req, 1);
    s.peer_message(PeerId(1), msg(&["", "q"])).unwrap();
    s.recv().unwrap();
    s.detach(PeerId(1));
    s.attach(PeerId(1), crate::PeerInfo::new(Req)).unwrap();
    assert_eq!(s.send(msg(&["r"])), Ok(()));
    assert!(
        drain(&mut s, 1).is_empty(),
        "the new peer with the same id gets nothing"
    );
}

#[test]
fn reply_to_a_full_peer_is_dropped_without_blocking_28_r19() {
    let options = Options {
        sndhwm: 1,
        ..Options::default()
    };
    let mut s = with_peers(Rep, options, Req, 1);
    for q in ["q1", "q2"] {
        s.peer_message(PeerId(1), msg(&["", q])).unwrap();
        s.recv().unwrap();
        assert_eq!(s.send(msg(&["r"])), Ok(()));
    }
    assert_eq!(drain_msgs(&mut s, 1).len(), 1);
}
