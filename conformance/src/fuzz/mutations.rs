//! The fuzzer's randomness and its structured mutations.
//!
//! Everything random comes from one [`Rng`] (splitmix64) seeded by the run's
//! seed and the iteration number, so an iteration's session and mutation
//! list depend on nothing else. A [`Mutation`] names the outgoing packet it
//! hits ([`Target`]: the n-th greeting piece, handshake command or message
//! frame of the raw peer's machine) and what happens to it ([`Action`]):
//! a field set through zmtp-spec's views, a command or property rebuilt
//! with its lenient builders, a CURVE box broken with its `raw` feature, a
//! downgraded header, a split, delay, drop, duplicate or reorder of the
//! write, an injected frame, or a disconnect.

use bytes::{Bytes, BytesMut};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zmtp_spec::connection::PacketKind;
use zmtp_spec::security::curve::raw::break_box;
use zmtp_spec::wire::view::{
    CommandBuilder, CommandView, FrameBuilder, FrameView, GreetingView, MetadataBuilder,
    MetadataView, PropertyBuilder,
};
use zmtp_spec::wire::{Greeting, Mechanism};

/// splitmix64: small, fast and fixed by its seed. Not a cryptographic
/// generator: the fuzzer's CURVE keys and nonces come from it on purpose,
/// so a run repeats.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The generator of iteration `n` of the run with seed `seed`.
    pub fn for_iteration(seed: u64, n: u64) -> Self {
        let mut r = Self(seed ^ n.wrapping_mul(0xd605_bbb5_8c8a_bbb5));
        let _ = r.u64();
        r
    }

    /// The next 64 bits.
    pub fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.u64() % n }
    }

    /// An index into a collection of `n` items.
    pub fn index(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap_or(0)
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// One of `items` (the first when there is one choice).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.index(items.len()))
    }

    /// An octet.
    pub fn octet(&mut self) -> u8 {
        self.u64().to_le_bytes()[0]
    }

    /// Fewer than `max` random octets.
    pub fn upto(&mut self, max: usize) -> Vec<u8> {
        let n = self.index(max);
        self.octets(n)
    }

    /// 1 to `max` random octets.
    pub fn upto_nonempty(&mut self, max: usize) -> Vec<u8> {
        let n = 1 + self.index(max);
        self.octets(n)
    }

    /// `n` random octets.
    pub fn octets(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.octet()).collect()
    }
}

impl RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        u32::try_from(self.u64() >> 32).unwrap_or_default()
    }

    fn next_u64(&mut self) -> u64 {
        self.u64()
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.u64().to_le_bytes();
            chunk.copy_from_slice(v.get(..chunk.len()).unwrap_or_default());
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// Deterministic on purpose (see [`Rng`]): the raw peer's machine wants a
/// `CryptoRng`, and a fuzzer's keys need no secrecy.
impl CryptoRng for Rng {}

/// Which class of outgoing packet a mutation counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// A piece of the 3.x greeting, or a 1.0/2.0 identity.
    Greeting,
    /// A command before the handshake is done (READY, HELLO, INITIATE...).
    Handshake,
    /// A message frame, or a command after the handshake.
    Traffic,
}

/// The packet a mutation hits: the `n`-th (from 0) of its class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The class counted.
    pub class: Class,
    /// Which one of the class.
    pub n: u16,
}

/// A greeting field, written through [`GreetingView`]'s setters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GreetingField {
    /// Octet 0 (0xff).
    SignatureStart(u8),
    /// Octets 1..9.
    Padding([u8; 8]),
    /// Octet 9 (0x7f).
    SignatureEnd(u8),
    /// Octet 11.
    Minor(u8),
    /// The 20-octet mechanism name.
    Mechanism(Vec<u8>),
    /// The as-server octet.
    AsServer(u8),
    /// The first octet of the filler.
    Filler(u8),
}

/// A frame the raw peer writes on its own after a packet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Injected {
    /// PING with this TTL (tenths of a second) and context: valid ZMTP 3.x.
    Ping {
        /// Time to live.
        ttl: u16,
        /// Context, 0-16 octets when valid.
        context: Vec<u8>,
    },
    /// An unsolicited PONG.
    Pong(Vec<u8>),
    /// A command by any name, with any data.
    Command {
        /// Its name.
        name: Vec<u8>,
        /// Its data.
        data: Vec<u8>,
    },
    /// A message frame with any flags octet.
    Frame {
        /// The flags octet.
        flags: u8,
        /// The body.
        body: Vec<u8>,
    },
    /// Octets with no frame around them.
    Junk(Vec<u8>),
}

/// What happens to the packet a mutation hits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A greeting field (only where the packet holds that field).
    Greeting(GreetingField),
    /// The version-major octet set to an older revision (a downgrade
    /// header: 0 or 1 for ZMTP 1.0/2.0, 2 for 3.0's draft).
    Downgrade(u8),
    /// The frame's flags octet.
    FrameFlags(u8),
    /// The frame's size field (short or long form, as the frame has).
    FrameSize(u64),
    /// The command rebuilt under another name (its data kept).
    CommandName(Vec<u8>),
    /// The command's name-length octet.
    CommandNameLen(u8),
    /// The metadata property `index` rebuilt (appended when past the
    /// end): name and value replaced when given, length fields lying when
    /// given.
    Property {
        /// Which property.
        index: u8,
        /// A new name.
        name: Option<Vec<u8>>,
        /// A new value.
        value: Option<Vec<u8>>,
        /// A lying name-length octet.
        name_len: Option<u8>,
        /// A lying value-length field.
        value_len: Option<u32>,
    },
    /// The last octet of a CURVE command's box flipped (spec's
    /// `raw::break_box`).
    BreakBox,
    /// One octet of the packet XORed (`offset` modulo its length).
    FlipOctet {
        /// Where.
        offset: u16,
        /// With what (non-zero).
        xor: u8,
    },
    /// Only the first `keep` octets sent.
    Truncate(u16),
    /// The write cut at these offsets.
    Split(Vec<u16>),
    /// The write delayed.
    DelayMs(u16),
    /// Not sent.
    Drop,
    /// Sent twice.
    Duplicate,
    /// Held back and sent after the next packet.
    Reorder,
    /// A frame written after this packet.
    Inject(Injected),
    /// The connection closed after this packet.
    Disconnect,
}

/// One mutation: a target and an action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mutation {
    /// The packet.
    pub target: Target,
    /// What happens to it.
    pub action: Action,
}

impl Mutation {
    /// Whether the exchange stays valid ZMTP with this mutation applied to
    /// the packet `hit`:
    /// writes split or delayed a little, a PING without TTL in the data
    /// phase of a 3.x connection (`clear` says the mechanism sends
    /// commands in clear). A correct peer then stays connected and
    /// answers.
    ///
    /// `hit` is the packet it hit: a command may follow a whole message or
    /// a command, never a frame with MORE set (a command inside a
    /// multipart message breaks the grammar).
    pub fn keeps_valid(&self, clear: bool, hit: &PacketKind) -> bool {
        match &self.action {
            Action::Split(_) => true,
            Action::DelayMs(ms) => *ms <= 500,
            Action::Inject(Injected::Ping { ttl: 0, context }) => {
                clear
                    && context.len() <= 16
                    && self.target.class == Class::Traffic
                    && !matches!(hit, PacketKind::Message { more: true, .. })
            }
            _ => false,
        }
    }

    /// Whether the action changes the octets of the packet itself (as
    /// opposed to how or when they go out, or what follows).
    pub fn rewrites(&self) -> bool {
        !matches!(
            self.action,
            Action::Split(_)
                | Action::DelayMs(_)
                | Action::Duplicate
                | Action::Reorder
                | Action::Inject(_)
                | Action::Disconnect
        )
    }

    /// A short name of the action, for coverage and finding signatures.
    pub fn kind(&self) -> &'static str {
        match &self.action {
            Action::Greeting(_) => "greeting-field",
            Action::Downgrade(_) => "downgrade",
            Action::FrameFlags(_) => "frame-flags",
            Action::FrameSize(_) => "frame-size",
            Action::CommandName(_) => "command-name",
            Action::CommandNameLen(_) => "command-name-len",
            Action::Property { .. } => "property",
            Action::BreakBox => "break-box",
            Action::FlipOctet { .. } => "flip-octet",
            Action::Truncate(_) => "truncate",
            Action::Split(_) => "split",
            Action::DelayMs(_) => "delay",
            Action::Drop => "drop",
            Action::Duplicate => "duplicate",
            Action::Reorder => "reorder",
            Action::Inject(Injected::Ping { .. }) => "inject-ping",
            Action::Inject(Injected::Pong(_)) => "inject-pong",
            Action::Inject(Injected::Command { .. }) => "inject-command",
            Action::Inject(Injected::Frame { .. }) => "inject-frame",
            Action::Inject(Injected::Junk(_)) => "inject-junk",
            Action::Disconnect => "disconnect",
        }
    }
}

/// The class a packet of `kind` counts in (`active`: the handshake is done).
pub fn class_of(kind: &PacketKind, active: bool) -> Class {
    match kind {
        PacketKind::Greeting { .. } | PacketKind::LegacyIdentity => Class::Greeting,
        PacketKind::Command { .. } if !active => Class::Handshake,
        _ => Class::Traffic,
    }
}

/// Interesting names and values, as a dictionary would give them.
const NAMES: &[&[u8]] = &[
    b"READY",
    b"ERROR",
    b"PING",
    b"PONG",
    b"HELLO",
    b"WELCOME",
    b"INITIATE",
    b"MESSAGE",
    b"SUBSCRIBE",
    b"CANCEL",
    b"JOIN",
    b"LEAVE",
    b"ready",
    b"",
    b"X",
];
const PROPERTY_NAMES: &[&[u8]] = &[
    b"Socket-Type",
    b"Identity",
    b"socket-type",
    b"Resource",
    b"X-Fuzz",
    b"",
    b"\x00",
];
const PROPERTY_VALUES: &[&[u8]] = &[
    b"PUB", b"SUB", b"REQ", b"REP", b"DEALER", b"ROUTER", b"PAIR", b"PUSH", b"PULL", b"XPUB",
    b"XSUB", b"", b"\x00",
];
const MECHANISMS: &[&[u8]] = &[b"NULL", b"PLAIN", b"CURVE", b"GSSAPI", b"null", b"X"];
const SIZES: &[u64] = &[0, 1, 2, 0x7f, 0xff, 0x100, 0xffff, 0x7fff_ffff, u64::MAX];

/// A random mutation list of up to `max` entries. `commands` is how many
/// handshake commands the raw peer sends (NULL: 1; PLAIN, CURVE: 2),
/// `traffic` how many traffic packets the session's operations make.
pub fn generate(rng: &mut Rng, max: usize, commands: u16, traffic: u16) -> Vec<Mutation> {
    let n = 1 + rng.index(max.max(1));
    (0..n).map(|_| one(rng, commands, traffic)).collect()
}

/// As [`generate`], with only mutations that keep the exchange valid
/// ([`Mutation::keeps_valid`]): splits and short delays anywhere, PINGs
/// without TTL after traffic packets (the probe's message counts as one
/// more).
pub fn generate_valid(rng: &mut Rng, max: usize, commands: u16, traffic: u16) -> Vec<Mutation> {
    let n = 1 + rng.index(max.max(1));
    (0..n)
        .map(|_| {
            let (class, of) = match rng.below(3) {
                0 => (Class::Greeting, 3),
                1 => (Class::Handshake, commands.max(1)),
                _ => (Class::Traffic, traffic.saturating_add(1)),
            };
            let target = Target {
                class,
                n: u16::try_from(rng.below(u64::from(of))).unwrap_or(0),
            };
            let action = match rng.below(3) {
                0 if class == Class::Traffic => Action::Inject(Injected::Ping {
                    ttl: 0,
                    context: rng.upto(17),
                }),
                0 | 1 => Action::Split(cuts(rng)),
                _ => Action::DelayMs(rng.below(200) as u16),
            };
            Mutation { target, action }
        })
        .collect()
}

fn one(rng: &mut Rng, commands: u16, traffic: u16) -> Mutation {
    let class = match rng.below(10) {
        0..=2 => Class::Greeting,
        3..=5 => Class::Handshake,
        _ => Class::Traffic,
    };
    let n = match class {
        // The default pacing sends the greeting in three pieces.
        Class::Greeting => rng.below(3),
        Class::Handshake => rng.below(u64::from(commands.max(1))),
        Class::Traffic => rng.below(u64::from(traffic.max(1))),
    };
    let target = Target {
        class,
        n: u16::try_from(n).unwrap_or(0),
    };
    let action = match (class, rng.below(16)) {
        (Class::Greeting, 0..=5) => Action::Greeting(greeting_field(rng)),
        (Class::Greeting, 6..=7) => Action::Downgrade(u8::try_from(rng.below(3)).unwrap_or(0)),
        (Class::Handshake, 0..=2) => Action::CommandName(name(rng)),
        (Class::Handshake, 3) => Action::CommandNameLen(rng.octet()),
        (Class::Handshake, 4..=6) => property(rng),
        (Class::Handshake, 7) => Action::BreakBox,
        (Class::Traffic, 0..=1) => Action::FrameFlags(rng.octet()),
        (Class::Traffic, 2..=3) => Action::Inject(Injected::Ping {
            ttl: if rng.chance(3, 4) {
                0
            } else {
                rng.below(40) as u16
            },
            context: rng.upto(18),
        }),
        (Class::Traffic, 4) => Action::Inject(injected(rng)),
        (_, 8) => Action::FrameSize(*rng.pick(SIZES).unwrap_or(&0)),
        (_, 9) => Action::FlipOctet {
            offset: rng.below(80) as u16,
            xor: 1 | rng.octet(),
        },
        (_, 10) => Action::Truncate(rng.below(12) as u16),
        (_, 11) => Action::Split(cuts(rng)),
        (_, 12) => Action::DelayMs(rng.below(300) as u16),
        (_, 13) => match rng.below(3) {
            0 => Action::Drop,
            1 => Action::Duplicate,
            _ => Action::Reorder,
        },
        (_, 14) => Action::Disconnect,
        _ => Action::Split(cuts(rng)),
    };
    Mutation { target, action }
}

fn cuts(rng: &mut Rng) -> Vec<u16> {
    let mut c: Vec<u16> = (0..1 + rng.index(3))
        .map(|_| 1 + rng.below(40) as u16)
        .collect();
    c.sort_unstable();
    c.dedup();
    c
}

fn name(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(1, 4) {
        rng.upto(8)
    } else {
        rng.pick(NAMES).map(|n| n.to_vec()).unwrap_or_default()
    }
}

fn greeting_field(rng: &mut Rng) -> GreetingField {
    match rng.below(7) {
        0 => GreetingField::SignatureStart(rng.octet()),
        1 => {
            let mut p = [0u8; 8];
            rng.fill_bytes(&mut p);
            GreetingField::Padding(p)
        }
        2 => GreetingField::SignatureEnd(rng.octet()),
        3 => GreetingField::Minor(rng.octet()),
        4 => GreetingField::Mechanism(rng.pick(MECHANISMS).map(|m| m.to_vec()).unwrap_or_default()),
        5 => GreetingField::AsServer(rng.octet()),
        _ => GreetingField::Filler(rng.octet()),
    }
}

fn property(rng: &mut Rng) -> Action {
    let pick = |rng: &mut Rng, from: &[&[u8]]| rng.pick(from).map(|v| v.to_vec());
    Action::Property {
        index: rng.below(3) as u8,
        name: if rng.chance(1, 2) {
            pick(rng, PROPERTY_NAMES)
        } else {
            None
        },
        value: if rng.chance(1, 2) {
            pick(rng, PROPERTY_VALUES)
        } else {
            None
        },
        name_len: if rng.chance(1, 5) {
            Some(rng.octet())
        } else {
            None
        },
        value_len: if rng.chance(1, 5) {
            Some(u32::try_from(*rng.pick(SIZES).unwrap_or(&0) & 0xffff_ffff).unwrap_or(0))
        } else {
            None
        },
    }
}

fn injected(rng: &mut Rng) -> Injected {
    match rng.below(4) {
        0 => Injected::Pong(rng.upto(4)),
        1 => Injected::Command {
            name: name(rng),
            data: rng.upto(6),
        },
        2 => Injected::Frame {
            flags: rng.octet(),
            body: rng.upto(6),
        },
        _ => Injected::Junk(rng.upto_nonempty(8)),
    }
}

/// What an action does to the octets of one packet (of `kind`): the
/// packet's new octets (empty: nothing is sent). Timing, ordering,
/// injection and disconnects are the driver's; they leave the octets.
pub fn rewrite(action: &Action, kind: &PacketKind, octets: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::from(octets);
    match action {
        Action::Greeting(field) => {
            if let PacketKind::Greeting { from, to } = kind {
                in_greeting(&mut out, *from, *to, |v| match field {
                    GreetingField::SignatureStart(o) => v.set_signature_start(*o),
                    GreetingField::Padding(p) => v.set_padding(*p),
                    GreetingField::SignatureEnd(o) => v.set_signature_end(*o),
                    GreetingField::Minor(o) => v.set_minor(*o),
                    GreetingField::Mechanism(name) => {
                        let mut field = [0u8; Mechanism::LEN];
                        for (d, s) in field.iter_mut().zip(name) {
                            *d = *s;
                        }
                        v.set_mechanism(&Mechanism::from_octets(field));
                    }
                    GreetingField::AsServer(o) => v.set_as_server(*o),
                    GreetingField::Filler(o) => {
                        let mut f = v.filler().unwrap_or([0; 31]);
                        f[0] = *o;
                        v.set_filler(f);
                    }
                });
            }
        }
        Action::Downgrade(revision) => {
            if let PacketKind::Greeting { from, to } = kind {
                in_greeting(&mut out, *from, *to, |v| v.set_major(*revision));
            }
        }
        Action::FrameFlags(flags) if is_frame(kind) && !out.is_empty() => {
            FrameView::new(&mut out[..]).set_flags(*flags);
        }
        Action::FrameSize(size) => {
            // The setters write inside the header: only where it is whole.
            let header = FrameView::new(&out[..]).header_len();
            match header {
                Some(2) if is_frame(kind) && out.len() >= 2 => {
                    FrameView::new(&mut out[..]).set_short_size(*size as u8);
                }
                Some(9) if is_frame(kind) && out.len() >= 9 => {
                    FrameView::new(&mut out[..]).set_long_size(*size);
                }
                _ => {}
            }
        }
        Action::CommandName(name) => {
            if let PacketKind::Command { boxed: false, .. } = kind
                && let Some(data) = command_data(&out)
            {
                let body = CommandBuilder::new(name).data(&data).build();
                out = BytesMut::from(&FrameBuilder::command(&body).build()[..]);
            }
        }
        Action::CommandNameLen(len) => {
            if is_frame(kind)
                && let Some(at) = body_offset(&out)
                && let Some(body) = out.get_mut(at..)
                && !body.is_empty()
            {
                CommandView::new(body).set_name_len(*len);
            }
        }
        Action::Property {
            index,
            name,
            value,
            name_len,
            value_len,
        } => {
            if let Some(rebuilt) = with_property(&out, *index, name, value, *name_len, *value_len) {
                out = BytesMut::from(&rebuilt[..]);
            }
        }
        Action::BreakBox => {
            if matches!(
                kind,
                PacketKind::Command { .. } | PacketKind::Message { boxed: true, .. }
            ) {
                break_box(&mut out);
            }
        }
        Action::FlipOctet { offset, xor } if !out.is_empty() => {
            let at = usize::from(*offset) % out.len();
            if let Some(o) = out.get_mut(at) {
                *o ^= *xor;
            }
        }
        Action::Truncate(keep) => out.truncate(usize::from(*keep)),
        Action::Drop => out.clear(),
        _ => {}
    }
    out.to_vec()
}

/// The octets of an injected frame.
pub fn injected_octets(what: &Injected) -> Vec<u8> {
    match what {
        Injected::Ping { ttl, context } => CommandBuilder::ping(*ttl, context).frame().build(),
        Injected::Pong(context) => CommandBuilder::pong(context).frame().build(),
        Injected::Command { name, data } => CommandBuilder::new(name).data(data).frame().build(),
        Injected::Frame { flags, body } => FrameBuilder::message(body, false).flags(*flags).build(),
        Injected::Junk(octets) => octets.clone(),
    }
}

/// Runs `write` on a 64-octet greeting holding this piece at `from..to`,
/// and copies the piece back.
fn in_greeting(
    out: &mut BytesMut,
    from: u8,
    to: u8,
    write: impl FnOnce(&mut GreetingView<&mut [u8]>),
) {
    let (from, to) = (usize::from(from), usize::from(to));
    if to > Greeting::LEN || from >= to || out.len() != to - from {
        return;
    }
    let mut scratch = [0u8; Greeting::LEN];
    if let Some(dst) = scratch.get_mut(from..to) {
        dst.copy_from_slice(out);
    }
    write(&mut GreetingView::new(&mut scratch[..]));
    if let Some(src) = scratch.get(from..to) {
        out.copy_from_slice(src);
    }
}

/// Whether a packet of `kind` is one ZMTP 3.x frame.
fn is_frame(kind: &PacketKind) -> bool {
    matches!(
        kind,
        PacketKind::Command { .. } | PacketKind::Message { .. }
    )
}

fn body_offset(frame: &[u8]) -> Option<usize> {
    FrameView::new(frame).header_len()
}

/// A command frame's name and data: `(name, data)`.
fn command_parts(frame: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let body = FrameView::new(frame).body()?;
    let view = CommandView::new(body);
    Some((view.name()?.to_vec(), view.data()?.to_vec()))
}

fn command_data(frame: &[u8]) -> Option<Vec<u8>> {
    command_parts(frame).map(|(_, d)| d)
}

fn with_property(
    frame: &[u8],
    index: u8,
    name: &Option<Vec<u8>>,
    value: &Option<Vec<u8>>,
    name_len: Option<u8>,
    value_len: Option<u32>,
) -> Option<Vec<u8>> {
    let (command, data) = command_parts(frame)?;
    // Only commands whose data is metadata in clear: READY, PLAIN INITIATE.
    if command != b"READY" && command != b"INITIATE" {
        return None;
    }
    let view = MetadataView::new(&data[..]);
    let mut props: Vec<(Vec<u8>, Vec<u8>)> = view
        .properties()
        .filter_map(|p| Some((p.name()?.to_vec(), p.value()?.to_vec())))
        .collect();
    let at = usize::from(index).min(props.len());
    if at == props.len() {
        props.push((b"X-Fuzz".to_vec(), Vec::new()));
    }
    let mut md = MetadataBuilder::new();
    for (i, (n, v)) in props.iter().enumerate() {
        if i != at {
            md = md.property(n, v);
            continue;
        }
        let n = name.as_deref().unwrap_or(n);
        let v = value.as_deref().unwrap_or(v);
        let mut p = PropertyBuilder::new(n, v);
        if let Some(l) = name_len {
            p = p.name_len(l);
        }
        if let Some(l) = value_len {
            p = p.value_len(l);
        }
        md = md.raw(p);
    }
    let body = CommandBuilder::new(&command).data(&md.build()).build();
    Some(FrameBuilder::command(&body).build())
}

/// The octets as [`Bytes`].
pub fn bytes(v: Vec<u8>) -> Bytes {
    Bytes::from(v)
}
