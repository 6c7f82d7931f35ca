//! Every socket option, defined once.
//!
//! [`option_table!`](crate::option_table) lists each option with its
//! libzmq name and number, value type, default, the socket types it
//! applies to and the layer that holds it. This module builds three
//! things from that table, and the `zmtp` crate builds its typed options
//! from the same one, so the two cannot disagree:
//!
//! ```text
//!                      option_table!  (options/table.rs)
//!          ┌─────────────────┼──────────────────────────┐
//!   Options (pattern)   SocketOption (pattern   OPTIONS: OptionInfo per option
//!   fields + defaults   and action changes)     (name, number, layer, types)
//!          └──── zmtp-model ───────┘             zmtp: opt::* markers, the
//!                                                driver's fields, set/get
//! ```
//!
//! Each socket type's machine reads [`Options`]; the driver keeps the
//! connection and driver options and puts them into the spec connection
//! machine ([`Layer`]).

use bytes::Bytes;
use zmtp_spec::SocketType;

use crate::OptionError;

mod table;
#[cfg(test)]
mod tests;

/// Who holds an option's value and acts on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// The pattern machine ([`Options`], changed with [`SocketOption`]).
    Pattern,
    /// The connection: the driver configures the spec connection machine
    /// with it (READY's identity, limits, heartbeats, the mechanism).
    Connection,
    /// The driver alone: its sockets, timers and API.
    Driver,
}

/// Whether an option can be set, read, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Access {
    /// Set and read.
    ReadWrite,
    /// Read only (ZMQ_TYPE, ZMQ_LAST_ENDPOINT, ZMQ_MECHANISM).
    ReadOnly,
    /// Set only (ZMQ_SUBSCRIBE, ZMQ_UNSUBSCRIBE).
    WriteOnly,
}

impl Access {
    /// Whether the option can be read.
    pub const fn readable(self) -> bool {
        !matches!(self, Self::WriteOnly)
    }

    /// Whether the option can be set.
    pub const fn writable(self) -> bool {
        !matches!(self, Self::ReadOnly)
    }
}

/// The socket types an option applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Applies {
    /// Every socket type.
    All,
    /// These types only.
    Only(&'static [SocketType]),
}

/// What the table says about one option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct OptionInfo {
    /// libzmq's name (`ZMQ_SNDHWM`).
    pub name: &'static str,
    /// libzmq's number for it (`zmq.h`: ZMQ_SNDHWM is 23).
    pub id: i32,
    /// Who holds the value.
    pub layer: Layer,
    /// Whether it can be set and read.
    pub access: Access,
    /// The socket types it applies to.
    pub applies: Applies,
    /// Its value type, as the table writes it (`u32`, `Option<Duration>`).
    pub value_type: &'static str,
    /// Its default, as the table writes it (`1000`, `None`); `None` for
    /// the write-only options and ZMQ_TYPE.
    pub default: Option<&'static str>,
}

impl OptionInfo {
    /// Whether the option applies to a socket of type `t` (as libzmq's
    /// `zmq_setsockopt` accepts it).
    pub fn applies_to(&self, t: SocketType) -> bool {
        match self.applies {
            Applies::All => true,
            Applies::Only(types) => types.contains(&t),
        }
    }

    /// The option with this libzmq name (`ZMQ_SNDHWM`).
    pub fn find(name: &str) -> Option<&'static Self> {
        OPTIONS.iter().find(|o| o.name == name)
    }
}

/// The value checks the table names (`check = …`), used by the pattern
/// machine for its options and by the driver for its own. Each returns
/// the value to store.
pub mod check {
    use bytes::Bytes;

    /// A value the option does not take (libzmq's EINVAL).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
    #[error("value out of range")]
    pub struct OutOfRange;

    /// A routing id (37-R34, 37-R35): 1 to 255 octets, the first not zero
    /// (libzmq reserves a leading zero for the ids it generates, and
    /// refuses an empty one).
    ///
    /// # Errors
    /// [`OutOfRange`] for any other value.
    pub fn routing_id(id: Bytes) -> Result<Bytes, OutOfRange> {
        if !id.is_empty() && id.len() <= 255 && id[0] != 0 {
            Ok(id)
        } else {
            Err(OutOfRange)
        }
    }

    /// A CONNECT_ROUTING_ID: `None` clears it, a value is a routing id.
    ///
    /// # Errors
    /// As [`routing_id`].
    pub fn connect_routing_id(id: Option<Bytes>) -> Result<Option<Bytes>, OutOfRange> {
        id.map(routing_id).transpose()
    }

    /// A multicast time-to-live: 1 to 255 (libzmq refuses 0; the IP
    /// header's field is one octet).
    ///
    /// # Errors
    /// [`OutOfRange`] for any other value.
    pub fn multicast_hops(hops: u32) -> Result<u32, OutOfRange> {
        if (1..=255).contains(&hops) {
            Ok(hops)
        } else {
            Err(OutOfRange)
        }
    }

    /// An XPUB welcome message: an empty one is none, as in libzmq.
    ///
    /// # Errors
    /// Never.
    pub fn welcome_msg(msg: Option<Bytes>) -> Result<Option<Bytes>, OutOfRange> {
        Ok(msg.filter(|m| !m.is_empty()))
    }
}

/// The socket types of a table entry: `all` or a list.
macro_rules! applies {
    (all) => {
        Applies::All
    };
    ([$($t:ident),*]) => {
        Applies::Only(&[$(SocketType::$t),*])
    };
}

/// A table entry's default as written, if it has one.
macro_rules! default_text {
    () => {
        None
    };
    ($d:expr) => {
        Some(stringify!($d))
    };
}

/// This crate's reading of [`option_table!`](crate::option_table).
macro_rules! model_options {
    (
        pattern { $(
            $(#[$pdoc:meta])* $p:ident($pf:ident: $pt:ty = $pd:expr)
                $pz:ident = $pi:literal, $pa:tt $(, check = $pc:ident)?;
        )* }
        action { $(
            $(#[$adoc:meta])* $a:ident($at:ty) $az:ident = $ai:literal, $aa:tt;
        )* }
        stored { $(
            $(#[$sdoc:meta])* $s:ident($sf:ident: $st:ty = $sd:expr)
                $sz:ident = $si:literal, $sl:ident, $sa:tt $(, check = $sc:ident)?;
        )* }
        security { $(
            $(#[$xdoc:meta])* $x:ident($xt:ty = $xd:expr) $xz:ident = $xi:literal, $xa:tt;
        )* }
        read_only { $(
            $(#[$rdoc:meta])* $r:ident($rt:ty $(= $rd:expr)?) $rz:ident = $ri:literal, $rl:ident, $ra:tt;
        )* }
    ) => {
        /// The table entry of each option, by libzmq name.
        pub mod info {
            use zmtp_spec::SocketType;

            use super::{Access, Applies, Layer, OptionInfo};

            $(
                #[doc = concat!("`", stringify!($pz), "`, a pattern option.")]
                pub const $pz: OptionInfo = OptionInfo {
                    name: stringify!($pz), id: $pi, layer: Layer::Pattern,
                    access: Access::ReadWrite, applies: applies!($pa),
                    value_type: stringify!($pt), default: Some(stringify!($pd)),
                };
            )*
            $(
                #[doc = concat!("`", stringify!($az), "`, a pattern action.")]
                pub const $az: OptionInfo = OptionInfo {
                    name: stringify!($az), id: $ai, layer: Layer::Pattern,
                    access: Access::WriteOnly, applies: applies!($aa),
                    value_type: stringify!($at), default: None,
                };
            )*
            $(
                #[doc = concat!("`", stringify!($sz), "`, kept by the driver.")]
                pub const $sz: OptionInfo = OptionInfo {
                    name: stringify!($sz), id: $si, layer: Layer::$sl,
                    access: Access::ReadWrite, applies: applies!($sa),
                    value_type: stringify!($st), default: Some(stringify!($sd)),
                };
            )*
            $(
                #[doc = concat!("`", stringify!($xz), "`, a security option.")]
                pub const $xz: OptionInfo = OptionInfo {
                    name: stringify!($xz), id: $xi, layer: Layer::Connection,
                    access: Access::ReadWrite, applies: applies!($xa),
                    value_type: stringify!($xt), default: Some(stringify!($xd)),
                };
            )*
            $(
                #[doc = concat!("`", stringify!($rz), "`, read-only.")]
                pub const $rz: OptionInfo = OptionInfo {
                    name: stringify!($rz), id: $ri, layer: Layer::$rl,
                    access: Access::ReadOnly, applies: applies!($ra),
                    value_type: stringify!($rt),
                    default: default_text!($($rd)?),
                };
            )*
        }

        /// Every option of the table, in its order.
        pub const OPTIONS: &[OptionInfo] = &[
            $(info::$pz,)* $(info::$az,)* $(info::$sz,)* $(info::$xz,)* $(info::$rz,)*
        ];

        /// The options a pattern machine reads, with libzmq's defaults.
        /// Build one with struct update syntax
        /// (`Options { sndhwm: 10, ..Options::default() }`) or change a
        /// running machine with
        /// [`Socket::set_option`](crate::Socket::set_option), which also
        /// checks that the option applies to the socket type.
        ///
        /// High-water marks count whole messages per peer and per
        /// direction; 0 means no limit, as in libzmq.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct Options {
            $( $(#[$pdoc])* pub $pf: $pt, )*
            /// A deliberately broken behaviour, for the mutation tests only.
            #[doc(hidden)]
            pub fault: Fault,
        }

        impl Default for Options {
            fn default() -> Self {
                Self { $($pf: $pd,)* fault: Fault::None }
            }
        }

        /// One option change, for
        /// [`Socket::set_option`](crate::Socket::set_option).
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum SocketOption {
            $( $(#[$pdoc])* $p($pt), )*
            $( $(#[$adoc])* $a($at), )*
        }

        impl SocketOption {
            /// The option's table entry.
            pub const fn info(&self) -> &'static OptionInfo {
                match self {
                    $( Self::$p(_) => &info::$pz, )*
                    $( Self::$a(_) => &info::$az, )*
                }
            }
        }

        impl Options {
            /// Stores a plain option value after the table's check.
            /// SUBSCRIBE and UNSUBSCRIBE are actions, handled by the
            /// pattern; here they are accepted and ignored.
            pub(crate) fn apply(&mut self, option: SocketOption) -> Result<(), OptionError> {
                match option {
                    $( SocketOption::$p(v) => {
                        $( let v = check::$pc(v)
                            .map_err(|_| OptionError::InvalidValue(info::$pz.name))?; )?
                        self.$pf = v;
                    } )*
                    $( SocketOption::$a(_) => {} )*
                }
                Ok(())
            }
        }

        /// Every pattern option at its default, and every action with an
        /// empty value.
        #[cfg(test)]
        pub(crate) fn samples() -> Vec<SocketOption> {
            vec![ $(SocketOption::$p($pd),)* $(SocketOption::$a(<$at>::default()),)* ]
        }
    };
}

crate::option_table!(model_options);

impl SocketOption {
    /// The libzmq name of the option.
    pub const fn name(&self) -> &'static str {
        self.info().name
    }

    /// Whether the option applies to a socket of type `t` (as libzmq's
    /// `setsockopt` accepts it).
    pub fn applies_to(&self, t: SocketType) -> bool {
        self.info().applies_to(t)
    }
}

/// A deliberately broken behaviour: the mutation tests check that the
/// models catch each one.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Fault {
    /// No fault.
    #[default]
    None,
    /// REQ accepts a second request while one is outstanding.
    ReqTwoOutstanding,
    /// PUB (and XPUB) ignore CANCEL.
    PubIgnoresCancel,
    /// PUSH queues each message to two peers.
    PushDeliversTwice,
    /// The fair queue never passes the turn on.
    UnfairQueue,
    /// The `req-relaxed` scenario without REQ_CORRELATE (not a machine
    /// fault: it shows why the option exists).
    ReqUncorrelated,
}

impl Fault {
    /// Every fault, as `zmtp-model check --mutant` lists them.
    pub const ALL: [Fault; 5] = [
        Self::ReqTwoOutstanding,
        Self::PubIgnoresCancel,
        Self::PushDeliversTwice,
        Self::UnfairQueue,
        Self::ReqUncorrelated,
    ];

    /// The command-line name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ReqTwoOutstanding => "req-two-outstanding",
            Self::PubIgnoresCancel => "pub-ignores-cancel",
            Self::PushDeliversTwice => "push-delivers-twice",
            Self::UnfairQueue => "unfair-queue",
            Self::ReqUncorrelated => "req-uncorrelated",
        }
    }

    /// What is broken, in a sentence.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::None => "nothing",
            Self::ReqTwoOutstanding => {
                "REQ accepts a second request while the first is unanswered (28-R01)"
            }
            Self::PubIgnoresCancel => "PUB and XPUB ignore CANCEL (37-R47, 29-R08)",
            Self::PushDeliversTwice => "PUSH queues each message to two peers (30-R08)",
            Self::UnfairQueue => "the fair queue never passes the turn on (30-R18)",
            Self::ReqUncorrelated => {
                "a relaxed REQ without REQ_CORRELATE takes a stale reply for a new request"
            }
        }
    }

    /// The scenario whose properties catch this fault (its name, as
    /// `check` takes it).
    pub const fn scenario(self) -> &'static str {
        match self {
            Self::None | Self::ReqTwoOutstanding => "req-rep",
            Self::PubIgnoresCancel => "pub-sub",
            Self::PushDeliversTwice => "push-pull",
            Self::UnfairQueue => "pull-fair",
            Self::ReqUncorrelated => "req-relaxed",
        }
    }

    /// The fault called `name` (as [`Fault::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}
