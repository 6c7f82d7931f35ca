//! The context: the public handle on what a context's sockets share (the
//! I/O runtime their tasks run on, the inproc name registry, the ZAP
//! callback), which lives in `runtime.rs` so that sockets need nothing
//! of this API.

use std::sync::Arc;

use tokio::runtime::Handle;
use zmtp_spec::SocketType;
use zmtp_spec::security::Authenticator;

use crate::error::Result;
use crate::runtime::ContextInner;
use crate::socket::Socket;

/// A ZeroMQ context: the runtime that runs connections, shared by its
/// sockets.
///
/// Made inside a tokio runtime ([`Context::new`] from async code), it uses
/// that runtime. Made from a plain thread, it starts its own
/// multi-threaded runtime (two worker threads), and the sockets' blocking
/// methods ([`Socket::send_blocking`], [`Socket::recv_blocking`]) work
/// from any thread that is not itself running async code.
#[derive(Clone, Debug)]
pub struct Context {
    pub(crate) inner: Arc<ContextInner>,
}

impl Context {
    /// A context on the current tokio runtime, or on its own runtime when
    /// called outside one.
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) if a runtime cannot be started.
    pub fn new() -> Result<Self> {
        match Handle::try_current() {
            Ok(handle) => Ok(Self::with_handle(handle)),
            Err(_) => {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("zmtp-io")
                    .enable_all()
                    .build()?;
                let handle = rt.handle().clone();
                Ok(Self {
                    inner: Arc::new(ContextInner::new(handle, Some(rt))),
                })
            }
        }
    }

    /// A context on the given runtime.
    pub fn with_handle(handle: Handle) -> Self {
        Self {
            inner: Arc::new(ContextInner::new(handle, None)),
        }
    }

    /// A new socket of the given type: one of the 11 classic types, a
    /// draft type (CLIENT, SERVER, RADIO, DISH, SCATTER, GATHER, PEER,
    /// CHANNEL) or STREAM.
    ///
    /// # Errors
    /// [`Error::UnsupportedSocketType`](crate::Error::UnsupportedSocketType)
    /// for a socket type this crate does not implement (none today).
    pub fn socket(&self, socket_type: SocketType) -> Result<Socket> {
        Socket::new(Arc::clone(&self.inner), socket_type)
    }

    /// Installs the ZAP authenticator (RFC 27) of every PLAIN or CURVE
    /// server socket of this context, and of NULL sockets with a
    /// ZAP_DOMAIN; `None` removes it. A socket's own authenticator
    /// ([`Socket::set_authenticator`]) comes first; without either, a
    /// REP or ROUTER handler bound at `inproc://zeromq.zap.01` in this
    /// context is asked, as in libzmq. Applies to handshakes that start
    /// after the call.
    pub fn set_authenticator(&self, authenticator: Option<Arc<dyn Authenticator>>) {
        self.inner.set_authenticator(authenticator);
    }

    /// The runtime handle the sockets' tasks run on.
    pub fn handle(&self) -> &Handle {
        &self.inner.handle
    }
}
