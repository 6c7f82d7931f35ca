use crate::testutil::*;
use crate::{AttachError, Event, Options, PeerId, PeerInfo, SendError, SocketType::*};

fn router(options: Options) -> crate::Socket {
    let mut s = socket_with(Router, options);
    s.attach(PeerId(1), PeerInfo::new(Dealer).with_routing_id(b("A")))
        .unwrap();
    s.attach(PeerId(2), PeerInfo::new(Req)).unwrap();
    s
}

#[test]
fn incoming_messages_carry_the_routing_id_28_r36_r38() {
    let mut s = router(Options::default());
    s.peer_message(PeerId(1), msg(&["x"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["A", "x"])));
    s.peer_message(PeerId(2), msg(&["", "q"])).unwrap();
    let m = s.recv().unwrap();
    let generated = s.routing_id(PeerId(2)).unwrap().clone();
    assert_eq!(generated[0], 0, "generated ids start with a zero octet");
    assert_eq!(m.frames()[0], generated);
    assert_eq!(&m.frames()[1..], msg(&["", "q"]).frames());
}

#[test]
fn outgoing_messages_are_routed_by_the_first_frame_28_r40_r41() {
    let mut s = router(Options::default());
    s.send(msg(&["A", "hello"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["hello"])]);
    assert!(drain(&mut s, 2).is_empty());
}

#[test]
fn unknown_id_is_dropped_or_reported_28_r42() {
    let mut s = router(Options::default());
    assert_eq!(s.send(msg(&["nobody", "x"])), Ok(()));
    let mut m = router(Options {
        router_mandatory: true,
        ..Options::default()
    });
    assert_eq!(
        m.send(msg(&["nobody", "x"])),
        Err(SendError::HostUnreachable)
    );
}

#[test]
fn full_queue_drops_or_would_block_with_mandatory_28_r42_r43() {
    let options = Options {
        sndhwm: 1,
        ..Options::default()
    };
    let mut s = router(options.clone());
    s.send(msg(&["A", "1"])).unwrap();
    assert_eq!(s.send(msg(&["A", "2"])), Ok(()));
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["1"])]);
    let mut m = router(Options {
        router_mandatory: true,
        ..options
    });
    m.send(msg(&["A", "1"])).unwrap();
    assert_eq!(m.send(msg(&["A", "2"])), Err(SendError::WouldBlock));
    assert!(m.can_send(), "ROUTER as a whole stays writable");
}

#[test]
fn duplicate_routing_id_is_refused_without_handover() {
    let mut s = router(Options::default());
    let dup = PeerInfo::new(Dealer).with_routing_id(b("A"));
    assert_eq!(
        s.attach(PeerId(3), dup),
        Err(AttachError::DuplicateRoutingId)
    );
    assert_eq!(s.peer_by_routing_id(b"A"), Some(PeerId(1)));
}

#[test]
fn handover_gives_the_id_to_the_new_peer() {
    let mut s = router(Options {
        router_handover: true,
        ..Options::default()
    });
    s.send(msg(&["A", "old"])).unwrap();
    s.attach(PeerId(3), PeerInfo::new(Dealer).with_routing_id(b("A")))
        .unwrap();
    assert_eq!(s.poll_event(), Some(Event::Disconnect(PeerId(1))));
    assert!(!s.is_attached(PeerId(1)));
    s.send(msg(&["A", "new"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 3), vec![msg(&["new"])]);
}

#[test]
fn connect_routing_id_names_the_outgoing_peer() {
    let mut s = socket(Router);
    s.set_option(crate::SocketOption::ConnectRoutingId(Some(b("peerB"))))
        .unwrap();
    let alias = s.take_connect_routing_id().unwrap();
    assert_eq!(s.take_connect_routing_id(), None);
    let info = PeerInfo::new(Router)
        .with_routing_id(b("ignored"))
        .with_alias(alias);
    s.attach(PeerId(1), info).unwrap();
    assert_eq!(s.peer_by_routing_id(b"peerB"), Some(PeerId(1)));
}

#[test]
fn probe_router_and_detach() {
    let mut s = socket_with(
        Router,
        Options {
            probe_router: true,
            ..Options::default()
        },
    );
    s.attach(PeerId(1), PeerInfo::new(Router).with_routing_id(b("R")))
        .unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&[""])]);
    s.detach(PeerId(1));
    assert_eq!(s.peer_by_routing_id(b"R"), None);
}

#[test]
fn routing_id_alone_sends_nothing() {
    let mut s = router(Options::default());
    assert_eq!(s.send(msg(&["A"])), Ok(()));
    assert!(drain(&mut s, 1).is_empty());
    assert_eq!(s.send(crate::Message::new()), Err(SendError::EmptyMessage));
}
