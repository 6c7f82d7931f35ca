//! The socket options the pattern machines own, with libzmq's defaults.

use bytes::Bytes;
use zmtp_spec::SocketType;

use crate::OptionError;

/// The options a pattern machine reads. Build one with struct update
/// syntax (`Options { sndhwm: 10, ..Options::default() }`) or change a
/// running machine with [`Socket::set_option`](crate::Socket::set_option),
/// which also checks that the option applies to the socket type.
///
/// High-water marks count whole messages per peer and per direction; 0
/// means no limit, as in libzmq.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// ZMQ_SNDHWM: the most messages queued for one peer (default 1000).
    pub sndhwm: usize,
    /// ZMQ_RCVHWM: the most messages queued from one peer (default 1000).
    pub rcvhwm: usize,
    /// ZMQ_ROUTING_ID: the Identity this socket announces. The machine only
    /// stores it; the driver puts it in READY.
    pub routing_id: Option<Bytes>,
    /// ZMQ_CONNECT_ROUTING_ID (ROUTER): the routing id to give the peer of
    /// the next outgoing connection. Consumed by
    /// [`Socket::take_connect_routing_id`](crate::Socket::take_connect_routing_id).
    pub connect_routing_id: Option<Bytes>,
    /// ZMQ_ROUTER_MANDATORY (ROUTER): report an unknown routing id
    /// ([`SendError::HostUnreachable`](crate::SendError::HostUnreachable))
    /// and a full queue ([`SendError::WouldBlock`](crate::SendError::WouldBlock))
    /// instead of dropping the message (28-R42).
    pub router_mandatory: bool,
    /// ZMQ_ROUTER_HANDOVER (ROUTER): a new peer with a routing id in use
    /// takes it over; the old peer is disconnected.
    pub router_handover: bool,
    /// ZMQ_PROBE_ROUTER (ROUTER, DEALER, REQ): send an empty message to
    /// every new peer.
    pub probe_router: bool,
    /// ZMQ_REQ_CORRELATE (REQ): prefix each request with a 4-octet request
    /// id and accept only the reply that carries it back.
    pub req_correlate: bool,
    /// ZMQ_REQ_RELAXED (REQ): allow a new request while one is outstanding;
    /// the old request's reply is then discarded.
    pub req_relaxed: bool,
    /// ZMQ_XPUB_VERBOSE (XPUB): pass every subscription to the application,
    /// not only new topics.
    pub xpub_verbose: bool,
    /// ZMQ_XPUB_VERBOSER (XPUB): also pass every cancellation.
    pub xpub_verboser: bool,
    /// ZMQ_XPUB_MANUAL (XPUB): subscriptions take effect only when the
    /// application sets SUBSCRIBE/UNSUBSCRIBE, for the peer whose
    /// subscription message it received last.
    pub xpub_manual: bool,
    /// ZMQ_XPUB_WELCOME_MSG (XPUB): a message queued to every new peer.
    pub xpub_welcome_msg: Option<Bytes>,
    /// ZMQ_XPUB_NODROP (PUB, XPUB): a send that would overflow a matching
    /// peer's queue fails with `WouldBlock` instead of dropping.
    pub xpub_nodrop: bool,
    /// ZMQ_INVERT_MATCHING (PUB, XPUB, SUB): a subscription selects the
    /// messages it does not match.
    pub invert_matching: bool,
    /// ZMQ_CONFLATE: keep only the newest message in each queue (HWMs are
    /// then ignored). Meant for single-part messages on PUSH, PULL, PUB,
    /// SUB and DEALER.
    pub conflate: bool,
    /// ZMQ_IMMEDIATE: queue only to peers whose connection is up: the driver
    /// creates no peer before the handshake, and a lost connection detaches
    /// its peer (see [`Socket::suspend`](crate::Socket::suspend)).
    pub immediate: bool,
    /// A deliberately broken behaviour, for the mutation tests only.
    #[doc(hidden)]
    pub fault: Fault,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            sndhwm: 1000,
            rcvhwm: 1000,
            routing_id: None,
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
            fault: Fault::None,
        }
    }
}

/// A deliberately broken behaviour: the mutation tests check that the
/// models catch each one.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Fault {
    /// No fault.
    #[default]
    None,
    /// REQ accepts a second request while one is outstanding.
    ReqTwoOutstanding,
    /// PUB (and XPUB) ignore CANCEL.
    PubIgnoresCancel,
    /// PUSH queues each message to two peers.
    PushDeliversTwice,
    /// The fair queue never passes the turn on.
    UnfairQueue,
    /// The `req-relaxed` scenario without REQ_CORRELATE (not a machine
    /// fault: it shows why the option exists).
    ReqUncorrelated,
}

/// One option change, for [`Socket::set_option`](crate::Socket::set_option).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocketOption {
    /// ZMQ_SNDHWM.
    SndHwm(usize),
    /// ZMQ_RCVHWM.
    RcvHwm(usize),
    /// ZMQ_ROUTING_ID (1-255 octets, first octet not zero: 37-R34, 37-R35).
    RoutingId(Bytes),
    /// ZMQ_CONNECT_ROUTING_ID (ROUTER; same limits as RoutingId).
    ConnectRoutingId(Bytes),
    /// ZMQ_ROUTER_MANDATORY.
    RouterMandatory(bool),
    /// ZMQ_ROUTER_HANDOVER.
    RouterHandover(bool),
    /// ZMQ_PROBE_ROUTER.
    ProbeRouter(bool),
    /// ZMQ_REQ_CORRELATE.
    ReqCorrelate(bool),
    /// ZMQ_REQ_RELAXED.
    ReqRelaxed(bool),
    /// ZMQ_XPUB_VERBOSE.
    XPubVerbose(bool),
    /// ZMQ_XPUB_VERBOSER.
    XPubVerboser(bool),
    /// ZMQ_XPUB_MANUAL.
    XPubManual(bool),
    /// ZMQ_XPUB_WELCOME_MSG (`None` or an empty value clears it).
    XPubWelcomeMsg(Option<Bytes>),
    /// ZMQ_XPUB_NODROP.
    XPubNoDrop(bool),
    /// ZMQ_INVERT_MATCHING.
    InvertMatching(bool),
    /// ZMQ_CONFLATE.
    Conflate(bool),
    /// ZMQ_IMMEDIATE.
    Immediate(bool),
    /// ZMQ_SUBSCRIBE: SUB, or XPUB with XPUB_MANUAL.
    Subscribe(Bytes),
    /// ZMQ_UNSUBSCRIBE: SUB, or XPUB with XPUB_MANUAL.
    Unsubscribe(Bytes),
}

impl SocketOption {
    /// The libzmq name of the option.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::SndHwm(_) => "ZMQ_SNDHWM",
            Self::RcvHwm(_) => "ZMQ_RCVHWM",
            Self::RoutingId(_) => "ZMQ_ROUTING_ID",
            Self::ConnectRoutingId(_) => "ZMQ_CONNECT_ROUTING_ID",
            Self::RouterMandatory(_) => "ZMQ_ROUTER_MANDATORY",
            Self::RouterHandover(_) => "ZMQ_ROUTER_HANDOVER",
            Self::ProbeRouter(_) => "ZMQ_PROBE_ROUTER",
            Self::ReqCorrelate(_) => "ZMQ_REQ_CORRELATE",
            Self::ReqRelaxed(_) => "ZMQ_REQ_RELAXED",
            Self::XPubVerbose(_) => "ZMQ_XPUB_VERBOSE",
            Self::XPubVerboser(_) => "ZMQ_XPUB_VERBOSER",
            Self::XPubManual(_) => "ZMQ_XPUB_MANUAL",
            Self::XPubWelcomeMsg(_) => "ZMQ_XPUB_WELCOME_MSG",
            Self::XPubNoDrop(_) => "ZMQ_XPUB_NODROP",
            Self::InvertMatching(_) => "ZMQ_INVERT_MATCHING",
            Self::Conflate(_) => "ZMQ_CONFLATE",
            Self::Immediate(_) => "ZMQ_IMMEDIATE",
            Self::Subscribe(_) => "ZMQ_SUBSCRIBE",
            Self::Unsubscribe(_) => "ZMQ_UNSUBSCRIBE",
        }
    }

    /// Whether the option applies to a socket of type `t` (as libzmq's
    /// `setsockopt` accepts it).
    pub fn applies_to(&self, t: SocketType) -> bool {
        use SocketType::*;
        match self {
            Self::SndHwm(_)
            | Self::RcvHwm(_)
            | Self::RoutingId(_)
            | Self::Conflate(_)
            | Self::Immediate(_) => true,
            Self::ConnectRoutingId(_) | Self::RouterMandatory(_) | Self::RouterHandover(_) => {
                t == Router
            }
            Self::ProbeRouter(_) => matches!(t, Router | Dealer | Req),
            Self::ReqCorrelate(_) | Self::ReqRelaxed(_) => t == Req,
            Self::XPubVerbose(_)
            | Self::XPubVerboser(_)
            | Self::XPubManual(_)
            | Self::XPubWelcomeMsg(_) => t == XPub,
            Self::XPubNoDrop(_) => matches!(t, Pub | XPub),
            Self::InvertMatching(_) => matches!(t, Pub | XPub | Sub),
            Self::Subscribe(_) | Self::Unsubscribe(_) => matches!(t, Sub | XPub),
        }
    }
}

/// Checks a routing id value (37-R34, 37-R35): 1 to 255 octets, the first
/// not zero (libzmq reserves a leading zero for the ids it generates).
pub(crate) fn valid_routing_id(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= 255 && id[0] != 0
}

impl Options {
    /// Stores a plain option value. SUBSCRIBE and UNSUBSCRIBE are actions,
    /// handled by the pattern; here they are accepted and ignored.
    pub(crate) fn apply(&mut self, option: SocketOption) -> Result<(), OptionError> {
        match option {
            SocketOption::SndHwm(v) => self.sndhwm = v,
            SocketOption::RcvHwm(v) => self.rcvhwm = v,
            SocketOption::RoutingId(id) => {
                if !valid_routing_id(&id) {
                    return Err(OptionError::InvalidValue("ZMQ_ROUTING_ID"));
                }
                self.routing_id = Some(id);
            }
            SocketOption::ConnectRoutingId(id) => {
                if !valid_routing_id(&id) {
                    return Err(OptionError::InvalidValue("ZMQ_CONNECT_ROUTING_ID"));
                }
                self.connect_routing_id = Some(id);
            }
            SocketOption::RouterMandatory(v) => self.router_mandatory = v,
            SocketOption::RouterHandover(v) => self.router_handover = v,
            SocketOption::ProbeRouter(v) => self.probe_router = v,
            SocketOption::ReqCorrelate(v) => self.req_correlate = v,
            SocketOption::ReqRelaxed(v) => self.req_relaxed = v,
            SocketOption::XPubVerbose(v) => self.xpub_verbose = v,
            SocketOption::XPubVerboser(v) => self.xpub_verboser = v,
            SocketOption::XPubManual(v) => self.xpub_manual = v,
            SocketOption::XPubWelcomeMsg(v) => {
                self.xpub_welcome_msg = v.filter(|b| !b.is_empty());
            }
            SocketOption::XPubNoDrop(v) => self.xpub_nodrop = v,
            SocketOption::InvertMatching(v) => self.invert_matching = v,
            SocketOption::Conflate(v) => self.conflate = v,
            SocketOption::Immediate(v) => self.immediate = v,
            SocketOption::Subscribe(_) | SocketOption::Unsubscribe(_) => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
