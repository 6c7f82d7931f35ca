//! End-to-end checks between our own sockets over tcp, ipc and inproc.

#[path = "common/bounded.rs"]
#[allow(dead_code)]
mod bounded;

use bounded::{Within, within};
use std::time::Duration;

use zmtp::error::{InvalidOption, InvalidState};
use zmtp::{Context, Error, Message, SocketType};

fn msg(frames: &[&'static str]) -> Message {
    frames
        .iter()
        .map(|f| zmtp::Bytes::from_static(f.as_bytes()))
        .collect()
}

async fn pair_of(a: SocketType, b: SocketType, transport: &str) -> (zmtp::Socket, zmtp::Socket) {
    let ctx = Context::new().expect("context");
    let x = ctx.socket(a).expect("socket");
    let y = ctx.socket(b).expect("socket");
    let ep = match transport {
        "tcp" => "tcp://127.0.0.1:*".to_owned(),
        "ipc" => "ipc://*".to_owned(),
        _ => format!("inproc://basic-{a:?}-{b:?}-{}", std::process::id()),
    };
    x.bind(&ep).expect("bind");
    y.connect(&x.last_endpoint()).expect("connect");
    (x, y)
}

#[tokio::test]
async fn push_pull_every_transport() {
    for t in ["tcp", "ipc", "inproc"] {
        let (pull, push) = pair_of(SocketType::Pull, SocketType::Push, t).await;
        for i in 0..100u32 {
            push.send(i.to_string()).within("send").await.expect("send");
        }
        for i in 0..100u32 {
            let m = pull.recv().within("recv").await.expect("recv");
            assert_eq!(m.frames()[0], i.to_string().as_bytes(), "{t}");
        }
    }
}

#[tokio::test]
async fn req_rep_multipart() {
    for t in ["tcp", "ipc", "inproc"] {
        let (rep, req) = pair_of(SocketType::Rep, SocketType::Req, t).await;
        req.send(msg(&["a", "b"]))
            .within("send")
            .await
            .expect("send");
        let got = rep.recv().within("recv").await.expect("recv");
        assert_eq!(got, msg(&["a", "b"]));
        rep.send(msg(&["c"])).within("send").await.expect("reply");
        assert_eq!(req.recv().within("recv").await.expect("reply"), msg(&["c"]));
        assert!(matches!(
            req.try_recv(),
            Err(Error::InvalidState(InvalidState::ReqNoRequest))
        ));
    }
}

#[tokio::test]
async fn pub_sub_filters() {
    for t in ["tcp", "ipc", "inproc"] {
        let (publ, sub) = pair_of(SocketType::Pub, SocketType::Sub, t).await;
        sub.subscribe("a").expect("subscribe");
        // Keep publishing until the subscription has arrived.
        within("the subscription to reach the publisher", async {
            loop {
                publ.send("b-skip").within("send").await.expect("send");
                publ.send("a-keep").within("send").await.expect("send");
                if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_millis(50), sub.recv()).await
                {
                    assert_eq!(m.frames()[0], "a-keep");
                    break;
                }
            }
        })
        .await;
    }
}

#[tokio::test]
async fn type_specific_options_refuse_other_types() {
    let ctx = Context::new().expect("context");
    let dealer = ctx.socket(SocketType::Dealer).expect("socket");
    assert!(matches!(
        dealer.set(zmtp::opt::RouterMandatory, true),
        Err(Error::InvalidOption {
            option: "ZMQ_ROUTER_MANDATORY",
            reason: InvalidOption::NotApplicable(SocketType::Dealer),
        })
    ));
    assert!(dealer.subscribe("x").is_err());
    assert!(dealer.set(zmtp::opt::ReqRelaxed, true).is_err());
    // A refused option leaves the stored value alone.
    assert_eq!(dealer.get(zmtp::opt::SndHwm).ok(), Some(1000));
}

#[tokio::test]
async fn tipc_and_vmci_are_refused_at_bind_and_connect() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Pub).expect("socket");
    for ep in ["tipc://{5560,0,0}", "vmci://1:5555"] {
        for result in [s.bind(ep), s.connect(ep)] {
            match result {
                Err(e @ Error::UnavailableTransport { .. }) => {
                    assert_eq!(e.fault(), zmtp::Fault::Application);
                    let text = e.to_string();
                    assert!(
                        text.contains("kernel module") || text.contains("hypervisor"),
                        "{text}"
                    );
                }
                other => panic!("{ep}: {other:?}"),
            }
        }
    }
}
