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
