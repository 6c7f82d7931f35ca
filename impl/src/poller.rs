//! A poller over many sockets (zmq_poll): which are readable (a receive
//! would return a message) or writable (a send would be taken).

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use tokio::sync::futures::Notified;

use crate::error::Result;
use crate::socket::Socket;

/// What to wait for on one socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Interest {
    /// A receive would return a message (ZMQ_POLLIN).
    pub readable: bool,
    /// A send would be taken (ZMQ_POLLOUT).
    pub writable: bool,
}

impl Interest {
    /// Readable only.
    pub const READABLE: Self = Self {
        readable: true,
        writable: false,
    };
    /// Writable only.
    pub const WRITABLE: Self = Self {
        readable: false,
        writable: true,
    };
    /// Both.
    pub const BOTH: Self = Self {
        readable: true,
        writable: true,
    };

    fn any(self) -> bool {
        self.readable || self.writable
    }
}

/// Waits on several sockets at once.
///
/// ```no_run
/// # async fn f(a: &zmtp::Socket, b: &zmtp::Socket) -> zmtp::Result<()> {
/// use zmtp::poller::{Interest, Poller};
/// let mut poller = Poller::new();
/// poller.add(a, Interest::READABLE);
/// poller.add(b, Interest::READABLE);
/// let ready = poller.poll(None).await?;
/// if ready[0].readable {
///     let _m = a.try_recv()?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Poller<'a> {
    items: Vec<(&'a Socket, Interest)>,
}

impl<'a> Poller<'a> {
    /// An empty poller.
    pub fn new() -> Self {
        Self { items: Vec::new() }
    }

    /// Adds a socket; returns its index in the results.
    pub fn add(&mut self, socket: &'a Socket, interest: Interest) -> usize {
        self.items.push((socket, interest));
        self.items.len() - 1
    }

    /// The readiness of each socket now, without waiting (restricted to
    /// what was asked for).
    pub fn check(&self) -> Vec<Interest> {
        self.items
            .iter()
            .map(|(s, want)| Interest {
                readable: want.readable && s.is_readable(),
                writable: want.writable && s.is_writable(),
            })
            .collect()
    }

    /// Waits until at least one socket is ready or the timeout passes
    /// (`None` waits forever); returns each socket's readiness, all false
    /// after a timeout.
    ///
    /// # Errors
    /// None today; the `Result` leaves room for closed-socket reporting.
    pub async fn poll(&self, timeout: Option<Duration>) -> Result<Vec<Interest>> {
        let wait = async {
            loop {
                // Register before checking, so no wake-up is lost.
                let mut waits: Vec<Pin<Box<Notified<'_>>>> = Vec::new();
                for (s, want) in &self.items {
                    if want.readable {
                        waits.push(Box::pin(s.shared.readable.notified()));
                    }
                    if want.writable {
                        waits.push(Box::pin(s.shared.writable.notified()));
                    }
                }
                for w in &mut waits {
                    w.as_mut().enable();
                }
                let ready = self.check();
                if ready.iter().any(|r| r.any()) {
                    return ready;
                }
                AnyOf(waits).await;
            }
        };
        Ok(match timeout {
            None => wait.await,
            Some(d) => tokio::time::timeout(d, wait)
                .await
                .unwrap_or_else(|_| vec![Interest::default(); self.items.len()]),
        })
    }
}

impl Poller<'_> {
    /// [`Poller::poll`] from a plain thread (the blocking facade).
    ///
    /// # Errors
    /// [`crate::Error::InvalidState`] if called from async code.
    pub fn poll_blocking(&self, timeout: Option<Duration>) -> Result<Vec<Interest>> {
        let Some((first, _)) = self.items.first() else {
            return Ok(Vec::new());
        };
        crate::runtime::block_on(&first.shared.ctx.handle, self.poll(timeout))?
    }
}

/// Completes when any of the notifications fires.
struct AnyOf<'a>(Vec<Pin<Box<Notified<'a>>>>);

impl Future for AnyOf<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.is_empty() {
            return Poll::Pending;
        }
        for n in &mut self.0 {
            if n.as_mut().poll(cx).is_ready() {
                return Poll::Ready(());
            }
        }
        Poll::Pending
    }
}
