use std::collections::HashSet;

use super::Mutant;

#[test]
fn names_are_unique_and_round_trip() {
    let every: Vec<Mutant> = Mutant::ALL
        .iter()
        .chain(Mutant::VARIANTS)
        .copied()
        .collect();
    let names: HashSet<&str> = every.iter().map(|m| m.name()).collect();
    assert_eq!(names.len(), every.len());
    for &m in &every {
        assert_eq!(Mutant::from_name(m.name()), Some(m));
        assert!(!m.describe().is_empty());
        assert_eq!(m.is_variant(), Mutant::VARIANTS.contains(&m));
    }
    assert_eq!(Mutant::from_name("NoSuchMutant"), None);
}

#[test]
fn nothing_is_active_unless_selected() {
    // The unit tests never select one: every site takes its correct path.
    assert_eq!(super::selected(), None);
    assert!(
        Mutant::ALL
            .iter()
            .chain(Mutant::VARIANTS)
            .all(|m| !m.is_active())
    );
}
