//! ipc: unix-domain sockets, by path or (Linux) abstract name. The socket
//! file is removed on unbind, and an existing one is replaced on bind, as
//! libzmq does.

use std::io;
use std::os::unix::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::net::{UnixListener, UnixStream};

use super::Listener;
use crate::endpoint::{Endpoint, IpcEndpoint};
use crate::error::Result;

static NEXT: AtomicU64 = AtomicU64::new(0);

fn abstract_addr(name: &str) -> io::Result<SocketAddr> {
    #[cfg(target_os = "linux")]
    {
        use std::os::linux::net::SocketAddrExt;
        SocketAddr::from_abstract_name(name.as_bytes())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = name;
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "abstract ipc names are Linux-only",
        ))
    }
}

pub(crate) fn bind(i: &IpcEndpoint) -> Result<(Listener, Endpoint)> {
    match i {
        IpcEndpoint::Abstract(name) => {
            let std = std::os::unix::net::UnixListener::bind_addr(&abstract_addr(name)?)?;
            std.set_nonblocking(true)?;
            let listener = UnixListener::from_std(std)?;
            Ok((
                Listener::Unix {
                    listener,
                    path: None,
                },
                Endpoint::Ipc(i.clone()),
            ))
        }
        IpcEndpoint::Path(path) => bind_path(path.clone()),
        IpcEndpoint::Any => {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("zmtp-{}-{n}.ipc", std::process::id()));
            bind_path(path)
        }
    }
}

fn bind_path(path: PathBuf) -> Result<(Listener, Endpoint)> {
    // libzmq replaces a stale socket file.
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    Ok((
        Listener::Unix {
            listener,
            path: Some(path.clone()),
        },
        Endpoint::Ipc(IpcEndpoint::Path(path)),
    ))
}

pub(crate) async fn connect(i: &IpcEndpoint) -> io::Result<UnixStream> {
    match i {
        IpcEndpoint::Path(p) => UnixStream::connect(p).await,
        IpcEndpoint::Abstract(name) => {
            let std = std::os::unix::net::UnixStream::connect_addr(&abstract_addr(name)?)?;
            std.set_nonblocking(true)?;
            UnixStream::from_std(std)
        }
        IpcEndpoint::Any => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "cannot connect to ipc://*",
        )),
    }
}
