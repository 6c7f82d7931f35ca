use stateright::{Checker, Model};

use crate::Fault;
use crate::models::{Action, Bounds, Scenario};

#[test]
fn bounds_read_as_words() {
    let text = Bounds::TEST.to_string();
    assert!(
        text.starts_with("2 peers on the many side, 2 messages per sending application"),
        "{text}"
    );
    assert!(!text.contains('{'), "{text}");
}

#[test]
fn the_broken_req_counterexample_reads_as_sentences() {
    let scenario = Scenario::ReqRep;
    let model = scenario.model_with_fault(scenario.test_bounds(), Fault::ReqTwoOutstanding);
    let checker = model.clone().checker().spawn_bfs().join();
    let path = checker
        .discovery("28-R01 REQ never has two requests outstanding")
        .expect("the broken REQ is caught");
    let steps = path.into_vec();
    let words: Vec<String> = steps
        .iter()
        .filter_map(|(s, a)| a.as_ref().map(|a| model.narrate(s, a)))
        .collect();
    // The step that puts the second request out is a send at the REQ,
    // named by its socket type, with no Debug syntax anywhere.
    let first = steps
        .iter()
        .position(|(s, _)| s.ghost.outstanding[0] == 2)
        .expect("two outstanding");
    assert!(matches!(steps[first - 1].1, Some(Action::Send(0, _))));
    assert!(
        words[first - 1].starts_with("the application at node 0 (REQ) sends its request number"),
        "{}",
        words[first - 1]
    );
    for w in &words {
        assert!(!w.contains("Some(") && !w.contains("PeerId("), "{w}");
    }
    assert!(words.iter().any(|w| w.contains("breaks")), "{words:?}");
}
