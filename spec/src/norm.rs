//! NORM (RFC 5740) packets as libnorm sends them for libzmq's `norm://`
//! transport: the common header, NORM_DATA for a stream object (with its
//! EXT_FTI extension and stream payload header) and the NORM_CMD flavours
//! FLUSH and CC. Reading only; no I/O, no clock. The transport itself is
//! not built yet (issue 16): this is the grammar it will stand on.

mod error;
pub mod packet;
#[cfg(test)]
mod tests;

pub use error::NormError;
pub use packet::{Cmd, Data, Header, MsgType, Packet, StreamPayload, parse};
