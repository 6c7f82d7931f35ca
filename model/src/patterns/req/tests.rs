use crate::testutil::*;
use crate::{Options, PeerId, PeerInfo, RecvError, SendError, SocketType::*};

#[test]
fn request_gets_delimiter_and_alternates_28_r01_r03() {
    let mut s = with_peers(Req, Options::default(), Rep, 1);
    assert_eq!(s.recv(), Err(RecvError::InvalidState));
    s.send(msg(&["hello"])).unwrap();
    assert_eq!(s.send(msg(&["again"])), Err(SendError::InvalidState));
    assert!(!s.can_send());
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["", "hello"])]);
    assert_eq!(s.recv(), Err(RecvError::WouldBlock));
    s.peer_message(PeerId(1), msg(&["", "world"])).unwrap();
    assert!(s.can_recv());
    assert_eq!(s.recv(), Ok(msg(&["world"])));
    assert!(s.can_send());
}

#[test]
fn requests_round_robin_28_r04() {
    let mut s = with_peers(Req, Options::default(), Rep, 2);
    s.send(msg(&["1"])).unwrap();
    assert_eq!(s.awaiting_peer(), Some(PeerId(1)));
    s.peer_message(PeerId(1), msg(&["", "r"])).unwrap();
    s.recv().unwrap();
    s.send(msg(&["2"])).unwrap();
    assert_eq!(s.awaiting_peer(), Some(PeerId(2)));
}

#[test]
fn no_peer_blocks_28_r05() {
    let mut s = socket(Req);
    assert_eq!(s.send(msg(&["x"])), Err(SendError::WouldBlock));
    assert!(!s.is_awaiting());
}

#[test]
fn replies_from_other_peers_are_discarded_28_r07_r08() {
    let mut s = with_peers(Req, Options::default(), Rep, 2);
    s.send(msg(&["q"])).unwrap();
    s.peer_message(PeerId(2), msg(&["", "intruder"])).unwrap();
    assert!(!s.can_recv());
    s.peer_message(PeerId(1), msg(&["no-delimiter"])).unwrap();
    s.peer_message(PeerId(1), msg(&[""])).unwrap();
    assert!(!s.can_recv());
    s.peer_message(PeerId(1), msg(&["", "ok"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["ok"])));
}

#[test]
fn unsolicited_reply_is_discarded() {
    let mut s = with_peers(Req, Options::default(), Rep, 1);
    s.peer_message(PeerId(1), msg(&["", "early"])).unwrap();
    assert_eq!(s.queued_in(PeerId(1)), 0);
}

#[test]
fn relaxed_allows_a_new_request_and_drops_the_old_reply() {
    let options = Options {
        req_relaxed: true,
        ..Options::default()
    };
    let mut s = with_peers(Req, options, Rep, 2);
    s.send(msg(&["1"])).unwrap();
    s.peer_message(PeerId(1), msg(&["", "late"])).unwrap();
    s.send(msg(&["2"])).unwrap();
    assert_eq!(s.awaiting_peer(), Some(PeerId(2)));
    assert!(!s.can_recv());
    s.peer_message(PeerId(2), msg(&["", "r2"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["r2"])));
}

#[test]
fn correlate_adds_and_checks_the_request_id() {
    let options = Options {
        req_correlate: true,
        req_relaxed: true,
        ..Options::default()
    };
    let mut s = with_peers(Req, options, Router, 1);
    s.send(msg(&["1"])).unwrap();
    let first = drain_msgs(&mut s, 1).remove(0);
    s.send(msg(&["2"])).unwrap();
    let second = drain_msgs(&mut s, 1).remove(0);
    assert_eq!(first.frames()[0].len(), 4);
    assert_ne!(first.frames()[0], second.frames()[0]);
    assert_eq!(&second.frames()[1..], msg(&["", "2"]).frames());
    // A reply carrying the first id is stale.
    let mut stale = msg(&["", "r1"]);
    stale.push_front(first.frames()[0].clone());
    s.peer_message(PeerId(1), stale).unwrap();
    assert!(!s.can_recv());
    let mut good = msg(&["", "r2"]);
    good.push_front(second.frames()[0].clone());
    s.peer_message(PeerId(1), good).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["r2"])));
}

#[test]
fn detached_reply_peer_leaves_the_request_unanswered() {
    let mut s = with_peers(Req, Options::default(), Rep, 2);
    s.send(msg(&["q"])).unwrap();
    s.detach(PeerId(1));
    s.peer_message(PeerId(2), msg(&["", "other"])).unwrap();
    assert_eq!(s.recv(), Err(RecvError::WouldBlock));
    assert_eq!(s.send(msg(&["q2"])), Err(SendError::InvalidState));
}

#[test]
fn probe_router_sends_an_empty_message_on_attach() {
    let options = Options {
        probe_router: true,
        ..Options::default()
    };
    let mut s = socket_with(Req, options);
    s.attach(PeerId(1), PeerInfo::new(Router)).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&[""])]);
}

#[test]
fn mutation_knob_allows_two_outstanding() {
    let options = Options {
        fault: crate::Fault::ReqTwoOutstanding,
        ..Options::default()
    };
    let mut s = with_peers(Req, options, Rep, 2);
    s.send(msg(&["1"])).unwrap();
    assert!(s.send(msg(&["2"])).is_ok());
}

#[test]
fn second_reply_to_one_request_is_discarded() {
    let mut s = with_peers(Req, Options::default(), Router, 1);
    s.send(msg(&["q"])).unwrap();
    s.peer_message(PeerId(1), msg(&["", "r1"])).unwrap();
    s.peer_message(PeerId(1), msg(&["", "r2"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["r1"])));
    assert_eq!(s.queued_in(PeerId(1)), 0);
    assert_eq!(s.recv(), Err(RecvError::InvalidState));
}
