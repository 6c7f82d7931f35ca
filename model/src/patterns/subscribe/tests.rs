use crate::testutil::*;
use crate::{Options, Outgoing, PeerId, PeerInfo, SendError, SocketOption, SocketType::*};

#[test]
fn subscribe_goes_to_every_publisher_37_r46_r47() {
    let mut s = with_peers(Sub, Options::default(), Pub, 2);
    s.set_option(SocketOption::Subscribe(b("A"))).unwrap();
    s.set_option(SocketOption::Subscribe(b("A"))).unwrap();
    assert_eq!(drain(&mut s, 1), vec![Outgoing::Subscribe(b("A"))]);
    s.set_option(SocketOption::Unsubscribe(b("A"))).unwrap();
    assert!(drain(&mut s, 1).is_empty(), "one count left");
    s.set_option(SocketOption::Unsubscribe(b("A"))).unwrap();
    assert_eq!(drain(&mut s, 1), vec![Outgoing::Cancel(b("A"))]);
    assert_eq!(
        drain(&mut s, 2),
        vec![Outgoing::Subscribe(b("A")), Outgoing::Cancel(b("A"))]
    );
}

#[test]
fn subscriptions_are_sent_to_a_new_peer_first() {
    let mut s = socket(XSub);
    s.send(msg(&["\x01A"])).unwrap();
    s.attach_pending(PeerId(1)).unwrap();
    s.send(msg(&["data"])).unwrap();
    s.attach(PeerId(1), PeerInfo::new(Pub)).unwrap();
    assert_eq!(
        drain(&mut s, 1),
        vec![
            Outgoing::Subscribe(b("A")),
            Outgoing::Message(msg(&["data"]))
        ]
    );
}

#[test]
fn subscriptions_are_resent_after_reconnect() {
    let mut s = with_peers(Sub, Options::default(), Pub, 1);
    s.set_option(SocketOption::Subscribe(b("A"))).unwrap();
    s.suspend(PeerId(1));
    s.attach(PeerId(1), PeerInfo::new(Pub)).unwrap();
    assert_eq!(drain(&mut s, 1), vec![Outgoing::Subscribe(b("A"))]);
}

#[test]
fn sub_filters_and_never_sends_29_r26() {
    let mut s = with_peers(Sub, Options::default(), Pub, 1);
    s.peer_message(PeerId(1), msg(&["A1"])).unwrap();
    assert!(!s.can_recv());
    s.set_option(SocketOption::Subscribe(b("A"))).unwrap();
    s.peer_message(PeerId(1), msg(&["A2"])).unwrap();
    s.peer_message(PeerId(1), msg(&["B"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["A2"])));
    assert!(s.recv().is_err());
    assert_eq!(s.send(msg(&["x"])), Err(SendError::NotSupported(Sub)));
}

#[test]
fn nothing_delivered_after_cancel() {
    let mut s = with_peers(Sub, Options::default(), Pub, 1);
    s.set_option(SocketOption::Subscribe(b("A"))).unwrap();
    s.peer_message(PeerId(1), msg(&["A1"])).unwrap();
    s.set_option(SocketOption::Unsubscribe(b("A"))).unwrap();
    assert!(
        !s.can_recv(),
        "queued messages that no longer match are dropped"
    );
}

#[test]
fn full_queue_drops_29_r31() {
    let options = Options {
        rcvhwm: 1,
        ..Options::default()
    };
    let mut s = with_peers(Sub, options, Pub, 1);
    s.set_option(SocketOption::Subscribe(b(""))).unwrap();
    s.peer_message(PeerId(1), msg(&["1"])).unwrap();
    assert!(s.peer_message(PeerId(1), msg(&["2"])).is_ok());
    assert_eq!(s.recv(), Ok(msg(&["1"])));
    assert!(s.recv().is_err());
}

#[test]
fn sub_invert_matching() {
    let options = Options {
        invert_matching: true,
        ..Options::default()
    };
    let mut s = with_peers(Sub, options, Pub, 1);
    s.set_option(SocketOption::Subscribe(b("A"))).unwrap();
    s.peer_message(PeerId(1), msg(&["A"])).unwrap();
    s.peer_message(PeerId(1), msg(&["B"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["B"])));
    assert!(s.recv().is_err());
}

#[test]
fn xsub_forwards_subscriptions_cancels_at_zero_and_sends_data_to_all_29_r44_r47_r48() {
    let mut s = with_peers(XSub, Options::default(), Pub, 2);
    s.send(msg(&["\x01A"])).unwrap();
    s.send(msg(&["\x01A"])).unwrap();
    s.send(msg(&["\x00A"])).unwrap();
    s.send(msg(&["\x00Z"])).unwrap(); // never subscribed: not forwarded
    s.send(msg(&["up"])).unwrap();
    s.send(msg(&["\x00A"])).unwrap(); // the last count: now CANCEL goes
    let expected = vec![
        Outgoing::Subscribe(b("A")),
        Outgoing::Subscribe(b("A")),
        Outgoing::Message(msg(&["up"])),
        Outgoing::Cancel(b("A")),
    ];
    assert_eq!(drain(&mut s, 1), expected);
    assert_eq!(drain(&mut s, 2), expected);
}

#[test]
fn xsub_drops_data_for_a_full_publisher_29_r45_r46() {
    let options = Options {
        sndhwm: 1,
        ..Options::default()
    };
    let mut s = with_peers(XSub, options, Pub, 1);
    s.send(msg(&["1"])).unwrap();
    assert_eq!(s.send(msg(&["2"])), Ok(()));
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["1"])]);
}

#[test]
fn xsub_receives_matching_messages_29_r41_r42() {
    let mut s = with_peers(XSub, Options::default(), XPub, 1);
    s.send(msg(&["\x01"])).unwrap();
    s.peer_message(PeerId(1), msg(&["any"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["any"])));
}
