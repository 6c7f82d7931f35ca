//! Replays the fuzz corpora through the fuzz targets' bodies
//! (`zmtp_spec::fuzzing`), so that `cargo test` runs every seed and every
//! committed crash reproducer through exactly the code the fuzzers run.
//!
//! The seeds (`fuzz/corpus/<target>/seed-*`) are built here from the
//! golden vectors recorded from libzmq (`tests/golden/`) plus hand-made
//! malformed inputs; `seed_corpus_is_current` checks that the committed
//! files match. After changing the seeds or the golden vectors, rewrite
//! them with:
//!
//! ```sh
//! ZMTP_WRITE_SEEDS=1 cargo test -p zmtp-spec --test fuzz_corpus
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use zmtp_spec::fuzzing;

/// A fuzz target's body.
type Body = fn(&[u8]);

/// The fuzz targets and their bodies.
const TARGETS: &[(&str, Body)] = &[
    ("greeting", fuzzing::greeting),
    ("decoder", fuzzing::decoder),
    ("command", fuzzing::command),
    ("metadata", fuzzing::metadata),
    ("connection", fuzzing::connection),
    ("connection_pair", fuzzing::connection_pair),
    ("z85_decode", zmtp_spec::security::fuzzing::z85_decode),
    (
        "plain_handshake",
        zmtp_spec::security::fuzzing::plain_handshake,
    ),
    (
        "curve_handshake",
        zmtp_spec::security::fuzzing::curve_handshake,
    ),
    ("curve_tunnel", zmtp_spec::security::fuzzing::curve_tunnel),
    ("views", zmtp_spec::wire::view::fuzzing::views),
    ("pgm", fuzzing::pgm),
    ("norm", fuzzing::norm),
];

/// The committed corpora stay small (the brief: < 100 KiB in all).
const MAX_CORPUS_BYTES: usize = 100 * 1024;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

fn golden(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cat(names: &[&str]) -> Vec<u8> {
    names.iter().flat_map(|n| golden(n)).collect()
}

/// The body of a recorded command or single-frame message.
fn frame_body(name: &str) -> Vec<u8> {
    let frame = golden(name);
    let header = if frame[0] & 0x02 != 0 { 9 } else { 2 };
    frame[header..].to_vec()
}

/// libzmq's whole NULL greeting, in its three recorded pieces.
fn libzmq_greeting() -> Vec<u8> {
    cat(&[
        "greeting-signature.bin",
        "greeting-major.bin",
        "greeting-rest.bin",
    ])
}

/// Seeds, by target and file name.
fn seeds() -> BTreeMap<(&'static str, String), Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut add = |target: &'static str, name: &str, data: Vec<u8>| {
        assert!(out.insert((target, format!("seed-{name}")), data).is_none());
    };

    // pgm: libzmq 4.3.4's SPM and ODATA over epgm (OpenPGM), alone and as
    // two datagrams (split at A5 5A)
    add("pgm", "libzmq-spm", golden("pgm-spm.bin"));
    add("pgm", "libzmq-odata", golden("pgm-odata.bin"));
    let mut two = golden("pgm-spm.bin");
    two.extend_from_slice(&[0xa5, 0x5a]);
    two.extend(golden("pgm-odata.bin"));
    add("pgm", "libzmq-spm-then-odata", two);

    // norm: libzmq 4.3.4's (libnorm's) NORM_DATA stream segment, FLUSH and
    // CC, as captured in a network namespace, alone and joined at A5 5A
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    };
    let data = hex(
        "12080001000000008e789442200500000000000040030000001fc980057810040008000100000000000105746f706963",
    );
    let flush = hex("13050008000000008e7898420105000000000005");
    let cc = hex("13070000000000008e789442040000006b166554000404a98000ccd3");
    add("norm", "libzmq-data", data.clone());
    add("norm", "libzmq-flush", flush.clone());
    let mut all = cc.clone();
    for d in [&data, &flush] {
        all.extend_from_slice(&[0xa5, 0x5a]);
        all.extend_from_slice(d);
    }
    add("norm", "libzmq-cc-data-flush", all);

    // greeting
    let g = libzmq_greeting();
    add("greeting", "libzmq-null", g.clone());
    add(
        "greeting",
        "libzmq-plain",
        cat(&[
            "greeting-signature.bin",
            "greeting-major.bin",
            "greeting-rest-plain.bin",
        ]),
    );
    add(
        "greeting",
        "libzmq-signature",
        golden("greeting-signature.bin"),
    );
    add("greeting", "libzmq-partial", g[..11].to_vec());
    let mut v2 = golden("greeting-signature.bin");
    v2.push(0x01);
    v2.extend(golden("v2-socket-type-identity.bin"));
    add("greeting", "libzmq-v2-greeting", v2);
    add(
        "greeting",
        "libzmq-v1-identity",
        golden("v1-signature-identity.bin"),
    );
    for (name, at, octet) in [
        ("bad-as-server", 32, 0x02),
        ("bad-mechanism", 12, b'n'),
        ("version-2", 10, 0x02),
        ("signature-end-7e", 9, 0x7E),
        ("v1-zero-length", 0, 0x00),
    ] {
        let mut bad = g.clone();
        bad[at] = octet;
        add("greeting", name, bad);
    }

    // decoder: control octet, chunking seed, stream.
    let stream = |control: &[u8], seed: u8, data: Vec<u8>| {
        let mut out = control.to_vec();
        out.push(seed);
        out.extend(data);
        out
    };
    let all_3x = cat(&[
        "ready-dealer-id.bin",
        "ping.bin",
        "pong.bin",
        "subscribe-sub-to-3.1.bin",
        "multipart.bin",
        "cancel-sub-to-3.1.bin",
        "subscribe-sub-to-3.0.bin",
        "long-frame.bin",
        "hello-plain.bin",
        "error-zap-400.bin",
    ]);
    add("decoder", "3x-mixed", stream(&[0x00], 0x47, all_3x.clone()));
    add(
        "decoder",
        "3x-mixed-push-buf",
        stream(&[0x10], 0x83, all_3x.clone()),
    );
    add(
        "decoder",
        "3x-mixed-read-into",
        stream(&[0x20, 0x00, 0x3F], 0x21, all_3x.clone()),
    );
    add(
        "decoder",
        "3x-mixed-bytewise",
        stream(&[0x00], 0x00, all_3x),
    );
    // Large frames (8 KiB and 17 KiB bodies, a short one between) read in
    // place, in reads of at most 4 KiB: the decoder's body-sized buffers.
    let mut large = Vec::new();
    for (size, octet) in [(8 * 1024, 0x61), (5, 0x62), (17 * 1024, 0x63)] {
        if size > 255 {
            large.push(0x02);
            large.extend((size as u64).to_be_bytes());
        } else {
            large.extend([0x00, size as u8]);
        }
        large.extend(vec![octet; size]);
    }
    add(
        "decoder",
        "3x-large-read-into",
        stream(&[0x20, 0x0F, 0xFF], 0x35, large),
    );
    add(
        "decoder",
        "3x-ready-router",
        stream(&[0x00], 0x81, golden("ready-router.bin")),
    );
    add(
        "decoder",
        "3x-raw-hello-curve",
        stream(&[0x04], 0x90, golden("hello-curve.bin")),
    );
    add(
        "decoder",
        "3x-max-299-long-frame",
        stream(&[0x08, 0x01, 0x2B], 0xC3, golden("long-frame.bin")),
    );
    add(
        "decoder",
        "3x-max-24-multipart",
        stream(
            &[0x08, 0x00, 0x18],
            0x52,
            cat(&["multipart.bin", "multipart.bin"]),
        ),
    );
    add(
        "decoder",
        "v2-identity-frame",
        stream(
            &[0x01],
            0x45,
            golden("v2-socket-type-identity.bin")[1..].to_vec(),
        ),
    );
    let mut v1 = vec![0x02, 0x01, b'a', 0x01, 0x00, 0xFF];
    v1.extend(301u64.to_be_bytes());
    v1.push(0x00);
    v1.extend(vec![0x7A; 300]);
    add("decoder", "v1-frames", stream(&[0x02], 0x66, v1));
    for (name, control, data) in [
        ("reserved-flags", 0x00, &b"\x00\x01a\x08\x00"[..]),
        ("command-with-more", 0x00, b"\x05\x00"),
        (
            "size-msb-set",
            0x00,
            b"\x02\x80\x00\x00\x00\x00\x00\x00\x00",
        ),
        (
            "huge-declared-size",
            0x00,
            b"\x02\x40\x00\x00\x00\x00\x00\x00\x00abc",
        ),
        ("command-inside-message", 0x00, b"\x01\x01a\x04\x06\x04PONG"),
        ("v2-command-bit", 0x01, b"\x04\x00"),
        ("v1-zero-length", 0x02, b"\x00"),
    ] {
        add("decoder", name, stream(&[control], 0x10, data.to_vec()));
    }

    // command: command frame bodies.
    for name in [
        "ready-dealer-id",
        "ready-router",
        "ready-pub",
        "ping",
        "pong",
        "subscribe-sub-to-3.1",
        "cancel-sub-to-3.1",
        "error-zap-400",
        "hello-plain",
        "hello-curve",
        "subscribe-xsub-to-3.1",
    ] {
        add("command", name, frame_body(&format!("{name}.bin")));
    }
    for (name, body) in [
        ("ping-short", &b"\x04PING\x00"[..]),
        ("pong-context-17", b"\x04PONGabcdefghijklmnopq"),
        ("error-overrun", b"\x05ERROR\x05ab"),
        ("error-with-space", b"\x05ERROR\x03a b"),
        ("name-zero", b"\x00"),
        ("name-not-alpha", b"\x03ab1"),
        ("join-with-nul", b"\x04JOINa\x00b"),
        ("lowercase-ready", b"\x05ready\x00"),
        ("unknown", b"\x06FOOBARdata"),
    ] {
        add("command", name, body.to_vec());
    }

    // metadata: READY bodies after the name.
    for name in ["ready-dealer-id", "ready-router", "ready-pair"] {
        let body = frame_body(&format!("{name}.bin"));
        add("metadata", name, body[6..].to_vec());
    }
    for (name, body) in [
        ("zero-length-name", &b"\x00\x00\x00\x00\x00"[..]),
        ("value-over-2-31", b"\x01a\x80\x00\x00\x00"),
        ("trailing-octet", b"\x01a\x00\x00\x00\x00\x01"),
        ("bad-name-char", b"\x02a b\x00\x00\x00\x00"),
        ("value-overrun", b"\x01a\x00\x00\x00\x05abc"),
    ] {
        add("metadata", name, body.to_vec());
    }

    // views: recorded octets, and malformed ones written by the builders.
    for (name, data) in view_seeds() {
        add("views", name, data);
    }
    // views: libzmq's udp datagrams (48-R31..R34), valid, a group cut
    // short and a zero octet in the group.
    use zmtp_spec::wire::view::DatagramBuilder;
    for (name, data) in [
        (
            "udp-datagram-valid",
            DatagramBuilder::new().group(b"g1").body(b"hello").build(),
        ),
        (
            "udp-datagram-truncated-group",
            DatagramBuilder::new().group(b"gx").group_len(200).build(),
        ),
        (
            "udp-datagram-nul-group",
            DatagramBuilder::new().group(b"a\0b").body(b"body").build(),
        ),
    ] {
        add("views", name, data);
    }

    // connection: configuration header, then operations.
    for (name, data) in connection_seeds() {
        add("connection", name, data);
    }
    for (name, data) in pair_seeds() {
        add("connection_pair", name, data);
    }
    for (target, name, data) in security_seeds() {
        add(target, name, data);
    }
    out
}

/// Seeds for the `views` target: libzmq's greeting and frames as
/// recorded, and octets the lenient builders forge.
fn view_seeds() -> Vec<(&'static str, Vec<u8>)> {
    use zmtp_spec::wire::view::curve::{HelloBuilder, NonceBoxBuilder};
    use zmtp_spec::wire::view::{
        CommandBuilder, CommandView, FrameBuilder, GreetingBuilder, MetadataBuilder, V1FrameBuilder,
    };
    let mut ready = CommandBuilder::ready(
        MetadataBuilder::new()
            .property(b"Socket-Type", b"DEALER")
            .property(b"Identity", b""),
    )
    .build();
    {
        let mut view = CommandView::new(&mut ready[..]);
        let mut metadata = view.metadata_mut().expect("a whole name");
        let mut identity = metadata.property_mut(1).expect("two properties");
        let room = identity.value_room().expect("a whole header");
        identity.set_value_len(room as u32 + 1);
    }
    vec![
        ("libzmq-greeting", libzmq_greeting()),
        ("libzmq-ready-dealer-id", golden("ready-dealer-id.bin")),
        ("libzmq-long-frame", golden("long-frame.bin")),
        ("libzmq-v1-identity", golden("v1-signature-identity.bin")),
        (
            "greeting-v2-as-server-2",
            GreetingBuilder::new()
                .major(1)
                .as_server(2)
                .build()
                .to_vec(),
        ),
        (
            "command-size-2-63",
            FrameBuilder::new()
                .flags(0x04)
                .size(1 << 63)
                .body(b"..")
                .build(),
        ),
        ("ready-value-overrun", FrameBuilder::command(&ready).build()),
        ("v1-length-zero", V1FrameBuilder::new().length(0).build()),
        ("curve-hello-data", HelloBuilder::new().nonce(7).build()),
        (
            "curve-message-data",
            NonceBoxBuilder::new().nonce(9).boxed(&[0xAA; 17]).build(),
        ),
        (
            "plain-hello",
            zmtp_spec::wire::view::plain::HelloBuilder::new(b"admin", b"secret").build(),
        ),
    ]
}

/// Seeds for the security targets (`zmtp_spec::security::fuzzing`): Z85
/// texts (RFC 32's test vector, a key, a bad character, a group above
/// 2^32), and scripted PLAIN/CURVE peers in the format of its
/// `scripted_peer` (flags, chunk, as-server, then per command a name
/// index, a length and a body), and tunnel inputs.
fn security_seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let command = |pick: u8, body: &[u8]| {
        let mut out = vec![pick, body.len() as u8];
        out.extend_from_slice(body);
        out
    };
    let hello = b"\x05admin\x06secret";
    let mut plain_server = vec![0x03, 0xFF, 0x00];
    plain_server.extend(command(0, hello));
    plain_server.extend(command(3, b"\x0bSocket-Type\x00\x00\x00\x06DEALER"));
    plain_server.extend(command(200, b"hello"));
    let mut plain_server_bytewise = plain_server.clone();
    plain_server_bytewise[1] = 0;
    let mut plain_client = vec![0x00, 0xFF, 0x01];
    plain_client.extend(command(1, b""));
    plain_client.extend(command(3, b"\x0bSocket-Type\x00\x00\x00\x06DEALER"));
    plain_client.extend(command(4, b"\x03400"));
    let mut curve_server = vec![0x03, 0x10, 0x00];
    curve_server.extend(command(0, &[0x01; 194][..]));
    curve_server.extend(command(2, &[0x07; 250][..]));
    let mut curve_client = vec![0x00, 0x40, 0x01];
    curve_client.extend(command(1, &[0x02; 160][..]));
    curve_client.extend(command(3, &[0x03; 40][..]));
    vec![
        ("z85_decode", "rfc32-vector", b"HelloWorld".to_vec()),
        (
            "z85_decode",
            "key",
            b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7".to_vec(),
        ),
        ("z85_decode", "bad-char", b"Hello\"orld".to_vec()),
        ("z85_decode", "overflow", b"%%%%%".to_vec()),
        ("z85_decode", "partial-group", b"HelloWor".to_vec()),
        ("plain_handshake", "server", plain_server),
        ("plain_handshake", "server-bytewise", plain_server_bytewise),
        ("plain_handshake", "client", plain_client),
        ("curve_handshake", "server", curve_server),
        ("curve_handshake", "client", curve_client),
        (
            "curve_tunnel",
            "clean",
            b"\x00\x00\x00hello\x01world".to_vec(),
        ),
        (
            "curve_tunnel",
            "tampered",
            b"\x07\x10\x03\xffmessage one\x02two".to_vec(),
        ),
    ]
}

/// Operations in the format of `fuzzing::pair_op`.
#[derive(Default)]
struct PairOps(Vec<u8>);

impl PairOps {
    fn tag(mut self, kind: u8, from_server: bool) -> Self {
        self.0.push(kind << 1 | u8::from(from_server));
        self
    }
    fn send(mut self, from_server: bool, frames: &[&[u8]]) -> Self {
        self = self.tag(0, from_server);
        self.0.push(frames.len() as u8 - 1);
        for f in frames {
            self.0.push(f.len() as u8);
            self.0.extend_from_slice(f);
        }
        self
    }
    fn subscribe(mut self, from_server: bool, topic: &[u8]) -> Self {
        self = self.tag(1, from_server);
        self.0.push(topic.len() as u8);
        self.0.extend_from_slice(topic);
        self
    }
    fn ping(mut self, from_server: bool, context: &[u8]) -> Self {
        self = self.tag(2, from_server);
        self.0.push(context.len() as u8);
        self.0.extend_from_slice(context);
        self
    }
    fn advance(mut self, centis: u8) -> Self {
        self = self.tag(3, false);
        self.0.push(centis);
        self
    }
    fn drive(self) -> Self {
        self.tag(4, false)
    }
}

/// Headers for `fuzzing::connection_pair`: client type index into
/// `SocketType::ALL`, server index among its compatible types, each
/// side's behaviour (with heartbeat octets when bit 4 is set), chunk.
fn pair_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let with = |header: &[u8], ops: PairOps| {
        let mut out = header.to_vec();
        out.extend(ops.0);
        out
    };
    vec![
        (
            "dealer-router",
            with(
                &[5, 2, 0x00, 0x00, 0],
                PairOps::default()
                    .send(false, &[b"early"])
                    .send(true, &[b"", b"request"])
                    .drive()
                    .send(false, &[b"", b"reply"])
                    .advance(1),
            ),
        ),
        (
            "sub-pub-3-0-subscriptions",
            with(
                &[2, 0, 0x04, 0x00, 0],
                PairOps::default()
                    .subscribe(false, b"weather")
                    .send(true, &[b"weather", b"sunny"])
                    .send(false, &[b"\x01raw"])
                    .drive(),
            ),
        ),
        (
            "xsub-xpub-3-1-bytewise",
            with(
                &[10, 1, 0x01, 0x02, 1],
                PairOps::default()
                    .subscribe(false, b"")
                    .send(true, &[b"x"])
                    .ping(false, b"ctx"),
            ),
        ),
        (
            "pair-heartbeats-waiting-server",
            with(
                &[0, 0, 0x12, 2, 40, 20, 0x18, 1, 0, 0, 7],
                PairOps::default()
                    .advance(100)
                    .send(false, &[b"still", b"alive"])
                    .advance(250)
                    .ping(true, b"")
                    .advance(3),
            ),
        ),
        (
            "push-pull-long",
            with(
                &[8, 0, 0x01, 0x00, 100],
                PairOps::default().send(false, &[&[0x42; 250], &[0x43; 250]]),
            ),
        ),
    ]
}

/// Operations in the format of `fuzzing::connection_ops`.
#[derive(Default)]
struct Ops(Vec<u8>);

impl Ops {
    fn bytes(mut self, data: &[u8]) -> Self {
        for chunk in data.chunks(255) {
            self.0.push(0);
            self.0.push(chunk.len() as u8);
            self.0.extend_from_slice(chunk);
        }
        self
    }
    fn golden(self, names: &[&str]) -> Self {
        names
            .iter()
            .fold(self, |ops, name| ops.bytes(&golden(name)))
    }
    fn advance(mut self, ms: u16) -> Self {
        self.0.push(3);
        self.0.extend(ms.to_be_bytes());
        self
    }
    fn fire(mut self) -> Self {
        self.0.push(4);
        self
    }
    fn send(mut self, frames: &[&[u8]]) -> Self {
        self.0.push(5);
        self.0.push(frames.len() as u8 - 1);
        for f in frames {
            self.0.push(f.len() as u8);
            self.0.extend_from_slice(f);
        }
        self
    }
    fn subscribe(mut self, topic: &[u8]) -> Self {
        self.0.extend([6, 0, topic.len() as u8]);
        self.0.extend_from_slice(topic);
        self
    }
    fn ping(mut self, context: &[u8]) -> Self {
        self.0.extend([6, 1, context.len() as u8]);
        self.0.extend_from_slice(context);
        self
    }
    fn close(mut self) -> Self {
        self.0.push(7);
        self
    }
}

/// A configuration header for `fuzzing::connection_config`: socket type
/// index into `SocketType::ALL`, flags, extra octets, routing id.
fn config(socket_index: u8, flags: u8, extra: &[u8], routing_id: &[u8]) -> Vec<u8> {
    let mut out = vec![socket_index, flags];
    out.extend_from_slice(extra);
    out.push(routing_id.len() as u8);
    out.extend_from_slice(routing_id);
    out
}

fn connection_seeds() -> Vec<(&'static str, Vec<u8>)> {
    const PAIR: u8 = 0;
    const PUB: u8 = 1;
    const PULL: u8 = 7;
    const ROUTER: u8 = 6;
    let handshake = |ready: &str| {
        Ops::default().golden(&[
            "greeting-signature.bin",
            "greeting-major.bin",
            "greeting-rest.bin",
            ready,
        ])
    };
    let with = |cfg: Vec<u8>, ops: Ops| {
        let mut out = cfg;
        out.extend(ops.0);
        out
    };
    let mut v2_peer = golden("greeting-signature.bin");
    v2_peer.push(0x01);
    v2_peer.extend(golden("v2-socket-type-identity.bin"));
    v2_peer.extend(b"\x00\x02hi");
    let mut v1_peer = golden("v1-signature-identity.bin");
    v1_peer.extend(b"\x03\x00hi");
    vec![
        (
            "pair-libzmq",
            with(
                config(PAIR, 0x00, &[], b""),
                handshake("ready-pair.bin").send(&[b"hello"]).golden(&[
                    "ping.bin",
                    "long-frame.bin",
                    "error-zap-400.bin",
                ]),
            ),
        ),
        (
            "router-libzmq-dealer",
            with(
                config(ROUTER, 0x01, &[], b"r"),
                handshake("ready-dealer-id.bin")
                    .golden(&["multipart.bin"])
                    .send(&[b"golden-id", b"", b"reply"])
                    .close(),
            ),
        ),
        (
            "pub-libzmq-sub",
            with(
                config(PUB, 0x01, &[], b""),
                handshake("ready-sub.bin").golden(&[
                    "subscribe-sub-to-3.1.bin",
                    "subscribe-sub-to-3.0.bin",
                    "cancel-sub-to-3.1.bin",
                ]),
            ),
        ),
        (
            "pull-libzmq-push-max-24",
            with(
                config(PULL, 0x20, &[0x00, 0x18], b""),
                handshake("ready-push.bin").golden(&["multipart.bin", "long-frame.bin"]),
            ),
        ),
        (
            "pair-heartbeats",
            with(
                config(PAIR, 0x10, &[10, 50, 30], b""),
                handshake("ready-pair.bin")
                    .fire()
                    .golden(&["pong.bin"])
                    .advance(150)
                    .ping(b"ctx")
                    .fire()
                    .fire()
                    .advance(2000),
            ),
        ),
        (
            "pair-full-pacing-3-0",
            with(
                config(PAIR, 0x0C, &[], b""),
                handshake("ready-pair.bin")
                    .subscribe(b"t")
                    .send(&[b"a", b"b"]),
            ),
        ),
        (
            "router-v2-peer",
            with(
                config(ROUTER, 0x03, &[], b"id"),
                Ops::default().bytes(&v2_peer).send(&[b"x", b"y"]),
            ),
        ),
        (
            "router-v1-peer",
            with(
                config(ROUTER, 0x00, &[], b"id"),
                Ops::default().bytes(&v1_peer).send(&[b"x"]),
            ),
        ),
        (
            "pair-mechanism-mismatch",
            with(
                config(PAIR, 0x00, &[], b""),
                Ops::default().golden(&[
                    "greeting-signature.bin",
                    "greeting-major.bin",
                    "greeting-rest-plain.bin",
                ]),
            ),
        ),
        (
            "pub-incompatible-push",
            with(config(PUB, 0x00, &[], b""), handshake("ready-push.bin")),
        ),
        (
            "pair-handshake-timeout",
            with(
                config(PAIR, 0x00, &[], b""),
                Ops::default()
                    .golden(&["greeting-signature.bin"])
                    .advance(60000),
            ),
        ),
    ]
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.is_file())
            .collect(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    files.sort();
    files
}

#[test]
fn seed_corpus_is_current() {
    let seeds = seeds();
    if std::env::var_os("ZMTP_WRITE_SEEDS").is_some() {
        for (target, _) in TARGETS {
            let dir = corpus_dir().join(target);
            std::fs::create_dir_all(&dir).expect("mkdir");
            for old in files(&dir) {
                if old
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
                {
                    std::fs::remove_file(old).expect("rm");
                }
            }
        }
        for ((target, name), data) in &seeds {
            std::fs::write(corpus_dir().join(target).join(name), data).expect("write");
        }
    }
    let mut committed = BTreeMap::new();
    let mut total = 0;
    for (target, _) in TARGETS {
        for path in files(&corpus_dir().join(target)) {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let data = std::fs::read(&path).expect("read");
            if name.starts_with("seed-") || name.starts_with("crash-") {
                total += data.len();
            }
            if name.starts_with("seed-") {
                committed.insert((*target, name), data);
            }
        }
    }
    assert!(
        committed == seeds,
        "fuzz/corpus seeds differ from the generated ones; run \
         ZMTP_WRITE_SEEDS=1 cargo test -p zmtp-spec --test fuzz_corpus"
    );
    assert!(
        total < MAX_CORPUS_BYTES,
        "committed corpora hold {total} octets"
    );
}

fn replay(target: &str) {
    let body = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a target")
        .1;
    let files = files(&corpus_dir().join(target));
    assert!(!files.is_empty(), "no corpus for {target}");
    for path in files {
        let data = std::fs::read(&path).expect("read");
        let result = std::panic::catch_unwind(|| body(&data));
        assert!(result.is_ok(), "{} failed", path.display());
    }
}

#[test]
fn replay_greeting() {
    replay("greeting");
}

#[test]
fn replay_decoder() {
    replay("decoder");
}

#[test]
fn replay_command() {
    replay("command");
}

#[test]
fn replay_metadata() {
    replay("metadata");
}

#[test]
fn replay_connection() {
    replay("connection");
}

#[test]
fn replay_connection_pair() {
    replay("connection_pair");
}

#[test]
fn replay_pgm() {
    replay("pgm");
}

#[test]
fn replay_norm() {
    replay("norm");
}

#[test]
fn replay_z85_decode() {
    replay("z85_decode");
}

#[test]
fn replay_plain_handshake() {
    replay("plain_handshake");
}

#[test]
fn replay_curve_handshake() {
    replay("curve_handshake");
}

#[test]
fn replay_curve_tunnel() {
    replay("curve_tunnel");
}

#[test]
fn replay_views() {
    replay("views");
}

/// The seeds reach past the greeting: a seed that stops early would make
/// the replay above check little.
#[test]
fn connection_seeds_complete_their_handshake() {
    use zmtp_spec::connection::Event;
    use zmtp_spec::connection::harness::run;
    use zmtp_spec::fuzzing::{Choices, connection_config, connection_ops};
    for name in ["pair-libzmq", "router-libzmq-dealer", "pub-libzmq-sub"] {
        let data = &seeds()[&("connection", format!("seed-{name}"))];
        let mut choices = Choices::new(data);
        let (config, side) = connection_config(&mut choices);
        let ops = connection_ops(&mut choices);
        let outcome = run(config, side, &ops).expect("valid config");
        assert!(
            outcome
                .events
                .iter()
                .any(|e| matches!(e, Event::HandshakeSucceeded(_))),
            "{name}: {:?}",
            outcome.events
        );
    }
}
