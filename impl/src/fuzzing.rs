//! The body of the `socket_core` fuzz target (feature `fuzzing`, for
//! fuzz/ and this crate's tests; not part of the API): one socket's core,
//! its connection drivers and its pattern machine, driven through scripted
//! links ([`crate::link::fake`]) by arbitrary peer events and application
//! calls, on a current-thread runtime this module keeps per thread.
//!
//! Input: octet 0 the socket type (every type but STREAM, whose links
//! carry raw octets), then operations until the input runs out (at most
//! [`MAX_OPS`]), each a tag octet (modulo 9) and its data:
//!
//! | tag | operation |
//! |---|---|
//! | 0 | a new peer, accepted (bit 0 of the next octet clear) or connecting |
//! | 1 | peer N's handshake, as a compatible type chosen by the next octet, with a routing id or not |
//! | 2 | peer N sends a message (1-3 frames of 0-15 octets) |
//! | 3 | peer N subscribes, cancels, joins or leaves (a topic of 0-3 octets) |
//! | 4 | peer N hangs up |
//! | 5 | the application sends a message (as the type sends: to a routing id it has seen for ROUTER and SERVER, to a group for RADIO) |
//! | 6 | the application receives |
//! | 7 | the application subscribes, unsubscribes, joins or leaves |
//! | 8 | the runtime runs until the drivers are idle |
//!
//! Checks: no panic and no hang (every run of the runtime is bounded);
//! every message the application receives ends with a frame some peer sent
//! as the last frame of a message, or is XPUB's notice of a peer's
//! subscription; every message a link is given to write ends with the last
//! frame of a message the application sent.

use std::cell::RefCell;
use std::collections::HashSet;

use bytes::Bytes;
use zmtp_model::{Outgoing, PeerInfo};
use zmtp_spec::connection::PeerError;
use zmtp_spec::fuzzing::Choices;
use zmtp_spec::{Message, SocketType};

use crate::link::Input;
use crate::link::fake::{Fake, drive};
use crate::{Context, Socket, opt};

/// The most operations one input runs.
pub const MAX_OPS: usize = 64;
/// The most peers one input makes.
const MAX_PEERS: usize = 4;
/// How many times a settle lets the drivers run.
const SETTLE_YIELDS: usize = 4;

thread_local! {
    static RUNTIME: RefCell<Option<(tokio::runtime::Runtime, Context)>> = const { RefCell::new(None) };
}

/// `max` or fewer octets: a length octet (modulo `max + 1`), then that
/// many.
fn octets(choices: &mut Choices<'_>, max: u8) -> Bytes {
    let n = choices.u8() % (max + 1);
    Bytes::copy_from_slice(choices.bytes(usize::from(n)))
}

/// Target `socket_core` (see the module documentation).
///
/// # Panics
/// When a check fails: that is the finding.
pub fn socket_core(data: &[u8]) {
    let _ = socket_core_counts(data);
}

/// What one input of `socket_core` moved: messages the application read,
/// and messages the links were given to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Messages the application received.
    pub received: usize,
    /// Messages the drivers gave the links to write.
    pub written: usize,
}

/// [`socket_core`], returning what moved (for the tests that check the
/// target reaches the code it means to).
pub fn socket_core_counts(data: &[u8]) -> Counts {
    RUNTIME.with(|cell| {
        let mut cell = cell.borrow_mut();
        let (rt, ctx) = cell.get_or_insert_with(|| {
            // Timers (reconnect intervals, linger) but no I/O driver: the
            // links are scripted, and each yield then skips polling one.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("a current-thread runtime");
            let ctx = Context::with_handle(rt.handle().clone());
            (rt, ctx)
        });
        rt.block_on(run(ctx, data))
    })
}

/// The socket types this target drives.
fn socket_types() -> Vec<SocketType> {
    SocketType::ALL
        .into_iter()
        .filter(|t| *t != SocketType::Stream)
        .collect()
}

/// Lets the drivers run until they have nothing left to do (bounded).
async fn settle() {
    for _ in 0..SETTLE_YIELDS {
        tokio::task::yield_now().await;
    }
}

/// What was sent each way, for the checks.
#[derive(Default)]
struct Sent {
    /// Last frames of the peers' messages, and XPUB's subscription notices.
    by_peers: HashSet<Bytes>,
    /// Last frames of the application's messages.
    by_app: HashSet<Bytes>,
    /// Routing ids the application has read (ROUTER).
    ids: Vec<Bytes>,
    /// Peer ids the application has read (SERVER, PEER).
    server_ids: Vec<u32>,
    /// Messages the application read.
    received: usize,
}

async fn run(ctx: &Context, data: &[u8]) -> Counts {
    let mut choices = Choices::new(data);
    let types = socket_types();
    let ours = types[usize::from(choices.u8()) % types.len()];
    let Ok(socket) = ctx.socket(ours) else {
        return Counts::default();
    };
    let _ = socket.set(opt::Linger, Some(std::time::Duration::ZERO));
    let peer_types: Vec<SocketType> = SocketType::ALL
        .into_iter()
        .filter(|t| ours.is_compatible_with(*t))
        .collect();
    let mut peers: Vec<Fake> = Vec::new();
    let mut sent = Sent::default();
    let mut ops = 0;
    while !choices.is_empty() && ops < MAX_OPS {
        ops += 1;
        let tag = choices.u8() % 9;
        let pick = usize::from(choices.u8());
        match tag {
            0 if peers.len() < MAX_PEERS => {
                let id = if pick & 1 == 0 {
                    socket.shared.lock().accepted_peer()
                } else {
                    let id = socket.shared.lock().connecting_peer();
                    socket.shared.lock().pattern.connection_up(id);
                    id
                };
                peers.push(drive(&socket, id, pick & 1 == 1));
            }
            1..=4 if !peers.is_empty() => {
                let peer = &peers[pick % peers.len()];
                peer_op(tag, peer, &peer_types, &mut choices, &mut sent);
            }
            5 => app_send(&socket, ours, &mut choices, &mut sent),
            6 => {
                app_recv(&socket, ours, &mut sent);
            }
            7 => {
                let topic = octets(&mut choices, 3);
                let _ = match pick % 4 {
                    0 => socket.subscribe(topic),
                    1 => socket.unsubscribe(topic),
                    2 => socket.join(topic),
                    _ => socket.leave(topic),
                };
            }
            _ => {}
        }
        settle().await;
        check_links(&peers, &sent);
    }
    // Drain what is readable, then close.
    for _ in 0..MAX_OPS {
        if !app_recv(&socket, ours, &mut sent) {
            break;
        }
    }
    check_links(&peers, &sent);
    let counts = Counts {
        received: sent.received,
        written: peers.iter().map(|p| p.sent_messages().len()).sum(),
    };
    socket.close();
    for peer in &peers {
        peer.hang_up();
    }
    settle().await;
    counts
}

fn peer_op(tag: u8, peer: &Fake, types: &[SocketType], choices: &mut Choices<'_>, sent: &mut Sent) {
    match tag {
        1 => {
            let pick = usize::from(choices.u8());
            let Some(theirs) = types.get(pick % types.len().max(1)) else {
                return;
            };
            let mut info = PeerInfo::new(*theirs);
            if pick & 0x80 != 0 {
                info.routing_id = Some(octets(choices, 3)).filter(|id| !id.is_empty());
            }
            peer.push(Input::Handshake(info, Default::default()));
        }
        2 => {
            let frames = 1 + choices.u8() % 3;
            let message = Message::from_frames((0..frames).map(|_| octets(choices, 15)));
            if let Some(last) = message.frames().last() {
                sent.by_peers.insert(last.clone());
            }
            peer.push(Input::Item(Outgoing::Message(message)));
        }
        3 => {
            let kind = choices.u8();
            let topic = octets(choices, 3);
            let item = match kind % 4 {
                0 => Outgoing::Subscribe(topic.clone()),
                1 => Outgoing::Cancel(topic.clone()),
                2 => Outgoing::Join(topic.clone()),
                _ => Outgoing::Leave(topic.clone()),
            };
            // XPUB tells its application of subscriptions as messages.
            for flag in [1u8, 0] {
                let mut notice = vec![flag];
                notice.extend_from_slice(&topic);
                sent.by_peers.insert(Bytes::from(notice));
            }
            peer.push(Input::Item(item));
        }
        _ => {
            if choices.u8() & 1 == 0 {
                peer.hang_up();
            } else {
                peer.push(Input::Failed(
                    PeerError::UnexpectedDuringHandshake("a message frame").into(),
                ));
            }
        }
    }
}

fn app_send(socket: &Socket, ours: SocketType, choices: &mut Choices<'_>, sent: &mut Sent) {
    let frames = 1 + choices.u8() % 3;
    let mut message: Vec<Bytes> = (0..frames).map(|_| octets(choices, 15)).collect();
    let body = message.last().cloned().unwrap_or_default();
    sent.by_app.insert(body.clone());
    let _ = match ours {
        SocketType::Router => {
            let id = sent.ids.last().cloned().unwrap_or_default();
            message.insert(0, id);
            socket.try_send(Message::from_frames(message))
        }
        SocketType::Server | SocketType::Peer => {
            let id = sent.server_ids.last().copied().unwrap_or(0);
            socket.try_send_to(id, body)
        }
        SocketType::Radio => socket.send_group(Bytes::from_static(b"g"), body),
        _ if ours.is_thread_safe() => socket.try_send(body),
        _ => socket.try_send(Message::from_frames(message)),
    };
}

/// One receive; `true` if something was read.
fn app_recv(socket: &Socket, ours: SocketType, sent: &mut Sent) -> bool {
    let message = match ours {
        SocketType::Server | SocketType::Peer => match socket.try_recv_from() {
            Ok((id, m)) => {
                sent.server_ids.push(id);
                m
            }
            Err(_) => return false,
        },
        SocketType::Dish => match socket.try_recv_group() {
            Ok((_, m)) => m,
            Err(_) => return false,
        },
        _ => match socket.try_recv() {
            Ok(m) => m,
            Err(_) => return false,
        },
    };
    if ours == SocketType::Router
        && let Some(id) = message.frames().first()
    {
        sent.ids.push(id.clone());
    }
    let last = message.frames().last().cloned().unwrap_or_default();
    assert!(
        sent.by_peers.contains(&last),
        "{ours} delivered {message:?}, whose last frame no peer sent"
    );
    sent.received += 1;
    true
}

fn check_links(peers: &[Fake], sent: &Sent) {
    for peer in peers {
        for m in peer.sent_messages() {
            let last = m.frames().last().cloned().unwrap_or_default();
            assert!(
                sent.by_app.contains(&last),
                "a link was given {m:?}, whose last frame the application never sent"
            );
        }
    }
}
