//! The transports the suite runs its cases over, behind one trait.
//!
//! A case never names a transport: it asks its context for an endpoint the
//! agent can bind, a raw listener, or a raw connection, and the run's
//! [`Transport`] decides the endpoint syntax and opens the byte stream.
//! Adding a transport is one more implementation of the trait, listed in
//! [`KNOWN`] (and [`ALL`] if a run should take it by default). ws carries
//! the raw peer's octets over ZWS 2.0 through a bridge ([`Ws`]). (The
//! stream transports are here; a datagram transport, such as
//! udp for RADIO/DISH, carries one message per datagram and will need a
//! datagram link beside [`Stream`].)

use std::fmt::Debug;
use std::io;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

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

/// A transport: its endpoint syntax and how it listens and connects.
pub trait Transport: Debug + Send + Sync {
    /// The scheme (`tcp`, `ipc`): the endpoint prefix, the name on the
    /// command line, in the agent's manifest and in reports.
    fn name(&self) -> &'static str;

    /// An endpoint the implementation under test can bind: a wildcard
    /// where the transport has one, else a name made from `unique` (a
    /// path no other case of the run uses).
    fn agent_endpoint(&self, unique: &Path) -> String;

    /// An endpoint the raw peer binds itself (made from `unique` as
    /// above).
    fn raw_endpoint(&self, unique: &Path) -> String;

    /// Listens on `address` (an endpoint's part after `scheme://`).
    fn listen<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Listener>>>;

    /// Opens a stream to `address` (after `scheme://`). The caller bounds
    /// the wait and retries.
    fn connect<'a>(&'a self, address: &'a str) -> BoxFuture<'a, io::Result<Box<dyn Stream>>>;

    /// Whether the implementation's ZMTP greeting travels on this
    /// transport (false for ws, where ZWS 2.0 has none and the stream's
    /// bridge stands in for it: the greeting and 1.0/2.0 cases are then
    /// not applicable).
    fn has_greeting(&self) -> bool {
        true
    }
}

/// tcp on the loopback interface.
#[derive(Debug)]
pub struct Tcp;

/// Unix-domain stream sockets, in the run's temporary folder.
#[derive(Debug)]
pub struct Ipc;

/// The transports a run goes over when none is named, in order.
pub const ALL: [&'static dyn Transport; 2] = [&Tcp, &Ipc];

/// Every transport the suite knows, the ones of [`ALL`] first: ws runs
/// when it is named (`--transport ws`).
pub const KNOWN: [&'static dyn Transport; 3] = [&Tcp, &Ipc, &Ws];

/// The transport named `name`.
pub fn by_name(name: &str) -> Option<&'static dyn Transport> {
    KNOWN.into_iter().find(|t| t.name() == name)
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

    fn agent_endpoint(&self, _unique: &Path) -> String {
        "tcp://127.0.0.1:*".to_string()
    }

    fn raw_endpoint(&self, _unique: &Path) -> String {
        "tcp://127.0.0.1:0".to_string()
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

    fn agent_endpoint(&self, unique: &Path) -> String {
        format!("ipc://{}", unique.display())
    }

    fn raw_endpoint(&self, unique: &Path) -> String {
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

#[cfg(test)]
mod tests;
