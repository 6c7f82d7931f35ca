//! Raw ZMTP peers over plain TCP, their octets built with zmtp-spec's
//! encoder and read back with its decoder (nothing laid out by hand).

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zmtp_spec::Message;
use zmtp_spec::wire::metadata::{IDENTITY, SOCKET_TYPE};
use zmtp_spec::wire::{
    Command, Decoder, Encode, FrameHeader, FrameKind, Framing, Greeting, Item, Mechanism, Metadata,
};

use crate::support::within;

/// Our 3.1 greeting for `mechanism`, as a client.
pub(crate) fn greeting(mechanism: Mechanism) -> Vec<u8> {
    Greeting::new(mechanism, false).to_bytes().to_vec()
}

/// A NULL READY for `socket_type`, with an identity if given.
pub(crate) fn ready(socket_type: &str, identity: Option<&[u8]>) -> Vec<u8> {
    let mut metadata =
        Metadata::new().with(SOCKET_TYPE, Bytes::copy_from_slice(socket_type.as_bytes()));
    if let Some(id) = identity {
        metadata = metadata.with(IDENTITY, Bytes::copy_from_slice(id));
    }
    let mut out = Vec::new();
    Command::Ready(metadata)
        .encode(&mut out)
        .expect("READY encodes");
    out
}

/// The NULL greeting and READY of a client of `socket_type`.
pub(crate) fn null_handshake(socket_type: &str, identity: Option<&[u8]>) -> Vec<u8> {
    let mut out = greeting(Mechanism::NULL);
    out.extend(ready(socket_type, identity));
    out
}

/// A message's frames on the wire.
pub(crate) fn message(message: impl Into<Message>) -> Vec<u8> {
    let mut out = Vec::new();
    message.into().encode(&mut out).expect("message encodes");
    out
}

/// A command on the wire.
pub(crate) fn command(command: &Command) -> Vec<u8> {
    let mut out = Vec::new();
    command.encode(&mut out).expect("command encodes");
    out
}

/// The header of a last (or only) message frame of `size` octets.
pub(crate) fn frame_header(size: u64) -> Vec<u8> {
    let mut out = Vec::new();
    zmtp_spec::wire::encode::encode_header(
        &FrameHeader {
            kind: FrameKind::Message { more: false },
            size,
        },
        Framing::Zmtp3,
        &mut out,
    )
    .expect("header encodes");
    out
}

/// `tcp://a:b` as `a:b`.
pub(crate) fn addr(endpoint: &str) -> String {
    endpoint.trim_start_matches("tcp://").to_owned()
}

/// One raw connection, and a decoder for what the other side sends after
/// its greeting.
pub(crate) struct Peer {
    pub(crate) stream: TcpStream,
    decoder: Decoder,
}

impl Peer {
    pub(crate) async fn connect(endpoint: &str) -> Self {
        let stream = within("a raw connection", TcpStream::connect(addr(endpoint)))
            .await
            .expect("connect");
        Self::from_stream(stream)
    }

    pub(crate) fn from_stream(stream: TcpStream) -> Self {
        let mut decoder = Decoder::new(Framing::Zmtp3);
        // Commands stay raw: a CURVE WELCOME is a box, not metadata.
        decoder.set_raw_commands(true);
        Self { stream, decoder }
    }

    pub(crate) async fn send(&mut self, bytes: &[u8]) {
        within("the raw peer's write", self.stream.write_all(bytes))
            .await
            .expect("write");
    }

    /// The other side's 64-octet greeting.
    pub(crate) async fn their_greeting(&mut self) -> Option<[u8; Greeting::LEN]> {
        let mut g = [0u8; Greeting::LEN];
        within("the other side's greeting", self.stream.read_exact(&mut g))
            .await
            .ok()?;
        Some(g)
    }

    /// The next item after the greeting, or `None` at the end of the
    /// stream (or a reset).
    pub(crate) async fn item(&mut self) -> Option<Item> {
        within("an item from the other side", async {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                if let Some(item) = self.decoder.poll_item().expect("the other side's frames") {
                    return Some(item);
                }
                match self.stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => self.decoder.push(&buf[..n]),
                }
            }
        })
        .await
    }

    /// The NULL handshake as `socket_type`: ours sent, theirs read.
    pub(crate) async fn null_handshake(&mut self, socket_type: &str, identity: Option<&[u8]>) {
        self.send(&null_handshake(socket_type, identity)).await;
        self.their_greeting()
            .await
            .expect("the other side's greeting");
        match self.item().await {
            Some(Item::RawCommand(body)) if body.starts_with(b"\x05READY") => {}
            other => panic!("expected READY, got {other:?}"),
        }
    }

    /// Reads until the other side closes (bounded); true once it has.
    pub(crate) async fn closed_by_them(&mut self) -> bool {
        within("the other side to close", async {
            let mut buf = [0u8; 4096];
            loop {
                match self.stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return true,
                    Ok(_) => {}
                }
            }
        })
        .await
    }
}
