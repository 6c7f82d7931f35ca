//! norm://: NORM (RFC 5740) datagrams for PUB, XPUB, SUB and XSUB,
//! interoperating with libzmq's NORM transport (libnorm). The packets,
//! libzmq's stream framing and both sides' state (segments by block and
//! symbol, NACK and repair, FLUSH, CC probes and feedback) are
//! `zmtp_spec::norm`'s; this file moves datagrams and runs timers.
//!
//! ```text
//!   PUB/XPUB ── messages ──> NormLink(Sender) ── DATA, FLUSH, CC ──> GROUP:PORT
//!                                 ^── NACK, ACK(CC) (to the group) ──┘
//!   SUB/XSUB <── messages ── NormLink(Receiver) <── GROUP:PORT (joined on IFACE)
//!                                 └── NACK, ACK(CC) ──> GROUP:PORT
//! ```
//!
//! Both roles bind the session port on the group (address and port
//! reuse, as libnorm's receivers) and join it on the interface; feedback
//! goes to the group, as libnorm sends it for a multicast session. A
//! unicast session address (`norm://10.0.0.2:5555`) sends to that address,
//! and feedback goes back to where a sender's packets came from. Multicast
//! loopback is on, as libzmq sets it, so that sender and receiver may share
//! a host.
//!
//! Connect and bind are the same, as in libzmq. A PUB's link stands for a
//! subscriber of everything; a SUB's subscriptions stay local and it
//! filters what arrives.
//!
//! For tests, `ZMTP_NORM_DROP_EVERY=N` in the environment drops every Nth
//! original NORM_DATA a sender sends (and every Nth one a receiver reads),
//! on purpose, so that repair through NACK can be shown without a lossy
//! network.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use rand_core::{OsRng, RngCore};
use socket2::{Domain, InterfaceIndexOrAddress, Protocol, Socket, Type};
use tokio::io::ReadBuf;
use tokio::net::UdpSocket;
use zmtp_model::{Outgoing, PeerInfo};
use zmtp_spec::connection::ErrorReason;
use zmtp_spec::norm::build::FLAG_REPAIR;
use zmtp_spec::norm::{
    Packet, Receiver, ReceiverConfig, ReceiverEvent, Sender, SenderConfig, Transmit, parse,
};
use zmtp_spec::{Message, SocketType};

use super::datagram::poll_send_lossy;
use super::deadline::Deadline;
use crate::endpoint::{Host, NormEndpoint};
use crate::error::{Error, InvalidEndpoint, Result};
use crate::link::{Input, Link};
use crate::options::Options;

/// Stop taking messages from the socket while this much waits for the
/// rate limit (the socket's SNDHWM queue holds the rest).
const QUEUE_HIGH_WATER: usize = 256 * 1024;
/// Datagrams read per poll before the driver delivers.
const READ_BUDGET: usize = 256;

enum Role {
    Send(Box<Sender>),
    Recv(Box<Receiver>),
}

/// One NORM session, sending or receiving, as the driver's [`Link`].
pub(crate) struct NormLink {
    role: Role,
    sock: UdpSocket,
    /// Where packets for the session go (the group, or the unicast peer).
    session: SocketAddr,
    events: VecDeque<Input>,
    /// A datagram the socket would not take yet.
    pending: Option<Transmit>,
    deadline: Deadline,
    closed: bool,
    drop_every: Option<u64>,
    drop_after: u64,
    data_seen: u64,
    buf: Vec<u8>,
}

fn drop_every() -> Option<u64> {
    std::env::var("ZMTP_NORM_DROP_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 1)
}

/// Originals let through before the dropping starts
/// (`ZMTP_NORM_DROP_AFTER`, default 0).
fn drop_after() -> u64 {
    std::env::var("ZMTP_NORM_DROP_AFTER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Whether a NORM packet is an original (not repair) NORM_DATA, source or
/// parity symbol, as spec reads it.
fn is_original_data(p: &[u8]) -> bool {
    matches!(parse(p), Ok(Packet::Data(_, d)) if d.flags & FLAG_REPAIR == 0)
}

/// The multicast interface, as membership and sends name it.
#[derive(Clone, Copy)]
enum Interface {
    Any,
    Address(Ipv4Addr),
    Index(u32),
}

fn interface(text: &str, ep: &NormEndpoint, sock: &Socket) -> Result<Interface> {
    match &ep.interface {
        None | Some(Host::Any) => Ok(Interface::Any),
        Some(Host::Ip(IpAddr::V4(a))) => Ok(Interface::Address(*a)),
        Some(Host::Name(name)) => rustix::net::netdevice::name_to_index(sock, name)
            .map(Interface::Index)
            .map_err(|_| Error::endpoint(text, InvalidEndpoint::UnknownInterface)),
        Some(_) => Err(Error::endpoint(text, InvalidEndpoint::InvalidInterface)),
    }
}

/// SO_RCVBUF of a NORM socket when ZMQ_RCVBUF is not set.
const DEFAULT_RCVBUF: usize = 4 * 1024 * 1024;

fn open_socket(
    text: &str,
    ep: &NormEndpoint,
    bind: SocketAddrV4,
    options: &Options,
) -> Result<Socket> {
    let sock = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    sock.set_reuse_address(true)?;
    sock.set_reuse_port(true)?;
    sock.set_nonblocking(true)?;
    if let Some(n) = options.sndbuf {
        sock.set_send_buffer_size(n)?;
    }
    // A receiver that falls behind for a moment (a busy core) loses what
    // overflows the kernel's buffer, and libnorm's sender may have moved
    // its window past it before the repair round ends: a large buffer by
    // default, as libnorm's own tools ask for (the kernel caps it at
    // net.core.rmem_max).
    sock.set_recv_buffer_size(options.rcvbuf.unwrap_or(DEFAULT_RCVBUF))?;
    let iface = interface(text, ep, &sock)?;
    if ep.address.is_multicast() {
        match iface {
            Interface::Any => {}
            Interface::Address(a) => sock.set_multicast_if_v4(&a)?,
            Interface::Index(i) => {
                rustix::net::sockopt::set_ip_multicast_if_with_ifindex(
                    &sock,
                    &Ipv4Addr::UNSPECIFIED,
                    &Ipv4Addr::UNSPECIFIED,
                    i,
                )
                .map_err(io::Error::from)?;
            }
        }
        sock.set_multicast_ttl_v4(options.multicast_hops)?;
        sock.set_multicast_loop_v4(true)?;
    }
    sock.bind(&SocketAddr::V4(bind).into())?;
    if ep.address.is_multicast() {
        let on = match iface {
            Interface::Any => InterfaceIndexOrAddress::Address(Ipv4Addr::UNSPECIFIED),
            Interface::Address(a) => InterfaceIndexOrAddress::Address(a),
            Interface::Index(i) => InterfaceIndexOrAddress::Index(i),
        };
        sock.join_multicast_v4_n(&ep.address, &on)?;
    }
    Ok(sock)
}

/// A node id: the endpoint's, else a random non-zero one (libnorm's
/// default, the host address, gave every sender in a namespace id 0:
/// conformance/FINDINGS.md, NORM).
fn node_id(ep: &NormEndpoint) -> u32 {
    ep.node_id.unwrap_or_else(|| {
        loop {
            let id = OsRng.next_u32();
            if id != 0 && id != u32::MAX {
                break id;
            }
        }
    })
}

impl NormLink {
    /// Opens the session for a socket of `socket_type`. Must run inside the
    /// runtime.
    pub(crate) fn open(
        ep: &NormEndpoint,
        text: &str,
        socket_type: SocketType,
        options: &Options,
    ) -> Result<Self> {
        let now = Instant::now();
        let session = SocketAddr::V4(SocketAddrV4::new(ep.address, ep.port));
        let multicast = ep.address.is_multicast();
        let (role, sock, peer) = match socket_type {
            SocketType::Pub | SocketType::XPub => {
                // Multicast: on the group's port, where feedback comes.
                // Unicast: any port; feedback comes back to it.
                let bind = if multicast {
                    SocketAddrV4::new(ep.address, ep.port)
                } else {
                    SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0)
                };
                let sock = open_socket(text, ep, bind, options)?;
                let instance = u16::try_from(OsRng.next_u32() & 0xffff).unwrap_or(1);
                let rate = u64::from(options.rate.max(1)) * 1000 / 8;
                let cfg = SenderConfig::new(node_id(ep), instance, rate);
                (
                    Role::Send(Box::new(Sender::new(cfg, now))),
                    sock,
                    SocketType::Sub,
                )
            }
            SocketType::Sub | SocketType::XSub => {
                let bind = if multicast {
                    SocketAddrV4::new(ep.address, ep.port)
                } else {
                    SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, ep.port)
                };
                let sock = open_socket(text, ep, bind, options)?;
                let mut cfg = ReceiverConfig::new(node_id(ep));
                cfg.max_msg_size = options.maxmsgsize.and_then(|m| usize::try_from(m).ok());
                cfg.unicast_feedback = !multicast;
                (
                    Role::Recv(Box::new(Receiver::new(cfg))),
                    sock,
                    SocketType::Pub,
                )
            }
            _ => return Err(Error::endpoint(text, InvalidEndpoint::MulticastSocketType)),
        };
        let sock = UdpSocket::from_std(std::net::UdpSocket::from(sock))?;
        let mut events = VecDeque::from([Input::Handshake(
            PeerInfo::new(peer),
            zmtp_spec::wire::Metadata::new(),
        )]);
        if matches!(role, Role::Send(_)) {
            // The session stands for a subscriber of everything.
            events.push_back(Input::Item(Outgoing::Subscribe(Bytes::new())));
        }
        Ok(Self {
            role,
            sock,
            session,
            events,
            pending: None,
            deadline: Deadline::new(),
            closed: false,
            drop_every: drop_every(),
            drop_after: drop_after(),
            data_seen: 0,
            buf: vec![0; 65536],
        })
    }

    /// Whether fault injection drops this original DATA.
    fn dropped(&mut self, packet: &[u8]) -> bool {
        let Some(n) = self.drop_every else {
            return false;
        };
        if !is_original_data(packet) {
            return false;
        }
        self.data_seen += 1;
        self.data_seen > self.drop_after && self.data_seen.is_multiple_of(n)
    }

    fn next_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if let Some(t) = self.pending.take() {
            return Some(t);
        }
        match &mut self.role {
            Role::Send(s) => s.poll_transmit(now),
            Role::Recv(r) => r.poll_transmit(),
        }
    }

    fn drain_receiver(&mut self) {
        if let Role::Recv(r) = &mut self.role {
            while let Some(e) = r.poll_event() {
                match e {
                    ReceiverEvent::Message { frames, .. } => self
                        .events
                        .push_back(Input::Item(Outgoing::Message(Message::from_frames(frames)))),
                    // The machine has joined the stream again after the
                    // gap; what was lost is gone, as with libzmq.
                    ReceiverEvent::Loss { .. } => {}
                }
            }
        }
    }
}

impl Link for NormLink {
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut any = false;
        for _ in 0..READ_BUDGET {
            let mut rb = ReadBuf::new(&mut self.buf);
            let from = match self.sock.poll_recv_from(cx, &mut rb) {
                Poll::Ready(Ok(a)) => a,
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => break,
            };
            any = true;
            let n = rb.filled().len();
            let data = self.buf[..n].to_vec();
            let now = Instant::now();
            let drop = matches!(self.role, Role::Recv(_)) && self.dropped(&data);
            let result = match &mut self.role {
                Role::Send(s) => s.handle_packet(&data, now),
                Role::Recv(_) if drop => Ok(()),
                Role::Recv(r) => r.handle_packet(&data, Some(from), now, &mut OsRng),
            };
            // A malformed packet is dropped, as libnorm drops it.
            let _ = result;
        }
        self.drain_receiver();
        if any {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    fn poll_event(&mut self) -> Option<Input> {
        self.events.pop_front()
    }

    fn send(&mut self, item: Outgoing) {
        if let (Role::Send(s), Outgoing::Message(m)) = (&mut self.role, item) {
            s.push_message(m.frames());
        }
    }

    fn wants_more(&self) -> bool {
        match &self.role {
            Role::Send(s) => s.queued() < QUEUE_HIGH_WATER,
            Role::Recv(_) => true,
        }
    }

    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let now = Instant::now();
        while let Some(t) = self.next_transmit(now) {
            if matches!(self.role, Role::Send(_)) && self.dropped(&t.packet) {
                continue;
            }
            let to = t.to.unwrap_or(self.session);
            if poll_send_lossy(&self.sock, cx, &t.packet, to).is_pending() {
                self.pending = Some(t);
                return Poll::Pending;
            }
        }
        Poll::Ready(Ok(()))
    }

    fn poll_timer(&mut self, cx: &mut Context<'_>) {
        let now = Instant::now();
        if let Role::Recv(r) = &mut self.role
            && r.poll_timeout().is_some_and(|t| t <= now)
        {
            r.handle_timeout(now, &mut OsRng);
            self.drain_receiver();
        }
        let next = match &self.role {
            Role::Send(s) => s.poll_timeout(),
            Role::Recv(r) => r.poll_timeout(),
        };
        self.deadline.wake_at(cx, next, now);
    }

    fn close(&mut self, _reason: Option<ErrorReason>) {
        self.closed = true;
    }

    fn is_closed(&self) -> bool {
        self.closed
    }

    fn has_output(&self) -> bool {
        self.pending.is_some()
            || match &self.role {
                Role::Send(s) => s.queued() > 0,
                Role::Recv(_) => false,
            }
    }
}

impl std::fmt::Debug for NormLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NormLink")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}
