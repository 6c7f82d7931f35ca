use super::*;

const FILE: &str = "\
# pyzmq
37-R01/1 PASS-LENIENT paces its greeting (T-PACING)
strict:37-R01/1 FAIL strict profile: no tolerance
37-R33/* FAIL every 37-R33 case, say
37-R33/2 NON-STRICT this one only
ipc:G07/2 UNSUPPORTED not over ipc
";

#[test]
fn most_specific_entry_wins() {
    let e = Expected::parse(FILE).expect("valid file");
    let k = |id, t, p| e.lookup(id, t, p).map(|x| x.kinds[0]);
    assert_eq!(k("37-R01/1", "tcp", "default"), Some(Kind::PassLenient));
    assert_eq!(k("37-R01/1", "tcp", "strict"), Some(Kind::Fail));
    assert_eq!(k("37-R33/1", "tcp", "default"), Some(Kind::Fail));
    assert_eq!(k("37-R33/2", "tcp", "default"), Some(Kind::NonStrict));
    assert_eq!(k("G07/2", "ipc", "default"), Some(Kind::Unsupported));
    assert_eq!(k("G07/2", "tcp", "default"), None);
}

#[test]
fn unlisted_cases_must_pass_and_fixed_ones_are_reported() {
    let e = Expected::parse(FILE).expect("valid file");
    assert!(e.check("G01/1", Kind::Pass, "tcp", "default").is_none());
    assert!(
        e.check("G01/1", Kind::PassLenient, "tcp", "default")
            .is_none()
    );
    assert!(e.check("G01/1", Kind::Fail, "tcp", "default").is_some());
    // An expected failure that now passes is a mismatch too.
    assert!(e.check("37-R33/1", Kind::Pass, "tcp", "default").is_some());
}

#[test]
fn reasons_and_verdicts_are_required() {
    assert!(Expected::parse("G01/1 FAIL").is_err());
    assert!(Expected::parse("G01/1 BROKEN because").is_err());
    assert!(Expected::parse("udp:G01/1 FAIL because").is_err());
}

#[test]
fn alternatives_accept_either_verdict() {
    let e = Expected::parse("28-R08/1 FAIL|PASS-LENIENT depends on timing").expect("valid");
    assert!(e.check("28-R08/1", Kind::Fail, "tcp", "default").is_none());
    assert!(
        e.check("28-R08/1", Kind::PassLenient, "tcp", "default")
            .is_none()
    );
    assert!(e.check("28-R08/1", Kind::Pass, "tcp", "default").is_some());
}
