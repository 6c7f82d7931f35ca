//! What a connection is told before it starts: who we are, how we
//! authenticate, and the timers.

use core::time::Duration;
use std::sync::Arc;

use bytes::Bytes;

use super::mechanism::{Mechanism, Null};
use crate::SocketType;
use crate::wire::Metadata;
use crate::wire::greeting::Protocol;
use crate::wire::zws::Subprotocol;

/// Which end of the TCP connection we are. It decides the mechanism roles
/// (RFC 37: the binding peer is the NULL server, 37-R23) and nothing else:
/// the greeting and the data phase are symmetric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The connecting peer.
    Client,
    /// The binding (accepting) peer.
    Server,
}

/// How many greeting octets we send before hearing from the peer
/// (zmtp-wire.md 4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum GreetingPacing {
    /// libzmq's pacing: the 10-octet pseudo-signature (identity length + 1
    /// in the padding, 37-R60), the version-major once the peer's 10
    /// octets show it is versioned, the rest once its octet 10 is known.
    /// The only pacing that can downgrade to ZMTP 1.0, whose peers read our
    /// first 10 octets as an identity frame header.
    #[default]
    Detect,
    /// The 11-octet partial greeting at once (37-R01), the rest once the
    /// peer's octet 10 is known. Can downgrade to 2.0, not to 1.0.
    Partial,
    /// The whole 64-octet greeting at once, zero padding, no detection
    /// (37-R03, 37-R04). Refuses 1.0 and 2.0 peers (37-R09).
    Full,
}

/// The ZMTP behaviour a connection presents. The defaults are the correct
/// 3.1 behaviour; the other settings exist so that the conformance runner
/// can impersonate older or stricter peers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Behaviour {
    /// The version-minor we advertise: 1 (ZMTP 3.1, default) or 0 (3.0: we
    /// then send subscriptions as messages, zmtp-wire.md 6.1 #19).
    pub minor: u8,
    /// Greeting pacing; see [`GreetingPacing`].
    pub pacing: GreetingPacing,
    /// When a NULL server sends its READY; see [`NullServerReady`]. By
    /// default RFC 37's reply to a 3.1 client and RFC 23's symmetric
    /// exchange with a 3.0 one.
    pub null_server_ready: NullServerReady,
    /// Require a `Socket-Type` property in the peer's READY (default). libzmq
    /// accepts a READY without one (zmtp-wire.md 6.2 #3).
    pub require_socket_type: bool,
    /// Keep each outgoing packet's boundary and kind, for
    /// [`Connection::poll_packet`](super::Connection::poll_packet): a raw
    /// peer or a fuzzer that tampers with packets one at a time (see
    /// [`super::packets`]). Off by default; a driver has no use for it.
    pub packets: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            minor: if crate::mutant!(Speaks30) { 0 } else { 1 },
            pacing: if crate::mutant!(GreetingAtOnce) {
                GreetingPacing::Full
            } else {
                GreetingPacing::Detect
            },
            null_server_ready: if crate::mutant!(NullServerWaitsFor30) {
                NullServerReady::Always
            } else {
                NullServerReady::WaitFor31
            },
            require_socket_type: true,
            packets: false,
        }
    }
}

impl Behaviour {
    /// The behaviour in effect on a connection that negotiated `protocol`
    /// (the lower of the two greetings' versions, 37-R08): the mechanism
    /// gets this one, with [`NullServerReady::WaitFor31`] resolved.
    pub fn for_protocol(&self, protocol: Protocol) -> Self {
        Self {
            null_server_ready: self.null_server_ready.resolve(protocol),
            ..self.clone()
        }
    }
}

/// When the NULL server (the binding peer, 37-R23) sends its READY. A NULL
/// client always sends READY at once and then waits for the server's
/// (37-R24, 23-R28), so none of these can deadlock with a peer that
/// follows either RFC: an RFC 37 server replies to the client's READY, an
/// RFC 23 server sends its own regardless.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum NullServerReady {
    /// Send READY at once, without waiting for the client's: RFC 23's
    /// symmetric exchange (23-R22, 23-R28) and what libzmq does with every
    /// peer (zmtp-wire.md 4.6, 6.2 #2). The conformance runner uses it to
    /// impersonate a libzmq server.
    Symmetric,
    /// RFC 37's server when the connection speaks 3.1 (the peer announced
    /// 3.1 or later and so do we): READY only in reply to the client's
    /// READY, and never when that READY is refused (37-R24, 37-R25).
    /// With a 3.0 peer (or when we announce 3.0) RFC 23 applies:
    /// [`NullServerReady::Symmetric`] (23-R28). The default.
    #[default]
    WaitFor31,
    /// Wait for the client's READY whatever the versions: RFC 37's rule
    /// applied to 3.0 peers as well. Still interoperates with them, since
    /// an RFC 23 client sends its READY without waiting (23-R28), but it
    /// is not what RFC 23 asks of a server.
    Always,
}

impl NullServerReady {
    /// This setting on a connection that negotiated `protocol`:
    /// [`NullServerReady::WaitFor31`] becomes [`NullServerReady::Always`]
    /// for 3.1 and [`NullServerReady::Symmetric`] for anything older; the
    /// others stay as they are.
    pub fn resolve(self, protocol: Protocol) -> Self {
        match self {
            Self::WaitFor31 if protocol >= Protocol::V3_1 => Self::Always,
            Self::WaitFor31 => Self::Symmetric,
            other => other,
        }
    }

    /// Whether a NULL server with this setting waits for the client's
    /// READY. An unresolved [`NullServerReady::WaitFor31`] waits (the
    /// connection resolves it against the peer's greeting first, see
    /// [`Behaviour::for_protocol`]).
    pub fn server_waits(self) -> bool {
        self != Self::Symmetric
    }
}

/// Heartbeat settings (37-R58, 37-R59; libzmq's ZMQ_HEARTBEAT_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Heartbeat {
    /// Send a PING this often once the handshake is done; `None` disables
    /// heartbeats (libzmq's default).
    pub interval: Option<Duration>,
    /// The time-to-live we announce in each PING (sent in tenths of a
    /// second, at most 6553.5 s); `None` announces 0, "no TTL".
    pub ttl: Option<Duration>,
    /// How long after a PING we wait for any traffic before declaring the
    /// peer dead; `None` uses the interval (libzmq's default).
    pub timeout: Option<Duration>,
}

/// The configuration of one connection.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Our socket type, sent as `Socket-Type` and checked against the
    /// peer's (zmtp-wire.md 5).
    pub socket_type: SocketType,
    /// Our routing id, sent as the `Identity` property (by REQ, DEALER and
    /// ROUTER, as libzmq does: zmtp-wire.md 6.2 #4) and as the 1.0/2.0
    /// identity frame. At most 255 octets, first octet not 0 (37-R34,
    /// 37-R35).
    pub routing_id: Bytes,
    /// The security mechanism. NULL by default.
    pub mechanism: Arc<dyn Mechanism>,
    /// Heartbeats.
    pub heartbeat: Heartbeat,
    /// The longest the greeting and the mechanism handshake may take
    /// (libzmq's ZMQ_HANDSHAKE_IVL, 30 s by default); `None` waits forever.
    pub handshake_timeout: Option<Duration>,
    /// The largest message accepted from the peer, in octets (libzmq's
    /// ZMQ_MAXMSGSIZE); `None` for no limit other than memory. It bounds
    /// the whole message and its number of frames, not each frame as
    /// libzmq does (see [`Decoder::set_max_message_size`] for why), and
    /// each frame as received too, commands included. Under a wrapping
    /// mechanism that frame is the wrapped one (CURVE: 33 octets more),
    /// and the clear frames are counted again after unwrapping.
    ///
    /// [`Decoder::set_max_message_size`]: crate::wire::Decoder::set_max_message_size
    pub max_message_size: Option<u64>,
    /// Properties added to our READY after `Socket-Type` and `Identity`.
    /// Names starting with `X-` are the application's (37-R32).
    pub metadata: Metadata,
    /// Properties the driver adds to those of every received message,
    /// ahead of the peer's READY metadata and the ZAP handler's, so that
    /// they win a lookup (what the transport knows, such as libzmq's
    /// `Peer-Address`, which a peer cannot then claim for itself).
    pub message_properties: Metadata,
    /// What ZMTP behaviour to present.
    pub behaviour: Behaviour,
    /// The ZWS 2.0 subprotocol the WebSocket upgrade settled on, for a
    /// connection over `ws://` or `wss://` (RFC 45); `None` over a byte
    /// stream. With one there is no greeting (45-R07): a mechanism
    /// subprotocol starts its handshake at once under ZMTP 3.0's rules
    /// (subscriptions as `01`/`00` messages, 45-R09), and the bare
    /// `ZWS2.0` one exchanges routing ids and then messages, as ZMTP 2.0
    /// does (45-R05). Feed the machine [`crate::wire::zws::to_zmtp`] of
    /// each WebSocket message and cut its output with
    /// [`crate::wire::zws::Splitter`].
    pub zws: Option<Subprotocol>,
}

impl Config {
    /// A NULL-mechanism 3.1 configuration for a socket of this type.
    pub fn new(socket_type: SocketType) -> Self {
        Self {
            socket_type,
            routing_id: Bytes::new(),
            mechanism: Arc::new(Null),
            heartbeat: Heartbeat::default(),
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
            max_message_size: None,
            metadata: Metadata::new(),
            message_properties: Metadata::new(),
            behaviour: Behaviour::default(),
            zws: None,
        }
    }

    /// The heartbeat timeout in effect.
    pub fn heartbeat_timeout(&self) -> Option<Duration> {
        self.heartbeat.timeout.or(self.heartbeat.interval)
    }

    /// The metadata of our READY: `Socket-Type`, `Identity` for the socket
    /// types that send it, then [`Config::metadata`].
    pub fn ready_metadata(&self) -> Metadata {
        let name = self.socket_type.as_str();
        let name = if crate::mutant!(ReadySocketTypeLowerCase) {
            name.to_ascii_lowercase()
        } else {
            name.to_string()
        };
        let mut md = Metadata::new().with(crate::wire::metadata::SOCKET_TYPE, name.into_bytes());
        if self.socket_type.sends_identity() && !crate::mutant!(ReadyIdentityOmitted) {
            md.push(crate::wire::metadata::IDENTITY, self.routing_id.clone());
        }
        for p in self.metadata.properties() {
            md.push(p.name.clone(), p.value.clone());
        }
        md
    }
}

/// libzmq's default ZMQ_HANDSHAKE_IVL.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
