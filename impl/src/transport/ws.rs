//! ws and wss: ZWS 2.0 (RFC 45) over tokio-tungstenite, TLS over rustls.
//!
//! ```text
//!  driver ── ZMTP octets ──> pipe ──> Splitter ──> one binary message per frame ──> WebSocket
//!  driver <── ZMTP octets ── pipe <── to_zmtp  <── one binary message per frame <── WebSocket
//! ```
//!
//! The upgrade settles the subprotocol (45-R01, 45-R03, 45-R08); the
//! connection machine is then told it ([`zmtp_spec::connection::Config::zws`])
//! and sends no greeting. A task per connection (the pump) moves whole
//! WebSocket messages between the socket and an in-memory pipe, so the
//! driver runs over the pipe as over any byte stream; spec's
//! [`zmtp_spec::wire::zws`] does the framing both ways, the pump only
//! moves what it returns. Each way it moves runs, not single frames: the
//! driver's octets are cut into messages that go out with one flush, and
//! the messages already received behind the one awaited are turned into
//! one run of ZMTP octets and written to the pipe at once (one write and
//! one wake-up of the driver per run instead of per message). A message the rule refuses, a text message
//! (45-R04), a WebSocket protocol fault (a frame masked the wrong way, a
//! message over the size limit) end the pump with a close frame naming
//! the fault ([`Fault`]); the driver then reads the end of its stream and
//! disconnects cleanly.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use futures_util::FutureExt;
use futures_util::{SinkExt, StreamExt};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore, ServerConfig};
use tokio_rustls::{TlsAcceptor, TlsConnector};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self as ws, Message};
use zmtp_spec::wire::zws::{Splitter, Subprotocol, to_zmtp_into};
use zmtp_spec::wire::{self, Framing, WireError};

use super::Listener;
use crate::endpoint::{Endpoint, Host, Port, WsEndpoint};
use crate::error::{Error, InvalidOption, Result};
use crate::options::Options;
use crate::options::security::MechanismKind;

/// The room of the in-memory pipe between the pump and the driver, each
/// way.
const PIPE: usize = 256 * 1024;

/// Octets of ZMTP frames the pump gathers from messages already received
/// before it writes them to the driver in one piece.
const INBOUND_BATCH: usize = 64 * 1024;

/// How long an upgrade may take when the options set no handshake limit.
const UPGRADE_LIMIT: Duration = Duration::from_secs(30);

/// A ws or wss connection as the driver sees it: the pipe to its pump,
/// and what the upgrade settled.
#[derive(Debug)]
pub(crate) struct WsStream {
    /// The driver's end of the pipe.
    pub(crate) pipe: DuplexStream,
    /// The peer's address.
    pub(crate) peer: SocketAddr,
    /// The subprotocol the upgrade chose.
    pub(crate) subprotocol: Subprotocol,
    /// Over TLS.
    pub(crate) secure: bool,
}

/// What ended a connection from the WebSocket side: sent in the close
/// frame's reason, so the peer can read why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum Fault {
    /// A text message, where ZWS takes binary ones only (45-R04).
    #[error("text message: ZWS messages are binary (45-R04)")]
    Text,
    /// A binary message the ZWS rule refuses (45-R06).
    #[error("malformed ZWS message: {0}")]
    Malformed(#[from] WireError),
    /// The WebSocket layer refused what arrived (masking, opcode, size).
    #[error("WebSocket protocol: {0}")]
    Protocol(#[from] ws::Error),
}

impl Fault {
    fn close_code(&self) -> CloseCode {
        match self {
            Self::Text => CloseCode::Unsupported,
            Self::Malformed(_) => CloseCode::Protocol,
            Self::Protocol(ws::Error::Capacity(_)) => CloseCode::Size,
            Self::Protocol(_) => CloseCode::Protocol,
        }
    }
}

/// A bound ws or wss endpoint: its tcp listener, and TLS for wss.
pub(crate) struct WsListener {
    pub(crate) tcp: TcpListener,
    pub(crate) tls: Option<TlsAcceptor>,
}

impl std::fmt::Debug for WsListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsListener")
            .field("tcp", &self.tcp)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

/// A tcp connection accepted on a ws listener, before its upgrade.
pub(crate) struct Pending {
    pub(crate) tcp: TcpStream,
    pub(crate) tls: Option<TlsAcceptor>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("tcp", &self.tcp).finish()
    }
}

/// The mechanism name the options select, for the subprotocol offer.
fn mechanism(options: &Options) -> wire::Mechanism {
    match options.security.kind {
        MechanismKind::Null => wire::Mechanism::NULL,
        MechanismKind::Plain => wire::Mechanism::PLAIN,
        MechanismKind::Curve => wire::Mechanism::CURVE,
    }
}

/// The WebSocket limits: a message of MAXMSGSIZE plus its flags octet,
/// or tungstenite's default (64 MiB) with no MAXMSGSIZE.
fn ws_config(options: &Options) -> WebSocketConfig {
    let config = WebSocketConfig::default();
    match options.maxmsgsize.and_then(|m| usize::try_from(m).ok()) {
        Some(max) => config
            .max_message_size(Some(max.saturating_add(1)))
            .max_frame_size(Some(max.saturating_add(1))),
        None => config,
    }
}

fn upgrade_limit(options: &Options) -> Duration {
    options.handshake_ivl.unwrap_or(UPGRADE_LIMIT)
}

/// Binds a ws or wss endpoint: the tcp listener, and for wss the server
/// certificate and key from ZMQ_WSS_CERT_PEM and ZMQ_WSS_KEY_PEM.
///
/// # Errors
/// What tcp's bind returns; [`InvalidOption::Required`] for wss without a
/// certificate or key, [`InvalidOption::BadPem`] for ones rustls cannot use.
pub(crate) fn bind(w: &WsEndpoint, options: &Options) -> Result<(Listener, Endpoint)> {
    let tls = if w.secure {
        Some(TlsAcceptor::from(Arc::new(server_tls(options)?)))
    } else {
        None
    };
    let (tcp, local) = super::tcp::listen(&w.tcp(), options)?;
    let resolved = WsEndpoint {
        host: Host::Ip(local.ip()),
        port: Port::Number(local.port()),
        ..w.clone()
    };
    Ok((
        Listener::Ws(WsListener { tcp, tls }),
        Endpoint::Ws(resolved),
    ))
}

/// rustls on ring's primitives. ring's provider is marked deprecated since
/// rustls 0.23.48 because it offers no post-quantum key exchange; it is
/// kept because the other provider (aws-lc-rs) needs a C and CMake build
/// this workspace does not otherwise have. The key exchanges offered are
/// X25519 and the NIST curves.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn server_tls(options: &Options) -> Result<ServerConfig> {
    if options.wss_cert_pem.is_empty() {
        return Err(Error::option("ZMQ_WSS_CERT_PEM", InvalidOption::Required));
    }
    if options.wss_key_pem.is_empty() {
        return Err(Error::option("ZMQ_WSS_KEY_PEM", InvalidOption::Required));
    }
    let certs = certificates(&options.wss_cert_pem, "ZMQ_WSS_CERT_PEM")?;
    let key = PrivateKeyDer::from_pem_slice(&options.wss_key_pem)
        .map_err(|_| Error::option("ZMQ_WSS_KEY_PEM", InvalidOption::BadPem))?;
    ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|_| Error::option("ZMQ_WSS_CERT_PEM", InvalidOption::BadPem))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|_| Error::option("ZMQ_WSS_KEY_PEM", InvalidOption::BadPem))
}

fn certificates(pem: &[u8], option: &'static str) -> Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::option(option, InvalidOption::BadPem))?;
    if certs.is_empty() {
        return Err(Error::option(option, InvalidOption::BadPem));
    }
    Ok(certs)
}

fn client_tls(options: &Options) -> io::Result<ClientConfig> {
    let invalid = |e: Error| io::Error::new(io::ErrorKind::InvalidInput, e);
    let mut roots = RootCertStore::empty();
    if !options.wss_trust_pem.is_empty() {
        for cert in certificates(&options.wss_trust_pem, "ZMQ_WSS_TRUST_PEM").map_err(invalid)? {
            roots
                .add(cert)
                .map_err(|_| invalid(Error::option("ZMQ_WSS_TRUST_PEM", InvalidOption::BadPem)))?;
        }
    }
    if options.wss_trust_system {
        // The store's unreadable files and certificates rustls cannot use
        // are skipped, as a TLS library's system trust does; with none
        // left the handshake fails, as with no roots.
        let system = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(system.certs);
    }
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

/// Connects to a ws or wss endpoint: tcp, TLS for wss, then the upgrade
/// request for the endpoint's host and path (45-R02) offering the
/// subprotocols of our mechanism (45-R01), bounded by the handshake
/// interval.
pub(crate) async fn connect(w: &WsEndpoint, options: &Options) -> io::Result<WsStream> {
    let tcp = super::tcp::connect(&w.tcp(), options).await?;
    let peer = tcp.peer_addr()?;
    let limit = upgrade_limit(options);
    let upgrade = async {
        if w.secure {
            let name = match &options.wss_hostname {
                Some(name) => name.clone(),
                None => host_name(&w.host),
            };
            let name = ServerName::try_from(name)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            let tls = TlsConnector::from(Arc::new(client_tls(options)?))
                .connect(name, tcp)
                .await?;
            client_upgrade(tls, w, options, peer).await
        } else {
            client_upgrade(tcp, w, options, peer).await
        }
    };
    tokio::time::timeout(limit, upgrade)
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
}

/// A host as the Host header and the TLS name write it.
fn host_name(host: &Host) -> String {
    match host {
        Host::Ip(std::net::IpAddr::V6(ip)) => ip.to_string(),
        other => other.to_string(),
    }
}

async fn client_upgrade<S>(
    io: S,
    w: &WsEndpoint,
    options: &Options,
    peer: SocketAddr,
) -> io::Result<WsStream>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let scheme = if w.secure { "wss" } else { "ws" };
    let port = match w.port {
        Port::Number(n) => n,
        Port::Any => 0,
    };
    let uri = format!("{scheme}://{}:{port}{}", w.host, w.path);
    let mut request = uri.into_client_request().map_err(io::Error::other)?;
    let offer = Subprotocol::offer_header(mechanism(options));
    request.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_str(&offer).map_err(io::Error::other)?,
    );
    let (ws, response) =
        tokio_tungstenite::client_async_with_config(request, io, Some(ws_config(options)))
            .await
            .map_err(io::Error::other)?;
    // The server's choice must be one we offered (45-R03).
    let chosen = response
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(Subprotocol::from_name)
        .filter(|p| Subprotocol::offer(mechanism(options)).contains(p));
    let Some(subprotocol) = chosen else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the server chose no ZWS subprotocol we offered (45-R03)",
        ));
    };
    Ok(start(ws, subprotocol, peer, w.secure))
}

/// The server's side of the upgrade of an accepted connection: TLS for
/// wss, then the request, answered with the first offered subprotocol our
/// mechanism speaks (45-R03), or refused with 400 when there is none
/// (45-R08). Any path is accepted, as libzmq does. Bounded by the
/// handshake interval.
pub(crate) async fn accept(pending: Pending, options: &Options) -> io::Result<WsStream> {
    let peer = pending.tcp.peer_addr()?;
    let limit = upgrade_limit(options);
    let upgrade = async {
        match pending.tls {
            Some(tls) => {
                let io = tls.accept(pending.tcp).await?;
                server_upgrade(io, options, peer, true).await
            }
            None => server_upgrade(pending.tcp, options, peer, false).await,
        }
    };
    tokio::time::timeout(limit, upgrade)
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
}

async fn server_upgrade<S>(
    io: S,
    options: &Options,
    peer: SocketAddr,
    secure: bool,
) -> io::Result<WsStream>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let ours = mechanism(options);
    let mut chosen = None;
    let callback = |request: &Request, mut response: Response| {
        let offered = request
            .headers()
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|v| v.to_str().ok());
        match Subprotocol::select(offered, ours) {
            Some(p) => {
                response.headers_mut().insert(
                    header::SEC_WEBSOCKET_PROTOCOL,
                    HeaderValue::from_static(p.name()),
                );
                chosen = Some(p);
                Ok(response)
            }
            None => {
                let mut refusal = ErrorResponse::new(Some(
                    "no ZWS 2.0 subprotocol for this socket's mechanism (45-R08)".into(),
                ));
                *refusal.status_mut() = StatusCode::BAD_REQUEST;
                Err(refusal)
            }
        }
    };
    let ws =
        tokio_tungstenite::accept_hdr_async_with_config(io, callback, Some(ws_config(options)))
            .await
            .map_err(io::Error::other)?;
    let Some(subprotocol) = chosen else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "upgrade without a subprotocol",
        ));
    };
    Ok(start(ws, subprotocol, peer, secure))
}

/// Starts the pump of an upgraded connection and returns the driver's end.
fn start<S>(
    ws: WebSocketStream<S>,
    subprotocol: Subprotocol,
    peer: SocketAddr,
    secure: bool,
) -> WsStream
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (ours, theirs) = tokio::io::duplex(PIPE);
    tokio::spawn(pump(ws, theirs, subprotocol.framing()));
    WsStream {
        pipe: ours,
        peer,
        subprotocol,
        secure,
    }
}

/// Moves messages until either side ends: the driver's octets cut into
/// one binary message per frame (45-R04, 45-R06), each message received
/// turned back into its ZMTP frame. Ends with a close frame: a normal one
/// when the driver closed its end, one naming the [`Fault`] otherwise.
async fn pump<S>(ws: WebSocketStream<S>, pipe: DuplexStream, framing: Framing)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut source) = ws.split();
    let (mut from_driver, mut to_driver) = tokio::io::split(pipe);
    let mut splitter = Splitter::new(framing);
    let mut buf = vec![0u8; 64 * 1024];
    let mut inbound = BytesMut::with_capacity(INBOUND_BATCH);
    let outcome: std::result::Result<(), Fault> = loop {
        tokio::select! {
            read = from_driver.read(&mut buf) => {
                let n = match read {
                    Ok(0) | Err(_) => break Ok(()),
                    Ok(n) => n,
                };
                splitter.push(&buf[..n]);
                let mut failed = None;
                loop {
                    match splitter.next_message() {
                        Ok(Some(message)) => {
                            if let Err(e) = sink.feed(Message::Binary(message)).await {
                                failed = Some(Fault::from(e));
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            failed = Some(Fault::from(e));
                            break;
                        }
                    }
                }
                if let Some(fault) = failed {
                    break Err(fault);
                }
                if let Err(e) = sink.flush().await {
                    break Err(Fault::from(e));
                }
            }
            received = source.next() => {
                // This message, and those already received behind it
                // (taken without waiting), go to the driver as one write;
                // frames before a fault still reach it.
                inbound.clear();
                let mut end = inbound_step(received, framing, &mut inbound);
                while end.is_none() && inbound.len() < INBOUND_BATCH {
                    match source.next().now_or_never() {
                        Some(received) => end = inbound_step(received, framing, &mut inbound),
                        None => break,
                    }
                }
                if !inbound.is_empty() && to_driver.write_all(&inbound).await.is_err() {
                    break Ok(());
                }
                if let Some(outcome) = end {
                    break outcome;
                }
            }
        }
    };
    let close = match &outcome {
        Ok(()) => CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        },
        Err(fault) => {
            let mut reason = fault.to_string();
            // A close reason has at most 123 octets.
            while reason.len() > 120 {
                reason.pop();
            }
            CloseFrame {
                code: fault.close_code(),
                reason: reason.into(),
            }
        }
    };
    // The peer may be gone already; the close is a courtesy.
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = sink.send(Message::Close(Some(close))).await;
        let _ = sink.close().await;
    })
    .await;
    let _ = to_driver.shutdown().await;
}

/// One item from the WebSocket: a binary message's frame appended to
/// `inbound`; `Some` when the pump must end, with how.
fn inbound_step(
    received: Option<std::result::Result<Message, ws::Error>>,
    framing: Framing,
    inbound: &mut BytesMut,
) -> Option<std::result::Result<(), Fault>> {
    match received {
        Some(Ok(Message::Binary(message))) => to_zmtp_into(&message, framing, inbound)
            .err()
            .map(|e| Err(Fault::from(e))),
        Some(Ok(Message::Text(_))) => Some(Err(Fault::Text)),
        // tungstenite answers pings itself.
        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => None,
        Some(Ok(Message::Close(_))) | None => Some(Ok(())),
        Some(Err(e)) => Some(Err(Fault::from(e))),
    }
}
