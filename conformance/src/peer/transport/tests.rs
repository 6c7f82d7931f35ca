use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use super::{ALL, Carriage, Ipc, Tcp, TcpRange, Transport, Udp, by_name, of_endpoint};

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn names_and_endpoints_round_trip() {
    for t in ALL {
        assert_eq!(by_name(t.name()).map(|x| x.name()), Some(t.name()));
        let ep = t
            .raw_endpoint(Path::new("/tmp/x.sock"))
            .expect("an endpoint");
        let (found, address) = of_endpoint(&ep).expect("a known scheme");
        assert_eq!(found.name(), t.name());
        assert!(ep.ends_with(address));
    }
    assert_eq!(
        by_name("udp").map(|t| t.carriage()),
        Some(Carriage::Datagram)
    );
    assert!(by_name("pgm").is_none());
    assert!(of_endpoint("carrier-pigeon://x").is_none());
    assert!(of_endpoint("no scheme").is_none());
    assert_eq!(
        Tcp.agent_endpoint(Path::new("ignored")).expect("endpoint"),
        "tcp://127.0.0.1:*"
    );
    assert_eq!(
        Ipc.agent_endpoint(Path::new("/a/b")).expect("endpoint"),
        "ipc:///a/b"
    );
}

/// A transport listens, accepts, and carries octets both ways.
async fn carries(t: &dyn Transport, unique: &Path) {
    let ep = t.raw_endpoint(unique).expect("an endpoint");
    let (_, address) = of_endpoint(&ep).expect("a known scheme");
    let listener = timeout(WAIT, t.listen(address))
        .await
        .expect("listen in time")
        .expect("listen");
    let bound = listener.endpoint().to_string();
    let (_, bound_address) = of_endpoint(&bound).expect("a known scheme");
    let (accepted, connected) = tokio::join!(
        timeout(WAIT, listener.accept()),
        timeout(WAIT, t.connect(bound_address))
    );
    let mut a = accepted.expect("accept in time").expect("accept");
    let mut c = connected.expect("connect in time").expect("connect");
    timeout(WAIT, c.write_all(b"ping"))
        .await
        .expect("in time")
        .expect("write");
    let mut got = [0u8; 4];
    timeout(WAIT, a.read_exact(&mut got))
        .await
        .expect("in time")
        .expect("read");
    assert_eq!(&got, b"ping");
    timeout(WAIT, a.write_all(b"pong"))
        .await
        .expect("in time")
        .expect("write");
    timeout(WAIT, c.read_exact(&mut got))
        .await
        .expect("in time")
        .expect("read");
    assert_eq!(&got, b"pong");
}

#[tokio::test]
async fn tcp_carries_octets() {
    carries(&Tcp, Path::new("unused")).await;
}

#[tokio::test]
async fn ipc_carries_octets_and_removes_its_file() {
    let path =
        std::env::temp_dir().join(format!("zmtp-transport-test-{}.sock", std::process::id()));
    carries(&Ipc, &path).await;
    assert!(
        !path.exists(),
        "the listener's socket file is removed when it is dropped"
    );
}

/// Ports of the loopback interface, `n` in a row, that nothing holds now
/// (searched from a point of the range that depends on the process, so
/// parallel test runs rarely meet) and from `offset` (each test its own).
fn free_ports(n: u16, offset: u16) -> u16 {
    let start = 20_000 + (std::process::id() % 20_000) as u16 + offset;
    (start..60_000)
        .step_by(usize::from(n))
        .find(|&p| (p..p + n).all(|q| std::net::TcpListener::bind(("127.0.0.1", q)).is_ok()))
        .expect("a free stretch of ports")
}

#[test]
fn a_port_range_parses_and_refuses_nonsense() {
    assert_eq!(TcpRange::parse("40000-40009").expect("range").len(), 10);
    assert_eq!(TcpRange::parse("5555-5555").expect("range").len(), 1);
    for bad in ["", "40000", "9-1", "0-10", "a-b", "1-70000"] {
        let e = TcpRange::parse(bad).expect_err(bad);
        assert!(e.contains("FIRST-LAST"), "{e}");
    }
}

#[test]
fn a_port_range_hands_out_its_ports_in_turn_and_says_when_exhausted() {
    let first = free_ports(3, 0);
    let range = TcpRange::parse(&format!("{first}-{}", first + 2)).expect("range");
    let eps: Vec<String> = (0..3)
        .map(|_| range.agent_endpoint(Path::new("x")).expect("a port"))
        .collect();
    for (i, ep) in eps.iter().enumerate() {
        assert_eq!(ep, &format!("tcp://127.0.0.1:{}", first + i as u16));
    }
    // Every port held: the error names the range.
    let held: Vec<_> = (first..=first + 2)
        .map(|p| std::net::TcpListener::bind(("127.0.0.1", p)).expect("bind"))
        .collect();
    let e = range.raw_endpoint(Path::new("x")).expect_err("exhausted");
    assert_eq!(e.kind(), std::io::ErrorKind::AddrNotAvailable);
    assert!(
        e.to_string()
            .contains(&format!("--port-range {first}-{} is exhausted", first + 2)),
        "{e}"
    );
    // One let go: it is found again, the held ones skipped.
    drop(held);
    let _still = std::net::TcpListener::bind(("127.0.0.1", first)).expect("bind");
    let ep = range.agent_endpoint(Path::new("x")).expect("a port");
    assert_ne!(ep, format!("tcp://127.0.0.1:{first}"));
}

#[tokio::test]
async fn a_port_range_carries_octets_on_its_ports() {
    let first = free_ports(2, 500);
    let range = TcpRange::parse(&format!("{first}-{}", first + 1)).expect("range");
    carries(&range, Path::new("unused")).await;
}

#[tokio::test]
async fn udp_carries_datagrams_not_streams() {
    assert_eq!(Tcp.carriage(), Carriage::Stream);
    assert!(Tcp.datagrams().await.is_err());
    assert!(Udp.listen("127.0.0.1:0").await.is_err());
    let ep = Udp.agent_endpoint(Path::new("ignored")).expect("a port");
    assert!(
        ep.starts_with("udp://127.0.0.1:") && !ep.ends_with(":0"),
        "{ep}"
    );
    let a = timeout(WAIT, Udp.datagrams())
        .await
        .expect("in time")
        .expect("bind");
    let b = timeout(WAIT, Udp.datagrams())
        .await
        .expect("in time")
        .expect("bind");
    let (_, to) = of_endpoint(b.endpoint()).expect("udp://");
    timeout(WAIT, a.send_to(b"\x01gx", to))
        .await
        .expect("in time")
        .expect("send");
    let mut buf = [0u8; 16];
    let n = timeout(WAIT, b.recv(&mut buf))
        .await
        .expect("in time")
        .expect("recv");
    assert_eq!(&buf[..n], b"\x01gx");
}

#[tokio::test]
async fn ws_bridges_greetings_and_frames() {
    use zmtp_spec::wire::view::GreetingView;
    use zmtp_spec::wire::{Encode, Frame, FrameKind, Greeting};

    use super::{NOTES, Note, Notes, Ws};

    let notes = Notes::default();
    NOTES
        .scope(notes.clone(), async {
            let t = &Ws;
            let ep = t.raw_endpoint(Path::new("unused")).expect("an endpoint");
            let (_, address) = of_endpoint(&ep).expect("ws is known");
            let listener = timeout(WAIT, t.listen(address))
                .await
                .expect("in time")
                .expect("listen");
            let bound = listener.endpoint().to_string();
            assert!(bound.starts_with("ws://127.0.0.1:") && bound.ends_with("/zmtp"));
            let (_, bound_address) = of_endpoint(&bound).expect("ws is known");
            let (accepted, connected) = tokio::join!(
                timeout(WAIT, listener.accept()),
                timeout(WAIT, t.connect(bound_address))
            );
            let mut a = accepted.expect("in time").expect("accept");
            let mut c = connected.expect("in time").expect("connect");
            let frame = |body: &'static [u8]| {
                Frame {
                    kind: FrameKind::Message { more: false },
                    body: bytes::Bytes::from_static(body),
                }
                .to_bytes()
                .expect("encodes")
            };
            for (end, body) in [(&mut c, &b"from client"[..]), (&mut a, &b"from server"[..])] {
                let mut out = Greeting::new(zmtp_spec::wire::Mechanism::NULL, false)
                    .to_bytes()
                    .to_vec();
                out.extend_from_slice(&frame(body));
                timeout(WAIT, end.write_all(&out))
                    .await
                    .expect("in time")
                    .expect("write");
            }
            for (end, body) in [(&mut a, &b"from client"[..]), (&mut c, &b"from server"[..])] {
                let mut greeting = [0u8; Greeting::LEN];
                timeout(WAIT, end.read_exact(&mut greeting))
                    .await
                    .expect("in time")
                    .expect("read");
                let view = GreetingView::new(&greeting[..]);
                assert_eq!(view.minor(), Some(0));
                assert_eq!(
                    view.check().map(|g| g.mechanism).ok(),
                    Some(zmtp_spec::wire::Mechanism::NULL)
                );
                let want = frame(body);
                let mut got = vec![0u8; want.len()];
                timeout(WAIT, end.read_exact(&mut got))
                    .await
                    .expect("in time")
                    .expect("read");
                assert_eq!(got, want);
            }
            assert!(notes.take().is_empty());
            // No greeting: the bridge notes it and ends the connection.
            let (accepted, connected) = tokio::join!(
                timeout(WAIT, listener.accept()),
                timeout(WAIT, t.connect(bound_address))
            );
            let _a = accepted.expect("in time").expect("accept");
            let mut c = connected.expect("in time").expect("connect");
            timeout(WAIT, c.write_all(b"ping pong, not a greeting"))
                .await
                .expect("in time")
                .expect("write");
            let mut rest = Vec::new();
            let _ = timeout(WAIT, c.read_to_end(&mut rest))
                .await
                .expect("the bridge ends");
            assert!(matches!(
                notes.take().as_slice(),
                [Note::Unrepresentable(_)]
            ));
        })
        .await;
}
