use bytes::Bytes;

use crate::testutil::*;
use crate::{Options, PeerId, RecvError, SendError, SocketType::*};

fn radio() -> crate::Socket {
    with_peers(Radio, Options::default(), Dish, 2)
}

#[test]
fn sends_only_to_peers_that_joined_the_group_37_r52() {
    let mut s = radio();
    s.peer_join(PeerId(1), b("g"));
    s.peer_join(PeerId(2), b("h"));
    s.send(msg(&["g", "for g"])).unwrap();
    s.send(msg(&["h", "for h"])).unwrap();
    s.send(msg(&["nobody", "x"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["g", "for g"])]);
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["h", "for h"])]);
}

#[test]
fn groups_match_exactly_not_by_prefix() {
    let mut s = radio();
    s.peer_join(PeerId(1), b("g"));
    s.send(msg(&["gg", "x"])).unwrap();
    s.send(msg(&["", "x"])).unwrap();
    assert!(drain(&mut s, 1).is_empty());
}

#[test]
fn leave_stops_delivery_and_joins_are_counted_37_r54() {
    let mut s = radio();
    s.peer_join(PeerId(1), b("g"));
    s.peer_join(PeerId(1), b("g"));
    s.peer_leave(PeerId(1), b("g"));
    s.send(msg(&["g", "1"])).unwrap();
    s.peer_leave(PeerId(1), b("g"));
    s.peer_leave(PeerId(1), b("never joined"));
    s.send(msg(&["g", "2"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["g", "1"])]);
    assert_eq!(s.peer_groups(PeerId(1)).map(|g| g.len()), Some(0));
}

#[test]
fn a_reconnecting_peer_must_join_again() {
    let mut s = socket(Radio);
    s.attach_pending(PeerId(1)).unwrap();
    s.attach(PeerId(1), crate::PeerInfo::new(Dish)).unwrap();
    s.peer_join(PeerId(1), b("g"));
    s.suspend(PeerId(1));
    s.attach(PeerId(1), crate::PeerInfo::new(Dish)).unwrap();
    s.send(msg(&["g", "x"])).unwrap();
    assert!(drain(&mut s, 1).is_empty());
}

#[test]
fn malformed_sends_are_refused_37_r56() {
    let mut s = radio();
    s.peer_join(PeerId(1), b("g"));
    assert_eq!(s.send(msg(&["g", "a", "b"])), Err(SendError::Multipart));
    assert_eq!(s.send(msg(&["g"])), Err(SendError::InvalidGroup));
    let long = Bytes::from(vec![b'x'; 256]);
    let m = crate::Message::from_frames([long, b("x")]);
    assert_eq!(s.send(m), Err(SendError::InvalidGroup));
    let nul = crate::Message::from_frames([Bytes::from_static(b"g\0"), b("x")]);
    assert_eq!(s.send(nul), Err(SendError::InvalidGroup));
    assert!(drain(&mut s, 1).is_empty());
    let max = Bytes::from(vec![b'x'; 255]);
    s.peer_join(PeerId(1), max.clone());
    s.send(crate::Message::from_frames([max, b("ok")])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1).len(), 1);
}

#[test]
fn never_blocks_a_full_peer_misses_the_message() {
    let mut s = with_peers(
        Radio,
        Options {
            sndhwm: 1,
            ..Options::default()
        },
        Dish,
        1,
    );
    s.peer_join(PeerId(1), b("g"));
    s.send(msg(&["g", "1"])).unwrap();
    assert_eq!(s.send(msg(&["g", "2"])), Ok(()));
    assert!(s.can_send());
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["g", "1"])]);
}

#[test]
fn discards_what_dishes_send_and_never_receives() {
    let mut s = radio();
    s.peer_message(PeerId(1), msg(&["g", "x"])).unwrap();
    assert!(!s.can_recv());
    assert_eq!(s.recv(), Err(RecvError::NotSupported(Radio)));
}

#[test]
fn a_datagram_peer_takes_every_group_48_r35() {
    let mut s = socket(Radio);
    s.attach(
        PeerId(1),
        crate::PeerInfo::new(Dish).with_carrier(crate::Carrier::Datagram),
    )
    .unwrap();
    s.attach(PeerId(2), crate::PeerInfo::new(Dish)).unwrap();
    s.send(msg(&["g", "1"])).unwrap();
    s.send(msg(&["", "2"])).unwrap();
    assert_eq!(
        drain_msgs(&mut s, 1),
        vec![msg(&["g", "1"]), msg(&["", "2"])]
    );
    assert!(drain(&mut s, 2).is_empty(), "a ZMTP dish joined nothing");
}
