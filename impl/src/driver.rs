//! The per-connection driver: one task that runs a [`Link`] and moves
//! items between it and the socket's pattern machine, like quinn's
//! `ConnectionDriver`. It makes no protocol or routing decision.
//!
//! Each wake-up: run the timers, read a batch (up to 512 KiB) through the
//! protocol, then under one lock deliver every event to the machine and
//! pull this peer's queue until the write buffer is full, then write
//! everything in one vectored write.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use zmtp_model::{Outgoing, PeerId, PeerInfo};
use zmtp_spec::Message;
use zmtp_spec::connection::{ConnectionError, PeerError};
use zmtp_spec::security::{SecurityError, ZapReply};

use crate::link::{Input, Link};
use crate::monitor::MonitorEventKind;
use crate::socket::core::{Order, Shared};

/// How a connection ended.
#[derive(Debug)]
pub(crate) enum End {
    /// The transport failed or the peer closed it.
    Io(#[allow(dead_code)] io::Error),
    /// The protocol failed (peer fault, timeout, ERROR received).
    Protocol(ConnectionError),
    /// The machine refused the peer at attach (incompatible type, PAIR
    /// busy, duplicate routing id).
    Refused,
    /// We closed it: socket closed, disconnect, handover, linger over.
    Local,
}

/// The outcome of a driver.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Whether the handshake succeeded at some point.
    pub(crate) handshaken: bool,
    pub(crate) end: End,
}

impl Outcome {
    /// Whether reconnecting makes sense: spec's rule
    /// ([`ConnectionError::permits_reconnect`], 37-R17/R18) for a protocol
    /// end; any other end is temporary.
    pub(crate) fn may_reconnect(&self) -> bool {
        match &self.end {
            End::Protocol(e) => e.permits_reconnect(self.handshaken),
            _ => true,
        }
    }
}

/// Drives one connection.
pub(crate) struct Driver<L> {
    shared: Arc<Shared>,
    id: PeerId,
    link: L,
    /// The peer was attached before its handshake (a connect endpoint
    /// without IMMEDIATE): its handshake re-attaches it.
    handshaken: bool,
    /// Messages taken from the link as one run and not yet taken by the
    /// machine: the first was refused at RCVHWM, and the run is offered
    /// again on resume (reading stops while it is not empty).
    held: VecDeque<Message>,
    /// The CONNECT_ROUTING_ID alias for this connection.
    alias: Option<bytes::Bytes>,
    endpoint: String,
    peer_address: Option<String>,
    /// The connection is a connect endpoint's, which connects again when
    /// it ends (unless the outcome or a closing socket rules it out): the
    /// machine then decides whether the peer waits for it.
    connect_side: bool,
    end: Option<End>,
    /// A ZAP request out at the inproc handler: its request-id and the
    /// reply to come.
    zap: Option<(
        bytes::Bytes,
        tokio::sync::oneshot::Receiver<Option<ZapReply>>,
    )>,
    finished: bool,
}

impl<L> Drop for Driver<L> {
    fn drop(&mut self) {
        if !self.finished {
            // Aborted (runtime shutdown).
            let shared = Arc::clone(&self.shared);
            shared.lock().connection_lost(self.id, self.connect_side);
        }
    }
}

impl<L: Link> Driver<L> {
    pub(crate) fn new(
        shared: Arc<Shared>,
        id: PeerId,
        link: L,
        endpoint: String,
        peer_address: Option<String>,
        connect_side: bool,
        alias: Option<bytes::Bytes>,
    ) -> Self {
        Self {
            shared,
            id,
            link,
            handshaken: false,
            held: VecDeque::new(),
            alias,
            endpoint,
            peer_address,
            connect_side,
            end: None,
            zap: None,
            finished: false,
        }
    }

    /// The peer was attached without a handshake (a udp endpoint's).
    #[must_use]
    pub(crate) fn attached(mut self) -> Self {
        self.handshaken = true;
        self
    }

    fn emit(&self, core: &mut crate::socket::core::Core, kind: MonitorEventKind) {
        core.monitors
            .emit(kind, &self.endpoint, self.peer_address.as_deref());
    }

    /// Offers the held run to the machine; whether it took any.
    fn offer_held(&mut self, core: &mut crate::socket::core::Core) -> bool {
        let before = self.held.len();
        core.pattern.peer_messages(self.id, &mut self.held);
        self.held.len() < before
    }

    /// Delivers events to the machine and pulls output; one lock.
    fn exchange(&mut self, cx: &mut Context<'_>) -> bool {
        let shared = Arc::clone(&self.shared);
        let mut core = shared.lock();
        let mut delivered = false;
        let mut pulled = false;
        let Some(slot) = core.slots.get_mut(&self.id) else {
            self.end.get_or_insert(End::Local);
            self.link.close(None);
            return false;
        };
        let order = std::mem::take(&mut slot.order);
        if order == Order::Close {
            self.link.close(None);
            self.end.get_or_insert(End::Local);
        }
        // Offered again on every exchange, a resume among them.
        if !self.held.is_empty() {
            delivered |= self.offer_held(&mut core);
        }
        while self.held.is_empty() && self.end.is_none() {
            // The messages ahead of the next other event, as one run.
            if self.link.poll_messages(&mut self.held) > 0 {
                delivered |= self.offer_held(&mut core);
                continue;
            }
            let Some(event) = self.link.poll_event() else {
                break;
            };
            match event {
                Input::Item(item) => {
                    // JOIN and LEAVE change what RADIO sends, never what
                    // the application may read.
                    let readable = !matches!(item, Outgoing::Join(_) | Outgoing::Leave(_));
                    match core.pattern.peer_item(self.id, item) {
                        Ok(()) => delivered |= readable,
                        Err(m) => self.held.push_back(m),
                    }
                }
                Input::Handshake(info, properties) => {
                    self.on_handshake(&mut core, info, properties);
                }
                Input::Closed => {
                    self.end.get_or_insert(End::Local);
                }
                Input::Failed(e) => {
                    let kind = if self.handshaken {
                        MonitorEventKind::Disconnected
                    } else {
                        handshake_failure(&e)
                    };
                    core.monitors.emit_error(
                        kind,
                        &self.endpoint,
                        self.peer_address.as_deref(),
                        Some(&e),
                    );
                    self.end.get_or_insert(End::Protocol(e));
                }
            }
        }
        if core.is_active(self.id) && self.end.is_none() {
            while self.link.wants_more() {
                match core.pattern.poll_transmit(self.id) {
                    Some(item) => {
                        self.link.send(item);
                        pulled = true;
                    }
                    None => break,
                }
            }
        }
        if core.closing
            && self.end.is_none()
            && !self.link.has_output()
            && !pulled
            && core.pattern.queued_items_out(self.id) == 0
        {
            // LINGER: everything for this peer is out.
            self.link.close(None);
            self.end = Some(End::Local);
        }
        if let Some(slot) = core.slots.get_mut(&self.id) {
            // Register before unlocking: a send after this wakes us.
            slot.waker = Some(cx.waker().clone());
        }
        core.dispatch();
        drop(core);
        if delivered {
            shared.readable.notify_waiters();
        }
        if pulled {
            shared.writable.notify_waiters();
        }
        delivered || pulled
    }

    /// Passes a ZAP request to whoever answers it (`crate::zap`), and a
    /// reply that came back to the connection. Returns whether a reply
    /// was handled.
    fn poll_zap(&mut self, cx: &mut Context<'_>) -> bool {
        if let Some(request) = self.link.poll_zap_request() {
            let id = request.request_id.clone();
            match crate::zap::route(&self.shared, request, self.peer_address.as_deref()) {
                crate::zap::Route::Reply(reply) => {
                    self.link.handle_zap_reply(reply);
                    return true;
                }
                crate::zap::Route::Pending(rx) => self.zap = Some((id, rx)),
            }
        }
        let Some((id, rx)) = &mut self.zap else {
            return false;
        };
        let Poll::Ready(reply) = Pin::new(rx).poll(cx) else {
            return false;
        };
        let reply = reply
            .ok()
            .flatten()
            .unwrap_or_else(|| crate::zap::failed(id));
        self.zap = None;
        self.link.handle_zap_reply(reply);
        true
    }

    fn on_handshake(
        &mut self,
        core: &mut crate::socket::core::Core,
        mut info: PeerInfo,
        properties: zmtp_spec::wire::Metadata,
    ) {
        info.alias = self.alias.take();
        let result = core.pattern.attach(self.id, info);
        match result {
            Ok(()) => {
                self.handshaken = true;
                core.monitors.emit_handshake(
                    &self.endpoint,
                    self.peer_address.as_deref(),
                    properties,
                );
                // What the attach queued (subscriptions, a probe) wakes
                // the drivers it concerns; the exchange pulls this one's.
                core.dispatch();
                self.shared.writable.notify_waiters();
                // STREAM's connect notification is readable at once.
                if core.pattern.can_recv() {
                    self.shared.readable.notify_waiters();
                }
            }
            Err(e) => {
                core.monitors.emit_error(
                    MonitorEventKind::HandshakeFailedProtocol(e.to_string()),
                    &self.endpoint,
                    self.peer_address.as_deref(),
                    e.peer_error().map(ConnectionError::Peer).as_ref(),
                );
                self.link.close(Some(e.error_reason()));
                self.end = Some(End::Refused);
            }
        }
    }

    /// The connection is over: the peer departs at once (it leaves every
    /// send path and its socket closes when the driver is dropped), or is
    /// suspended for the next connection of a connect endpoint. What it
    /// delivered stays readable ([`zmtp_model::Socket::depart`]).
    fn finish(&mut self) -> Outcome {
        let end = self.end.take().unwrap_or(End::Local);
        let shared = Arc::clone(&self.shared);
        let mut core = shared.lock();
        if self.handshaken && !matches!(end, End::Protocol(_)) {
            self.emit(&mut core, MonitorEventKind::Disconnected);
        } else if !self.handshaken && matches!(end, End::Io(_)) {
            self.emit(
                &mut core,
                MonitorEventKind::HandshakeFailedNoDetail("connection closed".to_owned()),
            );
        }
        let outcome = Outcome {
            handshaken: self.handshaken,
            end,
        };
        core.connection_lost(self.id, self.connect_side && outcome.may_reconnect());
        self.finished = true;
        drop(core);
        shared.readable.notify_waiters();
        shared.writable.notify_waiters();
        outcome
    }
}

/// The monitor event for a handshake that failed: AUTH with the ZAP status
/// code when the authenticator refused the peer, or when the peer refused
/// us with a ZAP status in its ERROR (libzmq reports both so); PROTOCOL for
/// any other fault of the peer (a mechanism error, a downgrade attempt:
/// 37-R61); NO_DETAIL otherwise.
fn handshake_failure(e: &ConnectionError) -> MonitorEventKind {
    match e {
        ConnectionError::Peer(PeerError::Security(SecurityError::Refused { status, .. })) => {
            MonitorEventKind::HandshakeFailedAuth(status.as_str().to_owned())
        }
        ConnectionError::ErrorReceived(reason)
            if zmtp_spec::security::StatusCode::from_wire(reason).is_some() =>
        {
            MonitorEventKind::HandshakeFailedAuth(String::from_utf8_lossy(reason).into_owned())
        }
        ConnectionError::Peer(_) | ConnectionError::ErrorReceived(_) => {
            MonitorEventKind::HandshakeFailedProtocol(e.to_string())
        }
        _ => MonitorEventKind::HandshakeFailedNoDetail(e.to_string()),
    }
}

impl<L: Link> Future for Driver<L> {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let this = &mut *self;
        for _ in 0..64 {
            let mut progress = false;
            this.link.poll_timer(cx);
            if this.held.is_empty() && this.end.is_none() && !this.link.is_closed() {
                match this.link.poll_read(cx) {
                    Poll::Ready(Ok(())) => progress = true,
                    Poll::Ready(Err(e)) => {
                        this.end.get_or_insert(End::Io(e));
                    }
                    Poll::Pending => {}
                }
            }
            progress |= this.poll_zap(cx);
            progress |= this.exchange(cx);
            let was_full = !this.link.wants_more();
            match this.link.poll_write(cx) {
                // Room again: pull more from the queue. (Not when the link
                // still refuses more, e.g. a full inproc pipe: that would
                // spin; the reader wakes us when it makes room.)
                Poll::Ready(Ok(())) => progress |= was_full && this.link.wants_more(),
                Poll::Ready(Err(e)) => {
                    this.end.get_or_insert(End::Io(e));
                    return Poll::Ready(this.finish());
                }
                Poll::Pending => {}
            }
            if this.end.is_some() || this.link.is_closed() {
                if !this.link.has_output()
                    || this.end.as_ref().is_some_and(|e| matches!(e, End::Io(_)))
                {
                    return Poll::Ready(this.finish());
                }
                // Flush what is left (an ERROR command, say), then end.
                if this.end.is_none() {
                    this.end = Some(End::Local);
                }
                return Poll::Pending;
            }
            if !progress {
                return Poll::Pending;
            }
        }
        // Fairness: let other tasks run.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests;
