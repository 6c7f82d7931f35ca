//! Option values read from text, as tools and configuration files give
//! them ([`Socket::set_by_name`](crate::Socket::set_by_name)), in libzmq's
//! integer conventions: durations in milliseconds, `-1` for "infinite" or
//! "the system's default" (`None`), booleans as `0`/`1` (or `false`/`true`),
//! octet strings as the text's UTF-8 octets (not trimmed), an empty text
//! for "not set" where an option has that.

use core::time::Duration;

use bytes::Bytes;

use crate::error::InvalidOption;

/// A value type an option can be set to from text.
pub(crate) trait FromText: Sized {
    /// What the text must be, for the error.
    const TAKES: &'static str;
    /// The value, or `None` when the text is not one.
    fn read(text: &str) -> Option<Self>;
}

/// Reads `text` as a `T`.
pub(crate) fn parse<T: FromText>(text: &str) -> Result<T, InvalidOption> {
    T::read(text).ok_or(InvalidOption::Unreadable(T::TAKES))
}

impl FromText for bool {
    const TAKES: &'static str = "0 or 1 (or false or true)";
    fn read(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "0" | "false" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        }
    }
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl FromText for $t {
            const TAKES: &'static str = "a whole number of 0 or more";
            fn read(text: &str) -> Option<Self> {
                text.trim().parse().ok()
            }
        }
        impl FromText for Option<$t> {
            const TAKES: &'static str = "a whole number of 0 or more, or -1 for the default";
            fn read(text: &str) -> Option<Self> {
                let text = text.trim();
                if text == "-1" { Some(None) } else { text.parse().ok().map(Some) }
            }
        }
    )*};
}

unsigned!(u32, u64, usize);

impl FromText for Option<bool> {
    const TAKES: &'static str = "0 or 1, or -1 for the system's default";
    fn read(text: &str) -> Option<Self> {
        if text.trim() == "-1" {
            Some(None)
        } else {
            bool::read(text).map(Some)
        }
    }
}

impl FromText for Option<Duration> {
    const TAKES: &'static str = "milliseconds (0 or more), or -1 for infinite or the default";
    fn read(text: &str) -> Option<Self> {
        let text = text.trim();
        if text == "-1" {
            Some(None)
        } else {
            text.parse().ok().map(|ms| Some(Duration::from_millis(ms)))
        }
    }
}

impl FromText for Bytes {
    const TAKES: &'static str = "text (its UTF-8 octets)";
    fn read(text: &str) -> Option<Self> {
        Some(Bytes::copy_from_slice(text.as_bytes()))
    }
}

impl FromText for Option<Bytes> {
    const TAKES: &'static str = "text (its UTF-8 octets), or empty for none";
    fn read(text: &str) -> Option<Self> {
        Some((!text.is_empty()).then(|| Bytes::copy_from_slice(text.as_bytes())))
    }
}

impl FromText for Option<String> {
    const TAKES: &'static str = "text, or empty for none";
    fn read(text: &str) -> Option<Self> {
        Some((!text.is_empty()).then(|| text.to_owned()))
    }
}
