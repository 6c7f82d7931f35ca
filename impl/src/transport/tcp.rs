//! tcp: TCP_NODELAY on every connection, keepalive and buffer sizes from
//! the options, a source address for connect.

use std::io;

use socket2::{Domain, SockRef, Socket, TcpKeepalive, Type};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

use super::{Listener, resolve, resolve_blocking};
use crate::endpoint::{Endpoint, Host, TcpEndpoint};
use crate::error::{Error, InvalidEndpoint, Result};
use crate::options::Options;

/// Applies TCP_NODELAY, SO_KEEPALIVE (and its CNT/IDLE/INTVL), SO_SNDBUF
/// and SO_RCVBUF.
pub(crate) fn configure(stream: &TcpStream, options: &Options) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let sock = SockRef::from(stream);
    apply_buffers(&sock, options)?;
    if let Some(tos) = options.tos
        && stream.local_addr().is_ok_and(|a| a.is_ipv4())
    {
        sock.set_tos_v4(tos)?;
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(maxrt) = options.tcp_maxrt {
        sock.set_tcp_user_timeout(Some(maxrt))?;
    }
    if let Some(on) = options.tcp_keepalive {
        sock.set_keepalive(on)?;
        if on {
            let mut ka = TcpKeepalive::new();
            if let Some(idle) = options.tcp_keepalive_idle {
                ka = ka.with_time(idle);
            }
            if let Some(intvl) = options.tcp_keepalive_intvl {
                ka = ka.with_interval(intvl);
            }
            if let Some(cnt) = options.tcp_keepalive_cnt {
                ka = ka.with_retries(cnt);
            }
            sock.set_tcp_keepalive(&ka)?;
        }
    }
    Ok(())
}

/// ZMQ_BINDTODEVICE.
fn bind_device(sock: &SockRef<'_>, options: &Options) -> io::Result<()> {
    match &options.bind_to_device {
        #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
        Some(dev) => sock.bind_device(Some(dev.as_bytes())),
        #[cfg(not(any(target_os = "android", target_os = "fuchsia", target_os = "linux")))]
        Some(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "ZMQ_BINDTODEVICE is Linux-only",
        )),
        None => Ok(()),
    }
}

fn apply_buffers(sock: &Socket, options: &Options) -> io::Result<()> {
    if let Some(n) = options.sndbuf {
        sock.set_send_buffer_size(n)?;
    }
    if let Some(n) = options.rcvbuf {
        sock.set_recv_buffer_size(n)?;
    }
    Ok(())
}

pub(crate) fn bind(t: &TcpEndpoint, options: &Options) -> Result<(Listener, Endpoint)> {
    let (listener, local) = listen(t, options)?;
    let resolved = Endpoint::Tcp(TcpEndpoint {
        host: Host::Ip(local.ip()),
        port: crate::endpoint::Port::Number(local.port()),
        source: None,
    });
    Ok((Listener::Tcp(listener), resolved))
}

/// A listening tcp socket for `t` (also under ws and wss), and the
/// address it took.
pub(crate) fn listen(
    t: &TcpEndpoint,
    options: &Options,
) -> Result<(TcpListener, std::net::SocketAddr)> {
    let text = Endpoint::Tcp(t.clone()).to_string();
    let addrs = resolve_blocking(&t.host, t.port, options.ipv6)
        .map_err(|_| Error::endpoint(&text, InvalidEndpoint::Unresolvable))?;
    let mut last = None;
    for addr in addrs {
        let sock = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        if addr.is_ipv6() && t.host == Host::Any {
            // `*` with IPV6: one dual-stack listener.
            sock.set_only_v6(false)?;
        }
        sock.set_reuse_address(true)?;
        bind_device(&SockRef::from(&sock), options)?;
        sock.set_nonblocking(true)?;
        apply_buffers(&sock, options)?;
        let backlog = i32::try_from(options.backlog).unwrap_or(i32::MAX);
        match sock.bind(&addr.into()).and_then(|()| sock.listen(backlog)) {
            Ok(()) => {
                let listener = TcpListener::from_std(sock.into())?;
                let local = listener.local_addr()?;
                return Ok((listener, local));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or_else(
        || Error::endpoint(&text, InvalidEndpoint::NoAddress),
        Error::Io,
    ))
}

pub(crate) async fn connect(t: &TcpEndpoint, options: &Options) -> io::Result<TcpStream> {
    let addrs = resolve(&t.host, t.port, options.ipv6).await?;
    let source = match &t.source {
        Some((h, p)) => resolve(h, *p, options.ipv6).await?.into_iter().next(),
        None => None,
    };
    let mut last = None;
    for addr in addrs {
        let sock = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        bind_device(&SockRef::from(&sock), options)?;
        // Before connect, as libzmq does: the receive buffer decides the
        // window scale offered in the SYN.
        apply_buffers(&SockRef::from(&sock), options)?;
        if let Some(src) = source {
            sock.bind(src)?;
        }
        let attempt = match options.connect_timeout {
            Some(d) => tokio::time::timeout(d, sock.connect(addr))
                .await
                .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into())),
            None => sock.connect(addr).await,
        };
        match attempt {
            Ok(stream) => {
                configure(&stream, options)?;
                return Ok(stream);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address")))
}
