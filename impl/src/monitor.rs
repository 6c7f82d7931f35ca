//! Socket monitor events (libzmq's zmq_socket_monitor), as a stream of
//! typed values.

use core::time::Duration;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc;
use zmtp_spec::connection::ConnectionError;
pub use zmtp_spec::wire::Metadata;

use crate::error::Error;

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MonitorEventKind {
    /// A connect succeeded at the transport level (ZMQ_EVENT_CONNECTED).
    Connected,
    /// A connect is in progress (ZMQ_EVENT_CONNECT_DELAYED).
    ConnectDelayed,
    /// A connect failed or a connection ended; the next attempt is after
    /// this delay (ZMQ_EVENT_CONNECT_RETRIED).
    ConnectRetried(Duration),
    /// A bind succeeded (ZMQ_EVENT_LISTENING).
    Listening,
    /// A bind failed (ZMQ_EVENT_BIND_FAILED).
    BindFailed(String),
    /// A connection was accepted (ZMQ_EVENT_ACCEPTED).
    Accepted,
    /// Accepting failed (ZMQ_EVENT_ACCEPT_FAILED).
    AcceptFailed(String),
    /// A listener was closed (ZMQ_EVENT_CLOSED).
    Closed,
    /// A connection ended after its handshake (ZMQ_EVENT_DISCONNECTED).
    Disconnected,
    /// The ZMTP handshake succeeded (ZMQ_EVENT_HANDSHAKE_SUCCEEDED).
    HandshakeSucceeded,
    /// The handshake failed for a reason other than the protocol or
    /// authentication, e.g. the transport closed
    /// (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL).
    HandshakeFailedNoDetail(String),
    /// The peer broke the protocol during the handshake, or is
    /// incompatible (ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL).
    HandshakeFailedProtocol(String),
    /// Authentication failed (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH): the ZAP
    /// status code, `"300"`, `"400"` or `"500"`, of our authenticator's
    /// refusal or of the peer's ERROR (RFC 27).
    HandshakeFailedAuth(String),
    /// The monitor stopped: the socket is closed
    /// (ZMQ_EVENT_MONITOR_STOPPED).
    MonitorStopped,
}

/// One monitor event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitorEvent {
    /// What happened.
    pub kind: MonitorEventKind,
    /// The local endpoint it concerns (as bound or connected, wildcards
    /// resolved).
    pub endpoint: String,
    /// The peer's address, when there is a connection (`tcp://ip:port`).
    pub peer_address: Option<String>,
    /// Why the connection ended, when the protocol says: the peer's fault,
    /// a timeout, or an ERROR it sent.
    pub error: Option<ConnectionError>,
    /// With [`MonitorEventKind::HandshakeSucceeded`] over tcp or ipc: the
    /// peer's properties, i.e. its READY metadata (`Socket-Type`,
    /// `Identity`, ...) followed by what the ZAP handler's reply added:
    /// its metadata and the user id as `User-Id` (RFC 27). Read them with
    /// [`Metadata::get`], e.g. `properties.get("User-Id")`.
    pub properties: Option<Metadata>,
}

impl MonitorEvent {
    /// Why the connection ended ([`MonitorEvent::error`]) as this crate's
    /// [`Error`], split by who is at fault: [`Error::Peer`] with what the
    /// peer did (it broke the protocol, sent ERROR with its reason, or went
    /// silent), or [`Error::Local`] when our side could not go on. `None`
    /// when the event has no such error.
    pub fn to_error(&self) -> Option<Error> {
        self.error.as_ref().and_then(Error::from_connection)
    }
}

/// The events of one socket, from [`crate::Socket::monitor`]. It is a
/// [`futures_core::Stream`]; [`Monitor::next`] is the async shorthand.
#[derive(Debug)]
pub struct Monitor {
    pub(crate) rx: mpsc::UnboundedReceiver<MonitorEvent>,
}

impl Monitor {
    /// The next event; `None` once the socket is gone.
    pub async fn next(&mut self) -> Option<MonitorEvent> {
        self.rx.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_next(&mut self) -> Option<MonitorEvent> {
        self.rx.try_recv().ok()
    }
}

impl futures_core::Stream for Monitor {
    type Item = MonitorEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<MonitorEvent>> {
        self.rx.poll_recv(cx)
    }
}

/// The senders of a socket's monitors.
#[derive(Debug, Default)]
pub(crate) struct Monitors {
    txs: Vec<mpsc::UnboundedSender<MonitorEvent>>,
}

impl Monitors {
    pub(crate) fn add(&mut self) -> Monitor {
        let (tx, rx) = mpsc::unbounded_channel();
        self.txs.push(tx);
        Monitor { rx }
    }

    pub(crate) fn emit(&mut self, kind: MonitorEventKind, endpoint: &str, peer: Option<&str>) {
        self.emit_error(kind, endpoint, peer, None);
    }

    /// HANDSHAKE_SUCCEEDED, with the peer's properties.
    pub(crate) fn emit_handshake(
        &mut self,
        endpoint: &str,
        peer: Option<&str>,
        properties: Metadata,
    ) {
        if self.txs.is_empty() {
            return;
        }
        let event = MonitorEvent {
            kind: MonitorEventKind::HandshakeSucceeded,
            endpoint: endpoint.to_owned(),
            peer_address: peer.map(str::to_owned),
            error: None,
            properties: Some(properties),
        };
        self.txs.retain(|tx| tx.send(event.clone()).is_ok());
    }

    pub(crate) fn emit_error(
        &mut self,
        kind: MonitorEventKind,
        endpoint: &str,
        peer: Option<&str>,
        error: Option<&ConnectionError>,
    ) {
        if self.txs.is_empty() {
            return;
        }
        let event = MonitorEvent {
            kind,
            endpoint: endpoint.to_owned(),
            peer_address: peer.map(str::to_owned),
            error: error.cloned(),
            properties: None,
        };
        self.txs.retain(|tx| tx.send(event.clone()).is_ok());
    }
}
