use super::*;

#[test]
fn req_graph_has_the_alternation_28_r01() {
    let g = req();
    assert!(g.starts_with("digraph REQ {"));
    assert!(
        g.contains(
            "\"Ready\\npeer\" -> \"AwaitingReply\\npeer, output queued\" [label=\"send request\"]"
        ),
        "{g}"
    );
    assert!(g.contains("[label=\"reply arrives\"]"));
    assert!(
        g.contains("\"ReplyQueued\\npeer\" -> \"Ready\\npeer\" [label=\"recv reply\"]"),
        "{g}"
    );
    // No edge sends a second request while one is outstanding.
    assert!(!g.contains("\"AwaitingReply\\npeer\" -> \"AwaitingReply\\npeer, output queued\" [label=\"send request\"]"));
    assert!(g.contains("Orphaned"));
}

#[test]
fn rep_graph_has_the_alternation_28_r10() {
    let g = rep();
    assert!(g.starts_with("digraph REP {"));
    assert!(
        g.contains("\"RequestQueued\\npeer\" -> \"Replying\\npeer\" [label=\"recv request\"]"),
        "{g}"
    );
    assert!(
        g.contains(
            "\"Replying\\npeer\" -> \"Receiving\\npeer, output queued\" [label=\"send reply\"]"
        ),
        "{g}"
    );
    assert!(!g.contains("\"Receiving\\npeer\" -> \"Receiving\\npeer\" [label=\"send reply\"]"));
}

#[test]
fn snapshots_match_the_machines() {
    // model/dot/*.dot are what docs show; regenerate them with
    // `cargo run -p zmtp-model --features check -- dot req > model/dot/req.dot`.
    assert_eq!(req(), include_str!("../../dot/req.dot"));
    assert_eq!(rep(), include_str!("../../dot/rep.dot"));
    // `... -- dot lifecycle > model/dot/lifecycle.dot`
    assert_eq!(
        crate::lifecycle::dot(),
        include_str!("../../dot/lifecycle.dot")
    );
}

#[test]
fn every_machine_the_model_has_draws_more_than_one_state() {
    let mut drawn = 0;
    for t in SocketType::ALL {
        let Some(g) = machine(t) else {
            assert!(
                Socket::new(t, Options::default()).is_err(),
                "{t}: a machine but no graph"
            );
            continue;
        };
        drawn += 1;
        assert!(g.starts_with(&format!("digraph {t} {{")), "{g}");
        assert!(g.matches(" -> ").count() >= 3, "{t}: too few edges\n{g}");
        assert!(g.contains("[label=\"peer detaches\"]"), "{t}\n{g}");
    }
    assert!(drawn >= 13, "only {drawn} machines drawn");
}

#[test]
fn pub_sends_only_what_its_peer_subscribed_to_37_r45() {
    let g = machine(SocketType::Pub).unwrap();
    // With the peer subscribed, a send queues output for it; without, the
    // send leaves the state as it was (the message is dropped).
    assert!(
        g.contains("\"peer subscribed A\\npeer\" -> \"peer subscribed A\\npeer, output queued\" [label=\"send\"]"),
        "{g}"
    );
    assert!(
        g.contains("\"Idle\\npeer\" -> \"Idle\\npeer\" [label=\"send\"]"),
        "{g}"
    );
}

#[test]
fn sub_subscribes_and_dish_joins() {
    let sub = machine(SocketType::Sub).unwrap();
    assert!(
        sub.contains("[label=\"subscribe A\"]") && sub.contains("[label=\"cancel A\"]"),
        "{sub}"
    );
    let dish = machine(SocketType::Dish).unwrap();
    assert!(
        dish.contains("[label=\"join A\"]") && dish.contains("joined A"),
        "{dish}"
    );
}
