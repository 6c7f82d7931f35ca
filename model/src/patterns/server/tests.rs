use bytes::Bytes;

use super::id_frame;
use crate::testutil::*;
use crate::{Message, Options, PeerId, PeerInfo, SendError, SocketType::*};

fn server(options: Options) -> crate::Socket {
    with_peers(Server, options, Client, 2)
}

fn to(id: u32, body: &'static str) -> Message {
    Message::from_frames([id_frame(id), b(body)])
}

#[test]
fn each_peer_gets_a_distinct_nonzero_id_and_messages_carry_it() {
    let mut s = server(Options::default());
    let (a, c) = (
        s.server_routing_id(PeerId(1)).unwrap(),
        s.server_routing_id(PeerId(2)).unwrap(),
    );
    assert!(a != 0 && c != 0 && a != c);
    assert_eq!(s.peer_by_server_routing_id(c), Some(PeerId(2)));
    s.peer_message(PeerId(2), msg(&["hi"])).unwrap();
    assert_eq!(s.recv(), Ok(to(c, "hi")));
}

#[test]
fn send_goes_to_the_named_peer_only() {
    let mut s = server(Options::default());
    let c = s.server_routing_id(PeerId(2)).unwrap();
    s.send(to(c, "reply")).unwrap();
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["reply"])]);
    assert!(drain(&mut s, 1).is_empty());
}

#[test]
fn unknown_or_malformed_id_is_host_unreachable() {
    let mut s = server(Options::default());
    assert_eq!(s.send(to(999, "x")), Err(SendError::HostUnreachable));
    let short = Message::from_frames([Bytes::from_static(b"ab"), b("x")]);
    assert_eq!(s.send(short), Err(SendError::HostUnreachable));
    assert_eq!(s.send(msg(&["x"])), Err(SendError::HostUnreachable));
    assert!(s.peers_with_output().is_empty());
}

#[test]
fn multipart_send_is_refused_37_r56() {
    let mut s = server(Options::default());
    let a = s.server_routing_id(PeerId(1)).unwrap();
    let m = Message::from_frames([id_frame(a), b("x"), b("y")]);
    assert_eq!(s.send(m), Err(SendError::Multipart));
    assert!(s.peers_with_output().is_empty());
}

#[test]
fn multipart_from_the_wire_is_discarded_37_r57() {
    let mut s = server(Options::default());
    let a = s.server_routing_id(PeerId(1)).unwrap();
    s.peer_message(PeerId(1), msg(&["part", "two"])).unwrap();
    assert!(!s.can_recv());
    s.peer_message(PeerId(1), msg(&["single"])).unwrap();
    assert_eq!(s.recv(), Ok(to(a, "single")));
}

#[test]
fn full_queue_would_block_and_gives_the_message_back() {
    let mut s = server(Options {
        sndhwm: 1,
        ..Options::default()
    });
    let a = s.server_routing_id(PeerId(1)).unwrap();
    s.send(to(a, "1")).unwrap();
    assert_eq!(
        s.send_or_return(to(a, "2")),
        Err((SendError::WouldBlock, Some(to(a, "2"))))
    );
    assert!(s.can_send(), "the other peer still has room");
}

#[test]
fn a_detached_peer_loses_its_id_and_a_new_one_gets_a_fresh_id() {
    let mut s = server(Options::default());
    let a = s.server_routing_id(PeerId(1)).unwrap();
    s.detach(PeerId(1));
    assert_eq!(s.peer_by_server_routing_id(a), None);
    assert_eq!(s.send(to(a, "x")), Err(SendError::HostUnreachable));
    s.attach(PeerId(3), PeerInfo::new(Client)).unwrap();
    let n = s.server_routing_id(PeerId(3)).unwrap();
    assert_ne!(n, a);
}

// ----- PEER (RFC 51): the same machine, naming peers at connect -----

mod peer {
    use crate::tagging::{routing_id_frame, with_routing_id};
    use crate::testutil::*;
    use crate::{Message, Options, PeerId, PeerInfo, SendError, SocketType::*};

    #[test]
    fn connect_names_the_peer_before_its_connection_51_r09() {
        let mut s = socket(Peer);
        s.connect(PeerId(1)).unwrap();
        let id = s.server_routing_id(PeerId(1)).expect("named at connect");
        assert_ne!(id, 0, "51-R08: never 0");
        s.send(with_routing_id(id, msg(&["early"]))).unwrap();
        s.attach(PeerId(1), PeerInfo::new(Peer)).unwrap();
        assert_eq!(s.server_routing_id(PeerId(1)), Some(id), "kept at attach");
        assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["early"])]);
        s.connection_lost(PeerId(1), true);
        assert_eq!(
            s.server_routing_id(PeerId(1)),
            Some(id),
            "51-R05: kept while reconnecting"
        );
    }

    #[test]
    fn routes_by_id_and_tags_what_it_receives_51_r13_r16() {
        let mut s = with_peers(Peer, Options::default(), Peer, 2);
        let (a, bb) = (
            s.server_routing_id(PeerId(1)).unwrap(),
            s.server_routing_id(PeerId(2)).unwrap(),
        );
        assert_ne!(a, bb);
        s.send(with_routing_id(bb, msg(&["to-b"]))).unwrap();
        assert!(drain(&mut s, 1).is_empty());
        assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["to-b"])]);
        s.peer_message(PeerId(1), msg(&["hi"])).unwrap();
        assert_eq!(
            s.recv().unwrap(),
            Message::from_frames([routing_id_frame(a), b("hi")])
        );
    }

    #[test]
    fn refusals_51_r17_r20() {
        let mut s = with_peers(Peer, Options::default(), Peer, 1);
        let id = s.server_routing_id(PeerId(1)).unwrap();
        assert_eq!(
            s.send(with_routing_id(id + 7, msg(&["x"]))),
            Err(SendError::HostUnreachable)
        );
        assert_eq!(
            s.send(with_routing_id(id, msg(&["x", "y"]))),
            Err(SendError::Multipart)
        );
        s.peer_message(PeerId(1), msg(&["part", "two"])).unwrap();
        assert!(!s.can_recv(), "51-R14: multipart from the wire dropped");
    }

    #[test]
    fn talks_to_peer_only() {
        let mut s = socket(Peer);
        assert!(s.attach(PeerId(1), PeerInfo::new(Server)).is_err());
    }
}
