//! Sending one datagram of a multicast link (pgm, epgm, norm), where a
//! datagram the network refuses is a loss like any other on the wire.

use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use tokio::net::UdpSocket;

/// Sends `packet` to `to`: `Ready` once it left or was refused (lost, as
/// on the wire; the protocol's repair covers it), `Pending` when the
/// socket has no room now (the caller keeps the packet for its next write).
pub(crate) fn poll_send_lossy(
    sock: &UdpSocket,
    cx: &mut Context<'_>,
    packet: &[u8],
    to: SocketAddr,
) -> Poll<()> {
    match sock.poll_send_to(cx, packet, to) {
        Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
        Poll::Ready(_) => Poll::Ready(()),
        Poll::Pending => Poll::Pending,
    }
}
