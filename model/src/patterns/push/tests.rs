use crate::testutil::*;
use crate::{Options, PeerId, RecvError, SendError, SocketType::*};

#[test]
fn round_robin_over_peers_30_r08() {
    let mut s = with_peers(Push, Options::default(), Pull, 3);
    for m in ["a", "b", "c", "d"] {
        s.send(msg(&[m])).unwrap();
    }
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["a"]), msg(&["d"])]);
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["b"])]);
    assert_eq!(drain_msgs(&mut s, 3), vec![msg(&["c"])]);
}

#[test]
fn full_peers_are_skipped_and_all_full_blocks_30_r07_r09_r11() {
    let options = Options {
        sndhwm: 1,
        ..Options::default()
    };
    let mut s = with_peers(Push, options, Pull, 2);
    s.send(msg(&["a"])).unwrap();
    s.send(msg(&["b"])).unwrap();
    assert!(!s.can_send());
    assert_eq!(s.send(msg(&["c"])), Err(SendError::WouldBlock));
    assert_eq!(s.queued_out(PeerId(1)) + s.queued_out(PeerId(2)), 2);
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["b"])]);
    assert!(s.can_send());
    s.send(msg(&["c"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["c"])]);
}

#[test]
fn no_peer_blocks_30_r09() {
    let mut s = socket(Push);
    assert_eq!(s.send(msg(&["a"])), Err(SendError::WouldBlock));
}

#[test]
fn pending_peer_queues_before_its_connection_30_r04() {
    let mut s = socket(Push);
    s.attach_pending(PeerId(1)).unwrap();
    s.send(msg(&["early"])).unwrap();
    s.attach(PeerId(1), crate::PeerInfo::new(Pull)).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["early"])]);
}

#[test]
fn detach_discards_the_queue_30_r06() {
    let mut s = with_peers(Push, Options::default(), Pull, 1);
    s.send(msg(&["a"])).unwrap();
    s.detach(PeerId(1));
    assert!(drain(&mut s, 1).is_empty());
    assert_eq!(s.send(msg(&["b"])), Err(SendError::WouldBlock));
}

#[test]
fn suspended_peer_keeps_its_queue() {
    let mut s = with_peers(Push, Options::default(), Pull, 1);
    s.send(msg(&["a"])).unwrap();
    s.suspend(PeerId(1));
    assert!(!s.is_connected(PeerId(1)));
    s.send(msg(&["b"])).unwrap();
    s.attach(PeerId(1), crate::PeerInfo::new(Pull)).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["a"]), msg(&["b"])]);
}

#[test]
fn immediate_suspend_is_detach() {
    let options = Options {
        immediate: true,
        ..Options::default()
    };
    let mut s = with_peers(Push, options, Pull, 1);
    s.send(msg(&["a"])).unwrap();
    s.suspend(PeerId(1));
    assert!(!s.is_attached(PeerId(1)));
}

#[test]
fn push_never_receives_30_r01() {
    let mut s = with_peers(Push, Options::default(), Pull, 1);
    s.peer_message(PeerId(1), msg(&["x"])).unwrap();
    assert!(!s.can_recv());
    assert_eq!(s.recv(), Err(RecvError::NotSupported(Push)));
}

#[test]
fn conflate_keeps_only_the_newest() {
    let options = Options {
        conflate: true,
        sndhwm: 1,
        ..Options::default()
    };
    let mut s = with_peers(Push, options, Pull, 1);
    s.send(msg(&["a"])).unwrap();
    s.send(msg(&["b"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["b"])]);
}

#[test]
fn incompatible_peer_is_refused() {
    let mut s = socket(Push);
    assert!(s.attach(PeerId(1), crate::PeerInfo::new(Sub)).is_err());
    assert!(s.attach(PeerId(1), crate::PeerInfo::default()).is_ok());
}

#[test]
fn send_via_a_chosen_peer() {
    let mut s = with_peers(Push, Options::default(), Pull, 2);
    assert_eq!(s.send_choices(), vec![PeerId(1), PeerId(2)]);
    s.send_via(PeerId(2), msg(&["x"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["x"])]);
    assert_eq!(
        s.send_via(PeerId(9), msg(&["x"])),
        Err(SendError::WouldBlock)
    );
}

#[test]
fn empty_message_is_refused() {
    let mut s = with_peers(Push, Options::default(), Pull, 1);
    assert_eq!(s.send(crate::Message::new()), Err(SendError::EmptyMessage));
}
