use super::*;

#[test]
fn only_a_connecting_radio_and_a_binding_dish_48_r36() {
    assert!(check_role(SocketType::Radio, false).is_ok());
    assert!(check_role(SocketType::Dish, true).is_ok());
    for (t, bind) in [
        (SocketType::Radio, true),
        (SocketType::Dish, false),
        (SocketType::Pub, true),
        (SocketType::Sub, false),
    ] {
        assert!(matches!(
            check_role(t, bind),
            Err(Error::IncompatibleTransport { socket_type, .. }) if socket_type == t
        ));
    }
}

#[test]
fn the_peer_is_the_other_end_by_datagram_48_r35() {
    let p = peer_info(SocketType::Radio);
    assert_eq!(p.socket_type, Some(SocketType::Dish));
    assert!(p.is_datagram());
    assert_eq!(
        peer_info(SocketType::Dish).socket_type,
        Some(SocketType::Radio)
    );
}

#[test]
fn a_refused_send_is_not_the_end() {
    assert!(transient(&io::ErrorKind::ConnectionRefused.into()));
    assert!(!transient(&io::ErrorKind::PermissionDenied.into()));
}

#[test]
fn drops_are_counted_with_the_last_reason() {
    let drops = SharedDrops::default();
    record(&drops, DroppedDatagram::Malformed(DatagramError::Empty));
    record(
        &drops,
        DroppedDatagram::Refused(io::ErrorKind::ConnectionRefused),
    );
    let d = drops.lock().expect("lock").clone();
    assert_eq!(d.count, 2);
    assert_eq!(
        d.last,
        Some(DroppedDatagram::Refused(io::ErrorKind::ConnectionRefused))
    );
}
