//! The draft thread-safe socket types' calls (RFC 41 CLIENT/SERVER; RFC 48
//! RADIO/DISH; RFC 51 PEER): a SERVER's and a PEER's messages carry the
//! peer's routing id, a RADIO's and DISH's their group. They are libzmq's
//! `zmq_msg_routing_id`/`zmq_msg_set_routing_id` and
//! `zmq_msg_group`/`zmq_msg_set_group`, as arguments and results instead
//! of message properties.
//!
//! The plain [`Socket::send`]/[`Socket::recv`] work too: SERVER's and
//! PEER's messages are then `[routing id, body]` (the id as four octets
//! in network order), as ROUTER's are; CLIENT's, SCATTER's, GATHER's and
//! CHANNEL's are single frames; RADIO's and DISH's are `[group, body]`,
//! their form on the wire (G15). PEER connects with
//! [`Socket::connect_peer`], which returns the new peer's routing id.
//!
//! RADIO and DISH run over tcp, ipc and inproc, and over libzmq's
//! `udp://` (48-R31..48-R38; no RFC specifies its datagram): a RADIO
//! connects (`udp://127.0.0.1:5555`, `udp://239.0.0.1:5555`,
//! `udp://eth0;239.0.0.1:5555`) and a DISH binds (`udp://*:5555`, or a
//! multicast group it joins). Over udp no JOIN or LEAVE travels: the
//! RADIO sends every group and the DISH keeps the ones it joined.
//! Malformed datagrams are dropped and counted
//! ([`Socket::dropped_datagrams`]).

use bytes::Bytes;
use zmtp_model::tagging;
use zmtp_spec::Message;

use super::Socket;
use crate::error::{Error, InvalidMessage, InvalidOption, InvalidState, Result};

/// Splits a RADIO/DISH message into its group and body.
fn untag_group(m: Message) -> Result<(Bytes, Message)> {
    tagging::split_group(m).ok_or(Error::InvalidMessage(InvalidMessage::InvalidGroup))
}

/// Splits a SERVER message into its routing id and body.
fn untag_id(m: Message) -> Result<(u32, Message)> {
    tagging::split_routing_id(m).ok_or(Error::InvalidMessage(InvalidMessage::NoRoutingId))
}

impl Socket {
    /// SERVER and PEER: sends a single-part message to the peer with this
    /// routing id (from [`Socket::recv_from`], or PEER's
    /// [`Socket::connect_peer`]), waiting while its queue is full, at most
    /// SNDTIMEO.
    ///
    /// # Errors
    /// [`Error::HostUnreachable`] when no peer has the id (libzmq
    /// EHOSTUNREACH); [`Error::InvalidMessage`] for a multipart body
    /// (37-R56); [`Error::InvalidState`] on a socket type other than
    /// SERVER and PEER; as [`Socket::send`].
    pub async fn send_to(&self, routing_id: u32, body: impl Into<Message>) -> Result<()> {
        self.check_routed("send_to")?;
        self.send(tagging::with_routing_id(routing_id, body.into()))
            .await
    }

    /// [`Socket::send_to`] without waiting.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] when the peer's queue is full, and as
    /// [`Socket::send_to`].
    pub fn try_send_to(&self, routing_id: u32, body: impl Into<Message>) -> Result<()> {
        self.check_routed("send_to")?;
        self.try_send(tagging::with_routing_id(routing_id, body.into()))
    }

    /// SERVER and PEER: receives a single-part message and the routing id
    /// of the peer that sent it (reply with [`Socket::send_to`]), waiting
    /// at most RCVTIMEO.
    ///
    /// # Errors
    /// [`Error::InvalidState`] on a socket type other than SERVER and
    /// PEER; as [`Socket::recv`].
    pub async fn recv_from(&self) -> Result<(u32, Message)> {
        self.check_routed("recv_from")?;
        untag_id(self.recv().await?)
    }

    /// [`Socket::recv_from`] without waiting.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] when no message is waiting, and as
    /// [`Socket::recv_from`].
    pub fn try_recv_from(&self) -> Result<(u32, Message)> {
        self.check_routed("recv_from")?;
        untag_id(self.try_recv()?)
    }

    /// RADIO: sends a single-part message to the group: to every peer
    /// that joined it (checked here, 37-R52), as the group frame then the
    /// body. Never waits: a peer whose queue is full misses it (RFC 48).
    ///
    /// # Errors
    /// [`Error::InvalidMessage`] for a multipart body (37-R56) or a group
    /// over 255 octets or holding a zero octet; [`Error::InvalidState`]
    /// on a socket type other than RADIO; [`Error::Closed`].
    pub fn send_group(&self, group: impl Into<Bytes>, body: impl Into<Message>) -> Result<()> {
        self.check_type(zmtp_spec::SocketType::Radio, "send_group")?;
        self.try_send(tagging::with_group(group.into(), body.into()))
    }

    /// DISH: receives a message of a group it joined, with the group,
    /// waiting at most RCVTIMEO.
    ///
    /// # Errors
    /// [`Error::InvalidState`] on a socket type other than DISH; as
    /// [`Socket::recv`].
    pub async fn recv_group(&self) -> Result<(Bytes, Message)> {
        self.check_type(zmtp_spec::SocketType::Dish, "recv_group")?;
        untag_group(self.recv().await?)
    }

    /// [`Socket::recv_group`] without waiting.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] when no message is waiting, and as
    /// [`Socket::recv_group`].
    pub fn try_recv_group(&self) -> Result<(Bytes, Message)> {
        self.check_type(zmtp_spec::SocketType::Dish, "recv_group")?;
        untag_group(self.try_recv()?)
    }

    /// DISH: joins a group (libzmq `zmq_join`): JOIN goes to every
    /// connected RADIO and to each that connects later (37-R53).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] on a socket type other than DISH, for a
    /// group already joined, or one over 255 octets or holding a zero
    /// octet (libzmq EINVAL).
    pub fn join(&self, group: impl Into<Bytes>) -> Result<()> {
        self.group(group.into(), true)
    }

    /// DISH: leaves a group (libzmq `zmq_leave`): LEAVE goes to every
    /// connected RADIO (37-R54); messages of the group not yet received
    /// are discarded.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] on a socket type other than DISH or for a
    /// group not joined (libzmq EINVAL).
    pub fn leave(&self, group: impl Into<Bytes>) -> Result<()> {
        self.group(group.into(), false)
    }

    fn group(&self, group: Bytes, join: bool) -> Result<()> {
        let mut core = self.shared.lock();
        core.pattern.group(group, join).map_err(|e| {
            let option = if join { "ZMQ_JOIN" } else { "ZMQ_LEAVE" };
            Error::option(
                option,
                match e {
                    zmtp_model::OptionError::NotApplicable { socket_type, .. } => {
                        InvalidOption::NotApplicable(socket_type)
                    }
                    _ if join => InvalidOption::JoinRefused,
                    _ => InvalidOption::NotJoined,
                },
            )
        })?;
        // Wake the links so the JOIN/LEAVE is written.
        core.dispatch();
        Ok(())
    }

    /// SERVER's calls, which PEER shares.
    fn check_routed(&self, call: &'static str) -> Result<()> {
        if self.shared.socket_type == zmtp_spec::SocketType::Peer {
            return Ok(());
        }
        self.check_type(zmtp_spec::SocketType::Server, call)
    }

    pub(super) fn check_type(
        &self,
        socket_type: zmtp_spec::SocketType,
        call: &'static str,
    ) -> Result<()> {
        if self.shared.socket_type == socket_type {
            Ok(())
        } else {
            Err(Error::InvalidState(InvalidState::WrongSocketType {
                call,
                socket_type,
            }))
        }
    }
}
