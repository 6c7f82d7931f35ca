//! The wire: typed values, their grammar (nom) and their encoder.
//!
//! Each grammar rule is a nom function named after the rule, working on
//! `&[u8]` with [`WireError`] as its error type. Rules that read a stream
//! (frame headers) use nom's streaming parsers and report "need more bytes"
//! as `nom::Err::Incomplete`; rules that read a command body, which is
//! always complete once its frame is, use the complete parsers. Callers
//! outside the grammar use [`run`] to turn a rule's result into
//! [`Parsed`], which keeps "need more bytes" apart from errors.

pub mod command;
pub mod datagram;
pub mod decode;
pub mod encode;
pub mod error;
pub mod frame;
pub mod greeting;
pub mod legacy;
pub mod metadata;
pub mod subscription;
pub mod view;
pub mod zws;

pub use command::{Command, MechanismCommand};
pub use datagram::{Datagram, DatagramError};
pub use decode::{Decoder, Item};
pub use encode::Encode;
pub use error::{EncodeError, WireError};
pub use frame::{Flags, Frame, FrameHeader, FrameKind, Framing};
pub use greeting::{Greeting, Mechanism, Version};
pub use metadata::{Metadata, Property};
pub use subscription::SubscriptionMessage;

/// The outcome of a parse that did not fail: either a value and the number
/// of octets it consumed, or how many more octets are needed at least.
///
/// "Need more bytes" is not an error (style.md 3): a decoder keeps what it
/// has and waits for more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed<T> {
    /// The value, and the number of input octets it took.
    Done(T, usize),
    /// At least this many more octets are needed (always >= 1).
    Incomplete(usize),
}

impl<T> Parsed<T> {
    /// The value, if the parse finished.
    pub fn done(self) -> Option<T> {
        match self {
            Self::Done(value, _) => Some(value),
            Self::Incomplete(_) => None,
        }
    }

    /// Applies `f` to the value of a finished parse.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Parsed<U> {
        match self {
            Self::Done(value, used) => Parsed::Done(f(value), used),
            Self::Incomplete(n) => Parsed::Incomplete(n),
        }
    }
}

/// The result of a nom rule in this crate.
pub type IResult<'a, T> = nom::IResult<&'a [u8], T, WireError>;

/// Runs a grammar rule on `input` and separates "need more bytes" from
/// errors.
///
/// # Errors
/// The rule's [`WireError`] when the input is malformed.
pub fn run<'a, T>(
    rule: impl FnOnce(&'a [u8]) -> IResult<'a, T>,
    input: &'a [u8],
) -> Result<Parsed<T>, WireError> {
    match rule(input) {
        Ok((rest, value)) => Ok(Parsed::Done(value, input.len() - rest.len())),
        Err(nom::Err::Incomplete(nom::Needed::Size(n))) => Ok(Parsed::Incomplete(n.get())),
        Err(nom::Err::Incomplete(nom::Needed::Unknown)) => Ok(Parsed::Incomplete(1)),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
    }
}

/// Runs a rule over a whole, complete input (a command body): "need more"
/// cannot happen there, so it is reported as [`WireError::TruncatedBody`],
/// and octets left over are `trailing`'s error.
pub(crate) fn run_complete<'a, T>(
    rule: impl FnOnce(&'a [u8]) -> IResult<'a, T>,
    input: &'a [u8],
    trailing: impl FnOnce(usize) -> WireError,
) -> Result<T, WireError> {
    match rule(input) {
        Ok(([], value)) => Ok(value),
        Ok((rest, _)) => Err(trailing(rest.len())),
        Err(nom::Err::Incomplete(_)) => Err(WireError::TruncatedBody),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
    }
}

/// Fails a rule with `error` (a grammar violation is never backtracked).
pub(crate) fn fail<T>(error: WireError) -> Result<T, nom::Err<WireError>> {
    Err(nom::Err::Failure(error))
}
