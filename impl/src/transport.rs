//! Byte-stream transports: tcp, ipc, ws and wss listeners and connectors,
//! and the [`Stream`] the connection driver runs over (for ws and wss, the
//! pipe to the connection's WebSocket pump, [`ws`]). inproc, which carries
//! messages and not bytes, lives in [`crate::inproc`].

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use bytes::BufMut;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

use crate::endpoint::{Endpoint, Host, IpcEndpoint, Port, TcpEndpoint};
use crate::error::{Error, InvalidEndpoint, Result};
use crate::options::Options;

mod datagram;
mod deadline;
pub(crate) mod ipc;
pub(crate) mod norm;
pub(crate) mod pgm;
pub(crate) mod tcp;
pub(crate) mod udp;
pub(crate) mod ws;

#[cfg(test)]
mod tests;

/// A connected byte stream.
#[derive(Debug)]
pub(crate) enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
    Ws(ws::WsStream),
}

/// What a listener accepted: a stream, or a ws connection still to be
/// upgraded (which takes round trips, so the accept loop hands it to a
/// task of its own).
#[derive(Debug)]
pub(crate) enum Accepted {
    Stream(Stream),
    Ws(ws::Pending),
}

impl Stream {
    /// The ZWS subprotocol a ws or wss connection settled on.
    pub(crate) fn zws(&self) -> Option<zmtp_spec::wire::zws::Subprotocol> {
        match self {
            Stream::Ws(w) => Some(w.subprotocol),
            _ => None,
        }
    }

    /// The peer's address as a string, for monitor events.
    pub(crate) fn peer_address(&self) -> String {
        match self {
            Stream::Tcp(s) => s
                .peer_addr()
                .map(|a| format!("tcp://{a}"))
                .unwrap_or_default(),
            Stream::Unix(s) => s
                .peer_addr()
                .ok()
                .and_then(|a| a.as_pathname().map(|p| format!("ipc://{}", p.display())))
                .unwrap_or_else(|| "ipc://".to_owned()),
            Stream::Ws(w) => format!("{}://{}", if w.secure { "wss" } else { "ws" }, w.peer),
        }
    }
}

/// A byte stream that reads into a [`BufMut`]'s spare capacity, so a
/// receiver can read straight into the buffer its messages keep (no
/// zero-filling, no copy afterwards).
pub(crate) trait ReadIntoBuf {
    /// Reads what is available into `buf` (at most its remaining room).
    /// `Ready(Ok(0))` is the end of the stream (for a non-empty `buf`).
    fn poll_read_into<B: BufMut>(
        &mut self,
        cx: &mut TaskContext<'_>,
        buf: &mut B,
    ) -> Poll<io::Result<usize>>;
}

/// The outcome of one read inside `try_io`: the count goes to `n`; a short
/// read (fewer than `room` octets, but some) answers WouldBlock so that
/// `try_io` clears the readiness it saw.
fn drained(read: io::Result<usize>, room: usize, n: &mut Option<usize>) -> io::Result<()> {
    let got = read?;
    *n = Some(got);
    if got > 0 && got < room {
        Err(io::ErrorKind::WouldBlock.into())
    } else {
        Ok(())
    }
}

impl ReadIntoBuf for Stream {
    fn poll_read_into<B: BufMut>(
        &mut self,
        cx: &mut TaskContext<'_>,
        buf: &mut B,
    ) -> Poll<io::Result<usize>> {
        // A read that fills less than the room it was given has drained
        // the socket (epoll and kqueue report readiness by edges): the
        // readiness is cleared then, as tokio's own `poll_read` does, so
        // the next poll registers for the next event at once instead of
        // first making a read that only says WouldBlock. (`try_io`
        // clears it only up to the event it saw: data that arrived since
        // stays ready.)
        let room = buf.remaining_mut();
        loop {
            let mut n = None;
            let result = match self {
                Stream::Tcp(s) => {
                    std::task::ready!(s.poll_read_ready(cx))?;
                    s.try_io(tokio::io::Interest::READABLE, || {
                        drained(s.try_read_buf(buf), room, &mut n)
                    })
                }
                Stream::Unix(s) => {
                    std::task::ready!(s.poll_read_ready(cx))?;
                    s.try_io(tokio::io::Interest::READABLE, || {
                        drained(s.try_read_buf(buf), room, &mut n)
                    })
                }
                Stream::Ws(w) => {
                    // The pipe has no readiness to wait on: read into a
                    // buffer of our own and copy.
                    let mut room = [0u8; 16 * 1024];
                    let want = buf.remaining_mut().min(room.len());
                    let mut read = ReadBuf::new(&mut room[..want]);
                    std::task::ready!(Pin::new(&mut w.pipe).poll_read(cx, &mut read))?;
                    buf.put_slice(read.filled());
                    return Poll::Ready(Ok(read.filled().len()));
                }
            };
            match (result, n) {
                (_, Some(n)) => return Poll::Ready(Ok(n)),
                // The readiness was stale; `try_read_buf` cleared it, so
                // the next poll registers for the next event.
                (Err(e), None) if e.kind() == io::ErrorKind::WouldBlock => {}
                (Err(e), None) => return Poll::Ready(Err(e)),
                (Ok(()), None) => {}
            }
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Unix(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Ws(w) => Pin::new(&mut w.pipe).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Unix(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Ws(w) => Pin::new(&mut w.pipe).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Unix(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Ws(w) => Pin::new(&mut w.pipe).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            Stream::Unix(s) => Pin::new(s).poll_flush(cx),
            Stream::Ws(w) => Pin::new(&mut w.pipe).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Unix(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Ws(w) => Pin::new(&mut w.pipe).poll_shutdown(cx),
        }
    }
}

/// A bound listener.
#[derive(Debug)]
pub(crate) enum Listener {
    Tcp(TcpListener),
    Unix {
        listener: UnixListener,
        /// The file to remove on unbind (none for abstract names).
        path: Option<std::path::PathBuf>,
    },
    Ws(ws::WsListener),
}

impl Listener {
    /// Binds; returns the listener and the endpoint with wildcards
    /// resolved.
    /// Must run inside the runtime (it registers with its reactor).
    pub(crate) fn bind(endpoint: &Endpoint, options: &Options) -> Result<(Self, Endpoint)> {
        match endpoint {
            Endpoint::Tcp(t) => tcp::bind(t, options),
            Endpoint::Ipc(i) => ipc::bind(i),
            Endpoint::Ws(w) => ws::bind(w, options),
            // inproc binds in the registry, udp in `udp::UdpLink`, pgm,
            // epgm and norm as a connect, not here.
            Endpoint::Inproc(_) | Endpoint::Udp(_) | Endpoint::Pgm(_) | Endpoint::Norm(_) => {
                Err(Error::UnsupportedTransport(endpoint.to_string()))
            }
        }
    }

    /// Polls for the next connection.
    pub(crate) fn poll_accept(
        &self,
        cx: &mut TaskContext<'_>,
        options: &Options,
    ) -> Poll<io::Result<Accepted>> {
        match self {
            Listener::Tcp(l) => {
                let (s, _) = std::task::ready!(l.poll_accept(cx))?;
                tcp::configure(&s, options)?;
                Poll::Ready(Ok(Accepted::Stream(Stream::Tcp(s))))
            }
            Listener::Unix { listener, .. } => {
                let (s, _) = std::task::ready!(listener.poll_accept(cx))?;
                Poll::Ready(Ok(Accepted::Stream(Stream::Unix(s))))
            }
            Listener::Ws(l) => {
                let (s, _) = std::task::ready!(l.tcp.poll_accept(cx))?;
                tcp::configure(&s, options)?;
                Poll::Ready(Ok(Accepted::Ws(ws::Pending {
                    tcp: s,
                    tls: l.tls.clone(),
                })))
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix {
            path: Some(path), ..
        } = self
        {
            // The file is ours: we created it when binding.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Opens a connection to `endpoint`.
pub(crate) async fn connect(endpoint: &Endpoint, options: &Options) -> io::Result<Stream> {
    match endpoint {
        Endpoint::Tcp(t) => tcp::connect(t, options).await.map(Stream::Tcp),
        Endpoint::Ipc(i) => ipc::connect(i).await.map(Stream::Unix),
        Endpoint::Ws(w) => ws::connect(w, options).await.map(Stream::Ws),
        Endpoint::Inproc(_) | Endpoint::Udp(_) | Endpoint::Pgm(_) | Endpoint::Norm(_) => {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "inproc, udp, pgm, epgm and norm are not byte streams",
            ))
        }
    }
}

/// Checks what connect needs that parsing allows (no wildcards).
pub(crate) fn check_connectable(endpoint: &Endpoint, text: &str) -> Result<()> {
    match endpoint {
        Endpoint::Tcp(TcpEndpoint { host, port, .. }) => {
            if *host == Host::Any {
                return Err(Error::endpoint(text, InvalidEndpoint::WildcardHost));
            }
            if *port == Port::Any {
                return Err(Error::endpoint(text, InvalidEndpoint::WildcardPort));
            }
            Ok(())
        }
        Endpoint::Ws(w) => check_connectable(&Endpoint::Tcp(w.tcp()), text),
        Endpoint::Ipc(IpcEndpoint::Any) => Err(Error::endpoint(text, InvalidEndpoint::WildcardIpc)),
        _ => Ok(()),
    }
}

/// Resolves a host and port, blocking (for bind, which is synchronous as
/// in libzmq).
pub(crate) fn resolve_blocking(host: &Host, port: Port, ipv6: bool) -> io::Result<Vec<SocketAddr>> {
    use std::net::ToSocketAddrs;
    let n = match port {
        Port::Any => 0,
        Port::Number(n) => n,
    };
    match host {
        Host::Name(name) => Ok(order((name.as_str(), n).to_socket_addrs()?.collect(), ipv6)),
        Host::Any => Ok(vec![any(n, ipv6)]),
        Host::Ip(ip) => Ok(vec![SocketAddr::new(*ip, n)]),
    }
}

/// libzmq prefers IPv4 unless ZMQ_IPV6 is set.
fn order(addrs: Vec<SocketAddr>, ipv6: bool) -> Vec<SocketAddr> {
    let (first, second): (Vec<SocketAddr>, Vec<SocketAddr>) =
        addrs.iter().partition(|a| a.is_ipv6() == ipv6);
    first.into_iter().chain(second).collect()
}

/// The any-address: IPv4 `0.0.0.0`, or dual-stack `::` with ZMQ_IPV6.
fn any(port: u16, ipv6: bool) -> SocketAddr {
    if ipv6 {
        SocketAddr::from(([0u16; 8], port))
    } else {
        SocketAddr::from(([0, 0, 0, 0], port))
    }
}

/// Resolves a host and port to socket addresses.
pub(crate) async fn resolve(host: &Host, port: Port, ipv6: bool) -> io::Result<Vec<SocketAddr>> {
    let port = match port {
        Port::Any => 0,
        Port::Number(n) => n,
    };
    match host {
        Host::Any => Ok(vec![any(port, ipv6)]),
        Host::Ip(ip) => Ok(vec![SocketAddr::new(*ip, port)]),
        Host::Name(name) => {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), port))
                .await?
                .collect();
            if addrs.is_empty() {
                Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{name} did not resolve"),
                ))
            } else {
                Ok(order(addrs, ipv6))
            }
        }
    }
}
