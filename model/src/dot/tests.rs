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
