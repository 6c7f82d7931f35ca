use crate::testutil::*;
use crate::{Event, Options, PeerId, SendError, SocketType::*};

#[test]
fn fair_queue_takes_turns_30_r18() {
    let mut s = with_peers(Pull, Options::default(), Push, 2);
    for m in ["a1", "a2", "a3"] {
        s.peer_message(PeerId(1), msg(&[m])).unwrap();
    }
    s.peer_message(PeerId(2), msg(&["b1"])).unwrap();
    let got: Vec<_> = std::iter::from_fn(|| s.recv().ok()).collect();
    assert_eq!(
        got,
        vec![msg(&["a1"]), msg(&["b1"]), msg(&["a2"]), msg(&["a3"])]
    );
}

#[test]
fn messages_are_unchanged_30_r13_r19() {
    let mut s = with_peers(Pull, Options::default(), Push, 1);
    s.peer_message(PeerId(1), msg(&["x", "", "y"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["x", "", "y"])));
}

#[test]
fn rcvhwm_pushes_back_and_resumes() {
    let options = Options {
        rcvhwm: 1,
        ..Options::default()
    };
    let mut s = with_peers(Pull, options, Push, 1);
    s.peer_message(PeerId(1), msg(&["a"])).unwrap();
    let refused = s.peer_message(PeerId(1), msg(&["b"])).unwrap_err();
    assert_eq!(refused.0, msg(&["b"]));
    assert_eq!(s.poll_event(), None);
    assert_eq!(s.recv(), Ok(msg(&["a"])));
    assert_eq!(s.poll_event(), Some(Event::InputResumed(PeerId(1))));
    s.peer_message(PeerId(1), refused.0).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["b"])));
}

#[test]
fn pull_never_sends_30_r12() {
    let mut s = with_peers(Pull, Options::default(), Push, 1);
    assert!(!s.can_send());
    assert_eq!(s.send(msg(&["a"])), Err(SendError::NotSupported(Pull)));
}

#[test]
fn detach_discards_queued_input_30_r17() {
    let mut s = with_peers(Pull, Options::default(), Push, 1);
    s.peer_message(PeerId(1), msg(&["a"])).unwrap();
    s.detach(PeerId(1));
    assert!(!s.can_recv());
}

#[test]
fn recv_from_a_chosen_peer() {
    let mut s = with_peers(Pull, Options::default(), Push, 2);
    s.peer_message(PeerId(1), msg(&["a"])).unwrap();
    s.peer_message(PeerId(2), msg(&["b"])).unwrap();
    assert_eq!(s.recv_choices(), vec![PeerId(1), PeerId(2)]);
    assert_eq!(s.recv_from(PeerId(2)), Ok(msg(&["b"])));
    assert_eq!(s.recv_choices(), vec![PeerId(1)]);
}

#[test]
fn conflate_keeps_only_the_newest_input() {
    let options = Options {
        conflate: true,
        ..Options::default()
    };
    let mut s = with_peers(Pull, options, Push, 1);
    s.peer_message(PeerId(1), msg(&["a"])).unwrap();
    s.peer_message(PeerId(1), msg(&["b"])).unwrap();
    assert_eq!(s.recv(), Ok(msg(&["b"])));
    assert!(s.recv().is_err());
}

#[test]
fn raising_rcvhwm_resumes_a_blocked_peer() {
    let options = Options {
        rcvhwm: 1,
        ..Options::default()
    };
    let mut s = with_peers(Pull, options, Push, 1);
    s.peer_message(PeerId(1), msg(&["a"])).unwrap();
    let held = s.peer_message(PeerId(1), msg(&["b"])).unwrap_err();
    s.set_option(crate::SocketOption::RcvHwm(2)).unwrap();
    assert_eq!(s.poll_event(), Some(Event::InputResumed(PeerId(1))));
    s.peer_message(PeerId(1), held.0).unwrap();
    assert_eq!(s.queued_in(PeerId(1)), 2);
}
