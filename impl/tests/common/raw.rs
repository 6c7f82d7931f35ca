//! A scripted ZMTP 3.1 peer over a plain TCP socket, for tests that need
//! a peer that misbehaves or stays silent. Each of its waits is bounded
//! (`bounded.rs`, which it brings along as `raw::bounded` for the tests
//! that include it): a socket that never connects, answers or closes
//! fails the test, saying which.

#[path = "bounded.rs"]
pub(crate) mod bounded;

use bounded::{Within, within};
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zmtp_spec::wire::metadata::SOCKET_TYPE;
use zmtp_spec::wire::{Command, Encode, Greeting, Mechanism, Metadata, Version};

/// A listener for one raw connection.
pub(crate) struct RawPeer {
    listener: TcpListener,
}

impl RawPeer {
    pub(crate) async fn listen() -> Self {
        Self {
            listener: TcpListener::bind("127.0.0.1:0")
                .within("a listening port")
                .await
                .expect("listen"),
        }
    }

    pub(crate) fn endpoint(&self) -> String {
        format!("tcp://{}", self.listener.local_addr().expect("addr"))
    }

    pub(crate) async fn accept(&self) -> Raw {
        Raw {
            stream: self
                .listener
                .accept()
                .within("a connection to the raw peer")
                .await
                .expect("accept")
                .0,
        }
    }
}

/// One raw connection.
pub(crate) struct Raw {
    pub(crate) stream: TcpStream,
}

/// A 3.1 NULL greeting, from spec's encoder.
pub(crate) fn greeting() -> Vec<u8> {
    Greeting {
        padding: [0; 8],
        version: Version { major: 3, minor: 1 },
        mechanism: Mechanism::NULL,
        as_server: false,
    }
    .to_bytes()
    .to_vec()
}

/// A READY command with a Socket-Type, from spec's encoder.
pub(crate) fn ready(socket_type: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    Command::Ready(Metadata::new().with(SOCKET_TYPE, Bytes::copy_from_slice(socket_type)))
        .encode(&mut out)
        .expect("READY encodes");
    out
}

impl Raw {
    pub(crate) async fn send(&mut self, bytes: &[u8]) {
        self.stream
            .write_all(bytes)
            .within("the raw peer's write")
            .await
            .expect("write");
    }

    async fn read_exact(&mut self, n: usize) -> Option<Vec<u8>> {
        let mut buf = vec![0; n];
        self.stream
            .read_exact(&mut buf)
            .within("octets for the raw peer")
            .await
            .ok()?;
        Some(buf)
    }

    /// Greeting and READY each way.
    pub(crate) async fn handshake(&mut self, socket_type: &[u8]) {
        self.send(&greeting()).await;
        self.send(&ready(socket_type)).await;
        let theirs = self.read_exact(64).await.expect("greeting");
        assert_eq!(theirs[0], 0xFF);
        let (flags, body) = self.frame().await.expect("READY");
        assert_eq!(flags & 0x04, 0x04);
        assert!(body.starts_with(b"\x05READY"));
    }

    /// The next frame: (flags, body).
    pub(crate) async fn frame(&mut self) -> Option<(u8, Vec<u8>)> {
        let flags = self.read_exact(1).await?[0];
        let len = if flags & 0x02 != 0 {
            u64::from_be_bytes(self.read_exact(8).await?.try_into().ok()?) as usize
        } else {
            self.read_exact(1).await?[0] as usize
        };
        Some((flags, self.read_exact(len).await?))
    }

    /// Reads frames until a PING; returns its TTL field.
    pub(crate) async fn next_ping_ttl(&mut self) -> u16 {
        within("a PING", async {
            loop {
                let (flags, body) = self.frame().await.expect("frame");
                if flags & 0x04 != 0 && body.starts_with(b"\x04PING") {
                    return u16::from_be_bytes([body[5], body[6]]);
                }
            }
        })
        .await
    }

    /// Reads until the other side closes; true if it did (a side that
    /// never closes fails the test).
    pub(crate) async fn read_until_eof(&mut self) -> bool {
        let mut buf = [0u8; 1024];
        within("the other side to close", async {
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
