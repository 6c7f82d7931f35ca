use super::*;
use crate::SocketType::*;
use crate::testutil::*;

#[test]
fn draft_types_are_refused() {
    assert_eq!(
        Socket::new(Scatter, Options::default()),
        Err(UnsupportedSocketType(Scatter))
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

/// A message of one frame carrying connection properties, to check a
/// message given back is the very message offered.
fn tagged(body: &'static str) -> Message {
    let props = zmtp_spec::wire::Metadata::new().with("User-Id", "u");
    msg(&[body]).with_metadata(std::sync::Arc::new(props))
}

fn assert_given_back(r: Result<(), (SendError, Option<Message>)>, offered: &Message) -> Message {
    match r {
        Err((SendError::WouldBlock, Some(back))) => {
            assert_eq!(&back, offered);
            assert!(back.property("User-Id").is_some(), "properties kept");
            back
        }
        other => panic!("expected WouldBlock with the message back, got {other:?}"),
    }
}

/// 30-R09..R11, 28-R27..R29, 31-R07..R09: a load-balancing send that
/// would block gives the message back unchanged (no copy kept by the
/// caller), and the same message is taken once a peer has room.
#[test]
fn would_block_gives_the_message_back_30_r11_28_r29_31_r09() {
    for (t, peer_type) in [(Push, Pull), (Dealer, Router), (Pair, Pair), (Req, Rep)] {
        let mut s = socket_with(
            t,
            Options {
                sndhwm: 1,
                ..Options::default()
            },
        );
        let m = tagged("m");
        // No peer yet.
        let back = assert_given_back(s.send_or_return(m.clone()), &m);
        assert!(!s.can_send(), "{t}");
        s.attach(PeerId(1), PeerInfo::new(peer_type)).unwrap();
        assert!(s.can_send(), "{t}");
        s.send_or_return(back).unwrap();
        if t == Req {
            continue; // REQ now awaits its reply: InvalidState, below
        }
        // The queue is at SNDHWM.
        assert!(!s.can_send(), "{t}");
        let m2 = tagged("m2");
        let back = assert_given_back(s.send_or_return(m2.clone()), &m2);
        assert_eq!(drain_msgs(&mut s, 1), vec![m.clone()], "{t}");
        s.send_or_return(back).unwrap();
        assert_eq!(drain_msgs(&mut s, 1), vec![m2], "{t}");
    }
    let mut req = with_peers(Req, Options::default(), Rep, 1);
    req.send(msg(&["q"])).unwrap();
    assert_eq!(
        req.send_or_return(msg(&["again"])),
        Err((SendError::InvalidState, None))
    );
}

/// 28-R42: ROUTER_MANDATORY with a full queue gives the message back
/// whole, routing id frame in front, ready to be offered again.
#[test]
fn router_mandatory_gives_the_routed_message_back_28_r42() {
    let options = Options {
        sndhwm: 1,
        router_mandatory: true,
        ..Options::default()
    };
    let mut s = socket_with(Router, options);
    let mut info = PeerInfo::new(Dealer);
    info.routing_id = Some(b("A"));
    s.attach(PeerId(1), info).unwrap();
    s.send(msg(&["A", "one"])).unwrap();
    let m = msg(&["A", "two"]);
    let back = assert_given_back_plain(s.send_or_return(m.clone()));
    assert_eq!(back, m);
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["one"])]);
    s.send_or_return(back).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["two"])]);
    assert_eq!(
        s.send_or_return(msg(&["B", "x"])),
        Err((SendError::HostUnreachable, None))
    );
}

/// XPUB_NODROP: a subscriber at SNDHWM makes the send block and the
/// message come back; without it PUB drops for that peer (29-R09).
#[test]
fn xpub_nodrop_gives_the_message_back_and_pub_drops_29_r09() {
    for nodrop in [true, false] {
        let options = Options {
            sndhwm: 1,
            xpub_nodrop: nodrop,
            ..Options::default()
        };
        let mut s = with_peers(XPub, options, Sub, 2);
        s.peer_subscribe(PeerId(1), b(""));
        s.peer_subscribe(PeerId(2), b("t"));
        while s.recv().is_ok() {} // the subscription messages
        s.send(msg(&["t1"])).unwrap();
        let _ = drain_msgs(&mut s, 2);
        let m = msg(&["t2"]);
        if nodrop {
            let back = assert_given_back_plain(s.send_or_return(m.clone()));
            assert_eq!(back, m);
            assert!(drain_msgs(&mut s, 2).is_empty(), "nothing sent to anyone");
        } else {
            s.send_or_return(m.clone()).unwrap();
            assert_eq!(drain_msgs(&mut s, 2), vec![m], "peer 2 had room");
            assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["t1"])], "t2 dropped");
        }
    }
}

fn assert_given_back_plain(r: Result<(), (SendError, Option<Message>)>) -> Message {
    match r {
        Err((SendError::WouldBlock, Some(back))) => back,
        other => panic!("expected WouldBlock with the message back, got {other:?}"),
    }
}

/// `can_send`/`can_recv` (which no longer build the choice lists) agree
/// with `send_choices`/`recv_choices` for the patterns that have them.
#[test]
fn pollers_agree_with_the_choice_lists() {
    for (t, peer_type) in [
        (Push, Pull),
        (Dealer, Router),
        (Pair, Pair),
        (Req, Rep),
        (Pull, Push),
    ] {
        let mut s = socket_with(
            t,
            Options {
                sndhwm: 1,
                ..Options::default()
            },
        );
        let check = |s: &Socket| {
            if t != Pull {
                assert_eq!(s.can_send(), !s.send_choices().is_empty(), "{t}");
            }
            assert_eq!(s.can_recv(), !s.recv_choices().is_empty(), "{t}");
        };
        check(&s);
        s.attach(PeerId(1), PeerInfo::new(peer_type)).unwrap();
        check(&s);
        let _ = s.send(msg(&["a"]));
        check(&s);
        let reply = if t == Req {
            msg(&["", "r"])
        } else {
            msg(&["r"])
        };
        let _ = s.peer_message(PeerId(1), reply);
        check(&s);
        let _ = s.recv();
        check(&s);
    }
}
