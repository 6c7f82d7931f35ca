use std::collections::HashSet;

use super::*;

#[test]
fn case_ids_are_unique_and_well_formed() {
    let mut seen = HashSet::new();
    for c in all() {
        assert!(seen.insert(c.id), "duplicate case id {}", c.id);
        let (req, n) = c.id.split_once('/').expect("id is <requirement>/<n>");
        assert!(!req.is_empty());
        assert!(n.parse::<u32>().is_ok(), "case number of {}", c.id);
        assert!(
            !c.sends.is_empty() && !c.expects.is_empty(),
            "{} explains itself",
            c.id
        );
    }
}

#[test]
fn prefix_selection_filters() {
    let g = select("G0");
    assert!(!g.is_empty());
    assert!(g.iter().all(|c| c.id.starts_with("G0")));
    assert_eq!(select("").len(), all().len());
    assert!(select("no-such-prefix").is_empty());
}
