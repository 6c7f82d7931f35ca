//! The batch calls: `send_batch`/`try_send_batch` and
//! `recv_batch`/`try_recv_batch` deliver what the same single calls would,
//! in the same order, and leave in the caller's batch what they did not
//! send.

#[path = "common/bounded.rs"]
#[allow(dead_code)]
mod bounded;

use std::collections::VecDeque;
use std::time::Duration;

use bounded::{Within, handshake_outcome, within};
use zmtp::error::InvalidMessage;
use zmtp::{Bytes, Context, Error, Message, Socket, SocketType, opt};

fn text(m: &Message) -> String {
    String::from_utf8_lossy(&m.frames()[m.frames().len() - 1]).into_owned()
}

fn numbered(range: std::ops::Range<u32>) -> VecDeque<Message> {
    range.map(|i| Message::from(i.to_string())).collect()
}

fn pair(ctx: &Context, a: SocketType, b: SocketType, ep: &str) -> (Socket, Socket) {
    let x = ctx.socket(a).expect("socket");
    x.bind(ep).expect("bind");
    let y = ctx.socket(b).expect("socket");
    y.connect(&x.last_endpoint()).expect("connect");
    (x, y)
}

#[tokio::test]
async fn a_batch_arrives_whole_and_in_order_over_each_transport() {
    let ctx = Context::new().expect("context");
    for ep in [
        "tcp://127.0.0.1:*".to_owned(),
        "ipc://*".to_owned(),
        format!("inproc://batch-{}", std::process::id()),
    ] {
        let (pull, push) = pair(&ctx, SocketType::Pull, SocketType::Push, &ep);
        // 10,000 messages in batches of 100: past the default HWM, so
        // the sends wait for room as single sends would.
        let sender = tokio::spawn(async move {
            for b in 0..100u32 {
                let mut batch = numbered(b * 100..(b + 1) * 100);
                push.send_batch(&mut batch).within("a batch sent").await?;
                assert!(batch.is_empty(), "send_batch returned with messages left");
            }
            Ok::<_, Error>(push)
        });
        let mut got = Vec::new();
        while got.len() < 10_000 {
            let before = got.len();
            let n = pull
                .recv_batch(&mut got, 256)
                .within("a batch received")
                .await
                .expect("recv_batch");
            assert!(
                (1..=256).contains(&n),
                "{n} messages in one batch of at most 256"
            );
            assert_eq!(got.len(), before + n, "the count is what was appended");
        }
        let got: Vec<String> = got.iter().map(text).collect();
        let want: Vec<String> = (0..10_000u32).map(|i| i.to_string()).collect();
        assert_eq!(got, want, "over {ep}");
        let _push = sender.await.expect("sender task").expect("send_batch");
    }
}

#[tokio::test]
async fn nothing_to_send_to_is_would_block_and_the_batch_is_kept() {
    let ctx = Context::new().expect("context");
    let push = ctx.socket(SocketType::Push).expect("socket");
    let mut batch = numbered(0..5);
    assert!(matches!(
        push.try_send_batch(&mut batch),
        Err(Error::WouldBlock)
    ));
    assert_eq!(batch.len(), 5, "nothing was taken");
    // The waiting call times out at SNDTIMEO, the batch still whole.
    push.set(opt::SndTimeo, Some(Duration::from_millis(50)))
        .expect("SNDTIMEO");
    let r = push.send_batch(&mut batch).within("SNDTIMEO").await;
    assert!(matches!(r, Err(Error::TimedOut)), "{r:?}");
    assert_eq!(batch.len(), 5);
    // An empty receive is would-block too; max 0 takes nothing.
    let pull = ctx.socket(SocketType::Pull).expect("socket");
    let mut out = Vec::new();
    assert!(matches!(
        pull.try_recv_batch(&mut out, 8),
        Err(Error::WouldBlock)
    ));
    assert!(matches!(pull.try_recv_batch(&mut out, 0), Ok(0)));
}

#[tokio::test]
async fn a_refusal_mid_batch_keeps_what_follows() {
    let ctx = Context::new().expect("context");
    let (router, dealer) = pair(
        &ctx,
        SocketType::Router,
        SocketType::Dealer,
        "tcp://127.0.0.1:*",
    );
    router
        .set(opt::RouterMandatory, true)
        .expect("ROUTER_MANDATORY");
    dealer.send("hello").within("hello").await.expect("send");
    let hello = router.recv().within("hello").await.expect("recv");
    let id = hello.frames()[0].clone();
    let to = |who: Bytes, body: &'static str| {
        Message::from(vec![who, Bytes::from_static(body.as_bytes())])
    };
    let mut batch: VecDeque<Message> = [
        to(id.clone(), "one"),
        to(Bytes::from_static(b"nobody"), "lost"),
        to(id.clone(), "three"),
    ]
    .into();
    let r = router.try_send_batch(&mut batch);
    assert!(matches!(r, Err(Error::HostUnreachable)), "{r:?}");
    assert_eq!(
        batch.len(),
        1,
        "the one before was sent, the refused one dropped"
    );
    assert_eq!(text(&batch[0]), "three");
    router
        .send_batch(&mut batch)
        .within("the rest")
        .await
        .expect("send_batch");
    for want in ["one", "three"] {
        let m = dealer.recv().within("routed").await.expect("recv");
        assert_eq!(text(&m), want);
    }
    // An empty message is refused as `try_send` refuses it.
    let mut batch: VecDeque<Message> = [to(id.clone(), "four"), Message::default()].into();
    let r = router.try_send_batch(&mut batch);
    assert!(
        matches!(r, Err(Error::InvalidMessage(InvalidMessage::NoFrames))),
        "{r:?}"
    );
    assert!(batch.is_empty());
    let m = dealer.recv().within("four").await.expect("recv");
    assert_eq!(text(&m), "four");
}

#[tokio::test]
async fn req_takes_one_reply_per_batch() {
    let ctx = Context::new().expect("context");
    let (rep, req) = pair(&ctx, SocketType::Rep, SocketType::Req, "tcp://127.0.0.1:*");
    req.send("ask").within("request").await.expect("send");
    let ask = rep.recv().within("request").await.expect("recv");
    assert_eq!(text(&ask), "ask");
    rep.send("answer").within("reply").await.expect("send");
    let mut out = Vec::new();
    let n = req
        .recv_batch(&mut out, 10)
        .within("the reply")
        .await
        .expect("recv_batch");
    assert_eq!(n, 1, "REQ's state allows one reply");
    assert_eq!(text(&out[0]), "answer");
    // REQ may now send again, as after a single receive; a second batch
    // of two is refused after the first request, which was sent.
    let mut two = numbered(0..2);
    let r = req.try_send_batch(&mut two);
    assert!(
        matches!(r, Err(Error::InvalidState(_))),
        "the second request of a batch is out of turn: {r:?}"
    );
    assert!(two.is_empty());
    let m = within("the request", rep.recv()).await.expect("recv");
    assert_eq!(text(&m), "0");
}

#[tokio::test]
async fn push_balances_a_batch_as_it_balances_single_sends() {
    let ctx = Context::new().expect("context");
    let push = ctx.socket(SocketType::Push).expect("socket");
    let mut monitor = push.monitor();
    push.bind("tcp://127.0.0.1:*").expect("bind");
    let ep = push.last_endpoint();
    let pulls: Vec<Socket> = (0..2)
        .map(|_| {
            let p = ctx.socket(SocketType::Pull).expect("socket");
            p.connect(&ep).expect("connect");
            p
        })
        .collect();
    // Both peers connected before the batch goes.
    for _ in 0..2 {
        handshake_outcome(&mut monitor).await;
    }
    let mut batch = numbered(0..100);
    push.send_batch(&mut batch)
        .within("batch")
        .await
        .expect("send_batch");
    let mut counts = Vec::new();
    for p in &pulls {
        let mut got = Vec::new();
        while got.len() < 50 {
            p.recv_batch(&mut got, 100)
                .within("a half")
                .await
                .expect("recv_batch");
        }
        // Round robin: every other message, in order.
        let n: Vec<u32> = got
            .iter()
            .map(|m| text(m).parse().expect("index"))
            .collect();
        assert!(n.windows(2).all(|w| w[1] == w[0] + 2), "round robin: {n:?}");
        counts.push(got.len());
    }
    assert_eq!(counts, vec![50, 50]);
}
