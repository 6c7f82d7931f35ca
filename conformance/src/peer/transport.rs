//! The transports the suite runs its cases over, behind one trait.
//!
//! A case never names a transport: it asks its context for an endpoint the
//! agent can bind, a raw listener, or a raw connection, and the run's
//! [`Transport`] decides the endpoint syntax and opens the byte stream.
//! Adding a transport is one more implementation of the trait, listed in
//! [`KNOWN`] (and [`ALL`] if a run should take it by default), or
//! [`DATAGRAM`] (libzmq's udp for RADIO/DISH, one message per datagram:
//! its cases, in `cases::udp`, open a [`Datagrams`] socket instead of a
//! [`Stream`], and only they run over it). ws carries the raw peer's
//! octets over ZWS 2.0 through a bridge ([`Ws`]).

use std::fmt::Debug;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};

use crate::agent::BoxFuture;

mod ws;

pub use ws::{NOTES, Note, Notes, Ws};

/// A connected byte stream, whatever carries it.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A listening socket of some transport.
pub trait Listener: Send + Sync {
    /// The endpoint peers connect to (the port chosen, the path made).
    fn endpoint(&self) -> &str;

    /// The next incoming connection. The caller bounds the wait.
    fn accept(&self) -> BoxFuture<'_, io::Result<Box<dyn Stream>>>;
}

/// How a transport carries messages, which decides the cases that run
/// over it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carriage {
    /// A byte stream per connection, ZMTP on it (tcp, ipc).
    Stream,
    /// One message per datagram, no connection (udp).
    Datagram,
}

/// A datagram socket of the raw peer, bound on the loopback interface.
pub trait Datagrams: Send + Sync {
    /// The endpoint the socket is bound on (`udp://127.0.0.1:PORT`).
    fn endpoint(&self) -> &str;

    /// Sends one datagram to `address` (an endpoint's part after
    /// `scheme://`). The caller bounds the wait.
    fn send_to<'a>(&'a self, octets: &'a [u8], address: &'a str) -> BoxFuture<'a, io::Result<()>>;

    /// Receives one datagram into `buf`; its length. The caller bounds
    /// the wait.
    fn recv<'a>(&'a self, buf: &'a mut [u8]) -> BoxFuture<'a, io::Result<usize>>;
}

/// A transport: its endpoint syntax and how it listens and connects.
pub trait Transport: Debug + Send + Sync {
    /// The scheme (`tcp`, `ipc`): the endpoint prefix, the name on the
    /// command line, in the agent's manifest and in reports.
    fn name(&self) -> &'static str;

    /// An endpoint the implementation under test can bind: a wildcard
    /// where the transport has one, else a name made from `unique` (a
    /// path no other case of the run uses).
    ///
    /// # Errors
    /// No endpoint is left (every port of a [`TcpRange`] in use).
    fn agent_endpoint(&self, unique: &Path) -> io::Result<String>;

    /// An endpoint the raw peer binds itself (made from `unique` as
    /// above).
    ///
    /// # Errors
    /// As [`Transport::agent_endpoint`].
    fn raw_endpoint(&self, unique: &Path) -> io::Result<String>;

    /// Listens on `address` (an endpoint's part after `scheme://`).
    fn listen<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Listener>>>;

    /// Opens a stream to `address` (after `scheme://`). The caller bounds
    /// the wait and retries.
    fn connect<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Stream>>>;

    /// Whether it carries streams or datagrams.
    fn carriage(&self) -> Carriage {
        Carriage::Stream
    }

    /// A datagram socket for the raw peer; a stream transport has none.
    fn datagrams(&self) -> BoxFuture<'_, io::Result<Box<dyn Datagrams>>> {
        Box::pin(async { Err(not_carried(self.name(), "datagrams")) })
    }

    /// Whether the implementation's ZMTP greeting travels on this
    /// transport (false for ws, where ZWS 2.0 has none and the stream's
    /// bridge stands in for it: the greeting and 1.0/2.0 cases are then
    /// not applicable).
    fn has_greeting(&self) -> bool {
        true
    }
}

fn not_carried(transport: &str, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("{transport} does not carry {what}"),
    )
}

/// tcp on the loopback interface.
#[derive(Debug)]
pub struct Tcp;

/// Unix-domain stream sockets, in the run's temporary folder.
#[derive(Debug)]
pub struct Ipc;

/// libzmq's udp (RADIO/DISH only): datagrams on the loopback interface.
#[derive(Debug)]
pub struct Udp;

/// The transports a run goes over when none is named, in order.
pub const ALL: [&'static dyn Transport; 2] = [&Tcp, &Ipc];

/// Every stream transport the suite knows, the ones of [`ALL`] first: ws
/// runs when it is named (`--transport ws`).
pub const KNOWN: [&'static dyn Transport; 3] = [&Tcp, &Ipc, &Ws];

/// The datagram transports, run when named (`--transport udp`).
pub const DATAGRAM: [&'static dyn Transport; 1] = [&Udp];

/// The transport named `name`.
pub fn by_name(name: &str) -> Option<&'static dyn Transport> {
    KNOWN.into_iter().chain(DATAGRAM).find(|t| t.name() == name)
}

/// The transport whose scheme starts `endpoint`, with the address after
/// the scheme.
pub fn of_endpoint(endpoint: &str) -> Option<(&'static dyn Transport, &str)> {
    let (scheme, address) = endpoint.split_once("://")?;
    Some((by_name(scheme)?, address))
}

impl Transport for Tcp {
    fn name(&self) -> &'static str {
        "tcp"
    }

    fn agent_endpoint(&self, _unique: &Path) -> io::Result<String> {
        Ok("tcp://127.0.0.1:*".to_string())
    }

    fn raw_endpoint(&self, _unique: &Path) -> io::Result<String> {
        Ok("tcp://127.0.0.1:0".to_string())
    }

    fn listen<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Listener>>> {
        Box::pin(async move {
            let listener = TcpListener::bind(address).await?;
            let endpoint = format!("tcp://{}", listener.local_addr()?);
            Ok(Box::new(TcpListening { listener, endpoint }) as Box<dyn Listener>)
        })
    }

    fn connect<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            let s = TcpStream::connect(address).await?;
            // Small writes go out at once: a case's split writes stay split.
            s.set_nodelay(true)?;
            Ok(Box::new(s) as Box<dyn Stream>)
        })
    }
}

struct TcpListening {
    listener: TcpListener,
    endpoint: String,
}

impl Listener for TcpListening {
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn accept(&self) -> BoxFuture<'_, io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            let (s, _) = self.listener.accept().await?;
            s.set_nodelay(true)?;
            Ok(Box::new(s) as Box<dyn Stream>)
        })
    }
}

impl Transport for Ipc {
    fn name(&self) -> &'static str {
        "ipc"
    }

    fn agent_endpoint(&self, unique: &Path) -> io::Result<String> {
        Ok(format!("ipc://{}", unique.display()))
    }

    fn raw_endpoint(&self, unique: &Path) -> io::Result<String> {
        self.agent_endpoint(unique)
    }

    fn listen<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Listener>>> {
        Box::pin(async move {
            let path = PathBuf::from(address);
            // A file left by an earlier run of the same name.
            let _ = std::fs::remove_file(&path);
            let listener = UnixListener::bind(&path)?;
            Ok(Box::new(IpcListening {
                listener,
                endpoint: format!("ipc://{address}"),
                path,
            }) as Box<dyn Listener>)
        })
    }

    fn connect<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            let s = UnixStream::connect(address).await?;
            Ok(Box::new(s) as Box<dyn Stream>)
        })
    }
}

/// tcp on the loopback interface with every port, the agent's and the
/// raw peer's, taken from a range (`run --port-range A-B`): for hosts
/// where only some ports may be opened. Ports are handed out in turn; one
/// that something else holds is skipped, and when every port of the range
/// is held the endpoint is an error that says so.
#[derive(Debug)]
pub struct TcpRange {
    first: u16,
    last: u16,
    next: AtomicU32,
}

impl TcpRange {
    /// The range `A-B` (inclusive, `0 < A <= B`).
    ///
    /// # Errors
    /// The text is not such a range.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad =
            || format!("--port-range {text}: expected FIRST-LAST, 1 <= FIRST <= LAST <= 65535");
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let first: u16 = a.trim().parse().map_err(|_| bad())?;
        let last: u16 = b.trim().parse().map_err(|_| bad())?;
        if first == 0 || first > last {
            return Err(bad());
        }
        Ok(Self {
            first,
            last,
            next: AtomicU32::new(0),
        })
    }

    /// How many ports the range holds.
    pub fn len(&self) -> u32 {
        u32::from(self.last - self.first) + 1
    }

    /// Whether the range is empty (never: [`TcpRange::parse`] refuses it).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The next port of the range that nothing holds now (tried by binding
    /// it, and letting it go for the one who asked).
    ///
    /// # Errors
    /// Every port of the range is held.
    pub fn take(&self) -> io::Result<u16> {
        let n = self.len();
        for _ in 0..n {
            let i = self.next.fetch_add(1, Ordering::Relaxed) % n;
            let port = self.first + u16::try_from(i).unwrap_or(0);
            if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
                return Ok(port);
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!(
                "--port-range {}-{} is exhausted: all {n} ports are in use; widen the range",
                self.first, self.last
            ),
        ))
    }
}

impl Transport for TcpRange {
    fn name(&self) -> &'static str {
        "tcp"
    }

    fn agent_endpoint(&self, _unique: &Path) -> io::Result<String> {
        Ok(format!("tcp://127.0.0.1:{}", self.take()?))
    }

    fn raw_endpoint(&self, unique: &Path) -> io::Result<String> {
        self.agent_endpoint(unique)
    }

    fn listen<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Listener>>> {
        Tcp.listen(address)
    }

    fn connect<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Stream>>> {
        Tcp.connect(address)
    }
}

struct IpcListening {
    listener: UnixListener,
    endpoint: String,
    path: PathBuf,
}

impl Listener for IpcListening {
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn accept(&self) -> BoxFuture<'_, io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            let (s, _) = self.listener.accept().await?;
            Ok(Box::new(s) as Box<dyn Stream>)
        })
    }
}

impl Drop for IpcListening {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Transport for Udp {
    fn name(&self) -> &'static str {
        "udp"
    }

    /// A free loopback port, chosen here (libzmq's udp takes no wildcard
    /// port); another process may take it first, rarely.
    fn agent_endpoint(&self, _unique: &Path) -> io::Result<String> {
        let port = std::net::UdpSocket::bind("127.0.0.1:0")
            .and_then(|s| s.local_addr())?
            .port();
        Ok(format!("udp://127.0.0.1:{port}"))
    }

    fn raw_endpoint(&self, _unique: &Path) -> io::Result<String> {
        Ok("udp://127.0.0.1:0".to_string())
    }

    fn listen<'a>(&'a self, _address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Listener>>> {
        Box::pin(async { Err(not_carried("udp", "streams")) })
    }

    fn connect<'a>(&'a self, _address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Stream>>> {
        Box::pin(async { Err(not_carried("udp", "streams")) })
    }

    fn carriage(&self) -> Carriage {
        Carriage::Datagram
    }

    fn datagrams(&self) -> BoxFuture<'_, io::Result<Box<dyn Datagrams>>> {
        Box::pin(async {
            let socket = UdpSocket::bind("127.0.0.1:0").await?;
            let endpoint = format!("udp://{}", socket.local_addr()?);
            Ok(Box::new(UdpDatagrams { socket, endpoint }) as Box<dyn Datagrams>)
        })
    }
}

struct UdpDatagrams {
    socket: UdpSocket,
    endpoint: String,
}

impl Datagrams for UdpDatagrams {
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn send_to<'a>(&'a self, octets: &'a [u8], address: &'a str) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(async move {
            let n = self.socket.send_to(octets, address).await?;
            if n == octets.len() {
                Ok(())
            } else {
                Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "datagram cut short",
                ))
            }
        })
    }

    fn recv<'a>(&'a self, buf: &'a mut [u8]) -> BoxFuture<'a, io::Result<usize>> {
        Box::pin(async move { self.socket.recv(buf).await })
    }
}

#[cfg(test)]
mod tests;
