use zmtp_spec::wire::greeting::Protocol;

use crate::testutil::*;
use crate::{Options, PeerId, PeerInfo, SendError, SocketOption, SocketType::*};

#[test]
fn only_matching_subscribers_get_a_message_37_r45_29_r08() {
    let mut s = with_peers(Pub, Options::default(), Sub, 3);
    s.peer_subscribe(PeerId(1), b("A"));
    s.peer_subscribe(PeerId(2), b(""));
    s.send(msg(&["AB", "x"])).unwrap();
    s.send(msg(&["B"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["AB", "x"])]);
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["AB", "x"]), msg(&["B"])]);
    assert!(drain(&mut s, 3).is_empty());
}

#[test]
fn cancel_is_counted_37_r51() {
    let mut s = with_peers(Pub, Options::default(), Sub, 1);
    s.peer_subscribe(PeerId(1), b("A"));
    s.peer_subscribe(PeerId(1), b("A"));
    s.peer_cancel(PeerId(1), b("A"));
    s.send(msg(&["A"])).unwrap();
    s.peer_cancel(PeerId(1), b("A"));
    s.send(msg(&["A"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1).len(), 1);
}

#[test]
fn full_subscriber_misses_messages_29_r09_r10() {
    let mut s = with_peers(
        Pub,
        Options {
            sndhwm: 1,
            ..Options::default()
        },
        Sub,
        2,
    );
    s.peer_subscribe(PeerId(1), b(""));
    s.peer_subscribe(PeerId(2), b(""));
    s.send(msg(&["1"])).unwrap();
    drain(&mut s, 2);
    assert_eq!(s.send(msg(&["2"])), Ok(()));
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["1"])]);
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["2"])]);
}

#[test]
fn nodrop_would_block_instead() {
    let options = Options {
        sndhwm: 1,
        xpub_nodrop: true,
        ..Options::default()
    };
    let mut s = with_peers(Pub, options, Sub, 1);
    s.peer_subscribe(PeerId(1), b(""));
    s.send(msg(&["1"])).unwrap();
    assert_eq!(s.send(msg(&["2"])), Err(SendError::WouldBlock));
}

#[test]
fn pub_discards_peer_messages_and_never_receives_29_r01_r06_r12() {
    let mut s = with_peers(Pub, Options::default(), Sub, 1);
    s.peer_message(PeerId(1), msg(&["x"])).unwrap();
    s.peer_subscribe(PeerId(1), b("A"));
    assert!(!s.can_recv());
    assert!(s.recv().is_err());
}

#[test]
fn invert_matching() {
    let options = Options {
        invert_matching: true,
        ..Options::default()
    };
    let mut s = with_peers(Pub, options, Sub, 1);
    s.peer_subscribe(PeerId(1), b("A"));
    s.send(msg(&["A1"])).unwrap();
    s.send(msg(&["B1"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["B1"])]);
}

#[test]
fn zmtp_1_0_peer_gets_everything() {
    let mut s = socket(Pub);
    s.attach(PeerId(1), PeerInfo::default().with_protocol(Protocol::V1_0))
        .unwrap();
    s.send(msg(&["x"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["x"])]);
}

#[test]
fn xpub_passes_new_topics_to_the_application_29_r24() {
    let mut s = with_peers(XPub, Options::default(), Sub, 2);
    s.peer_subscribe(PeerId(1), b("A"));
    s.peer_subscribe(PeerId(2), b("A"));
    assert_eq!(s.recv(), Ok(msg(&["\x01A"])));
    assert!(s.recv().is_err(), "a topic already known is not repeated");
    s.peer_cancel(PeerId(1), b("A"));
    assert!(s.recv().is_err());
    s.peer_cancel(PeerId(2), b("A"));
    assert_eq!(s.recv(), Ok(msg(&["\x00A"])));
}

#[test]
fn xpub_verbose_and_verboser() {
    let options = Options {
        xpub_verbose: true,
        ..Options::default()
    };
    let mut s = with_peers(XPub, options, Sub, 2);
    s.peer_subscribe(PeerId(1), b("A"));
    s.peer_subscribe(PeerId(2), b("A"));
    s.peer_cancel(PeerId(1), b("A"));
    let got: Vec<_> = std::iter::from_fn(|| s.recv().ok()).collect();
    assert_eq!(got, vec![msg(&["\x01A"]), msg(&["\x01A"])]);
    s.set_option(SocketOption::XPubVerboser(true)).unwrap();
    s.peer_cancel(PeerId(2), b("A"));
    assert_eq!(s.recv(), Ok(msg(&["\x00A"])));
    s.peer_subscribe(PeerId(1), b("B"));
    s.peer_subscribe(PeerId(2), b("B"));
    s.recv().unwrap();
    s.recv().unwrap();
    s.peer_cancel(PeerId(1), b("B"));
    assert_eq!(
        s.recv(),
        Ok(msg(&["\x00B"])),
        "verboser passes every cancel"
    );
}

#[test]
fn xpub_detach_generates_cancels_29_r25() {
    let mut s = with_peers(XPub, Options::default(), Sub, 1);
    s.peer_subscribe(PeerId(1), b("A"));
    s.recv().unwrap();
    s.detach(PeerId(1));
    assert_eq!(s.recv(), Ok(msg(&["\x00A"])));
}

#[test]
fn xpub_manual_applies_the_application_choice() {
    let options = Options {
        xpub_manual: true,
        ..Options::default()
    };
    let mut s = with_peers(XPub, options, Sub, 2);
    s.peer_subscribe(PeerId(2), b("A"));
    s.send(msg(&["A"])).unwrap();
    assert!(
        drain(&mut s, 2).is_empty(),
        "nothing until the application decides"
    );
    assert_eq!(s.recv(), Ok(msg(&["\x01A"])));
    s.set_option(SocketOption::Subscribe(b("Z"))).unwrap();
    s.send(msg(&["Z"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["Z"])]);
    assert!(drain(&mut s, 1).is_empty());
    s.set_option(SocketOption::Unsubscribe(b("Z"))).unwrap();
    s.send(msg(&["Z"])).unwrap();
    assert!(drain(&mut s, 2).is_empty());
}

#[test]
fn xpub_subscribe_option_needs_manual() {
    let mut s = socket(XPub);
    assert!(s.set_option(SocketOption::Subscribe(b("A"))).is_err());
}

#[test]
fn xpub_welcome_message() {
    let options = Options {
        xpub_welcome_msg: Some(b("hi")),
        ..Options::default()
    };
    let mut s = with_peers(XPub, options, Sub, 1);
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["hi"])]);
}

#[test]
fn xpub_receives_peer_messages_29_r21_r22() {
    let mut s = with_peers(XPub, Options::default(), XSub, 1);
    s.peer_message(PeerId(1), msg(&["up"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["up"])));
}

#[test]
fn suspend_forgets_subscriptions_until_resent() {
    let mut s = with_peers(Pub, Options::default(), Sub, 1);
    s.peer_subscribe(PeerId(1), b(""));
    s.suspend(PeerId(1));
    s.send(msg(&["lost"])).unwrap();
    assert!(drain(&mut s, 1).is_empty());
}

#[test]
fn mutation_knob_ignores_cancel() {
    let options = Options {
        fault: crate::Fault::PubIgnoresCancel,
        ..Options::default()
    };
    let mut s = with_peers(Pub, options, Sub, 1);
    s.peer_subscribe(PeerId(1), b("A"));
    s.peer_cancel(PeerId(1), b("A"));
    s.send(msg(&["A"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1).len(), 1);
}
