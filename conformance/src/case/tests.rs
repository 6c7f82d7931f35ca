use std::time::Duration;

use super::*;

#[test]
fn labels_round_trip() {
    for k in [
        Kind::Pass,
        Kind::PassLenient,
        Kind::NonStrict,
        Kind::Unsupported,
        Kind::Fail,
    ] {
        assert_eq!(Kind::parse(k.label()), Some(k));
    }
    assert_eq!(Kind::parse("pass"), None);
}

#[test]
fn tolerance_ids_are_unique() {
    let mut ids: Vec<_> = TOLERANCES.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), TOLERANCES.len());
}

/// A context for the first case, with the agent's manifest `version`.
fn ctx_of(version: &str, strict: bool) -> Ctx {
    let case = crate::cases::all().remove(0);
    let settings = Settings {
        transport: &crate::peer::transport::Tcp,
        strict,
        op_timeout: Duration::from_secs(1),
        quiet: Duration::from_millis(100),
        scratch_dir: std::env::temp_dir(),
    };
    let agent = crate::agent::fixed::FixedPeer::new("tcp://127.0.0.1:1", "PULL");
    let manifest = serde_json::json!({"name": "x", "version": version, "zmtp": "3.1"});
    Ctx::new(Box::new(agent), settings, manifest, &case, 0)
}

#[test]
fn libzmq_tolerances_go_to_the_libzmq_family_only() {
    let libzmq = ctx_of("libzmq 4.3.5 (pyzmq 27.3.0)", false);
    let other = ctx_of("pyomq 0.21.0", false);
    for t in TOLERANCES {
        let got = |cx: &Ctx| cx.deviation(t.id, "seen").expect("a verdict").kind;
        assert_eq!(got(&libzmq), Kind::PassLenient, "{}", t.id);
        let want = if t.libzmq_only {
            Kind::Fail
        } else {
            Kind::PassLenient
        };
        assert_eq!(got(&other), want, "{}", t.id);
        assert_eq!(
            got(&ctx_of("libzmq 4.3.5", true)),
            Kind::Fail,
            "strict: {}",
            t.id
        );
    }
}

#[test]
fn verdicts_name_the_negotiated_version() {
    let mut cx = ctx_of("x", false);
    let plain = cx.annotate(cx.pass("ok")).expect("a verdict");
    assert_eq!(plain.detail, "ok", "no handshake, nothing added");
    let mut theirs = [0u8; 64];
    theirs[0] = 0xFF;
    theirs[9] = 0x7F;
    theirs[10] = 3;
    theirs[11] = 0;
    cx.negotiate(1, &theirs);
    assert_eq!(cx.negotiated_minor(), 0);
    let v = cx.annotate(cx.pass("ok")).expect("a verdict");
    assert!(v.detail.contains("judged as ZMTP 3.0"), "{}", v.detail);
    let stop = cx.annotate(Err(Stop::Fail("broke".into())));
    assert!(
        matches!(&stop, Err(Stop::Fail(s)) if s.contains("announced 3.0")),
        "{stop:?}"
    );
}
