use bytes::Bytes;

use crate::testutil::*;
use crate::{OptionError, Options, Outgoing, PeerId, PeerInfo, SendError, SocketType::*};

#[test]
fn join_and_leave_go_to_every_peer_37_r53_r54() {
    let mut s = with_peers(Dish, Options::default(), Radio, 2);
    s.join(b("g")).unwrap();
    s.leave(b("g")).unwrap();
    for peer in [1, 2] {
        assert_eq!(
            drain(&mut s, peer),
            vec![Outgoing::Join(b("g")), Outgoing::Leave(b("g"))]
        );
    }
}

#[test]
fn a_peer_attaching_later_is_told_the_groups_first_37_r53() {
    let mut s = socket(Dish);
    s.join(b("a")).unwrap();
    s.join(b("b")).unwrap();
    s.attach_pending(PeerId(1)).unwrap();
    s.attach(PeerId(1), PeerInfo::new(Radio)).unwrap();
    assert_eq!(
        drain(&mut s, 1),
        vec![Outgoing::Join(b("a")), Outgoing::Join(b("b"))]
    );
    // A reconnect is told again, once.
    s.suspend(PeerId(1));
    s.attach(PeerId(1), PeerInfo::new(Radio)).unwrap();
    assert_eq!(
        drain(&mut s, 1),
        vec![Outgoing::Join(b("a")), Outgoing::Join(b("b"))]
    );
}

#[test]
fn join_and_leave_while_a_connect_is_pending_are_sent_in_order() {
    let mut s = socket(Dish);
    s.join(b("a")).unwrap();
    s.attach_pending(PeerId(1)).unwrap();
    s.join(b("g")).unwrap();
    s.leave(b("g")).unwrap();
    s.attach(PeerId(1), PeerInfo::new(Radio)).unwrap();
    assert_eq!(
        drain(&mut s, 1),
        vec![
            Outgoing::Join(b("a")),
            Outgoing::Join(b("g")),
            Outgoing::Leave(b("g"))
        ]
    );
}

#[test]
fn join_twice_leave_unknown_and_bad_groups_are_refused() {
    let mut s = socket(Dish);
    s.join(b("g")).unwrap();
    assert_eq!(s.join(b("g")), Err(OptionError::InvalidValue("ZMQ_JOIN")));
    assert_eq!(s.leave(b("h")), Err(OptionError::InvalidValue("ZMQ_LEAVE")));
    let long = Bytes::from(vec![b'x'; 256]);
    assert_eq!(s.join(long), Err(OptionError::InvalidValue("ZMQ_JOIN")));
    assert_eq!(
        s.join(Bytes::from_static(b"a\0")),
        Err(OptionError::InvalidValue("ZMQ_JOIN"))
    );
    s.join(Bytes::new()).unwrap();
    assert_eq!(s.groups().map(|g| g.len()), Some(2));
    let mut r = socket(Radio);
    assert!(matches!(
        r.join(b("g")),
        Err(OptionError::NotApplicable { .. })
    ));
}

#[test]
fn receives_joined_groups_only_as_group_and_body() {
    let mut s = with_peers(Dish, Options::default(), Radio, 1);
    s.join(b("g")).unwrap();
    s.peer_message(PeerId(1), msg(&["h", "other"])).unwrap();
    s.peer_message(PeerId(1), msg(&["g"])).unwrap();
    s.peer_message(PeerId(1), msg(&["g", "a", "b"])).unwrap();
    s.peer_message(PeerId(1), msg(&["g", "mine"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["g", "mine"])));
    assert!(!s.can_recv());
}

#[test]
fn leave_discards_queued_messages_of_the_group() {
    let mut s = with_peers(Dish, Options::default(), Radio, 1);
    s.join(b("g")).unwrap();
    s.join(b("h")).unwrap();
    s.peer_message(PeerId(1), msg(&["g", "1"])).unwrap();
    s.peer_message(PeerId(1), msg(&["h", "2"])).unwrap();
    s.leave(b("g")).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["h", "2"])));
    assert!(!s.can_recv());
}

#[test]
fn a_full_queue_drops_and_dish_never_sends() {
    let mut s = with_peers(
        Dish,
        Options {
            rcvhwm: 1,
            ..Options::default()
        },
        Radio,
        1,
    );
    s.join(b("g")).unwrap();
    s.peer_message(PeerId(1), msg(&["g", "1"])).unwrap();
    assert!(s.peer_message(PeerId(1), msg(&["g", "2"])).is_ok());
    assert_eq!(s.recv(), Ok(msg(&["g", "1"])));
    assert!(!s.can_recv());
    assert!(!s.can_send());
    assert_eq!(s.send(msg(&["g", "x"])), Err(SendError::NotSupported(Dish)));
}

#[test]
fn a_datagram_radio_is_told_no_join_and_dish_filters_48_r35() {
    let mut s = socket(Dish);
    s.join(b("a")).unwrap();
    s.attach(
        PeerId(1),
        PeerInfo::new(Radio).with_carrier(crate::Carrier::Datagram),
    )
    .unwrap();
    s.attach(PeerId(2), PeerInfo::new(Radio)).unwrap();
    s.join(b("b")).unwrap();
    s.leave(b("a")).unwrap();
    assert!(drain(&mut s, 1).is_empty(), "no JOIN or LEAVE over udp");
    assert_eq!(
        drain(&mut s, 2),
        vec![
            Outgoing::Join(b("a")),
            Outgoing::Join(b("b")),
            Outgoing::Leave(b("a"))
        ]
    );
    s.peer_message(PeerId(1), msg(&["a", "left"])).unwrap();
    s.peer_message(PeerId(1), msg(&["c", "never joined"]))
        .unwrap();
    s.peer_message(PeerId(1), msg(&["b", "joined"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["b", "joined"])));
    assert!(s.recv().is_err());
}
