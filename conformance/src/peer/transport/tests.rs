use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use super::{ALL, Carriage, Ipc, Tcp, Transport, Udp, by_name, of_endpoint};

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn names_and_endpoints_round_trip() {
    for t in ALL {
        assert_eq!(by_name(t.name()).map(|x| x.name()), Some(t.name()));
        let ep = t.raw_endpoint(Path::new("/tmp/x.sock"));
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
        Tcp.agent_endpoint(Path::new("ignored")),
        "tcp://127.0.0.1:*"
    );
    assert_eq!(Ipc.agent_endpoint(Path::new("/a/b")), "ipc:///a/b");
}

/// A transport listens, accepts, and carries octets both ways.
async fn carries(t: &dyn Transport, unique: &Path) {
    let ep = t.raw_endpoint(unique);
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

#[tokio::test]
async fn udp_carries_datagrams_not_streams() {
    assert_eq!(Tcp.carriage(), Carriage::Stream);
    assert!(Tcp.datagrams().await.is_err());
    assert!(Udp.listen("127.0.0.1:0").await.is_err());
    let ep = Udp.agent_endpoint(Path::new("ignored"));
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
