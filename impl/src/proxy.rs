//! The proxy (zmq_proxy) and the steerable proxy (zmq_proxy_steerable).
//!
//! ```text
//!  frontend ──recv──> [capture] ──send──> backend
//!  frontend <──send── [capture] <──recv── backend
//!                control: PAUSE | RESUME | TERMINATE | STATISTICS
//! ```

use zmtp_spec::Message;

use crate::error::{Error, Result};
use crate::socket::Socket;

/// Message and octet counts of one proxy side, as libzmq's STATISTICS
/// reply reports them (counting frames, as libzmq does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SideStatistics {
    /// Frames received.
    pub frames_in: u64,
    /// Octets received.
    pub bytes_in: u64,
    /// Frames sent.
    pub frames_out: u64,
    /// Octets sent.
    pub bytes_out: u64,
}

/// Both sides' counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Statistics {
    /// The frontend socket.
    pub frontend: SideStatistics,
    /// The backend socket.
    pub backend: SideStatistics,
}

impl Statistics {
    /// The STATISTICS reply: eight frames of u64 in native byte order, as
    /// libzmq sends them.
    pub fn to_message(&self) -> Message {
        let f = &self.frontend;
        let b = &self.backend;
        [
            f.frames_in,
            f.bytes_in,
            f.frames_out,
            f.bytes_out,
            b.frames_in,
            b.bytes_in,
            b.frames_out,
            b.bytes_out,
        ]
        .iter()
        .map(|v| bytes::Bytes::copy_from_slice(&v.to_ne_bytes()))
        .collect()
    }
}

/// Forwards messages between `frontend` and `backend` in both directions
/// until one of them fails, copying each to `capture` if given. Runs
/// until an error (a closed socket, say).
///
/// # Errors
/// The first error of a receive or send.
pub async fn proxy(frontend: &Socket, backend: &Socket, capture: Option<&Socket>) -> Result<()> {
    run(frontend, backend, capture, None).await.map(|_| ())
}

/// [`proxy`] with a control socket: a message `PAUSE` stops forwarding,
/// `RESUME` restarts it, `TERMINATE` ends the proxy (returning its
/// statistics), and `STATISTICS` is answered (on REP or PAIR control
/// sockets) with [`Statistics::to_message`].
///
/// # Errors
/// The first error of a receive or send.
pub async fn proxy_steerable(
    frontend: &Socket,
    backend: &Socket,
    capture: Option<&Socket>,
    control: &Socket,
) -> Result<Statistics> {
    run(frontend, backend, capture, Some(control)).await
}

async fn run(
    frontend: &Socket,
    backend: &Socket,
    capture: Option<&Socket>,
    control: Option<&Socket>,
) -> Result<Statistics> {
    let mut stats = Statistics::default();
    let mut paused = false;
    let front_recv = receives(frontend.socket_type());
    let back_recv = receives(backend.socket_type());
    loop {
        enum Got {
            Front(Message),
            Back(Message),
            Control(Message),
        }
        let got = tokio::select! {
            m = frontend.recv(), if front_recv && !paused => Got::Front(m?),
            m = backend.recv(), if back_recv && !paused => Got::Back(m?),
            m = recv_opt(control), if control.is_some() => Got::Control(m?),
        };
        match got {
            Got::Front(m) => {
                count_in(&mut stats.frontend, &m);
                forward(m, backend, &mut stats.backend, capture).await?;
            }
            Got::Back(m) => {
                count_in(&mut stats.backend, &m);
                forward(m, frontend, &mut stats.frontend, capture).await?;
            }
            Got::Control(m) => {
                let command = m.first().map(|f| f.as_ref()).unwrap_or_default();
                match command {
                    b"PAUSE" => paused = true,
                    b"RESUME" => paused = false,
                    b"TERMINATE" => return Ok(stats),
                    b"STATISTICS" => {
                        if let Some(c) = control {
                            c.send(stats.to_message()).await?;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// PUB and PUSH never receive: the proxy does not wait on them.
fn receives(t: zmtp_spec::SocketType) -> bool {
    !matches!(t, zmtp_spec::SocketType::Pub | zmtp_spec::SocketType::Push)
}

async fn recv_opt(s: Option<&Socket>) -> Result<Message> {
    match s {
        Some(s) => s.recv().await,
        None => core::future::pending().await,
    }
}

fn count_in(s: &mut SideStatistics, m: &Message) {
    s.frames_in += m.len() as u64;
    s.bytes_in += m.byte_len() as u64;
}

async fn forward(
    m: Message,
    to: &Socket,
    stats: &mut SideStatistics,
    capture: Option<&Socket>,
) -> Result<()> {
    if let Some(c) = capture {
        // The capture socket must not stall the proxy: drop when full.
        match c.try_send(m.clone()) {
            Ok(()) | Err(Error::WouldBlock) => {}
            Err(e) => return Err(e),
        }
    }
    stats.frames_out += m.len() as u64;
    stats.bytes_out += m.byte_len() as u64;
    to.send(m).await
}
