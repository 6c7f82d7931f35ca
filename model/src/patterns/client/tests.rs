use crate::testutil::*;
use crate::{Options, PeerId, SendError, SocketType::*};

#[test]
fn multipart_send_is_refused_37_r56() {
    let mut s = with_peers(Client, Options::default(), Server, 1);
    assert_eq!(s.send(msg(&["a", "b"])), Err(SendError::Multipart));
    assert!(drain(&mut s, 1).is_empty(), "nothing was queued");
    s.send(msg(&["one"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["one"])]);
}

#[test]
fn multipart_from_the_wire_is_discarded_37_r57() {
    let mut s = with_peers(Client, Options::default(), Server, 1);
    s.peer_message(PeerId(1), msg(&["part", "two"])).unwrap();
    assert!(!s.can_recv());
    s.peer_message(PeerId(1), msg(&["single"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["single"])));
}

#[test]
fn round_robin_out_and_fair_queue_in() {
    let mut s = with_peers(Client, Options::default(), Server, 2);
    s.send(msg(&["a"])).unwrap();
    s.send(msg(&["b"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["a"])]);
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["b"])]);
    s.peer_message(PeerId(2), msg(&["x"])).unwrap();
    s.peer_message(PeerId(2), msg(&["z"])).unwrap();
    s.peer_message(PeerId(1), msg(&["y"])).unwrap();
    let got: Vec<_> = (0..3).map(|_| s.recv().unwrap()).collect();
    assert_eq!(got[2], msg(&["z"]), "peer 2's second message comes last");
    assert!(got[..2].contains(&msg(&["x"])) && got[..2].contains(&msg(&["y"])));
}

#[test]
fn would_block_without_a_peer_or_room_keeps_the_message() {
    let mut s = socket(Client);
    assert!(!s.can_send());
    assert_eq!(s.send(msg(&["a"])), Err(SendError::WouldBlock));
    let options = Options {
        sndhwm: 1,
        ..Options::default()
    };
    let mut s = with_peers(Client, options, Server, 1);
    s.send(msg(&["1"])).unwrap();
    assert_eq!(
        s.send_or_return(msg(&["2"])),
        Err((SendError::WouldBlock, Some(msg(&["2"]))))
    );
}

#[test]
fn only_server_peers_are_admitted() {
    let mut s = socket(Client);
    assert!(
        s.attach(PeerId(1), crate::PeerInfo::new(Dealer)).is_err(),
        "CLIENT talks to SERVER only"
    );
    s.attach(PeerId(1), crate::PeerInfo::new(Server)).unwrap();
}
