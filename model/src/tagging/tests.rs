use super::*;
use crate::testutil::*;

#[test]
fn routing_ids_round_trip_in_network_order() {
    let m = with_routing_id(0x0102_0304, msg(&["body"]));
    assert_eq!(m.frames()[0].as_ref(), [1, 2, 3, 4]);
    assert_eq!(split_routing_id(m), Some((0x0102_0304, msg(&["body"]))));
    assert_eq!(
        split_routing_id(msg(&["abc", "x"])),
        None,
        "not four octets"
    );
    assert_eq!(split_routing_id(Message::default()), None);
}

#[test]
fn groups_round_trip() {
    let m = with_group(b("g"), msg(&["body"]));
    assert_eq!(m, msg(&["g", "body"]));
    assert_eq!(split_group(m), Some((b("g"), msg(&["body"]))));
    assert_eq!(split_group(Message::default()), None);
}
