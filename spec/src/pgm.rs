//! PGM (RFC 3208) as libzmq carries ZeroMQ over it: the packet grammar
//! and its encoder, the checksum as OpenPGM computes it, libzmq's payload
//! convention, and sans-IO sender and receiver machines.
//!
//! ```text
//!   datagram  = pgm-header body [options] [tsdu]          (packet)
//!   pgm-header= sport dport type opts checksum gsi(6) tsdu-length
//!   SPM       = spm-sqn trail lead nla                    (source path)
//!   ODATA     = data-sqn trail options tsdu               (original data)
//!   RDATA     = data-sqn trail options tsdu               (repair)
//!   NAK / NCF = sqn source-nla group-nla options          (NAK list option)
//!   SPMR      = (no body)                                 (SPM request)
//!   tsdu      = offset(2) v1-frames...                    (payload, libzmq)
//! ```
//!
//! epgm carries each packet as one UDP datagram; pgm as the payload of an
//! IP datagram of protocol 113. Requirement IDs `PGM-Rnn` refer to the
//! catalogue's PGM section (paraphrases of RFC 3208 and of libzmq's and
//! OpenPGM's conventions).
//!
//! Nothing here reads a clock or draws randomness: the machines take the
//! time (`Instant`) and a `rand_core` generator as arguments.

pub mod checksum;
pub mod error;
pub mod options;
pub mod packet;
pub mod payload;
pub mod receiver;
pub mod sender;

#[cfg(test)]
mod tests;

pub use packet::{Gsi, Nla, Packet, PacketType, PgmError, Tsi};
pub use receiver::{Receiver, ReceiverConfig, ReceiverEvent};
pub use sender::{RateLimit, Sender, SenderConfig};

/// A datagram one of the machines wants sent, and where to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// The whole PGM packet (header, body, options, data).
    pub packet: Vec<u8>,
    /// Where it goes.
    pub destination: Destination,
}

/// Where a [`Transmit`] goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// The session's multicast group (SPM, ODATA, RDATA, NCF).
    Group,
    /// A source's unicast address, from its SPM (NAK, SPMR go upstream;
    /// PGM-R24).
    Unicast(Nla),
}
