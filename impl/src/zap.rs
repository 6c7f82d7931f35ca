//! Who answers a connection's ZAP request (RFC 27), in libzmq's order of
//! preference plus a typed callback:
//!
//! ```text
//!   Connection::poll_zap_request ──> route()
//!     1. the socket's Authenticator (Socket::set_authenticator)      ─┐
//!     2. the context's Authenticator (Context::set_authenticator)     ├─> reply now
//!     3. a REP/ROUTER bound at inproc://zeromq.zap.01 in the context ─┘   or later:
//!        (request sent as a DEALER: "" + frames; 27-R04, 27-R05)       oneshot reply
//!     4. no handler: spec's ZapRequest::reply_without_handler (libzmq's
//!        rule: PLAIN refuses; CURVE and NULL accept, unless
//!        ZAP_ENFORCE_DOMAIN)                                    ─> reply now
//!   ──> Connection::handle_zap_reply
//! ```
//!
//! The request's address frame is filled here with the peer's IP address
//! (27-R21); the mechanism machine does not know it.

use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;

use bytes::Bytes;
use tokio::sync::oneshot;
use zmtp_model::Outgoing;
use zmtp_spec::security::zap::{ENDPOINT, StatusCode, ZapReply, ZapRequest};
use zmtp_spec::{Message, SocketType};

use crate::inproc::InprocLink;
use crate::link::{Input, Link};
use crate::runtime::ContextInner;
use crate::socket::core::Shared;

/// The inproc name a ZAP handler binds.
pub(crate) fn handler_name() -> &'static str {
    ENDPOINT.trim_start_matches("inproc://")
}

/// What answers a request.
#[derive(Debug)]
pub(crate) enum Route {
    /// The reply, at once.
    Reply(ZapReply),
    /// The inproc handler has the request; its reply (or `None` when it
    /// went away or answered nonsense) comes here.
    Pending(oneshot::Receiver<Option<ZapReply>>),
}

/// Finds who answers `request` and asks it. `address` is the peer's
/// address as the monitor shows it (`tcp://1.2.3.4:5678`).
pub(crate) fn route(shared: &Shared, mut request: ZapRequest, address: Option<&str>) -> Route {
    request.address = address.map(ip_of).unwrap_or_default();
    let (socket_auth, enforce) = {
        let core = shared.lock();
        (
            core.authenticator.clone(),
            core.options.security.zap_enforce_domain,
        )
    };
    if let Some(auth) = socket_auth.or_else(|| shared.ctx.authenticator()) {
        return Route::Reply(auth.authenticate(&request));
    }
    if shared.ctx.inproc.is_bound(handler_name()) {
        let (tx, rx) = oneshot::channel();
        let ctx = Arc::clone(&shared.ctx);
        shared.ctx.handle.spawn(async move {
            let mut tx = tx;
            tokio::select! {
                reply = ask_handler(&ctx, &request) => { let _ = tx.send(reply); }
                () = tx.closed() => {}
            }
        });
        return Route::Pending(rx);
    }
    Route::Reply(request.reply_without_handler(enforce))
}

/// The reply used when the inproc handler went away or answered with a
/// malformed reply: status 500 (libzmq fails the handshake too).
pub(crate) fn failed(request_id: &Bytes) -> ZapReply {
    ZapReply::refusal(
        request_id.clone(),
        StatusCode::InternalError,
        "ZAP handler failed",
    )
}

/// `tcp://1.2.3.4:5678` -> `1.2.3.4`, `tcp://[::1]:5678` -> `::1`
/// (27-R21); other transports give an empty address.
fn ip_of(address: &str) -> Bytes {
    let Some(host_port) = address.strip_prefix("tcp://") else {
        return Bytes::new();
    };
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Bytes::copy_from_slice(host.as_bytes())
}

/// Sends `request` to the inproc handler as a DEALER (an empty delimiter,
/// then the frames: 27-R42) and waits for its reply.
async fn ask_handler(ctx: &ContextInner, request: &ZapRequest) -> Option<ZapReply> {
    let end = ctx.inproc.connect(handler_name());
    let mut link = InprocLink::new(end, SocketType::Dealer, Bytes::new());
    let frames = std::iter::once(Bytes::new()).chain(request.frames());
    link.send(Outgoing::Message(Message::from_frames(frames)));
    poll_fn(|cx| {
        loop {
            if let Poll::Ready(Err(_)) = link.poll_write(cx) {
                return Poll::Ready(None);
            }
            while let Some(input) = link.poll_event() {
                match input {
                    Input::Item(Outgoing::Message(m)) => {
                        return Poll::Ready(ZapReply::parse(m.frames()).ok());
                    }
                    Input::Closed | Input::Failed(_) => return Poll::Ready(None),
                    _ => {}
                }
            }
            match link.poll_read(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests;
