use super::*;

const CAT: &str = "\
15. 37-R15 §Authentication: mismatch MUST close. [wire][neg]
39. 37-R39 §Socket Semantics: bind and connect. [API]
17. 37-R17 §Error Handling: no reconnect. [behav]
3. 24-R03 something outside the scope [wire]
- G07: a short size is 1 octet.
- G-P1: PLAIN roles.
";

#[test]
fn catalogue_lines_are_read_with_their_tags() {
    let r = parse_catalogue(CAT);
    let ids: Vec<&str> = r.iter().map(|x| x.id.as_str()).collect();
    // 24- is in scope with the security cases, and so are G-P/G-C items.
    assert_eq!(ids, ["37-R15", "37-R39", "37-R17", "24-R03", "G07", "G-P1"]);
    assert!(r[0].needs_case() && r[0].tags.contains(&"neg".to_string()));
    assert!(!r[1].needs_case());
    assert!(r[2].needs_case());
    assert!(r[4].needs_case() && r[5].needs_case());
}

#[test]
fn ids_are_matched_whole() {
    assert!(names("/// enforces 37-R15 here", "37-R15"));
    assert!(!names("37-R150", "37-R15"));
    assert!(!names("G070", "G07"));
    assert!(names("(G07, G09)", "G07"));
    assert!(!names("137-R15", "37-R15"));
}

#[test]
fn exclusions_need_a_reason() {
    let e = parse_exclusions("37-R23 roles are not observable with NULL\n37-R99\n# comment\n");
    assert_eq!(e.len(), 1);
    assert!(e.contains_key("37-R23"));
}

#[test]
fn ranges_name_every_id_inside() {
    let ids = ids_in("//! HELLO's data (G-C1, 26-R06..R08, 26-R13): 194 octets");
    assert_eq!(ids, ["G-C1", "26-R06", "26-R07", "26-R08", "26-R13"]);
    assert_eq!(
        ids_in("(37-R26..37-R29)"),
        ["37-R26", "37-R27", "37-R28", "37-R29"]
    );
    assert_eq!(ids_in("grammar (G01..G04, 37-R01..R03)").len(), 7);
    assert_eq!(
        ids_in("G-C1..G-C3 and G-P2..P3"),
        ["G-C1", "G-C2", "G-C3", "G-P2", "G-P3"]
    );
    assert!(names("/// enforces 26-R06..R08", "26-R07"));
    assert!(!names("/// enforces 26-R06..R08", "26-R09"));
}

#[test]
fn bare_ids_after_a_full_one_take_its_spec() {
    let ids = ids_in("/// Checks HELLO (26-R06..R08, R13..R15, R20); WELCOME");
    assert_eq!(
        ids,
        [
            "26-R06", "26-R07", "26-R08", "26-R13", "26-R14", "26-R15", "26-R20"
        ]
    );
    // No full id before it: a bare R means nothing, nor inside a word.
    assert!(ids_in("R13 and ERR01").is_empty());
    assert_eq!(ids_in("max(2 × n) é 37-R01 ×"), ["37-R01"]);
    // A range's end in another spec is not a range.
    assert_eq!(ids_in("23-R01..37-R03"), ["23-R01", "37-R03"]);
    // A backward range names its two ends only.
    assert_eq!(ids_in("37-R09..R07"), ["37-R09", "37-R07"]);
}

#[test]
fn pending_is_counted_apart_and_does_not_fail() {
    let cat = parse_catalogue(
        "\
1. 49-R04 §SCATTER: not modified. [wire] [pending]
2. 49-R05 §SCATTER: a queue per peer. [behav] [pending]
3. 41-R03 §CLIENT: not modified. [wire]
4. 41-R04 §CLIENT: a queue per peer. [behav]
5. 41-R01 §Goals: atomic API. [API]
",
    );
    assert!(cat[0].is_pending() && !cat[2].is_pending());
    let cases = [("41-R03/1", vec!["41-R03"])];
    let mut excl = BTreeMap::new();
    excl.insert("41-R04".to_string(), "a reason".to_string());
    let r = Report::new(&cat, &cases, &excl, &BTreeMap::new());
    assert!(r.ok());
    assert_eq!(r.pending, ["49-R04", "49-R05"]);
    assert_eq!(
        (
            r.total.covered,
            r.total.excluded,
            r.total.pending,
            r.total.missing
        ),
        (1, 1, 2, 0)
    );
    let specs: Vec<&str> = r.per_spec.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(specs, ["49", "41"]);
    // Without the exclusion 41-R04 is missing; a marked id with a case is stale.
    let cases = [("41-R03/1", vec!["41-R03"]), ("49-R04/1", vec!["49-R04"])];
    let r = Report::new(&cat, &cases, &BTreeMap::new(), &BTreeMap::new());
    assert!(!r.ok());
    assert_eq!(r.missing, ["41-R04"]);
    assert_eq!(r.stale, ["49-R04"]);
}
