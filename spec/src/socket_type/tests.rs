use super::SocketType;

#[test]
fn names_round_trip_and_are_case_sensitive_on_the_wire() {
    for t in SocketType::ALL {
        assert_eq!(SocketType::from_wire(t.as_str().as_bytes()), Some(t));
        // G16: the wire form is the exact upper-case string.
        assert_eq!(
            SocketType::from_wire(t.as_str().to_lowercase().as_bytes()),
            None
        );
    }
    assert_eq!(SocketType::from_wire(b"STREAM"), None);
    assert_eq!(SocketType::from_wire(b""), None);
}

#[test]
fn compatibility_table_is_symmetric_and_matches_rfc37() {
    // zmtp-wire.md section 5.
    let expected: &[(SocketType, &[SocketType])] = {
        use SocketType::*;
        &[
            (Req, &[Rep, Router]),
            (Rep, &[Req, Dealer]),
            (Dealer, &[Rep, Dealer, Router]),
            (Router, &[Req, Dealer, Router]),
            (Pub, &[Sub, XSub]),
            (XPub, &[Sub, XSub]),
            (Sub, &[Pub, XPub]),
            (XSub, &[Pub, XPub]),
            (Push, &[Pull]),
            (Pull, &[Push]),
            (Pair, &[Pair]),
            (Client, &[Server]),
            (Server, &[Client]),
            (Radio, &[Dish]),
            (Dish, &[Radio]),
            (Scatter, &[Gather]),
            (Gather, &[Scatter]),
            (Peer, &[Peer]),
            (Channel, &[Channel]),
        ]
    };
    for &(a, peers) in expected {
        for b in SocketType::ALL {
            assert_eq!(a.is_compatible_with(b), peers.contains(&b), "{a} with {b}");
            assert_eq!(
                a.is_compatible_with(b),
                b.is_compatible_with(a),
                "{a} with {b}"
            );
        }
    }
}

#[test]
fn zmtp2_codes_round_trip_for_classic_types_only() {
    for t in SocketType::ALL {
        match t.zmtp2_code() {
            Some(code) => assert_eq!(SocketType::from_zmtp2_code(code), Some(t)),
            None => assert!(t.is_thread_safe()),
        }
    }
    assert_eq!(SocketType::from_zmtp2_code(11), None);
}

#[test]
fn from_str_is_case_insensitive_for_the_api() {
    assert_eq!("dealer".parse::<SocketType>(), Ok(SocketType::Dealer));
    assert!("nope".parse::<SocketType>().is_err());
}

#[test]
fn stream_is_raw_and_no_wire_name() {
    assert!(SocketType::Stream.is_raw());
    assert!(!SocketType::ALL.contains(&SocketType::Stream));
    assert_eq!(
        SocketType::from_wire(b"STREAM"),
        None,
        "never a Socket-Type"
    );
    assert_eq!(SocketType::from_name(b"STREAM"), Some(SocketType::Stream));
    assert_eq!("stream".parse::<SocketType>(), Ok(SocketType::Stream));
    for t in SocketType::ALL {
        assert!(!SocketType::Stream.is_compatible_with(t));
        assert!(!t.is_raw());
    }
    assert_eq!(SocketType::Stream.zmtp2_code(), None);
}
