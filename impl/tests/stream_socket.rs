//! STREAM, libzmq's raw socket: our STREAM against a plain tokio
//! `TcpStream` (raw octets both ways, the connect and disconnect
//! notifications, a close on an empty send), and against itself.

#[path = "common/raw.rs"]
#[allow(dead_code)]
mod raw;

use raw::bounded::Within;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zmtp::{Bytes, Context, Error, Message, SocketType, opt};

fn tagged(id: &Bytes, data: &[u8]) -> Message {
    Message::from_frames([id.clone(), Bytes::copy_from_slice(data)])
}

fn port_of(endpoint: &str) -> String {
    endpoint
        .rsplit_once(':')
        .map(|(_, p)| p.to_owned())
        .unwrap_or_default()
}

/// Reads from `peer` until `want` octets came (or the test's bound).
async fn read_all(peer: &mut TcpStream, want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < want {
        let n = peer.read(&mut buf).within("read").await.expect("read");
        assert!(n > 0, "closed after {} of {want} octets", got.len());
        got.extend_from_slice(&buf[..n]);
    }
    got
}

#[tokio::test]
async fn bound_stream_and_a_plain_tcp_client_90_r01_r08() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Stream).expect("stream");
    s.bind("tcp://127.0.0.1:*").expect("bind");
    let addr = format!("127.0.0.1:{}", port_of(&s.last_endpoint()));
    let mut peer = TcpStream::connect(&addr)
        .within("connect")
        .await
        .expect("connect");
    // The connect notification: [id, ""] (90-R07).
    let hello = s.recv().within("recv").await.expect("recv");
    assert_eq!(hello.len(), 2);
    assert!(hello.frames()[1].is_empty(), "connect notification");
    let id = hello.frames()[0].clone();
    // Raw octets in, tagged (90-R02): no greeting was sent (90-R01).
    peer.write_all(b"GET / HTTP/1.0\r\n\r\n")
        .await
        .expect("write");
    let mut data = Vec::new();
    while data.len() < 18 {
        let m = s.recv().within("recv").await.expect("recv");
        assert_eq!(m.frames()[0], id);
        data.extend_from_slice(&m.frames()[1]);
    }
    assert_eq!(data, b"GET / HTTP/1.0\r\n\r\n");
    // Raw octets out (90-R04).
    s.send(tagged(&id, b"HTTP/1.0 200 OK\r\n\r\nhi"))
        .within("send")
        .await
        .expect("send");
    assert_eq!(read_all(&mut peer, 21).await, b"HTTP/1.0 200 OK\r\n\r\nhi");
    // The client closes: the disconnect notification (90-R08).
    drop(peer);
    let bye = s.recv().within("recv").await.expect("recv");
    assert_eq!(bye, tagged(&id, b""), "disconnect notification");
    // Its id routes nothing now (90-R05).
    assert!(matches!(
        s.send(tagged(&id, b"late")).within("send").await,
        Err(Error::HostUnreachable)
    ));
}

#[tokio::test]
async fn an_empty_send_closes_the_connection_90_r06() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Stream).expect("stream");
    s.bind("tcp://127.0.0.1:*").expect("bind");
    let addr = format!("127.0.0.1:{}", port_of(&s.last_endpoint()));
    let mut peer = TcpStream::connect(&addr)
        .within("connect")
        .await
        .expect("connect");
    let id = s.recv().within("recv").await.expect("recv").frames()[0].clone();
    s.send(tagged(&id, b""))
        .within("send")
        .await
        .expect("close");
    let mut buf = [0u8; 16];
    let n = peer
        .read(&mut buf)
        .within("read to the end")
        .await
        .expect("read");
    assert_eq!(n, 0, "the STREAM closed the connection");
}

#[tokio::test]
async fn connecting_stream_without_notify_90_r09() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let addr = listener.local_addr().expect("addr");
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Stream).expect("stream");
    s.set(opt::StreamNotify, false).expect("STREAM_NOTIFY");
    s.set(opt::ConnectRoutingId, Some(Bytes::from_static(b"srv")))
        .expect("CONNECT_ROUTING_ID");
    s.connect(&format!("tcp://{addr}")).expect("connect");
    let (mut peer, _) = listener.accept().within("accept").await.expect("accept");
    peer.write_all(b"banner").await.expect("write");
    let m = s.recv().within("recv").await.expect("recv");
    assert_eq!(
        m,
        tagged(&Bytes::from_static(b"srv"), b"banner"),
        "no notification; the id is CONNECT_ROUTING_ID's (90-R03)"
    );
    s.send(tagged(&Bytes::from_static(b"srv"), b"reply"))
        .within("send")
        .await
        .expect("send");
    assert_eq!(read_all(&mut peer, 5).await, b"reply");
}

#[tokio::test]
async fn stream_refuses_inproc_and_zmtp_calls() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Stream).expect("stream");
    assert!(matches!(
        s.bind("inproc://stream-x"),
        Err(Error::UnsupportedTransport(_))
    ));
    assert!(matches!(
        s.send("no id").within("send").await,
        Err(Error::HostUnreachable)
    ));
}

#[tokio::test]
async fn stream_to_stream() {
    let ctx = Context::new().expect("context");
    let a = ctx.socket(SocketType::Stream).expect("stream");
    a.bind("tcp://127.0.0.1:*").expect("bind");
    let b = ctx.socket(SocketType::Stream).expect("stream");
    b.connect(&a.last_endpoint()).expect("connect");
    let at_b = b.recv().within("recv").await.expect("recv").frames()[0].clone();
    let at_a = a.recv().within("recv").await.expect("recv").frames()[0].clone();
    b.send(tagged(&at_b, b"ping"))
        .within("send")
        .await
        .expect("send");
    let m = a.recv().within("recv").await.expect("recv");
    assert_eq!(m, tagged(&at_a, b"ping"));
}
