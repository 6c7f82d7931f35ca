//! `raw`: the same ZMTP 3 frames as the sockets move, with no socket
//! semantics at all, as the ceiling the machine allows.
//!
//! Plain blocking std sockets, one thread per process: the sender writes
//! frames encoded once by zmtp-spec's encoder, many to a `write` (about
//! [`BATCH`] octets); the receiver reads large chunks and only walks the
//! frame lengths ([`Walker`]), checking each frame's size and flags; the
//! latency pair writes one frame and reads until one whole frame is back.
//! There is no greeting, no handshake, no queue, no pattern: both ends are
//! `raw` (it pairs with no other implementation), and the clock runs over
//! the same span as the others' (from the first message received to the
//! last; every round trip).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::{Duration, Instant};

use zmtp_perf::{LatReport, ThrReport};
use zmtp_spec::wire::{Encode, Frame};

use crate::tool::{Tool, ToolError};

/// Octets per write of the sender (whole frames, at least one).
pub const BATCH: usize = 256 * 1024;
/// Octets per read of the receiver.
const READ: usize = 1024 * 1024;
/// How long any blocking read or write may wait.
const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs one tool (push-pull throughput and req-rep latency over tcp and
/// ipc; anything else is refused).
///
/// # Errors
/// I/O errors, a frame of the wrong size, or a tool `raw` does not have.
pub fn run(tool: Tool) -> Result<String, ToolError> {
    Ok(match tool {
        Tool::LocalThr { ep, size, count } => receive(accept(&ep)?, size, count)?.to_string(),
        Tool::RemoteThr { ep, size, count } => {
            send(connect(&ep)?, size, count)?;
            String::new()
        }
        Tool::LocalLat { ep, size, count } => {
            echo(accept(&ep)?, size, count)?;
            String::new()
        }
        Tool::RemoteLat { ep, size, count } => roundtrips(connect(&ep)?, size, count)?.to_string(),
        other => return Err(format!("raw has no {other:?}").into()),
    })
}

/// Whether `raw` measures `tool`'s case.
pub fn supports(kind: crate::plan::Kind, transport: crate::plan::Transport) -> bool {
    use crate::plan::{Kind, Transport};
    matches!(kind, Kind::PushPull | Kind::ReqRep) && transport != Transport::Inproc
}

/// A connected stream of either transport.
enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Stream {
    fn prepare(self) -> io::Result<Stream> {
        match &self {
            Stream::Tcp(s) => {
                s.set_nodelay(true)?;
                s.set_read_timeout(Some(IO_TIMEOUT))?;
                s.set_write_timeout(Some(IO_TIMEOUT))?;
            }
            Stream::Unix(s) => {
                s.set_read_timeout(Some(IO_TIMEOUT))?;
                s.set_write_timeout(Some(IO_TIMEOUT))?;
            }
        }
        Ok(self)
    }

    fn shutdown_write(&self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.shutdown(Shutdown::Write),
            Stream::Unix(s) => s.shutdown(Shutdown::Write),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `tcp://host:port` or `ipc://path`.
fn split(ep: &str) -> Result<(&str, &str), ToolError> {
    ep.split_once("://")
        .ok_or_else(|| format!("not an endpoint: {ep:?}").into())
}

fn accept(ep: &str) -> Result<Stream, ToolError> {
    let s = match split(ep)? {
        ("tcp", addr) => Stream::Tcp(TcpListener::bind(addr)?.accept()?.0),
        ("ipc", path) => {
            let _ = std::fs::remove_file(path);
            Stream::Unix(UnixListener::bind(path)?.accept()?.0)
        }
        (t, _) => return Err(format!("raw has no transport {t:?}").into()),
    };
    Ok(s.prepare()?)
}

fn connect(ep: &str) -> Result<Stream, ToolError> {
    let (t, addr) = split(ep)?;
    // The comparison starts the connecting end once the other listens; a
    // few retries cover an ipc listener between bind and listen.
    let mut tries = 0;
    loop {
        let r = match t {
            "tcp" => TcpStream::connect(addr).map(Stream::Tcp),
            "ipc" => UnixStream::connect(addr).map(Stream::Unix),
            t => return Err(format!("raw has no transport {t:?}").into()),
        };
        match r {
            Ok(s) => return Ok(s.prepare()?),
            Err(e) if tries >= 100 => return Err(e.into()),
            Err(_) => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// One message frame of `size` octets, as zmtp-spec encodes it.
fn frame(size: usize) -> Result<Vec<u8>, ToolError> {
    Ok(Frame::message(vec![0u8; size], false).to_bytes()?.to_vec())
}

/// Writes `count` frames of `size` octets, many per write, then waits for
/// the receiver to close.
fn send(mut s: Stream, size: usize, count: usize) -> Result<(), ToolError> {
    let one = frame(size)?;
    let per_batch = (BATCH / one.len()).max(1);
    let batch = one.repeat(per_batch.min(count.max(1)));
    let mut left = count;
    while left > 0 {
        let n = left.min(per_batch);
        s.write_all(&batch[..n * one.len()])?;
        left -= n;
    }
    s.shutdown_write()?;
    // Until the receiver has read everything and closed.
    let mut sink = [0u8; 64];
    while s.read(&mut sink)? > 0 {}
    Ok(())
}

/// Reads until `count` frames of `size` octets have come.
fn receive(mut s: Stream, size: usize, count: usize) -> Result<ThrReport, ToolError> {
    let mut buf = vec![0u8; READ];
    let mut walker = Walker::new(size);
    let mut got = 0;
    let mut start = None;
    while got < count {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(format!("connection closed after {got} of {count} messages").into());
        }
        let k = walker.feed(&buf[..n])?;
        if k > 0 && start.is_none() {
            // The clock starts at the first message, as libzmq's local_thr's.
            start = Some(Instant::now());
        }
        got += k;
    }
    Ok(ThrReport {
        size,
        count,
        elapsed: start.map_or(Duration::ZERO, |t| t.elapsed()),
    })
}

/// Echoes `count` frames back.
fn echo(mut s: Stream, size: usize, count: usize) -> Result<(), ToolError> {
    let mut buf = vec![0u8; size + 64];
    let mut walker = Walker::new(size);
    let mut pending = Vec::with_capacity(size + 16);
    let mut done = 0;
    while done < count {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err("connection closed".into());
        }
        pending.extend_from_slice(&buf[..n]);
        let k = walker.feed(&buf[..n])?;
        if k > 0 {
            s.write_all(&pending)?;
            pending.clear();
            done += k;
        }
    }
    Ok(())
}

/// Makes `count` round trips of one frame.
fn roundtrips(mut s: Stream, size: usize, count: usize) -> Result<LatReport, ToolError> {
    let one = frame(size)?;
    let mut buf = vec![0u8; size + 64];
    let mut walker = Walker::new(size);
    let start = Instant::now();
    for _ in 0..count {
        s.write_all(&one)?;
        loop {
            let n = s.read(&mut buf)?;
            if n == 0 {
                return Err("connection closed".into());
            }
            if walker.feed(&buf[..n])? > 0 {
                break;
            }
        }
    }
    Ok(LatReport {
        size,
        roundtrips: count,
        elapsed: start.elapsed(),
    })
}

/// Splits a byte stream into ZMTP 3 frames by their lengths alone (flags,
/// one or eight size octets, body), checking that each is a final message
/// frame of the expected size.
#[derive(Debug)]
pub struct Walker {
    size: u64,
    /// Body octets still to skip.
    body: u64,
    /// A header cut by a read.
    head: [u8; 9],
    head_len: usize,
}

/// The flags octet's LONG bit.
const LONG: u8 = 0x02;
/// The MORE and COMMAND bits.
const MORE_OR_COMMAND: u8 = 0x05;

impl Walker {
    /// A walker expecting frames of `size` octets.
    pub fn new(size: usize) -> Walker {
        Walker {
            size: size as u64,
            body: 0,
            head: [0; 9],
            head_len: 0,
        }
    }

    /// Walks `data`, returning how many frames it completed.
    ///
    /// # Errors
    /// A frame of another size, or with MORE or COMMAND set.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<usize, String> {
        let mut done = 0;
        while !data.is_empty() {
            if self.body > 0 {
                let k = (self.body as usize).min(data.len());
                self.body -= k as u64;
                data = &data[k..];
                done += usize::from(self.body == 0);
                continue;
            }
            // A header: whole in `data` (the usual case), or cut.
            let (flags, len, used) = if self.head_len == 0 && data.len() >= 9 {
                let flags = data[0];
                if flags & LONG == 0 {
                    (flags, u64::from(data[1]), 2)
                } else {
                    let mut n = [0u8; 8];
                    n.copy_from_slice(&data[1..9]);
                    (flags, u64::from_be_bytes(n), 9)
                }
            } else {
                self.head[self.head_len] = data[0];
                self.head_len += 1;
                data = &data[1..];
                let want = if self.head[0] & LONG == 0 { 2 } else { 9 };
                if self.head_len < want {
                    continue;
                }
                self.head_len = 0;
                let len = if want == 2 {
                    u64::from(self.head[1])
                } else {
                    let mut n = [0u8; 8];
                    n.copy_from_slice(&self.head[1..9]);
                    u64::from_be_bytes(n)
                };
                (self.head[0], len, 0)
            };
            data = &data[used..];
            if flags & MORE_OR_COMMAND != 0 || len != self.size {
                return Err(format!(
                    "unexpected frame: flags {flags:#04x}, {len} octets (want {})",
                    self.size
                ));
            }
            self.body = len;
            done += usize::from(len == 0);
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests;
