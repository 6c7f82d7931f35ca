use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::BufMut;
use tokio::io::AsyncWrite;
use zmtp_spec::SocketType;
use zmtp_spec::connection::{Config, Connection, Side};
use zmtp_spec::wire::metadata::SOCKET_TYPE;
use zmtp_spec::wire::{Command, Encode, Greeting, Mechanism, Metadata, Version};

use super::*;

/// A transport that delivers one scripted chunk per read and never takes
/// a written octet: a peer that writes and does not read.
struct Unread {
    reads: VecDeque<Vec<u8>>,
}

impl ReadIntoBuf for Unread {
    fn poll_read_into<B: BufMut>(
        &mut self,
        _: &mut Context<'_>,
        buf: &mut B,
    ) -> Poll<io::Result<usize>> {
        match self.reads.pop_front() {
            Some(chunk) => {
                assert!(chunk.len() <= buf.remaining_mut(), "room for the chunk");
                buf.put_slice(&chunk);
                Poll::Ready(Ok(chunk.len()))
            }
            None => Poll::Pending,
        }
    }
}

impl AsyncWrite for Unread {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Pending
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Pending
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Pending
    }
}

/// A 3.1 NULL PUSH's greeting and READY.
fn push_handshake() -> Vec<u8> {
    let mut out = Greeting {
        padding: [0; 8],
        version: Version { major: 3, minor: 1 },
        mechanism: Mechanism::NULL,
        as_server: false,
    }
    .to_bytes()
    .to_vec();
    Command::Ready(Metadata::new().with(SOCKET_TYPE, &b"PUSH"[..]))
        .encode(&mut out)
        .expect("READY encodes");
    out
}

/// A peer that sends its PINGs one read at a time and reads nothing: what
/// waits for the transport stays within one vectored write's worth plus
/// the connection's one PONG owed (37-R58), instead of a PONG per read.
#[tokio::test]
async fn pongs_a_peer_does_not_read_do_not_pile_up() {
    const PINGS: usize = 50_000;
    let mut reads = VecDeque::from([push_handshake()]);
    for i in 0..PINGS {
        let mut context = [0u8; 16];
        context[..8].copy_from_slice(&(i as u64).to_be_bytes());
        let ping = Command::Ping {
            ttl: 0,
            context: Bytes::copy_from_slice(&context),
        };
        reads.push_back(ping.to_bytes().expect("PING encodes").to_vec());
    }
    let conn = Connection::new(
        Config::new(SocketType::Pull),
        Side::Server,
        Instant::now(),
        rand_core::OsRng,
    )
    .expect("valid config");
    let mut link = StreamLink::new(conn, Unread { reads });
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..=PINGS {
        assert!(link.poll_read(&mut cx).is_ready(), "one chunk per read");
        while link.poll_event().is_some() {}
        assert!(link.poll_write(&mut cx).is_pending(), "nothing is taken");
    }
    assert!(!link.conn.is_closed());
    let waiting = link.out_len + link.conn.pending_transmit();
    // Unbounded, this was a PONG of 23 octets per PING: 1.1 MB.
    assert!(
        waiting <= WRITE_BYTES + 64,
        "{waiting} octets wait after {PINGS} unread PINGs"
    );
    assert!(link.has_output());
}
