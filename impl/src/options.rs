//! Typed socket options, with libzmq's defaults.
//!
//! Each option is a marker type in [`opt`]; its value type says what it
//! holds, so nothing is an integer code:
//!
//! ```no_run
//! # async fn f() -> zmtp::Result<()> {
//! use std::time::Duration;
//! use zmtp::{opt, Context, SocketType};
//! let ctx = Context::new()?;
//! let s = ctx.socket(SocketType::Dealer)?;
//! s.set(opt::SndHwm, 10)?;
//! s.set(opt::Linger, Some(Duration::ZERO))?;
//! assert_eq!(s.get(opt::SndHwm)?, 10);
//! # Ok(()) }
//! ```
//!
//! Durations follow libzmq's conventions as `Option<Duration>`: `None` is
//! libzmq's `-1` (infinite, or "not set" for the OS-level tcp options).
//!
//! The options are defined once, for this crate and the model, by
//! [`zmtp_model::option_table!`]: each marker's libzmq name, value type,
//! default and socket types come from its entry, as do the pattern
//! machine's [`zmtp_model::Options`] and their
//! [`OptionInfo`](zmtp_model::options::OptionInfo). Where the value lives
//! follows the entry's layer:
//!
//! ```text
//!   socket.set_typed(opt::X, v) ── applies to the type? (X's table entry)
//!     pattern / action ──> zmtp_model::SocketOption ──> the pattern machine
//!                          (get reads the machine's Options)
//!     stored           ──> a field of Options below (connection and driver)
//!     security         ──> Security, which builds the mechanism
//!     read_only        ──> refused; get reports it
//! ```

use core::time::Duration;

use bytes::Bytes;
use zmtp_spec::SocketType;

use self::sealed::Typed as _;
use crate::error::{Error, InvalidOption, Result};

/// What [`set_named`] sets an option on: a socket (implemented in
/// `socket.rs`, so this file needs nothing of it).
pub(crate) trait SetTyped {
    /// Sets `option` to `value`, as `Socket::set`.
    fn set_typed<O: SocketOption>(&self, option: O, value: O::Value) -> Result<()>;
}

pub mod security;
#[cfg(test)]
mod tests;
mod text;

pub use security::MechanismKind;

/// What setting an option asks the socket to do besides storing it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(unreachable_pub)]
#[doc(hidden)]
pub enum Effect {
    /// Nothing more.
    Stored,
    /// Pass it to the pattern machine, which stores it (and may refuse
    /// it: SUBSCRIBE on an XPUB without XPUB_MANUAL).
    Pattern(zmtp_model::SocketOption),
}

#[doc(hidden)]
pub(crate) mod sealed {
    use zmtp_model::options::OptionInfo;

    use super::{Effect, Options};
    use crate::error::Result;

    /// What the table says of an option, typed.
    #[allow(unreachable_pub)]
    pub trait Typed {
        /// The option's value.
        type Value: Clone + core::fmt::Debug + PartialEq;
        /// Its table entry.
        const INFO: &'static OptionInfo;
        /// libzmq's name for it.
        const NAME: &'static str = Self::INFO.name;
        /// What a new socket reads (`None`: write-only, or ZMQ_TYPE).
        fn default_value() -> Option<Self::Value>;
    }

    /// How an option reads and writes the socket's options.
    #[allow(unreachable_pub)]
    pub trait Access: Typed {
        /// Stores a value (the socket type is checked before).
        fn set(options: &mut Options, value: Self::Value) -> Result<Effect>;
        /// Reads the value, from the driver's options or the pattern
        /// machine's.
        fn get(options: &Options, pattern: &zmtp_model::Options) -> Result<Self::Value>;
    }
}

/// A socket option: one of the marker types in [`opt`].
pub trait SocketOption: sealed::Access + Copy {}

/// Sets `O` in `options`, if it applies to the socket's type.
///
/// # Errors
/// [`InvalidOption::NotApplicable`], or what `O` refuses.
pub(crate) fn set<O: SocketOption>(options: &mut Options, value: O::Value) -> Result<Effect> {
    let t = options.socket_type;
    if !O::INFO.applies_to(t) {
        return Err(Error::option(O::NAME, InvalidOption::NotApplicable(t)));
    }
    O::set(options, value)
}

fn write_only(name: &'static str) -> Error {
    Error::option(name, InvalidOption::WriteOnly)
}

pub(crate) fn read_only(name: &'static str) -> Error {
    Error::option(name, InvalidOption::ReadOnly)
}

/// A read-only entry's default, if it has one.
macro_rules! some {
    () => {
        None
    };
    ($d:expr) => {
        Some($d)
    };
}

/// This crate's reading of [`zmtp_model::option_table!`]: the `stored`
/// options' fields, and a marker type per option.
macro_rules! impl_options {
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
        /// What a socket keeps of its options besides the pattern
        /// machine's: the table's `stored` options, the security options
        /// and what the socket reports.
        #[derive(Clone, Debug)]
        #[allow(unreachable_pub)]
        #[doc(hidden)]
        pub struct Options {
            pub(crate) socket_type: SocketType,
            $( pub(crate) $sf: $st, )*
            pub(crate) last_endpoint: String,
            pub(crate) security: security::Security,
        }

        impl Options {
            /// libzmq's defaults (zmq_setsockopt(3) of libzmq 4.3), from
            /// the table.
            pub(crate) fn new(socket_type: SocketType) -> Self {
                Self {
                    socket_type,
                    $( $sf: $sd, )*
                    last_endpoint: String::new(),
                    security: security::Security::default(),
                }
            }
        }

        /// The option marker types, one per libzmq option.
        pub mod opt {
            use core::time::Duration;

            use bytes::Bytes;
            use zmtp_model::SocketOption as M;
            use zmtp_model::options::{OptionInfo, check, info};
            use zmtp_spec::SocketType;

            use super::sealed::{Access, Typed};
            use super::{Effect, MechanismKind, Options, SocketOption, write_only};
            use crate::error::{Error, InvalidOption, Result};

            $(
                $(#[$pdoc])*
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
                pub struct $p;
                impl Typed for $p {
                    type Value = $pt;
                    const INFO: &'static OptionInfo = &info::$pz;
                    fn default_value() -> Option<$pt> {
                        Some($pd)
                    }
                }
                impl Access for $p {
                    fn set(_: &mut Options, value: $pt) -> Result<Effect> {
                        Ok(Effect::Pattern(M::$p(value)))
                    }
                    fn get(_: &Options, pattern: &zmtp_model::Options) -> Result<$pt> {
                        Ok(pattern.$pf.clone())
                    }
                }
                impl SocketOption for $p {}
            )*
            $(
                $(#[$adoc])*
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
                pub struct $a;
                impl Typed for $a {
                    type Value = $at;
                    const INFO: &'static OptionInfo = &info::$az;
                    fn default_value() -> Option<$at> {
                        None
                    }
                }
                impl Access for $a {
                    fn set(_: &mut Options, value: $at) -> Result<Effect> {
                        Ok(Effect::Pattern(M::$a(value)))
                    }
                    fn get(_: &Options, _: &zmtp_model::Options) -> Result<$at> {
                        Err(write_only(Self::NAME))
                    }
                }
                impl SocketOption for $a {}
            )*
            $(
                $(#[$sdoc])*
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
                pub struct $s;
                impl Typed for $s {
                    type Value = $st;
                    const INFO: &'static OptionInfo = &info::$sz;
                    fn default_value() -> Option<$st> {
                        Some($sd)
                    }
                }
                impl Access for $s {
                    fn set(options: &mut Options, value: $st) -> Result<Effect> {
                        $( let value = check::$sc(value)
                            .map_err(|_| Error::option(Self::NAME, InvalidOption::OutOfRange))?; )?
                        options.$sf = value;
                        Ok(Effect::Stored)
                    }
                    fn get(options: &Options, _: &zmtp_model::Options) -> Result<$st> {
                        Ok(options.$sf.clone())
                    }
                }
                impl SocketOption for $s {}
            )*
            $(
                $(#[$xdoc])*
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
                pub struct $x;
                impl Typed for $x {
                    type Value = $xt;
                    const INFO: &'static OptionInfo = &info::$xz;
                    fn default_value() -> Option<$xt> {
                        Some($xd)
                    }
                }
                impl SocketOption for $x {}
            )*
            $(
                $(#[$rdoc])*
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
                pub struct $r;
                impl Typed for $r {
                    type Value = $rt;
                    const INFO: &'static OptionInfo = &info::$rz;
                    fn default_value() -> Option<$rt> {
                        some!($($rd)?)
                    }
                }
                impl SocketOption for $r {}
            )*
        }

        /// Sets the option whose libzmq name is `name` (as the table
        /// writes it) on `socket` from `value`'s text; `None` when no
        /// option has that name.
        pub(crate) fn set_named(
            socket: &impl SetTyped,
            name: &str,
            value: &str,
        ) -> Option<Result<()>> {
            use self::sealed::Typed;
            fn read<O: Typed>(value: &str) -> Result<O::Value>
            where
                O::Value: text::FromText,
            {
                text::parse(value).map_err(|r| Error::option(O::NAME, r))
            }
            $( if name == <opt::$p as Typed>::NAME {
                return Some(read::<opt::$p>(value).and_then(|v| socket.set_typed(opt::$p, v)));
            } )*
            $( if name == <opt::$a as Typed>::NAME {
                return Some(read::<opt::$a>(value).and_then(|v| socket.set_typed(opt::$a, v)));
            } )*
            $( if name == <opt::$s as Typed>::NAME {
                return Some(read::<opt::$s>(value).and_then(|v| socket.set_typed(opt::$s, v)));
            } )*
            $( if name == <opt::$x as Typed>::NAME {
                return Some(read::<opt::$x>(value).and_then(|v| socket.set_typed(opt::$x, v)));
            } )*
            $( if name == <opt::$r as Typed>::NAME {
                return Some(Err(read_only(<opt::$r as Typed>::NAME)));
            } )*
            None
        }

        /// Calls `visitor` with every option of the table and a value it
        /// can be set to (`None` for ZMQ_TYPE).
        #[cfg(test)]
        fn visit(visitor: &mut impl tests::Visitor) {
            $( visitor.visit::<opt::$p>(Some($pd)); )*
            $( visitor.visit::<opt::$a>(Some(<$at>::default())); )*
            $( visitor.visit::<opt::$s>(Some($sd)); )*
            $( visitor.visit::<opt::$x>(Some($xd)); )*
            $( visitor.visit::<opt::$r>(some!($($rd)?)); )*
        }
    };
}

zmtp_model::option_table!(impl_options);

impl sealed::Access for opt::Type {
    fn set(_: &mut Options, _: SocketType) -> Result<Effect> {
        Err(read_only(Self::NAME))
    }
    fn get(options: &Options, _: &zmtp_model::Options) -> Result<SocketType> {
        Ok(options.socket_type)
    }
}

impl sealed::Access for opt::LastEndpoint {
    fn set(_: &mut Options, _: String) -> Result<Effect> {
        Err(read_only(Self::NAME))
    }
    fn get(options: &Options, _: &zmtp_model::Options) -> Result<String> {
        Ok(options.last_endpoint.clone())
    }
}
