use super::{PROMOTED, cases, reproducer};
use crate::coverage::parse_catalogue;
use crate::data::CATALOGUE;

#[test]
fn every_promoted_file_reads_and_names_a_catalogue_requirement() {
    let catalogue = parse_catalogue(CATALOGUE);
    for (i, (name, _)) in PROMOTED.iter().enumerate() {
        let r = reproducer(i).unwrap_or_else(|e| panic!("{e}"));
        let p = r.promoted.expect("promoted");
        assert!(
            catalogue.iter().any(|req| req.id == p.requirement),
            "{name}: {} is not in the catalogue",
            p.requirement
        );
        assert!(!p.why.is_empty(), "{name}: no reason");
    }
    assert_eq!(cases().len(), PROMOTED.len());
}
