//! What each pattern does at its high-water mark, ours beside libzmq's
//! (the same scenario in `faults_baseline.py`), with the same counts:
//!
//! - PUSH with no room (SNDHWM 10, its peer not up): `try_send` takes 10
//!   and then would block; `send` with SNDTIMEO times out (libzmq: EAGAIN);
//! - PUB at a subscriber whose queue is full: every send succeeds, the
//!   subscriber gets fewer than were sent, in order (dropped, no error);
//! - ROUTER_MANDATORY at a full peer would block (libzmq: EAGAIN), and at
//!   an unknown routing id is unreachable (EHOSTUNREACH); nothing it took
//!   is lost;
//! - XPUB_NODROP at a full subscriber would block instead of dropping;
//!   nothing it took is lost.
//!
//! The counts that depend on the kernel's socket buffers (how many 64 KiB
//! messages fit before the queue is full) are printed, not compared.

use std::time::Duration;

use zmtp::{Bytes, Context, Error, Message, Socket, SocketType, opt};

use crate::support::{beside, libzmq, report, within};

const HWM: u32 = 10;
/// 64 KiB messages fill the kernel's buffers after a few hundred.
const PAYLOAD: usize = 64 * 1024;
/// Sends tried before giving up on a queue ever filling.
const MAX_TRIES: usize = 10_000;

fn socket(ctx: &Context, t: SocketType) -> Socket {
    let s = ctx.socket(t).expect("socket");
    s.set(opt::Linger, Some(Duration::ZERO)).expect("LINGER");
    s.set(opt::SndHwm, HWM).expect("SNDHWM");
    s.set(opt::RcvHwm, HWM).expect("RCVHWM");
    s
}

fn error_name(e: &Error) -> &'static str {
    match e {
        Error::WouldBlock => "would_block",
        Error::HostUnreachable => "unreachable",
        Error::TimedOut => "timed_out",
        _ => "other",
    }
}

/// Receives until nothing comes for 500 ms; the messages.
async fn drain(s: &Socket) -> Vec<Message> {
    let mut got = Vec::new();
    within("the drain", async {
        while let Ok(m) = tokio::time::timeout(Duration::from_millis(500), s.recv()).await {
            got.push(m.expect("recv"));
        }
    })
    .await;
    got
}

async fn push_no_peer() -> serde_json::Value {
    let ctx = Context::new().expect("context");
    let push = socket(&ctx, SocketType::Push);
    push.set(opt::SndTimeo, Some(Duration::from_millis(100)))
        .expect("SNDTIMEO");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("addr")
        .port();
    push.connect(&format!("tcp://127.0.0.1:{port}"))
        .expect("connect");
    let (mut accepted, mut would_block) = (0, 0);
    for _ in 0..2 * HWM {
        match push.try_send("x") {
            Ok(()) => accepted += 1,
            Err(Error::WouldBlock) => would_block += 1,
            Err(e) => panic!("PUSH try_send: {e}"),
        }
    }
    let send = within("send with SNDTIMEO", push.send("x")).await;
    serde_json::json!({
        "accepted": accepted, "would_block": would_block,
        "send": send.err().map_or("ok", |e| error_name(&e)),
    })
}

async fn pub_full() -> serde_json::Value {
    let ctx = Context::new().expect("context");
    let publisher = socket(&ctx, SocketType::Pub);
    publisher.bind("tcp://127.0.0.1:*").expect("bind");
    let sub = socket(&ctx, SocketType::Sub);
    sub.subscribe("").expect("subscribe");
    sub.connect(&publisher.last_endpoint()).expect("connect");
    // Until the subscription has arrived, a PUB sends to no one.
    within("the subscription to arrive", async {
        loop {
            publisher.try_send("warm").expect("PUB send");
            if tokio::time::timeout(Duration::from_millis(50), sub.recv())
                .await
                .is_ok()
            {
                break;
            }
        }
    })
    .await;
    drain(&sub).await;
    let payload = Bytes::from(vec![0x5A; PAYLOAD]);
    let sent = 1000u32;
    let mut errors = 0;
    for i in 0..sent {
        let m: Message = [Bytes::copy_from_slice(&i.to_be_bytes()), payload.clone()]
            .into_iter()
            .collect();
        if publisher.try_send(m).is_err() {
            errors += 1;
        }
    }
    let got = drain(&sub).await;
    let indices: Vec<u32> = got
        .iter()
        .map(|m| u32::from_be_bytes(m.frames()[0][..4].try_into().expect("index")))
        .collect();
    serde_json::json!({
        "sent": sent, "errors": errors, "delivered": got.len(),
        "dropped": sent as usize - got.len(),
        "in_order": indices.windows(2).all(|w| w[0] < w[1]),
    })
}

async fn router_mandatory() -> serde_json::Value {
    let ctx = Context::new().expect("context");
    let router = socket(&ctx, SocketType::Router);
    router
        .set(opt::RouterMandatory, true)
        .expect("ROUTER_MANDATORY");
    router.bind("tcp://127.0.0.1:*").expect("bind");
    let dealer = socket(&ctx, SocketType::Dealer);
    dealer
        .set(opt::RoutingId, Bytes::from_static(b"A"))
        .expect("ROUTING_ID");
    dealer.connect(&router.last_endpoint()).expect("connect");
    within("the DEALER's hello", dealer.send("hello"))
        .await
        .expect("send");
    let hello = within("the ROUTER's recv", router.recv())
        .await
        .expect("recv");
    assert_eq!(hello.frames()[0], "A");
    let payload = Bytes::from(vec![0x5A; PAYLOAD]);
    let mut accepted = 0;
    let mut first_error = "none";
    for _ in 0..MAX_TRIES {
        let m: Message = [Bytes::from_static(b"A"), payload.clone()]
            .into_iter()
            .collect();
        match router.try_send(m) {
            Ok(()) => accepted += 1,
            Err(e) => {
                first_error = error_name(&e);
                break;
            }
        }
    }
    let mut unknown_unreachable = 0;
    for _ in 0..5 {
        let m: Message = ["B", "x"].into_iter().map(Bytes::from).collect();
        if matches!(router.try_send(m), Err(Error::HostUnreachable)) {
            unknown_unreachable += 1;
        }
    }
    let delivered = drain(&dealer).await.len();
    serde_json::json!({
        "accepted": accepted, "first_error": first_error,
        "unknown_unreachable": unknown_unreachable,
        "lost": accepted as i64 - delivered as i64,
    })
}

async fn xpub_nodrop() -> serde_json::Value {
    let ctx = Context::new().expect("context");
    let xpub = socket(&ctx, SocketType::XPub);
    xpub.set(opt::XPubNoDrop, true).expect("XPUB_NODROP");
    xpub.bind("tcp://127.0.0.1:*").expect("bind");
    let sub = socket(&ctx, SocketType::Sub);
    sub.subscribe("").expect("subscribe");
    sub.connect(&xpub.last_endpoint()).expect("connect");
    let subscription = within("the subscription", xpub.recv()).await.expect("recv");
    assert_eq!(subscription.frames()[0][..], [1u8][..]);
    let payload = Bytes::from(vec![0x5A; PAYLOAD]);
    let mut accepted = 0;
    let mut first_error = "none";
    for _ in 0..MAX_TRIES {
        match xpub.try_send(payload.clone()) {
            Ok(()) => accepted += 1,
            Err(e) => {
                first_error = error_name(&e);
                break;
            }
        }
    }
    let delivered = drain(&sub).await.len();
    serde_json::json!({
        "accepted": accepted, "first_error": first_error,
        "lost": accepted as i64 - delivered as i64,
    })
}

/// Prints and checks one pattern's figures: `promise` on both, and the
/// `same` keys equal.
async fn compare(
    scenario: &str,
    ours: serde_json::Value,
    same: &[&str],
    promise: impl Fn(&serde_json::Value) -> bool,
) {
    let theirs = libzmq(
        scenario,
        &[HWM.to_string(), PAYLOAD.to_string(), MAX_TRIES.to_string()],
        Duration::from_secs(60),
    )
    .await;
    let agree = theirs
        .as_ref()
        .is_none_or(|t| same.iter().all(|k| ours[k] == t[k]));
    let held = promise(&ours) && theirs.as_ref().is_none_or(&promise) && agree;
    report(
        &format!("4 HWM {scenario}"),
        &ours.to_string(),
        theirs.as_ref().map(ToString::to_string).as_deref(),
        held,
    );
    assert!(promise(&ours), "{scenario}: ours {ours}");
    if let Some(t) = &theirs {
        assert!(promise(t), "{scenario}: libzmq {t}");
        for k in same {
            assert_eq!(
                ours[k], t[k],
                "{scenario}: {k} differs: ours {ours}, libzmq {t}"
            );
        }
    }
}

#[test]
fn push_with_no_room_would_block_and_times_out() {
    beside(async {
        compare(
            "push_no_peer",
            push_no_peer().await,
            &["accepted", "would_block", "send"],
            |f| f["accepted"] == HWM && f["would_block"] == HWM && f["send"] == "timed_out",
        )
        .await;
    });
}

#[test]
fn pub_drops_at_a_full_subscriber_without_error() {
    beside(async {
        compare("pub_full", pub_full().await, &["errors", "in_order"], |f| {
            f["errors"] == 0 && f["dropped"].as_u64() > Some(0) && f["in_order"] == true
        })
        .await;
    });
}

#[test]
fn router_mandatory_would_block_at_a_full_peer_and_is_unreachable_at_an_unknown_one() {
    beside(async {
        compare(
            "router_mandatory",
            router_mandatory().await,
            &["first_error", "unknown_unreachable", "lost"],
            |f| {
                f["first_error"] == "would_block"
                    && f["unknown_unreachable"] == 5
                    && f["lost"] == 0
                    && f["accepted"].as_u64() >= Some(u64::from(HWM))
            },
        )
        .await;
    });
}

#[test]
fn xpub_nodrop_would_block_instead_of_dropping() {
    beside(async {
        compare(
            "xpub_nodrop",
            xpub_nodrop().await,
            &["first_error", "lost"],
            |f| {
                f["first_error"] == "would_block"
                    && f["lost"] == 0
                    && f["accepted"].as_u64() >= Some(u64::from(HWM))
            },
        )
        .await;
    });
}
