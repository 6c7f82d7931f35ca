//! Z85 (RFC 32) as far as the wire shows it: the agent contract passes
//! CURVE keys as 40-character Z85 text (AGENTS.md), so an agent that
//! decodes Z85 wrongly holds another key than the raw peer's, and the
//! CURVE server's WELCOME, boxed with that key (G-C2), does not open.
//! Encoding never reaches the wire (32-R01, R04, R05, R07 are [API] and
//! checked by spec/src/security/z85.rs's tests).

use rand_core::OsRng;
use zmtp_spec::security::curve::raw::Client;
use zmtp_spec::security::{KeyPair, SecretKey};
use zmtp_spec::wire::Mechanism;
use zmtp_spec::wire::view::FrameBuilder;

use crate::agent::Stop;
use crate::case::{Case, step};
use crate::cases::case_fn;
use crate::cases::security::{greeting_for, need_mechanism};

pub(super) fn cases() -> Vec<Case> {
    vec![Case {
        id: "32-R03/1",
        also: &["32-R06", "32-R02", "G-C2"],
        param: 0,
        run: every_character,
        sends: "three CURVE-server PULL sockets, each given its secret and public key as Z85 \
                text; the three secret keys' texts use all 85 characters of the alphabet; a \
                raw CURVE client HELLO to each, with the public key derived from the binary \
                secret",
        expects: "each WELCOME opens with that public key: the agent decoded every \
                  character to the value RFC 32 gives it, 4 octets big-endian per 5 characters",
    }]
}

/// Keys whose Z85 texts, together, hold every character of the alphabet.
///
/// A key is 8 groups of 5 base-85 digits. Group `g` of the 24 starts with
/// the digit `g` (so every group stays below 2^32); the other 96 digits
/// run through 24..84 and then from 0: all 85 values appear.
fn alphabet_keys() -> Vec<KeyPair> {
    let mut rest = (24..85u32).chain(0..);
    (0..3u32)
        .map(|k| {
            let mut bytes = [0u8; 32];
            for (i, chunk) in bytes.chunks_exact_mut(4).enumerate() {
                let mut value = 8 * k + i as u32;
                for _ in 0..4 {
                    value = value * 85 + rest.next().unwrap_or_default();
                }
                chunk.copy_from_slice(&value.to_be_bytes());
            }
            KeyPair::from_secret(SecretKey::from_bytes(bytes))
        })
        .collect()
}

case_fn!(every_character, |cx| {
    need_mechanism(cx, "CURVE")?;
    cx.need(&["PULL"])?;
    let keys = alphabet_keys();
    let mut seen = std::collections::BTreeSet::new();
    for (n, pair) in keys.iter().enumerate() {
        let text = pair.secret().to_z85();
        seen.extend(text.bytes());
        let ep = cx.endpoint()?;
        let mut a = cx.agent();
        let s = a.socket("PULL").await?;
        a.set_int(s, "CURVE_SERVER", 1).await?;
        a.set_bytes(s, "CURVE_SECRETKEY", text.as_bytes()).await?;
        a.set_bytes(s, "CURVE_PUBLICKEY", pair.public().to_z85().as_bytes())
            .await?;
        let ep = a.bind(s, &ep).await?;
        let mut peer = cx.dial(&ep, &format!("client{n}")).await?;
        cx.greet(&mut peer, greeting_for(Mechanism::CURVE.name()))
            .await?;
        let mut c = Client::new(*pair.public(), &mut OsRng);
        peer.send(&FrameBuilder::command(&c.hello()).build())
            .await
            .map_err(step("sending HELLO"))?;
        let wait = cx.wait();
        let f = peer
            .read_frame(wait)
            .await
            .map_err(step("reading WELCOME"))?;
        if let Err(e) = c.welcome(&f.body) {
            return cx.fail(format!(
                "key {n} ({}): the WELCOME does not open with the key its Z85 text names: {e}",
                text.as_str()
            ));
        }
    }
    if seen.len() != 85 {
        return Err(Stop::Fail(format!(
            "suite error: the keys use {} characters, not 85",
            seen.len()
        )));
    }
    cx.pass("three WELCOMEs open: all 85 Z85 characters decoded as RFC 32 says")
});
