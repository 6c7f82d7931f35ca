//! The properties, named after the requirement IDs they check.

use stateright::Property;

use super::check::Check;
use super::topology::{Role, State, Topology};
use crate::pipe::limit;
use crate::{PeerId, PeerState, SocketType};

fn ok(s: &State, id: &str) -> bool {
    !s.ghost.violations.contains(id)
}

fn hwm(_: &Topology, s: &State) -> bool {
    s.sockets.iter().all(|sock| {
        let o = sock.options();
        sock.peers().into_iter().all(|p: PeerId| {
            (o.sndhwm == 0 || sock.queued_out(p) <= limit(o.sndhwm))
                && (o.rcvhwm == 0 || sock.queued_in(p) <= limit(o.rcvhwm))
        })
    })
}

fn counts_balance(m: &Topology, s: &State) -> bool {
    m.links.iter().enumerate().all(|(l, link)| {
        [link.connector, link.binder].into_iter().all(|n| {
            match s.sockets[n].peer_subscriptions(m.peer_at(s, l, n)) {
                Some(subs) if s.up[l] => *subs == s.ghost.view[l],
                _ => true,
            }
        })
    })
}

fn one_peer(_: &Topology, s: &State) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    s.ghost.received.iter().flatten().all(|m| seen.insert(*m))
}

fn nothing_to_departed(_: &Topology, s: &State) -> bool {
    s.sockets.iter().all(|sock| {
        let choices = sock.send_choices();
        sock.departed_peers().into_iter().all(|p| {
            sock.peer_state(p) == PeerState::Departing
                && sock.outgoing(p).next().is_none()
                && !choices.contains(&p)
        })
    })
}

fn pair_exclusive(_: &Topology, s: &State) -> bool {
    s.sockets
        .iter()
        .filter(|x| matches!(x.socket_type(), SocketType::Pair | SocketType::Channel))
        .all(|x| x.peers().len() <= 1)
}

/// The stateright property for a check.
pub(crate) fn property(check: Check) -> Property<Topology> {
    match check {
        Check::Atomic => {
            Property::always("37-R41 multipart messages arrive whole", |_, s: &State| {
                ok(s, "37-R41")
            })
        }
        Check::NoDuplicate => {
            Property::always("37-R43 no message delivered twice", |_, s: &State| {
                ok(s, "37-R43")
            })
        }
        Check::Fifo => Property::always("37-R44 in order per connection", |_, s: &State| {
            ok(s, "37-R44")
        }),
        Check::Hwm => Property::always("28-R25/29-R09/30-R07 queues stay within HWM", hwm),
        Check::OnePeer => Property::always(
            "30-R08/28-R26 a load-balanced message reaches one peer only",
            one_peer,
        ),
        Check::FairQueue => Property::always(
            "30-R18/28-R30/29-R32 the fair queue never serves a peer twice while another waits",
            |_, s: &State| ok(s, "30-R18"),
        ),
        Check::OneOutstanding => Property::always(
            "28-R01 REQ never has two requests outstanding",
            |_, s: &State| s.ghost.outstanding.iter().all(|n| *n <= 1),
        ),
        Check::ReplyToAsker => Property::always(
            "28-R07/28-R17 a reply reaches only the client that asked",
            |_, s: &State| ok(s, "28-R07"),
        ),
        Check::MandatoryReports => Property::always(
            "28-R42 ROUTER_MANDATORY never drops silently",
            |_, s: &State| ok(s, "28-R42"),
        ),
        Check::PubFilters => Property::always(
            "37-R45/29-R08 PUB sends a peer only what matches its subscriptions",
            |_, s| ok(s, "37-R45"),
        ),
        Check::CountsBalance => Property::always(
            "37-R50/37-R51 the publisher's subscription counts balance",
            counts_balance,
        ),
        Check::NothingAfterCancel => Property::always(
            "37-R47 SUB delivers no topic after its CANCEL",
            |_, s: &State| ok(s, "37-R47"),
        ),
        Check::PairExclusive => Property::always(
            "31-R10/52-R14 PAIR and CHANNEL have at most one peer",
            pair_exclusive,
        ),
        Check::SinglePart => Property::always(
            "37-R56/37-R57 the thread-safe types send and deliver single-part messages only",
            |_, s: &State| ok(s, "37-R56") && ok(s, "37-R57"),
        ),
        Check::GroupFilter => Property::always(
            "37-R52 RADIO sends a peer only the groups it joined",
            |_, s: &State| ok(s, "37-R52"),
        ),
        Check::JoinHonoured => Property::always(
            "37-R53 RADIO sends a joined peer with room its group's messages",
            |_, s: &State| ok(s, "37-R53"),
        ),
        Check::NothingAfterLeave => Property::always(
            "37-R54 DISH delivers no group after its LEAVE",
            |_, s: &State| ok(s, "37-R54"),
        ),
        Check::NothingToDeparted => Property::always(
            "lifecycle: nothing is routed to a departed peer",
            nothing_to_departed,
        ),
        Check::SomeDepartedRead => Property::sometimes(
            "sometimes a departed peer's message is read",
            |_, s: &State| s.ghost.departed_read,
        ),
        Check::SomeAwayDelivered => Property::sometimes(
            "sometimes a message queued while away arrives after reconnect",
            |_, s: &State| s.ghost.away_delivered,
        ),
        Check::AllReplied => Property::sometimes(
            "sometimes every request is answered",
            |m: &Topology, s: &State| {
                let clients = m.nodes.iter().filter(|n| n.role == Role::Client).count();
                usize::from(s.ghost.replies) >= clients * usize::from(m.messages)
            },
        ),
        Check::SomeReply => Property::sometimes("sometimes a reply arrives", |_, s: &State| {
            s.ghost.replies > 0
        }),
        Check::SomeDelivery => {
            Property::sometimes("sometimes a message is delivered", |_, s: &State| {
                s.ghost.delivered > 0
            })
        }
        Check::AllDelivered => Property::sometimes(
            "sometimes every message is delivered",
            |m: &Topology, s: &State| s.ghost.delivered >= m.messages,
        ),
        Check::SomeBlock => {
            Property::sometimes("sometimes a full queue blocks a send", |_, s: &State| {
                s.ghost.blocked
            })
        }
        Check::SomeUnreachable => Property::sometimes(
            "sometimes ROUTER_MANDATORY reports an unknown routing id",
            |_, s: &State| s.ghost.unreachable,
        ),
    }
}
