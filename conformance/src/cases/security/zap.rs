//! ZAP cases (RFC 27) judged on the exchange itself: the agent's handler
//! at `inproc://zeromq.zap.01` answers as the runner's policy says and
//! logs every request with every frame (AGENTS.md, `zap_handler`,
//! `zap_log`), while the raw peer runs an honest NULL, PLAIN or CURVE
//! client handshake (spec's connection machine) against a bound PULL.
//!
//! ```text
//!   raw client ── greeting, HELLO/INITIATE/READY ──> agent's PULL (server)
//!                                                      │ request: [rid] "" 1.0 id domain
//!                                                      │   address identity mechanism creds
//!                                                      v
//!                                     agent's handler (ROUTER or REP): policy reply
//!   verdict: the logged request's frames, what the raw client saw (READY,
//!            ERROR "400"/"500", a silent close), and what reached the
//!            application (the message, its User-Id and metadata properties)
//! ```

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use zmtp_spec::connection::{Config, ConnectionError, Null};
use zmtp_spec::security::Plain;
use zmtp_spec::security::curve::Curve;
use zmtp_spec::wire::{Mechanism, Metadata};
use zmtp_spec::{Message, SocketType};

use crate::agent::zap::{HandlerKind, ZapPolicy};
use crate::agent::{Sock, Stop};
use crate::case::{Case, Ctx, Outcome, show, step};
use crate::cases::case_fn;
use crate::peer::machine::{HandshakeError, honest, machine};
use crate::peer::{PeerError, encoded, metadata};
use crate::wirelog::printable;

use super::need_mechanism;

/// The ZAP domain every case gives the server.
const DOMAIN: &[u8] = b"conformance";
/// The user id a 200 policy names.
const USER: &[u8] = b"alice";
/// The metadata property a 200 policy returns.
const ROLE: (&str, &[u8]) = ("X-Zap-Role", b"admin");

/// One scenario: who authenticates, what the handler answers, what is
/// judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    /// The request's frames and envelope (NULL).
    Shape,
    /// The domain frame (NULL).
    Domain,
    /// The address frame (NULL, tcp).
    Address,
    /// The identity frame (NULL).
    Identity,
    /// Mechanism NULL, no credentials.
    NullCredentials,
    /// Mechanism PLAIN, username and password.
    PlainCredentials,
    /// Mechanism CURVE, the client's key.
    CurveCredentials,
    /// 200 with a user id: the message's User-Id.
    UserId,
    /// 200 with metadata: the message's property.
    ReplyMetadata,
    /// 200 with malformed metadata: refused.
    BadMetadata,
    /// A status code: the server's answer.
    Status(&'static str),
    /// A reply whose version is not 1.0.
    BadVersion,
    /// A reply with another request id.
    OtherRequestId,
    /// A REP handler (no envelope).
    RepHandler,
    /// The handler answers late: the handshake waits.
    Delayed,
}

const SCENARIOS: [Scenario; 19] = [
    Scenario::Shape,
    Scenario::Domain,
    Scenario::Address,
    Scenario::Identity,
    Scenario::NullCredentials,
    Scenario::PlainCredentials,
    Scenario::CurveCredentials,
    Scenario::UserId,
    Scenario::ReplyMetadata,
    Scenario::BadMetadata,
    Scenario::Status("400"),
    Scenario::Status("500"),
    Scenario::Status("300"),
    Scenario::Status("299"),
    Scenario::BadVersion,
    Scenario::OtherRequestId,
    Scenario::RepHandler,
    Scenario::Delayed,
    Scenario::Status("200"),
];

pub(super) fn cases() -> Vec<Case> {
    let case = |id, also, n: usize, sends, expects| Case {
        id,
        also,
        param: i64::try_from(n).unwrap_or_default(),
        run: zap_case,
        sends,
        expects,
    };
    vec![
        case(
            "27-R09/1",
            &[
                "27-R01", "27-R02", "27-R04", "27-R05", "27-R08", "27-R10", "27-R11", "27-R13",
                "27-R14", "27-R23", "27-R28", "27-R42", "27-R44",
            ],
            0,
            "a NULL client handshake to a bound PULL with ZAP_DOMAIN set; the agent's ROUTER handler at inproc://zeromq.zap.01 accepts",
            "the handler logged one request: routing id, empty delimiter, \"1.0\", request id, domain, address, identity, a non-empty mechanism, credentials",
        ),
        case(
            "27-R12/1",
            &[],
            1,
            "a NULL handshake to a PULL whose ZAP_DOMAIN is \"conformance\"",
            "the request's domain frame is \"conformance\"",
        ),
        case(
            "27-R21/1",
            &[],
            2,
            "a NULL handshake over tcp from 127.0.0.1",
            "the request's address frame is an IPv4 dotted or IPv6 text address, the raw peer's (tcp only)",
        ),
        case(
            "27-R22/1",
            &[],
            3,
            "a NULL handshake whose READY carries Identity \"zap-peer\"",
            "the request's identity frame is at most 255 octets (what it holds differs: libzmq sends the server socket's own ROUTING_ID, empty by default)",
        ),
        case(
            "27-R35/1",
            &["27-R36"],
            4,
            "a NULL handshake to a PULL with ZAP_DOMAIN set",
            "mechanism \"NULL\" and no credentials frame",
        ),
        case(
            "27-R38/1",
            &["27-R37"],
            5,
            "a PLAIN handshake as admin/secret",
            "mechanism \"PLAIN\" and two credentials frames, \"admin\" and \"secret\"",
        ),
        case(
            "27-R40/2",
            &["27-R39"],
            6,
            "a CURVE handshake with a fresh client key pair",
            "mechanism \"CURVE\" and one credentials frame, the client's 32-octet public key",
        ),
        case(
            "27-R19/1",
            &["27-R15", "27-R16", "27-R29"],
            7,
            "a PLAIN handshake; the handler answers 200 with user id \"alice\" (ROUTER: routing id, empty delimiter, 6 frames); then a message",
            "the message is delivered and its User-Id property is \"alice\"",
        ),
        case(
            "27-R25/1",
            &[],
            8,
            "a PLAIN handshake; the handler answers 200 with metadata X-Zap-Role=admin (ZMTP property format); then a message",
            "the message is delivered and its X-Zap-Role property is \"admin\"",
        ),
        case(
            "27-R25/2",
            &[],
            9,
            "a PLAIN handshake; the handler answers 200 with a metadata frame cut short (its last value runs past the end); then a message",
            "the peer is refused: no READY, the connection is closed, nothing delivered",
        ),
        case(
            "27-R18/1",
            &["27-R24"],
            10,
            "a PLAIN handshake; the handler answers 400 with an empty user id",
            "ERROR \"400\", the connection is closed, nothing delivered",
        ),
        case(
            "27-R18/2",
            &[],
            11,
            "a PLAIN handshake; the handler answers 500",
            "ERROR \"500\", the connection is closed, nothing delivered",
        ),
        case(
            "27-R18/3",
            &[],
            12,
            "a PLAIN handshake; the handler answers 300 (temporary failure)",
            "the connection is closed without ERROR (libzmq's reading of 300); nothing delivered",
        ),
        case(
            "27-R18/4",
            &[],
            13,
            "a PLAIN handshake; the handler answers status code \"299\", which is none of the four",
            "the peer is refused: no READY, the connection is closed, nothing delivered",
        ),
        case(
            "27-R17/1",
            &[],
            14,
            "a PLAIN handshake; the handler answers 200 with version \"2.0\"",
            "the reply is refused: no READY, the connection is closed, nothing delivered",
        ),
        case(
            "27-R20/1",
            &[],
            15,
            "a PLAIN handshake; the handler answers 200 with a request id that is not the request's",
            "the reply is refused: no READY, the connection is closed, nothing delivered",
        ),
        case(
            "27-R27/1",
            &["27-R03", "27-R26", "27-R41", "27-R43"],
            16,
            "a PLAIN handshake; the agent's handler is a REP socket; then a message",
            "the REP handler got the request without envelope (first frame \"1.0\"), its reply was taken: the message is delivered",
        ),
        case(
            "27-R08/1",
            &[],
            17,
            "a PLAIN handshake; the handler answers 200 after 500 ms",
            "one request logged; WELCOME, and so READY, only after the reply (the handshake lasts at least 500 ms); then the message is delivered",
        ),
        case(
            "27-R18/5",
            &[],
            18,
            "a PLAIN handshake; the handler answers 200; then a message",
            "WELCOME and READY, the message is delivered",
        ),
    ]
}

/// The mechanism a scenario's raw client uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mech {
    Null,
    Plain,
    Curve,
}

impl Scenario {
    fn mechanism(self) -> Mech {
        match self {
            Self::Shape | Self::Domain | Self::Address | Self::Identity | Self::NullCredentials => {
                Mech::Null
            }
            Self::CurveCredentials => Mech::Curve,
            _ => Mech::Plain,
        }
    }

    /// The handler's policy.
    fn policy(self) -> ZapPolicy {
        let accept = ZapPolicy {
            user_id: Bytes::from_static(USER),
            ..ZapPolicy::default()
        };
        match self {
            Self::ReplyMetadata => ZapPolicy {
                metadata: Bytes::from(encoded(&Metadata::new().with(ROLE.0, ROLE.1))),
                ..accept
            },
            Self::BadMetadata => {
                let mut m = metadata(&[(ROLE.0.as_bytes(), ROLE.1)]).build();
                m.truncate(m.len() - 1);
                ZapPolicy {
                    metadata: Bytes::from(m),
                    ..accept
                }
            }
            Self::Status(code) if code != "200" => ZapPolicy::status(code),
            Self::BadVersion => ZapPolicy {
                version: Bytes::from_static(b"2.0"),
                ..accept
            },
            Self::OtherRequestId => ZapPolicy {
                request_id: Some(Bytes::from_static(b"not-the-request-id")),
                ..accept
            },
            Self::RepHandler => ZapPolicy {
                kind: HandlerKind::Rep,
                ..accept
            },
            Self::Delayed => ZapPolicy {
                delay: DELAY,
                ..accept
            },
            _ => accept,
        }
    }

    /// Whether the handshake must succeed.
    fn accepted(self) -> bool {
        !matches!(
            self,
            Self::BadMetadata | Self::BadVersion | Self::OtherRequestId
        ) && !matches!(self, Self::Status(c) if c != "200")
    }
}

/// The handler's delay in [`Scenario::Delayed`].
const DELAY: Duration = Duration::from_millis(500);

/// How the raw client's handshake ended.
#[derive(Debug)]
enum End {
    /// READY: the peer was accepted; the message and its properties, if it
    /// was delivered.
    Accepted(Option<(Vec<Bytes>, Vec<Option<Bytes>>)>),
    /// The implementation sent ERROR with this reason.
    Error(Bytes),
    /// It closed without ERROR.
    Closed,
    /// It went quiet (neither READY nor a close).
    Quiet,
    /// The raw client's machine refused what it sent.
    Refused(String),
}

/// What one exchange showed.
struct Exchange {
    end: End,
    /// Whether a message reached the application after a refusal.
    leaked: Option<Vec<Bytes>>,
    log: Vec<Vec<Bytes>>,
    elapsed: Duration,
    client_key: Option<[u8; 32]>,
}

/// The agent's PULL as the server of `mech`, bound, after the handler got
/// `policy`.
async fn server(
    cx: &mut Ctx,
    mech: Mech,
    policy: &ZapPolicy,
) -> Result<(Sock, String, Option<zmtp_spec::security::KeyPair>), Stop> {
    let name = match mech {
        Mech::Null => "NULL",
        Mech::Plain => "PLAIN",
        Mech::Curve => "CURVE",
    };
    need_mechanism(cx, name)?;
    cx.need(&["PULL"])?;
    let ep = cx.endpoint()?;
    let mut a = cx.agent();
    a.zap_handler(policy).await?;
    let s = a.socket("PULL").await?;
    let mut keys = None;
    match mech {
        Mech::Null => {}
        Mech::Plain => a.set_int(s, "PLAIN_SERVER", 1).await?,
        Mech::Curve => {
            let k = zmtp::curve_keypair();
            a.set_int(s, "CURVE_SERVER", 1).await?;
            a.set_bytes(s, "CURVE_SECRETKEY", k.secret().to_z85().as_bytes())
                .await?;
            a.set_bytes(s, "CURVE_PUBLICKEY", k.public().to_z85().as_bytes())
                .await?;
            keys = Some(k);
        }
    }
    a.set_bytes(s, "ZAP_DOMAIN", DOMAIN).await?;
    let real = a.bind(s, &ep).await?;
    Ok((s, real, keys))
}

async fn exchange(cx: &mut Ctx, scenario: Scenario) -> Result<Exchange, Stop> {
    let mech = scenario.mechanism();
    let policy = scenario.policy();
    let (s, ep, server_keys) = server(cx, mech, &policy).await?;
    let mut config = Config::new(SocketType::Push);
    config.routing_id = Bytes::from_static(b"zap-peer");
    let mut client_key = None;
    config.mechanism = match mech {
        Mech::Null => Arc::new(Null),
        Mech::Plain => {
            Arc::new(Plain::client("admin", "secret").map_err(|e| Stop::Fail(e.to_string()))?)
        }
        Mech::Curve => {
            let server_keys =
                server_keys.ok_or_else(|| Stop::Fail("no CURVE server keys".into()))?;
            let ours = zmtp::curve_keypair();
            client_key = Some(*ours.public().as_bytes());
            Arc::new(Curve::client(ours, *server_keys.public()))
        }
    };
    let mut peer = cx.dial(&ep, "client").await?;
    let mut conn = machine(config, peer.side()).map_err(|e| Stop::Fail(e.to_string()))?;
    let started = Instant::now();
    let result = peer
        .handshake_through(&mut conn, &mut honest, cx.wait() + policy.delay)
        .await;
    let elapsed = started.elapsed();
    let mut leaked = None;
    let end = match result {
        Ok(h) => {
            cx.negotiate(1, &greeting_of(&h.greeting));
            conn.send_message(Message::from_frames([Bytes::from_static(b"probe")]))
                .map_err(|e| Stop::Fail(e.to_string()))?;
            peer.flush(&mut conn, &mut honest)
                .await
                .map_err(step("sending a message"))?;
            let names = [zmtp_spec::wire::metadata::USER_ID, ROLE.0];
            let got = if matches!(scenario, Scenario::UserId | Scenario::ReplyMetadata) {
                let (frames, props) = cx.agent().recv_properties(s, &names).await?;
                Some((frames, props))
            } else {
                let wait = cx.wait();
                cx.agent()
                    .recv_within(s, wait)
                    .await?
                    .map(|f| (f, Vec::new()))
            };
            End::Accepted(got)
        }
        Err(e) => {
            let end = match e {
                HandshakeError::Refused(ConnectionError::ErrorReceived(reason)) => {
                    End::Error(reason)
                }
                HandshakeError::Wire(PeerError::Closed) => End::Closed,
                HandshakeError::Wire(PeerError::Timeout) => End::Quiet,
                other => End::Refused(other.to_string()),
            };
            let quiet = cx.quiet();
            leaked = cx.agent().recv_within(s, quiet).await?;
            end
        }
    };
    let log = cx.agent().zap_log().await?;
    for (i, r) in log.iter().enumerate() {
        cx.log.note("zap request", format!("{i}: {}", show(r)));
    }
    Ok(Exchange {
        end,
        leaked,
        log,
        elapsed,
        client_key,
    })
}

/// The implementation's 64-octet greeting (zeros when it sent another
/// length, which the machine would have refused first).
fn greeting_of(octets: &[u8]) -> [u8; 64] {
    let mut g = [0; 64];
    if octets.len() >= 64 {
        g.copy_from_slice(&octets[..64]);
    }
    g
}

/// The request's frames after the envelope (ROUTER: routing id and the
/// empty delimiter; REP: none), or why the envelope is wrong.
fn body(request: &[Bytes], kind: HandlerKind) -> Result<&[Bytes], String> {
    match kind {
        HandlerKind::Rep => Ok(request),
        HandlerKind::Router => match request {
            [id, delimiter, rest @ ..] if !id.is_empty() && delimiter.is_empty() => Ok(rest),
            [_, delimiter, ..] => Err(format!(
                "the ROUTER handler's second frame is not the empty delimiter but [{}] (27-R10, 27-R42)",
                printable(delimiter)
            )),
            _ => Err("the ROUTER handler got fewer than 2 frames".into()),
        },
    }
}

/// The only request of the log, its body (version first).
fn only_request(x: &Exchange, kind: HandlerKind) -> Result<Vec<Bytes>, String> {
    match &x.log[..] {
        [r] => body(r, kind).map(<[Bytes]>::to_vec),
        [] => Err("the handler received no ZAP request".into()),
        many => Err(format!(
            "the handler received {} requests for one handshake (27-R08)",
            many.len()
        )),
    }
}

case_fn!(zap_case, |cx| {
    let n = usize::try_from(cx.param).unwrap_or_default();
    let scenario = SCENARIOS
        .get(n)
        .copied()
        .ok_or_else(|| Stop::Fail(format!("no ZAP scenario {n}")))?;
    if scenario == Scenario::Address && cx.settings.transport.name() != "tcp" {
        return cx.not_applicable("the address frame is an IP address, which only tcp peers have");
    }
    let x = exchange(cx, scenario).await?;
    judge(cx, scenario, &x)
});

fn judge(cx: &Ctx, scenario: Scenario, x: &Exchange) -> Outcome {
    let kind = scenario.policy().kind;
    if !scenario.accepted() {
        return judge_refused(cx, scenario, x);
    }
    let delivered = match &x.end {
        End::Accepted(Some(d)) => d,
        End::Accepted(None) => {
            return cx.fail("the handler accepted, READY came, but the message was not delivered");
        }
        other => {
            return cx.fail(format!(
                "the handler accepted the peer (200), but the handshake ended: {}",
                describe(other)
            ));
        }
    };
    if delivered.0.len() != 1 || &delivered.0[0][..] != b"probe" {
        return cx.fail(format!("delivered {}", show(&delivered.0)));
    }
    let req = match only_request(x, kind) {
        Ok(r) => r,
        Err(e) => return cx.fail(e),
    };
    let mechanism = req.get(5).cloned().unwrap_or_default();
    let creds = req.get(6..).unwrap_or_default();
    match scenario {
        Scenario::Shape => {
            if req.len() < 6 {
                return cx.fail(format!(
                    "the request has {} frames after the envelope, fewer than the 6 before the credentials: {}",
                    req.len(),
                    show(&req)
                ));
            }
            if &req[0][..] != zmtp_spec::security::zap::VERSION {
                return cx.fail(format!(
                    "version frame [{}], not \"1.0\" (27-R11)",
                    printable(&req[0])
                ));
            }
            if mechanism.is_empty() {
                return cx.fail("the mechanism frame is empty (27-R23)");
            }
            cx.pass(format!(
                "one request: routing id, \"\", {} ({} credentials frames)",
                show(&req[..6]),
                creds.len()
            ))
        }
        Scenario::Domain => {
            if &req[2][..] == DOMAIN {
                cx.pass("the domain frame is the socket's ZAP_DOMAIN")
            } else {
                cx.fail(format!(
                    "the domain frame is [{}], the socket's ZAP_DOMAIN is [{}]",
                    printable(&req[2]),
                    printable(DOMAIN)
                ))
            }
        }
        Scenario::Address => {
            let text = String::from_utf8_lossy(&req[3]);
            match text.parse::<IpAddr>() {
                Ok(ip) if ip.is_loopback() => cx.pass(format!("address frame \"{text}\"")),
                Ok(ip) => cx.fail(format!(
                    "address frame {ip} is not the raw peer's (loopback)"
                )),
                Err(_) => cx.fail(format!(
                    "address frame [{}] is neither IPv4 dotted nor IPv6 text",
                    printable(&req[3])
                )),
            }
        }
        Scenario::Identity => {
            if req[4].len() <= 255 {
                cx.pass(format!(
                    "identity frame [{}] ({} octets)",
                    printable(&req[4]),
                    req[4].len()
                ))
            } else {
                cx.fail(format!("identity frame of {} octets", req[4].len()))
            }
        }
        Scenario::NullCredentials => {
            expect_credentials(cx, &mechanism, creds, Mechanism::NULL.name(), &[])
        }
        Scenario::PlainCredentials => expect_credentials(
            cx,
            &mechanism,
            creds,
            Mechanism::PLAIN.name(),
            &[b"admin", b"secret"],
        ),
        Scenario::CurveCredentials => {
            let key = x.client_key.unwrap_or_default();
            expect_credentials(cx, &mechanism, creds, Mechanism::CURVE.name(), &[&key[..]])
        }
        Scenario::UserId => property(cx, delivered.1.first(), "User-Id", USER),
        Scenario::ReplyMetadata => property(cx, delivered.1.get(1), ROLE.0, ROLE.1),
        Scenario::RepHandler => cx.pass(format!(
            "the REP handler got {} (no envelope) and its reply was taken",
            show(&req[..req.len().min(6)])
        )),
        Scenario::Delayed => {
            if x.elapsed >= DELAY {
                cx.pass(format!(
                    "one request; the handshake waited for the reply ({} ms, the handler took {} ms)",
                    x.elapsed.as_millis(),
                    DELAY.as_millis()
                ))
            } else {
                cx.fail(format!(
                    "the handshake finished in {} ms, before the handler's reply ({} ms)",
                    x.elapsed.as_millis(),
                    DELAY.as_millis()
                ))
            }
        }
        _ => cx.pass("200: WELCOME, READY, the message delivered"),
    }
}

fn expect_credentials(
    cx: &Ctx,
    mechanism: &[u8],
    creds: &[Bytes],
    want_mech: &[u8],
    want: &[&[u8]],
) -> Outcome {
    if mechanism != want_mech {
        return cx.fail(format!(
            "mechanism frame [{}], not [{}]",
            printable(mechanism),
            printable(want_mech)
        ));
    }
    let same = creds.len() == want.len() && creds.iter().zip(want).all(|(a, b)| &a[..] == *b);
    if same {
        cx.pass(format!(
            "mechanism [{}] and {} credentials frames as presented",
            printable(mechanism),
            creds.len()
        ))
    } else {
        let want: Vec<Bytes> = want.iter().map(|w| Bytes::copy_from_slice(w)).collect();
        cx.fail(format!(
            "credentials {} (length {}), expected {}",
            show(creds),
            creds.len(),
            show(&want)
        ))
    }
}

fn property(cx: &Ctx, got: Option<&Option<Bytes>>, name: &str, want: &[u8]) -> Outcome {
    match got {
        Some(Some(v)) if &v[..] == want => {
            cx.pass(format!("the message's {name} is [{}]", printable(v)))
        }
        Some(Some(v)) => cx.fail(format!(
            "the message's {name} is [{}], the handler said [{}]",
            printable(v),
            printable(want)
        )),
        _ => cx.fail(format!(
            "the message has no {name} property (the handler said [{}])",
            printable(want)
        )),
    }
}

fn describe(end: &End) -> String {
    match end {
        End::Accepted(_) => "READY".into(),
        End::Error(r) => format!("ERROR \"{}\" and a close", printable(r)),
        End::Closed => "a close without ERROR".into(),
        End::Quiet => "no READY and no close within the op timeout".into(),
        End::Refused(e) => format!("the raw client's machine refused it: {e}"),
    }
}

fn judge_refused(cx: &Ctx, scenario: Scenario, x: &Exchange) -> Outcome {
    if let Some(m) = &x.leaked {
        return cx.fail(format!("application data crossed: {}", show(m)));
    }
    if x.log.is_empty() {
        return cx.fail("the handler received no ZAP request");
    }
    let want_error = match scenario {
        Scenario::Status("400") => Some(&b"400"[..]),
        Scenario::Status("500") => Some(&b"500"[..]),
        _ => None,
    };
    match (&x.end, want_error) {
        (End::Accepted(_), _) => cx.fail(format!(
            "the peer was accepted (READY{})",
            if matches!(x.end, End::Accepted(Some(_))) { ", the message delivered" } else { "" }
        )),
        (End::Quiet, None) if scenario == Scenario::Status("300") => cx.lenient(
            "after a 300 the server neither accepted nor closed: no WELCOME, nothing delivered, \
             the connection left to the handshake timer (libzmq 4.3 stays silent until HANDSHAKE_IVL)",
        ),
        (End::Quiet, _) => cx.fail("neither READY nor a close: the connection stayed open"),
        (End::Error(r), Some(want)) if &r[..] == want => {
            cx.pass(format!("ERROR \"{}\", closed, nothing delivered", printable(r)))
        }
        (End::Error(r), Some(want)) => cx.fail(format!(
            "ERROR \"{}\", where the status was {}",
            printable(r),
            printable(want)
        )),
        (End::Closed, Some(want)) => cx.deviation(
            "T-NO-ERROR",
            format!("closed without the ERROR \"{}\" it should send", printable(want)),
        ),
        (End::Error(r), None) if scenario == Scenario::Status("300") => cx.lenient(format!(
            "ERROR \"{}\" after a 300: refused, as 26-R60 allows, where libzmq closes without ERROR for a temporary failure",
            printable(r)
        )),
        (end, None) => cx.pass(format!("refused: {}; nothing delivered", describe(end))),
        (End::Refused(e), Some(_)) => cx.fail(format!("the raw client's machine refused: {e}")),
    }
}
