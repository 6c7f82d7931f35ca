//! The draft thread-safe socket types' calls (RFC 41 CLIENT/SERVER; RFC 48
//! RADIO/DISH): a SERVER's messages carry the peer's routing id, a
//! RADIO's and DISH's their group. They are libzmq's
//! `zmq_msg_routing_id`/`zmq_msg_set_routing_id` and
//! `zmq_msg_group`/`zmq_msg_set_group`, as arguments and results instead
//! of message properties.
//!
//! The plain [`Socket::send`]/[`Socket::recv`] work too: SERVER's
//! messages are then `[routing id, body]` (the id as four octets in
//! network order), as ROUTER's are; CLIENT's are single frames.

use bytes::Bytes;
use zmtp_spec::Message;

use super::Socket;
use crate::error::{Error, Result};

/// A routing id as the first frame of a SERVER message.
fn id_frame(routing_id: u32) -> Bytes {
    Bytes::copy_from_slice(&routing_id.to_be_bytes())
}

/// Puts a tag frame (routing id or group) in front of a body.
fn tagged(tag: Bytes, body: Message) -> Message {
    let mut m = body;
    m.push_front(tag);
    m
}

/// Splits a SERVER message into its routing id and body.
fn untag_id(mut m: Message) -> Result<(u32, Message)> {
    let id = m
        .pop_front()
        .and_then(|f| <[u8; 4]>::try_from(&f[..]).ok())
        .map(u32::from_be_bytes)
        .ok_or(Error::InvalidState(
            "this socket type does not tag messages with a routing id",
        ))?;
    Ok((id, m))
}

impl Socket {
    /// SERVER: sends a single-part message to the peer with this routing
    /// id (from [`Socket::recv_from`]), waiting while its queue is full, at
    /// most SNDTIMEO.
    ///
    /// # Errors
    /// [`Error::HostUnreachable`] when no peer has the id (libzmq
    /// EHOSTUNREACH); [`Error::InvalidMessage`] for a multipart body
    /// (37-R56) or on a socket type other than SERVER; as
    /// [`Socket::send`].
    pub async fn send_to(&self, routing_id: u32, body: impl Into<Message>) -> Result<()> {
        self.check_type(
            zmtp_spec::SocketType::Server,
            "send_to is for SERVER sockets",
        )?;
        self.send(tagged(id_frame(routing_id), body.into())).await
    }

    /// [`Socket::send_to`] without waiting.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] when the peer's queue is full, and as
    /// [`Socket::send_to`].
    pub fn try_send_to(&self, routing_id: u32, body: impl Into<Message>) -> Result<()> {
        self.check_type(
            zmtp_spec::SocketType::Server,
            "send_to is for SERVER sockets",
        )?;
        self.try_send(tagged(id_frame(routing_id), body.into()))
    }

    /// SERVER: receives a single-part message and the routing id of the
    /// peer that sent it (reply with [`Socket::send_to`]), waiting at
    /// most RCVTIMEO.
    ///
    /// # Errors
    /// [`Error::InvalidState`] on a socket type other than SERVER; as
    /// [`Socket::recv`].
    pub async fn recv_from(&self) -> Result<(u32, Message)> {
        self.check_type(
            zmtp_spec::SocketType::Server,
            "recv_from is for SERVER sockets",
        )?;
        untag_id(self.recv().await?)
    }

    /// [`Socket::recv_from`] without waiting.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] when no message is waiting, and as
    /// [`Socket::recv_from`].
    pub fn try_recv_from(&self) -> Result<(u32, Message)> {
        self.check_type(
            zmtp_spec::SocketType::Server,
            "recv_from is for SERVER sockets",
        )?;
        untag_id(self.try_recv()?)
    }

    fn check_type(&self, t: zmtp_spec::SocketType, why: &'static str) -> Result<()> {
        if self.shared.socket_type == t {
            Ok(())
        } else {
            Err(Error::InvalidState(why))
        }
    }
}
