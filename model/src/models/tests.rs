//! Every scenario checked to completion at the test bounds, and the
//! mutation tests: a broken machine must be caught.

use stateright::{Checker, Model};

use super::*;
use crate::Fault;

fn check(scenario: Scenario) {
    let start = std::time::Instant::now();
    let checker = scenario
        .model(scenario.test_bounds())
        .checker()
        .spawn_bfs()
        .join();
    eprintln!(
        "{}: {} unique states, {:?}",
        scenario.name(),
        checker.unique_state_count(),
        start.elapsed()
    );
    assert!(
        checker.unique_state_count() > 10,
        "{} explored too little",
        scenario.name()
    );
    checker.assert_properties();
}

fn caught(scenario: Scenario, fault: Fault, property: &'static str) {
    let checker = scenario
        .model_with_fault(Bounds::TEST, fault)
        .checker()
        .spawn_bfs()
        .join();
    checker.assert_any_discovery(property);
}

#[test]
fn push_pull() {
    check(Scenario::PushPull);
}

#[test]
fn pull_fair() {
    check(Scenario::PullFair);
}

#[test]
fn req_rep() {
    check(Scenario::ReqRep);
}

#[test]
fn req_relaxed_with_correlate() {
    check(Scenario::ReqRelaxed);
}

#[test]
fn req_relaxed_without_correlate_can_take_a_stale_reply() {
    // Why REQ_CORRELATE exists: a relaxed REQ that resends to the same peer
    // cannot tell the old reply from the new one.
    caught(
        Scenario::ReqRelaxed,
        Fault::ReqUncorrelated,
        "28-R07/28-R17 a reply reaches only the client that asked",
    );
}

#[test]
fn req_router() {
    check(Scenario::ReqRouter);
}

#[test]
fn dealer_rep() {
    check(Scenario::DealerRep);
}

#[test]
fn dealer_router() {
    check(Scenario::DealerRouter);
}

#[test]
fn pub_sub() {
    check(Scenario::PubSub);
}

#[test]
fn xpub_xsub_proxy() {
    check(Scenario::XPubXSub);
}

#[test]
fn pair() {
    check(Scenario::Pair);
}

#[test]
fn client_server_rfc41_37_r56_r57() {
    check(Scenario::ClientServer);
}

#[test]
fn radio_dish_37_r52_r53_r54() {
    check(Scenario::RadioDish);
}

#[test]
fn scatter_gather_rfc49() {
    check(Scenario::ScatterGather);
}

#[test]
fn peer_peer_rfc51() {
    check(Scenario::PeerPeer);
}

#[test]
fn channel_rfc52() {
    check(Scenario::Channel);
}

/// The RADIO-DISH state right after the DISHes' JOINs are queued (links
/// up, nothing transmitted).
fn radio_dish_start() -> (Topology, State) {
    let model = Scenario::RadioDish.model(Bounds::TEST);
    let state = model.init_states().remove(0);
    (model, state)
}

#[test]
fn radio_sending_to_a_peer_that_never_joined_is_flagged_37_r52() {
    // The machine hears a JOIN the ghost never saw crossing the wire: the
    // message it then queues is one the peer did not ask for.
    let (model, mut s) = radio_dish_start();
    s.sockets[0].peer_join(crate::PeerId(1), bytes::Bytes::from_static(b"A"));
    let s = model.next_state(&s, Action::Send(0, None)).unwrap();
    assert!(s.ghost.violations.contains("37-R52"));
}

#[test]
fn radio_skipping_a_joined_peer_is_flagged_37_r53() {
    // The ghost saw a JOIN the machine never processed: the peer, with
    // room, misses the group's message.
    let (model, mut s) = radio_dish_start();
    s.ghost.view[0].add(bytes::Bytes::from_static(b"A"));
    let s = model.next_state(&s, Action::Send(0, None)).unwrap();
    assert!(s.ghost.violations.contains("37-R53"));
}

#[test]
fn radio_delivery_after_join_is_clean() {
    // JOIN crosses the wire, then the send reaches DISH 1 (group A) and
    // its application: no violation, one delivery.
    let (model, s) = radio_dish_start();
    let mut s = s;
    for a in [
        Action::Transmit(0, 0),
        Action::Deliver(0, 0),
        Action::Send(0, None),
        Action::Transmit(0, 1),
        Action::Deliver(0, 1),
        Action::Recv(1, Some(crate::PeerId(0))),
    ] {
        s = model
            .next_state(&s, a.clone())
            .unwrap_or_else(|| panic!("{a:?}"));
    }
    assert!(s.ghost.violations.is_empty(), "{:?}", s.ghost.violations);
    assert_eq!(s.ghost.delivered, 1);
}

#[test]
fn mutation_req_two_outstanding_is_caught_28_r01() {
    caught(
        Scenario::ReqRep,
        Fault::ReqTwoOutstanding,
        "28-R01 REQ never has two requests outstanding",
    );
}

#[test]
fn mutation_pub_ignoring_cancel_is_caught_37_r45() {
    caught(
        Scenario::PubSub,
        Fault::PubIgnoresCancel,
        "37-R45/29-R08 PUB sends a peer only what matches its subscriptions",
    );
    caught(
        Scenario::PubSub,
        Fault::PubIgnoresCancel,
        "37-R50/37-R51 the publisher's subscription counts balance",
    );
}

#[test]
fn mutation_push_delivering_twice_is_caught_30_r08() {
    caught(
        Scenario::PushPull,
        Fault::PushDeliversTwice,
        "30-R08/28-R26 a load-balanced message reaches one peer only",
    );
}

#[test]
fn mutation_unfair_queue_is_caught_30_r18() {
    caught(
        Scenario::PullFair,
        Fault::UnfairQueue,
        "30-R18/28-R30/29-R32 the fair queue never serves a peer twice while another waits",
    );
}

#[test]
fn scenario_names_round_trip() {
    for s in Scenario::ALL {
        assert_eq!(Scenario::from_name(s.name()), Some(s));
    }
    assert_eq!(Scenario::from_name("nope"), None);
}

/// The "every model to completion at its default bounds": about
/// 25 s in a release build on two cores (`cargo test -p zmtp-model
/// --release`), too slow for a debug build, where the test bounds above
/// apply.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "default bounds are for release builds: cargo test -p zmtp-model --release"
)]
fn every_scenario_at_default_bounds() {
    for scenario in Scenario::ALL {
        let checker = scenario
            .model(scenario.default_bounds())
            .checker()
            .threads(2)
            .spawn_bfs()
            .join();
        checker.assert_properties();
    }
}
