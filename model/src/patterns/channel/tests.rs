use crate::testutil::*;
use crate::{AttachError, Options, PeerId, PeerInfo, SendError, SocketType::*};

#[test]
fn one_peer_at_a_time_52_r14() {
    let mut s = with_peers(Channel, Options::default(), Channel, 1);
    assert_eq!(
        s.attach(PeerId(2), PeerInfo::new(Channel)),
        Err(AttachError::PairBusy)
    );
    s.detach(PeerId(1));
    s.attach(PeerId(2), PeerInfo::new(Channel)).unwrap();
}

#[test]
fn single_part_both_ways_52_r13_r16() {
    let mut s = with_peers(Channel, Options::default(), Channel, 1);
    assert_eq!(s.send(msg(&["a", "b"])), Err(SendError::Multipart));
    s.send(msg(&["one"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["one"])]);
    s.peer_message(PeerId(1), msg(&["part", "two"])).unwrap();
    assert!(!s.can_recv());
    s.peer_message(PeerId(1), msg(&["single"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["single"])));
}

#[test]
fn would_block_when_full_keeps_the_message_52_r12() {
    let options = Options {
        sndhwm: 1,
        ..Options::default()
    };
    let mut s = socket_with(Channel, options.clone());
    assert_eq!(s.send(msg(&["a"])), Err(SendError::WouldBlock));
    let mut s = with_peers(Channel, options, Channel, 1);
    s.send(msg(&["1"])).unwrap();
    assert_eq!(
        s.send_or_return(msg(&["2"])),
        Err((SendError::WouldBlock, Some(msg(&["2"]))))
    );
}

#[test]
fn queue_exists_before_the_connection_52_r05() {
    let mut s = socket(Channel);
    s.connect(PeerId(1)).unwrap();
    s.send(msg(&["early"])).unwrap();
    s.attach(PeerId(1), PeerInfo::new(Channel)).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["early"])]);
}
