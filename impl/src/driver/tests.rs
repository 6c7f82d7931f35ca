//! The driver and the socket core against a scripted link: no socket, no
//! wire, only the events a link reports. Each pattern goes through
//! connect, handshake, traffic, loss and reconnect, and the peer lifecycle
//! the machine keeps decides what becomes of its queues.

use std::time::Duration;

use bytes::Bytes;
use zmtp_model::{Outgoing, PeerId, PeerInfo, PeerState};
use zmtp_spec::wire::Metadata;
use zmtp_spec::{Message, SocketType};

use crate::link::Input;
use crate::link::fake::{Fake, drive};
use crate::{Context, Error, Socket};

fn frames(parts: &[&'static str]) -> Message {
    Message::from_frames(parts.iter().map(|p| Bytes::from_static(p.as_bytes())))
}

fn state(socket: &Socket, id: PeerId) -> PeerState {
    socket.shared.lock().pattern.peer_state(id)
}

/// Waits (bounded) until `cond` holds.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..500 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn handshake(socket: &Socket, fake: &Fake, id: PeerId, info: PeerInfo) {
    fake.push(Input::Handshake(info, Metadata::new()));
    until("the handshake is done", || {
        state(socket, id) == PeerState::Active
    })
    .await;
}

async fn recv(socket: &Socket) -> Message {
    match tokio::time::timeout(Duration::from_secs(2), socket.recv()).await {
        Ok(r) => r.expect("recv"),
        Err(_) => panic!("recv timed out"),
    }
}

/// A message from a peer, and the check that the application read it.
type Inbound = (Message, fn(&Message) -> bool);

/// The peer type each socket type talks to, and what that peer sends and
/// what our application then reads, for the patterns that receive.
struct Case {
    ours: SocketType,
    theirs: SocketType,
    /// A message from the peer and what the application reads of it.
    inbound: Option<Inbound>,
}

fn cases() -> Vec<Case> {
    use SocketType::*;
    let plain = |m: &Message| m == &frames(&["m"]);
    let tagged = |m: &Message| m.len() == 2 && m.frames()[1] == "m";
    vec![
        Case {
            ours: Pull,
            theirs: Push,
            inbound: Some((frames(&["m"]), plain)),
        },
        Case {
            ours: Dealer,
            theirs: Dealer,
            inbound: Some((frames(&["m"]), plain)),
        },
        Case {
            ours: Router,
            theirs: Dealer,
            inbound: Some((frames(&["m"]), tagged)),
        },
        Case {
            ours: Rep,
            theirs: Req,
            inbound: Some((frames(&["", "m"]), plain)),
        },
        Case {
            ours: Pair,
            theirs: Pair,
            inbound: Some((frames(&["m"]), plain)),
        },
        Case {
            ours: Sub,
            theirs: Pub,
            inbound: Some((frames(&["m"]), plain)),
        },
        Case {
            ours: XPub,
            theirs: XSub,
            inbound: Some((frames(&["m"]), plain)),
        },
        Case {
            ours: Server,
            theirs: Client,
            inbound: Some((frames(&["m"]), tagged)),
        },
        Case {
            ours: Client,
            theirs: Server,
            inbound: Some((frames(&["m"]), plain)),
        },
        Case {
            ours: Dish,
            theirs: Radio,
            inbound: Some((frames(&["g", "m"]), tagged)),
        },
        Case {
            ours: Push,
            theirs: Pull,
            inbound: None,
        },
        Case {
            ours: Req,
            theirs: Rep,
            inbound: None,
        },
        Case {
            ours: Pub,
            theirs: Sub,
            inbound: None,
        },
        Case {
            ours: XSub,
            theirs: XPub,
            inbound: None,
        },
        Case {
            ours: Radio,
            theirs: Dish,
            inbound: None,
        },
    ]
}

fn socket_of(ctx: &Context, t: SocketType) -> Socket {
    let s = ctx.socket(t).expect("socket");
    if t == SocketType::Sub {
        s.subscribe("").expect("subscribe");
    }
    if t == SocketType::Dish {
        s.join("g").expect("join");
    }
    s
}

/// Every pattern: an accepted peer's handshake makes it Active, its
/// message is read, and when it hangs up it departs: the slot goes, the
/// message it delivered before going is still read, then it is Gone.
#[tokio::test]
async fn an_accepted_peer_of_every_pattern_departs_and_stays_readable() {
    let ctx = Context::new().expect("context");
    for case in cases() {
        let socket = socket_of(&ctx, case.ours);
        let id = socket.shared.lock().accepted_peer();
        assert_eq!(state(&socket, id), PeerState::Handshaking, "{}", case.ours);
        let fake = drive(&socket, id, false);
        handshake(&socket, &fake, id, PeerInfo::new(case.theirs)).await;
        let Some((inbound, read)) = &case.inbound else {
            fake.hang_up();
            until("the peer is gone", || state(&socket, id) == PeerState::Gone).await;
            continue;
        };
        fake.push(Input::Item(Outgoing::Message(inbound.clone())));
        fake.push(Input::Item(Outgoing::Message(inbound.clone())));
        // The link hands the driver both messages before its end of input,
        // so both are delivered before the peer can depart.
        until("a message is queued", || {
            socket.shared.lock().pattern.can_recv()
        })
        .await;
        let first = recv(&socket).await;
        assert!(read(&first), "{}: read {first:?}", case.ours);
        if case.ours == SocketType::Rep {
            socket
                .try_send("reply")
                .expect("REP replies before its next recv");
        }
        fake.hang_up();
        until("the peer departs", || {
            state(&socket, id) != PeerState::Active
        })
        .await;
        assert!(
            !socket.shared.lock().slots.contains_key(&id),
            "{}: its slot is gone",
            case.ours
        );
        let second = recv(&socket).await;
        assert!(
            read(&second),
            "{}: read {second:?} after it left",
            case.ours
        );
        assert_eq!(state(&socket, id), PeerState::Gone, "{}", case.ours);
    }
}

/// The load-balancing patterns: once a peer departs, every send goes to
/// the live one; with none left, a send would block.
#[tokio::test]
async fn load_balanced_sends_skip_a_departed_peer() {
    use SocketType::*;
    let ctx = Context::new().expect("context");
    for (ours, theirs) in [
        (Push, Pull),
        (Dealer, Router),
        (Pair, Pair),
        (Client, Server),
    ] {
        let socket = socket_of(&ctx, ours);
        let gone = socket.shared.lock().accepted_peer();
        let gone_link = drive(&socket, gone, false);
        handshake(&socket, &gone_link, gone, PeerInfo::new(theirs)).await;
        gone_link.hang_up();
        until("the first peer is gone", || {
            state(&socket, gone) == PeerState::Gone
        })
        .await;
        assert!(
            matches!(socket.try_send("x"), Err(Error::WouldBlock)),
            "{ours}: no live peer, the send would block"
        );
        if ours == Pair {
            continue;
        }
        let live = socket.shared.lock().accepted_peer();
        let live_link = drive(&socket, live, false);
        handshake(&socket, &live_link, live, PeerInfo::new(theirs)).await;
        for i in 0..10 {
            socket.try_send(format!("{i}")).expect("send");
        }
        until("ten messages reach the live peer", || {
            live_link.sent_messages().len() == 10
        })
        .await;
        assert!(gone_link.sent_messages().is_empty(), "{ours}");
    }
}

/// The load-balancing patterns on the connect side (IMMEDIATE off): a
/// message sent before the first connection, and one sent while the
/// connection is down, both go out on the next connection to the same
/// peer id; once the endpoint is given up the peer is Gone.
#[tokio::test]
async fn a_connect_peer_keeps_its_queue_across_reconnects() {
    use SocketType::*;
    let ctx = Context::new().expect("context");
    for (ours, theirs) in [
        (Push, Pull),
        (Dealer, Router),
        (Pair, Pair),
        (Client, Server),
    ] {
        let socket = socket_of(&ctx, ours);
        let id = socket.shared.lock().connecting_peer();
        assert_eq!(state(&socket, id), PeerState::Connecting, "{ours}");
        socket.try_send("before").expect("queued while away");
        socket.shared.lock().pattern.connection_up(id);
        let first = drive(&socket, id, true);
        handshake(&socket, &first, id, PeerInfo::new(theirs)).await;
        until("the queued message goes out", || {
            first.sent_messages() == vec![frames(&["before"])]
        })
        .await;
        first.hang_up();
        until("the peer waits for a reconnect", || {
            state(&socket, id) == PeerState::Connecting
        })
        .await;
        assert!(socket.shared.lock().slots.contains_key(&id), "{ours}");
        socket.try_send("while away").expect("queued while away");
        socket.shared.lock().pattern.connection_up(id);
        let second = drive(&socket, id, true);
        handshake(&socket, &second, id, PeerInfo::new(theirs)).await;
        until("the message queued while away goes out", || {
            second.sent_messages() == vec![frames(&["while away"])]
        })
        .await;
        socket.shared.lock().forget_peer(id);
        assert_eq!(state(&socket, id), PeerState::Gone, "{ours}");
    }
}

/// A refused handshake (a second PAIR peer) closes the connection with
/// ERROR and leaves the first peer alone.
#[tokio::test]
async fn a_refused_peer_is_closed_with_an_error() {
    let ctx = Context::new().expect("context");
    let socket = socket_of(&ctx, SocketType::Pair);
    let first = socket.shared.lock().accepted_peer();
    let first_link = drive(&socket, first, false);
    handshake(&socket, &first_link, first, PeerInfo::new(SocketType::Pair)).await;
    let second = socket.shared.lock().accepted_peer();
    let second_link = drive(&socket, second, false);
    second_link.push(Input::Handshake(
        PeerInfo::new(SocketType::Pair),
        Metadata::new(),
    ));
    until("the second peer is closed", || {
        second_link.script().closed.is_some()
    })
    .await;
    let reason = second_link.script().closed.clone().flatten();
    assert_eq!(
        reason.map(|r| r.as_bytes().clone()),
        Some(Bytes::from_static(b"refused"))
    );
    until("the refused peer is gone", || {
        state(&socket, second) == PeerState::Gone
    })
    .await;
    assert_eq!(state(&socket, first), PeerState::Active);
}
