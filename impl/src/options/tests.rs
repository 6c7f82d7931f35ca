use core::time::Duration;

use zmtp_spec::SocketType;

use super::sealed::Access;
use super::*;

#[test]
fn libzmq_defaults() {
    let o = Options::new(SocketType::Dealer);
    assert_eq!(opt::SndHwm::get(&o).ok(), Some(1000));
    assert_eq!(opt::RcvHwm::get(&o).ok(), Some(1000));
    assert_eq!(opt::Linger::get(&o).ok(), Some(None));
    assert_eq!(
        opt::ReconnectIvl::get(&o).ok(),
        Some(Some(Duration::from_millis(100)))
    );
    assert_eq!(
        opt::HandshakeIvl::get(&o).ok(),
        Some(Some(Duration::from_secs(30)))
    );
    assert_eq!(opt::Type::get(&o).ok(), Some(SocketType::Dealer));
}

#[test]
fn set_then_get() {
    let mut o = Options::new(SocketType::Router);
    assert!(opt::RouterMandatory::set(&mut o, true).is_ok());
    assert_eq!(opt::RouterMandatory::get(&o).ok(), Some(true));
}

#[test]
fn read_and_write_only() {
    let mut o = Options::new(SocketType::Sub);
    assert!(opt::Type::set(&mut o, SocketType::Pub).is_err());
    assert!(opt::LastEndpoint::set(&mut o, String::new()).is_err());
    assert!(opt::Subscribe::get(&o).is_err());
    assert_eq!(
        opt::Subscribe::set(&mut o, Bytes::from_static(b"a")).ok(),
        Some(Effect::Pattern(zmtp_model::SocketOption::Subscribe(
            Bytes::from_static(b"a")
        )))
    );
}
