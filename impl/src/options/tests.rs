use core::time::Duration;

use zmtp_model::options::{Layer, OPTIONS};
use zmtp_spec::SocketType;

use super::sealed::Access;
use super::*;
use crate::Context;

/// The pattern machine's options as a new socket has them.
fn fresh() -> zmtp_model::Options {
    zmtp_model::Options::default()
}

#[test]
fn libzmq_defaults() {
    let o = Options::new(SocketType::Dealer);
    let p = fresh();
    assert_eq!(opt::SndHwm::get(&o, &p).ok(), Some(1000));
    assert_eq!(opt::RcvHwm::get(&o, &p).ok(), Some(1000));
    assert_eq!(opt::Linger::get(&o, &p).ok(), Some(None));
    assert_eq!(
        opt::ReconnectIvl::get(&o, &p).ok(),
        Some(Some(Duration::from_millis(100)))
    );
    assert_eq!(
        opt::HandshakeIvl::get(&o, &p).ok(),
        Some(Some(Duration::from_secs(30)))
    );
    assert_eq!(opt::Backlog::get(&o, &p).ok(), Some(100));
    assert_eq!(opt::RoutingId::get(&o, &p).ok(), Some(Bytes::new()));
    assert_eq!(opt::Type::get(&o, &p).ok(), Some(SocketType::Dealer));
}

#[test]
fn set_then_get() {
    let mut o = Options::new(SocketType::Router);
    assert_eq!(
        set::<opt::RouterMandatory>(&mut o, true).ok(),
        Some(Effect::Pattern(zmtp_model::SocketOption::RouterMandatory(
            true
        )))
    );
    assert!(set::<opt::Tos>(&mut o, Some(8)).is_ok());
    assert_eq!(opt::Tos::get(&o, &fresh()).ok(), Some(Some(8)));
    assert!(set::<opt::ReqRelaxed>(&mut o, true).is_err());
}

#[test]
fn routing_ids_are_checked_37_r34_r35() {
    let mut o = Options::new(SocketType::Dealer);
    for bad in [&b""[..], b"\0x", &[1; 256]] {
        assert!(set::<opt::RoutingId>(&mut o, Bytes::copy_from_slice(bad)).is_err());
    }
    assert!(set::<opt::RoutingId>(&mut o, Bytes::from_static(b"me")).is_ok());
    assert_eq!(o.routing_id, Bytes::from_static(b"me"));
}

#[test]
fn read_and_write_only() {
    let mut o = Options::new(SocketType::Sub);
    assert!(set::<opt::Type>(&mut o, SocketType::Pub).is_err());
    assert!(set::<opt::LastEndpoint>(&mut o, String::new()).is_err());
    assert!(opt::Subscribe::get(&o, &fresh()).is_err());
    assert_eq!(
        set::<opt::Subscribe>(&mut o, Bytes::from_static(b"a")).ok(),
        Some(Effect::Pattern(zmtp_model::SocketOption::Subscribe(
            Bytes::from_static(b"a")
        )))
    );
}

/// Something done with every option of the table, typed.
pub(super) trait Visitor {
    /// `value` is one the option can be set to (`None` for ZMQ_TYPE).
    fn visit<O: SocketOption + Default>(&mut self, value: Option<O::Value>);
}

/// Walks the table over fresh sockets of one type.
struct Walk {
    socket_type: SocketType,
    socket: crate::Socket,
    machine: zmtp_model::Socket,
    seen: Vec<&'static str>,
}

impl Visitor for Walk {
    fn visit<O: SocketOption + Default>(&mut self, value: Option<O::Value>) {
        let (t, info) = (self.socket_type, O::INFO);
        let name = info.name;
        self.seen.push(name);
        assert_eq!(O::NAME, name);
        // A fresh socket reads the table's default.
        let read = self.socket.get(O::default());
        if !info.access.readable() {
            assert!(read.is_err(), "{name} is write-only");
        } else if name == "ZMQ_TYPE" {
            assert_eq!(read.ok().map(|v| format!("{v:?}")), Some(format!("{t:?}")));
        } else {
            assert_eq!(read.ok(), O::default_value(), "{name} on a new {t}");
        }
        let Some(value) = value else { return };
        // The socket refuses what the table does not apply to this type,
        // and what the pattern machine refuses; it takes the rest.
        let model = match O::set(&mut Options::new(t), value.clone()) {
            Ok(Effect::Pattern(m)) => {
                assert_eq!(m.info(), info, "{name}");
                assert_eq!(info.layer, Layer::Pattern, "{name}");
                Some(self.machine.set_option(m).is_ok())
            }
            _ => None,
        };
        let taken = self.socket.set(O::default(), value).is_ok();
        if !info.applies_to(t) {
            assert!(!taken, "{name} does not apply to {t}");
            assert_ne!(model, Some(true), "the {t} machine took {name}");
        }
        if let Some(model) = model {
            assert_eq!(taken, model, "{name} on {t}: the socket and its machine");
        } else if info.applies_to(t) && info.access.writable() {
            // A key or routing id of the default "unset" (empty) value
            // cannot be set, as in libzmq; every other default can.
            let unsettable = matches!(
                name,
                "ZMQ_ROUTING_ID"
                    | "ZMQ_CURVE_PUBLICKEY"
                    | "ZMQ_CURVE_SECRETKEY"
                    | "ZMQ_CURVE_SERVERKEY"
            );
            assert_eq!(taken, !unsettable, "{name} on {t}");
        }
    }
}

/// Every option of the table, on a new socket of every type: the socket
/// reads the table's default, and it refuses an option exactly where the
/// table or the pattern machine does.
#[test]
fn every_option_of_the_table_on_every_socket_type() {
    let ctx = Context::new().expect("context");
    let mut types = 0;
    for t in SocketType::ALL.into_iter().chain([SocketType::Stream]) {
        let (Ok(socket), Ok(machine)) = (ctx.socket(t), zmtp_model::Socket::new(t, fresh())) else {
            continue;
        };
        types += 1;
        let mut walk = Walk {
            socket_type: t,
            socket,
            machine,
            seen: Vec::new(),
        };
        visit(&mut walk);
        let table: Vec<_> = OPTIONS.iter().map(|o| o.name).collect();
        assert_eq!(walk.seen, table);
    }
    // The 19 ZMTP types and STREAM.
    assert_eq!(types, 20);
}

#[test]
fn every_option_of_the_table_is_known_by_its_libzmq_name() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Dealer).expect("socket");
    for info in OPTIONS {
        // Any value: whether it is taken does not matter here, only that
        // the name reaches the option.
        let r = set_named(&s, info.name, "");
        assert!(r.is_some(), "{} is not reachable by name", info.name);
    }
    assert!(set_named(&s, "ZMQ_NO_SUCH", "1").is_none());
}

#[test]
fn set_by_name_reads_libzmq_conventions() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Sub).expect("socket");
    s.set_by_name("ZMQ_SNDHWM", "10").expect("sndhwm");
    assert_eq!(s.get(opt::SndHwm).ok(), Some(10));
    s.set_by_name("rcvhwm", " 20 ")
        .expect("rcvhwm, no prefix, spaces");
    assert_eq!(s.get(opt::RcvHwm).ok(), Some(20));
    s.set_by_name("ZMQ_LINGER", "0").expect("linger");
    assert_eq!(s.get(opt::Linger).ok(), Some(Some(Duration::ZERO)));
    s.set_by_name("ZMQ_LINGER", "-1").expect("linger -1");
    assert_eq!(s.get(opt::Linger).ok(), Some(None));
    s.set_by_name("ZMQ_CONFLATE", "1").expect("conflate");
    assert_eq!(s.get(opt::Conflate).ok(), Some(true));
    s.set_by_name("ZMQ_ROUTING_ID", "peer-1")
        .expect("routing id");
    assert_eq!(
        s.get(opt::RoutingId).ok(),
        Some(Bytes::from_static(b"peer-1"))
    );
    s.set_by_name("ZMQ_SUBSCRIBE", "")
        .expect("subscribe to all");
}

#[test]
fn set_by_name_says_why_it_refuses() {
    let ctx = Context::new().expect("context");
    let s = ctx.socket(SocketType::Dealer).expect("socket");
    let e = s.set_by_name("ZMQ_FROBNICATE", "1").expect_err("unknown");
    assert!(matches!(&e, Error::UnknownOption(n) if n == "ZMQ_FROBNICATE"));
    assert_eq!(
        e.to_string(),
        "no socket option is named \"ZMQ_FROBNICATE\""
    );
    let e = s
        .set_by_name("ZMQ_SNDHWM", "lots")
        .expect_err("not a number");
    assert!(matches!(
        e,
        Error::InvalidOption {
            option: "ZMQ_SNDHWM",
            reason: InvalidOption::Unreadable(_)
        }
    ));
    assert!(e.to_string().contains("must be a whole number"), "{e}");
    let e = s.set_by_name("ZMQ_LINGER", "-5").expect_err("bad duration");
    assert!(e.to_string().contains("milliseconds"), "{e}");
    let e = s.set_by_name("ZMQ_TYPE", "1").expect_err("read-only");
    assert!(matches!(
        e,
        Error::InvalidOption {
            reason: InvalidOption::ReadOnly,
            ..
        }
    ));
    let e = s
        .set_by_name("ZMQ_SUBSCRIBE", "x")
        .expect_err("not for DEALER");
    assert!(matches!(
        e,
        Error::InvalidOption {
            reason: InvalidOption::NotApplicable(SocketType::Dealer),
            ..
        }
    ));
}
