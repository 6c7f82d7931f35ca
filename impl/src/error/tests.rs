//! Display, source chains and fault classification of the public errors.

use std::error::Error as _;

use super::*;

/// The messages of an error and of its sources, outermost first.
fn chain(e: &Error) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        out.push(s.to_string());
        source = s.source();
    }
    out
}

fn peer_error() -> PeerError {
    PeerError::InvalidSocketType(Some(Bytes::from_static(b"PUB")))
}

#[test]
fn typed_reasons_are_part_of_the_message() {
    assert_eq!(
        Error::InvalidState(InvalidState::ReqAwaitingReply).to_string(),
        "invalid state: a REQ socket must receive the reply before it sends again (28-R01)"
    );
    assert_eq!(
        Error::InvalidState(InvalidState::CannotSend(SocketType::Pull)).to_string(),
        "invalid state: PULL sockets do not send"
    );
    assert_eq!(
        Error::InvalidState(InvalidState::WrongSocketType {
            call: "send_to",
            socket_type: SocketType::Server,
        })
        .to_string(),
        "invalid state: send_to is for SERVER sockets"
    );
    assert_eq!(
        Error::InvalidMessage(InvalidMessage::NoFrames).to_string(),
        "invalid message: a message needs at least one frame"
    );
    assert_eq!(
        Error::endpoint("tcp://h", InvalidEndpoint::MissingPort).to_string(),
        "invalid endpoint \"tcp://h\": missing port"
    );
    assert_eq!(
        Error::option("ZMQ_ZAP_DOMAIN", InvalidOption::TooLong { max: 255 }).to_string(),
        "invalid option ZMQ_ZAP_DOMAIN: longer than 255 octets"
    );
    assert_eq!(
        Error::option(
            "ZMQ_ROUTER_MANDATORY",
            InvalidOption::NotApplicable(SocketType::Dealer)
        )
        .to_string(),
        "invalid option ZMQ_ROUTER_MANDATORY: does not apply to DEALER sockets"
    );
    assert_eq!(
        Error::UnsupportedSocketType(SocketType::Scatter).to_string(),
        "socket type SCATTER is not supported"
    );
    // A reason is not a cause: these errors have no source.
    for e in [
        Error::InvalidState(InvalidState::RepNoRequest),
        Error::InvalidMessage(InvalidMessage::Multipart),
        Error::endpoint("x", InvalidEndpoint::NoTransport),
        Error::option("ZMQ_JOIN", InvalidOption::JoinRefused),
        Error::Closed,
        Error::WouldBlock,
    ] {
        assert!(e.source().is_none(), "{e}");
    }
}

#[test]
fn a_peer_fault_names_what_the_peer_did_and_its_rule_is_the_source() {
    let e = Error::Peer(PeerFault::Misbehaved(peer_error()));
    let chain = chain(&e);
    assert_eq!(chain.len(), 2, "{chain:?}");
    assert_eq!(
        chain[0],
        "the peer broke the protocol, is incompatible or failed authentication"
    );
    assert_eq!(chain[1], peer_error().to_string());
    assert!(chain[1].contains("37-R33"));
    let source = e.source().and_then(|s| s.downcast_ref::<PeerError>());
    assert_eq!(source, Some(&peer_error()));

    let silent = Error::Peer(PeerFault::Silent(Timeout::Heartbeat));
    assert_eq!(silent.to_string(), "the peer went silent");
    assert_eq!(
        silent.source().and_then(|s| s.downcast_ref::<Timeout>()),
        Some(&Timeout::Heartbeat)
    );
}

#[test]
fn the_reason_a_peer_sent_is_shown_escaped() {
    let e = Error::Peer(PeerFault::Refused(Bytes::from_static(b"400")));
    assert_eq!(e.to_string(), "the peer sent ERROR \"400\"");
    assert!(e.source().is_none());
    // A reason is octets from the wire: shown, never trusted as text.
    let odd = Error::Peer(PeerFault::Refused(Bytes::from_static(b"a\nb\xff")));
    assert_eq!(odd.to_string(), "the peer sent ERROR \"a\\nb\\xff\"");
}

#[test]
fn our_side_failing_keeps_the_local_error_as_source() {
    let e = Error::Local(LocalError::InvalidRoutingId);
    assert_eq!(
        chain(&e),
        [
            "our side of the connection failed".to_owned(),
            LocalError::InvalidRoutingId.to_string(),
        ]
    );
}

#[test]
fn an_io_error_is_shown_as_itself() {
    let io = io::Error::new(io::ErrorKind::AddrInUse, "Address already in use");
    let e = Error::from(io);
    assert_eq!(e.to_string(), "Address already in use");
    assert!(matches!(&e, Error::Io(io) if io.kind() == io::ErrorKind::AddrInUse));
}

#[test]
fn address_in_use_names_the_endpoint_whatever_the_transport() {
    let io = io::Error::new(io::ErrorKind::AddrInUse, "Address already in use");
    let e = Error::Io(io).in_use_at("tcp://127.0.0.1:5555");
    assert!(matches!(&e, Error::AddressInUse(ep) if ep == "tcp://127.0.0.1:5555"));
    assert_eq!(
        e.to_string(),
        "cannot bind tcp://127.0.0.1:5555: the address is already in use"
    );
    // Another refusal of the system stays what it is.
    let denied = Error::Io(io::Error::from(io::ErrorKind::PermissionDenied)).in_use_at("ipc:///x");
    assert!(matches!(denied, Error::Io(_)));
}

#[test]
fn flow_errors_say_what_ran_out() {
    assert!(Error::TimedOut.to_string().contains("SNDTIMEO or RCVTIMEO"));
    assert!(Error::WouldBlock.to_string().contains("SNDHWM"));
    let req = Error::InvalidState(InvalidState::ReqAwaitingReply).to_string();
    assert!(
        req.contains("must receive the reply before it sends again"),
        "{req}"
    );
}

#[test]
fn every_variant_has_its_fault() {
    let cases = [
        (
            Error::InvalidState(InvalidState::BlockingInAsync),
            Fault::Application,
        ),
        (
            Error::InvalidMessage(InvalidMessage::InvalidGroup),
            Fault::Application,
        ),
        (
            Error::endpoint("x", InvalidEndpoint::WildcardIpc),
            Fault::Application,
        ),
        (
            Error::option("ZMQ_TYPE", InvalidOption::ReadOnly),
            Fault::Application,
        ),
        (
            Error::UnsupportedTransport("pgm://x".into()),
            Fault::Application,
        ),
        (
            Error::UnavailableTransport {
                endpoint: "tipc://<*>".into(),
                reason: UnavailableTransport::Tipc,
            },
            Fault::Application,
        ),
        (
            Error::UnsupportedSocketType(SocketType::Peer),
            Fault::Application,
        ),
        (
            Error::EndpointNotFound("inproc://x".into()),
            Fault::Application,
        ),
        (Error::AddressInUse("inproc://x".into()), Fault::Application),
        (Error::UnknownOption("ZMQ_X".into()), Fault::Application),
        (Error::Closed, Fault::Application),
        (Error::Local(LocalError::Closed), Fault::Application),
        (
            Error::Peer(PeerFault::Misbehaved(peer_error())),
            Fault::Peer,
        ),
        (Error::Peer(PeerFault::Refused(Bytes::new())), Fault::Peer),
        (
            Error::Peer(PeerFault::Silent(Timeout::Handshake)),
            Fault::Peer,
        ),
        (Error::Io(io::Error::other("x")), Fault::Io),
        (Error::WouldBlock, Fault::Flow),
        (Error::TimedOut, Fault::Flow),
        (Error::HostUnreachable, Fault::Flow),
    ];
    for (e, fault) in cases {
        assert_eq!(e.fault(), fault, "{e:?}");
        assert_eq!(
            e.is_again(),
            matches!(e, Error::WouldBlock | Error::TimedOut),
            "{e:?}"
        );
    }
}

#[test]
fn a_connection_error_is_classified_by_who_ended_it() {
    let by = |c: ConnectionError| Error::from_connection(&c).map(|e| e.fault());
    assert!(matches!(
        Error::from_connection(&ConnectionError::Peer(peer_error())),
        Some(Error::Peer(PeerFault::Misbehaved(e))) if e == peer_error()
    ));
    assert!(matches!(
        Error::from_connection(&ConnectionError::ErrorReceived(Bytes::from_static(b"bye"))),
        Some(Error::Peer(PeerFault::Refused(r))) if r == "bye"
    ));
    assert!(matches!(
        Error::from_connection(&ConnectionError::Timeout(Timeout::PeerTtl)),
        Some(Error::Peer(PeerFault::Silent(Timeout::PeerTtl)))
    ));
    assert_eq!(
        by(ConnectionError::Local(LocalError::InvalidRoutingId)),
        Some(Fault::Application)
    );
}
