//! NORM (RFC 5740) as libzmq's `norm://` transport carries ZeroMQ over
//! libnorm: the packet grammar and its encoder, the quantized fields,
//! libzmq's framing inside the stream, and sans-IO sender and receiver
//! machines.
//!
//! ```text
//!   datagram = common-header body [extensions] [payload]
//!   common   = version/type hdr-len sequence source-id          (NORM-R01)
//!   DATA     = instance grtt backoff/gsize flags fec-id object
//!              block/symbol EXT_FTI stream-payload              (NORM-R02..R04)
//!   CMD      = instance grtt backoff/gsize flavour ...          (NORM-R05, R07)
//!   ACK/NACK = server instance ... grtt-response [EXT_CC] ...   (NORM-R08, R09)
//!   stream   = *(flag v2-frame)                                 (NORM-R10)
//! ```
//!
//! Requirement IDs `NORM-Rnn` refer to the catalogue's NORM section.
//! Nothing here reads a clock or draws randomness: the machines take the
//! time (`Instant`) and a `rand_core` generator as arguments.

pub mod build;
mod error;
pub mod fec;
pub mod packet;
pub mod quantize;
pub mod receiver;
pub mod sender;
pub mod stream;
#[cfg(test)]
mod tests;

pub use error::NormError;
pub use packet::{Cmd, Data, Header, MsgType, Packet, StreamPayload, parse};
pub use receiver::{Receiver, ReceiverConfig, ReceiverEvent};
pub use sender::{Sender, SenderConfig};

/// A datagram one of the machines wants sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// The whole NORM packet.
    pub packet: Vec<u8>,
    /// Where it goes: `None` for the session address (the group), or a
    /// sender's address for unicast feedback.
    pub to: Option<std::net::SocketAddr>,
}
