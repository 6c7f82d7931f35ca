use std::collections::HashSet;

use super::*;

#[test]
fn case_ids_are_unique_and_well_formed() {
    let mut seen = HashSet::new();
    for c in all() {
        assert!(seen.insert(c.id), "duplicate case id {}", c.id);
        let (req, n) = c.id.split_once('/').expect("id is <requirement>/<n>");
        assert!(!req.is_empty());
        // A number, or `F` and a reproducer's 8-digit hash for a promoted
        // fuzzer finding (cases/promoted.rs).
        let promoted = n
            .strip_prefix('F')
            .is_some_and(|h| h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(
            n.parse::<u32>().is_ok() || promoted,
            "case number of {}",
            c.id
        );
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

#[test]
fn every_named_requirement_is_a_catalogue_id() {
    let catalogue = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("requirements.md"),
    )
    .ok()
    .map(|t| crate::coverage::parse_catalogue(&t));
    for c in all() {
        for r in c.requirements() {
            let grammar =
                r.len() == 3 && r.starts_with('G') && r[1..].chars().all(|d| d.is_ascii_digit());
            // PLAIN and CURVE grammar items: G-P1.., G-C1..
            let grammar = grammar
                || ((r.starts_with("G-P") || r.starts_with("G-C"))
                    && r.len() > 3
                    && r[3..].chars().all(|d| d.is_ascii_digit()));
            assert!(
                crate::coverage::is_req_id(r) || grammar,
                "{}: bad requirement id {r}",
                c.id
            );
            if let Some(cat) = &catalogue {
                assert!(
                    cat.iter().any(|x| x.id == r),
                    "{}: {r} is not in the catalogue",
                    c.id
                );
            }
        }
    }
}

/// The catalogue ships with the suite (`conformance/requirements.md`, the
/// project's source of truth): it parses, and it has every id the cases name
/// (checked above) and the RFCs the suite covers.
#[test]
fn shipped_catalogue_parses() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = std::fs::read_to_string(dir.join("requirements.md")).expect("shipped catalogue");
    let cat = crate::coverage::parse_catalogue(&shipped);
    // 24/PLAIN has no keyword requirement: its rules are G-P1..G-P5.
    for spec in crate::coverage::SCOPE.iter().filter(|s| **s != "24-") {
        assert!(
            cat.iter().any(|r| r.id.starts_with(spec)),
            "the shipped catalogue has no {spec}R.. id"
        );
    }
    let mut seen = HashSet::new();
    for r in &cat {
        assert!(seen.insert(r.id.as_str()), "{} is listed twice", r.id);
    }
    for c in all() {
        for r in c.requirements() {
            assert!(seen.contains(r), "{}: {r} is not in the catalogue", c.id);
        }
    }
}
