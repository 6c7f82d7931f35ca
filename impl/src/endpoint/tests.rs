use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::*;

fn tcp(s: &str) -> TcpEndpoint {
    match Endpoint::parse(s) {
        Ok(Endpoint::Tcp(t)) => t,
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn tcp_forms() {
    let t = tcp("tcp://127.0.0.1:5555");
    assert_eq!(t.host, Host::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    assert_eq!(t.port, Port::Number(5555));
    assert_eq!(tcp("tcp://*:*").host, Host::Any);
    assert_eq!(tcp("tcp://*:*").port, Port::Any);
    assert_eq!(tcp("tcp://127.0.0.1:0").port, Port::Any);
    assert_eq!(
        tcp("tcp://[::1]:7").host,
        Host::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST))
    );
    assert_eq!(
        tcp("tcp://localhost:1").host,
        Host::Name("localhost".into())
    );
    let s = tcp("tcp://127.0.0.1:4000;10.0.0.1:5000");
    assert_eq!(
        s.source,
        Some((Host::Ip(Ipv4Addr::LOCALHOST.into()), Port::Number(4000)))
    );
    assert_eq!(s.port, Port::Number(5000));
    let s = tcp("tcp://127.0.0.1;localhost:5000");
    assert_eq!(s.source.map(|(_, p)| p), Some(Port::Any));
}

#[test]
fn display_round_trips() {
    for s in [
        "tcp://127.0.0.1:5555",
        "tcp://*:*",
        "tcp://[::1]:9",
        "tcp://127.0.0.1:4000;example.com:5000",
        "ipc:///tmp/x.sock",
        "ipc://@abstract",
        "ipc://*",
        "inproc://name",
    ] {
        assert_eq!(
            Endpoint::parse(s).map(|e| e.to_string()).ok().as_deref(),
            Some(s)
        );
    }
}

#[test]
fn ipc_and_inproc() {
    assert_eq!(
        Endpoint::parse("ipc://@x").ok(),
        Some(Endpoint::Ipc(IpcEndpoint::Abstract("x".into())))
    );
    assert_eq!(
        Endpoint::parse("inproc://a/b").ok(),
        Some(Endpoint::Inproc("a/b".into()))
    );
}

#[test]
fn bad_endpoints_name_themselves() {
    for s in [
        "tcp://127.0.0.1",
        "tcp://127.0.0.1:99999",
        "tcp://:5",
        "tcp://::1:5",
        "tcp://[::1:5",
        "tcp://[nope]:5",
        "tcp://bad host:5",
        "foo://x",
        "nothing",
        "ipc://",
        "ipc://@",
        "inproc://",
    ] {
        match Endpoint::parse(s) {
            Err(Error::InvalidEndpoint { endpoint, .. }) => assert_eq!(endpoint, s),
            other => panic!("{s}: {other:?}"),
        }
    }
}

#[test]
fn norm_endpoints_parse_as_libzmq_writes_them() {
    use super::NormEndpoint;
    let group: Ipv4Addr = "239.1.1.1".parse().expect("ip");
    let cases = [
        ("norm://239.1.1.1:5555", None, None),
        (
            "norm://eth0;239.1.1.1:5555",
            None,
            Some(Host::Name("eth0".into())),
        ),
        (
            "norm://7,10.0.0.2;239.1.1.1:5555",
            Some(7),
            Some(Host::Ip("10.0.0.2".parse().expect("ip"))),
        ),
        ("norm://9,239.1.1.1:5555", Some(9), None),
    ];
    for (s, node_id, interface) in cases {
        let ep = Endpoint::parse(s).expect(s);
        assert_eq!(
            ep,
            Endpoint::Norm(NormEndpoint {
                node_id,
                interface,
                address: group,
                port: 5555,
            }),
            "{s}"
        );
        assert_eq!(ep.to_string(), s, "{s} round-trips");
    }
    // A unicast session address, without an interface.
    assert!(matches!(
        Endpoint::parse("norm://10.0.0.3:6000"),
        Ok(Endpoint::Norm(NormEndpoint { port: 6000, .. }))
    ));
    for (s, why) in [
        ("norm://x,239.1.1.1:5555", InvalidEndpoint::NormNodeId),
        ("norm://0,239.1.1.1:5555", InvalidEndpoint::NormNodeId),
        ("norm://239.1.1.1", InvalidEndpoint::MissingPort),
        ("norm://host.example:5555", InvalidEndpoint::NormAddress),
        ("norm://239.1.1.1:0", InvalidEndpoint::InvalidPort),
        (
            "norm://eth0;10.0.0.3:5555",
            InvalidEndpoint::InterfaceNeedsMulticast,
        ),
    ] {
        match Endpoint::parse(s) {
            Err(Error::InvalidEndpoint { endpoint, reason }) => {
                assert_eq!((endpoint.as_str(), reason), (s, why));
            }
            other => panic!("{s}: {other:?}"),
        }
    }
}

fn udp(s: &str) -> UdpEndpoint {
    match Endpoint::parse(s) {
        Ok(Endpoint::Udp(u)) => u,
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn udp_forms_as_libzmq_reads_them() {
    let u = udp("udp://239.0.0.1:5555");
    assert_eq!(u.host, Host::Ip(IpAddr::V4(Ipv4Addr::new(239, 0, 0, 1))));
    assert_eq!((u.interface, u.port), (None, Port::Number(5555)));
    let u = udp("udp://eth0;239.0.0.1:5555");
    assert_eq!(u.interface, Some(Host::Name("eth0".into())));
    assert_eq!(udp("udp://*;239.0.0.1:1").interface, Some(Host::Any));
    assert_eq!(udp("udp://*:5555").host, Host::Any);
    assert_eq!(udp("udp://127.0.0.1:*").port, Port::Any);
    for s in [
        "udp://239.0.0.1:5555",
        "udp://eth0;239.0.0.1:5555",
        "udp://*:5555",
        "udp://[::1]:7",
    ] {
        assert_eq!(Endpoint::parse(s).expect(s).to_string(), s);
    }
    let reason = |s: &str| match Endpoint::parse(s) {
        Err(Error::InvalidEndpoint { reason, .. }) => reason,
        other => panic!("{s}: {other:?}"),
    };
    assert_eq!(
        reason("udp://eth0;10.0.0.1:5555"),
        InvalidEndpoint::InterfaceNeedsMulticast
    );
    assert_eq!(
        reason("udp://239.0.0.2;239.0.0.1:5555"),
        InvalidEndpoint::InvalidInterface
    );
    assert_eq!(
        reason("udp://eth0:1;239.0.0.1:5555"),
        InvalidEndpoint::InvalidInterface
    );
    assert_eq!(reason("udp://239.0.0.1"), InvalidEndpoint::MissingPort);
}

fn ws(s: &str) -> WsEndpoint {
    match Endpoint::parse(s) {
        Ok(Endpoint::Ws(w)) => w,
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn ws_forms_as_libzmq_45_r02() {
    let w = ws("ws://127.0.0.1:5555");
    assert!(!w.secure);
    assert_eq!(w.host, Host::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    assert_eq!(w.port, Port::Number(5555));
    assert_eq!(w.path, "/");
    let w = ws("wss://example.com:443/zeromq/feed");
    assert!(w.secure);
    assert_eq!(w.host, Host::Name("example.com".into()));
    assert_eq!(w.path, "/zeromq/feed");
    let w = ws("ws://[::1]:7/x");
    assert_eq!(w.host, Host::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    assert_eq!(w.path, "/x");
    assert_eq!(ws("ws://*:*/p").port, Port::Any);
    assert!(Endpoint::parse("ws://*:*").is_ok_and(|e| e.is_wildcard()));
    for s in [
        "ws://127.0.0.1:5555/a",
        "wss://example.com:443/",
        "ws://[::1]:7/x",
    ] {
        assert_eq!(
            Endpoint::parse(s).map(|e| e.to_string()).ok().as_deref(),
            Some(s)
        );
    }
    for bad in ["ws://host", "ws://host/path", "ws://:5/", "wss://h:x/"] {
        assert!(
            matches!(Endpoint::parse(bad), Err(Error::InvalidEndpoint { .. })),
            "{bad}"
        );
    }
}

#[test]
fn tipc_and_vmci_are_refused_with_the_reason() {
    use crate::error::UnavailableTransport;
    for (s, want) in [
        ("tipc://{5560,0,0}", UnavailableTransport::Tipc),
        ("tipc://<*>", UnavailableTransport::Tipc),
        ("vmci://0:5555", UnavailableTransport::Vmci),
    ] {
        match Endpoint::parse(s) {
            Err(e @ Error::UnavailableTransport { .. }) => {
                let text = e.to_string();
                let Error::UnavailableTransport { endpoint, reason } = e else {
                    unreachable!()
                };
                assert_eq!(endpoint, s);
                assert_eq!(reason, want);
                let why = if want == UnavailableTransport::Tipc {
                    "kernel module"
                } else {
                    "hypervisor"
                };
                assert!(text.contains(why), "{text}");
            }
            other => panic!("{s}: {other:?}"),
        }
    }
}

#[test]
fn pgm_endpoints_parse_as_libzmq_writes_them() {
    use super::{PgmEncapsulation, PgmEndpoint};
    let ep = Endpoint::parse("epgm://127.0.0.1;239.192.1.1:5555").expect("epgm");
    assert_eq!(
        ep,
        Endpoint::Pgm(PgmEndpoint {
            encapsulation: PgmEncapsulation::Udp,
            interface: "127.0.0.1".parse().expect("ip"),
            group: "239.192.1.1".parse().expect("ip"),
            port: 5555,
        })
    );
    assert_eq!(ep.to_string(), "epgm://127.0.0.1;239.192.1.1:5555");
    let raw = Endpoint::parse("pgm://10.0.0.1;224.0.0.9:7500").expect("pgm");
    assert_eq!(raw.to_string(), "pgm://10.0.0.1;224.0.0.9:7500");
    for (s, want) in [
        ("epgm://239.192.1.1:5555", InvalidEndpoint::PgmSyntax),
        (
            "epgm://eth0;239.192.1.1:5555",
            InvalidEndpoint::PgmInterfaceName,
        ),
        (
            "epgm://127.0.0.1;10.0.0.1:5555",
            InvalidEndpoint::NotMulticast,
        ),
        (
            "epgm://127.0.0.1;239.192.1.1:0",
            InvalidEndpoint::InvalidPort,
        ),
        ("epgm://127.0.0.1;239.192.1.1", InvalidEndpoint::MissingPort),
    ] {
        match Endpoint::parse(s) {
            Err(Error::InvalidEndpoint { reason, .. }) => assert_eq!(reason, want, "{s}"),
            other => panic!("{s}: {other:?}"),
        }
    }
}
