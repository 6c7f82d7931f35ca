use bytes::Bytes;

use crate::testutil::*;
use crate::{
    Event, Message, Options, PeerId, PeerInfo, PeerState, SendError, SocketOption, SocketType::*,
};

fn raw() -> PeerInfo {
    PeerInfo::default()
}

fn tagged(id: &Bytes, data: &'static str) -> Message {
    Message::from_frames([id.clone(), b(data)])
}

#[test]
fn connect_data_and_disconnect_are_tagged_90_r02_r07_r08() {
    let mut s = socket(Stream);
    s.accept(PeerId(1)).unwrap();
    s.attach(PeerId(1), raw()).unwrap();
    let id = s.stream_routing_id(PeerId(1)).unwrap().clone();
    assert_eq!(id.len(), 5, "a zero octet and a 32-bit counter");
    assert_eq!(id[0], 0);
    s.peer_message(PeerId(1), msg(&["GET /"])).unwrap();
    s.connection_lost(PeerId(1), false);
    assert_eq!(s.recv().unwrap(), tagged(&id, ""), "connect notification");
    assert_eq!(s.recv().unwrap(), tagged(&id, "GET /"));
    assert_eq!(
        s.recv().unwrap(),
        tagged(&id, ""),
        "disconnect notification"
    );
    assert!(!s.can_recv());
    assert_eq!(s.peer_state(PeerId(1)), PeerState::Gone);
}

#[test]
fn without_notify_only_data_90_r09() {
    let mut s = socket(Stream);
    s.set_option(SocketOption::StreamNotify(false)).unwrap();
    s.attach(PeerId(1), raw()).unwrap();
    assert!(!s.can_recv());
    s.peer_message(PeerId(1), msg(&["x"])).unwrap();
    s.connection_lost(PeerId(1), false);
    let id = Bytes::from_static(&[0, 0, 0, 0, 1]);
    assert_eq!(s.recv().unwrap(), tagged(&id, "x"));
    assert!(!s.can_recv());
}

#[test]
fn sends_route_by_id_and_an_empty_one_closes_90_r04_r05_r06() {
    let mut s = socket(Stream);
    s.attach(PeerId(1), raw()).unwrap();
    s.attach(PeerId(2), raw()).unwrap();
    let two = s.stream_routing_id(PeerId(2)).unwrap().clone();
    s.send(tagged(&two, "data")).unwrap();
    assert!(drain(&mut s, 1).is_empty());
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["data"])]);
    assert_eq!(
        s.send(tagged(&Bytes::from_static(b"nobody"), "x")),
        Err(SendError::HostUnreachable)
    );
    assert_eq!(s.send(msg(&["alone"])), Err(SendError::HostUnreachable));
    s.send(tagged(&two, "")).unwrap();
    while let Some(e) = s.poll_event() {
        if e == Event::Disconnect(PeerId(2)) {
            assert!(!s.is_attached(PeerId(2)));
            return;
        }
    }
    panic!("no Disconnect for the closed connection");
}

#[test]
fn a_connect_is_no_peer_until_its_connection_and_never_suspends() {
    let mut s = socket(Stream);
    assert!(!s.queues_before_connect());
    s.connect(PeerId(1)).unwrap();
    assert!(!s.is_attached(PeerId(1)), "no queue before the connection");
    s.connection_up(PeerId(1));
    s.attach(PeerId(1), raw().with_alias(b("mine"))).unwrap();
    assert_eq!(
        s.stream_routing_id(PeerId(1)),
        Some(&b("mine")),
        "CONNECT_ROUTING_ID"
    );
    assert_ne!(s.connection_lost(PeerId(1), true), PeerState::Connecting);
    assert!(!s.is_attached(PeerId(1)));
}

#[test]
fn zmtp_peers_are_not_stream_peers() {
    let mut s = socket(Stream);
    assert!(s.attach(PeerId(1), PeerInfo::new(Router)).is_err());
    let opts = Options::default();
    assert!(opts.stream_notify, "STREAM_NOTIFY is on by default");
}
