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
    let mut s = socket(Dealer);
    assert!(
        s.set_option(SocketOption::RoutingId(Bytes::from_static(b"\0x")))
            .is_err()
    );
    assert!(s.set_option(SocketOption::RoutingId(Bytes::new())).is_err());
    assert!(
        s.set_option(SocketOption::RoutingId(Bytes::from(vec![1; 256])))
            .is_err()
    );
    s.set_option(SocketOption::RoutingId(Bytes::from_static(b"me")))
        .unwrap();
    assert_eq!(s.options().routing_id.as_deref(), Some(&b"me"[..]));
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
