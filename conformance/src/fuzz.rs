//! The live-peer fuzzer: any ZeroMQ library, through its agent, against a
//! raw peer whose packets come from zmtp-spec's machine and are mutated on
//! the way out.
//!
//! ```text
//!  seed, iteration ──> Rng ──> Session (pairing, mechanism, ops, mutations)
//!                                   │
//!        agent (JSON lines) <── driver ──> raw peer: spec's Connection ──poll_packet──> mutations ──> wire
//!                                   │            (events: attach, messages, failures)
//!                                   v
//!    detectors: crash, hang, memory, oracle (model's trace oracle), our own panics and errors
//!                                   │ finding
//!                                   v
//!        minimizer (ddmin over the mutation list) ──> reproducer JSON under --out ──> `replay`
//! ```
//!
//! An iteration's [`Session`] depends only on the seed, the iteration
//! number and the agent's manifest ([`plan`]), so a run repeats and a
//! reproducer replays one session exactly as it was generated.

use serde::{Deserialize, Serialize};
use zmtp_spec::SocketType;

pub mod campaign;
pub mod detectors;
pub mod driver;
pub mod minimizer;
pub mod mutations;
pub mod reproducer;

use mutations::{Mutation, Rng};

/// The security mechanism of a session (the agent is the server for PLAIN
/// and CURVE).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Mech {
    /// No security.
    Null,
    /// PLAIN, user `fuzz` password `fuzz`.
    Plain,
    /// CURVE, keys derived from the session's key seed.
    Curve,
}

/// One application step, between which the raw peer keeps reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// The raw peer sends a message with this body (with the envelope its
    /// type needs), or a subscription to it when it is a SUB/XSUB.
    PeerSend(Vec<u8>),
    /// The agent's socket sends a message with this body (a ROUTER
    /// addresses it to the raw peer).
    AgentSend(Vec<u8>),
    /// The agent's socket receives, briefly.
    AgentRecv,
    /// The raw peer only reads, this many ms.
    Wait(u16),
}

/// Everything one iteration does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The agent's socket type.
    pub agent_type: String,
    /// The raw peer's socket type.
    pub peer_type: String,
    /// The agent binds and the raw peer dials (else the raw peer listens).
    pub agent_binds: bool,
    /// The mechanism.
    pub mechanism: Mech,
    /// Seeds the raw peer's machine and the CURVE keys.
    pub key_seed: u64,
    /// The application steps.
    pub ops: Vec<Op>,
    /// The mutations applied to the raw peer's packets.
    pub mutations: Vec<Mutation>,
}

/// What the fuzzer may choose from, from the agent's manifest and the
/// command line.
#[derive(Clone, Debug)]
pub struct Menu {
    /// Socket types the agent offers (classic ones only).
    pub socket_types: Vec<SocketType>,
    /// Mechanisms the agent drives.
    pub mechanisms: Vec<Mech>,
    /// At most this many mutations per session.
    pub max_mutations: usize,
}

impl Menu {
    /// The menu for a manifest, restricted to `only` (a socket type name)
    /// when given.
    pub fn from_manifest(manifest: &serde_json::Value, only: Option<&str>) -> Self {
        let names = |key: &str| -> Vec<String> {
            manifest[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let offered = names("socket_types");
        let socket_types = SocketType::CLASSIC
            .into_iter()
            .filter(|t| offered.iter().any(|o| o == t.as_str()))
            .filter(|t| only.is_none_or(|o| o.eq_ignore_ascii_case(t.as_str())))
            .collect();
        let mechs = names("mechanisms");
        let mut mechanisms = vec![Mech::Null];
        if mechs.iter().any(|m| m == "PLAIN") {
            mechanisms.push(Mech::Plain);
        }
        if mechs.iter().any(|m| m == "CURVE") {
            mechanisms.push(Mech::Curve);
        }
        Self {
            socket_types,
            mechanisms,
            max_mutations: 4,
        }
    }
}

/// Whether a socket of type `t` sends application messages.
pub fn sends(t: SocketType) -> bool {
    !matches!(t, SocketType::Sub | SocketType::Pull | SocketType::XSub)
}

/// Whether a socket of type `t` receives application messages.
pub fn receives(t: SocketType) -> bool {
    !matches!(t, SocketType::Pub | SocketType::Push | SocketType::XPub)
}

/// The session of iteration `n` of the run with seed `seed`: a valid
/// pairing, a mechanism, application steps and mutations. `None` when the
/// menu has no socket type.
pub fn plan(menu: &Menu, seed: u64, n: u64) -> Option<Session> {
    let mut rng = Rng::for_iteration(seed, n);
    let agent = *rng.pick(&menu.socket_types)?;
    let peers: Vec<SocketType> = SocketType::CLASSIC
        .into_iter()
        .filter(|p| agent.is_compatible_with(*p) && p.zmtp2_code().is_some())
        .collect();
    let peer = *rng.pick(&peers)?;
    let agent_binds = rng.chance(3, 4);
    let mechanism = if agent_binds && rng.chance(1, 3) {
        *rng.pick(&menu.mechanisms).unwrap_or(&Mech::Null)
    } else {
        Mech::Null
    };
    let key_seed = rng.u64();
    let mut ops = Vec::new();
    if matches!(peer, SocketType::Sub | SocketType::XSub) {
        ops.push(Op::PeerSend(Vec::new()));
    }
    for _ in 0..1 + rng.index(6) {
        let body = format!("m{}", rng.below(100)).into_bytes();
        let op = match rng.below(4) {
            0 if sends(peer) => Op::PeerSend(body),
            1 if sends(agent) => Op::AgentSend(body),
            2 if receives(agent) => Op::AgentRecv,
            _ => Op::Wait(u16::try_from(rng.below(60)).unwrap_or(0)),
        };
        ops.push(op);
    }
    let handshake_commands = match mechanism {
        Mech::Null => 1,
        Mech::Plain | Mech::Curve => 2,
    };
    let traffic = ops
        .iter()
        .filter(|o| matches!(o, Op::PeerSend(_)))
        .count()
        .max(1);
    let mutations = if rng.chance(1, 10) {
        // Some sessions stay honest: the probe then checks plain traffic.
        Vec::new()
    } else if rng.chance(1, 3) {
        // Some keep the exchange valid (splits, delays, PINGs): then the
        // implementation must stay connected and deliver.
        mutations::generate_valid(
            &mut rng,
            menu.max_mutations,
            handshake_commands,
            u16::try_from(traffic).unwrap_or(1),
        )
    } else {
        mutations::generate(
            &mut rng,
            menu.max_mutations,
            handshake_commands,
            u16::try_from(traffic).unwrap_or(1),
        )
    };
    Some(Session {
        agent_type: agent.as_str().to_string(),
        peer_type: peer.as_str().to_string(),
        agent_binds,
        mechanism,
        key_seed,
        ops,
        mutations,
    })
}

#[cfg(test)]
mod tests;
