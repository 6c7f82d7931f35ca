//! The optional `curve` argument of the throughput and latency tools, as
//! libzmq's perf tools take it: the binding end is a CURVE server, the
//! connecting end its client, and every message is boxed.
//!
//! Both ends run in separate processes, so they use fixed key pairs: the
//! published test keys of the ZeroMQ guide's "Ironhouse" example (also
//! used by libzmq's own tests). They are for measuring only; never use
//! them to protect anything.

use bytes::Bytes;
use zmtp::{Socket, opt};

use crate::error::PerfError;

/// The server's public key (Z85).
pub const SERVER_PUBLIC: &str = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
/// The server's secret key (Z85).
pub const SERVER_SECRET: &str = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
/// The client's public key (Z85).
pub const CLIENT_PUBLIC: &str = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
/// The client's secret key (Z85).
pub const CLIENT_SECRET: &str = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

/// The security mechanism a measurement runs with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Security {
    /// No security (the default, as in libzmq's tools).
    #[default]
    Null,
    /// CURVE, the binding end as the server.
    Curve,
}

impl Security {
    /// Reads the optional trailing argument: none, or `curve`.
    ///
    /// # Errors
    /// [`PerfError::Usage`] for anything else.
    pub fn from_arg(arg: Option<&str>) -> Result<Self, PerfError> {
        match arg {
            None => Ok(Self::Null),
            Some("curve") => Ok(Self::Curve),
            Some(other) => Err(PerfError::Usage(format!(
                "the optional last argument is `curve`, not {other:?}"
            ))),
        }
    }

    /// Configures the binding (server) end.
    ///
    /// # Errors
    /// What setting the options returns.
    pub fn apply_to_binder(self, socket: &Socket) -> Result<(), PerfError> {
        if self == Self::Curve {
            socket.set(opt::CurveServer, true)?;
            socket.set(
                opt::CurvePublicKey,
                Bytes::from_static(SERVER_PUBLIC.as_bytes()),
            )?;
            socket.set(
                opt::CurveSecretKey,
                Bytes::from_static(SERVER_SECRET.as_bytes()),
            )?;
        }
        Ok(())
    }

    /// Configures the connecting (client) end.
    ///
    /// # Errors
    /// What setting the options returns.
    pub fn apply_to_connecter(self, socket: &Socket) -> Result<(), PerfError> {
        if self == Self::Curve {
            socket.set(
                opt::CurveServerKey,
                Bytes::from_static(SERVER_PUBLIC.as_bytes()),
            )?;
            socket.set(
                opt::CurvePublicKey,
                Bytes::from_static(CLIENT_PUBLIC.as_bytes()),
            )?;
            socket.set(
                opt::CurveSecretKey,
                Bytes::from_static(CLIENT_SECRET.as_bytes()),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
