//! udp: libzmq's datagram transport for RADIO (connect: sends) and DISH
//! (bind: receives), one whole message per datagram as spec's
//! [`zmtp_spec::wire::datagram`] lays it out (48-R31..48-R38).
//!
//! ```text
//!   RADIO machine ── [group, body] ──> UdpLink::send ── Datagram::encode ──> send_to(dest)
//!   DISH machine  <── [group, body] ── UdpLink::poll_event <── Datagram::parse <── recv_from
//! ```
//!
//! The link moves datagrams and nothing else: the datagram layout and its
//! checks are spec's, what reaches which peer and the DISH's group filter
//! are the model's (the peer is a [`Carrier::Datagram`] one, 48-R35). A
//! datagram spec refuses, on the way in or out, is dropped and counted in
//! the socket's [`DatagramDrops`]; the link stays up.
//!
//! The sockets are set up as libzmq's `udp_engine_t::plug` does: a DISH
//! binds with SO_REUSEADDR, and for a multicast group also SO_REUSEPORT,
//! binds the any-address on the port and joins the group on the named
//! interface (or the system's choice); a RADIO binds an ephemeral port
//! and, towards a multicast group, sets IP_MULTICAST_LOOP
//! (ZMQ_MULTICAST_LOOP), IP_MULTICAST_TTL (ZMQ_MULTICAST_HOPS) and the
//! interface.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use socket2::{Domain, InterfaceIndexOrAddress, Protocol, Socket, Type};
use tokio::io::ReadBuf;
use tokio::net::UdpSocket;
use zmtp_model::{Carrier, Outgoing, PeerInfo};
use zmtp_spec::SocketType;
use zmtp_spec::connection::ErrorReason;
use zmtp_spec::wire::datagram::{Datagram, DatagramError};

use super::resolve_blocking;
use crate::endpoint::{Endpoint, Host, Port, UdpEndpoint};
use crate::error::{Error, InvalidEndpoint, Result};
use crate::link::{Input, Link};
use crate::options::Options;

#[cfg(test)]
mod tests;

/// The receive buffer: the largest UDP payload, so that an oversize
/// datagram is seen whole and refused by its real length (48-R33).
const RECV_BUFFER: usize = 65_536;
/// At most this many datagrams are read per poll before the driver
/// delivers them.
const READ_BATCH: usize = 64;
/// At most this many encoded datagrams wait for the socket.
const SEND_QUEUE: usize = 64;

/// Why a datagram was dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DroppedDatagram {
    /// A datagram received that is not one (spec's rule refused it: empty,
    /// truncated group, oversize, zero octet in the group).
    Malformed(DatagramError),
    /// A message to send that no datagram can carry (over 8192 octets);
    /// libzmq drops it too.
    Unsendable(DatagramError),
    /// The system refused to send it (an ICMP port unreachable reported
    /// back on unicast, a full buffer, no route).
    Refused(io::ErrorKind),
}

/// What a socket's udp endpoints dropped: how many datagrams, and why the
/// last one was.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DatagramDrops {
    /// Datagrams dropped since the socket was made.
    pub count: u64,
    /// The reason for the last one.
    pub last: Option<DroppedDatagram>,
}

/// The socket's drop counter, shared with its udp links.
pub(crate) type SharedDrops = Arc<Mutex<DatagramDrops>>;

fn record(drops: &SharedDrops, why: DroppedDatagram) {
    let mut d = drops.lock().unwrap_or_else(PoisonError::into_inner);
    d.count += 1;
    d.last = Some(why);
}

/// Which way the link moves datagrams.
#[derive(Debug)]
enum Role {
    /// A bound DISH: receives.
    Receive,
    /// A connected RADIO: sends to this address.
    Send(SocketAddr),
}

/// A [`Link`] over a udp socket.
#[derive(Debug)]
pub(crate) struct UdpLink {
    socket: UdpSocket,
    role: Role,
    incoming: VecDeque<zmtp_spec::Message>,
    outgoing: VecDeque<Vec<u8>>,
    buffer: Box<[u8]>,
    drops: SharedDrops,
    closed: bool,
    closed_event: bool,
}

/// Checks the socket type and role udp allows (48-R36): a RADIO that
/// connects, a DISH that binds (libzmq's ENOCOMPATPROTO otherwise).
pub(crate) fn check_role(socket_type: SocketType, bind: bool) -> Result<()> {
    let ok = matches!(
        (socket_type, bind),
        (SocketType::Dish, true) | (SocketType::Radio, false)
    );
    if ok {
        Ok(())
    } else {
        Err(Error::IncompatibleTransport {
            transport: "udp",
            socket_type,
            role: if bind { "bind" } else { "connect" },
        })
    }
}

fn address(whole: &str, host: &Host, port: Port, options: &Options) -> Result<SocketAddr> {
    let addrs = resolve_blocking(host, port, options.ipv6)
        .map_err(|_| Error::endpoint(whole, InvalidEndpoint::Unresolvable))?;
    addrs
        .into_iter()
        .next()
        .ok_or_else(|| Error::endpoint(whole, InvalidEndpoint::NoAddress))
}

/// The interface of a multicast endpoint, as IPv4 membership and sends
/// name it: by address, by index (a name), or the system's choice.
enum Interface {
    Any,
    Address(Ipv4Addr),
    Index(u32),
}

fn interface(whole: &str, u: &UdpEndpoint, socket: &Socket) -> Result<Interface> {
    match &u.interface {
        None | Some(Host::Any) => Ok(Interface::Any),
        Some(Host::Ip(IpAddr::V4(a))) => Ok(Interface::Address(*a)),
        Some(Host::Ip(IpAddr::V6(_))) => {
            Err(Error::endpoint(whole, InvalidEndpoint::InvalidInterface))
        }
        Some(Host::Name(name)) => rustix::net::netdevice::name_to_index(socket, name)
            .map(Interface::Index)
            .map_err(|_| Error::endpoint(whole, InvalidEndpoint::UnknownInterface)),
    }
}

fn new_socket(addr: &SocketAddr) -> io::Result<Socket> {
    let s = Socket::new(Domain::for_address(*addr), Type::DGRAM, Some(Protocol::UDP))?;
    s.set_nonblocking(true)?;
    Ok(s)
}

fn any(addr: &SocketAddr, port: u16) -> SocketAddr {
    match addr {
        SocketAddr::V4(_) => SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)),
        SocketAddr::V6(_) => SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)),
    }
}

/// The peer a udp link stands for: the other end's type, reached by
/// datagrams (48-R35). There is no handshake: the socket attaches it when
/// the endpoint is made, so a message sent right after connect has a
/// peer to go to, as libzmq's pipe does.
pub(crate) fn peer_info(ours: SocketType) -> PeerInfo {
    let theirs = if ours == SocketType::Radio {
        SocketType::Dish
    } else {
        SocketType::Radio
    };
    PeerInfo::new(theirs).with_carrier(Carrier::Datagram)
}

impl UdpLink {
    fn new(socket: Socket, role: Role, drops: SharedDrops) -> io::Result<Self> {
        Ok(Self {
            socket: UdpSocket::from_std(socket.into())?,
            role,
            incoming: VecDeque::new(),
            outgoing: VecDeque::new(),
            buffer: vec![0; RECV_BUFFER].into_boxed_slice(),
            drops,
            closed: false,
            closed_event: false,
        })
    }

    /// A DISH's bound socket, and the endpoint with its port resolved.
    /// Must run inside the runtime.
    pub(crate) fn bind(
        whole: &str,
        u: &UdpEndpoint,
        options: &Options,
        drops: SharedDrops,
    ) -> Result<(Self, Endpoint)> {
        let addr = address(whole, &u.host, u.port, options)?;
        let socket = new_socket(&addr)?;
        socket.set_reuse_address(true)?;
        let multicast = addr.ip().is_multicast();
        if multicast {
            // Every socket bound to the group's port receives its datagrams.
            #[cfg(unix)]
            socket.set_reuse_port(true)?;
            socket.bind(&any(&addr, addr.port()).into())?;
            match addr.ip() {
                IpAddr::V4(group) => {
                    let on = match interface(whole, u, &socket)? {
                        Interface::Any => InterfaceIndexOrAddress::Address(Ipv4Addr::UNSPECIFIED),
                        Interface::Address(a) => InterfaceIndexOrAddress::Address(a),
                        Interface::Index(i) => InterfaceIndexOrAddress::Index(i),
                    };
                    socket.join_multicast_v4_n(&group, &on)?;
                }
                IpAddr::V6(group) => {
                    let index = match interface(whole, u, &socket) {
                        Ok(Interface::Index(i)) => i,
                        _ => 0,
                    };
                    socket.join_multicast_v6(&group, index)?;
                }
            }
        } else {
            socket.bind(&addr.into())?;
        }
        let port = socket
            .local_addr()?
            .as_socket()
            .map_or(addr.port(), |a| a.port());
        let resolved = Endpoint::Udp(UdpEndpoint {
            interface: u.interface.clone(),
            host: u.host.clone(),
            port: Port::Number(port),
        });
        let link = Self::new(socket, Role::Receive, drops)?;
        Ok((link, resolved))
    }

    /// A RADIO's socket towards the endpoint. Must run inside the
    /// runtime.
    pub(crate) fn connect(
        whole: &str,
        u: &UdpEndpoint,
        options: &Options,
        drops: SharedDrops,
    ) -> Result<Self> {
        if u.host == Host::Any {
            return Err(Error::endpoint(whole, InvalidEndpoint::WildcardHost));
        }
        if u.port == Port::Any {
            return Err(Error::endpoint(whole, InvalidEndpoint::WildcardPort));
        }
        let dest = address(whole, &u.host, u.port, options)?;
        let socket = new_socket(&dest)?;
        socket.bind(&any(&dest, 0).into())?;
        match dest.ip() {
            IpAddr::V4(group) if group.is_multicast() => {
                socket.set_multicast_loop_v4(options.multicast_loop)?;
                socket.set_multicast_ttl_v4(options.multicast_hops)?;
                match interface(whole, u, &socket)? {
                    Interface::Any => {}
                    Interface::Address(a) => socket.set_multicast_if_v4(&a)?,
                    Interface::Index(i) => rustix::net::sockopt::set_ip_multicast_if_with_ifindex(
                        &socket,
                        &group,
                        &Ipv4Addr::UNSPECIFIED,
                        i,
                    )
                    .map_err(io::Error::from)?,
                }
            }
            IpAddr::V6(group) if group.is_multicast() => {
                socket.set_multicast_loop_v6(options.multicast_loop)?;
                socket.set_multicast_hops_v6(options.multicast_hops)?;
                if let Interface::Index(i) = interface(whole, u, &socket)? {
                    socket.set_multicast_if_v6(i)?;
                }
            }
            _ => {}
        }
        Ok(Self::new(socket, Role::Send(dest), drops)?)
    }

    /// Reads what datagrams are waiting, up to a batch.
    fn read_batch(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut got = false;
        for _ in 0..READ_BATCH {
            let mut buf = ReadBuf::new(&mut self.buffer);
            match self.socket.poll_recv_from(cx, &mut buf) {
                Poll::Ready(Ok(_from)) => {
                    got = true;
                    match Datagram::parse(buf.filled()) {
                        Ok(d) => self.incoming.push_back(d.to_message()),
                        Err(e) => record(&self.drops, DroppedDatagram::Malformed(e)),
                    }
                }
                // An unconnected socket hears of nothing but its own
                // datagrams; a transient error is not the end.
                Poll::Ready(Err(e)) if transient(&e) => got = true,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => break,
            }
        }
        if got {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }
}

/// Errors a datagram socket reports about one datagram (an ICMP error for
/// an earlier send, a full buffer), after which it goes on working.
fn transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::OutOfMemory
            | io::ErrorKind::Interrupted
    ) || e.raw_os_error() == Some(rustix::io::Errno::MSGSIZE.raw_os_error())
        || e.raw_os_error() == Some(rustix::io::Errno::NOBUFS.raw_os_error())
}

impl Link for UdpLink {
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.incoming.is_empty() {
            return Poll::Ready(Ok(()));
        }
        match self.role {
            Role::Receive => self.read_batch(cx),
            // A RADIO reads nothing (48-R08: it would discard it anyway).
            Role::Send(_) => Poll::Pending,
        }
    }

    fn poll_event(&mut self) -> Option<Input> {
        if self.closed {
            if self.closed_event {
                return None;
            }
            self.closed_event = true;
            return Some(Input::Closed);
        }
        self.incoming
            .pop_front()
            .map(|m| Input::Item(Outgoing::Message(m)))
    }

    /// Only messages reach a datagram peer (the model sends it no JOIN,
    /// LEAVE or subscription: 48-R35); any other item has no datagram
    /// form and is not sent.
    fn send(&mut self, item: Outgoing) {
        let Outgoing::Message(m) = item else { return };
        match Datagram::from_message(&m).and_then(|d| d.to_vec()) {
            Ok(octets) => self.outgoing.push_back(octets),
            Err(e) => record(&self.drops, DroppedDatagram::Unsendable(e)),
        }
    }

    fn wants_more(&self) -> bool {
        self.outgoing.len() < SEND_QUEUE
    }

    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Role::Send(dest) = self.role else {
            self.outgoing.clear();
            return Poll::Ready(Ok(()));
        };
        while let Some(octets) = self.outgoing.front() {
            match self.socket.poll_send_to(cx, octets, dest) {
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(e)) if transient(&e) => {
                    record(&self.drops, DroppedDatagram::Refused(e.kind()));
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
            self.outgoing.pop_front();
        }
        Poll::Ready(Ok(()))
    }

    fn poll_timer(&mut self, _cx: &mut Context<'_>) {}

    fn close(&mut self, _reason: Option<ErrorReason>) {
        self.closed = true;
    }

    fn is_closed(&self) -> bool {
        self.closed
    }

    fn has_output(&self) -> bool {
        !self.outgoing.is_empty()
    }
}
