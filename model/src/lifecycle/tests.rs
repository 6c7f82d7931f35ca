use super::*;
use crate::SocketType::*;
use crate::testutil::*;
use crate::{Options, PeerId, PeerInfo, Socket};

const P: PeerId = PeerId(1);

#[test]
fn the_table_is_deterministic_and_gone_is_final() {
    for (i, (from, event, _)) in TRANSITIONS.iter().enumerate() {
        let again = TRANSITIONS[i + 1..]
            .iter()
            .any(|(f, e, _)| f == from && e == event);
        assert!(!again, "two transitions for {from:?} on {event:?}");
    }
    // Gone has no way out but a new connect, accept or attach.
    for (from, event, _) in TRANSITIONS {
        if *from == PeerState::Gone {
            assert!(matches!(
                event,
                LifeEvent::Connect | LifeEvent::Accept | LifeEvent::HandshakeDone
            ));
        }
    }
    // Every state is reachable from Gone.
    let mut seen = vec![PeerState::Gone];
    let mut i = 0;
    while i < seen.len() {
        for (f, _, to) in TRANSITIONS {
            if *f == seen[i] && !seen.contains(to) {
                seen.push(*to);
            }
        }
        i += 1;
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
}

#[test]
fn dot_names_every_transition() {
    let d = dot();
    assert!(d.starts_with("digraph lifecycle"));
    assert_eq!(d.matches(" -> ").count(), TRANSITIONS.len() + 1);
    assert!(d.contains("Active -> Departing [label=\"lost for good, input unread\"]"));
}

#[test]
fn an_accepted_peer_departs_when_its_connection_is_lost() {
    let mut s = socket(Pull);
    s.accept(P).unwrap();
    assert_eq!(s.peer_state(P), PeerState::Handshaking);
    assert_eq!(s.peer_origin(P), Some(Origin::Accepted));
    s.attach(P, PeerInfo::new(Push)).unwrap();
    assert_eq!(s.peer_state(P), PeerState::Active);
    s.peer_message(P, msg(&["m"])).unwrap();
    // Even if the driver asked to retry: an accepted peer is not its to
    // retry.
    assert_eq!(s.connection_lost(P, true), PeerState::Departing);
    assert_eq!(s.recv().unwrap(), msg(&["m"]));
    assert_eq!(s.peer_state(P), PeerState::Gone);
    assert_eq!(s.peer_origin(P), None);
}

#[test]
fn a_connect_peer_is_kept_across_reconnects_with_immediate_off() {
    let mut s = socket(Push);
    s.connect(P).unwrap();
    assert_eq!(s.peer_state(P), PeerState::Connecting);
    s.send(msg(&["queued while away"])).unwrap();
    s.connection_up(P);
    assert_eq!(s.peer_state(P), PeerState::Handshaking);
    s.attach(P, PeerInfo::new(Pull)).unwrap();
    assert_eq!(s.peer_state(P), PeerState::Active);
    assert_eq!(s.connection_lost(P, true), PeerState::Connecting);
    assert_eq!(
        s.queued_out(P),
        1,
        "the queue waits for the next connection"
    );
    s.connection_up(P);
    s.attach(P, PeerInfo::new(Pull)).unwrap();
    assert_eq!(drain_msgs(&mut s, 1), vec![msg(&["queued while away"])]);
    // Not retried (ERROR in the handshake, 37-R17; socket closing): gone.
    assert_eq!(s.connection_lost(P, false), PeerState::Gone);
}

#[test]
fn with_immediate_a_connect_peer_has_no_queue_and_is_not_kept() {
    let o = Options {
        immediate: true,
        ..Options::default()
    };
    let mut s = socket_with(Push, o);
    s.connect(P).unwrap();
    assert_eq!(s.peer_state(P), PeerState::Connecting);
    assert!(!s.is_attached(P));
    assert!(s.send(msg(&["x"])).is_err(), "nothing queues for it");
    s.connection_up(P);
    s.attach(P, PeerInfo::new(Pull)).unwrap();
    s.send(msg(&["x"])).unwrap();
    assert_eq!(s.connection_lost(P, true), PeerState::Gone);
    assert!(!s.is_attached(P));
}

#[test]
fn a_refused_handshake_stays_until_the_connection_is_reported_lost() {
    let mut s = with_peers(Pair, Options::default(), Pair, 1);
    let q = PeerId(2);
    s.accept(q).unwrap();
    assert!(s.attach(q, PeerInfo::new(Pair)).is_err());
    assert_eq!(s.peer_state(q), PeerState::Handshaking);
    assert_eq!(s.connection_lost(q, false), PeerState::Gone);
    assert_eq!(
        Socket::new(Pair, Options::default()).unwrap().peer_state(q),
        PeerState::Gone
    );
}

#[test]
fn ids_in_use_are_refused() {
    let mut s = socket(Dealer);
    s.accept(P).unwrap();
    assert!(s.accept(P).is_err());
    assert!(s.connect(P).is_err());
    assert!(s.attach_pending(P).is_err());
}
