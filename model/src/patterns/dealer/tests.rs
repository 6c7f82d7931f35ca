use crate::testutil::*;
use crate::{Options, PeerId, PeerInfo, SendError, SocketType::*};

#[test]
fn round_robin_out_and_fair_queue_in_28_r26_r30() {
    let mut s = with_peers(Dealer, Options::default(), Router, 2);
    s.send(msg(&["a"])).unwrap();
    s.send(msg(&["b"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["a"])]);
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["b"])]);
    s.peer_message(PeerId(2), msg(&["x"])).unwrap();
    s.peer_message(PeerId(1), msg(&["y"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["y"])));
    assert_eq!(s.recv(), Ok(msg(&["x"])));
}

#[test]
fn messages_are_not_modified_28_r20_r31() {
    let mut s = with_peers(Dealer, Options::default(), Rep, 1);
    s.send(msg(&["", "q"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["", "q"])]);
    s.peer_message(PeerId(1), msg(&["", "r"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["", "r"])));
}

#[test]
fn blocks_when_every_queue_is_full_28_r25_r27_r29() {
    let options = Options {
        sndhwm: 2,
        ..Options::default()
    };
    let mut s = with_peers(Dealer, options, Dealer, 1);
    s.send(msg(&["1"])).unwrap();
    s.send(msg(&["2"])).unwrap();
    assert_eq!(s.send(msg(&["3"])), Err(SendError::WouldBlock));
    assert_eq!(s.queued_out(PeerId(1)), 2);
}

#[test]
fn pre_connect_queueing_28_r22() {
    let mut s = socket(Dealer);
    s.attach_pending(PeerId(7)).unwrap();
    assert!(s.can_send());
    s.send(msg(&["early"])).unwrap();
    s.attach(PeerId(7), PeerInfo::new(Router)).unwrap();
    assert_eq!(drain_msgs(&mut s, 7), vec![msg(&["early"])]);
}

#[test]
fn detach_discards_both_queues_28_r24() {
    let mut s = with_peers(Dealer, Options::default(), Router, 1);
    s.send(msg(&["out"])).unwrap();
    s.peer_message(PeerId(1), msg(&["in"])).unwrap();
    s.detach(PeerId(1));
    assert!(!s.can_recv());
    assert_eq!(s.queued_out(PeerId(1)), 0);
}

#[test]
fn probe_router_on_attach() {
    let options = Options {
        probe_router: true,
        ..Options::default()
    };
    let mut s = with_peers(Dealer, options, Router, 1);
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&[""])]);
}

#[test]
fn probe_is_queued_once_per_pipe_not_per_reconnect() {
    let options = Options {
        probe_router: true,
        ..Options::default()
    };
    let mut s = socket_with(Dealer, options);
    s.attach_pending(PeerId(1)).unwrap();
    s.attach(PeerId(1), PeerInfo::new(Router)).unwrap();
    s.suspend(PeerId(1));
    s.attach(PeerId(1), PeerInfo::new(Router)).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&[""])]);
}
