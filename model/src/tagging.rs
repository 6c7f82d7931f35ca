//! How the draft types' messages carry their tag, written once for the
//! machine and for the drivers' calls: a SERVER message is `[routing id,
//! body]` with the peer's 32-bit routing id as four octets in network
//! order (RFC 41; only the body crosses the wire), a RADIO or DISH message
//! is `[group, body]`, which is also its form on the wire (RFC 48).
//! libzmq carries the same tags as message properties
//! (`zmq_msg_routing_id`, `zmq_msg_group`).

use bytes::Bytes;
use zmtp_spec::Message;

/// A SERVER routing id as the frame in front of its messages.
pub fn routing_id_frame(routing_id: u32) -> Bytes {
    Bytes::copy_from_slice(&routing_id.to_be_bytes())
}

/// The routing id a frame holds, if it is four octets.
pub fn frame_routing_id(frame: &[u8]) -> Option<u32> {
    <[u8; 4]>::try_from(frame).ok().map(u32::from_be_bytes)
}

/// A SERVER message: the routing id in front of the body.
pub fn with_routing_id(routing_id: u32, body: Message) -> Message {
    with_tag(routing_id_frame(routing_id), body)
}

/// Splits a SERVER message into its routing id and body; `None` if the
/// first frame is not a routing id.
pub fn split_routing_id(mut msg: Message) -> Option<(u32, Message)> {
    let id = frame_routing_id(&msg.pop_front()?)?;
    Some((id, msg))
}

/// A RADIO/DISH message: the group in front of the body.
pub fn with_group(group: Bytes, body: Message) -> Message {
    with_tag(group, body)
}

/// Splits a RADIO/DISH message into its group and body; `None` for a
/// message with no frame.
pub fn split_group(mut msg: Message) -> Option<(Bytes, Message)> {
    let group = msg.pop_front()?;
    Some((group, msg))
}

fn with_tag(tag: Bytes, mut body: Message) -> Message {
    body.push_front(tag);
    body
}

#[cfg(test)]
mod tests;
