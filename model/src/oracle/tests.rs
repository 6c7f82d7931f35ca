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

fn join_item(group: &'static str) -> Outgoing {
    Outgoing::Join(Bytes::from_static(group.as_bytes()))
}

fn group(g: &'static str) -> Bytes {
    Bytes::from_static(g.as_bytes())
}

/// SERVER's first two peers get routing ids 1 and 2.
const ID1: &str = "\0\0\0\x01";

#[test]
fn server_replies_to_the_client_that_asked_rfc41() {
    let mut o = Oracle::new(SocketType::Server, Options::default()).unwrap();
    o.observe_all(&[
        attach(1, SocketType::Client),
        attach(2, SocketType::Client),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["q"])),
        TraceEvent::Recv(m(&[ID1, "q"])),
        TraceEvent::Send(m(&[ID1, "r"])),
        TraceEvent::ToPeer(PeerId(1), msg_item(&["r"])),
    ])
    .unwrap();
}

#[test]
fn server_reply_to_the_other_client_is_rejected_rfc41() {
    let mut o = Oracle::new(SocketType::Server, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Client),
            attach(2, SocketType::Client),
            TraceEvent::FromPeer(PeerId(1), msg_item(&["q"])),
            TraceEvent::Recv(m(&[ID1, "q"])),
            TraceEvent::Send(m(&[ID1, "r"])),
            TraceEvent::ToPeer(PeerId(2), msg_item(&["r"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 5);
}

#[test]
fn server_delivering_a_multipart_message_is_rejected_37_r57() {
    let mut o = Oracle::new(SocketType::Server, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Client),
            TraceEvent::FromPeer(PeerId(1), msg_item(&["a", "b"])),
            TraceEvent::Recv(m(&[ID1, "a", "b"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 2);
}

#[test]
fn client_round_trip_and_refused_multipart_are_explained_37_r56() {
    let mut o = Oracle::new(SocketType::Client, Options::default()).unwrap();
    o.observe_all(&[
        attach(1, SocketType::Server),
        TraceEvent::SendRefused(m(&["a", "b"])),
        TraceEvent::Send(m(&["a"])),
        TraceEvent::ToPeer(PeerId(1), msg_item(&["a"])),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["x", "y"])),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["r"])),
        TraceEvent::Recv(m(&["r"])),
    ])
    .unwrap();
}

#[test]
fn client_taking_a_multipart_send_is_rejected_37_r56() {
    let mut o = Oracle::new(SocketType::Client, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Server),
            TraceEvent::Send(m(&["a", "b"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 1);
}

#[test]
fn radio_sends_to_the_dish_that_joined_37_r52() {
    let mut o = Oracle::new(SocketType::Radio, Options::default()).unwrap();
    o.observe_all(&[
        attach(1, SocketType::Dish),
        attach(2, SocketType::Dish),
        TraceEvent::FromPeer(PeerId(1), join_item("g")),
        TraceEvent::Send(m(&["g", "x"])),
        TraceEvent::ToPeer(PeerId(1), msg_item(&["g", "x"])),
    ])
    .unwrap();
}

#[test]
fn radio_sending_to_a_dish_that_did_not_join_is_rejected_37_r52() {
    let mut o = Oracle::new(SocketType::Radio, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Dish),
            attach(2, SocketType::Dish),
            TraceEvent::FromPeer(PeerId(1), join_item("g")),
            TraceEvent::Send(m(&["g", "x"])),
            TraceEvent::ToPeer(PeerId(2), msg_item(&["g", "x"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 4);
}

#[test]
fn radio_sending_after_a_processed_leave_is_rejected_37_r54() {
    let mut o = Oracle::new(SocketType::Radio, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Dish),
            TraceEvent::FromPeer(PeerId(1), join_item("g")),
            TraceEvent::Send(m(&["g", "x"])),
            TraceEvent::ToPeer(PeerId(1), msg_item(&["g", "x"])),
            TraceEvent::FromPeer(PeerId(1), Outgoing::Leave(group("g"))),
            // Whenever the LEAVE is processed, "z" cannot go out first:
            // before "y", both are queued ("y" ahead); before "z", "y" is
            // queued; otherwise both are dropped.
            TraceEvent::Send(m(&["g", "y"])),
            TraceEvent::Send(m(&["g", "z"])),
            TraceEvent::ToPeer(PeerId(1), msg_item(&["g", "z"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 7);
}

#[test]
fn dish_joins_late_peers_and_receives_its_group_37_r53() {
    let mut o = Oracle::new(SocketType::Dish, Options::default()).unwrap();
    o.observe_all(&[
        TraceEvent::Join(group("g")),
        attach(1, SocketType::Radio),
        TraceEvent::ToPeer(PeerId(1), join_item("g")),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["g", "x"])),
        TraceEvent::Recv(m(&["g", "x"])),
        TraceEvent::Leave(group("g")),
        TraceEvent::ToPeer(PeerId(1), Outgoing::Leave(group("g"))),
    ])
    .unwrap();
}

#[test]
fn dish_delivering_a_group_it_did_not_join_is_rejected_rfc48() {
    let mut o = Oracle::new(SocketType::Dish, Options::default()).unwrap();
    let err = o
        .observe_all(&[
            attach(1, SocketType::Radio),
            TraceEvent::Join(group("g")),
            TraceEvent::ToPeer(PeerId(1), join_item("g")),
            TraceEvent::FromPeer(PeerId(1), msg_item(&["h", "y"])),
            TraceEvent::Recv(m(&["h", "y"])),
        ])
        .unwrap_err();
    assert_eq!(err.index, 4);
}

#[test]
fn dish_leaving_a_group_it_never_joined_is_rejected_37_r54() {
    let mut o = Oracle::new(SocketType::Dish, Options::default()).unwrap();
    let err = o
        .observe_all(&[attach(1, SocketType::Radio), TraceEvent::Leave(group("g"))])
        .unwrap_err();
    assert_eq!(err.index, 1);
}

#[test]
fn depart_keeps_what_was_delivered_readable() {
    let mut o = Oracle::new(SocketType::Pull, Options::default()).unwrap();
    o.observe_all(&[
        attach(1, SocketType::Push),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["a"])),
        TraceEvent::Depart(PeerId(1)),
        TraceEvent::Recv(m(&["a"])),
    ])
    .unwrap();
    let err = o.observe(&TraceEvent::Recv(m(&["a"]))).unwrap_err();
    assert_eq!(err.index, 4, "read once only");
}

#[test]
fn nothing_is_sent_to_a_departed_peer() {
    let mut o = Oracle::new(SocketType::Dealer, Options::default()).unwrap();
    o.observe_all(&[
        attach(1, SocketType::Dealer),
        attach(2, SocketType::Dealer),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["unread"])),
        TraceEvent::Depart(PeerId(1)),
        TraceEvent::Send(m(&["x"])),
    ])
    .unwrap();
    let mut to_gone = o.clone();
    let err = to_gone
        .observe(&TraceEvent::ToPeer(PeerId(1), msg_item(&["x"])))
        .unwrap_err();
    assert_eq!(err.index, 5);
    o.observe(&TraceEvent::ToPeer(PeerId(2), msg_item(&["x"])))
        .unwrap();
}

/// A subscriber subscribed to "A" receives "B...", which it never asked for.
fn unsubscribed_delivery(t: SocketType) -> Vec<TraceEvent> {
    vec![
        attach(1, SocketType::Pub),
        TraceEvent::SetOption(SocketOption::Subscribe(Bytes::from_static(b"A"))),
        TraceEvent::ToPeer(PeerId(1), Outgoing::Subscribe(Bytes::from_static(b"A"))),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["B1"])),
        TraceEvent::Recv(m(&["B1"])),
    ]
    .into_iter()
    .map(|e| match (t, e) {
        // XSUB subscribes by sending the subscription message.
        (SocketType::XSub, TraceEvent::SetOption(_)) => TraceEvent::Send(m(&["\u{1}A"])),
        (_, e) => e,
    })
    .collect()
}

#[test]
fn an_xsub_may_deliver_what_it_did_not_subscribe_to_29_s07() {
    let mut o = Oracle::new(SocketType::XSub, Options::default()).unwrap();
    o.observe_all(&unsubscribed_delivery(SocketType::XSub))
        .expect("an XSUB that does not filter is correct (libzmq's)");
    // A filtering XSUB is correct too: "A1" is explained as well.
    let mut o = Oracle::new(SocketType::XSub, Options::default()).unwrap();
    let mut trace = unsubscribed_delivery(SocketType::XSub);
    trace.truncate(3);
    trace.push(TraceEvent::FromPeer(PeerId(1), msg_item(&["A1"])));
    trace.push(TraceEvent::Recv(m(&["A1"])));
    o.observe_all(&trace).unwrap();
}

#[test]
fn a_sub_that_delivers_an_unsubscribed_topic_is_rejected() {
    // SUB has the same MAY (29-S06), but the oracle keeps to the filtering
    // SUB that libzmq, every library in the matrix and ours are: offering
    // the other choice would blind the SUB filter cases. (A SUB that does
    // not filter would be reported wrongly: see FINDINGS.md.)
    let mut o = Oracle::new(SocketType::Sub, Options::default()).unwrap();
    let err = o
        .observe_all(&unsubscribed_delivery(SocketType::Sub))
        .unwrap_err();
    assert_eq!(err.index, 4);
}

#[test]
fn an_xsub_with_no_subscription_may_deliver_29_s07() {
    let mut o = Oracle::new(SocketType::XSub, Options::default()).unwrap();
    o.observe_all(&[
        TraceEvent::Connect(PeerId(1)),
        attach(1, SocketType::XPub),
        TraceEvent::FromPeer(PeerId(1), msg_item(&["m59"])),
        TraceEvent::Recv(m(&["m59"])),
    ])
    .unwrap();
}
