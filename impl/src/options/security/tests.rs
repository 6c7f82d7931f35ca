use std::sync::Arc;

use bytes::Bytes;
use zmtp_spec::SocketType;
use zmtp_spec::security::z85;
use zmtp_spec::wire;

use super::{MechanismKind, key_octets};
use crate::options::sealed::Access;
use crate::options::{Options, opt};

/// libzmq takes a key as 32 octets, 40 Z85 characters, or those 40 with a
/// terminating NUL; nothing else.
#[test]
fn keys_are_32_octets_or_z85_text() {
    let keys = crate::curve_keypair();
    let raw = *keys.public().as_bytes();
    let text = z85::encode(&raw).unwrap();
    assert_eq!(key_octets("K", &raw).unwrap(), raw);
    assert_eq!(key_octets("K", text.as_bytes()).unwrap(), raw);
    let mut nul = text.clone().into_bytes();
    nul.push(0);
    assert_eq!(key_octets("K", &nul).unwrap(), raw);
    for bad in [&b""[..], &[0u8; 31][..], &[0u8; 33][..], &[b' '; 40][..]] {
        assert!(key_octets("K", bad).is_err(), "{bad:?}");
    }
}

/// One mechanism per socket, shared by its connections (a CURVE server's
/// cookie jar: 26-R17, 26-R27), rebuilt when an option changes.
#[test]
fn the_mechanism_is_built_once_per_change() {
    let mut o = Options::new(SocketType::Pull);
    opt::CurveServer::set(&mut o, true).unwrap();
    let secret = Bytes::copy_from_slice(&crate::curve_keypair().secret().to_bytes()[..]);
    opt::CurveSecretKey::set(&mut o, secret).unwrap();
    let a = o.security.mechanism().unwrap();
    let b = o.security.mechanism().unwrap();
    assert!(Arc::ptr_eq(&a.mechanism, &b.mechanism));
    let (Some(jar_a), Some(jar_b)) = (&a.cookies, &b.cookies) else {
        panic!("a CURVE server has a cookie jar")
    };
    assert!(Arc::ptr_eq(jar_a, jar_b));
    opt::ZapDomain::set(&mut o, Bytes::from_static(b"d")).unwrap();
    let c = o.security.mechanism().unwrap();
    assert!(!Arc::ptr_eq(&a.mechanism, &c.mechanism));
}

/// CURVE needs our secret key, and a client the server's key.
#[test]
fn curve_without_keys_does_not_build() {
    let mut o = Options::new(SocketType::Push);
    opt::CurveServerKey::set(
        &mut o,
        Bytes::from(crate::curve_keypair().public().to_z85()),
    )
    .unwrap();
    assert!(o.security.mechanism().is_err());
    let mut o = Options::new(SocketType::Push);
    let secret = Bytes::copy_from_slice(&crate::curve_keypair().secret().to_bytes()[..]);
    opt::CurveSecretKey::set(&mut o, secret).unwrap();
    assert!(o.security.mechanism().is_err());
    opt::CurveServer::set(&mut o, true).unwrap();
    assert!(o.security.mechanism().is_ok());
}

/// A ZAP domain on a NULL socket turns ZAP on: still NULL on the wire,
/// but no downgrade to ZMTP 1.0/2.0 (37-R61; zmtp-wire.md 4.5 #6).
#[test]
fn null_with_a_zap_domain_authenticates() {
    let mut o = Options::new(SocketType::Rep);
    let plain = o.security.mechanism().unwrap();
    assert!(plain.mechanism.allows_downgrade());
    opt::ZapDomain::set(&mut o, Bytes::from_static(b"global")).unwrap();
    let zap = o.security.mechanism().unwrap();
    assert_eq!(zap.mechanism.name(), wire::Mechanism::NULL);
    assert!(!zap.mechanism.allows_downgrade());
    assert_eq!(
        opt::Mechanism::get(&o, &zmtp_model::Options::default()).unwrap(),
        MechanismKind::Null
    );
}

/// The option set last decides the mechanism, as in libzmq.
#[test]
fn the_last_option_set_selects_the_mechanism() {
    let mut o = Options::new(SocketType::Dealer);
    opt::PlainUsername::set(&mut o, Bytes::from_static(b"u")).unwrap();
    assert_eq!(
        opt::Mechanism::get(&o, &zmtp_model::Options::default()).unwrap(),
        MechanismKind::Plain
    );
    assert!(!opt::PlainServer::get(&o, &zmtp_model::Options::default()).unwrap());
    opt::CurveServer::set(&mut o, true).unwrap();
    assert_eq!(
        opt::Mechanism::get(&o, &zmtp_model::Options::default()).unwrap(),
        MechanismKind::Curve
    );
    opt::CurveServer::set(&mut o, false).unwrap();
    assert_eq!(
        opt::Mechanism::get(&o, &zmtp_model::Options::default()).unwrap(),
        MechanismKind::Null
    );
    opt::PlainUsername::set(&mut o, Bytes::new()).unwrap();
    assert_eq!(
        opt::Mechanism::get(&o, &zmtp_model::Options::default()).unwrap(),
        MechanismKind::Null
    );
    assert!(opt::PlainPassword::set(&mut o, Bytes::from(vec![b'p'; 256])).is_err());
}

/// PLAIN_PASSWORD reads back, but neither the options' `Debug` nor the
/// built mechanism's shows it; a new value replaces it.
#[test]
fn the_password_is_kept_but_never_printed() {
    let mut o = Options::new(SocketType::Push);
    opt::PlainUsername::set(&mut o, Bytes::from_static(b"admin")).unwrap();
    opt::PlainPassword::set(&mut o, Bytes::from(b"hunter2-secret".to_vec())).unwrap();
    assert_eq!(
        opt::PlainPassword::get(&o, &zmtp_model::Options::default()).unwrap(),
        "hunter2-secret"
    );
    let built = o.security.mechanism().unwrap();
    for shown in [format!("{o:?}"), format!("{built:?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    assert!(format!("{:?}", o.security).contains("Password(14 octets)"));
    opt::PlainPassword::set(&mut o, Bytes::from_static(b"other")).unwrap();
    assert_eq!(
        opt::PlainPassword::get(&o, &zmtp_model::Options::default()).unwrap(),
        "other"
    );
    assert_eq!(o.security.plain_password.as_bytes(), b"other");
}
