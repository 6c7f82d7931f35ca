use std::collections::HashMap;
use std::path::Path;

use zmtp_spec::mutants::Mutant;

use super::{KILLERS, VARIANT_CASES, select};
use crate::agent::registry::repo_root;

#[test]
fn every_mutant_has_its_cases_and_every_listed_case_exists() {
    for &m in Mutant::ALL {
        let entries: Vec<_> = KILLERS.iter().filter(|(k, _)| *k == m).collect();
        assert_eq!(entries.len(), 1, "{}: one entry in KILLERS", m.name());
        let (_, cases) = entries[0];
        assert!(!cases.is_empty(), "{}: no case listed", m.name());
        for p in *cases {
            assert!(
                !select(&[(*p).to_string()]).is_empty(),
                "{}: {p} selects no case",
                m.name()
            );
        }
    }
    assert_eq!(
        KILLERS.len(),
        Mutant::ALL.len(),
        "KILLERS lists a mutant twice"
    );
}

#[test]
fn every_variant_has_its_cases_and_every_listed_case_exists() {
    for &m in Mutant::VARIANTS {
        let entries: Vec<_> = VARIANT_CASES.iter().filter(|(k, _)| *k == m).collect();
        assert_eq!(entries.len(), 1, "{}: one entry in VARIANT_CASES", m.name());
        for p in entries[0].1 {
            assert!(
                !select(&[(*p).to_string()]).is_empty(),
                "{}: {p} selects no case",
                m.name()
            );
        }
    }
    assert_eq!(VARIANT_CASES.len(), Mutant::VARIANTS.len());
    assert!(KILLERS.iter().all(|(m, _)| !m.is_variant()));
}

/// Counts `mutant!(Name)` in the `.rs` files under `dir`.
fn count_sites(dir: &Path, sites: &mut HashMap<String, usize>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            count_sites(&p, sites);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            for (i, _) in text.match_indices("mutant!(") {
                let name: String = text[i + "mutant!(".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                *sites.entry(name).or_default() += 1;
            }
        }
    }
}

#[test]
fn every_mutant_has_a_site() {
    let root = repo_root();
    let mut sites = HashMap::new();
    for dir in ["spec/src", "model/src", "impl/src"] {
        count_sites(&root.join(dir), &mut sites);
    }
    // The macro's own definition and documentation name `Name`.
    sites.remove("Name");
    sites.remove("");
    for &m in Mutant::ALL.iter().chain(Mutant::VARIANTS) {
        assert!(
            sites.remove(m.name()).is_some(),
            "{}: no mutation site",
            m.name()
        );
    }
    assert!(sites.is_empty(), "sites of no mutant: {sites:?}");
}
