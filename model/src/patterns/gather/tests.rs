use crate::testutil::*;
use crate::{Options, PeerId, SendError, SocketType::*};

#[test]
fn multipart_from_the_wire_is_discarded_49_r25() {
    let mut s = with_peers(Gather, Options::default(), Scatter, 1);
    s.peer_message(PeerId(1), msg(&["part", "two"])).unwrap();
    assert!(!s.can_recv());
    s.peer_message(PeerId(1), msg(&["single"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["single"])));
}

#[test]
fn fair_queued_49_r23() {
    let mut s = with_peers(Gather, Options::default(), Scatter, 2);
    s.peer_message(PeerId(1), msg(&["a1"])).unwrap();
    s.peer_message(PeerId(1), msg(&["a2"])).unwrap();
    s.peer_message(PeerId(2), msg(&["b1"])).unwrap();
    let got: Vec<_> = (0..3).map(|_| s.recv().unwrap()).collect();
    assert_eq!(got[2], msg(&["a2"]), "peer 1's second message comes last");
}

#[test]
fn never_sends_49_r16() {
    let mut s = with_peers(Gather, Options::default(), Scatter, 1);
    assert_eq!(s.send(msg(&["x"])), Err(SendError::NotSupported(Gather)));
}
