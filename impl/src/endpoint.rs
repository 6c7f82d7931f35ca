//! Endpoint strings, parsed the way libzmq parses them.
//!
//! ```text
//! tcp://HOST:PORT            HOST = name | IPv4 | [IPv6] | * (bind: any interface)
//! tcp://SRC;HOST:PORT        SRC = HOST[:PORT], the local address of a connect
//! tcp://127.0.0.1:*          PORT = number | * (bind: the system picks one; 0 too)
//! ipc:///path/to/socket      a unix socket path (ipc://* picks a fresh path)
//! ipc://@name                a Linux abstract socket
//! inproc://name              in-process, no serialization
//! udp://HOST:PORT            RADIO connects (sends to HOST), DISH binds
//!                            (HOST: a local address, `*`, or a multicast
//!                            group the DISH joins)
//! udp://IFACE;GROUP:PORT     multicast on the interface IFACE (a name such
//!                            as `eth0`, an IPv4 address, or `*`)
//! ws://HOST:PORT/PATH        ZWS 2.0 over WebSocket (RFC 45); PATH defaults to /
//! wss://HOST:PORT/PATH       the same over TLS (the ZMQ_WSS_* options)
//! epgm://IFACE;GROUP:PORT    PGM over UDP to an IPv4 multicast group;
//!                            IFACE = the interface's IPv4 address
//! pgm://IFACE;GROUP:PORT     PGM as IP protocol 113 (raw sockets)
//! norm://[ID,][IFACE;]ADDR:PORT
//!                            NORM (RFC 5740) over UDP, as libzmq writes it:
//!                            ID = our NORM node id (decimal), IFACE = an
//!                            interface name or IPv4 address, ADDR = an
//!                            IPv4 multicast group or unicast address
//! ```

use core::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::{Error, InvalidEndpoint, Result, UnavailableTransport};

#[cfg(test)]
mod tests;

/// A parsed endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `tcp://`.
    Tcp(TcpEndpoint),
    /// `ipc://`.
    Ipc(IpcEndpoint),
    /// `inproc://name`.
    Inproc(String),
    /// `udp://`: libzmq's datagram transport, RADIO and DISH only.
    Udp(UdpEndpoint),
    /// `ws://` or `wss://`.
    Ws(WsEndpoint),
    /// `pgm://` or `epgm://`.
    Pgm(PgmEndpoint),
    /// `norm://`.
    Norm(NormEndpoint),
}

/// A norm endpoint: `[ID,][INTERFACE;]ADDRESS:PORT`, as libzmq's
/// `norm_engine_t::init` reads it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NormEndpoint {
    /// The NORM node id before `,`; `None`: a random one.
    pub node_id: Option<u32>,
    /// The multicast interface before `;`: a name or an IPv4 address.
    pub interface: Option<Host>,
    /// The session address: an IPv4 multicast group, or a unicast peer.
    pub address: Ipv4Addr,
    /// The session port.
    pub port: u16,
}

/// A udp endpoint (libzmq's `udp_address_t`): the address, and for
/// multicast the interface to use.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UdpEndpoint {
    /// The interface before `;` (`udp://eth0;239.0.0.1:5555`): a name,
    /// an address or `*`. Only with a multicast host.
    pub interface: Option<Host>,
    /// The destination (RADIO), the local address or multicast group
    /// (DISH).
    pub host: Host,
    /// The port.
    pub port: Port,
}

/// A ws or wss endpoint: libzmq's `ws://host:port/path`. The host and
/// port are a tcp endpoint's (a wildcard host and port to bind), the path
/// is what the client asks for in its upgrade request (45-R02).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WsEndpoint {
    /// `wss://`: TLS under the WebSocket.
    pub secure: bool,
    /// The host.
    pub host: Host,
    /// The port.
    pub port: Port,
    /// The request path, starting with `/` (`/` when the endpoint has
    /// none).
    pub path: String,
}

/// How PGM packets travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PgmEncapsulation {
    /// `epgm://`: each packet is a UDP datagram to the endpoint's port.
    Udp,
    /// `pgm://`: each packet is an IP datagram of protocol 113 (needs
    /// CAP_NET_RAW).
    Raw,
}

/// A pgm or epgm endpoint: `INTERFACE;GROUP:PORT`, as libzmq writes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PgmEndpoint {
    /// UDP or raw IP.
    pub encapsulation: PgmEncapsulation,
    /// The interface's IPv4 address: where multicast leaves and NAKs
    /// arrive.
    pub interface: Ipv4Addr,
    /// The IPv4 multicast group.
    pub group: Ipv4Addr,
    /// The port: PGM's data-destination port, and epgm's UDP port.
    pub port: u16,
}

/// A host in a tcp endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// `*`: every interface (bind only).
    Any,
    /// A literal address.
    Ip(IpAddr),
    /// A name to resolve (or, for bind, an interface name such as `lo`).
    Name(String),
}

/// A port in a tcp endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Port {
    /// `*` or `0`: the system picks one (bind only).
    Any,
    /// A fixed port.
    Number(u16),
}

/// A tcp endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TcpEndpoint {
    /// The host.
    pub host: Host,
    /// The port.
    pub port: Port,
    /// The local address to connect from (`tcp://src;dst`), if given.
    pub source: Option<(Host, Port)>,
}

/// An ipc endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IpcEndpoint {
    /// A file-system path.
    Path(PathBuf),
    /// A Linux abstract name (`ipc://@name`), without the `@`.
    Abstract(String),
    /// `ipc://*`: bind picks a fresh path.
    Any,
}

impl Endpoint {
    /// Parses an endpoint string.
    ///
    /// # Errors
    /// [`Error::InvalidEndpoint`] naming the string when it is malformed,
    /// [`Error::UnavailableTransport`] naming why for tipc and vmci.
    pub fn parse(s: &str) -> Result<Self> {
        let Some((scheme, rest)) = s.split_once("://") else {
            return Err(Error::endpoint(s, InvalidEndpoint::NoTransport));
        };
        match scheme {
            "tcp" => parse_tcp(s, rest).map(Endpoint::Tcp),
            "ipc" => {
                if rest.is_empty() {
                    Err(Error::endpoint(s, InvalidEndpoint::EmptyIpcPath))
                } else if rest == "*" {
                    Ok(Endpoint::Ipc(IpcEndpoint::Any))
                } else if let Some(name) = rest.strip_prefix('@') {
                    if name.is_empty() {
                        return Err(Error::endpoint(s, InvalidEndpoint::EmptyAbstractName));
                    }
                    Ok(Endpoint::Ipc(IpcEndpoint::Abstract(name.to_owned())))
                } else {
                    Ok(Endpoint::Ipc(IpcEndpoint::Path(PathBuf::from(rest))))
                }
            }
            "inproc" => {
                if rest.is_empty() {
                    Err(Error::endpoint(s, InvalidEndpoint::EmptyInprocName))
                } else {
                    Ok(Endpoint::Inproc(rest.to_owned()))
                }
            }
            "udp" => parse_udp(s, rest).map(Endpoint::Udp),
            "ws" | "wss" => parse_ws(s, rest, scheme == "wss").map(Endpoint::Ws),
            "tipc" => Err(Error::UnavailableTransport {
                endpoint: s.to_owned(),
                reason: UnavailableTransport::Tipc,
            }),
            "vmci" => Err(Error::UnavailableTransport {
                endpoint: s.to_owned(),
                reason: UnavailableTransport::Vmci,
            }),
            "epgm" => parse_pgm(s, rest, PgmEncapsulation::Udp).map(Endpoint::Pgm),
            "pgm" => parse_pgm(s, rest, PgmEncapsulation::Raw).map(Endpoint::Pgm),
            "norm" => parse_norm(s, rest).map(Endpoint::Norm),
            _ => Err(Error::endpoint(s, InvalidEndpoint::UnknownTransport)),
        }
    }

    /// Whether binding needs a concrete value picked by the system
    /// (wildcard port or ipc path).
    pub fn is_wildcard(&self) -> bool {
        match self {
            Endpoint::Tcp(t) => t.port == Port::Any,
            Endpoint::Ws(w) => w.port == Port::Any,
            Endpoint::Ipc(i) => *i == IpcEndpoint::Any,
            Endpoint::Udp(u) => u.port == Port::Any,
            Endpoint::Inproc(_) | Endpoint::Pgm(_) | Endpoint::Norm(_) => false,
        }
    }
}

/// `udp://[IFACE;]HOST:PORT`, as libzmq's `udp_address_t::resolve` reads
/// it: an interface only before a multicast group, which cannot itself
/// be a multicast address.
fn parse_udp(whole: &str, rest: &str) -> Result<UdpEndpoint> {
    let (interface, dest) = match rest.rsplit_once(';') {
        Some((iface, dest)) => {
            let (host, port) = parse_host_port(whole, iface, true)?;
            if port.is_some() || is_multicast(&host) {
                return Err(Error::endpoint(whole, InvalidEndpoint::InvalidInterface));
            }
            (Some(host), dest)
        }
        None => (None, rest),
    };
    let (host, port) = parse_host_port(whole, dest, false)?;
    let Some(port) = port else {
        return Err(Error::endpoint(whole, InvalidEndpoint::MissingPort));
    };
    if interface.is_some() && !is_multicast(&host) {
        return Err(Error::endpoint(
            whole,
            InvalidEndpoint::InterfaceNeedsMulticast,
        ));
    }
    Ok(UdpEndpoint {
        interface,
        host,
        port,
    })
}

fn parse_pgm(whole: &str, rest: &str, encapsulation: PgmEncapsulation) -> Result<PgmEndpoint> {
    let Some((iface, dest)) = rest.split_once(';') else {
        return Err(Error::endpoint(whole, InvalidEndpoint::PgmSyntax));
    };
    let Some((group, port)) = dest.rsplit_once(':') else {
        return Err(Error::endpoint(whole, InvalidEndpoint::MissingPort));
    };
    let interface = match iface.parse::<Ipv4Addr>() {
        Ok(a) => a,
        Err(_) if !iface.is_empty() && !iface.contains(':') => {
            return Err(Error::endpoint(whole, InvalidEndpoint::PgmInterfaceName));
        }
        Err(_) => return Err(Error::endpoint(whole, InvalidEndpoint::PgmSyntax)),
    };
    let group = match group.parse::<Ipv4Addr>() {
        Ok(g) if g.is_multicast() => g,
        _ => return Err(Error::endpoint(whole, InvalidEndpoint::NotMulticast)),
    };
    let port = match port.parse::<u16>() {
        Ok(p) if p != 0 => p,
        _ => return Err(Error::endpoint(whole, InvalidEndpoint::InvalidPort)),
    };
    Ok(PgmEndpoint {
        encapsulation,
        interface,
        group,
        port,
    })
}

/// `norm://[ID,][IFACE;]ADDR:PORT`: the node id is decimal (libzmq reads
/// it with `atoi`; here anything else is refused), the interface a name
/// or an IPv4 address, the address IPv4.
fn parse_norm(whole: &str, rest: &str) -> Result<NormEndpoint> {
    let (node_id, rest) = match rest.split_once(',') {
        Some((id, rest)) => match id.parse::<u32>() {
            Ok(n) if n != 0 && n != u32::MAX => (Some(n), rest),
            _ => return Err(Error::endpoint(whole, InvalidEndpoint::NormNodeId)),
        },
        None => (None, rest),
    };
    let (interface, dest) = match rest.split_once(';') {
        Some((iface, dest)) => {
            let host = match iface.parse::<Ipv4Addr>() {
                Ok(a) => Host::Ip(IpAddr::V4(a)),
                Err(_) if !iface.is_empty() && !iface.contains(':') => Host::Name(iface.to_owned()),
                Err(_) => return Err(Error::endpoint(whole, InvalidEndpoint::InvalidInterface)),
            };
            (Some(host), dest)
        }
        None => (None, rest),
    };
    let Some((addr, port)) = dest.rsplit_once(':') else {
        return Err(Error::endpoint(whole, InvalidEndpoint::MissingPort));
    };
    let Ok(address) = addr.parse::<Ipv4Addr>() else {
        return Err(Error::endpoint(whole, InvalidEndpoint::NormAddress));
    };
    let port = match port.parse::<u16>() {
        Ok(p) if p != 0 => p,
        _ => return Err(Error::endpoint(whole, InvalidEndpoint::InvalidPort)),
    };
    if interface.is_some() && !address.is_multicast() {
        return Err(Error::endpoint(
            whole,
            InvalidEndpoint::InterfaceNeedsMulticast,
        ));
    }
    Ok(NormEndpoint {
        node_id,
        interface,
        address,
        port,
    })
}

/// Whether a host is a literal multicast address.
pub(crate) fn is_multicast(host: &Host) -> bool {
    matches!(host, Host::Ip(ip) if ip.is_multicast())
}

/// `HOST:PORT` then an optional `/PATH`, as libzmq's ws address (which
/// keeps only the last path segment; the whole path is kept here).
fn parse_ws(whole: &str, rest: &str, secure: bool) -> Result<WsEndpoint> {
    // The path starts at the first `/` after the host (an IPv6 host is
    // bracketed, so it holds no `/`).
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], rest[at..].to_owned()),
        None => (rest, "/".to_owned()),
    };
    let (host, port) = parse_host_port(whole, authority, false)?;
    let Some(port) = port else {
        return Err(Error::endpoint(whole, InvalidEndpoint::MissingPort));
    };
    Ok(WsEndpoint {
        secure,
        host,
        port,
        path,
    })
}

impl WsEndpoint {
    /// The tcp endpoint under it.
    pub fn tcp(&self) -> TcpEndpoint {
        TcpEndpoint {
            host: self.host.clone(),
            port: self.port,
            source: None,
        }
    }
}

fn parse_tcp(whole: &str, rest: &str) -> Result<TcpEndpoint> {
    let (source, dest) = match rest.split_once(';') {
        Some((src, dst)) => {
            let (host, port) = parse_host_port(whole, src, true)?;
            (Some((host, port.unwrap_or(Port::Any))), dst)
        }
        None => (None, rest),
    };
    let (host, port) = parse_host_port(whole, dest, false)?;
    let Some(port) = port else {
        return Err(Error::endpoint(whole, InvalidEndpoint::MissingPort));
    };
    Ok(TcpEndpoint { host, port, source })
}

/// `HOST:PORT`, `[V6]:PORT`, `*:PORT`; the port may be omitted only when
/// `port_optional` (a source address).
fn parse_host_port(whole: &str, s: &str, port_optional: bool) -> Result<(Host, Option<Port>)> {
    let (host, port) = if let Some(inner) = s.strip_prefix('[') {
        let Some((addr, after)) = inner.split_once(']') else {
            return Err(Error::endpoint(whole, InvalidEndpoint::UnclosedBracket));
        };
        // A zone id (`%eth0`) is not supported: it would need an
        // interface index lookup.
        let ip = addr
            .parse::<std::net::Ipv6Addr>()
            .map_err(|_| Error::endpoint(whole, InvalidEndpoint::InvalidIpv6))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(Error::endpoint(whole, InvalidEndpoint::JunkAfterBracket)),
        };
        (Host::Ip(IpAddr::V6(ip)), port)
    } else {
        let (h, p) = match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        };
        if h.contains(':') {
            return Err(Error::endpoint(whole, InvalidEndpoint::UnbracketedIpv6));
        }
        let host = if h == "*" {
            Host::Any
        } else if h.is_empty() {
            return Err(Error::endpoint(whole, InvalidEndpoint::EmptyHost));
        } else if let Ok(ip) = IpAddr::from_str(h) {
            Host::Ip(ip)
        } else if h
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_')
        {
            Host::Name(h.to_owned())
        } else {
            return Err(Error::endpoint(whole, InvalidEndpoint::InvalidHost));
        };
        (host, p)
    };
    let port = match port {
        None if port_optional => None,
        None => return Err(Error::endpoint(whole, InvalidEndpoint::MissingPort)),
        Some("*") | Some("0") => Some(Port::Any),
        Some(p) => match p.parse::<u16>() {
            Ok(n) => Some(Port::Number(n)),
            Err(_) => return Err(Error::endpoint(whole, InvalidEndpoint::InvalidPort)),
        },
    };
    Ok((host, port))
}

impl FromStr for Endpoint {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Any => f.write_str("*"),
            Host::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Name(n) => f.write_str(n),
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Port::Any => f.write_str("*"),
            Port::Number(n) => write!(f, "{n}"),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Tcp(t) => {
                f.write_str("tcp://")?;
                if let Some((h, p)) = &t.source {
                    write!(f, "{h}:{p};")?;
                }
                write!(f, "{}:{}", t.host, t.port)
            }
            Endpoint::Ipc(IpcEndpoint::Path(p)) => write!(f, "ipc://{}", p.display()),
            Endpoint::Ipc(IpcEndpoint::Abstract(n)) => write!(f, "ipc://@{n}"),
            Endpoint::Ipc(IpcEndpoint::Any) => f.write_str("ipc://*"),
            Endpoint::Inproc(n) => write!(f, "inproc://{n}"),
            Endpoint::Udp(u) => {
                f.write_str("udp://")?;
                if let Some(i) = &u.interface {
                    write!(f, "{i};")?;
                }
                write!(f, "{}:{}", u.host, u.port)
            }
            Endpoint::Ws(w) => {
                let scheme = if w.secure { "wss" } else { "ws" };
                write!(f, "{scheme}://{}:{}{}", w.host, w.port, w.path)
            }
            Endpoint::Pgm(p) => {
                let scheme = match p.encapsulation {
                    PgmEncapsulation::Udp => "epgm",
                    PgmEncapsulation::Raw => "pgm",
                };
                write!(f, "{scheme}://{};{}:{}", p.interface, p.group, p.port)
            }
            Endpoint::Norm(n) => {
                f.write_str("norm://")?;
                if let Some(id) = n.node_id {
                    write!(f, "{id},")?;
                }
                if let Some(i) = &n.interface {
                    write!(f, "{i};")?;
                }
                write!(f, "{}:{}", n.address, n.port)
            }
        }
    }
}
