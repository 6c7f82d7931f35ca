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
fn unsupported_transports_are_named() {
    assert!(matches!(
        Endpoint::parse("norm://eth0;239.1.1.1:5555"),
        Err(Error::UnsupportedTransport(s)) if s.starts_with("norm://")
    ));
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
