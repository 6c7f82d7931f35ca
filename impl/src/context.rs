//! The context: the I/O runtime the sockets' tasks run on, and the inproc
//! name registry.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::runtime::{Handle, Runtime};
use zmtp_spec::SocketType;

use zmtp_spec::security::Authenticator;

use crate::error::{Error, Result};
use crate::inproc::Registry;
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

#[derive(Debug)]
pub(crate) struct ContextInner {
    pub(crate) handle: Handle,
    runtime: Mutex<Option<Runtime>>,
    pub(crate) inproc: Registry,
    /// The context-wide ZAP callback ([`Context::set_authenticator`]).
    authenticator: Mutex<Option<Arc<dyn Authenticator>>>,
}

impl Drop for ContextInner {
    fn drop(&mut self) {
        let rt = self
            .runtime
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(rt) = rt {
            // Dropping a runtime from async code panics; this never does.
            rt.shutdown_background();
        }
    }
}

impl Context {
    /// A context on the current tokio runtime, or on its own runtime when
    /// called outside one.
    ///
    /// # Errors
    /// [`Error::Io`] if a runtime cannot be started.
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
                    inner: Arc::new(ContextInner {
                        handle,
                        runtime: Mutex::new(Some(rt)),
                        inproc: Registry::default(),
                        authenticator: Mutex::new(None),
                    }),
                })
            }
        }
    }

    /// A context on the given runtime.
    pub fn with_handle(handle: Handle) -> Self {
        Self {
            inner: Arc::new(ContextInner {
                handle,
                runtime: Mutex::new(None),
                inproc: Registry::default(),
                authenticator: Mutex::new(None),
            }),
        }
    }

    /// A new socket of the given type: one of the 11 classic types, or
    /// CLIENT, SERVER, RADIO or DISH.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for the draft socket types this crate does
    /// not implement (SCATTER, GATHER, PEER, CHANNEL).
    pub fn socket(&self, socket_type: SocketType) -> Result<Socket> {
        Socket::new(self, socket_type)
    }

    /// Installs the ZAP authenticator (RFC 27) of every PLAIN or CURVE
    /// server socket of this context, and of NULL sockets with a
    /// ZAP_DOMAIN; `None` removes it. A socket's own authenticator
    /// ([`Socket::set_authenticator`]) comes first; without either, a
    /// REP or ROUTER handler bound at `inproc://zeromq.zap.01` in this
    /// context is asked, as in libzmq. Applies to handshakes that start
    /// after the call.
    pub fn set_authenticator(&self, authenticator: Option<Arc<dyn Authenticator>>) {
        *self
            .inner
            .authenticator
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = authenticator;
    }

    /// The runtime handle the sockets' tasks run on.
    pub fn handle(&self) -> &Handle {
        &self.inner.handle
    }
}

impl ContextInner {
    /// The context-wide ZAP callback.
    pub(crate) fn authenticator(&self) -> Option<Arc<dyn Authenticator>> {
        self.authenticator
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Runs a future to completion from a plain thread.
pub(crate) fn block_on<F: Future>(handle: &Handle, f: F) -> Result<F::Output> {
    if Handle::try_current().is_ok() {
        return Err(Error::InvalidState(
            "blocking call from async code: use the async method",
        ));
    }
    Ok(handle.block_on(f))
}
