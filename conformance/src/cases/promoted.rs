//! Fuzzer reproducers promoted to regular cases (`replay FILE --promote
//! ID` writes them to `conformance/findings/promoted/`; `build.rs` embeds
//! every file there). Each case replays its reproducer's session through
//! the live fuzzer's driver against the agent under test and fails when
//! the finding it records comes back, or the agent breaks its contract
//! (dies, stops answering) during the session.

use std::sync::OnceLock;

use crate::agent::Stop;
use crate::case::Case;
use crate::cases::case_fn;
use crate::fuzz::driver::{self, Env};
use crate::fuzz::reproducer::Reproducer;

include!(concat!(env!("OUT_DIR"), "/promoted.rs"));

/// A promoted reproducer, read from its embedded JSON.
fn reproducer(index: usize) -> Result<Reproducer, String> {
    let (name, json) = PROMOTED
        .get(index)
        .ok_or_else(|| format!("no promoted reproducer {index}"))?;
    let r: Reproducer = serde_json::from_str(json).map_err(|e| format!("{name}: {e}"))?;
    if r.promoted.is_none() {
        return Err(format!(
            "{name}: no `promoted` section (replay --promote writes it)"
        ));
    }
    Ok(r)
}

/// The case id of the reproducer at `index`: its requirement, then `F`
/// and its file's hash (`G06/F46b80f91`), stable across promotions.
fn case_id(name: &str, r: &Reproducer) -> String {
    let requirement = r.promoted.as_ref().map_or("G", |p| p.requirement.as_str());
    let hash = name
        .trim_end_matches(".json")
        .rsplit('-')
        .next()
        .unwrap_or(name);
    format!("{requirement}/F{hash}")
}

pub(super) fn cases() -> Vec<Case> {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES
        .get_or_init(|| {
            PROMOTED
                .iter()
                .enumerate()
                .filter_map(|(i, (name, _))| {
                    let r = reproducer(i).ok()?;
                    let why = r.promoted.as_ref().map(|p| p.why.clone()).unwrap_or_default();
                    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
                    Some(Case {
                        id: leak(case_id(name, &r)),
                        also: &[],
                        param: i64::try_from(i).ok()?,
                        run: replay,
                        sends: leak(format!(
                            "the session of fuzzer reproducer {name} (found in {} at iteration {}): \
                             {} {} against a raw {}, {} mutation(s): {why}",
                            r.agent,
                            r.iteration,
                            r.session.mechanism_name(),
                            r.session.agent_type,
                            r.session.peer_type,
                            r.session.mutations.len(),
                        )),
                        expects: leak(format!(
                            "no \"{}\" finding, and the agent answers every op",
                            r.finding.signature
                        )),
                    })
                })
                .collect()
        })
        .clone()
}

case_fn!(replay, |cx| {
    let index = usize::try_from(cx.param).map_err(|e| Stop::Fail(e.to_string()))?;
    let r = reproducer(index).map_err(Stop::Fail)?;
    let env = Env {
        op_ms: cx
            .wait()
            .as_millis()
            .try_into()
            .unwrap_or(u64::MAX)
            .min(500),
        ..Env::new(
            cx.settings.transport,
            cx.settings.scratch_dir.clone(),
            false,
        )
    };
    let log = cx.log.clone();
    let outcome = driver::run(cx.agent_mut(), &r.session, &env, &log).await;
    if let Some(why) = outcome.skipped {
        return Err(Stop::Unsupported(why));
    }
    if let Some((failure, op)) = outcome.agent_failure {
        return cx.fail(format!("the agent failed during {op}: {failure}"));
    }
    match outcome
        .findings
        .iter()
        .find(|f| f.signature == r.finding.signature)
    {
        Some(f) => cx.fail(format!("the finding came back: {f}")),
        None if outcome.findings.is_empty() => cx.pass(format!(
            "the session ran clean: no \"{}\"",
            r.finding.signature
        )),
        None => {
            let others: Vec<String> = outcome
                .findings
                .iter()
                .map(|f| f.signature.clone())
                .collect();
            cx.pass(format!(
                "no \"{}\" (the session gave other findings, judged by their own cases: {})",
                r.finding.signature,
                others.join("; ")
            ))
        }
    }
});

#[cfg(test)]
mod tests;
