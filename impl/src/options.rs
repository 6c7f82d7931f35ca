//! Typed socket options, with libzmq's defaults.
//!
//! Each option is a marker type in [`opt`]; its value type says what it
//! holds, so nothing is an integer code:
//!
//! ```no_run
//! # async fn f() -> zmtp::Result<()> {
//! use std::time::Duration;
//! use zmtp::{opt, Context, SocketType};
//! let ctx = Context::new()?;
//! let s = ctx.socket(SocketType::Dealer)?;
//! s.set(opt::SndHwm, 10)?;
//! s.set(opt::Linger, Some(Duration::ZERO))?;
//! assert_eq!(s.get(opt::SndHwm)?, 10);
//! # Ok(()) }
//! ```
//!
//! Durations follow libzmq's conventions as `Option<Duration>`: `None` is
//! libzmq's `-1` (infinite, or "not set" for the OS-level tcp options).

use core::time::Duration;

use bytes::Bytes;
use zmtp_spec::SocketType;

use crate::error::{Error, InvalidOption};

pub mod security;
#[cfg(test)]
mod tests;

pub use security::MechanismKind;

/// Everything a socket's options hold. The socket copies what its
/// connections and its pattern machine need.
#[derive(Clone, Debug)]
#[allow(unreachable_pub)]
#[doc(hidden)]
pub struct Options {
    pub(crate) socket_type: SocketType,
    pub(crate) sndhwm: u32,
    pub(crate) rcvhwm: u32,
    pub(crate) linger: Option<Duration>,
    pub(crate) routing_id: Bytes,
    pub(crate) connect_routing_id: Option<Bytes>,
    pub(crate) router_mandatory: bool,
    pub(crate) router_handover: bool,
    pub(crate) probe_router: bool,
    pub(crate) req_correlate: bool,
    pub(crate) req_relaxed: bool,
    pub(crate) xpub_verbose: bool,
    pub(crate) xpub_verboser: bool,
    pub(crate) xpub_manual: bool,
    pub(crate) xpub_welcome_msg: Option<Bytes>,
    pub(crate) xpub_nodrop: bool,
    pub(crate) invert_matching: bool,
    pub(crate) conflate: bool,
    pub(crate) immediate: bool,
    pub(crate) maxmsgsize: Option<u64>,
    pub(crate) reconnect_ivl: Option<Duration>,
    pub(crate) reconnect_ivl_max: Option<Duration>,
    pub(crate) heartbeat_ivl: Option<Duration>,
    pub(crate) heartbeat_ttl: Option<Duration>,
    pub(crate) heartbeat_timeout: Option<Duration>,
    pub(crate) handshake_ivl: Option<Duration>,
    pub(crate) tcp_keepalive: Option<bool>,
    pub(crate) tcp_keepalive_cnt: Option<u32>,
    pub(crate) tcp_keepalive_idle: Option<Duration>,
    pub(crate) tcp_keepalive_intvl: Option<Duration>,
    pub(crate) sndbuf: Option<usize>,
    pub(crate) rcvbuf: Option<usize>,
    pub(crate) sndtimeo: Option<Duration>,
    pub(crate) rcvtimeo: Option<Duration>,
    pub(crate) ipv6: bool,
    pub(crate) backlog: u32,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) tos: Option<u32>,
    pub(crate) tcp_maxrt: Option<Duration>,
    pub(crate) bind_to_device: Option<String>,
    pub(crate) last_endpoint: String,
    pub(crate) security: security::Security,
}

impl Options {
    /// libzmq's defaults (zmq_setsockopt(3) of libzmq 4.3).
    pub(crate) fn new(socket_type: SocketType) -> Self {
        Self {
            socket_type,
            sndhwm: 1000,
            rcvhwm: 1000,
            linger: None,
            routing_id: Bytes::new(),
            connect_routing_id: None,
            router_mandatory: false,
            router_handover: false,
            probe_router: false,
            req_correlate: false,
            req_relaxed: false,
            xpub_verbose: false,
            xpub_verboser: false,
            xpub_manual: false,
            xpub_welcome_msg: None,
            xpub_nodrop: false,
            invert_matching: false,
            conflate: false,
            immediate: false,
            maxmsgsize: None,
            reconnect_ivl: Some(Duration::from_millis(100)),
            reconnect_ivl_max: None,
            heartbeat_ivl: None,
            heartbeat_ttl: None,
            heartbeat_timeout: None,
            handshake_ivl: Some(Duration::from_secs(30)),
            tcp_keepalive: None,
            tcp_keepalive_cnt: None,
            tcp_keepalive_idle: None,
            tcp_keepalive_intvl: None,
            sndbuf: None,
            rcvbuf: None,
            sndtimeo: None,
            rcvtimeo: None,
            ipv6: false,
            backlog: 100,
            connect_timeout: None,
            tos: None,
            tcp_maxrt: None,
            bind_to_device: None,
            last_endpoint: String::new(),
            security: security::Security::default(),
        }
    }
}

/// What setting an option asks the socket to do besides storing it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(unreachable_pub)]
#[doc(hidden)]
pub enum Effect {
    /// Nothing more.
    Stored,
    /// Pass it to the pattern machine, which checks that it applies.
    Pattern(zmtp_model::SocketOption),
}

#[doc(hidden)]
pub(crate) mod sealed {
    use super::{Effect, Options};
    use crate::error::Result;

    /// How an option reads and writes [`Options`].
    #[allow(unreachable_pub)]
    pub trait Access {
        /// The option's value.
        type Value;
        /// libzmq's name for it.
        const NAME: &'static str;
        /// Stores a value.
        fn set(options: &mut Options, value: Self::Value) -> Result<Effect>;
        /// Reads the value.
        fn get(options: &Options) -> Result<Self::Value>;
    }
}

/// A socket option: one of the marker types in [`opt`].
pub trait SocketOption: sealed::Access + Copy {}

fn write_only(name: &'static str) -> Error {
    Error::option(name, InvalidOption::WriteOnly)
}

pub(crate) fn read_only(name: &'static str) -> Error {
    Error::option(name, InvalidOption::ReadOnly)
}

macro_rules! field_option {
    ($(#[$doc:meta])* $name:ident, $zmq:literal, $ty:ty, $field:ident, $effect:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;
        impl super::sealed::Access for $name {
            type Value = $ty;
            const NAME: &'static str = $zmq;
            fn set(options: &mut super::Options, value: $ty) -> crate::Result<super::Effect> {
                #[allow(clippy::redundant_closure_call)]
                let effect = ($effect)(&value);
                options.$field = value;
                Ok(effect)
            }
            fn get(options: &super::Options) -> crate::Result<$ty> {
                Ok(options.$field.clone())
            }
        }
        impl super::SocketOption for $name {}
    };
}

/// The option marker types, one per libzmq option.
pub mod opt {
    use core::time::Duration;

    use bytes::Bytes;
    use zmtp_spec::SocketType;

    use zmtp_model::SocketOption as M;

    use super::Effect::{Pattern, Stored};
    use super::{Effect, Options, read_only, write_only};
    use crate::Result;

    pub use super::security::opt::{
        CurvePublicKey, CurveSecretKey, CurveServer, CurveServerKey, Mechanism, PlainPassword,
        PlainServer, PlainUsername, ZapDomain, ZapEnforceDomain,
    };

    fn pat<T>(f: impl Fn(&T) -> M) -> impl Fn(&T) -> Effect {
        move |v| Pattern(f(v))
    }

    fn stored<T>(_: &T) -> Effect {
        Stored
    }

    field_option!(
        /// ZMQ_SNDHWM: messages queued per peer for sending (0 = no limit;
        /// default 1000). Applies to connections made after it is set.
        SndHwm, "ZMQ_SNDHWM", u32, sndhwm,
        pat(|v: &u32| M::SndHwm(*v as usize))
    );
    field_option!(
        /// ZMQ_RCVHWM: messages queued per peer on receipt (0 = no limit;
        /// default 1000).
        RcvHwm, "ZMQ_RCVHWM", u32, rcvhwm,
        pat(|v: &u32| M::RcvHwm(*v as usize))
    );
    field_option!(
        /// ZMQ_LINGER: how long close keeps sending pending messages
        /// (`None`, the default, waits until they are sent).
        Linger, "ZMQ_LINGER", Option<Duration>, linger,
        stored
    );
    field_option!(
        /// ZMQ_ROUTING_ID: the identity sent to ROUTER peers (1-255
        /// octets, first not zero; empty = none). Applies to connections
        /// made after it is set.
        RoutingId, "ZMQ_ROUTING_ID", Bytes, routing_id,
        |v: &Bytes| if v.is_empty() { Stored } else { Pattern(M::RoutingId(v.clone())) }
    );
    field_option!(
        /// ZMQ_CONNECT_ROUTING_ID: the routing id a ROUTER gives the peer
        /// of its next connect (used once).
        ConnectRoutingId, "ZMQ_CONNECT_ROUTING_ID", Option<Bytes>, connect_routing_id,
        |v: &Option<Bytes>| v.clone().map_or(Stored, |b| Pattern(M::ConnectRoutingId(b)))
    );
    field_option!(
        /// ZMQ_ROUTER_MANDATORY: a ROUTER fails sends to unknown peers with
        /// [`crate::Error::HostUnreachable`] instead of dropping them.
        RouterMandatory, "ZMQ_ROUTER_MANDATORY", bool, router_mandatory,
        pat(|v: &bool| M::RouterMandatory(*v))
    );
    field_option!(
        /// ZMQ_ROUTER_HANDOVER: a new peer with an existing routing id takes
        /// it over instead of being refused.
        RouterHandover, "ZMQ_ROUTER_HANDOVER", bool, router_handover,
        pat(|v: &bool| M::RouterHandover(*v))
    );
    field_option!(
        /// ZMQ_PROBE_ROUTER: send an empty message to each new peer.
        ProbeRouter, "ZMQ_PROBE_ROUTER", bool, probe_router,
        pat(|v: &bool| M::ProbeRouter(*v))
    );
    field_option!(
        /// ZMQ_REQ_CORRELATE: REQ prefixes requests with a request id and
        /// drops replies that do not carry it.
        ReqCorrelate, "ZMQ_REQ_CORRELATE", bool, req_correlate,
        pat(|v: &bool| M::ReqCorrelate(*v))
    );
    field_option!(
        /// ZMQ_REQ_RELAXED: REQ may send a new request before the reply.
        ReqRelaxed, "ZMQ_REQ_RELAXED", bool, req_relaxed,
        pat(|v: &bool| M::ReqRelaxed(*v))
    );
    field_option!(
        /// ZMQ_XPUB_VERBOSE: pass duplicate subscriptions up.
        XPubVerbose, "ZMQ_XPUB_VERBOSE", bool, xpub_verbose,
        pat(|v: &bool| M::XPubVerbose(*v))
    );
    field_option!(
        /// ZMQ_XPUB_VERBOSER: pass duplicate subscriptions and
        /// unsubscriptions up.
        XPubVerboser, "ZMQ_XPUB_VERBOSER", bool, xpub_verboser,
        pat(|v: &bool| M::XPubVerboser(*v))
    );
    field_option!(
        /// ZMQ_XPUB_MANUAL: subscriptions are applied by the application
        /// (by sending them), not by the socket.
        XPubManual, "ZMQ_XPUB_MANUAL", bool, xpub_manual,
        pat(|v: &bool| M::XPubManual(*v))
    );
    field_option!(
        /// ZMQ_XPUB_WELCOME_MSG: a message sent to each new subscriber.
        XPubWelcomeMsg, "ZMQ_XPUB_WELCOME_MSG", Option<Bytes>, xpub_welcome_msg,
        pat(|v: &Option<Bytes>| M::XPubWelcomeMsg(v.clone()))
    );
    field_option!(
        /// ZMQ_XPUB_NODROP: sending fails with would-block at SNDHWM
        /// instead of dropping.
        XPubNoDrop, "ZMQ_XPUB_NODROP", bool, xpub_nodrop,
        pat(|v: &bool| M::XPubNoDrop(*v))
    );
    field_option!(
        /// ZMQ_INVERT_MATCHING: deliver what does not match the
        /// subscriptions.
        InvertMatching, "ZMQ_INVERT_MATCHING", bool, invert_matching,
        pat(|v: &bool| M::InvertMatching(*v))
    );
    field_option!(
        /// ZMQ_CONFLATE: keep only the last message in each queue.
        Conflate, "ZMQ_CONFLATE", bool, conflate,
        pat(|v: &bool| M::Conflate(*v))
    );
    field_option!(
        /// ZMQ_IMMEDIATE: queue messages only for connections that are
        /// complete (connect side); none are queued while a peer is away.
        Immediate, "ZMQ_IMMEDIATE", bool, immediate,
        pat(|v: &bool| M::Immediate(*v))
    );
    field_option!(
        /// ZMQ_MAXMSGSIZE: the largest message accepted from a peer, in
        /// octets (`None` = no limit); a peer that sends more is
        /// disconnected. The limit covers the whole message, all its
        /// frame bodies together, and allows at most one frame per
        /// octet of it (one at least). libzmq checks each frame alone,
        /// so it takes a message of two 600-octet frames under a limit of
        /// 1000, and this socket does not. The whole-message bound is
        /// kept because a multipart message is gathered before it is
        /// delivered, and only that bound limits what a peer can make the
        /// socket hold (empty frames add no octets, hence the frame
        /// count). Each frame on the wire, commands included, is checked
        /// alone as well, as libzmq does. Under CURVE that wire frame is
        /// the encrypted one, 33 octets longer than its clear body.
        MaxMsgSize, "ZMQ_MAXMSGSIZE", Option<u64>, maxmsgsize,
        stored
    );
    field_option!(
        /// ZMQ_RECONNECT_IVL: the first delay before reconnecting (`None`
        /// = never reconnect; default 100 ms).
        ReconnectIvl, "ZMQ_RECONNECT_IVL", Option<Duration>, reconnect_ivl,
        stored
    );
    field_option!(
        /// ZMQ_RECONNECT_IVL_MAX: the delay doubles after each failed
        /// attempt up to this (`None` = no backoff).
        ReconnectIvlMax, "ZMQ_RECONNECT_IVL_MAX", Option<Duration>, reconnect_ivl_max,
        stored
    );
    field_option!(
        /// ZMQ_HEARTBEAT_IVL: send PING this often (`None` = off).
        HeartbeatIvl, "ZMQ_HEARTBEAT_IVL", Option<Duration>, heartbeat_ivl,
        stored
    );
    field_option!(
        /// ZMQ_HEARTBEAT_TTL: the time-to-live announced in our PINGs.
        HeartbeatTtl, "ZMQ_HEARTBEAT_TTL", Option<Duration>, heartbeat_ttl,
        stored
    );
    field_option!(
        /// ZMQ_HEARTBEAT_TIMEOUT: how long to wait for traffic after a PING
        /// (`None` = the interval).
        HeartbeatTimeout, "ZMQ_HEARTBEAT_TIMEOUT", Option<Duration>, heartbeat_timeout,
        stored
    );
    field_option!(
        /// ZMQ_HANDSHAKE_IVL: the longest a handshake may take (`None` =
        /// forever; default 30 s).
        HandshakeIvl, "ZMQ_HANDSHAKE_IVL", Option<Duration>, handshake_ivl,
        stored
    );
    field_option!(
        /// ZMQ_TCP_KEEPALIVE: SO_KEEPALIVE on (`Some(true)`), off, or the
        /// OS default (`None`).
        TcpKeepalive, "ZMQ_TCP_KEEPALIVE", Option<bool>, tcp_keepalive,
        stored
    );
    field_option!(
        /// ZMQ_TCP_KEEPALIVE_CNT: TCP_KEEPCNT (`None` = OS default).
        TcpKeepaliveCnt, "ZMQ_TCP_KEEPALIVE_CNT", Option<u32>, tcp_keepalive_cnt,
        stored
    );
    field_option!(
        /// ZMQ_TCP_KEEPALIVE_IDLE: TCP_KEEPIDLE (`None` = OS default).
        TcpKeepaliveIdle, "ZMQ_TCP_KEEPALIVE_IDLE", Option<Duration>, tcp_keepalive_idle,
        stored
    );
    field_option!(
        /// ZMQ_TCP_KEEPALIVE_INTVL: TCP_KEEPINTVL (`None` = OS default).
        TcpKeepaliveIntvl, "ZMQ_TCP_KEEPALIVE_INTVL", Option<Duration>, tcp_keepalive_intvl,
        stored
    );
    field_option!(
        /// ZMQ_SNDBUF: SO_SNDBUF in octets (`None` = OS default).
        SndBuf, "ZMQ_SNDBUF", Option<usize>, sndbuf,
        stored
    );
    field_option!(
        /// ZMQ_RCVBUF: SO_RCVBUF in octets (`None` = OS default).
        RcvBuf, "ZMQ_RCVBUF", Option<usize>, rcvbuf,
        stored
    );
    field_option!(
        /// ZMQ_SNDTIMEO: how long `send` waits (`None` = forever); then it
        /// fails with [`crate::Error::TimedOut`].
        SndTimeo, "ZMQ_SNDTIMEO", Option<Duration>, sndtimeo,
        stored
    );
    field_option!(
        /// ZMQ_RCVTIMEO: how long `recv` waits (`None` = forever); then it
        /// fails with [`crate::Error::TimedOut`].
        RcvTimeo, "ZMQ_RCVTIMEO", Option<Duration>, rcvtimeo,
        stored
    );
    field_option!(
        /// ZMQ_IPV6: `*` binds every IPv6 and IPv4 interface (dual stack)
        /// and host names may resolve to IPv6 addresses first.
        Ipv6, "ZMQ_IPV6", bool, ipv6,
        stored
    );
    field_option!(
        /// ZMQ_BACKLOG: the listen queue of tcp listeners bound
        /// after it is set (default 100).
        Backlog, "ZMQ_BACKLOG", u32, backlog,
        stored
    );
    field_option!(
        /// ZMQ_CONNECT_TIMEOUT: how long a tcp connect attempt may take
        /// before it counts as failed (`None` = the OS's limit).
        ConnectTimeout, "ZMQ_CONNECT_TIMEOUT", Option<Duration>, connect_timeout,
        stored
    );
    field_option!(
        /// ZMQ_TOS: the IP type-of-service octet of tcp connections
        /// (`None` = the OS default).
        Tos, "ZMQ_TOS", Option<u32>, tos,
        stored
    );
    field_option!(
        /// ZMQ_TCP_MAXRT: TCP_USER_TIMEOUT, how long sent data may stay
        /// unacknowledged before the connection is dropped (`None` = the OS
        /// default; Linux only).
        TcpMaxRt, "ZMQ_TCP_MAXRT", Option<Duration>, tcp_maxrt,
        stored
    );
    field_option!(
        /// ZMQ_BINDTODEVICE: SO_BINDTODEVICE on tcp sockets, so that they
        /// use only this network interface (Linux; needs CAP_NET_RAW).
        BindToDevice, "ZMQ_BINDTODEVICE", Option<String>, bind_to_device,
        stored
    );

    /// ZMQ_TYPE (read-only): the socket type.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Type;
    impl super::sealed::Access for Type {
        type Value = SocketType;
        const NAME: &'static str = "ZMQ_TYPE";
        fn set(_: &mut Options, _: SocketType) -> Result<Effect> {
            Err(read_only(Self::NAME))
        }
        fn get(options: &Options) -> Result<SocketType> {
            Ok(options.socket_type)
        }
    }
    impl super::SocketOption for Type {}

    /// ZMQ_LAST_ENDPOINT (read-only): the last endpoint bound or
    /// connected, with wildcards resolved (`tcp://127.0.0.1:41234`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct LastEndpoint;
    impl super::sealed::Access for LastEndpoint {
        type Value = String;
        const NAME: &'static str = "ZMQ_LAST_ENDPOINT";
        fn set(_: &mut Options, _: String) -> Result<Effect> {
            Err(read_only(Self::NAME))
        }
        fn get(options: &Options) -> Result<String> {
            Ok(options.last_endpoint.clone())
        }
    }
    impl super::SocketOption for LastEndpoint {}

    /// ZMQ_SUBSCRIBE (write-only; SUB, and XPUB with XPUB_MANUAL): add a topic prefix; the empty
    /// prefix matches everything (37-R48, 37-R49, 37-R50).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Subscribe;
    impl super::sealed::Access for Subscribe {
        type Value = Bytes;
        const NAME: &'static str = "ZMQ_SUBSCRIBE";
        fn set(_: &mut Options, topic: Bytes) -> Result<Effect> {
            Ok(Pattern(M::Subscribe(topic)))
        }
        fn get(_: &Options) -> Result<Bytes> {
            Err(write_only(Self::NAME))
        }
    }
    impl super::SocketOption for Subscribe {}

    /// ZMQ_UNSUBSCRIBE (write-only; SUB, and XPUB with XPUB_MANUAL): remove one earlier SUBSCRIBE of
    /// the same prefix (37-R51).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Unsubscribe;
    impl super::sealed::Access for Unsubscribe {
        type Value = Bytes;
        const NAME: &'static str = "ZMQ_UNSUBSCRIBE";
        fn set(_: &mut Options, topic: Bytes) -> Result<Effect> {
            Ok(Pattern(M::Unsubscribe(topic)))
        }
        fn get(_: &Options) -> Result<Bytes> {
            Err(write_only(Self::NAME))
        }
    }
    impl super::SocketOption for Unsubscribe {}
}
