//! The public socket: bind/connect, send/recv, options, monitor.

mod batch;
pub(crate) mod core;
mod draft;
pub(crate) mod endpoints;
mod io;

use std::sync::Arc;

use tokio::sync::Notify;
use zmtp_spec::SocketType;

use self::core::{Core, Shared};
use crate::error::{Error, InvalidOption, Result};
use crate::monitor::Monitor;
use crate::options::{Effect, Options, SocketOption};
use crate::pattern::Pattern;
use crate::runtime::ContextInner;

/// A ZeroMQ socket of one of the 11 classic types, or of the draft
/// thread-safe types CLIENT and SERVER (RFC 41; SERVER's calls are
/// [`Socket::send_to`] and [`Socket::recv_from`]), RADIO and DISH (RFC
/// 48; [`Socket::send_group`], [`Socket::join`], [`Socket::leave`],
/// [`Socket::recv_group`]; over tcp, ipc and inproc, not udp), SCATTER
/// and GATHER (RFC 49), PEER (RFC 51: [`Socket::connect_peer`] returns the
/// routing id, then SERVER's calls) and CHANNEL (RFC 52). These send and
/// receive single-part messages only (37-R56, 37-R57): a multipart send
/// is refused with [`crate::Error::InvalidMessage`]. A STREAM (libzmq's
/// raw socket, over tcp and ipc) speaks no ZMTP: its messages are
/// `[routing id, octets]`, an empty `octets` being a connect or
/// disconnect notification (STREAM_NOTIFY) or, sent, a close. Like every
/// socket here they are `Send + Sync`, and each call sends or receives one
/// whole message under the socket's lock (37-R55).
///
/// All methods take `&self`: a socket can be shared between tasks (wrap
/// it in an `Arc`). Messages are [`crate::Message`] values: whole multipart
/// messages, whose frames are [`bytes::Bytes`] (so large frames are never
/// copied by the API); libzmq's RCVMORE/SNDMORE are implicit.
///
/// Dropping the socket closes it: pending messages keep being sent in the
/// background for up to LINGER.
#[derive(Debug)]
pub struct Socket {
    pub(crate) shared: Arc<Shared>,
}

impl crate::options::SetTyped for Socket {
    fn set_typed<O: SocketOption>(&self, option: O, value: O::Value) -> Result<()> {
        self.set(option, value)
    }
}

impl Socket {
    pub(crate) fn new(ctx: Arc<ContextInner>, socket_type: SocketType) -> Result<Self> {
        let options = Options::new(socket_type);
        let pattern = Pattern::new(socket_type, zmtp_model::Options::default())
            .ok_or(Error::UnsupportedSocketType(socket_type))?;
        Ok(Self {
            shared: Arc::new(Shared {
                core: std::sync::Mutex::new(Core::new(pattern, options)),
                readable: Notify::new(),
                writable: Notify::new(),
                ctx,
                socket_type,
                drops: Arc::default(),
            }),
        })
    }

    /// The socket type.
    pub fn socket_type(&self) -> SocketType {
        self.shared.socket_type
    }

    /// Sets an option.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the option does not apply to this
    /// socket type, is read-only, or the value is out of range.
    pub fn set<O: SocketOption>(&self, _option: O, value: O::Value) -> Result<()> {
        let mut core = self.shared.lock();
        let mut options = core.options.clone();
        let effect = crate::options::set::<O>(&mut options, value)?;
        let model = match effect {
            Effect::Stored => None,
            Effect::Pattern(o) => Some(o),
        };
        if let Some(o) = model {
            let name = o.name();
            core.pattern
                .set_option(o)
                .map_err(|e| Error::option(name, option_refused(&e)))?;
        }
        core.options = options;
        core.dispatch();
        drop(core);
        self.shared.writable.notify_waiters();
        self.shared.readable.notify_waiters();
        Ok(())
    }

    /// Sets an option given by its libzmq name and a text value, for tools
    /// and configuration files: `set_by_name("ZMQ_SNDHWM", "10")`. The name
    /// may drop the `ZMQ_` prefix and ignores ASCII case (`sndhwm`); the
    /// value follows libzmq's integer conventions: durations in
    /// milliseconds, `-1` for infinite or the default, booleans as `0` or
    /// `1`, octet strings (routing ids, topics, keys in Z85) as the text's
    /// octets. Typed code should use [`Socket::set`].
    ///
    /// # Errors
    /// [`Error::UnknownOption`] when no option has that name;
    /// [`Error::InvalidOption`] when the text is not a value of the
    /// option's type ([`InvalidOption::Unreadable`](crate::error::InvalidOption::Unreadable)
    /// says what it takes), the option is read-only, or for what
    /// [`Socket::set`] refuses.
    pub fn set_by_name(&self, name: &str, value: &str) -> Result<()> {
        let upper = name.trim().to_ascii_uppercase();
        let full = if upper.starts_with("ZMQ_") {
            upper
        } else {
            format!("ZMQ_{upper}")
        };
        crate::options::set_named(self, &full, value)
            .unwrap_or_else(|| Err(Error::UnknownOption(name.to_owned())))
    }

    /// Reads an option.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a write-only option (SUBSCRIBE,
    /// UNSUBSCRIBE).
    pub fn get<O: SocketOption>(&self, _option: O) -> Result<O::Value> {
        let core = self.shared.lock();
        O::get(&core.options, core.pattern.options())
    }

    /// The last endpoint bound or connected, wildcards resolved
    /// (ZMQ_LAST_ENDPOINT).
    pub fn last_endpoint(&self) -> String {
        self.shared.lock().options.last_endpoint.clone()
    }

    /// What this socket's udp endpoints dropped (48-R32..48-R34, 48-R37):
    /// a DISH the datagrams that were not ones (empty, a group cut short,
    /// over 8192 octets, a zero octet in the group), a RADIO the messages
    /// no datagram can carry and the sends the system refused. Over udp
    /// nothing is disconnected for them: each is dropped and counted.
    pub fn dropped_datagrams(&self) -> crate::DatagramDrops {
        self.shared
            .drops
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A stream of this socket's monitor events, from now on.
    pub fn monitor(&self) -> Monitor {
        self.shared.lock().monitors.add()
    }

    /// Installs this socket's ZAP authenticator (RFC 27): a PLAIN or CURVE
    /// server (or a NULL socket with a ZAP_DOMAIN) asks it about each peer
    /// before accepting it. It comes before the context's
    /// ([`Context::set_authenticator`](crate::Context::set_authenticator))
    /// and the `inproc://zeromq.zap.01` handler; `None` removes it.
    /// Applies to handshakes that start after the call.
    ///
    /// A reply with status 200 accepts the peer: its user id and
    /// metadata then appear in the peer's properties
    /// ([`crate::MonitorEvent::properties`] of HANDSHAKE_SUCCEEDED, with
    /// the user id as `User-Id`). 300 closes the connection; 400 and 500
    /// send ERROR with that status, reported to our monitor as
    /// [`crate::MonitorEventKind::HandshakeFailedAuth`].
    pub fn set_authenticator(
        &self,
        authenticator: Option<Arc<dyn zmtp_spec::security::Authenticator>>,
    ) {
        self.shared.lock().authenticator = authenticator;
    }

    /// Subscribes (SUB): shorthand for setting [`crate::opt::Subscribe`].
    ///
    /// # Errors
    /// As [`Socket::set`].
    pub fn subscribe(&self, topic: impl Into<bytes::Bytes>) -> Result<()> {
        self.set(crate::opt::Subscribe, topic.into())
    }

    /// Unsubscribes (SUB): shorthand for setting [`crate::opt::Unsubscribe`].
    ///
    /// # Errors
    /// As [`Socket::set`].
    pub fn unsubscribe(&self, topic: impl Into<bytes::Bytes>) -> Result<()> {
        self.set(crate::opt::Unsubscribe, topic.into())
    }

    /// Closes the socket: no more sends or receives; connections flush
    /// their pending messages for up to LINGER, then end.
    pub fn close(self) {
        drop(self);
    }
}

/// Why the pattern machine refused an option.
pub(crate) fn option_refused(e: &zmtp_model::OptionError) -> InvalidOption {
    match e {
        zmtp_model::OptionError::NotApplicable { socket_type, .. } => {
            InvalidOption::NotApplicable(*socket_type)
        }
        _ => InvalidOption::OutOfRange,
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        endpoints::shutdown(&self.shared);
    }
}
