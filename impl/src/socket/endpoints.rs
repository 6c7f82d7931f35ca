//! bind, connect, unbind, disconnect, and the tasks behind them: accept
//! loops, connect loops with RECONNECT_IVL/RECONNECT_IVL_MAX backoff, and
//! close with LINGER.

use std::sync::Arc;
use std::time::Instant;

use rand_core::OsRng;
use tokio::sync::watch;
use zmtp_model::PeerId;
use zmtp_spec::connection::{Config, Connection, Heartbeat, Side};
use zmtp_spec::security::curve::cookie::ROTATION_PERIOD;

use super::Socket;
use super::core::{Bound, Connected, Order, Shared, SharedListener};
use crate::driver::{Driver, Outcome};
use crate::endpoint::{Endpoint, UdpEndpoint};
use crate::error::{Error, InvalidState, Result};
use crate::inproc::{InprocLink, PipeEnd};
use crate::link::{RawLink, StreamLink};
use crate::monitor::MonitorEventKind;
use crate::options::Options;
use crate::options::security::SharedCookieJar;
use crate::transport::norm::NormLink;
use crate::transport::pgm::PgmLink;
use crate::transport::udp::{self, UdpLink};
use crate::transport::{self, Accepted, Listener, Stream};

/// The connection configuration the options ask for, with the socket's
/// security mechanism and a CURVE server's cookie jar (built once per
/// change of the options, so that the jar serves every connection).
///
/// # Errors
/// [`Error::InvalidOption`] when the security options cannot build a
/// mechanism (CURVE without its keys).
pub(crate) fn config(options: &mut Options) -> Result<(Config, Option<SharedCookieJar>)> {
    let built = options.security.mechanism()?;
    let mut c = Config::new(options.socket_type);
    c.mechanism = built.mechanism;
    c.routing_id = options.routing_id.clone();
    c.heartbeat = Heartbeat {
        interval: options.heartbeat_ivl,
        ttl: options.heartbeat_ttl,
        timeout: options.heartbeat_timeout,
    };
    c.handshake_timeout = options.handshake_ivl;
    c.max_message_size = options.maxmsgsize;
    Ok((c, built.cookies))
}

/// The message property naming the peer's address, as libzmq calls it.
pub(crate) const PEER_ADDRESS: &str = "Peer-Address";

/// The `Peer-Address` every message received on this stream carries
/// (27-R25's neighbour: what libzmq 4.3.5's `zmq_msg_gets` shows). Over
/// tcp it is the peer's IP address without the port (`127.0.0.1`, `::1`);
/// over ipc, `localhost:uid:gid:pid` of the peer process from
/// `SO_PEERCRED`, as libzmq builds it on Linux. `None` when the system
/// does not say.
fn peer_address_property(stream: &Stream) -> Option<String> {
    match stream {
        Stream::Tcp(s) => s.peer_addr().ok().map(|a| a.ip().to_string()),
        Stream::Ws(w) => Some(w.peer.ip().to_string()),
        Stream::Unix(s) => s.peer_cred().ok().map(|c| {
            format!(
                "localhost:{}:{}:{}",
                c.uid(),
                c.gid(),
                c.pid().unwrap_or_default()
            )
        }),
    }
}

/// Drives the socket's cookie-key rotation (26-R27) once a CURVE server
/// mechanism is in use: ticks ten times per [`ROTATION_PERIOD`] and gives
/// the cookie jar the time and the operating system's generator; the jar
/// decides (spec reads no clock and draws nothing itself), so a key is
/// current for one period and at most a tenth more.
/// The first tick, at once, starts its clock. The task ends with the
/// socket.
fn start_rotation(shared: &Arc<Shared>) {
    {
        let mut core = shared.lock();
        if core.rotating {
            return;
        }
        core.rotating = true;
    }
    let weak = Arc::downgrade(shared);
    shared.ctx.handle.spawn(async move {
        let mut ticks = tokio::time::interval(ROTATION_PERIOD / 10);
        loop {
            ticks.tick().await;
            let Some(shared) = weak.upgrade() else { return };
            let cookies = {
                let mut core = shared.lock();
                if core.closing {
                    return;
                }
                core.options
                    .security
                    .mechanism()
                    .ok()
                    .and_then(|b| b.cookies)
            };
            if let Some(cookies) = cookies {
                cookies
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .rotate_if_due(Instant::now(), &mut OsRng);
            }
        }
    });
}

impl Socket {
    /// Binds to an endpoint (`tcp://127.0.0.1:*`, `ipc:///tmp/x`,
    /// `ipc://@name`, `inproc://name`). Several endpoints may be bound.
    ///
    /// # Errors
    /// [`Error::InvalidEndpoint`] naming a malformed endpoint,
    /// [`Error::InvalidOption`] when the security options are incomplete
    /// (CURVE without its keys), [`Error::AddressInUse`] naming the
    /// endpoint when it is taken (a tcp address or an abstract ipc name in
    /// use, an inproc name already bound), [`Error::Io`] when the system
    /// refuses otherwise, [`Error::UnsupportedTransport`] for inproc on a
    /// STREAM socket.
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        let ep = Endpoint::parse(endpoint)?;
        if let Endpoint::Pgm(_) | Endpoint::Norm(_) = ep {
            // As in libzmq, binding a multicast endpoint is connecting it.
            return self.connect(endpoint);
        }
        self.check_raw_transport(&ep, endpoint)?;
        let shared = &self.shared;
        if let Endpoint::Udp(u) = &ep {
            return bind_udp(shared, endpoint, u);
        }
        shared.lock().options.security.mechanism()?;
        if let Endpoint::Inproc(name) = &ep {
            let mut rx = shared.ctx.inproc.bind(name)?;
            let s = Arc::clone(shared);
            let ep_text = endpoint.to_owned();
            let task = shared.ctx.handle.spawn(async move {
                while let Some(inc) = rx.recv().await {
                    start_inproc(&s, inc.end, ep_text.clone(), false, None);
                }
            });
            let mut core = shared.lock();
            core.bound.push(Bound {
                given: endpoint.to_owned(),
                resolved: endpoint.to_owned(),
                task: Some(task.abort_handle()),
                listener: None,
            });
            endpoint.clone_into(&mut core.options.last_endpoint);
            core.monitors
                .emit(MonitorEventKind::Listening, endpoint, None);
            return Ok(());
        }
        let options = shared.lock().options.clone();
        let bound = {
            let _guard = shared.ctx.handle.enter();
            Listener::bind(&ep, &options)
        };
        let (listener, resolved) = match bound.map_err(|e| e.in_use_at(endpoint)) {
            Ok(b) => b,
            Err(e) => {
                shared.lock().monitors.emit(
                    MonitorEventKind::BindFailed(e.to_string()),
                    endpoint,
                    None,
                );
                return Err(e);
            }
        };
        let resolved = resolved.to_string();
        let s = Arc::clone(shared);
        let r = resolved.clone();
        let listener: SharedListener = Arc::new(std::sync::Mutex::new(Some(listener)));
        let l = Arc::clone(&listener);
        let task = shared
            .ctx
            .handle
            .spawn(async move { accept_loop(s, l, r).await });
        let mut core = shared.lock();
        core.bound.push(Bound {
            given: endpoint.to_owned(),
            resolved: resolved.clone(),
            task: Some(task.abort_handle()),
            listener: Some(listener),
        });
        core.monitors
            .emit(MonitorEventKind::Listening, &resolved, None);
        core.options.last_endpoint = resolved;
        Ok(())
    }

    /// Stops listening on an endpoint, given as bound or as resolved by
    /// [`Socket::last_endpoint`]. An ipc socket file is removed. The
    /// port is free again when this returns.
    ///
    /// # Errors
    /// [`Error::EndpointNotFound`] if the socket has no such endpoint.
    pub fn unbind(&self, endpoint: &str) -> Result<()> {
        let bound = {
            let mut core = self.shared.lock();
            let Some(i) = core
                .bound
                .iter()
                .position(|b| b.given == endpoint || b.resolved == endpoint)
            else {
                return Err(Error::EndpointNotFound(endpoint.to_owned()));
            };
            let b = core.bound.remove(i);
            core.monitors
                .emit(MonitorEventKind::Closed, &b.resolved, None);
            b
        };
        if let Ok(Endpoint::Inproc(name)) = Endpoint::parse(&bound.given) {
            self.shared.ctx.inproc.unbind(&name);
        }
        bound.close();
        Ok(())
    }

    /// Connects to an endpoint, asynchronously (37-R40): the call returns
    /// at once and the connection is made (and remade after a loss, 37-R18,
    /// after RECONNECT_IVL) in the background. Without IMMEDIATE, messages queue for the peer
    /// meanwhile, up to SNDHWM. Connect before bind works.
    ///
    /// # Errors
    /// [`Error::InvalidEndpoint`] naming a malformed endpoint,
    /// [`Error::InvalidOption`] when the security options are incomplete
    /// (CURVE without its keys), [`Error::UnsupportedTransport`] for
    /// inproc on a STREAM socket.
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        self.start_connect(endpoint).map(|_| ())
    }

    /// PEER (RFC 51): connects to an endpoint as [`Socket::connect`] does
    /// and returns the routing id of the new peer at once (51-R09, libzmq
    /// `zmq_connect_peer`): messages sent to it with
    /// [`Socket::send_to`] queue until the connection is up, and the id
    /// stays while the connection is remade.
    ///
    /// # Errors
    /// [`Error::InvalidState`] on a socket type other than PEER, or with
    /// IMMEDIATE on (the peer would have no queue to name); as
    /// [`Socket::connect`].
    pub fn connect_peer(&self, endpoint: &str) -> Result<u32> {
        self.check_type(zmtp_spec::SocketType::Peer, "connect_peer")?;
        if self.shared.lock().pattern.options().immediate {
            return Err(Error::InvalidState(InvalidState::ConnectPeerImmediate));
        }
        let id = self.start_connect(endpoint)?;
        id.ok_or(Error::InvalidState(InvalidState::ConnectPeerImmediate))
    }

    /// Starts a connect; the routing id the machine gave its peer, if it
    /// gave one (PEER, with IMMEDIATE off), read under the same lock as
    /// the peer was created.
    fn start_connect(&self, endpoint: &str) -> Result<Option<u32>> {
        let ep = Endpoint::parse(endpoint)?;
        self.check_raw_transport(&ep, endpoint)?;
        transport::check_connectable(&ep, endpoint)?;
        let shared = &self.shared;
        if let Endpoint::Udp(u) = &ep {
            return connect_udp(shared, endpoint, u).map(|()| None);
        }
        shared.lock().options.security.mechanism()?;
        let multicast = if matches!(ep, Endpoint::Pgm(_) | Endpoint::Norm(_)) {
            let options = shared.lock().options.clone();
            let _guard = shared.ctx.handle.enter();
            Multicast::open(&ep, endpoint, shared.socket_type, &options)?
        } else {
            None
        };
        let (stop_tx, stop_rx) = watch::channel(false);
        let (peer, alias, routing_id) = {
            let mut core = shared.lock();
            let alias = core.pattern.take_connect_routing_id();
            // With IMMEDIATE off the endpoint's peer exists (and queues)
            // before its first connection and across reconnects; with it
            // on, each connection is a new peer.
            let peer = core
                .pattern
                .queues_before_connect()
                .then(|| core.connecting_peer());
            let routing_id = peer.and_then(|p| core.pattern.routing_id(p));
            endpoint.clone_into(&mut core.options.last_endpoint);
            core.connected.push(Connected {
                given: endpoint.to_owned(),
                stop: stop_tx,
                peer,
                live: None,
            });
            core.dispatch();
            (peer, alias, routing_id)
        };
        shared.writable.notify_waiters();
        if let Endpoint::Inproc(name) = &ep {
            let end = shared.ctx.inproc.connect(name);
            start_inproc(
                shared,
                end,
                endpoint.to_owned(),
                true,
                peer.map(|p| (p, alias)),
            );
            return Ok(routing_id);
        }
        if let Some(link) = multicast {
            // A multicast session has no connection to lose or remake:
            // disconnect closes it (Order::Close through its slot).
            drop(stop_rx);
            match link {
                Multicast::Pgm(l) => start_multicast(shared, l, endpoint, peer, alias),
                Multicast::Norm(l) => start_multicast(shared, l, endpoint, peer, alias),
            }
            return Ok(routing_id);
        }
        let s = Arc::clone(shared);
        let given = endpoint.to_owned();
        shared.ctx.handle.spawn(async move {
            connect_loop(s, ep, given, peer, alias, stop_rx).await;
        });
        Ok(routing_id)
    }

    /// STREAM carries raw octets over a byte stream: tcp and ipc, not
    /// inproc (as libzmq).
    fn check_raw_transport(&self, ep: &Endpoint, text: &str) -> Result<()> {
        if self.shared.socket_type.is_raw() && matches!(ep, Endpoint::Inproc(_)) {
            return Err(Error::UnsupportedTransport(text.to_owned()));
        }
        Ok(())
    }

    /// Stops connecting to an endpoint and closes its connection; the
    /// messages queued for it are dropped.
    ///
    /// # Errors
    /// [`Error::EndpointNotFound`] if the socket has no such connect.
    pub fn disconnect(&self, endpoint: &str) -> Result<()> {
        let mut core = self.shared.lock();
        let Some(i) = core.connected.iter().position(|c| c.given == endpoint) else {
            return Err(Error::EndpointNotFound(endpoint.to_owned()));
        };
        let c = core.connected.remove(i);
        let _ = c.stop.send(true);
        for id in c.live.into_iter().chain(c.peer) {
            if let Some(slot) = core.slots.get_mut(&id) {
                slot.tell(Order::Close);
            }
        }
        if let Some(p) = c.peer {
            // Nothing will reconnect it: drop its queue now, whatever its
            // connection is doing (its driver finds its slot gone and
            // closes).
            core.forget_peer(p);
        }
        Ok(())
    }
}

/// Binds a DISH to a udp endpoint (48-R36): one socket, one driver whose
/// peer is the datagram source (`Carrier::Datagram`: the DISH filters,
/// 48-R35). Unbind aborts the driver, which closes the socket.
fn bind_udp(shared: &Arc<Shared>, endpoint: &str, u: &UdpEndpoint) -> Result<()> {
    udp::check_role(shared.socket_type, true)?;
    let options = shared.lock().options.clone();
    let bound = {
        let _guard = shared.ctx.handle.enter();
        UdpLink::bind(endpoint, u, &options, Arc::clone(&shared.drops))
    };
    let (link, resolved) = match bound.map_err(|e| e.in_use_at(endpoint)) {
        Ok(b) => b,
        Err(e) => {
            shared.lock().monitors.emit(
                MonitorEventKind::BindFailed(e.to_string()),
                endpoint,
                None,
            );
            return Err(e);
        }
    };
    let resolved = resolved.to_string();
    let mut core = shared.lock();
    let id = attach_udp(&mut core, shared.socket_type);
    let driver = Driver::new(
        Arc::clone(shared),
        id,
        link,
        resolved.clone(),
        None,
        false,
        None,
    )
    .attached();
    let task = shared.ctx.handle.spawn(driver);
    core.bound.push(Bound {
        given: endpoint.to_owned(),
        resolved: resolved.clone(),
        task: Some(task.abort_handle()),
        listener: None,
    });
    core.monitors
        .emit(MonitorEventKind::Listening, &resolved, None);
    core.options.last_endpoint = resolved;
    Ok(())
}

/// Connects a RADIO to a udp endpoint (48-R36): the socket is made now,
/// its driver's peer takes every group (48-R35). There is no connection
/// to lose, so nothing reconnects; disconnect closes it.
fn connect_udp(shared: &Arc<Shared>, endpoint: &str, u: &UdpEndpoint) -> Result<()> {
    udp::check_role(shared.socket_type, false)?;
    let options = shared.lock().options.clone();
    let link = {
        let _guard = shared.ctx.handle.enter();
        UdpLink::connect(endpoint, u, &options, Arc::clone(&shared.drops))?
    };
    let (stop, _) = watch::channel(false);
    let mut core = shared.lock();
    let id = attach_udp(&mut core, shared.socket_type);
    endpoint.clone_into(&mut core.options.last_endpoint);
    core.connected.push(Connected {
        given: endpoint.to_owned(),
        stop,
        peer: None,
        live: Some(id),
    });
    let driver = Driver::new(
        Arc::clone(shared),
        id,
        link,
        endpoint.to_owned(),
        None,
        false,
        None,
    )
    .attached();
    shared.ctx.handle.spawn(driver);
    core.monitors
        .emit(MonitorEventKind::Connected, endpoint, None);
    Ok(())
}

/// A udp endpoint's peer, attached at once (there is no handshake): the
/// machine accepts RADIO for DISH and DISH for RADIO.
fn attach_udp(core: &mut super::core::Core, ours: zmtp_spec::SocketType) -> PeerId {
    let id = core.accepted_peer();
    // A fresh id of a compatible type: the machine cannot refuse it.
    let _ = core.pattern.attach(id, udp::peer_info(ours));
    core.dispatch();
    id
}

/// A listener that unbind can close at once (releasing the port and
/// removing the ipc file) while its accept task waits on it.
async fn accept_loop(shared: Arc<Shared>, listener: SharedListener, endpoint: String) {
    loop {
        let options = shared.lock().options.clone();
        let accepted = std::future::poll_fn(|cx| {
            let guard = listener
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match &*guard {
                Some(l) => l.poll_accept(cx, &options).map(Some),
                None => std::task::Poll::Ready(None),
            }
        })
        .await;
        let Some(accepted) = accepted else { return };
        match accepted {
            Ok(Accepted::Stream(stream)) => start_accepted(&shared, stream, &endpoint),
            Ok(Accepted::Ws(pending)) => {
                // The upgrade takes round trips (and TLS): a task of its
                // own, bounded by the handshake interval, so the next
                // connection is accepted meanwhile.
                let (task_shared, endpoint) = (Arc::clone(&shared), endpoint.clone());
                let task = async move {
                    match transport::ws::accept(pending, &options).await {
                        Ok(ws) => start_accepted(&task_shared, Stream::Ws(ws), &endpoint),
                        Err(e) => task_shared.lock().monitors.emit(
                            MonitorEventKind::AcceptFailed(e.to_string()),
                            &endpoint,
                            None,
                        ),
                    }
                };
                shared.ctx.handle.spawn(task);
            }
            Err(e) => {
                shared.lock().monitors.emit(
                    MonitorEventKind::AcceptFailed(e.to_string()),
                    &endpoint,
                    None,
                );
                tokio::time::sleep(core::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// Starts the driver of a connection a listener accepted.
fn start_accepted(shared: &Arc<Shared>, stream: Stream, endpoint: &str) {
    let addr = stream.peer_address();
    shared
        .lock()
        .monitors
        .emit(MonitorEventKind::Accepted, endpoint, Some(&addr));
    let id = shared.lock().accepted_peer();
    let driver = stream_driver(
        shared,
        stream,
        Side::Server,
        id,
        endpoint,
        Some(addr),
        false,
        None,
    );
    match driver {
        Some(d) => {
            shared.ctx.handle.spawn(d);
        }
        None => shared.lock().forget_peer(id),
    }
}

#[allow(clippy::too_many_arguments)]
fn stream_driver(
    shared: &Arc<Shared>,
    stream: Stream,
    side: Side,
    id: PeerId,
    endpoint: &str,
    addr: Option<String>,
    keep: bool,
    alias: Option<bytes::Bytes>,
) -> Option<BoxedDriver> {
    if shared.socket_type.is_raw() {
        // STREAM: raw octets, no ZMTP connection (zmtp_spec::SocketType::is_raw).
        return Some(Box::pin(Driver::new(
            Arc::clone(shared),
            id,
            RawLink::new(stream),
            endpoint.to_owned(),
            addr,
            keep,
            alias,
        )));
    }
    // bind and connect checked that the mechanism builds; the only other
    // refusal is an invalid routing id, which the option check already
    // rules out. A refused connection is dropped.
    let (mut cfg, cookies) = config(&mut shared.lock().options).ok()?;
    if let Some(address) = peer_address_property(&stream) {
        cfg.message_properties.push(PEER_ADDRESS, address);
    }
    // Over ws and wss, the subprotocol the upgrade settled (RFC 45).
    cfg.zws = stream.zws();
    if cookies.is_some() {
        start_rotation(shared);
    }
    // The connection's randomness (CURVE keys and nonces): the OS's.
    let conn = Connection::new(cfg, side, Instant::now(), OsRng).ok()?;
    Some(Box::pin(Driver::new(
        Arc::clone(shared),
        id,
        StreamLink::new(conn, stream).with_cookie_jar(cookies),
        endpoint.to_owned(),
        addr,
        keep,
        alias,
    )))
}

/// A connection's driver, ZMTP or raw.
type BoxedDriver = std::pin::Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// A multicast session's link: one per transport, as the driver is
/// generic over its link.
enum Multicast {
    Pgm(PgmLink),
    Norm(NormLink),
}

impl Multicast {
    /// The session of a pgm, epgm or norm endpoint (`None` for others).
    /// Must run inside the runtime.
    fn open(
        ep: &Endpoint,
        text: &str,
        socket_type: zmtp_spec::SocketType,
        options: &Options,
    ) -> Result<Option<Self>> {
        Ok(match ep {
            Endpoint::Pgm(p) => Some(Self::Pgm(PgmLink::open(p, text, socket_type, options)?)),
            Endpoint::Norm(n) => Some(Self::Norm(NormLink::open(n, text, socket_type, options)?)),
            _ => None,
        })
    }
}

/// Starts the driver of a multicast session (pgm, epgm, norm): the
/// endpoint's peer (IMMEDIATE off) or a new one, up at once.
fn start_multicast<L: crate::link::Link + Send + 'static>(
    shared: &Arc<Shared>,
    link: L,
    endpoint: &str,
    peer: Option<PeerId>,
    alias: Option<bytes::Bytes>,
) {
    let id = {
        let mut core = shared.lock();
        let id = peer.unwrap_or_else(|| core.connecting_peer());
        core.pattern.connection_up(id);
        if let Some(c) = core.connected.iter_mut().find(|c| c.given == endpoint) {
            c.live = Some(id);
        }
        id
    };
    let driver = Driver::new(
        Arc::clone(shared),
        id,
        link,
        endpoint.to_owned(),
        None,
        true,
        alias,
    );
    shared.ctx.handle.spawn(driver);
}

/// Starts the driver of an inproc connection: a bound endpoint's accepted
/// one (`connect_side` false), or a connect endpoint's, with the peer it
/// keeps (IMMEDIATE off) or a new one.
fn start_inproc(
    shared: &Arc<Shared>,
    end: PipeEnd,
    endpoint: String,
    connect_side: bool,
    peer: Option<(PeerId, Option<bytes::Bytes>)>,
) {
    let (id, alias, routing_id) = {
        let mut core = shared.lock();
        let (id, alias) = match peer {
            Some((id, alias)) => (id, alias),
            None if connect_side => (core.connecting_peer(), None),
            None => (core.accepted_peer(), None),
        };
        if connect_side {
            core.pattern.connection_up(id);
        }
        (id, alias, core.options.routing_id.clone())
    };
    let link = InprocLink::new(end, shared.socket_type, routing_id);
    let driver = Driver::new(
        Arc::clone(shared),
        id,
        link,
        endpoint,
        None,
        connect_side,
        alias,
    );
    shared.ctx.handle.spawn(driver);
}

async fn connect_loop(
    shared: Arc<Shared>,
    ep: Endpoint,
    given: String,
    peer: Option<PeerId>,
    alias: Option<bytes::Bytes>,
    mut stop: watch::Receiver<bool>,
) {
    let mut ivl = shared.lock().options.reconnect_ivl;
    loop {
        let options = shared.lock().options.clone();
        shared
            .lock()
            .monitors
            .emit(MonitorEventKind::ConnectDelayed, &given, None);
        let attempt = tokio::select! {
            r = transport::connect(&ep, &options) => Some(r),
            _ = stop.wait_for(|s| *s) => None,
        };
        let Some(attempt) = attempt else { break };
        if let Ok(stream) = attempt {
            let addr = stream.peer_address();
            let id = {
                let mut core = shared.lock();
                core.monitors
                    .emit(MonitorEventKind::Connected, &given, Some(&addr));
                let id = peer.unwrap_or_else(|| core.connecting_peer());
                core.pattern.connection_up(id);
                if let Some(c) = core.connected.iter_mut().find(|c| c.given == given) {
                    c.live = Some(id);
                }
                id
            };
            let driver = stream_driver(
                &shared,
                stream,
                Side::Client,
                id,
                &given,
                Some(addr),
                true,
                alias.clone(),
            );
            let Some(driver) = driver else { break };
            let outcome = driver.await;
            if outcome.handshaken {
                ivl = options.reconnect_ivl;
            }
            if !outcome.may_reconnect() {
                break;
            }
        }
        if *stop.borrow() || closed_and_flushed(&shared, peer) {
            break;
        }
        let Some(wait) = ivl else { break };
        shared
            .lock()
            .monitors
            .emit(MonitorEventKind::ConnectRetried(wait), &given, None);
        let stopped = tokio::select! {
            () = tokio::time::sleep(wait) => false,
            _ = stop.wait_for(|s| *s) => true,
        };
        if stopped || closed_and_flushed(&shared, peer) {
            break;
        }
        let max = shared.lock().options.reconnect_ivl_max;
        ivl = match max {
            Some(max) if max > wait => Some((wait * 2).min(max)),
            _ => ivl,
        };
    }
    if let Some(p) = peer {
        shared.lock().forget_peer(p);
    }
    shared.readable.notify_waiters();
    shared.writable.notify_waiters();
}

/// Whether a connect loop of a closed socket is done: nothing left to
/// send to its peer (LINGER's end sets the stop flag otherwise).
fn closed_and_flushed(shared: &Shared, peer: Option<PeerId>) -> bool {
    let core = shared.lock();
    core.closing && peer.is_none_or(|p| core.pattern.queued_items_out(p) == 0)
}

/// Resolves once the socket has no connection left: each driver and
/// connect loop that ends notifies the writable waiters.
async fn all_ended(shared: &Shared) {
    loop {
        let notified = shared.writable.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if shared.lock().slots.is_empty() {
            return;
        }
        notified.await;
    }
}

/// Closes a socket: listeners stop, connect loops stop, and connections
/// flush for up to LINGER.
pub(crate) fn shutdown(shared: &Arc<Shared>) {
    let (tasks, linger) = {
        let mut core = shared.lock();
        if core.closing {
            return;
        }
        core.closing = true;
        let mut tasks = Vec::new();
        for b in core.bound.drain(..) {
            if let Ok(Endpoint::Inproc(name)) = Endpoint::parse(&b.given) {
                shared.ctx.inproc.unbind(&name);
            }
            tasks.push(b);
        }
        let linger = core.options.linger;
        let connected: Vec<_> = core.connected.drain(..).collect();
        for c in connected {
            // A connect whose peer still has messages queued keeps trying
            // for the LINGER time, as libzmq does.
            let pending = c.peer.is_some_and(|p| core.pattern.queued_items_out(p) > 0);
            if pending && linger != Some(core::time::Duration::ZERO) {
                core.lingering.push(c.stop);
            } else {
                let _ = c.stop.send(true);
            }
        }
        let order = if linger == Some(core::time::Duration::ZERO) {
            Order::Close
        } else {
            Order::None
        };
        for slot in core.slots.values_mut() {
            slot.tell(order);
        }
        core.monitors
            .emit(MonitorEventKind::MonitorStopped, "", None);
        (tasks, linger)
    };
    for b in tasks {
        b.close();
    }
    if let Some(d) = linger
        && !d.is_zero()
    {
        {
            let s = Arc::clone(shared);
            shared.ctx.handle.spawn(async move {
                // LINGER ends early once every connection has flushed and
                // ended (no slot left), as libzmq frees a socket whose
                // queues are empty; the task then lets go of the socket.
                tokio::select! {
                    () = tokio::time::sleep(d) => {}
                    () = all_ended(&s) => return,
                }
                let mut core = s.lock();
                for stop in core.lingering.drain(..) {
                    let _ = stop.send(true);
                }
                for slot in core.slots.values_mut() {
                    slot.tell(Order::Close);
                }
            });
        }
    }
    shared.readable.notify_waiters();
    shared.writable.notify_waiters();
}
