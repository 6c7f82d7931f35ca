use std::future::poll_fn;
use std::task::Poll;

use zmtp_model::Outgoing;
use zmtp_spec::{Message, SocketType};

use super::*;

fn link(end: PipeEnd, t: SocketType) -> InprocLink {
    InprocLink::new(end, t, Bytes::new())
}

/// Flushes `from`, then reads everything `to` has.
async fn transfer(from: &mut InprocLink, to: &mut InprocLink) -> Vec<Input> {
    poll_fn(|cx| from.poll_write(cx)).await.expect("write");
    poll_fn(|cx| match to.poll_read(cx) {
        Poll::Pending => Poll::Ready(Ok(())),
        other => other,
    })
    .await
    .expect("read");
    std::iter::from_fn(|| to.poll_event()).collect()
}

#[tokio::test]
async fn connect_before_bind_then_hello_and_messages_pass_whole() {
    let registry = Registry::default();
    let ours = registry.connect("x");
    let mut rx = registry.bind("x").expect("bind");
    let theirs = rx.recv().await.expect("pending connection").end;
    let mut a = link(ours, SocketType::Push);
    let mut b = link(theirs, SocketType::Pull);
    let m = Message::from_frames([Bytes::from_static(b"a"), Bytes::from_static(b"b")]);
    a.send(Outgoing::Message(m.clone()));
    let got = transfer(&mut a, &mut b).await;
    assert!(
        matches!(&got[0], Input::Handshake(info, _) if info.socket_type == Some(SocketType::Push))
    );
    assert!(matches!(&got[1], Input::Item(Outgoing::Message(x)) if *x == m));
}

#[test]
fn a_bound_name_is_taken_until_unbound() {
    let registry = Registry::default();
    let _rx = registry.bind("y").expect("bind");
    assert!(matches!(registry.bind("y"), Err(Error::AddressInUse(_))));
    registry.unbind("y");
    assert!(registry.bind("y").is_ok());
}

#[tokio::test]
async fn a_dropped_end_is_end_of_input() {
    let (a, b) = PipeEnd::pair();
    let mut b = link(b, SocketType::Pair);
    drop(a);
    let r = poll_fn(|cx| b.poll_read(cx)).await;
    assert!(matches!(r, Err(e) if e.kind() == io::ErrorKind::UnexpectedEof));
}

#[tokio::test]
async fn the_writer_waits_when_the_pipe_is_full() {
    let (a, b) = PipeEnd::pair();
    let mut a = link(a, SocketType::Push);
    let _b = b;
    // Hello plus a full pipe.
    for _ in 0..PIPE_CAPACITY {
        a.send(Outgoing::Message(Message::from("m")));
    }
    let pending = poll_fn(|cx| Poll::Ready(a.poll_write(cx).is_pending())).await;
    assert!(pending);
    assert!(a.has_output());
    assert!(!a.wants_more());
}

#[tokio::test]
async fn order_is_kept_when_reading_resumes_before_everything_was_delivered() {
    let (a, b) = PipeEnd::pair();
    let mut a = link(a, SocketType::Push);
    let mut b = link(b, SocketType::Pull);
    for i in 0..10u8 {
        a.send(Outgoing::Message(Message::from(vec![i])));
    }
    poll_fn(|cx| a.poll_write(cx)).await.expect("write");
    poll_fn(|cx| b.poll_read(cx)).await.expect("read");
    // Deliver only the hello and two messages, as a driver stopped by
    // RCVHWM would, while more arrive.
    for _ in 0..3 {
        assert!(b.poll_event().is_some());
    }
    for i in 10..20u8 {
        a.send(Outgoing::Message(Message::from(vec![i])));
    }
    poll_fn(|cx| a.poll_write(cx)).await.expect("write");
    let mut seen = Vec::new();
    while seen.len() < 18 {
        poll_fn(|cx| b.poll_read(cx)).await.expect("read");
        while let Some(Input::Item(Outgoing::Message(m))) = b.poll_event() {
            seen.push(m.frames()[0][0]);
        }
    }
    assert_eq!(seen, (2..20).collect::<Vec<u8>>());
}

/// A batch is handed over whole when the reader has taken everything,
/// and appended behind what it has not taken yet otherwise; either way
/// the reader sees the writer's order (37-R44), and a batch larger than
/// the pipe's room waits for the reader.
#[tokio::test]
async fn batches_are_handed_over_whole_or_appended_in_order() {
    let (a, b) = PipeEnd::pair();
    let mut a = link(a, SocketType::Push);
    let mut b = link(b, SocketType::Pull);
    let mut next = 0u16;
    let mut send = |a: &mut InprocLink, n: u16| {
        for _ in 0..n {
            a.send(Outgoing::Message(Message::from(
                next.to_be_bytes().to_vec(),
            )));
            next += 1;
        }
    };
    // Hello + 5, handed over whole (the pipe is empty).
    send(&mut a, 5);
    poll_fn(|cx| a.poll_write(cx)).await.expect("write");
    assert_eq!(a.end.lock().queues[1].len(), 6);
    // Appended behind the unread six.
    send(&mut a, 5);
    poll_fn(|cx| a.poll_write(cx)).await.expect("write");
    assert_eq!(a.end.lock().queues[1].len(), 11);
    // More than the room left: the rest waits in the link.
    send(&mut a, PIPE_CAPACITY as u16);
    let pending = poll_fn(|cx| Poll::Ready(a.poll_write(cx).is_pending())).await;
    assert!(pending);
    assert_eq!(a.end.lock().queues[1].len(), PIPE_CAPACITY);
    let mut seen = Vec::new();
    while seen.len() < usize::from(next) {
        poll_fn(|cx| b.poll_read(cx)).await.expect("read");
        while let Some(input) = b.poll_event() {
            if let Input::Item(Outgoing::Message(m)) = input {
                seen.push(u16::from_be_bytes([m.frames()[0][0], m.frames()[0][1]]));
            }
        }
        let _ = poll_fn(|cx| Poll::Ready(a.poll_write(cx))).await;
    }
    assert_eq!(seen, (0..next).collect::<Vec<u16>>());
}
