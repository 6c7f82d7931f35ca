use std::collections::HashSet;

use super::Mutant;

#[test]
fn names_are_unique_and_round_trip() {
    let names: HashSet<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(names.len(), Mutant::ALL.len());
    for &m in Mutant::ALL {
        assert_eq!(Mutant::from_name(m.name()), Some(m));
        assert!(!m.describe().is_empty());
    }
    assert_eq!(Mutant::from_name("NoSuchMutant"), None);
}

#[test]
fn nothing_is_active_unless_selected() {
    // The unit tests never select one: every site takes its correct path.
    assert_eq!(super::selected(), None);
    assert!(Mutant::ALL.iter().all(|m| !m.is_active()));
}
