//! The greeting exchange and version detection (zmtp-wire.md 4.5).
//!
//! ```text
//!  pacing   sent at once            after the peer's 10 octets    after its octet 10 (revision)
//!  Detect   FF (id+1):8 7F          03 (only if versioned)         >= 3: octets 11-63
//!  Partial  FF 0:8 7F 03            -                              1,2: socket-type + 00 len id
//!  Full     all 64 octets           -                              (1.0 peer: identity body)
//! ```
//!
//! Every octet of the peer's greeting is read with the grammar of
//! [`crate::wire::greeting`] and [`crate::wire::legacy`]; nothing is
//! consumed until a whole rule matched, so any chunking works.

use std::time::Instant;

use bytes::{Buf, BufMut, Bytes};

use super::error::{ConnectionError, LocalError, PeerError};
use super::event::{Event, Peer};
use super::packets::PacketKind;
use super::state::{Input, State};
use super::{Connection, GreetingPacing, HandshakeContext};
use crate::SocketType;
use crate::wire::greeting::{
    Detected, Greeting, PartialGreeting, Protocol, Signature, Version, detect, greeting,
};
use crate::wire::legacy::{
    V1Identity, V2Greeting, V2Identity, v1_identity, v2_greeting, v2_identity,
};
use crate::wire::zws::Subprotocol;
use crate::wire::{self, Framing, Parsed, run};

/// How far our side of the greeting has gone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Progress {
    /// Octets of our 3.x greeting sent: 10, 11 or 64.
    sent: usize,
}

impl Connection {
    /// The greeting we present: version 3.`minor`, our mechanism, and the
    /// padding our pacing calls for.
    fn our_greeting(&self) -> Greeting {
        let signature = self.our_signature();
        Greeting {
            padding: signature.padding,
            version: Version {
                major: 3,
                minor: self.config.behaviour.minor,
            },
            mechanism: self.config.mechanism.name(),
            as_server: if crate::mutant!(AsServerFlipped) {
                !self.config.mechanism.as_server(self.side)
            } else {
                self.config.mechanism.as_server(self.side)
            },
        }
    }

    /// With [`GreetingPacing::Detect`], the pseudo-signature carrying our
    /// identity length + 1 (37-R60); otherwise zero padding (G01).
    fn our_signature(&self) -> Signature {
        match self.config.behaviour.pacing {
            GreetingPacing::Detect => {
                // `new` checked that the routing id has at most 255 octets.
                Signature::detecting(u8::try_from(self.config.routing_id.len()).unwrap_or(255))
            }
            _ => Signature::PLAIN,
        }
    }

    /// Queues the octets sent before hearing from the peer: 10 (Detect),
    /// 11 (Partial, 37-R01) or 64 (Full, 37-R03).
    pub(super) fn send_initial_greeting(&mut self) {
        match self.config.behaviour.pacing {
            GreetingPacing::Detect => {
                self.our_signature().encode(&mut self.out);
                self.greeting.sent = Greeting::SIGNATURE_LEN;
                self.mark_greeting(0);
            }
            GreetingPacing::Partial => {
                PartialGreeting {
                    signature: self.our_signature(),
                    major: 3,
                }
                .encode(&mut self.out);
                self.greeting.sent = Greeting::PARTIAL_LEN;
                self.mark_greeting(0);
            }
            GreetingPacing::Full => {
                self.our_greeting().encode(&mut self.out);
                self.greeting.sent = Greeting::LEN;
                self.mark_greeting(0);
            }
        }
    }

    /// Sends the rest of our 3.x greeting, from where we stopped (37-R14).
    fn send_greeting_rest(&mut self) {
        let bytes = self.our_greeting().to_bytes();
        let from = self.greeting.sent.min(Greeting::LEN);
        self.out.put_slice(&bytes[from..]);
        self.greeting.sent = Greeting::LEN;
        self.mark_greeting(from);
    }

    /// Marks the greeting octets from `from` to those sent by now as one
    /// packet.
    fn mark_greeting(&mut self, from: usize) {
        let to = self.greeting.sent;
        self.mark(PacketKind::Greeting {
            from: u8::try_from(from).unwrap_or(u8::MAX),
            to: u8::try_from(to).unwrap_or(u8::MAX),
        });
    }

    /// One step of the greeting states; `Ok(true)` when the state changed.
    pub(super) fn greeting_step(&mut self, now: Instant) -> Result<bool, ConnectionError> {
        match self.state {
            State::Signature => self.signature_step(),
            State::Greeting => self.peer_greeting_step(),
            State::LegacyGreeting => self.legacy_step(now),
            _ => Ok(false),
        }
    }

    /// A ZWS 2.0 connection (RFC 45): no greeting (45-R07). The bare
    /// subprotocol sends our routing id as the first message and waits for
    /// the peer's (45-R05), in ZMTP 2.0's framing; a mechanism subprotocol
    /// begins that mechanism's handshake at once, under ZMTP 3.0's rules
    /// (45-R09: subscriptions travel as messages).
    pub(super) fn start_zws(&mut self, subprotocol: Subprotocol) -> Result<(), LocalError> {
        let ours = self.config.mechanism.name();
        match subprotocol.mechanism() {
            None if ours == wire::Mechanism::NULL => {
                let Some(identity) = V2Identity::new(self.config.routing_id.clone()) else {
                    return Err(LocalError::InvalidRoutingId);
                };
                identity.encode(&mut self.out);
                self.mark(PacketKind::LegacyIdentity);
                self.start_legacy(Protocol::V2_0, Framing::Zmtp2);
                Ok(())
            }
            Some(mechanism) if mechanism == ours => {
                self.transition(Input::Versioned3x);
                let version = Version { major: 3, minor: 0 };
                match self.begin_mechanism(Protocol::V3_0, version) {
                    Err(ConnectionError::Local(error)) => Err(error),
                    // Encoding our own first commands raises nothing else.
                    _ => Ok(()),
                }
            }
            _ => Err(LocalError::ZwsMechanism(subprotocol.name())),
        }
    }

    /// Version detection on the peer's first octets (37-R02, 37-R60).
    fn signature_step(&mut self) -> Result<bool, ConnectionError> {
        let detected = match run(detect, self.decoder.buffer_mut()).map_err(PeerError::from)? {
            Parsed::Done(detected, _) => detected,
            Parsed::Incomplete(_) => {
                self.send_major_if_versioned();
                return Ok(false);
            }
        };
        match detected {
            Detected::Unversioned => self.downgrade_v1()?,
            Detected::Versioned { revision } => {
                self.send_major_if_versioned();
                match Protocol::from_revision(revision) {
                    None => {
                        self.send_greeting_rest();
                        self.transition(Input::Versioned3x);
                    }
                    Some(Protocol::V2_0) => self.downgrade_v2()?,
                    // Revision 0 after a signature: no spec defines it
                    // (libzmq reads it as 1.0 framing after a signature).
                    Some(_) => return Err(PeerError::CannotDowngrade.into()),
                }
            }
        }
        Ok(true)
    }

    /// libzmq's pacing: our version-major goes out once the peer's first
    /// 10 octets show a versioned peer (zmtp-wire.md 4.5).
    fn send_major_if_versioned(&mut self) {
        let buf = self.decoder.buffer_mut();
        if self.greeting.sent == Greeting::SIGNATURE_LEN
            && buf.len() >= Greeting::SIGNATURE_LEN
            && buf[0] == wire::greeting::SIGNATURE_START
            && buf[9] & 0x01 == 1
        {
            self.out.put_u8(3);
            self.greeting.sent = Greeting::PARTIAL_LEN;
            self.mark_greeting(Greeting::SIGNATURE_LEN);
        }
    }

    /// A ZMTP 1.0 peer: only after our 10-octet pseudo-signature, which it
    /// reads as the header of our identity frame, and only with NULL
    /// (37-R61, 37-R67; 37-R09 otherwise).
    fn downgrade_v1(&mut self) -> Result<(), ConnectionError> {
        self.refuse_downgrade_unless_null()?;
        if self.greeting.sent != Greeting::SIGNATURE_LEN
            || self.config.behaviour.pacing != GreetingPacing::Detect
        {
            return Err(PeerError::CannotDowngrade.into());
        }
        // The header (length = identity + 1, flags 0x7F) is already out.
        let id = self.config.routing_id.clone();
        self.out.put_slice(&id);
        self.mark(PacketKind::LegacyIdentity);
        self.start_legacy(Protocol::V1_0, Framing::Zmtp1);
        Ok(())
    }

    /// A ZMTP 2.0 peer: our socket-type octet and identity frame follow the
    /// octets already sent (zmtp-wire.md 4.5), with NULL only (37-R61).
    fn downgrade_v2(&mut self) -> Result<(), ConnectionError> {
        self.refuse_downgrade_unless_null()?;
        let code = self.config.socket_type.zmtp2_code();
        let identity = V2Identity::new(self.config.routing_id.clone());
        // Our octet 10 (03) is out by now with Detect and Partial pacing;
        // Full pacing sent all 64 octets and cannot downgrade (37-R09).
        let (Some(code), Some(identity), true) =
            (code, identity, self.greeting.sent == Greeting::PARTIAL_LEN)
        else {
            return Err(PeerError::CannotDowngrade.into());
        };
        self.out.put_u8(code);
        identity.encode(&mut self.out);
        self.mark(PacketKind::LegacyIdentity);
        self.start_legacy(Protocol::V2_0, Framing::Zmtp2);
        Ok(())
    }

    fn refuse_downgrade_unless_null(&self) -> Result<(), ConnectionError> {
        let ours = self.config.mechanism.name();
        if self.config.mechanism.allows_downgrade() {
            Ok(())
        } else {
            Err(PeerError::DowngradeRefused(ours).into())
        }
    }

    fn start_legacy(&mut self, protocol: Protocol, framing: Framing) {
        self.protocol = Some(protocol);
        self.decoder.set_framing(framing);
        self.transition(Input::Legacy);
    }

    /// The legacy peer's identity (1.0), or socket type and identity (2.0).
    fn legacy_step(&mut self, now: Instant) -> Result<bool, ConnectionError> {
        let buf = self.decoder.buffer_mut();
        let (socket_type, identity, used) = match self.protocol {
            Some(Protocol::V1_0) => match run(v1_identity, buf).map_err(PeerError::from)? {
                Parsed::Done(V1Identity { identity, .. }, used) => {
                    (None, Bytes::copy_from_slice(identity), used)
                }
                Parsed::Incomplete(_) => return Ok(false),
            },
            // Bare ZWS 2.0: the routing id alone, no greeting (45-R05).
            _ if self.config.zws.is_some() => {
                match run(v2_identity, buf).map_err(PeerError::from)? {
                    Parsed::Done(identity, used) => (None, Bytes::copy_from_slice(identity), used),
                    Parsed::Incomplete(_) => return Ok(false),
                }
            }
            _ => {
                let parsed = run(
                    |input| {
                        let (rest, greeting) = v2_greeting(input)?;
                        let (rest, identity) = v2_identity(rest)?;
                        Ok((rest, (greeting, identity)))
                    },
                    buf,
                )
                .map_err(PeerError::from)?;
                match parsed {
                    Parsed::Done((V2Greeting { socket_type, .. }, identity), used) => {
                        (Some(socket_type), Bytes::copy_from_slice(identity), used)
                    }
                    Parsed::Incomplete(_) => return Ok(false),
                }
            }
        };
        buf.advance(used);
        let socket_type = match socket_type {
            None => None,
            Some(code) => Some(self.check_v2_socket_type(code)?),
        };
        let protocol = self.protocol.unwrap_or(Protocol::V1_0);
        let peer = Peer {
            protocol,
            version: None,
            socket_type,
            metadata: wire::Metadata::new(),
            routing_id: (!identity.is_empty()).then_some(identity),
        };
        self.transition(Input::PeerIdentity);
        self.become_active(now, peer)?;
        if protocol == Protocol::V1_0
            && matches!(self.config.socket_type, SocketType::Pub | SocketType::XPub)
        {
            // A 1.0 subscriber never sends subscriptions and expects
            // everything (zmtp-wire.md 4.5, libzmq's phantom subscribe).
            self.events.push(Event::Subscribe(Bytes::new()));
        }
        Ok(true)
    }

    /// A 2.0 peer's socket-type octet, checked against the compatibility
    /// table (zmtp-wire.md 5; libzmq sends codes 9 and 10 for XPUB/XSUB).
    fn check_v2_socket_type(&self, code: u8) -> Result<SocketType, ConnectionError> {
        match SocketType::from_zmtp2_code(code) {
            Some(peer) if self.config.socket_type.is_compatible_with(peer) => Ok(peer),
            Some(peer) => Err(PeerError::InvalidSocketType(Some(Bytes::from_static(
                peer.as_str().as_bytes(),
            )))
            .into()),
            None => Err(PeerError::InvalidSocketType(Some(Bytes::copy_from_slice(&[code]))).into()),
        }
    }

    /// The peer's whole 3.x greeting: mechanism match (37-R15), then the
    /// protocol is the lower of the two versions (37-R07, 37-R08), and the
    /// mechanism handshake begins.
    fn peer_greeting_step(&mut self) -> Result<bool, ConnectionError> {
        let peer = match run(greeting, self.decoder.buffer_mut()).map_err(PeerError::from)? {
            Parsed::Done(peer, used) => {
                self.decoder.buffer_mut().advance(used);
                peer
            }
            Parsed::Incomplete(_) => return Ok(false),
        };
        let ours = self.config.mechanism.name();
        if peer.mechanism != ours && !crate::mutant!(MechanismMismatch) {
            return Err(PeerError::MechanismMismatch {
                ours,
                peer: peer.mechanism,
            }
            .into());
        }
        let theirs = Protocol::from_version(peer.version).unwrap_or(Protocol::V3_1);
        let mine = if self.config.behaviour.minor == 0 {
            Protocol::V3_0
        } else {
            Protocol::V3_1
        };
        let protocol = if crate::mutant!(VersionNotDowngraded) {
            mine
        } else {
            theirs.min(mine)
        };
        self.begin_mechanism(protocol, peer.version)
    }

    /// The peer's greeting is read (or, over ZWS, there is none): the
    /// protocol is settled and our mechanism begins its handshake.
    fn begin_mechanism(
        &mut self,
        protocol: Protocol,
        peer_version: Version,
    ) -> Result<bool, ConnectionError> {
        self.protocol = Some(protocol);
        self.peer_version = Some(peer_version);
        self.transition(Input::PeerGreeting);
        // RFC 37's NULL server replies to a 3.1 client's READY, RFC 23's
        // sends its own at once (37-R25, 23-R28): decided by the version.
        let behaviour = self.config.behaviour.for_protocol(protocol);
        let mut session = self
            .config
            .mechanism
            .start(self.side, &behaviour, self.rng.get());
        let mut out = Vec::new();
        session.begin(
            &HandshakeContext {
                side: self.side,
                metadata: &self.local_metadata,
            },
            &mut out,
        );
        self.mechanism = Some(session);
        for command in &out {
            self.put_command(command)?;
        }
        Ok(true)
    }
}
