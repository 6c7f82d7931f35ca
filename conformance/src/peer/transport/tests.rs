use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use super::{ALL, Ipc, Tcp, Transport, by_name, of_endpoint};

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
    assert!(by_name("udp").is_none());
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

/// ws: two bridges back to back. Each raw end writes a 3.x greeting and a
/// frame; each reads the greeting its bridge stands in for (3.0, the
/// subprotocol's mechanism), then the other end's frame, carried as one
/// ZWS message. A raw end that writes no greeting is noted as
/// unrepresentable.
#[tokio::test]
async fn ws_bridges_greetings_and_frames() {
    use zmtp_spec::wire::view::GreetingView;
    use zmtp_spec::wire::{Encode, Frame, FrameKind, Greeting};

    use super::{NOTES, Note, Notes, Ws};

    let notes = Notes::default();
    NOTES
        .scope(notes.clone(), async {
            let t = &Ws;
            let ep = t.raw_endpoint(Path::new("unused"));
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
