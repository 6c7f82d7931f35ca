//! Deliberate defects for the conformance suite's mutation score, and
//! correct variants it must pass (the `mutants` feature;
//! `zmtp-conformance mutants`).
//!
//! ```text
//!   Mutant::ALL --select(m), once per process--> SELECTED
//!   mutant!(Name) at one site in spec, model or impl --> SELECTED == Name
//! ```
//!
//! Each variant names one defect and is checked with [`crate::mutant!`] at
//! one site, or at each site of a check made twice (its doc says so). Without the feature this module does not exist and
//! the macro is the literal `false`, so a normal build carries neither the
//! list, the selection nor a branch that could take a defect. With the
//! feature nothing changes either until [`select`] is called: the
//! selection is the only process-wide state of this crate, and only the
//! conformance command sets it, in a child process of its own per mutant.

use std::sync::OnceLock;

/// Defines [`Mutant`], its two lists and its descriptions.
macro_rules! mutants {
    (
        defects { $($(#[$attr:meta])* $name:ident => $what:literal,)+ }
        variants { $($(#[$vattr:meta])* $vname:ident => $vwhat:literal,)+ }
    ) => {
        /// One deliberate change, named after what it does: a defect the
        /// suite must catch, or a correct variant it must pass.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Mutant {
            $($(#[$attr])* #[doc = $what] $name,)+
            $($(#[$vattr])* #[doc = $vwhat] $vname,)+
        }

        impl Mutant {
            /// Every defect, in the order the score lists them.
            pub const ALL: &'static [Mutant] = &[$(Mutant::$name),+];

            /// Every correct variant: behaviour that differs from ours
            /// where the RFCs allow it, which no case may fail.
            pub const VARIANTS: &'static [Mutant] = &[$(Mutant::$vname),+];

            /// The variant's name, as `zmtp-conformance mutants --only` takes it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Mutant::$name => stringify!($name),)+
                    $(Mutant::$vname => stringify!($vname),)+
                }
            }

            /// What the change does.
            pub const fn describe(self) -> &'static str {
                match self {
                    $(Mutant::$name => $what,)+
                    $(Mutant::$vname => $vwhat,)+
                }
            }

            /// Whether this is a correct variant rather than a defect.
            pub const fn is_variant(self) -> bool {
                match self {
                    $(Mutant::$name => false,)+
                    $(Mutant::$vname => true,)+
                }
            }
        }
    };
}

mutants! {
    defects {
    // The wire (zmtp-spec).
    FrameReservedFlags => "a frame whose flags have a reserved bit set is accepted (G06)",
    CommandWithMore => "a command frame with MORE set is accepted (37-R20)",
    LongSizeTopBit => "a long frame size with its most significant bit set is accepted (G07)",
    CommandInsideMessage => "a command between two frames of one message is accepted (G09)",
    MaxMsgSizeIgnored => "MAXMSGSIZE is not enforced on received messages",
    // The greeting and the handshake (zmtp-spec).
    MechanismMismatch => "a greeting naming another mechanism than ours is accepted (37-R15)",
    VersionNotDowngraded => "a 3.0 peer is spoken to as 3.1: the lower version is not chosen (37-R08)",
    AsServerFlipped => "our greeting's as-server octet is inverted (G03, 37-R22)",
    /// Two sites: spec's READY check and model's `attach`, which checks
    /// again.
    SocketTypeNotChecked => "a peer whose Socket-Type is incompatible with ours is accepted (37-R33)",
    ZeroIdentityAccepted => "a ROUTER accepts a 3.1 Identity that starts with a zero octet (37-R35)",
    EmptyPropertyName => "a metadata property with a zero-length name is accepted (37-R26)",
    MetadataTrailingOctets => "octets after the last complete metadata property are ignored (G10)",
    MetadataNameCaseSensitive => "metadata names are looked up case-sensitively (37-R27)",
    NullServerReadyFirst => "a NULL server sends READY before the 3.1 client's (37-R25)",
    NullClientWaits => "a NULL client waits for the server's READY before sending its own (37-R24)",
    NullServerWaitsFor30 => "a NULL server waits for a 3.0 client's READY before sending its own (23-R28)",
    ErrorDuringHandshakeIgnored => "an ERROR in place of READY is ignored and the handshake goes on (37-R16)",
    // Security (zmtp-spec).
    CurveNonceNotChecked => "CURVE short nonces are not checked: a replayed or reused MESSAGE nonce is accepted (26-R21)",
    CurveHelloVersionNotChecked => "a CURVE server accepts a HELLO of another version (26-R07)",
    CurveHelloPaddingNotChecked => "a CURVE server accepts a HELLO whose anti-amplification padding is not zero (26-R08)",
    CurveCookieNotChecked => "a CURVE server does not compare INITIATE's cookie with the one its WELCOME sent (26-R40)",
    CurveVouchNotChecked => "a CURVE server does not open or check the vouch in INITIATE (26-R40)",
    PlainCredentialsIgnored => "a PLAIN server welcomes any username and password without asking ZAP (27-R37)",
    ZapRefusalIgnored => "a ZAP reply that refuses is taken as success (27-R39)",
    ReconnectAfterError => "a connect endpoint reconnects after the peer refused the handshake with ERROR (37-R17)",
    // The patterns (zmtp-model).
    ReqTwoRequests => "REQ accepts a second request before the reply to the first (28-R01)",
    ReqReplyFromAnyPeer => "REQ accepts a reply from a peer it did not send the request to (28-R07)",
    ReqNoDelimiter => "REQ sends its request without the empty delimiter frame (28-R03)",
    RepEnvelopeDropped => "REP sends its reply without the request's envelope (28-R16)",
    RouterMandatoryIgnored => "ROUTER_MANDATORY is ignored: a message to an unknown id is dropped silently (28-R42)",
    RouterIgnoresIdentity => "ROUTER ignores the peer's Identity and generates a routing id (28-R36)",
    LoadBalanceStuck => "the load balancer never passes the turn on: every message goes to the first peer (28-R26, 30-R08)",
    FairQueueStuck => "the fair queue never passes the turn on: the first peer with input is always read first (28-R30, 30-R18)",
    SubFiltersNotCounted => "subscriptions are not counted: one CANCEL removes a topic subscribed twice (37-R51)",
    SubPrefixExact => "a subscription matches only a whole first frame, not a prefix (29-R08)",
    PairSecondPeer => "PAIR accepts a second peer while it has one (31-R10)",
    ClientMultipart => "CLIENT sends a multipart message (37-R56)",
    ServerMultipart => "SERVER delivers a multipart message (37-R57)",
    RadioIgnoresGroups => "RADIO sends every group to every DISH, joined or not (37-R52)",
    XPubNoNotify => "XPUB does not pass subscriptions to the application (29-R07)",
    SndHwmIgnored => "SNDHWM is ignored: a peer's outgoing queue grows without bound (28-R25, 29-R09)",
    DishJoinNotSent => "DISH does not send JOIN to its RADIOs when the application joins (37-R53)",
    SubscriptionsNotResent => "SUB does not send its subscriptions to a publisher that attaches later (29-R29)",
    // Our own READY and traffic (zmtp-spec).
    ReadyIdentityOmitted => "our READY leaves out the Identity property of a socket that has one (37-R34)",
    ReadySocketTypeLowerCase => "our READY names our socket type in lower case (37-R33)",
    SubscribeAsMessageTo31 => "a SUB sends its subscriptions as 3.0 messages to a 3.1 peer (37-R46)",
    // Heartbeats (zmtp-spec).
    PongContextNotEchoed => "a PONG carries an empty context instead of the PING's (37-R58)",
    PingContextUnbounded => "a PING context over 16 octets is accepted (37-R59)",
    }
    // Correct peers that differ from ours where the RFCs allow it: the
    // suite must pass each of them (no false positive).
    variants {
    /// Two sites: the advertised minor version and the heartbeat start.
    Speaks30 => "we announce and speak ZMTP 3.0: subscriptions as messages, no PING of our own (RFC 23)",
    GreetingAtOnce => "our whole 64-octet greeting goes out at once, before we hear from the peer (37-R03)",
    NoHeartbeats => "we never send PING, whatever HEARTBEAT_IVL says; PINGs are still answered (37-R58)",
    CloseWithoutError => "on a peer's protocol fault we close without sending ERROR (ERROR stays for security refusals, 26-R01)",
    NewestPeerFirst => "a peer that attaches takes the next turn of the fair queue and the load balancer, instead of the last",
    }
}

static SELECTED: OnceLock<Mutant> = OnceLock::new();

/// Turns `mutant` on for the rest of the process. The first call wins:
/// it returns `false` when another mutant was selected before.
pub fn select(mutant: Mutant) -> bool {
    SELECTED.get_or_init(|| mutant) == &mutant
}

/// The mutant turned on, if any.
pub fn selected() -> Option<Mutant> {
    SELECTED.get().copied()
}

impl Mutant {
    /// The mutant or variant called `name` (as [`Mutant::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .chain(Self::VARIANTS)
            .copied()
            .find(|m| m.name() == name)
    }

    /// Whether this mutant is the one selected.
    pub fn is_active(self) -> bool {
        SELECTED.get() == Some(&self)
    }
}

#[cfg(test)]
mod tests;
