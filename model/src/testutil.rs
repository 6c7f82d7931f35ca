//! Helpers for the unit tests.

use bytes::Bytes;

use crate::{Message, Options, Outgoing, PeerId, PeerInfo, Socket, SocketType};

/// A message of string frames.
pub(crate) fn msg(frames: &[&'static str]) -> Message {
    Message::from_frames(frames.iter().map(|f| Bytes::from_static(f.as_bytes())))
}

/// A frame from a string.
pub(crate) fn b(s: &'static str) -> Bytes {
    Bytes::from_static(s.as_bytes())
}

/// A socket with default options.
pub(crate) fn socket(t: SocketType) -> Socket {
    Socket::new(t, Options::default()).unwrap()
}

/// A socket with the given options.
pub(crate) fn socket_with(t: SocketType, options: Options) -> Socket {
    Socket::new(t, options).unwrap()
}

/// A socket with peers 1..=n of type `peer_type` attached.
pub(crate) fn with_peers(t: SocketType, options: Options, peer_type: SocketType, n: u64) -> Socket {
    let mut s = socket_with(t, options);
    for id in 1..=n {
        s.attach(PeerId(id), PeerInfo::new(peer_type)).unwrap();
    }
    s
}

/// Everything queued for a peer.
pub(crate) fn drain(s: &mut Socket, peer: u64) -> Vec<Outgoing> {
    std::iter::from_fn(|| s.poll_transmit(PeerId(peer))).collect()
}

/// The messages queued for a peer (subscriptions skipped).
pub(crate) fn drain_msgs(s: &mut Socket, peer: u64) -> Vec<Message> {
    drain(s, peer)
        .into_iter()
        .filter_map(|o| match o {
            Outgoing::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}
