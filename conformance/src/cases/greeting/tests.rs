//! Case 37-R01/1 against scripted peers: each RFC 37 opening passes, and
//! the openings the RFC does not allow fail in both profiles.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zmtp_spec::wire::Greeting;
use zmtp_spec::wire::greeting::{SIGNATURE_END, Signature};
use zmtp_spec::wire::view::GreetingBuilder;

use crate::agent::fixed::FixedPeer;
use crate::case::{Ctx, Kind, Settings};
use crate::cases::greeting;
use crate::peer::transport::Tcp;

/// One step of a scripted peer under test.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Write the pseudo-signature of an empty identity (size 1) with
    /// this end octet (libzmq's: `7F`).
    Pseudo(u8),
    /// Write octets `from..to` of a valid 3.1 NULL greeting.
    Greeting(usize, usize),
    /// Read exactly this many octets from the suite.
    Read(usize),
}

/// How long one case may run against a scripted peer: far above its own
/// waits (`op_timeout` 2 s each), far below a hang.
const LIMIT: Duration = Duration::from_secs(20);

/// Runs case 37-R01/1 against a peer that plays `script` on the first
/// connection, in the strict profile or not; returns the verdict. Every
/// wait is bounded: the case by [`LIMIT`], the scripted peer by its abort.
async fn pacing_against(script: &'static [Step], strict: bool) -> (Kind, String) {
    let listener = tokio::time::timeout(LIMIT, TcpListener::bind("127.0.0.1:0"))
        .await
        .expect("a listening port within the limit")
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let peer = tokio::spawn(async move {
        let (mut io, _) = listener.accept().await.expect("accept");
        play(&mut io, script).await;
        // Hold the connection until the suite is done with it.
        let mut sink = [0u8; 64];
        while matches!(io.read(&mut sink).await, Ok(n) if n > 0) {}
    });
    let case = super::cases()
        .into_iter()
        .find(|c| c.id == "37-R01/1")
        .expect("case 37-R01/1");
    let agent = FixedPeer::new(&format!("tcp://127.0.0.1:{port}"), "PULL");
    let settings = Settings {
        transport: &Tcp,
        strict,
        op_timeout: Duration::from_secs(2),
        quiet: Duration::from_millis(300),
        scratch_dir: std::env::temp_dir(),
    };
    let manifest = json!({"zmtp": "3.1", "socket_types": ["PULL"], "transports": ["tcp"]});
    let mut cx = Ctx::new(Box::new(agent), settings, manifest, &case, 0);
    let verdict = tokio::time::timeout(LIMIT, (case.run)(&mut cx))
        .await
        .unwrap_or_else(|_| panic!("case 37-R01/1 gave no verdict within {LIMIT:?}"))
        .expect("a verdict");
    drop(cx);
    peer.abort();
    (verdict.kind, verdict.detail)
}

async fn play(io: &mut TcpStream, script: &[Step]) {
    let g = greeting(1);
    for step in script {
        match *step {
            Step::Pseudo(end) => {
                let octets = GreetingBuilder::new()
                    .padding(Signature::detecting(0).padding)
                    .signature_end(end)
                    .build();
                let signature = &octets[..Greeting::SIGNATURE_LEN];
                io.write_all(signature).await.expect("write");
            }
            Step::Greeting(from, to) => io.write_all(&g[from..to]).await.expect("write"),
            Step::Read(n) => {
                let mut buf = vec![0u8; n];
                io.read_exact(&mut buf).await.expect("read");
            }
        }
    }
}

/// Both profiles give `kind`.
async fn verdict_is(script: &'static [Step], kind: Kind) {
    for strict in [false, true] {
        let (got, detail) = pacing_against(script, strict).await;
        assert_eq!(got, kind, "strict {strict}: {detail}");
    }
}

#[tokio::test]
async fn whole_greeting_with_zero_padding_passes_37_r03() {
    verdict_is(&[Step::Greeting(0, 64)], Kind::Pass).await;
}

#[tokio::test]
async fn whole_greeting_with_a_pseudo_signature_is_non_strict() {
    // 64 octets at once while the padding claims detection: the peer is
    // not detecting, and such a peer SHOULD send zero padding.
    verdict_is(
        &[Step::Pseudo(SIGNATURE_END), Step::Greeting(10, 64)],
        Kind::NonStrict,
    )
    .await;
}

#[tokio::test]
async fn partial_greeting_then_the_rest_after_ours_passes_37_r01_r02() {
    verdict_is(
        &[
            Step::Greeting(0, 11),
            Step::Read(11),
            Step::Greeting(11, 64),
        ],
        Kind::Pass,
    )
    .await;
}

#[tokio::test]
async fn libzmq_pacing_passes_37_r60() {
    // 10, then octet 11 after our 10, then the rest after our octet 11.
    verdict_is(
        &[
            Step::Pseudo(SIGNATURE_END),
            Step::Read(10),
            Step::Greeting(10, 11),
            Step::Read(1),
            Step::Greeting(11, 64),
        ],
        Kind::Pass,
    )
    .await;
}

#[tokio::test]
async fn literal_detection_order_passes_37_r60() {
    // 10, then octets 11-64 only after our octet 11.
    verdict_is(
        &[
            Step::Pseudo(SIGNATURE_END),
            Step::Read(11),
            Step::Greeting(10, 64),
        ],
        Kind::Pass,
    )
    .await;
}

#[tokio::test]
async fn ten_octets_that_are_no_pseudo_signature_fail() {
    // Zero padding: identity size + 1 cannot be 0.
    verdict_is(
        &[
            Step::Greeting(0, 10),
            Step::Read(10),
            Step::Greeting(10, 64),
        ],
        Kind::Fail,
    )
    .await;
    // Not a signature at all: the end octet's lowest bit is clear.
    verdict_is(&[Step::Pseudo(0x7E)], Kind::Fail).await;
}

#[tokio::test]
async fn the_rest_before_our_octet_11_fails() {
    // A valid pseudo-signature, but octets 12-64 follow our 10 at once.
    verdict_is(
        &[
            Step::Pseudo(SIGNATURE_END),
            Step::Read(10),
            Step::Greeting(10, 64),
        ],
        Kind::Fail,
    )
    .await;
}

#[tokio::test]
async fn other_openings_fail() {
    verdict_is(&[Step::Greeting(0, 12)], Kind::Fail).await;
    verdict_is(&[], Kind::Fail).await;
}
