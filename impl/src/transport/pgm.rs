//! pgm:// and epgm://: PGM (RFC 3208) datagrams for PUB, XPUB, SUB and
//! XSUB, interoperating with libzmq's OpenPGM transport. The packets,
//! libzmq's payload convention and both sides' state (SPM heartbeats,
//! transmit window, NAK/NCF/RDATA, rate limit, late join) are
//! `zmtp_spec::pgm`'s; this file moves datagrams and runs timers.
//!
//! ```text
//!   PUB/XPUB ── messages ──> PgmLink(Sender) ── SPM, ODATA, RDATA, NCF ──> GROUP:PORT
//!                                 ^── NAK, SPMR (unicast to IFACE:PORT) ──┘
//!   SUB/XSUB <── messages ── PgmLink(Receiver) <── GROUP:PORT (joined on IFACE)
//!                                 └── NAK ──> the source's NLA:PORT
//! ```
//!
//! epgm sockets are UDP: a sender binds `IFACE:PORT` (NAKs come there; it
//! is the NLA its SPMs advertise), a receiver binds `GROUP:PORT` and joins
//! the group on `IFACE`, so neither takes the other's datagrams. pgm
//! sockets are raw IP sockets of protocol 113 (CAP_NET_RAW); what they read
//! starts with the IP header, which is skipped. Multicast loopback is off,
//! as libzmq sets it.
//!
//! Connect and bind are the same, as in libzmq. A PUB's link stands for a
//! subscriber of everything (an XPUB sees that one subscription as an
//! empty-topic message, where libzmq adds it silently); a SUB's
//! subscriptions stay local and it filters what arrives (PGM-R35).
//!
//! For tests, `ZMTP_PGM_DROP_EVERY=N` in the environment drops every Nth
//! ODATA a sender sends (and every Nth one a receiver reads), on purpose,
//! so that recovery through NAK and RDATA can be shown without a lossy
//! network.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, SocketAddr, SocketAddrV4};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use rand_core::{OsRng, RngCore};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::ReadBuf;
use tokio::net::UdpSocket;
use zmtp_model::{Outgoing, PeerInfo};
use zmtp_spec::connection::ErrorReason;
use zmtp_spec::pgm::packet::{IPPROTO_PGM, PacketType};
use zmtp_spec::pgm::sender::{max_tsdu, window_sqns};
use zmtp_spec::pgm::{
    Destination, Gsi, Receiver, ReceiverConfig, ReceiverEvent, Sender, SenderConfig, Transmit, Tsi,
};
use zmtp_spec::{Message, SocketType};

use super::datagram::poll_send_lossy;
use super::deadline::Deadline;
use crate::endpoint::{PgmEncapsulation, PgmEndpoint};
use crate::error::{Error, InvalidEndpoint, Result};
use crate::link::{Input, Link};
use crate::options::Options;

/// Stop taking messages from the socket while this much waits for the
/// rate limit (the socket's SNDHWM queue holds the rest).
const QUEUE_HIGH_WATER: usize = 64 * 1024;
/// Datagrams read per poll before the driver delivers.
const READ_BUDGET: usize = 256;

enum Role {
    Send(Box<Sender>),
    Recv(Box<Receiver>),
}

/// One PGM session (sending) or group membership (receiving), as the
/// driver's [`Link`].
pub(crate) struct PgmLink {
    role: Role,
    sock: UdpSocket,
    raw: bool,
    group: SocketAddr,
    port: u16,
    events: VecDeque<Input>,
    /// A datagram the socket would not take yet.
    pending: Option<Transmit>,
    deadline: Deadline,
    closed: bool,
    drop_every: Option<u64>,
    odata_seen: u64,
    buf: Vec<u8>,
}

fn drop_every() -> Option<u64> {
    std::env::var("ZMTP_PGM_DROP_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 1)
}

fn open_socket(ep: &PgmEndpoint, bind: SocketAddrV4, options: &Options) -> io::Result<Socket> {
    let sock = match ep.encapsulation {
        PgmEncapsulation::Udp => Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?,
        PgmEncapsulation::Raw => {
            Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::from(IPPROTO_PGM)))?
        }
    };
    sock.set_reuse_address(true)?;
    if ep.encapsulation == PgmEncapsulation::Udp {
        sock.set_reuse_port(true)?;
    }
    sock.set_nonblocking(true)?;
    if let Some(n) = options.sndbuf {
        sock.set_send_buffer_size(n)?;
    }
    if let Some(n) = options.rcvbuf {
        sock.set_recv_buffer_size(n)?;
    }
    sock.set_multicast_if_v4(&ep.interface)?;
    sock.set_multicast_ttl_v4(options.multicast_hops)?;
    sock.set_multicast_loop_v4(false)?;
    let bind = match ep.encapsulation {
        PgmEncapsulation::Udp => bind,
        PgmEncapsulation::Raw => SocketAddrV4::new(*bind.ip(), 0),
    };
    sock.bind(&SocketAddr::V4(bind).into())?;
    Ok(sock)
}

impl PgmLink {
    /// Opens the session for a socket of `socket_type`. Must run inside the
    /// runtime.
    pub(crate) fn open(
        ep: &PgmEndpoint,
        text: &str,
        socket_type: SocketType,
        options: &Options,
    ) -> Result<Self> {
        let udp = ep.encapsulation == PgmEncapsulation::Udp;
        let maxtpdu = options.multicast_maxtpdu as usize;
        let rate = u64::from(options.rate.max(1));
        let sqns = window_sqns(rate, u64::from(options.recovery_ivl), maxtpdu);
        let now = Instant::now();
        let group = SocketAddr::V4(SocketAddrV4::new(ep.group, ep.port));
        let (role, sock, peer) = match socket_type {
            SocketType::Pub | SocketType::XPub => {
                let sock = open_socket(ep, SocketAddrV4::new(ep.interface, ep.port), options)?;
                let mut gsi = [0; 6];
                OsRng.fill_bytes(&mut gsi);
                let sport = loop {
                    let p = u16::try_from(OsRng.next_u32() & 0xffff).unwrap_or(1);
                    if p != 0 && p != ep.port {
                        break p;
                    }
                };
                let cfg = SenderConfig {
                    tsi: Tsi {
                        gsi: Gsi(gsi),
                        sport,
                    },
                    dport: ep.port,
                    nla: IpAddr::V4(ep.interface),
                    group: group.ip(),
                    max_tsdu: max_tsdu(maxtpdu, udp),
                    window_sqns: sqns,
                    rate_bytes_per_sec: rate * 1000 / 8,
                };
                (
                    Role::Send(Box::new(Sender::new(cfg, now))),
                    sock,
                    SocketType::Sub,
                )
            }
            SocketType::Sub | SocketType::XSub => {
                let sock = open_socket(ep, SocketAddrV4::new(ep.group, ep.port), options)?;
                sock.join_multicast_v4(&ep.group, &ep.interface)?;
                let mut cfg = ReceiverConfig::new(group.ip(), ep.port, sqns);
                cfg.max_msg_size = options.maxmsgsize.and_then(|m| usize::try_from(m).ok());
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
            // The group stands for a subscriber of everything.
            events.push_back(Input::Item(Outgoing::Subscribe(Bytes::new())));
        }
        Ok(Self {
            role,
            sock,
            raw: !udp,
            group,
            port: ep.port,
            events,
            pending: None,
            deadline: Deadline::new(),
            closed: false,
            drop_every: drop_every(),
            odata_seen: 0,
            buf: vec![0; 65536],
        })
    }

    fn destination(&self, d: Destination) -> SocketAddr {
        match d {
            Destination::Group => self.group,
            Destination::Unicast(ip) => SocketAddr::new(ip, self.port),
        }
    }

    /// Whether fault injection drops this ODATA.
    fn dropped(&mut self, packet: &[u8]) -> bool {
        let Some(n) = self.drop_every else {
            return false;
        };
        if packet.get(4) != Some(&PacketType::Odata.code()) {
            return false;
        }
        self.odata_seen += 1;
        self.odata_seen.is_multiple_of(n)
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
                    // The machine has already reset the stream; what was
                    // lost is gone, as with libzmq.
                    ReceiverEvent::Loss { .. } => {}
                }
            }
        }
    }
}

/// The PGM packet in what a socket read: raw sockets give the IP header
/// first.
fn pgm_part(raw: bool, data: &[u8]) -> &[u8] {
    if !raw {
        return data;
    }
    let ihl = data.first().map_or(0, |b| usize::from(b & 0x0f) * 4);
    data.get(ihl..).unwrap_or(&[])
}

impl Link for PgmLink {
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut any = false;
        for _ in 0..READ_BUDGET {
            let mut rb = ReadBuf::new(&mut self.buf);
            let from = match self.sock.poll_recv_from(cx, &mut rb) {
                Poll::Ready(Ok(a)) => a.ip(),
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => break,
            };
            any = true;
            let n = rb.filled().len();
            let data = self.buf[..n].to_vec();
            let packet = pgm_part(self.raw, &data);
            let now = Instant::now();
            let drop = matches!(self.role, Role::Recv(_)) && self.dropped(packet);
            let result = match &mut self.role {
                Role::Send(s) => s.handle_packet(packet, now),
                Role::Recv(_) if drop => Ok(()),
                Role::Recv(r) => r.handle_packet(packet, Some(from), now, &mut OsRng),
            };
            // A malformed packet is dropped, as OpenPGM drops it.
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
            let to = self.destination(t.destination);
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

impl std::fmt::Debug for PgmLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgmLink")
            .field("group", &self.group)
            .field("raw", &self.raw)
            .finish_non_exhaustive()
    }
}
