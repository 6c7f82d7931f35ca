use super::*;

#[test]
fn the_optional_argument_is_curve_or_nothing() {
    assert_eq!(Security::from_arg(None).unwrap(), Security::Null);
    assert_eq!(Security::from_arg(Some("curve")).unwrap(), Security::Curve);
    assert!(matches!(
        Security::from_arg(Some("plain")),
        Err(PerfError::Usage(_))
    ));
}

#[test]
fn the_fixed_keys_are_pairs() {
    use zmtp::security::SecretKey;
    for (public, secret) in [
        (SERVER_PUBLIC, SERVER_SECRET),
        (CLIENT_PUBLIC, CLIENT_SECRET),
    ] {
        let secret = SecretKey::from_slice(secret.as_bytes()).expect("valid Z85 secret");
        assert_eq!(secret.public_key().to_z85(), public);
    }
}
