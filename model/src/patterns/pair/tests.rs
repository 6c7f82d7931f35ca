use crate::testutil::*;
use crate::{AttachError, Options, PeerId, PeerInfo, SendError, SocketType::*};

#[test]
fn second_peer_is_refused_31_r10() {
    let mut s = with_peers(Pair, Options::default(), Pair, 1);
    assert_eq!(
        s.attach(PeerId(2), PeerInfo::new(Pair)),
        Err(AttachError::PairBusy)
    );
    assert_eq!(s.attach_pending(PeerId(2)), Err(AttachError::PairBusy));
    s.detach(PeerId(1));
    s.attach(PeerId(2), PeerInfo::new(Pair)).unwrap();
}

#[test]
fn both_directions_unchanged_31_r01_r11() {
    let mut s = with_peers(Pair, Options::default(), Pair, 1);
    s.send(msg(&["a", "b"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["a", "b"])]);
    s.peer_message(PeerId(1), msg(&["c"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["c"])));
}

#[test]
fn blocks_without_peer_or_room_31_r06_r07_r09() {
    let mut s = socket_with(
        Pair,
        Options {
            sndhwm: 1,
            ..Options::default()
        },
    );
    assert_eq!(s.send(msg(&["a"])), Err(SendError::WouldBlock));
    s.attach(PeerId(1), PeerInfo::new(Pair)).unwrap();
    s.send(msg(&["a"])).unwrap();
    assert_eq!(s.send(msg(&["b"])), Err(SendError::WouldBlock));
}
