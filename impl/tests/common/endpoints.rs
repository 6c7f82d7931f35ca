//! Endpoints the integration tests bind to.

/// A bind endpoint on a port or path the system picks: loopback tcp, or
/// an ipc path, for the transport named.
pub(crate) fn wildcard(transport: &str) -> &'static str {
    if transport == "tcp" {
        "tcp://127.0.0.1:*"
    } else {
        "ipc://*"
    }
}
