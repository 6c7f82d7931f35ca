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

fn status(e: &Expected, id: &str, got: Kind) -> Status {
    e.judge(id, got, "tcp", "default").status
}

#[test]
fn unlisted_cases_must_pass_and_fixed_ones_are_reported() {
    let e = Expected::parse(FILE).expect("valid file");
    assert_eq!(status(&e, "G01/1", Kind::Pass), Status::Passed);
    assert_eq!(status(&e, "G01/1", Kind::PassLenient), Status::Lenient);
    assert_eq!(status(&e, "G01/1", Kind::Fail), Status::Failed);
    assert_eq!(status(&e, "G01/1", Kind::NonStrict), Status::Failed);
    // An expected failure is counted apart, with its reason.
    let j = e.judge("37-R33/1", Kind::Fail, "tcp", "default");
    assert_eq!(j.status, Status::ExpectedFailure);
    assert_eq!(j.reason, "every 37-R33 case, say");
    // An expected failure that now passes is unexpected too.
    assert_eq!(status(&e, "37-R33/1", Kind::Pass), Status::UnexpectedPass);
    // A listed PASS-LENIENT that passes outright is a pass.
    assert_eq!(status(&e, "37-R01/1", Kind::Pass), Status::Passed);
}

#[test]
fn unsupported_is_never_a_failure_unless_an_entry_wants_more() {
    let e = Expected::parse(FILE).expect("valid file");
    assert_eq!(status(&e, "G01/1", Kind::Unsupported), Status::Unsupported);
    assert_eq!(
        e.judge("G07/2", Kind::Unsupported, "ipc", "default").status,
        Status::Unsupported
    );
    assert_eq!(
        e.judge("G07/2", Kind::Pass, "ipc", "default").status,
        Status::UnexpectedPass
    );
    // An entry that names another verdict: the file wants it supported.
    assert_eq!(status(&e, "37-R33/1", Kind::Unsupported), Status::Failed);
    let all = Expected::parse("* PASS|PASS-LENIENT supports everything").expect("valid");
    assert_eq!(status(&all, "G01/1", Kind::Unsupported), Status::Failed);
    assert_eq!(status(&all, "G01/1", Kind::PassLenient), Status::Lenient);
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
    assert_eq!(status(&e, "28-R08/1", Kind::Fail), Status::ExpectedFailure);
    assert_eq!(status(&e, "28-R08/1", Kind::PassLenient), Status::Lenient);
    assert_eq!(status(&e, "28-R08/1", Kind::NonStrict), Status::Failed);
}

fn run_of(transport: &str, profile: &str, results: &[(&str, Kind, &str)]) -> RunReport {
    use crate::case::Verdict;
    use crate::runner::CaseResult;
    RunReport {
        agent: "mylib".into(),
        manifest: serde_json::json!({"version": "1.0"}),
        installed: None,
        transport: transport.into(),
        profile: profile.into(),
        duration_ms: 1,
        results: results
            .iter()
            .map(|&(id, kind, detail)| CaseResult {
                id: id.into(),
                requirements: Vec::new(),
                sends: String::new(),
                expects: String::new(),
                verdict: Verdict {
                    kind,
                    detail: detail.into(),
                    tolerance: None,
                },
                duration_ms: 1,
                wire: Vec::new(),
                trace: Vec::new(),
                agent_stderr: String::new(),
            })
            .collect(),
    }
}

#[test]
fn a_blessed_file_expects_what_the_run_gave() {
    let tcp = run_of(
        "tcp",
        "default",
        &[
            ("G01/1", Kind::Pass, "ok"),
            ("G02/1", Kind::PassLenient, "ok"),
            ("37-R56/1", Kind::Unsupported, "no CLIENT socket"),
            ("37-R51/1", Kind::Fail, "got # 2\nlines"),
            ("G07/2", Kind::Fail, "tcp only"),
        ],
    );
    let ipc = run_of(
        "ipc",
        "default",
        &[
            ("G01/1", Kind::Pass, "ok"),
            ("G02/1", Kind::Pass, "ok"),
            ("37-R56/1", Kind::Unsupported, "no CLIENT socket"),
            ("37-R51/1", Kind::Fail, "got # 2\nlines"),
            ("G07/2", Kind::Pass, "ok"),
        ],
    );
    let text = bless(&[tcp.clone(), ipc.clone()]);
    assert!(
        text.contains("\n37-R56/1 UNSUPPORTED no CLIENT socket\n"),
        "{text}"
    );
    assert!(
        text.contains("\n37-R51/1 FAIL got no.  2 lines\n"),
        "{text}"
    );
    assert!(text.contains("\ntcp:G07/2 FAIL tcp only\n"), "{text}");
    assert!(!text.contains("G01/1") && !text.contains("G02/1"), "{text}");
    let e = Expected::parse(&text).expect("a blessed file parses");
    for run in [&tcp, &ipc] {
        for r in &run.results {
            let j = e.judge(&r.id, r.verdict.kind, &run.transport, &run.profile);
            assert!(
                !j.status.is_unexpected(),
                "{} over {}: {j:?}",
                r.id,
                run.transport
            );
        }
    }
    let strict = bless(&[run_of("tcp", "strict", &[("G06/1", Kind::Fail, "lax")])]);
    assert!(strict.contains("\nstrict:G06/1 FAIL lax\n"), "{strict}");
}
