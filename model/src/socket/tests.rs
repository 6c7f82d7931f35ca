use super::*;
use crate::SocketType::*;
use crate::testutil::*;

#[test]
fn every_socket_type_has_a_machine() {
    for t in SocketType::ALL {
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

// ----- a departed peer (Socket::depart) ---------------------------------

/// A DEALER's departed peer takes no more sends, every later message goes
/// to the live one, and what it delivered is still read; then the machine
/// forgets it.
#[test]
fn a_departed_dealer_peer_takes_no_send_and_stays_readable() {
    let mut s = with_peers(Dealer, Options::default(), Dealer, 2);
    s.peer_message(PeerId(1), msg(&["from 1"])).unwrap();
    s.depart(PeerId(1));
    assert!(s.is_departed(PeerId(1)));
    assert!(!s.is_attached(PeerId(1)));
    assert_eq!(s.peers(), vec![PeerId(2)]);
    for i in 0..10 {
        assert_eq!(s.send_choices(), vec![PeerId(2)], "send {i}");
        s.send(msg(&["x"])).unwrap();
    }
    assert_eq!(
        drain_msgs(&mut s, 2).len(),
        10,
        "all ten reach the live peer"
    );
    assert!(drain(&mut s, 1).is_empty());
    assert_eq!(s.recv().unwrap(), msg(&["from 1"]));
    assert!(!s.is_departed(PeerId(1)), "forgotten with its last message");
    assert_eq!(s.recv(), Err(RecvError::WouldBlock));
    // Its id may be used again once forgotten.
    s.attach(PeerId(1), PeerInfo::new(Dealer)).unwrap();
}

/// The peer that departed gives nothing more and cannot be re-attached
/// while it is still known; what was queued for it is discarded.
#[test]
fn a_departed_peer_discards_its_output_and_is_not_reused() {
    let mut s = with_peers(Push, Options::default(), Pull, 1);
    let mut pull = with_peers(Pull, Options::default(), Push, 1);
    s.send(msg(&["queued"])).unwrap();
    s.depart(PeerId(1));
    assert!(
        !s.is_departed(PeerId(1)),
        "nothing unread: forgotten at once"
    );
    assert!(drain(&mut s, 1).is_empty());
    assert_eq!(s.send(msg(&["y"])), Err(SendError::WouldBlock));

    pull.peer_message(PeerId(1), msg(&["in"])).unwrap();
    pull.depart(PeerId(1));
    assert_eq!(
        pull.attach(PeerId(1), PeerInfo::new(Push)),
        Err(AttachError::AlreadyAttached(PeerId(1)))
    );
    assert_eq!(
        pull.attach_pending(PeerId(1)),
        Err(AttachError::AlreadyAttached(PeerId(1)))
    );
    assert!(pull.peer_message(PeerId(1), msg(&["late"])).is_ok());
    assert_eq!(pull.queued_in(PeerId(1)), 1, "nothing more from it");
    assert_eq!(pull.incoming(PeerId(1)).count(), 1);
    pull.detach(PeerId(1));
    assert_eq!(pull.queued_in(PeerId(1)), 0, "detach discards the rest");
    assert_eq!(pull.recv(), Err(RecvError::WouldBlock));
}

/// PAIR: a send after the peer departed would block (libzmq EAGAIN) and
/// a new peer may take the slot while the old one's message is unread.
#[test]
fn a_departed_pair_peer_frees_the_slot() {
    let mut s = with_peers(Pair, Options::default(), Pair, 1);
    s.peer_message(PeerId(1), msg(&["last words"])).unwrap();
    s.depart(PeerId(1));
    for _ in 0..10 {
        assert_eq!(s.send(msg(&["x"])), Err(SendError::WouldBlock));
    }
    assert!(!s.can_send());
    s.attach(PeerId(2), PeerInfo::new(Pair)).unwrap();
    s.send(msg(&["to 2"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["to 2"])]);
    assert_eq!(s.recv().unwrap(), msg(&["last words"]));
}

/// ROUTER: the departed peer's id no longer routes (ROUTER_MANDATORY:
/// HostUnreachable, 28-R42) but still tags what it delivered.
#[test]
fn a_departed_router_peer_is_unreachable_but_its_messages_are_tagged() {
    let o = Options {
        router_mandatory: true,
        ..Options::default()
    };
    let mut s = socket_with(Router, o);
    s.attach(PeerId(1), PeerInfo::new(Dealer).with_routing_id(b("A")))
        .unwrap();
    s.peer_message(PeerId(1), msg(&["one"])).unwrap();
    s.peer_message(PeerId(1), msg(&["two"])).unwrap();
    s.depart(PeerId(1));
    for _ in 0..5 {
        assert_eq!(s.send(msg(&["A", "x"])), Err(SendError::HostUnreachable));
    }
    // The same identity may come back meanwhile.
    s.attach(PeerId(2), PeerInfo::new(Dealer).with_routing_id(b("A")))
        .unwrap();
    s.send(msg(&["A", "to the new A"])).unwrap();
    assert_eq!(drain_msgs(&mut s, 2), vec![msg(&["to the new A"])]);
    assert_eq!(s.recv().unwrap(), msg(&["A", "one"]));
    assert_eq!(s.recv().unwrap(), msg(&["A", "two"]));
    assert!(!s.is_departed(PeerId(1)));
}

/// SERVER: the same, with its 32-bit ids; a fresh id never reuses one
/// that still tags unread messages.
#[test]
fn a_departed_server_peer_is_unreachable_but_its_messages_are_tagged() {
    let mut s = with_peers(Server, Options::default(), Client, 1);
    let id = s.server_routing_id(PeerId(1)).unwrap();
    s.peer_message(PeerId(1), msg(&["hi"])).unwrap();
    s.depart(PeerId(1));
    let frame = Bytes::copy_from_slice(&id.to_be_bytes());
    let to_gone = Message::from_frames([frame.clone(), b("x")]);
    assert_eq!(s.send(to_gone), Err(SendError::HostUnreachable));
    s.attach(PeerId(2), PeerInfo::new(Client)).unwrap();
    assert_ne!(s.server_routing_id(PeerId(2)), Some(id));
    assert_eq!(s.recv().unwrap(), Message::from_frames([frame, b("hi")]));
}

/// REQ: a reply that arrived before its peer went is still received.
#[test]
fn a_departed_req_peer_still_gives_its_reply() {
    let mut s = with_peers(Req, Options::default(), Rep, 1);
    s.send(msg(&["q"])).unwrap();
    let _ = drain(&mut s, 1);
    s.peer_message(PeerId(1), msg(&["", "r"])).unwrap();
    s.depart(PeerId(1));
    assert_eq!(s.recv().unwrap(), msg(&["r"]));
    assert!(!s.is_departed(PeerId(1)));
}

/// REP: a request from a departed peer is read; its reply goes nowhere.
#[test]
fn a_departed_rep_peer_request_is_read_and_its_reply_dropped() {
    let mut s = with_peers(Rep, Options::default(), Req, 1);
    s.peer_message(PeerId(1), msg(&["", "q"])).unwrap();
    s.depart(PeerId(1));
    assert_eq!(s.recv().unwrap(), msg(&["q"]));
    s.send(msg(&["r"])).unwrap();
    assert!(drain(&mut s, 1).is_empty());
}

/// SUB: unsubscribing discards a departed peer's unmatched messages too,
/// and forgets it when none is left.
#[test]
fn unsubscribing_reaps_a_departed_publisher() {
    let mut s = with_peers(Sub, Options::default(), Pub, 1);
    s.set_option(SocketOption::Subscribe(b("a"))).unwrap();
    s.peer_message(PeerId(1), msg(&["a1"])).unwrap();
    s.depart(PeerId(1));
    assert!(s.is_departed(PeerId(1)));
    s.set_option(SocketOption::Unsubscribe(b("a"))).unwrap();
    assert!(!s.is_departed(PeerId(1)));
    assert!(!s.can_recv());
}

// ----- what the driver is told to wake ------------------------------------

fn events(s: &mut Socket) -> Vec<Event> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

/// A send names the one peer whose queue it filled, and only when that
/// queue was empty: the driver wakes that connection alone.
#[test]
fn a_send_names_only_the_peer_that_got_it() {
    let mut s = with_peers(Dealer, Options::default(), Router, 3);
    let _ = events(&mut s);
    s.send(msg(&["a"])).unwrap();
    assert_eq!(events(&mut s), vec![Event::Output(PeerId(1))]);
    s.send(msg(&["b"])).unwrap();
    s.send(msg(&["c"])).unwrap();
    s.send(msg(&["d"])).unwrap();
    assert_eq!(
        events(&mut s),
        vec![Event::Output(PeerId(2)), Event::Output(PeerId(3))],
        "peer 1's queue was not empty"
    );
    let _ = drain(&mut s, 1);
    s.send(msg(&["e"])).unwrap();
    assert!(events(&mut s).is_empty(), "peer 2 still has output");
    let _ = drain(&mut s, 2);
    let _ = drain(&mut s, 3);
    s.send(msg(&["f"])).unwrap();
    assert_eq!(events(&mut s), vec![Event::Output(PeerId(3))]);
}

/// PUB names each subscriber its fan-out reached.
#[test]
fn a_publish_names_the_subscribers_it_reached() {
    let mut s = with_peers(Pub, Options::default(), Sub, 3);
    s.peer_subscribe(PeerId(1), b("a"));
    s.peer_subscribe(PeerId(3), b(""));
    let _ = events(&mut s);
    s.send(msg(&["a1"])).unwrap();
    assert_eq!(
        events(&mut s),
        vec![Event::Output(PeerId(1)), Event::Output(PeerId(3))]
    );
}

/// REQ's reply and REP's request let the application send again.
#[test]
fn req_and_rep_say_when_a_send_is_allowed_again() {
    let mut req = with_peers(Req, Options::default(), Rep, 1);
    req.send(msg(&["q"])).unwrap();
    let _ = drain(&mut req, 1);
    req.peer_message(PeerId(1), msg(&["", "r"])).unwrap();
    let _ = events(&mut req);
    req.recv().unwrap();
    assert_eq!(events(&mut req), vec![Event::SendAllowed]);

    let mut rep = with_peers(Rep, Options::default(), Req, 1);
    rep.peer_message(PeerId(1), msg(&["", "q"])).unwrap();
    let _ = events(&mut rep);
    rep.recv().unwrap();
    assert_eq!(events(&mut rep), vec![Event::SendAllowed]);

    let mut pull = with_peers(Pull, Options::default(), Push, 1);
    pull.peer_message(PeerId(1), msg(&["m"])).unwrap();
    pull.recv().unwrap();
    assert!(events(&mut pull).is_empty(), "other patterns say nothing");
}

/// Messages of every shape the patterns tell apart: one frame, several, an
/// empty delimiter first (REQ/REP envelopes), a group-like first frame.
fn run_messages() -> Vec<Message> {
    vec![
        msg(&["a"]),
        msg(&["", "b"]),
        msg(&["x", "y"]),
        msg(&["", "c"]),
        msg(&["d"]),
        msg(&["g", "e"]),
        msg(&["f"]),
    ]
}

/// A socket of type `t` with one compatible peer attached, RCVHWM and
/// CONFLATE set, subscribed to everything where it can be, and `queued`
/// messages already in from the peer.
fn run_socket(t: SocketType, rcvhwm: u32, conflate: bool, queued: usize) -> Option<Socket> {
    let peer_type = SocketType::ALL
        .into_iter()
        .find(|p| t.is_compatible_with(*p))?;
    let mut s = socket(t);
    s.set_option(SocketOption::RcvHwm(rcvhwm)).ok()?;
    if conflate {
        s.set_option(SocketOption::Conflate(true)).ok()?;
    }
    let _ = s.set_option(SocketOption::Subscribe(Bytes::new()));
    let _ = s.join(b("g"));
    s.attach(PeerId(1), PeerInfo::new(peer_type)).ok()?;
    for m in run_messages().into_iter().cycle().take(queued) {
        let _ = s.peer_message(PeerId(1), m);
    }
    Some(s)
}

/// `peer_messages` is by definition `peer_message` for each message in
/// turn, stopping at the first refused: for every pattern, RCVHWM, CONFLATE,
/// queue already there and run length, both leave the same socket (queues,
/// blocked flags, events) and the same messages not taken, and receiving
/// afterwards gives the same messages.
#[test]
fn a_run_of_messages_is_the_same_as_its_messages_one_by_one() {
    let mut compared = 0;
    for t in SocketType::ALL {
        for rcvhwm in [0, 1, 2, 5] {
            for conflate in [false, true] {
                for queued in 0..4 {
                    for len in 0..=run_messages().len() {
                        let Some(mut one_by_one) = run_socket(t, rcvhwm, conflate, queued) else {
                            continue;
                        };
                        let mut as_run = one_by_one.clone();
                        let mut left: VecDeque<Message> =
                            run_messages().into_iter().take(len).collect();
                        let mut run = left.clone();
                        while let Some(m) = left.pop_front() {
                            if let Err(Backpressure(m)) = one_by_one.peer_message(PeerId(1), m) {
                                left.push_front(m);
                                break;
                            }
                        }
                        as_run.peer_messages(PeerId(1), &mut run);
                        let case = format!(
                            "{t:?} rcvhwm {rcvhwm} conflate {conflate} queued {queued} run {len}"
                        );
                        assert_eq!(run, left, "{case}: messages not taken");
                        assert_eq!(as_run, one_by_one, "{case}: socket state");
                        let a: Vec<_> = std::iter::from_fn(|| one_by_one.recv().ok()).collect();
                        let b: Vec<_> = std::iter::from_fn(|| as_run.recv().ok()).collect();
                        assert_eq!(a, b, "{case}: received");
                        compared += 1;
                    }
                }
            }
        }
    }
    assert!(compared > 1000, "only {compared} cases ran");
}

#[test]
fn a_run_for_a_peer_not_attached_is_dropped_whole() {
    let mut s = socket(Pull);
    let mut run: VecDeque<Message> = run_messages().into();
    s.peer_messages(PeerId(9), &mut run);
    assert!(run.is_empty());
    assert_eq!(s, socket(Pull));
}

#[test]
fn a_run_past_rcvhwm_blocks_the_peer_until_a_receive_makes_room() {
    let mut s = socket(Pull);
    s.set_option(SocketOption::RcvHwm(3)).unwrap();
    s.attach(PeerId(1), PeerInfo::new(Push)).unwrap();
    let mut run: VecDeque<Message> = run_messages().into();
    s.peer_messages(PeerId(1), &mut run);
    assert_eq!(run.len(), run_messages().len() - 3);
    assert_eq!(
        run.front(),
        Some(&run_messages()[3]),
        "the first refused leads"
    );
    while s.poll_event().is_some() {}
    assert_eq!(s.recv().unwrap(), run_messages()[0]);
    assert!(
        std::iter::from_fn(|| s.poll_event()).any(|e| e == Event::InputResumed(PeerId(1))),
        "a receive below RCVHWM resumes the blocked peer"
    );
}

/// A socket of type `t` with `loads.len()` compatible peers, RCVHWM
/// `hwm.0` (so that some are blocked), peer `i + 1` having sent `loads[i]`
/// messages, then RCVHWM `hwm.1` (a lower one leaves a blocked peer without
/// room for more than one receive), and peer 2 departed if `depart`.
fn recv_socket(t: SocketType, loads: &[usize], hwm: (u32, u32), depart: bool) -> Option<Socket> {
    let peer_type = SocketType::ALL
        .into_iter()
        .find(|p| t.is_compatible_with(*p))?;
    let mut s = socket(t);
    s.set_option(SocketOption::RcvHwm(hwm.0)).ok()?;
    let _ = s.set_option(SocketOption::Subscribe(Bytes::new()));
    let _ = s.join(b("g"));
    for (i, load) in loads.iter().enumerate() {
        let peer = PeerId(i as u64 + 1);
        if s.attach(peer, PeerInfo::new(peer_type)).is_err() {
            continue;
        }
        for m in run_messages().into_iter().cycle().take(*load) {
            let _ = s.peer_message(peer, m);
        }
    }
    s.set_option(SocketOption::RcvHwm(hwm.1)).ok()?;
    if depart {
        s.depart(PeerId(2));
    }
    while s.poll_event().is_some() {}
    Some(s)
}

/// `recv_messages` is by definition `recv` repeated up to `max` or its
/// first error: for every pattern, spread of messages over peers (blocked
/// ones among them, a departed one) and `max`, both give the same messages
/// or error and leave the same socket (fair-queue turn, resumed peers,
/// events).
#[test]
fn a_run_of_receives_is_the_same_as_its_receives_one_by_one() {
    let mut compared = 0;
    for t in SocketType::ALL {
        for loads in [
            &[3][..],
            &[0, 3],
            &[3, 0],
            &[2, 1],
            &[1, 3, 2],
            &[0, 0],
            &[4, 4, 0],
        ] {
            for (hwm, depart) in [((2, 2), false), ((2, 2), true), ((3, 1), false)] {
                for max in 0..7 {
                    let Some(mut one_by_one) = recv_socket(t, loads, hwm, depart) else {
                        continue;
                    };
                    let mut as_run = one_by_one.clone();
                    let mut a = Vec::new();
                    let mut a_result = Ok(0);
                    while a.len() < max {
                        match one_by_one.recv() {
                            Ok(m) => a.push(m),
                            Err(e) => {
                                if a.is_empty() {
                                    a_result = Err(e);
                                }
                                break;
                            }
                        }
                    }
                    if a_result.is_ok() {
                        a_result = Ok(a.len());
                    }
                    let mut b = Vec::new();
                    let b_result = as_run.recv_messages(&mut b, max);
                    let case =
                        format!("{t:?} loads {loads:?} hwm {hwm:?} depart {depart} max {max}");
                    assert_eq!(b_result, a_result, "{case}: result");
                    assert_eq!(b, a, "{case}: messages");
                    assert_eq!(as_run, one_by_one, "{case}: socket state");
                    let ea: Vec<_> = std::iter::from_fn(|| one_by_one.poll_event()).collect();
                    let eb: Vec<_> = std::iter::from_fn(|| as_run.poll_event()).collect();
                    assert_eq!(eb, ea, "{case}: events");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 1000, "only {compared} cases ran");
}
