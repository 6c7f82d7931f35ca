use crate::testutil::*;
use crate::{Options, PeerId, RecvError, SendError, SocketType::*};

#[test]
fn multipart_send_is_refused_49_r15() {
    let mut s = with_peers(Scatter, Options::default(), Gather, 1);
    assert_eq!(s.send(msg(&["a", "b"])), Err(SendError::Multipart));
    assert!(drain(&mut s, 1).is_empty(), "nothing was queued");
}

#[test]
fn round_robin_over_peers_with_room_49_r11() {
    let options = Options {
        sndhwm: 1,
        ..Options::default()
    };
    let mut s = with_peers(Scatter, options, Gather, 2);
    s.send(msg(&["a"])).unwrap();
    s.send(msg(&["b"])).unwrap();
    assert_eq!(
        s.send_or_return(msg(&["c"])),
        Err((SendError::WouldBlock, Some(msg(&["c"])))),
        "both queues full: the message comes back (49-R14)"
    );
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["a"])]);
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["b"])]);
}

#[test]
fn never_receives_49_r03() {
    let mut s = with_peers(Scatter, Options::default(), Gather, 1);
    s.peer_message(PeerId(1), msg(&["x"])).unwrap();
    assert!(!s.can_recv());
    assert_eq!(s.recv(), Err(RecvError::NotSupported(Scatter)));
}

#[test]
fn talks_to_gather_only() {
    let mut s = socket(Scatter);
    assert!(s.attach(PeerId(1), crate::PeerInfo::new(Pull)).is_err());
    s.attach(PeerId(1), crate::PeerInfo::new(Gather)).unwrap();
}
