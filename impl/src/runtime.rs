//! What a context's sockets and their tasks share: the tokio runtime they
//! run on, the inproc name registry and the context-wide ZAP callback.
//! [`crate::Context`] is the public handle on it; sockets and tasks hold
//! it directly, so they need nothing of the context's API.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::runtime::{Handle, Runtime};
use zmtp_spec::security::Authenticator;

use crate::error::{Error, InvalidState, Result};
use crate::inproc::Registry;

/// The state behind a [`crate::Context`].
#[derive(Debug)]
pub(crate) struct ContextInner {
    pub(crate) handle: Handle,
    runtime: Mutex<Option<Runtime>>,
    pub(crate) inproc: Registry,
    /// The context-wide ZAP callback.
    authenticator: Mutex<Option<Arc<dyn Authenticator>>>,
}

impl ContextInner {
    /// On `handle`; `runtime` is the runtime the context owns, if it
    /// started one.
    pub(crate) fn new(handle: Handle, runtime: Option<Runtime>) -> Self {
        Self {
            handle,
            runtime: Mutex::new(runtime),
            inproc: Registry::default(),
            authenticator: Mutex::new(None),
        }
    }

    /// The context-wide ZAP callback.
    pub(crate) fn authenticator(&self) -> Option<Arc<dyn Authenticator>> {
        self.authenticator
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Installs (or, with `None`, removes) the context-wide ZAP callback.
    pub(crate) fn set_authenticator(&self, authenticator: Option<Arc<dyn Authenticator>>) {
        *self
            .authenticator
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = authenticator;
    }
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

/// Runs a future to completion from a plain thread.
///
/// # Errors
/// [`InvalidState::BlockingInAsync`] when called from async code.
pub(crate) fn block_on<F: Future>(handle: &Handle, f: F) -> Result<F::Output> {
    if Handle::try_current().is_ok() {
        return Err(Error::InvalidState(InvalidState::BlockingInAsync));
    }
    Ok(handle.block_on(f))
}
