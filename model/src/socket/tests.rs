use super::*;
use crate::SocketType::*;
use crate::testutil::*;

#[test]
fn draft_types_are_refused() {
    assert_eq!(
        Socket::new(Client, Options::default()),
        Err(UnsupportedSocketType(Client))
    );
    for t in SocketType::CLASSIC {
        assert_eq!(Socket::new(t, Options::default()).unwrap().socket_type(), t);
    }
}

#[test]
fn attach_twice_is_refused_and_unknown_peers_are_ignored() {
    let mut s = socket(Dealer);
    s.attach(PeerId(1), PeerInfo::new(Router)).unwrap();
    assert_eq!(
        s.attach(PeerId(1), PeerInfo::new(Router)),
        Err(AttachError::AlreadyAttached(PeerId(1)))
    );
    assert_eq!(
        s.attach_pending(PeerId(1)),
        Err(AttachError::AlreadyAttached(PeerId(1)))
    );
    assert!(s.peer_message(PeerId(9), msg(&["x"])).is_ok());
    s.detach(PeerId(9));
    s.suspend(PeerId(9));
    assert_eq!(s.peers(), vec![PeerId(1)]);
}

#[test]
fn peers_with_output_lists_non_empty_queues() {
    let mut s = with_peers(Dealer, Options::default(), Router, 2);
    s.send(msg(&["a"])).unwrap();
    assert_eq!(s.peers_with_output(), vec![PeerId(1)]);
    assert_eq!(s.outgoing(PeerId(1)).count(), 1);
    assert_eq!(s.queued_items_out(PeerId(1)), 1);
    let _ = s.poll_transmit(PeerId(1));
    assert!(s.peers_with_output().is_empty());
}
