use super::*;

#[test]
fn a_box_opens_only_untouched_and_with_the_right_keys() {
    let a = Keys::generate();
    let b = Keys::generate();
    let n = short(HELLO, 7);
    let boxed = seal(&b.public, &a.secret, &n, b"payload");
    assert_eq!(boxed.len(), 16 + 7);
    assert_eq!(
        open(&a.public, &b.secret, &n, &boxed).as_deref(),
        Some(&b"payload"[..])
    );
    let mut bad = boxed.clone();
    bad[20] ^= 1;
    assert!(open(&a.public, &b.secret, &n, &bad).is_none());
    assert!(open(&a.public, &b.secret, &short(HELLO, 8), &boxed).is_none());
    assert!(open(&Keys::generate().public, &b.secret, &n, &boxed).is_none());
}

#[test]
fn the_raw_hello_is_what_spec_parses_as_g_c1() {
    let server = Keys::generate();
    let mut c = Client::new(server.public);
    let hello = c.hello();
    assert_eq!(hello.len(), 200, "26-R06");
    let parsed = zmtp_spec::security::curve::commands::Hello::parse(&hello[6..]).expect("G-C1");
    assert_eq!(parsed.nonce, 1);
    assert_eq!(parsed.client_transient.as_bytes(), &c.transient.public);
    let plain = open(
        &c.transient.public,
        &server.secret,
        &short(HELLO, 1),
        &parsed.signature,
    );
    assert_eq!(plain.as_deref(), Some(&[0u8; 64][..]), "26-R13");
    assert_eq!(c.nonce, 2, "26-R18: the next command takes the next nonce");
}

#[test]
fn a_welcome_from_the_wrong_key_is_refused() {
    let server = Keys::generate();
    let mut c = Client::new(server.public);
    let _ = c.hello();
    let ln = unique16();
    let mut body = b"\x07WELCOME".to_vec();
    body.extend_from_slice(&ln);
    let impostor = Keys::generate();
    body.extend(seal(
        &c.transient.public,
        &impostor.secret,
        &long(WELCOME, &ln),
        &[0u8; 128],
    ));
    assert_eq!(body.len(), 168);
    assert!(c.welcome(&body).is_err());
    let mut good = b"\x07WELCOME".to_vec();
    good.extend_from_slice(&ln);
    good.extend(seal(
        &c.transient.public,
        &server.secret,
        &long(WELCOME, &ln),
        &[9u8; 128],
    ));
    assert!(c.welcome(&good).is_ok());
    assert_eq!(c.server_transient, [9u8; 32]);
}
