//! The bodies of the fuzz targets in `fuzz/`, one function per target,
//! each taking the fuzzer's raw octets.
//!
//! They live here, not in `fuzz/`, so that `cargo test` replays the seed
//! corpora (`fuzz/corpus/<target>/`) through the very same code
//! (`tests/fuzz_corpus.rs`). Each function panics when it finds a bug:
//! a panic inside the crate, or an assertion about the outcome (decode /
//! encode consistency, chunking independence, allocation bounds, event
//! order). Inputs that select options (framing, limits, chunk sizes,
//! connection settings) read them from the first octets through
//! [`Choices`], so a corpus file is an exact, replayable test case.
//!
//! Not part of the API: compiled only with the `fuzzing` feature (fuzz/
//! and this crate's tests turn it on). Whatever is random comes from the
//! harness's seeded `TestRng`, so a corpus file replays exactly.

use core::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};

use crate::SocketType;
use crate::connection::config::NullServerReady;
use crate::connection::harness::{self, Op};
use crate::connection::{Config, Event, GreetingPacing, Heartbeat, Side};
use crate::wire::command::split_command;
use crate::wire::decode::MIN_GROWTH;
use crate::wire::encode::{encode_message, message_encoded_len};
use crate::wire::greeting::{
    Detected, Greeting, Protocol, Signature, detect, greeting as greeting_rule, partial_greeting,
};
use crate::wire::legacy::{V2Identity, v1_identity, v2_greeting, v2_identity};
use crate::wire::{
    Command, Decoder, Encode, Frame, Framing, Item, MechanismCommand, Metadata,
    SubscriptionMessage, WireError,
};

/// Slack allowed on top of twice the received octets when checking a
/// receive buffer's capacity: the decoder's [`MIN_GROWTH`] step plus the
/// 64 KiB "original capacity" that `bytes` may reserve when it reallocates
/// a buffer still shared with frames the application holds.
pub const CAPACITY_SLACK: usize = MIN_GROWTH + 64 * 1024;

/// The allocation bound every fuzz target checks: a receive buffer holds
/// at most about twice what arrived plus [`CAPACITY_SLACK`], whatever
/// sizes the peer declared (issue 2 "Bad input"; `Decoder::push`).
pub const fn capacity_bound(received: usize) -> usize {
    received.saturating_mul(2).saturating_add(CAPACITY_SLACK)
}

/// Reads choices off the front of the fuzzer's octets. Running out is not
/// an error: every read then yields zeros or empty slices.
#[derive(Debug)]
pub struct Choices<'a> {
    data: &'a [u8],
}

impl<'a> Choices<'a> {
    /// Choices read from `data`.
    pub const fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// One octet.
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// Two octets, big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// Up to `n` octets.
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.data.len())
    }

    /// Whether everything was read.
    pub const fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// The datagrams of a datagram target's input (`pgm`, `norm`): the input
/// split at each `A5 5A`.
pub fn datagrams(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(data).filter(|d| !d.is_empty());
    std::iter::from_fn(move || {
        let r = rest?;
        let end = r.windows(2).position(|w| w == [0xa5, 0x5a]);
        let (datagram, next) = match end {
            Some(end) => (&r[..end], &r[end + 2..]),
            None => (r, &r[r.len()..]),
        };
        rest = Some(next).filter(|n| !n.is_empty());
        Some(datagram)
    })
}

// ---------------------------------------------------------------------------
// greeting
// ---------------------------------------------------------------------------

/// Target `greeting`: the 3.x greeting, the partial greeting and version
/// detection, and the 2.0 / 1.0 greetings, on the same octets.
///
/// Checks: no panic; "need more" only while fewer octets than the rule
/// needs have arrived, and every prefix of the input gives "need more" or
/// the same error as the whole (37-R01, 37-R02); a parsed greeting
/// re-encodes to a greeting that parses to the same value, and to the same
/// octets when the filler was zero (G01..G04); [`detect`] agrees with the
/// signature's octets 0, 9 and 10 (37-R60) and with [`partial_greeting`];
/// 2.0 and 1.0 greetings re-encode to the same value.
pub fn greeting(data: &[u8]) {
    check_full_greeting(data);
    check_detection(data);
    check_v2_greeting(data);
    check_v1_identity(data);
}

fn check_full_greeting(data: &[u8]) {
    let whole = greeting_rule(data);
    match &whole {
        Ok((rest, g)) => {
            assert_eq!(rest.len(), data.len() - Greeting::LEN);
            assert!(Protocol::from_version(g.version).is_some(), "a 3.x version");
            assert!(g.mechanism.is_valid(), "G02");
            let bytes = g.to_bytes();
            let (_, again) = greeting_rule(&bytes).expect("a greeting re-encodes");
            assert_eq!(&again, g);
            if data[33..Greeting::LEN].iter().all(|&b| b == 0) {
                assert_eq!(&bytes[..], &data[..Greeting::LEN], "canonical greeting");
            }
        }
        Err(nom::Err::Incomplete(needed)) => {
            assert!(data.len() < Greeting::LEN);
            if let nom::Needed::Size(n) = needed {
                assert!(data.len() + n.get() <= Greeting::LEN, "asks for too much");
            }
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            assert!(is_greeting_error(e), "{e:?}");
        }
    }
    for n in 0..data.len().min(Greeting::LEN) {
        match (greeting_rule(&data[..n]), &whole) {
            (Err(nom::Err::Incomplete(_)), _) => {}
            (Err(nom::Err::Failure(e)), Err(nom::Err::Failure(w))) => {
                assert_eq!(&e, w, "a prefix fails differently");
            }
            (other, _) => panic!("prefix of {n}: {other:?}, whole: {whole:?}"),
        }
    }
}

fn is_greeting_error(e: &WireError) -> bool {
    matches!(
        e,
        WireError::BadSignature
            | WireError::VersionBelow3(_)
            | WireError::BadMechanismName
            | WireError::BadAsServer(_)
    )
}

fn check_detection(data: &[u8]) {
    match detect(data) {
        Ok((rest, detected)) => {
            assert_eq!(rest, data, "detect consumes nothing");
            let versioned = data[0] == 0xFF && data.len() >= 10 && data[9] & 1 == 1;
            match detected {
                Detected::Unversioned => assert!(!versioned),
                Detected::Versioned { revision } => {
                    assert!(versioned);
                    assert_eq!(data[10], revision);
                    let (_, p) = partial_greeting(data).expect("a versioned signature");
                    assert_eq!(p.major, revision);
                    let mut out = Vec::new();
                    p.encode(&mut out);
                    assert_eq!(out.len(), p.encoded_len());
                    assert_eq!(&out[..], &data[..Greeting::PARTIAL_LEN]);
                }
            }
        }
        Err(nom::Err::Incomplete(_)) => {
            assert!(data.len() < Greeting::PARTIAL_LEN);
            assert!(data.is_empty() || data[0] == 0xFF);
        }
        Err(other) => panic!("detect never fails: {other:?}"),
    }
}

fn check_v2_greeting(data: &[u8]) {
    let Ok((rest, g)) = v2_greeting(data) else {
        return;
    };
    let mut out = Vec::new();
    g.encode(&mut out);
    assert_eq!(out.len(), g.encoded_len());
    if data[9] == 0x7F {
        assert_eq!(&out[..], &data[..out.len()]);
    }
    assert_eq!(v2_greeting(&out).map(|(_, v)| v), Ok(g));
    if let Ok((after, identity)) = v2_identity(rest) {
        let frame = V2Identity::new(Bytes::copy_from_slice(identity)).expect("<= 255 octets");
        let mut out = Vec::new();
        frame.encode(&mut out);
        assert_eq!(out.len(), frame.encoded_len());
        assert_eq!(&out[..], &rest[..rest.len() - after.len()]);
    }
}

fn check_v1_identity(data: &[u8]) {
    let Ok((rest, frame)) = v1_identity(data) else {
        return;
    };
    assert!(frame.identity.len() <= 255);
    let mut out = Vec::new();
    frame.encode(&mut out);
    assert_eq!(out.len(), frame.encoded_len());
    let (_, again) = v1_identity(&out).expect("re-encoded identity");
    assert_eq!(again, frame);
    let used = data.len() - rest.len();
    if data[0] != 0xFF {
        assert_eq!(&out[..], &data[..used], "short form is canonical");
    }
}

// ---------------------------------------------------------------------------
// decoder
// ---------------------------------------------------------------------------

/// Target `decoder`: the streaming decoder on an arbitrary stream.
///
/// Input: octet 0 selects the framing (bits 0-1: 3.x, 2.0, 1.0), raw
/// commands (bit 2), a maximum message size (bit 3, then 2 octets) and
/// how chunks reach it (bit 4: handed over as buffers, `push_buf`; else
/// bit 5: read into [`Decoder::read_buffer`] as a transport does, in reads
/// of at most the next 2 octets + 1; else copied, `push`); the next octet
/// seeds the chunking; the rest is the stream.
///
/// Checks: no panic; one-shot, seeded-chunk and (up to 512 octets)
/// octet-by-octet feeding give
/// the same items and error; after every push the buffer capacity is
/// within [`capacity_bound`] of what arrived; no message or command over
/// the maximum comes out (MAXMSGSIZE), nor a message of more frames than
/// it allows ([`crate::wire::decode::max_frames`]); the items re-encode
/// to a stream that decodes to the same items.
pub fn decoder(data: &[u8]) {
    /// The longest stream also decoded one octet at a time.
    const SINGLES_UP_TO: usize = 512;
    let mut choices = Choices::new(data);
    let control = choices.u8();
    let framing = match control & 0x03 {
        1 => Framing::Zmtp2,
        2 => Framing::Zmtp1,
        _ => Framing::Zmtp3,
    };
    let raw = control & 0x04 != 0;
    let max = (control & 0x08 != 0).then(|| u64::from(choices.u16()));
    let push = if control & 0x10 != 0 {
        Push::Buf
    } else if control & 0x20 != 0 {
        Push::Read(usize::from(choices.u16()) + 1)
    } else {
        Push::Slice
    };
    let seed = choices.u8();
    let stream = choices.rest();

    let make = || {
        let mut d = Decoder::new(framing).with_max_message_size(max);
        d.set_raw_commands(raw);
        d
    };
    let whole = decode_chunks(make(), Push::Slice, [stream]);
    let chunked = decode_chunks(make(), push, SeededChunks::new(stream, seed));
    assert_eq!(chunked, whole, "seeded chunking disagrees");
    // Octet by octet on short streams only: the seeded chunking above
    // already covers every split on long ones, and one decode per octet of
    // a long stream is what made this target slow.
    if stream.len() <= SINGLES_UP_TO {
        let singles = decode_chunks(make(), push, stream.chunks(1));
        assert_eq!(singles, whole, "octet-by-octet disagrees");
    }

    let (items, _) = &whole;
    for item in items {
        let size = match item {
            Item::Message(m) => {
                assert!(!m.is_empty());
                if let Some(max) = max {
                    let frames = m.len() as u64;
                    assert!(
                        frames <= crate::wire::decode::max_frames(max),
                        "{frames} frames passed a maximum of {max} octets"
                    );
                }
                m.byte_len()
            }
            Item::Command(c) => c.body_len(),
            Item::RawCommand(body) => body.len(),
        };
        if let Some(max) = max {
            assert!(
                size as u64 <= max,
                "{size} octets passed a maximum of {max}"
            );
        }
        if framing != Framing::Zmtp3 {
            assert!(matches!(item, Item::Message(_)), "commands only in 3.x");
        }
    }
    check_reencoding(items, framing, raw);
}

/// How chunks reach the decoder.
#[derive(Clone, Copy, Debug)]
enum Push {
    /// [`Decoder::push`]: copied into the buffer.
    Slice,
    /// [`Decoder::push_buf`]: handed over as a buffer, taken as-is when
    /// nothing is buffered.
    Buf,
    /// [`Decoder::read_buffer`]: written into the room the decoder offers,
    /// as a transport's reads of at most this many octets would (the
    /// in-place body reads of large frames).
    Read(usize),
}

/// Decodes `chunks` with `decoder`; checks the capacity bound after every
/// push (every read, for [`Push::Read`]). Returns the items and the error
/// that ended decoding, if any.
fn decode_chunks<'a>(
    mut decoder: Decoder,
    push: Push,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<Item>, Option<WireError>) {
    let mut items = Vec::new();
    let mut received = 0;
    for chunk in chunks {
        let mut rest = chunk;
        while !rest.is_empty() {
            let n = match push {
                Push::Slice => {
                    decoder.push(rest);
                    rest.len()
                }
                Push::Buf => {
                    decoder.push_buf(BytesMut::from(rest));
                    rest.len()
                }
                Push::Read(read_size) => {
                    let mut room = decoder.read_buffer(read_size);
                    let n = room.remaining_mut().min(rest.len());
                    assert!(n > 0, "read_buffer offered no room");
                    room.put_slice(&rest[..n]);
                    n
                }
            };
            rest = &rest[n..];
            received += n;
            assert!(
                decoder.buffer_capacity() <= capacity_bound(received),
                "capacity {} after {received} octets",
                decoder.buffer_capacity()
            );
            loop {
                match decoder.poll_item() {
                    Ok(Some(item)) => items.push(item),
                    Ok(None) => break,
                    Err(e) => {
                        assert_eq!(decoder.poll_item(), Err(e.clone()), "errors are final");
                        return (items, Some(e));
                    }
                }
            }
        }
    }
    (items, None)
}

fn check_reencoding(items: &[Item], framing: Framing, raw: bool) {
    let mut stream = BytesMut::new();
    let mut kept = Vec::new();
    for item in items {
        let before = stream.len();
        let written = match item {
            Item::Message(m) => {
                encode_message(m, framing, &mut stream).expect("a decoded message encodes");
                assert_eq!(stream.len() - before, message_encoded_len(m, framing));
                true
            }
            Item::RawCommand(body) => {
                Frame::command(body.clone())
                    .encode(&mut stream)
                    .expect("a decoded command frame encodes");
                true
            }
            Item::Command(c) => match c.encode(&mut stream) {
                Ok(()) => {
                    assert_eq!(stream.len() - before, c.encoded_len());
                    true
                }
                Err(_) => {
                    assert!(is_lenient_error(c), "{c:?} decoded but cannot be encoded");
                    false
                }
            },
        };
        if written {
            kept.push(item.clone());
        } else {
            assert_eq!(stream.len(), before, "nothing written on error");
        }
    }
    let mut decoder = Decoder::new(framing);
    decoder.set_raw_commands(raw);
    let (again, error) = decode_chunks(decoder, Push::Slice, [&stream[..]]);
    assert_eq!(error, None);
    assert_eq!(again, kept, "re-encoded stream decodes differently");
}

/// The one value the grammar accepts and the encoder refuses: an ERROR
/// reason with octets outside VCHAR (G11; zmtp-wire.md 6.1 #6).
fn is_lenient_error(command: &Command) -> bool {
    matches!(command, Command::Error { reason }
        if reason.iter().any(|c| !(0x21..=0x7E).contains(c)))
}

/// Splits a stream into chunks whose sizes come from a small PRNG seeded
/// by one fuzzer octet: the top two bits pick the scale (up to 1, 8, 64 or
/// 4096 octets).
struct SeededChunks<'a> {
    rest: &'a [u8],
    state: u32,
    scale: usize,
}

impl<'a> SeededChunks<'a> {
    fn new(stream: &'a [u8], seed: u8) -> Self {
        Self {
            rest: stream,
            state: u32::from(seed).wrapping_mul(0x9E37_79B9) | 1,
            scale: [1, 8, 64, 4096][usize::from(seed >> 6)],
        }
    }
}

impl<'a> Iterator for SeededChunks<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        // xorshift32
        self.state ^= self.state << 13;
        self.state ^= self.state >> 17;
        self.state ^= self.state << 5;
        let size = 1 + self.state as usize % self.scale;
        let (chunk, rest) = self.rest.split_at(size.min(self.rest.len()));
        self.rest = rest;
        Some(chunk)
    }
}

// ---------------------------------------------------------------------------
// command
// ---------------------------------------------------------------------------

/// Target `command`: a command frame body, and the same octets as a 3.0
/// subscription message body.
///
/// Checks: no panic; a parsed command has the body's length, re-encodes
/// to the same octets (the command encoding has one form) and parses back
/// to itself, alone and as a frame through the decoder (G08..G14); a
/// known name never comes out as `Unknown` and the mechanism names come
/// out as `Mechanism`; the only command that parses but does not encode is
/// an ERROR with a non-VCHAR reason; a subscription message re-encodes to
/// its octets (G17).
pub fn command(data: &[u8]) {
    let body = Bytes::copy_from_slice(data);
    match (Command::parse(&body), split_command(&body)) {
        (Ok(command), Ok((name, _))) => {
            assert_eq!(&name[..], command.name());
            assert_eq!(command.body_len(), data.len());
            match &command {
                Command::Unknown { name, .. } => {
                    assert!(!is_known(name), "{name:?} parsed as Unknown");
                }
                Command::Mechanism { name, .. } => {
                    assert_eq!(
                        MechanismCommand::from_name(name.as_str().as_bytes()),
                        Some(*name)
                    );
                }
                _ => assert!(is_known(&name)),
            }
            let mut out = BytesMut::new();
            match command.encode_body(&mut out) {
                Ok(()) => {
                    assert_eq!(&out[..], data, "re-encodes to other octets");
                    assert_eq!(Command::parse(&out.freeze()), Ok(command.clone()));
                    let frame = command.to_bytes().expect("encodable");
                    assert_eq!(frame.len(), command.encoded_len());
                    let mut decoder = Decoder::new(Framing::Zmtp3);
                    decoder.push(&frame);
                    assert_eq!(decoder.poll_item(), Ok(Some(Item::Command(command))));
                    assert_eq!(decoder.poll_item(), Ok(None));
                }
                Err(e) => {
                    assert!(is_lenient_error(&command), "{command:?}: {e:?}");
                    assert!(out.is_empty(), "nothing written on error");
                }
            }
        }
        (Ok(command), Err(e)) => panic!("{command:?} parsed with a bad name: {e:?}"),
        (Err(e), Err(_)) => assert_eq!(e, WireError::BadCommandName),
        (Err(e), Ok((name, _))) => {
            assert!(is_known(&name), "unknown name {name:?} failed: {e:?}");
        }
    }

    match SubscriptionMessage::parse(&body) {
        Ok(s) => {
            assert_eq!(s.to_bytes().expect("encodable"), body);
            assert_eq!(s.encoded_len(), data.len());
            assert_eq!(SubscriptionMessage::parse_message(&s.to_message()), Ok(s));
        }
        Err(e) => {
            assert_eq!(e, WireError::BadSubscriptionMessage);
            assert!(data.first().is_none_or(|&b| b > 1));
        }
    }
}

fn is_known(name: &[u8]) -> bool {
    matches!(
        name,
        b"READY" | b"ERROR" | b"SUBSCRIBE" | b"CANCEL" | b"PING" | b"PONG" | b"JOIN" | b"LEAVE"
    ) || MechanismCommand::from_name(name).is_some()
}

// ---------------------------------------------------------------------------
// metadata
// ---------------------------------------------------------------------------

/// Target `metadata`: a metadata body (the properties of READY).
///
/// Checks: no panic; parsed metadata is valid (37-R26, 37-R28), re-encodes
/// to the same octets (G10), and its case-insensitive lookup finds the
/// first property of each name (37-R27, 37-R31); a failure is one of the
/// metadata errors; the same octets after a READY name parse as the same
/// metadata.
pub fn metadata(data: &[u8]) {
    let body = Bytes::copy_from_slice(data);
    let parsed = Metadata::parse(&body);
    match &parsed {
        Ok(md) => {
            assert!(md.is_valid());
            assert_eq!(md.to_bytes().expect("encodable"), body);
            assert_eq!(md.encoded_len(), data.len());
            for p in md.properties() {
                assert!(p.is_valid());
                assert_eq!(p.encoded_len(), 1 + p.name.len() + 4 + p.value.len());
                let name = core::str::from_utf8(&p.name).expect("name chars are ASCII");
                let first = md
                    .properties()
                    .iter()
                    .find(|q| q.name.eq_ignore_ascii_case(&p.name))
                    .map(|q| &q.value);
                assert_eq!(md.get(&name.to_ascii_uppercase()), first);
                assert_eq!(md.get(&name.to_ascii_lowercase()), first);
            }
        }
        Err(e) => assert!(
            matches!(
                e,
                WireError::BadPropertyName
                    | WireError::BadPropertyNameChar
                    | WireError::BadPropertyValue(_)
                    | WireError::TrailingPropertyBytes(_)
            ),
            "{e:?}"
        ),
    }
    let mut ready = BytesMut::from(&b"\x05READY"[..]);
    ready.extend_from_slice(data);
    match (Command::parse(&ready.freeze()), parsed) {
        (Ok(Command::Ready(a)), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("READY {a:?} vs metadata {b:?}"),
    }
}

// ---------------------------------------------------------------------------
// connection
// ---------------------------------------------------------------------------

/// Target `connection`: one connection machine driven by a sequence of
/// operations (octets from the peer, clock moves, timer firings,
/// application sends, close), through [`harness::run`].
///
/// Input: a configuration header read by [`connection_config`], then
/// operations read by [`connection_ops`].
///
/// Checks: no panic (the machine's own transition assertions included);
/// the receive buffer stays within [`capacity_bound`] of what arrived; the
/// first octets sent are the greeting the pacing calls for (37-R60,
/// 37-R01, 37-R03); at most one handshake success, before any message or
/// subscription event; at most one terminal event (`Closed` or `Failed`),
/// last, and present exactly when the machine is closed; no timer once
/// closed; no message over the maximum size.
pub fn connection(data: &[u8]) {
    let mut choices = Choices::new(data);
    let (config, side) = connection_config(&mut choices);
    let ops = connection_ops(&mut choices);
    let max = config.max_message_size;
    let pacing = config.behaviour.pacing;
    let routing_id = config.routing_id.clone();
    let Ok(outcome) = harness::run(config, side, &ops) else {
        return;
    };
    assert!(
        outcome.max_buffer_capacity <= capacity_bound(outcome.received),
        "capacity {} after {} octets",
        outcome.max_buffer_capacity,
        outcome.received
    );

    // The first operation collects the greeting octets sent at creation.
    let sent = &outcome.sent;
    if !ops.is_empty() {
        match pacing {
            GreetingPacing::Full => {
                let (_, g) = greeting_rule(sent).expect("a full greeting first");
                assert_eq!(g.padding, [0; 8], "zero padding without detection");
            }
            GreetingPacing::Detect => {
                let mut sig = Vec::new();
                let id_len = u8::try_from(routing_id.len()).unwrap_or(u8::MAX);
                Signature::detecting(id_len).encode(&mut sig);
                assert_eq!(&sent[..sig.len()], &sig[..], "pseudo-signature first");
            }
            _ => {
                let mut sig = Vec::new();
                Signature::PLAIN.encode(&mut sig);
                assert_eq!(&sent[..sig.len()], &sig[..], "signature first");
            }
        }
    }

    let mut handshake = None;
    let mut terminal = None;
    for (i, event) in outcome.events.iter().enumerate() {
        assert!(terminal.is_none(), "event {event:?} after the end");
        match event {
            Event::HandshakeSucceeded(_) => {
                assert!(handshake.is_none(), "two handshakes");
                handshake = Some(i);
            }
            Event::Message(m) => {
                assert!(handshake.is_some(), "message before the handshake");
                assert!(!m.is_empty());
                if let Some(max) = max {
                    assert!(m.byte_len() as u64 <= max, "message over MAXMSGSIZE");
                }
            }
            Event::Subscribe(_) | Event::Cancel(_) | Event::Join(_) | Event::Leave(_) => {
                assert!(handshake.is_some(), "{event:?} before the handshake");
            }
            Event::Closed | Event::Failed(_) => terminal = Some(i),
        }
    }
    let connection = &outcome.connection;
    assert_eq!(connection.is_closed(), terminal.is_some());
    if connection.is_closed() {
        assert_eq!(connection.poll_timeout(), None, "a timer after the close");
    }
    if matches!(connection.protocol(), Some(Protocol::V3_0 | Protocol::V3_1)) {
        check_own_3x_output(connection.config(), sent);
    }
}

/// Everything a 3.x NULL connection sent is well-formed: its 64-octet
/// greeting (the version it advertises, NULL, as-server 0: 37-R22), then
/// frames that decode without error, READY first with our socket type
/// (37-R33; or ERROR from a waiting NULL server), no MORE on commands (37-R20) and no reserved bits (37-R19).
fn check_own_3x_output(config: &Config, sent: &[u8]) {
    let (frames, g) = greeting_rule(sent).expect("our greeting");
    assert_eq!(g.version.minor, config.behaviour.minor);
    assert_eq!(g.mechanism, crate::wire::Mechanism::NULL);
    assert!(!g.as_server, "37-R22");
    let mut decoder = Decoder::new(Framing::Zmtp3);
    decoder.push(frames);
    let mut items = Vec::new();
    loop {
        match decoder.poll_item() {
            Ok(Some(item)) => items.push(item),
            Ok(None) => break,
            Err(e) => panic!("we sent a malformed frame: {e:?} after {items:?}"),
        }
    }
    assert!(decoder.is_idle(), "we sent part of a frame or message");
    match items.first() {
        None => {}
        Some(Item::Command(Command::Ready(md))) => {
            let own = config.socket_type.as_str().as_bytes();
            assert_eq!(
                md.get(crate::wire::metadata::SOCKET_TYPE).map(|v| &v[..]),
                Some(own)
            );
        }
        // An RFC 37 NULL server that waits for the client's READY may
        // refuse it with ERROR before sending its own.
        Some(Item::Command(Command::Error { .. }))
            if config.behaviour.null_server_ready.server_waits() => {}
        Some(other) => panic!("the first thing sent after the greeting is {other:?}, not READY"),
    }
}

/// RFC 37's waiting NULL server (the default, 3.1 peers only) when
/// `waits`, else the symmetric RFC 23 / libzmq one.
fn null_server_ready(waits: bool) -> NullServerReady {
    if waits {
        NullServerReady::WaitFor31
    } else {
        NullServerReady::Symmetric
    }
}

/// Reads a connection configuration: octet 0 the socket type, octet 1
/// the side (bit 0), pacing (bits 1-2), 3.0 behaviour (bit 3), heartbeats
/// (bit 4, then interval, TTL and timeout octets), a maximum message size
/// (bit 5, then 2 octets), RFC 37's waiting NULL server (bit 6) and an
/// optional Socket-Type (bit 7); then a routing id of 0-7 octets.
pub fn connection_config(choices: &mut Choices<'_>) -> (Config, Side) {
    let socket_type = SocketType::ALL[usize::from(choices.u8()) % SocketType::ALL.len()];
    let flags = choices.u8();
    let mut config = Config::new(socket_type);
    let side = if flags & 0x01 == 0 {
        Side::Client
    } else {
        Side::Server
    };
    config.behaviour.pacing = match (flags >> 1) & 0x03 {
        1 => GreetingPacing::Partial,
        2 => GreetingPacing::Full,
        _ => GreetingPacing::Detect,
    };
    if flags & 0x08 != 0 {
        config.behaviour.minor = 0;
    }
    if flags & 0x10 != 0 {
        let ms = |b: u8| (b != 0).then(|| Duration::from_millis(u64::from(b) * 10));
        config.heartbeat = Heartbeat {
            interval: ms(choices.u8()),
            ttl: ms(choices.u8()),
            timeout: ms(choices.u8()),
        };
    }
    if flags & 0x20 != 0 {
        config.max_message_size = Some(u64::from(choices.u16()));
    }
    config.behaviour.null_server_ready = null_server_ready(flags & 0x40 != 0);
    config.behaviour.require_socket_type = flags & 0x80 == 0;
    let id_len = usize::from(choices.u8() % 8);
    config.routing_id = Bytes::copy_from_slice(choices.bytes(id_len));
    (config, side)
}

/// Reads operations until the input runs out. Each starts with a tag
/// octet (modulo 8): 0-2 peer octets (a length octet, then that many),
/// 3 a clock move (2 octets of milliseconds), 4 a timer firing, 5 an
/// application message (1-4 frames of a length octet and its octets),
/// 6 a SUBSCRIBE or a PING (an octet choosing, then a length and
/// octets), 7 a close.
pub fn connection_ops(choices: &mut Choices<'_>) -> Vec<Op> {
    let mut ops = Vec::new();
    while !choices.is_empty() {
        let op = match choices.u8() % 8 {
            0..=2 => {
                let len = usize::from(choices.u8());
                Op::Bytes(choices.bytes(len).to_vec())
            }
            3 => Op::Advance(choices.u16()),
            4 => Op::FireTimer,
            5 => {
                let frames = 1 + choices.u8() % 4;
                Op::SendMessage(
                    (0..frames)
                        .map(|_| {
                            let len = usize::from(choices.u8());
                            choices.bytes(len).to_vec()
                        })
                        .collect(),
                )
            }
            6 => {
                let ping = choices.u8();
                let len = usize::from(choices.u8() % 24);
                let octets = choices.bytes(len).to_vec();
                if ping & 1 == 0 {
                    Op::Subscribe(octets)
                } else {
                    Op::Ping(u16::from(ping), octets)
                }
            }
            _ => Op::Close,
        };
        ops.push(op);
    }
    ops
}

// ---------------------------------------------------------------------------
// connection_pair
// ---------------------------------------------------------------------------

/// Target `connection_pair`: two connection machines back to back
/// ([`harness::Pair`], virtual time), with compatible socket types, any
/// pacing, 3.1 or 3.0 behaviour, RFC 37's waiting NULL server or not,
/// heartbeats, and any delivery chunking; both applications send messages,
/// subscriptions and PINGs while the clock moves.
///
/// Input: octet 0 the client's socket type, octet 1 the server's among
/// those compatible with it, octets 2-3 each side's behaviour (bits 0-1
/// pacing, bit 2 3.0, bit 3 waiting NULL server, bit 4 heartbeats with
/// 3 more octets: the interval in units of 100 ms, the TTL in units of
/// 10 ms above the interval + 100 ms, the timeout in units of 10 ms; 0 for
/// none), octet 4 the delivery chunk (0: whole), then operations
/// (see [`pair_op`]).
///
/// Checks: the handshake always succeeds, on both sides, with the same
/// protocol (the lower of the two: 37-R08) and each side sees the other's
/// socket type (37-R33); nothing fails, heartbeats included (an answering
/// peer never times out); each side receives exactly what the other sent,
/// in order (37-R21, 37-R44): messages as messages, subscriptions as
/// SUBSCRIBE to a 3.1 peer and as `01` messages to a 3.0 one (G17), which a
/// PUB or XPUB reports as subscriptions.
pub fn connection_pair(data: &[u8]) {
    let mut choices = Choices::new(data);
    let client_type = SocketType::ALL[usize::from(choices.u8()) % SocketType::ALL.len()];
    let peers: Vec<SocketType> = SocketType::ALL
        .into_iter()
        .filter(|t| client_type.is_compatible_with(*t))
        .collect();
    let server_type = peers[usize::from(choices.u8()) % peers.len()];
    let client_config = pair_config(client_type, &mut choices);
    let server_config = pair_config(server_type, &mut choices);
    let minor = |c: &Config| c.behaviour.minor;
    let protocol = if minor(&client_config).min(minor(&server_config)) == 0 {
        Protocol::V3_0
    } else {
        Protocol::V3_1
    };
    let Ok(mut pair) = harness::Pair::new(client_config, server_config) else {
        panic!("valid configurations");
    };
    pair.max_chunk = match choices.u8() {
        0 => usize::MAX,
        n => usize::from(n),
    };

    // What each side must receive, from what the other sent.
    let mut to_server = Vec::new();
    let mut to_client = Vec::new();
    let mut clock_budget = PAIR_CLOCK_BUDGET_MS;
    while !choices.is_empty() {
        match pair_op(&mut choices) {
            PairOp::Send {
                from_client,
                message,
            } => {
                let (conn, log) = if from_client {
                    (&mut pair.client, &mut to_server)
                } else {
                    (&mut pair.server, &mut to_client)
                };
                conn.send_message(message.clone())
                    .expect("open: checked after every step");
                log.push(Expected::Message(message));
            }
            PairOp::Subscribe { from_client, topic } => {
                let (conn, log) = if from_client {
                    (&mut pair.client, &mut to_server)
                } else {
                    (&mut pair.server, &mut to_client)
                };
                conn.send_command(Command::Subscribe(topic.clone()))
                    .expect("open: checked after every step");
                log.push(Expected::Subscribe(topic));
            }
            PairOp::Ping {
                from_client,
                context,
            } => {
                let conn = if from_client {
                    &mut pair.client
                } else {
                    &mut pair.server
                };
                conn.send_command(Command::Ping { ttl: 0, context })
                    .expect("open: checked after every step");
            }
            PairOp::Advance(ms) => {
                // Heartbeats fire on each move, octet by octet when the
                // chunk is small: a budget keeps an input to a few dozen
                // PINGs, beyond which nothing new is reached.
                let ms = ms.min(clock_budget);
                clock_budget -= ms;
                pair.advance(Duration::from_millis(u64::from(ms)));
            }
            PairOp::Drive => {
                pair.drive();
            }
        }
        if pair.client.is_closed() || pair.server.is_closed() {
            pair.drive();
            panic!(
                "a connection ended: client {:?}; server {:?}",
                pair.client_events, pair.server_events
            );
        }
    }
    pair.drive();

    let check = |events: &[Event], own: SocketType, peer_type: SocketType, sent: &[Expected]| {
        let Some((Event::HandshakeSucceeded(peer), rest)) = events.split_first() else {
            panic!("no handshake: {events:?}");
        };
        assert_eq!(peer.protocol, protocol, "37-R08");
        assert_eq!(peer.socket_type, Some(peer_type), "37-R33");
        let want: Vec<Event> = sent.iter().map(|e| e.received(own, protocol)).collect();
        assert_eq!(rest, &want[..], "what arrived is not what was sent");
    };
    check(&pair.server_events, server_type, client_type, &to_server);
    check(&pair.client_events, client_type, server_type, &to_client);
    assert!(pair.is_active());
}

/// How far, in milliseconds, the clock moves in one `connection_pair`
/// input, all moves together: at the shortest PING interval (100 ms) a
/// few dozen heartbeats each way.
const PAIR_CLOCK_BUDGET_MS: u16 = 3_000;

fn pair_config(socket_type: SocketType, choices: &mut Choices<'_>) -> Config {
    let flags = choices.u8();
    let mut config = Config::new(socket_type);
    config.behaviour.pacing = match flags & 0x03 {
        1 => GreetingPacing::Partial,
        2 => GreetingPacing::Full,
        _ => GreetingPacing::Detect,
    };
    if flags & 0x04 != 0 {
        config.behaviour.minor = 0;
    }
    config.behaviour.null_server_ready = null_server_ready(flags & 0x08 != 0);
    if flags & 0x10 != 0 {
        let ms = |b: u8| (b != 0).then(|| Duration::from_millis(u64::from(b) * 10));
        // PING intervals of 100 ms and up keep a clock move to a few dozen
        // timer firings (the target runs fast enough to explore).
        let interval = match choices.u8() {
            0 => None,
            b => Some(Duration::from_millis(u64::from(b) * 100)),
        };
        // A TTL shorter than our PING interval tells the peer to give up
        // between two PINGs, rightly; keep it above the interval once
        // rounded down to the tenths of a second it is sent in.
        let ttl = ms(choices.u8())
            .map(|extra| interval.unwrap_or_default() + Duration::from_millis(100) + extra);
        config.heartbeat = Heartbeat {
            interval,
            ttl,
            timeout: ms(choices.u8()),
        };
    }
    config
}

/// One step of [`connection_pair`].
#[derive(Debug)]
pub enum PairOp {
    /// An application message from one side.
    Send {
        /// Sent by the client (else the server).
        from_client: bool,
        /// The message.
        message: crate::Message,
    },
    /// A subscription from one side.
    Subscribe {
        /// Sent by the client (else the server).
        from_client: bool,
        /// The topic.
        topic: Bytes,
    },
    /// A PING from one side, without a TTL (a TTL would rightly make the
    /// peer give up on a sender that then goes quiet; the `connection`
    /// target covers TTLs); its PONG produces no event.
    Ping {
        /// Sent by the client (else the server).
        from_client: bool,
        /// The context, 0-16 octets.
        context: Bytes,
    },
    /// Move the virtual clock (milliseconds), firing timers on the way.
    Advance(u16),
    /// Exchange pending octets.
    Drive,
}

/// Reads one [`PairOp`]: a tag octet (bit 0: from the client; bits 1-3
/// modulo 5: send, subscribe, PING, clock move, drive), then its data
/// (frames: a count octet and length-prefixed frames; topics and contexts:
/// a length octet and octets; clock: 1 octet, in units of 10 ms, so that
/// a move fires at most a few dozen PINGs and the target stays fast).
pub fn pair_op(choices: &mut Choices<'_>) -> PairOp {
    let tag = choices.u8();
    let from_client = tag & 1 == 0;
    let octets = |choices: &mut Choices<'_>, max: u8| {
        let len = usize::from(choices.u8() % max);
        Bytes::copy_from_slice(choices.bytes(len))
    };
    match (tag >> 1) % 5 {
        0 => {
            let frames = 1 + choices.u8() % 4;
            let message = (0..frames).map(|_| octets(choices, 255)).collect();
            PairOp::Send {
                from_client,
                message,
            }
        }
        1 => PairOp::Subscribe {
            from_client,
            topic: octets(choices, 32),
        },
        2 => PairOp::Ping {
            from_client,
            context: octets(choices, 17),
        },
        3 => PairOp::Advance(u16::from(choices.u8()) * 10),
        _ => PairOp::Drive,
    }
}

/// What one side sent, to be found at the other.
#[derive(Debug)]
enum Expected {
    Message(crate::Message),
    Subscribe(Bytes),
}

impl Expected {
    /// The event the receiver reports, given its socket type and the
    /// protocol spoken.
    fn received(&self, receiver: SocketType, protocol: Protocol) -> Event {
        let message = match self {
            Self::Subscribe(topic) if protocol == Protocol::V3_1 => {
                return Event::Subscribe(topic.clone());
            }
            Self::Subscribe(topic) => SubscriptionMessage::Subscribe(topic.clone()).to_message(),
            Self::Message(message) => message.clone(),
        };
        if matches!(receiver, SocketType::Pub | SocketType::XPub)
            && let Ok(subscription) = SubscriptionMessage::parse_message(&message)
        {
            return match subscription {
                SubscriptionMessage::Subscribe(topic) => Event::Subscribe(topic),
                SubscriptionMessage::Cancel(topic) => Event::Cancel(topic),
            };
        }
        Event::Message(message)
    }
}

/// Fuzz target `pgm`: the PGM grammar, libzmq's payload joiner and the
/// receiver machine. The input is split into datagrams at each `0xA5 0x5A`
/// pair. Each datagram that parses re-encodes (through
/// [`Outgoing`](crate::pgm::packet::Outgoing)) to a packet that parses to
/// the same value; each data packet's TSDU goes through a [`Joiner`](crate::pgm::payload::Joiner)
/// with a frame limit, which must not hold more than the limit per frame;
/// and every datagram goes through one receiver, with its timers run, which
/// must neither panic nor keep more sources or slots than it is configured
/// for (PGM-R01..PGM-R13, PGM-R30..PGM-R34, PGM-R40..PGM-R49).
pub fn pgm(data: &[u8]) {
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Instant;

    use crate::pgm::packet::{self, Body, Outgoing};
    use crate::pgm::payload::Joiner;
    use crate::pgm::{Receiver, ReceiverConfig};

    let group = IpAddr::V4(Ipv4Addr::new(239, 192, 1, 1));
    let mut cfg = ReceiverConfig::new(group, 5555, 64);
    cfg.max_sources = 4;
    let mut rx = Receiver::new(cfg);
    let mut rng = harness::TestRng::new(7);
    let mut now = Instant::now();
    let mut joiner = Joiner::new(Some(1024));
    for datagram in datagrams(data) {
        if let Ok(p) = packet::packet(datagram) {
            let again = Outgoing {
                kind: p.header.kind,
                sport: p.header.sport,
                dport: p.header.dport,
                gsi: p.header.gsi,
                body: p.body,
                options: crate::pgm::options::Options {
                    other: Vec::new(),
                    ..p.options.clone()
                },
            };
            if !matches!(p.body, Body::Other(_)) && p.options.other.is_empty() {
                let bytes = again.to_vec();
                assert_eq!(bytes.len(), again.encoded_len());
                let back = packet::packet(&bytes).expect("our encoding parses");
                assert_eq!(back.body, p.body);
                assert_eq!(back.options, again.options);
            }
            if let Body::Data { tsdu, .. } = p.body {
                let mut out = Vec::new();
                let _ = joiner.handle_tsdu(tsdu, &mut out);
                for m in out {
                    assert!(m.iter().all(|f| f.len() <= 1024));
                }
            }
        }
        let _ = rx.handle_packet(datagram, None, now, &mut rng);
        now += Duration::from_millis(30);
        rx.handle_timeout(now, &mut rng);
        while rx.poll_transmit().is_some() {}
        while rx.poll_event().is_some() {}
        assert!(rx.sources() <= 4);
    }
}

/// Fuzz body: NORM datagrams (RFC 5740 as libnorm sends them for libzmq),
/// split at `A5 5A`. Each datagram is read (NORM-R06: a typed error or a
/// packet, never a panic); a stream segment's data must lie inside the
/// datagram, after its header.
pub fn norm(data: &[u8]) {
    use crate::connection::harness::TestRng;
    use crate::norm::{Packet, Receiver, ReceiverConfig, Sender, SenderConfig, parse};

    // Both machines read every datagram too (NORM-R06, R11, R16): no
    // panic, and the receiver tracks no more senders than its bound.
    let mut now = std::time::Instant::now();
    let mut cfg = ReceiverConfig::new(2);
    cfg.max_sources = 4;
    let mut rx = Receiver::new(cfg);
    let mut tx = Sender::new(SenderConfig::new(1, 0, 1_000_000), now);
    tx.push_message(&[b"seed".as_slice()]);
    let mut rng = TestRng::new(7);
    for datagram in datagrams(data) {
        let _ = rx.handle_packet(datagram, None, now, &mut rng);
        let _ = tx.handle_packet(datagram, now);
        now += Duration::from_millis(7);
        rx.handle_timeout(now, &mut rng);
        while rx.poll_transmit().is_some() {}
        while rx.poll_event().is_some() {}
        while tx.poll_transmit(now).is_some() {}
        assert!(rx.sources() <= 4);
    }
    for datagram in datagrams(data) {
        if let Ok(p) = parse(datagram) {
            assert_eq!(parse(datagram), Ok(p), "reading is deterministic");
            if let Packet::Data(h, d) = p {
                assert!(h.hdr_len <= datagram.len());
                if let Some(s) = d.stream {
                    assert!(h.hdr_len + 8 + s.data.len() <= datagram.len());
                    if let Some(m) = s.msg_start {
                        assert!(m < s.data.len());
                    }
                }
            }
        }
    }
}
