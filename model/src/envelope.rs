//! Envelopes, written once: REQ's empty delimiter and request id, REP's
//! envelope stack, ROUTER's routing-id frame.

use bytes::Bytes;
use zmtp_spec::Message;

/// Wraps a REQ request: an empty delimiter in front (28-R02, 28-R03) and,
/// with REQ_CORRELATE, the 4-octet request id before it.
pub(crate) fn wrap_request(mut msg: Message, request_id: Option<u32>) -> Message {
    if !zmtp_spec::mutant!(ReqNoDelimiter) {
        msg.push_front(Bytes::new());
    }
    if let Some(id) = request_id {
        msg.push_front(Bytes::copy_from_slice(&id.to_be_bytes()));
    }
    msg
}

/// Unwraps a reply to REQ: checks the request id (when correlating) and
/// the empty delimiter, and returns the body, which must have at least one
/// frame. `None` means the reply is malformed or stale and is discarded
/// (28-R08).
pub(crate) fn unwrap_reply(mut msg: Message, request_id: Option<u32>) -> Option<Message> {
    if let Some(id) = request_id {
        let frame = msg.pop_front()?;
        if frame.as_ref() != id.to_be_bytes() {
            return None;
        }
    }
    let delimiter = msg.pop_front()?;
    if !delimiter.is_empty() || msg.is_empty() {
        return None;
    }
    Some(msg)
}

/// Splits a request arriving at REP into its envelope (every frame up to
/// and including the first empty one: 28-R11, 28-R13) and its body (28-R14).
/// `None` when there is no delimiter or no body frame: such a request is
/// discarded, as libzmq does. The body keeps the request's connection
/// properties (27-R25: its `User-Id` and the peer's metadata).
pub(crate) fn split_request(mut msg: Message) -> Option<(Vec<Bytes>, Message)> {
    let delimiter = msg.frames().iter().position(Bytes::is_empty)?;
    if delimiter + 1 >= msg.len() {
        return None;
    }
    let envelope = msg.frames_mut().drain(..=delimiter).collect();
    Some((envelope, msg))
}

/// Puts a stored envelope back in front of a reply (28-R16).
pub(crate) fn wrap_reply(envelope: &[Bytes], body: Message) -> Message {
    let mut frames = if zmtp_spec::mutant!(RepEnvelopeDropped) {
        Vec::new()
    } else {
        envelope.to_vec()
    };
    frames.extend(body);
    Message::from(frames)
}

/// Prefixes a message with the routing id of the peer it came from
/// (28-R38).
pub(crate) fn prefix_routing_id(routing_id: Bytes, mut msg: Message) -> Message {
    msg.push_front(routing_id);
    msg
}

/// Takes the destination routing id off an outgoing ROUTER message (28-R40).
pub(crate) fn take_routing_id(mut msg: Message) -> Option<(Bytes, Message)> {
    let id = msg.pop_front()?;
    Some((id, msg))
}

#[cfg(test)]
mod tests;
