//! udp:// for RADIO and DISH (libzmq's datagram transport, 48-R31..48-R38):
//! between our own sockets, against raw udp sockets that send what spec's
//! lenient builder writes (malformed datagrams: dropped and counted, never
//! a panic), against libzmq's draft build (zeromq.js ships one; neither
//! pyzmq installed here has the draft API, which the test prints), and
//! multicast in a network namespace of its own (`unshare -rn`).

#[path = "common/child.rs"]
#[allow(dead_code)]
mod child;
#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use std::net::UdpSocket as StdUdp;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use raw::bounded::{Within, within};
use zmtp::error::InvalidEndpoint;
use zmtp::{Bytes, Context, DroppedDatagram, Error, Message, SocketType, opt};
use zmtp_spec::wire::datagram::{DatagramError, MAX_DATAGRAM_LEN};
use zmtp_spec::wire::view::DatagramBuilder;

/// How long a test waits to be sure a datagram does not come.
const QUIET: Duration = Duration::from_millis(300);

fn body(m: &Message) -> &[u8] {
    &m.frames()[0]
}

/// A DISH bound on a free loopback port, joined to `groups`.
fn dish(ctx: &Context, groups: &[&'static str]) -> (zmtp::Socket, String) {
    let d = ctx.socket(SocketType::Dish).expect("dish");
    d.bind("udp://127.0.0.1:*").expect("bind udp");
    for g in groups {
        d.join(Bytes::from_static(g.as_bytes())).expect("join");
    }
    let ep = d.last_endpoint();
    assert!(
        ep.starts_with("udp://127.0.0.1:") && !ep.ends_with(":*"),
        "{ep}"
    );
    (d, ep)
}

fn port(endpoint: &str) -> u16 {
    endpoint
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port")
}

/// Sends `group`/`body` from the RADIO every 20 ms until the DISH has it
/// (udp is lossy and the first datagrams may precede the receiver), and
/// returns what the DISH received first.
async fn first_through(
    radio: &zmtp::Socket,
    dish: &zmtp::Socket,
    group: &'static str,
) -> (Bytes, Message) {
    within("a datagram through", async {
        loop {
            radio.send_group(group, "ping").expect("radio send");
            if let Ok(got) =
                tokio::time::timeout(Duration::from_millis(20), dish.recv_group()).await
            {
                return got.expect("recv_group");
            }
        }
    })
    .await
}

#[tokio::test]
async fn radio_to_dish_unicast_filters_by_the_dish_groups_48_r31_r35() {
    let ctx = Context::new().expect("context");
    let (d, ep) = dish(&ctx, &["weather"]);
    let r = ctx.socket(SocketType::Radio).expect("radio");
    r.connect(&ep).expect("connect udp");
    let (g, _) = first_through(&r, &d, "weather").await;
    assert_eq!(&g[..], b"weather");
    while d.try_recv_group().is_ok() {}
    // No JOIN travels: the RADIO sends every group, the DISH drops the
    // ones it did not join (48-R35).
    r.send_group("sport", "not joined").expect("send");
    r.send_group("weather", "sunny").expect("send");
    r.send_group("", "empty group, not joined").expect("send");
    let (g, m) = d.recv_group().within("the weather").await.expect("recv");
    assert_eq!((&g[..], body(&m)), (&b"weather"[..], &b"sunny"[..]));
    d.join("").expect("join the empty group");
    d.leave("weather").expect("leave");
    r.send_group("weather", "left").expect("send");
    r.send_group("", "empty body ok").expect("send");
    let (g, m) = d
        .recv_group()
        .within("the empty group")
        .await
        .expect("recv");
    assert_eq!((&g[..], body(&m)), (&b""[..], &b"empty body ok"[..]));
    assert!(
        tokio::time::timeout(QUIET, d.recv_group()).await.is_err(),
        "a left group is not delivered"
    );
    assert_eq!(d.dropped_datagrams().count, 0);
}

#[tokio::test]
async fn the_datagram_is_libzmq_s_layout_48_r31() {
    let ctx = Context::new().expect("context");
    let rx = StdUdp::bind("127.0.0.1:0").expect("raw receiver");
    rx.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let r = ctx.socket(SocketType::Radio).expect("radio");
    r.connect(&format!("udp://{}", rx.local_addr().expect("addr")))
        .expect("connect");
    r.send_group("g1", "hello").expect("send");
    let mut buf = [0u8; 9000];
    let n = tokio::task::spawn_blocking(move || rx.recv(&mut buf).map(|n| buf[..n].to_vec()))
        .within("the raw datagram")
        .await
        .expect("join")
        .expect("recv");
    assert_eq!(n, b"\x02g1hello");
}

#[tokio::test]
async fn malformed_datagrams_are_dropped_and_counted_48_r32_r34_r37() {
    let ctx = Context::new().expect("context");
    let (d, ep) = dish(&ctx, &["g", ""]);
    let tx = StdUdp::bind("127.0.0.1:0").expect("raw sender");
    let to = ("127.0.0.1", port(&ep));
    let bad: Vec<(Vec<u8>, DatagramError)> = vec![
        (DatagramBuilder::empty().build(), DatagramError::Empty),
        (
            DatagramBuilder::new()
                .group(b"g")
                .group_len(200)
                .body(b"x")
                .build(),
            DatagramError::TruncatedGroup {
                declared: 200,
                available: 2,
            },
        ),
        (
            DatagramBuilder::new().group_len(255).build(),
            DatagramError::TruncatedGroup {
                declared: 255,
                available: 0,
            },
        ),
        (
            DatagramBuilder::new()
                .group(b"g")
                .body(&vec![1; MAX_DATAGRAM_LEN])
                .build(),
            DatagramError::TooLarge(MAX_DATAGRAM_LEN + 2),
        ),
        (
            DatagramBuilder::new().group(b"g\0h").body(b"x").build(),
            DatagramError::NulInGroup(1),
        ),
    ];
    for (i, (octets, why)) in bad.iter().enumerate() {
        tx.send_to(octets, to).expect("send raw");
        within("the drop counted", async {
            while d.dropped_datagrams().count < i as u64 + 1 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert_eq!(
            d.dropped_datagrams().last,
            Some(DroppedDatagram::Malformed(why.clone())),
            "datagram {i}"
        );
    }
    // A 256-octet group's length octet wraps to 0: valid as written, the
    // group read as the body of the empty group.
    tx.send_to(&DatagramBuilder::new().group(&[b'a'; 256]).build(), to)
        .expect("send raw");
    let (g, m) = d
        .recv_group()
        .within("the wrapped group")
        .await
        .expect("recv");
    assert_eq!((g.len(), body(&m).len()), (0, 256));
    // The largest datagram still passes, and the socket works on.
    let max = DatagramBuilder::new()
        .group(b"g")
        .body(&vec![7; MAX_DATAGRAM_LEN - 2])
        .build();
    tx.send_to(&max, to).expect("send raw");
    let (g, m) = d
        .recv_group()
        .within("the largest datagram")
        .await
        .expect("recv");
    assert_eq!((&g[..], body(&m).len()), (&b"g"[..], MAX_DATAGRAM_LEN - 2));
    assert_eq!(d.dropped_datagrams().count, bad.len() as u64);
}

#[tokio::test]
async fn a_message_no_datagram_can_carry_is_dropped_and_counted_48_r33() {
    let ctx = Context::new().expect("context");
    let (d, ep) = dish(&ctx, &["g"]);
    let r = ctx.socket(SocketType::Radio).expect("radio");
    r.connect(&ep).expect("connect");
    first_through(&r, &d, "g").await;
    r.send_group("g", vec![0u8; MAX_DATAGRAM_LEN - 1])
        .expect("send accepts, as libzmq");
    r.send_group("g", "after").expect("send");
    within("the drop counted", async {
        while r.dropped_datagrams().count == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert_eq!(
        r.dropped_datagrams().last,
        Some(DroppedDatagram::Unsendable(DatagramError::TooLarge(
            MAX_DATAGRAM_LEN + 1
        )))
    );
    loop {
        let (_, m) = d
            .recv_group()
            .within("the next message")
            .await
            .expect("recv");
        if body(&m) != b"ping" {
            assert_eq!(body(&m), b"after");
            break;
        }
    }
}

#[test]
fn udp_takes_a_connecting_radio_and_a_binding_dish_only_48_r36() {
    let ctx = Context::new().expect("context");
    for (t, bind) in [
        (SocketType::Pub, true),
        (SocketType::Sub, false),
        (SocketType::Radio, true),
        (SocketType::Dish, false),
        (SocketType::Dealer, false),
    ] {
        let s = ctx.socket(t).expect("socket");
        let r = if bind {
            s.bind("udp://127.0.0.1:*")
        } else {
            s.connect("udp://127.0.0.1:5555")
        };
        match r {
            Err(Error::IncompatibleTransport {
                transport: "udp",
                socket_type,
                ..
            }) => assert_eq!(socket_type, t),
            other => panic!("{t:?} bind={bind}: {other:?}"),
        }
    }
    let r = ctx.socket(SocketType::Radio).expect("radio");
    for (ep, why) in [
        (
            "udp://eth0;127.0.0.1:5555",
            InvalidEndpoint::InterfaceNeedsMulticast,
        ),
        (
            "udp://239.0.0.1;239.0.0.2:5555",
            InvalidEndpoint::InvalidInterface,
        ),
        ("udp://127.0.0.1", InvalidEndpoint::MissingPort),
        ("udp://*:5555", InvalidEndpoint::WildcardHost),
        ("udp://127.0.0.1:*", InvalidEndpoint::WildcardPort),
    ] {
        match r.connect(ep) {
            Err(Error::InvalidEndpoint { reason, .. }) => assert_eq!(reason, why, "{ep}"),
            other => panic!("{ep}: {other:?}"),
        }
    }
    let d = ctx.socket(SocketType::Dish).expect("dish");
    match d.bind("udp://no-such-iface0;239.0.0.1:5555") {
        Err(Error::InvalidEndpoint { reason, .. }) => {
            assert_eq!(reason, InvalidEndpoint::UnknownInterface);
        }
        other => panic!("{other:?}"),
    }
    // The options udp honours: typed, with libzmq's defaults and range.
    assert_eq!(r.get(opt::MulticastHops).expect("get"), 1);
    assert!(r.get(opt::MulticastLoop).expect("get"));
    assert!(r.set(opt::MulticastHops, 0).is_err());
    assert!(r.set(opt::MulticastHops, 256).is_err());
    r.set(opt::MulticastHops, 4).expect("set");
    r.set(opt::MulticastLoop, false).expect("set");
}

#[tokio::test]
async fn wildcard_bind_and_unbind_free_the_port() {
    let ctx = Context::new().expect("context");
    let d = ctx.socket(SocketType::Dish).expect("dish");
    d.bind("udp://*:0").expect("bind any");
    let ep = d.last_endpoint();
    assert!(ep.starts_with("udp://*:"), "{ep}");
    d.join("g").expect("join");
    let r = ctx.socket(SocketType::Radio).expect("radio");
    r.connect(&format!("udp://127.0.0.1:{}", port(&ep)))
        .expect("connect");
    first_through(&r, &d, "g").await;
    d.unbind(&ep).expect("unbind");
    // The port is free again once unbind returns (SO_REUSEADDR aside, a
    // plain bind succeeds).
    within("the port freed", async {
        while StdUdp::bind(("0.0.0.0", port(&ep))).is_err() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

// --- libzmq ---

/// Which installed libzmq has the draft RADIO/DISH: neither pyzmq here
/// (pyzmq's wheel and Debian's python3-zmq are built without drafts,
/// `zmq.has('draft')` is false), zeromq.js's bundled libzmq 4.3.5 does.
/// Returns node and the zeromq.js modules directory, or `None` after
/// saying why.
fn libzmq_draft() -> Option<(PathBuf, PathBuf)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    for py in [
        root.join("target/peers/pyzmq/bin/python"),
        PathBuf::from("/usr/bin/python3"),
    ] {
        if !py.exists() {
            continue;
        }
        let out = child::output_within(
            Command::new(&py).args([
                "-c",
                "import zmq; print(zmq.zmq_version(), zmq.has('draft'))",
            ]),
            "pyzmq's draft check",
            Duration::from_secs(20),
        );
        if let Ok(out) = out {
            eprintln!(
                "{}: libzmq {}",
                py.display(),
                String::from_utf8_lossy(&out.stdout)
                    .trim()
                    .replace(' ', ", draft API: ")
            );
        }
    }
    let modules = root.join("target/agents/zeromqjs/node_modules");
    let node = PathBuf::from("/usr/bin/node");
    if modules.join("zeromq/draft.js").exists() && node.exists() {
        eprintln!("using zeromq.js's draft libzmq at {}", modules.display());
        return Some((node, modules));
    }
    // zeromq.js is one of the conformance agents, installed by
    // `zmtp-conformance setup` (after the test step in .ci/run, which runs
    // this file again with ZMTP_REQUIRE_AGENTS=1 once it is there).
    assert!(
        std::env::var("ZMTP_REQUIRE_AGENTS").as_deref() != Ok("1"),
        "ZMTP_REQUIRE_AGENTS=1 but no libzmq with the draft API (zeromq.js) is installed"
    );
    eprintln!(
        "libzmq udp interop skipped: no pyzmq here has the draft API and zeromq.js is not \
         installed at {} (zmtp-conformance setup --agent zeromqjs)",
        modules.display()
    );
    None
}

fn peer_js(node: &PathBuf, modules: &PathBuf) -> Command {
    let mut c = Command::new(node);
    c.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/udp/peer.js"))
        .env("NODE_PATH", modules)
        .env("NODE_NO_WARNINGS", "1");
    c
}

/// Ours RADIO to libzmq's DISH over `endpoint` (the DISH binds it).
async fn to_libzmq(node: &PathBuf, modules: &PathBuf, bind: &str, connect: &str, r: &zmtp::Socket) {
    use std::io::BufRead;
    let mut cmd = peer_js(node, modules);
    cmd.args(["dish", bind, "g1", "2"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut guard = child::ChildGuard::spawn(&mut cmd, "libzmq's DISH").expect("node");
    let stdout = guard.child().stdout.take().expect("stdout");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    assert_eq!(
        rx.recv().within("the DISH ready").await.as_deref(),
        Some("ready")
    );
    r.connect(connect).expect("connect");
    let mut lines = Vec::new();
    within("libzmq's DISH to receive", async {
        loop {
            r.send_group("g2", "not joined").expect("send");
            r.send_group("g1", "hello libzmq").expect("send");
            tokio::time::sleep(Duration::from_millis(20)).await;
            while let Ok(l) = rx.try_recv() {
                lines.push(l);
            }
            if lines.len() >= 2 {
                return;
            }
        }
    })
    .await;
    for l in &lines[..2] {
        // {"group": "6731", "body": hex of "hello libzmq"}
        assert_eq!(l, r#"{"group":"6731","body":"68656c6c6f206c69627a6d71"}"#);
    }
    assert!(guard.wait_within(Duration::from_secs(20)).success());
}

/// libzmq's RADIO to ours DISH.
async fn from_libzmq(node: &PathBuf, modules: &PathBuf, connect: &str, d: &zmtp::Socket) {
    let mut cmd = peer_js(node, modules);
    cmd.args(["radio", connect, "50", "g2:not joined", "g1:hello zmtp"]);
    let mut guard = child::ChildGuard::spawn(&mut cmd, "libzmq's RADIO").expect("node");
    let (g, m) = d
        .recv_group()
        .within("libzmq's datagram")
        .await
        .expect("recv");
    assert_eq!((&g[..], body(&m)), (&b"g1"[..], &b"hello zmtp"[..]));
    assert!(guard.wait_within(Duration::from_secs(20)).success());
    while let Ok((g, _)) = d.try_recv_group() {
        assert_eq!(&g[..], b"g1", "the DISH filters");
    }
    assert_eq!(d.dropped_datagrams().count, 0);
}

#[tokio::test]
async fn interop_with_libzmq_both_ways_unicast() {
    let Some((node, modules)) = libzmq_draft() else {
        return;
    };
    let ctx = Context::new().expect("context");
    let free = StdUdp::bind("127.0.0.1:0").expect("a free port");
    let p = free.local_addr().expect("addr").port();
    drop(free);
    let r = ctx.socket(SocketType::Radio).expect("radio");
    let ep = format!("udp://127.0.0.1:{p}");
    to_libzmq(&node, &modules, &ep, &ep, &r).await;
    let (d, ep) = dish(&ctx, &["g1"]);
    from_libzmq(&node, &modules, &ep, &d).await;
}

// --- multicast, in a network namespace of its own ---

/// Runs `inner` (a test of this binary) in a new user and network
/// namespace with a veth pair, `v0` (10.9.0.1, the multicast route) and
/// `v1`: a datagram sent out of `v0` reaches this host's sockets joined
/// on `v0` only through the multicast loop, so ZMQ_MULTICAST_LOOP can be
/// seen. `false` after saying why when the system allows no namespace.
fn in_namespace(inner: &str) -> bool {
    if std::env::var_os("ZMTP_UDP_NETNS").is_some() {
        return false;
    }
    let exe = std::env::current_exe().expect("test binary");
    let script = format!(
        "ip link set lo up && ip link add v0 type veth peer name v1 && ip addr add 10.9.0.1/24 dev v0 && ip addr add 10.9.0.2/24 dev v1 && ip link set v0 up && ip link set v1 up && ip route add 224.0.0.0/4 dev v0 && exec \"$0\" --exact {inner} --nocapture --test-threads 1"
    );
    let out = child::output_within(
        Command::new("unshare")
            .args(["-rn", "sh", "-c", &script])
            .arg(&exe)
            .env("ZMTP_UDP_NETNS", "1"),
        "the namespaced test",
        Duration::from_secs(60),
    );
    let Ok(out) = out else {
        eprintln!("multicast test skipped: cannot run unshare");
        return false;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && !stdout.contains("running 1 test") {
        assert!(
            std::env::var("ZMTP_REQUIRE_PEERS").as_deref() != Ok("1"),
            "no network namespace: {stderr}"
        );
        eprintln!(
            "multicast test skipped: no network namespace here ({})",
            stderr.trim()
        );
        return false;
    }
    eprintln!("{stdout}{stderr}");
    assert!(out.status.success(), "the namespaced test failed");
    assert!(stdout.contains("1 passed"), "{stdout}");
    true
}

#[test]
fn multicast_in_a_network_namespace_48_r38() {
    in_namespace("multicast_inner");
}

#[tokio::test]
async fn multicast_inner() {
    if std::env::var_os("ZMTP_UDP_NETNS").is_none() {
        eprintln!(
            "multicast_inner runs inside the namespace multicast_in_a_network_namespace makes"
        );
        return;
    }
    let ctx = Context::new().expect("context");
    // Three DISHes on one group and port (SO_REUSEPORT): the system's
    // interface, one by name, one by address; a RADIO with loop on (the
    // default) reaches all three.
    let d1 = ctx.socket(SocketType::Dish).expect("dish");
    d1.bind("udp://239.0.0.1:47310").expect("bind multicast");
    d1.join("g").expect("join");
    let d2 = ctx.socket(SocketType::Dish).expect("dish");
    d2.bind("udp://v0;239.0.0.1:47310").expect("bind on v0");
    d2.join("g").expect("join");
    let d4 = ctx.socket(SocketType::Dish).expect("dish");
    d4.bind("udp://10.9.0.1;239.0.0.1:47310")
        .expect("bind on 10.9.0.1");
    d4.join("g").expect("join");
    let r = ctx.socket(SocketType::Radio).expect("radio");
    r.set(opt::MulticastHops, 2).expect("hops");
    r.connect("udp://v0;239.0.0.1:47310")
        .expect("connect multicast");
    first_through(&r, &d1, "g").await;
    first_through(&r, &d2, "g").await;
    first_through(&r, &d4, "g").await;
    // With ZMQ_MULTICAST_LOOP off, this host's sockets hear nothing.
    let quiet = ctx.socket(SocketType::Radio).expect("radio");
    quiet.set(opt::MulticastLoop, false).expect("loop off");
    quiet
        .connect("udp://10.9.0.1;239.0.0.1:47310")
        .expect("connect");
    tokio::time::sleep(Duration::from_millis(50)).await;
    while d1.try_recv_group().is_ok() {}
    for _ in 0..5 {
        quiet.send_group("g", "looped?").expect("send");
    }
    assert!(
        tokio::time::timeout(QUIET, d1.recv_group()).await.is_err(),
        "MULTICAST_LOOP off still looped back"
    );
    // libzmq both ways over the group.
    if let Some((node, modules)) = libzmq_draft() {
        let r2 = ctx.socket(SocketType::Radio).expect("radio");
        to_libzmq(
            &node,
            &modules,
            "udp://239.0.0.2:47311",
            "udp://239.0.0.2:47311",
            &r2,
        )
        .await;
        let d3 = ctx.socket(SocketType::Dish).expect("dish");
        d3.bind("udp://*;239.0.0.3:47312").expect("bind");
        d3.join("g1").expect("join");
        from_libzmq(&node, &modules, "udp://239.0.0.3:47312", &d3).await;
    }
}
