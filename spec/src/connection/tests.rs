//! Connection machine tests: two machines back to back with virtual time
//! (see [`super::harness`]), and scripted peers built with the wire
//! encoder.

use super::harness::Pair;
use super::*;
use crate::SocketType;

#[test]
fn null_handshake_dealer_router() {
    let mut pair = Pair::new(
        Config::new(SocketType::Dealer),
        Config::new(SocketType::Router),
    )
    .expect("valid configs");
    pair.drive();
    assert!(pair.is_active());
    assert_eq!(
        pair.client.peer().and_then(|p| p.socket_type),
        Some(SocketType::Router)
    );
}
