use serde_json::json;

use zmtp_spec::wire::view::GreetingBuilder;

use super::*;
use crate::case::Verdict;
use crate::expected::Expected;
use crate::wirelog::hex;

fn result(id: &str, kind: Kind, wire: Vec<Entry>) -> CaseResult {
    CaseResult {
        id: id.into(),
        requirements: vec![id.split('/').next().unwrap_or(id).into()],
        sends: "s".into(),
        expects: "e".into(),
        verdict: Verdict {
            kind,
            detail: "saw <&>".into(),
            tolerance: None,
        },
        duration_ms: 5,
        wire,
        trace: Vec::new(),
        agent_stderr: String::new(),
    }
}

fn entry(dir: Direction, data: &str) -> Entry {
    Entry {
        t_ms: 1,
        who: "peer1".into(),
        dir,
        data: data.into(),
        json: None,
    }
}

/// A NULL greeting (from zmtp-spec's builder) in two writes, then a note.
fn greeting() -> Vec<Entry> {
    let g = hex(&GreetingBuilder::new().build());
    let (a, b) = g.split_at(10);
    vec![
        entry(Direction::In, a),
        entry(Direction::In, b),
        entry(Direction::Note, "closed"),
    ]
}

fn runs() -> Vec<(RunReport, Vec<Judged>)> {
    let run = RunReport {
        agent: "x".into(),
        manifest: json!({"version": "1.2"}),
        installed: None,
        transport: "tcp".into(),
        profile: "default".into(),
        duration_ms: 10,
        results: vec![
            result("G01/1", Kind::Pass, greeting()),
            result("37-R01/1", Kind::PassLenient, Vec::new()),
            result("G02/1", Kind::Fail, greeting()),
            result("37-R56/1", Kind::Unsupported, Vec::new()),
            result("37-R51/1", Kind::Fail, greeting()),
            result("26-R08/1", Kind::Pass, Vec::new()),
        ],
    };
    let expected =
        Expected::parse("37-R51/1 FAIL idempotent\n26-R08/1 FAIL padding\n").expect("valid");
    let judged = expected.judge_run(&run);
    vec![(run, judged)]
}

#[test]
fn every_case_and_requirement_is_there_with_its_status() {
    let runs = runs();
    let html = page(&runs);
    let (run, judged) = &runs[0];
    let tally = Tally::of(judged);
    for r in &run.results {
        assert!(
            html.contains(&format!("data-case=\"{}\"", r.id)),
            "{}",
            r.id
        );
        for req in &r.requirements {
            assert!(html.contains(&format!("data-req=\"{req}\"")), "{req}");
        }
    }
    for st in Status::ALL {
        let sections = html
            .matches(&format!("data-status=\"{}\">", st.label()))
            .count();
        assert_eq!(sections, tally.get(st), "{}", st.label());
        assert!(html.contains(&format!("data-{}=\"{}\"", st.label(), tally.get(st))));
    }
    assert!(html.contains("<h4>RFC 37</h4>") && html.contains("<h4>RFC 26</h4>"));
    assert!(html.contains("ZMTP grammar (G)"));
    // The requirement text from the catalogue, escaped.
    assert!(html.contains("data-req=\"G01\""));
    assert!(!html.contains("saw <&>") && html.contains("saw &lt;&amp;&gt;"));
}

#[test]
fn a_failure_shows_its_wire_log_and_dissection_a_pass_does_not() {
    let html = page(&runs());
    let section = |id: &str| {
        let at = html.find(&format!("data-case=\"{id}\"")).expect("case");
        let end = html[at..].find("</section>").expect("end") + at;
        html[at..end].to_string()
    };
    let failed = section("G02/1");
    assert!(failed.contains("wire log (3 entries"), "{failed}");
    assert!(failed.contains("dissection of the implementation to peer1"));
    // Both writes are dissected as one stream: the greeting is whole.
    assert!(failed.contains("mechanism NULL"), "{failed}");
    let xfail = section("37-R51/1");
    assert!(xfail.contains("wire log") && xfail.contains("idempotent"));
    assert!(!section("G01/1").contains("wire log"));
}

#[test]
fn the_page_needs_nothing_from_outside() {
    let html = page(&runs());
    for needle in ["<link", "<img", "src=", "@import", "url("] {
        assert!(!html.contains(needle), "{needle}");
    }
    // The only absolute links go to the catalogue.
    let absolute = html.matches("href=\"http").count();
    assert_eq!(
        absolute,
        html.matches(&format!("href=\"{CATALOGUE_URL}")).count()
    );
}

#[test]
fn a_stream_cut_in_the_log_is_dissected_up_to_the_cut() {
    let g = hex(&GreetingBuilder::new().build());
    let wire = vec![
        entry(Direction::Out, &format!("{g}+300")),
        entry(Direction::Out, &g),
    ];
    let d = dissections(&wire);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].0, "peer1 to the implementation");
    assert!(d[0].1.contains("dissection stops there"), "{}", d[0].1);
}

#[test]
fn requirement_texts_lose_their_list_marker_number_and_id() {
    assert_eq!(
        req_text("37-R51", "51. 37-R51 §Pub-Sub: not idempotent. [wire]"),
        "§Pub-Sub: not idempotent. [wire]"
    );
    assert_eq!(
        req_text("G01", "- G01: the greeting is 64 octets"),
        "the greeting is 64 octets"
    );
    assert_eq!(req_text("G13", "- G13 (37): PING"), "(37): PING");
    assert_eq!(req_text("X", "plain text"), "plain text");
}
