use super::*;
use crate::SocketType::*;
use crate::testutil::socket;

#[test]
fn defaults_are_libzmqs() {
    let o = Options::default();
    assert_eq!((o.sndhwm, o.rcvhwm), (1000, 1000));
    assert!(!o.router_mandatory && !o.immediate && !o.conflate && !o.req_relaxed);
    assert_eq!(o.fault, Fault::None);
}

#[test]
fn options_apply_only_where_libzmq_accepts_them() {
    assert!(SocketOption::RouterMandatory(true).applies_to(Router));
    assert!(!SocketOption::RouterMandatory(true).applies_to(Dealer));
    assert!(SocketOption::ProbeRouter(true).applies_to(Req));
    assert!(!SocketOption::ReqRelaxed(true).applies_to(Rep));
    assert!(SocketOption::Subscribe(Bytes::new()).applies_to(Sub));
    assert!(!SocketOption::Subscribe(Bytes::new()).applies_to(Pub));
    let mut s = socket(Dealer);
    assert!(matches!(
        s.set_option(SocketOption::RouterMandatory(true)),
        Err(OptionError::NotApplicable { .. })
    ));
}

#[test]
fn routing_ids_are_checked_37_r34_r35() {
    assert!(check::routing_id(Bytes::from_static(b"\0x")).is_err());
    assert!(check::routing_id(Bytes::new()).is_err());
    assert!(check::routing_id(Bytes::from(vec![1; 256])).is_err());
    assert!(check::routing_id(Bytes::from(vec![1; 255])).is_ok());
    let mut s = socket(Router);
    let id = |v: &'static [u8]| SocketOption::ConnectRoutingId(Some(Bytes::from_static(v)));
    assert!(s.set_option(id(b"\0x")).is_err());
    assert!(s.set_option(id(b"")).is_err());
    s.set_option(id(b"me")).unwrap();
    assert_eq!(s.options().connect_routing_id.as_deref(), Some(&b"me"[..]));
    s.set_option(SocketOption::ConnectRoutingId(None)).unwrap();
    assert_eq!(s.options().connect_routing_id, None);
}

#[test]
fn every_option_is_stored() {
    let mut o = Options::default();
    for option in [
        SocketOption::SndHwm(5),
        SocketOption::RcvHwm(6),
        SocketOption::RouterHandover(true),
        SocketOption::ReqCorrelate(true),
        SocketOption::XPubVerboser(true),
        SocketOption::XPubWelcomeMsg(Some(Bytes::from_static(b"w"))),
        SocketOption::Conflate(true),
        SocketOption::Immediate(true),
    ] {
        o.apply(option).unwrap();
    }
    assert_eq!((o.sndhwm, o.rcvhwm), (5, 6));
    assert!(o.router_handover && o.req_correlate && o.xpub_verboser && o.conflate && o.immediate);
    o.apply(SocketOption::XPubWelcomeMsg(Some(Bytes::new())))
        .unwrap();
    assert_eq!(o.xpub_welcome_msg, None);
}

/// The table has one entry per libzmq name and number, and
/// [`OptionInfo::find`] finds each.
#[test]
fn the_table_names_each_option_once() {
    for (i, a) in OPTIONS.iter().enumerate() {
        assert!(a.name.starts_with("ZMQ_"), "{}", a.name);
        for b in &OPTIONS[i + 1..] {
            assert_ne!(a.name, b.name);
            assert_ne!(a.id, b.id, "{} and {}", a.name, b.name);
        }
        assert_eq!(OptionInfo::find(a.name), Some(a));
        assert_eq!(
            a.default.is_none(),
            !a.access.readable() || a.name == "ZMQ_TYPE"
        );
    }
    assert_eq!(OptionInfo::find("ZMQ_SNDHWM").map(|o| o.id), Some(23));
}

/// Every pattern option and action is in [`OPTIONS`] as a pattern entry,
/// and a machine of each type refuses it exactly where the table says it
/// does not apply.
#[test]
fn the_machines_refuse_what_the_table_does_not_apply() {
    let samples = samples();
    let pattern = OPTIONS.iter().filter(|o| o.layer == Layer::Pattern);
    assert_eq!(samples.len(), pattern.count());
    for t in SocketType::ALL {
        let Ok(mut s) = crate::Socket::new(t, Options::default()) else {
            continue;
        };
        for option in &samples {
            assert_eq!(OptionInfo::find(option.name()), Some(option.info()));
            let applies = option.info().applies_to(t);
            let refused = matches!(
                s.set_option(option.clone()),
                Err(OptionError::NotApplicable { .. })
            );
            // An XPUB takes SUBSCRIBE/UNSUBSCRIBE only with XPUB_MANUAL:
            // a refusal the table cannot show.
            let manual = t == XPub
                && matches!(
                    option,
                    SocketOption::Subscribe(_) | SocketOption::Unsubscribe(_)
                );
            assert_eq!(refused, !applies || manual, "{} on {t}", option.name());
        }
    }
}
