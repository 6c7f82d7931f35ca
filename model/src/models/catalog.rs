//! The scenarios: one per pattern pair and the mixed topologies, each with
//! its bounds and properties.

use bytes::Bytes;

use super::check::Check;
use super::topology::{Link, Node, Role, TOPICS, Topology};
use crate::{Fault, SocketType};

/// The bounds of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Peers on the side that has several (K).
    pub peers: usize,
    /// Messages each sending application sends (N).
    pub messages: u8,
    /// SNDHWM and RCVHWM of every socket (h).
    pub hwm: u32,
    /// Connection breaks per run.
    pub disconnects: u8,
    /// Items a wire holds at most.
    pub wire: usize,
    /// Subscription changes per run (PUB/SUB scenarios).
    pub sub_changes: u8,
}

impl Bounds {
    /// Small bounds: what `cargo test` checks to completion (in a debug
    /// build).
    pub const TEST: Self = Self {
        peers: 2,
        messages: 2,
        hwm: 1,
        disconnects: 1,
        wire: 1,
        sub_changes: 1,
    };

    /// The checking command's default bounds.
    pub const DEFAULT: Self = Self {
        peers: 2,
        messages: 3,
        hwm: 2,
        disconnects: 1,
        wire: 2,
        sub_changes: 2,
    };
}

/// A named scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// One PUSH, K PULLs.
    PushPull,
    /// K PUSHes, one PULL receiving through its own fair queue.
    PullFair,
    /// One REQ, K REPs.
    ReqRep,
    /// One REQ with REQ_RELAXED and REQ_CORRELATE, K REPs.
    ReqRelaxed,
    /// K REQs, one ROUTER.
    ReqRouter,
    /// One DEALER, K REPs.
    DealerRep,
    /// K DEALERs, one ROUTER with ROUTER_MANDATORY.
    DealerRouter,
    /// One PUB, K SUBs.
    PubSub,
    /// PUB, XSUB-XPUB proxy, K SUBs.
    XPubXSub,
    /// Two PAIRs and a third that tries to join.
    Pair,
    /// K CLIENTs, one SERVER (RFC 41, draft).
    ClientServer,
    /// One RADIO, K DISHes joined to different groups (RFC 48, draft).
    RadioDish,
    /// One SCATTER, K GATHERs (RFC 49, draft).
    ScatterGather,
    /// K PEERs connecting to one bound PEER that answers each (RFC 51,
    /// draft).
    PeerPeer,
    /// Two CHANNELs and a third that tries to join (RFC 52, draft).
    Channel,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 15] = [
        Self::PushPull,
        Self::PullFair,
        Self::ReqRep,
        Self::ReqRelaxed,
        Self::ReqRouter,
        Self::DealerRep,
        Self::DealerRouter,
        Self::PubSub,
        Self::XPubXSub,
        Self::Pair,
        Self::ClientServer,
        Self::RadioDish,
        Self::ScatterGather,
        Self::PeerPeer,
        Self::Channel,
    ];

    /// The bounds `cargo test` checks this scenario at: [`Bounds::TEST`],
    /// with one subscriber behind the proxy (whose state space is the
    /// largest).
    pub fn test_bounds(self) -> Bounds {
        match self {
            Self::XPubXSub => Bounds {
                peers: 1,
                ..Bounds::TEST
            },
            _ => Bounds::TEST,
        }
    }

    /// The checking command's default bounds for this scenario:
    /// [`Bounds::DEFAULT`], with one subscriber behind the proxy.
    pub fn default_bounds(self) -> Bounds {
        match self {
            Self::XPubXSub => Bounds {
                peers: 1,
                ..Bounds::DEFAULT
            },
            _ => Bounds::DEFAULT,
        }
    }

    /// The command-line name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::PushPull => "push-pull",
            Self::PullFair => "pull-fair",
            Self::ReqRep => "req-rep",
            Self::ReqRelaxed => "req-relaxed",
            Self::ReqRouter => "req-router",
            Self::DealerRep => "dealer-rep",
            Self::DealerRouter => "dealer-router",
            Self::PubSub => "pub-sub",
            Self::XPubXSub => "xpub-xsub",
            Self::Pair => "pair",
            Self::ClientServer => "client-server",
            Self::RadioDish => "radio-dish",
            Self::ScatterGather => "scatter-gather",
            Self::PeerPeer => "peer-peer",
            Self::Channel => "channel",
        }
    }

    /// The scenario with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The model at the given bounds.
    pub fn model(self, b: Bounds) -> Topology {
        self.model_with_fault(b, Fault::None)
    }

    /// The model with a deliberately broken machine on the scenario's
    /// "one" side (the mutation tests).
    #[doc(hidden)]
    pub fn model_with_fault(self, b: Bounds, fault: Fault) -> Topology {
        use Check::*;
        use SocketType::*;
        let common = vec![Atomic, NoDuplicate, Fifo, Hwm, NothingToDeparted];
        let (one, one_role, many, many_role, mut checks) = match self {
            Self::PushPull => (
                Push,
                Role::Source,
                Pull,
                Role::Sink,
                vec![OnePeer, SomeDelivery, AllDelivered, SomeBlock],
            ),
            Self::PullFair => (
                Pull,
                Role::Sink,
                Push,
                Role::Source,
                vec![FairQueue, SomeDelivery, SomeDepartedRead, SomeAwayDelivered],
            ),
            Self::ReqRep => (
                Rep,
                Role::Server,
                Req,
                Role::Client,
                vec![OneOutstanding, ReplyToAsker, SomeReply],
            ),
            Self::ReqRelaxed => (
                Rep,
                Role::Server,
                Req,
                Role::Client,
                vec![OneOutstanding, ReplyToAsker, SomeReply],
            ),
            Self::ReqRouter => (
                Router,
                Role::Server,
                Req,
                Role::Client,
                vec![OneOutstanding, ReplyToAsker, SomeReply, SomeAwayDelivered],
            ),
            Self::DealerRep => (
                Rep,
                Role::Server,
                Dealer,
                Role::Client,
                vec![ReplyToAsker, SomeReply, SomeBlock],
            ),
            Self::DealerRouter => (
                Router,
                Role::Server,
                Dealer,
                Role::Client,
                vec![
                    ReplyToAsker,
                    MandatoryReports,
                    SomeReply,
                    SomeUnreachable,
                    SomeDepartedRead,
                    SomeAwayDelivered,
                ],
            ),
            Self::PubSub => (
                Pub,
                Role::Source,
                Sub,
                Role::Sink,
                vec![PubFilters, CountsBalance, NothingAfterCancel, SomeDelivery],
            ),
            Self::ClientServer => (
                Server,
                Role::Server,
                Client,
                Role::Client,
                vec![ReplyToAsker, SinglePart, SomeReply, AllReplied],
            ),
            Self::RadioDish => (
                Radio,
                Role::Source,
                Dish,
                Role::Sink,
                vec![GroupFilter, JoinHonoured, NothingAfterLeave, SomeDelivery],
            ),
            Self::ScatterGather => (
                Scatter,
                Role::Source,
                Gather,
                Role::Sink,
                vec![OnePeer, SinglePart, SomeDelivery, AllDelivered, SomeBlock],
            ),
            Self::PeerPeer => (
                Peer,
                Role::Server,
                Peer,
                Role::Client,
                vec![ReplyToAsker, SinglePart, SomeReply, AllReplied],
            ),
            Self::XPubXSub => return xpub_xsub(b, fault),
            Self::Pair => return pair(Pair, b, fault),
            Self::Channel => return pair(Channel, b, fault),
        };
        checks.extend(common);
        let options = |t: SocketType| {
            let mut o = crate::Options {
                sndhwm: b.hwm,
                rcvhwm: b.hwm,
                ..Default::default()
            };
            o.router_mandatory = t == Router;
            o
        };
        let mut nodes = Vec::new();
        let mut links = Vec::new();
        // REQ-REP and DEALER-REP: the client is the single node; otherwise
        // the server or source is.
        let (single, single_role, multi, multi_role) = match self {
            Self::ReqRep | Self::ReqRelaxed | Self::DealerRep => (many, many_role, one, one_role),
            _ => (one, one_role, many, many_role),
        };
        let mut first = Node::new(single, single_role);
        first.fair = self == Self::PullFair;
        first.options = crate::Options {
            fault: if fault == Fault::ReqUncorrelated {
                Fault::None
            } else {
                fault
            },
            ..options(single)
        };
        if self == Self::ReqRelaxed {
            first.options.req_relaxed = true;
            first.options.req_correlate = fault != Fault::ReqUncorrelated;
        }
        nodes.push(first);
        for i in 0..b.peers {
            let mut n = Node::new(multi, multi_role.clone());
            n.options = options(multi);
            if multi == Sub {
                n.subscribe = vec![Bytes::from_static(b"A")];
            }
            if multi == Dish {
                // Different joins: the first DISH is in group A, the next
                // in B, and so on.
                n.subscribe = vec![Bytes::from(vec![TOPICS[i % TOPICS.len()]])];
            }
            links.push(Link {
                connector: nodes.len(),
                binder: 0,
                initially_up: true,
            });
            nodes.push(n);
        }
        Topology {
            name: self.name().into(),
            nodes,
            links,
            messages: b.messages,
            wire_capacity: b.wire,
            disconnects: b.disconnects,
            sub_changes: if matches!(self, Self::PubSub | Self::RadioDish) {
                b.sub_changes
            } else {
                0
            },
            checks,
        }
    }
}

/// PUB <- XSUB [proxy] XPUB <- K SUBs.
fn xpub_xsub(b: Bounds, fault: Fault) -> Topology {
    use SocketType::*;
    let options = crate::Options {
        sndhwm: b.hwm,
        rcvhwm: b.hwm,
        ..Default::default()
    };
    let mut nodes = vec![
        Node {
            options: crate::Options {
                fault,
                ..options.clone()
            },
            ..Node::new(Pub, Role::Source)
        },
        Node {
            options: options.clone(),
            ..Node::new(XSub, Role::Proxy { partner: 2 })
        },
        Node {
            options: options.clone(),
            ..Node::new(XPub, Role::Proxy { partner: 1 })
        },
    ];
    let mut links = vec![Link {
        connector: 1,
        binder: 0,
        initially_up: true,
    }];
    for _ in 0..b.peers {
        links.push(Link {
            connector: nodes.len(),
            binder: 2,
            initially_up: true,
        });
        nodes.push(Node {
            options: options.clone(),
            subscribe: vec![Bytes::from_static(b"A")],
            ..Node::new(Sub, Role::Sink)
        });
    }
    use Check::*;
    Topology {
        name: Scenario::XPubXSub.name().into(),
        nodes,
        links,
        messages: b.messages,
        wire_capacity: b.wire,
        disconnects: b.disconnects,
        sub_changes: b.sub_changes,
        checks: vec![
            Atomic,
            NoDuplicate,
            Fifo,
            Hwm,
            NothingToDeparted,
            PubFilters,
            CountsBalance,
            NothingAfterCancel,
            SomeDelivery,
        ],
    }
}

/// PAIR (or CHANNEL) 0 bound; 1 connected; 2 trying to connect.
fn pair(kind: SocketType, b: Bounds, fault: Fault) -> Topology {
    let options = crate::Options {
        sndhwm: b.hwm,
        rcvhwm: b.hwm,
        fault,
        ..Default::default()
    };
    let nodes = (0..3)
        .map(|_| Node {
            options: options.clone(),
            ..Node::new(kind, Role::Peer)
        })
        .collect();
    use Check::*;
    let mut checks = vec![
        Atomic,
        NoDuplicate,
        Fifo,
        Hwm,
        NothingToDeparted,
        PairExclusive,
        SomeDelivery,
        SomeBlock,
    ];
    let name = if kind == SocketType::Channel {
        checks.push(SinglePart);
        Scenario::Channel.name()
    } else {
        Scenario::Pair.name()
    };
    Topology {
        name: name.into(),
        nodes,
        links: vec![
            Link {
                connector: 1,
                binder: 0,
                initially_up: true,
            },
            Link {
                connector: 2,
                binder: 0,
                initially_up: false,
            },
        ],
        messages: b.messages,
        wire_capacity: b.wire,
        disconnects: b.disconnects,
        sub_changes: 0,
        checks,
    }
}
