use bytes::Bytes;

use super::*;

fn m(frames: &[&'static str]) -> Message {
    Message::from_frames(frames.iter().map(|f| Bytes::from_static(f.as_bytes())))
}

fn msg_item(frames: &[&'static str]) -> Outgoing {
    Outgoing::Message(m(frames))
}

fn attach(peer: u64, t: SocketType) -> TraceEvent {
    TraceEvent::Attach(PeerId(peer), PeerInfo::new(t))
}

#[test]
fn rep_round_trip_is_explained() {
    let mut o = Oracle::new(SocketType::Rep, Options::default()).unwrap();
    o.observe_all(&[
        attach(1, SocketType::Req),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["", "q"])),
        TraceEvent::Recv(m(&["q"])),
        TraceEvent::Send(m(&["r"])),
        TraceEvent::ToPeer(PeerId(1), msg_item(&["", "r"])),
    ])
    .unwrap();
    assert_eq!(o.position(), 5);
}

#[test]
fn reply_to_the_wrong_peer_is_rejected_28_r17() {
    let mut o = Oracle::new(SocketType::Rep, Options::default()).unwrap();
    let trace = [
        attach(1, SocketType::Req),
        attach(2, SocketType::Req),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["", "q"])),
        TraceEvent::Recv(m(&["q"])),
        TraceEvent::Send(m(&["r"])),
        TraceEvent::ToPeer(PeerId(2), msg_item(&["", "r"])),
    ];
    let err = o.observe_all(&trace).unwrap_err();
    assert_eq!(err.index, 5);
    assert!(!err.possible.is_empty());
}

#[test]
fn load_balancing_choice_is_left_open() {
    // A third-party PUSH may start its round-robin with either peer.
    let mut o = Oracle::new(SocketType::Push, Options::default()).unwrap();
    o.observe_all(&[
        attach(1, SocketType::Pull),
        attach(2, SocketType::Pull),
        TraceEvent::Send(m(&["a"])),
        TraceEvent::Send(m(&["b"])),
        TraceEvent::ToPeer(PeerId(2), msg_item(&["a"])),
        TraceEvent::ToPeer(PeerId(1), msg_item(&["b"])),
    ])
    .unwrap();
}

#[test]
fn push_duplicating_a_message_is_rejected_37_r43() {
    let mut o = Oracle::new(SocketType::Push, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Pull),
            attach(2, SocketType::Pull),
            TraceEvent::Send(m(&["a"])),
            TraceEvent::ToPeer(PeerId(1), msg_item(&["a"])),
            TraceEvent::ToPeer(PeerId(2), msg_item(&["a"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 4);
}

#[test]
fn fair_queue_order_and_processing_time_are_left_open() {
    let mut o = Oracle::new(SocketType::Pull, Options::default()).unwrap();
    o.observe_all(&[
        attach(1, SocketType::Push),
        attach(2, SocketType::Push),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["a"])),
        TraceEvent::FromPeer(PeerId(2), msg_item(&["b"])),
        TraceEvent::Recv(m(&["b"])),
        TraceEvent::Recv(m(&["a"])),
    ])
    .unwrap();
    // Out of order from one peer is not (37-R44).
    let mut o = Oracle::new(SocketType::Pull, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Push),
            TraceEvent::FromPeer(PeerId(1), msg_item(&["a"])),
            TraceEvent::FromPeer(PeerId(1), msg_item(&["b"])),
            TraceEvent::Recv(m(&["b"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 3);
}

#[test]
fn pub_sending_after_cancel_is_rejected_37_r45() {
    let base = vec![
        attach(1, SocketType::Sub),
        TraceEvent::FromPeer(PeerId(1), Outgoing::Subscribe(Bytes::from_static(b"A"))),
        TraceEvent::FromPeer(PeerId(1), Outgoing::Cancel(Bytes::from_static(b"A"))),
        TraceEvent::Send(m(&["A1"])),
    ];
    // The PUB may have sent before it processed the CANCEL.
    let mut early = base.clone();
    early.push(TraceEvent::ToPeer(PeerId(1), msg_item(&["A1"])));
    Oracle::new(SocketType::Pub, Options::default())
        .unwrap()
        .observe_all(&early)
        .unwrap();
    // Not once the SUB's next message shows the CANCEL was processed:
    // here, a second send after a message that proves the order.
    let mut o = Oracle::new(SocketType::Pub, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Sub),
            TraceEvent::Send(m(&["A0"])),
            TraceEvent::ToPeer(PeerId(1), msg_item(&["A0"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 2, "no subscription: nothing may be sent");
}

#[test]
fn req_second_request_is_rejected_28_r01() {
    let mut o = Oracle::new(SocketType::Req, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Rep),
            TraceEvent::Send(m(&["1"])),
            TraceEvent::Send(m(&["2"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 2);
    assert_eq!(err.possible.len(), 1);
    assert!(err.possible[0].socket.is_awaiting());
}

#[test]
fn pair_second_peer_is_rejected_31_r10() {
    let mut o = Oracle::new(SocketType::Pair, Options::default()).unwrap();
    let err = o
        .observe_all(&[attach(1, SocketType::Pair), attach(2, SocketType::Pair)])
        .unwrap_err();
    assert_eq!(err.index, 1);
}

#[test]
fn detach_loses_unprocessed_input() {
    let mut o = Oracle::new(SocketType::Pull, Options::default()).unwrap();
    o.observe_all(&[
        attach(1, SocketType::Push),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["a"])),
        TraceEvent::Detach(PeerId(1)),
    ])
    .unwrap();
    let err = o.observe(&TraceEvent::Recv(m(&["a"]))).unwrap_err();
    assert_eq!(err.index, 3);
}

fn router(mandatory: bool) -> Oracle {
    let mut o = Oracle::new(SocketType::Router, Options::default()).unwrap();
    o.observe_all(&[
        TraceEvent::SetOption(SocketOption::RouterMandatory(mandatory)),
        TraceEvent::Attach(
            PeerId(1),
            PeerInfo::new(SocketType::Dealer).with_routing_id(Bytes::from_static(b"A")),
        ),
    ])
    .unwrap();
    o
}

#[test]
fn router_mandatory_refusing_an_unknown_identity_is_explained_28_r42() {
    let mut o = router(true);
    o.observe_all(&[
        TraceEvent::SendRefused(m(&["nobody", "x"])),
        TraceEvent::Send(m(&["A", "y"])),
        TraceEvent::ToPeer(PeerId(1), msg_item(&["y"])),
    ])
    .unwrap();
}

#[test]
fn router_without_mandatory_refusing_is_rejected_28_r42() {
    // Without ROUTER_MANDATORY the model drops the message silently.
    let err = router(false)
        .observe(&TraceEvent::SendRefused(m(&["nobody", "x"])))
        .unwrap_err();
    assert_eq!(err.index, 2);
}

#[test]
fn refusing_a_known_identity_is_rejected_28_r41() {
    let err = router(true)
        .observe(&TraceEvent::SendRefused(m(&["A", "x"])))
        .unwrap_err();
    assert_eq!(err.index, 2);
}

#[test]
fn a_refused_send_takes_nothing() {
    // REQ awaiting its reply refuses a second request (28-R01); the
    // refused request never reaches the peer.
    let mut o = Oracle::new(SocketType::Req, Options::default()).unwrap();
    let trace = [
        attach(1, SocketType::Rep),
        TraceEvent::Send(m(&["q1"])),
        TraceEvent::SendRefused(m(&["q2"])),
        TraceEvent::ToPeer(PeerId(1), msg_item(&["", "q1"])),
        TraceEvent::ToPeer(PeerId(1), msg_item(&["", "q2"])),
    ];
    let err = o.observe_all(&trace).unwrap_err();
    assert_eq!(err.index, 4);
}

#[test]
fn push_with_room_refusing_is_rejected_30_r11() {
    let mut o = Oracle::new(SocketType::Push, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Pull),
            TraceEvent::SendRefused(m(&["a"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 1);
    // With no peer at all (IMMEDIATE semantics aside), PUSH has nowhere to
    // put it: refused.
    let mut o = Oracle::new(SocketType::Push, Options::default()).unwrap();
    o.observe(&TraceEvent::SendRefused(m(&["a"]))).unwrap();
}
