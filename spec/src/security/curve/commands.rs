//! The CURVE command layouts (G-C1..G-C7) as typed values: each parses the
//! command data after the name and encodes it back. The boxes stay sealed
//! here; [`super::client`] and [`super::server`] open them.
//!
//! Sizes with the name included: HELLO 200 (26-R06), WELCOME 168
//! (26-R23), INITIATE at least 257 (26-R32), READY at least 30 (26-R45),
//! MESSAGE at least 33 (26-R54).

use bytes::{BufMut, Bytes, BytesMut};
use nom::bytes::complete::take;
use nom::combinator::rest;
use nom::number::complete::be_u64;

use super::cookie::COOKIE_LEN;
use super::crypto::{KEY_LEN, PublicKey, TAG_LEN};
use crate::wire::{IResult, WireError};

/// The data of a HELLO after its name (G-C1).
pub const HELLO_DATA_LEN: usize = 194;
/// The data of a WELCOME after its name (G-C2).
pub const WELCOME_DATA_LEN: usize = 160;
/// The shortest INITIATE data after its name: cookie, nonce, and a box of
/// C and the vouch (G-C4).
pub const MIN_INITIATE_DATA_LEN: usize = COOKIE_LEN + 8 + TAG_LEN + KEY_LEN + VOUCH_LEN;
/// The shortest READY data: nonce and an empty box (G-C6).
pub const MIN_READY_DATA_LEN: usize = 8 + TAG_LEN;
/// The shortest MESSAGE data: nonce and a box of the flags octet (G-C7).
pub const MIN_MESSAGE_DATA_LEN: usize = 8 + TAG_LEN + 1;
/// The vouch: a long nonce and a box of C' and S (G-C5).
pub const VOUCH_LEN: usize = 16 + TAG_LEN + 2 * KEY_LEN;
/// The HELLO signature box: 64 zero octets boxed (26-R13).
pub const SIGNATURE_BOX_LEN: usize = TAG_LEN + 64;
/// The WELCOME box: S' and the cookie (G-C2).
pub const WELCOME_BOX_LEN: usize = TAG_LEN + KEY_LEN + COOKIE_LEN;

/// The HELLO version, 1.0 (26-R07).
pub const VERSION: [u8; 2] = [1, 0];
/// The anti-amplification padding: 72 zero octets (26-R08; the prose's 70
/// is an erratum, zmtp-wire.md 6.1 #13).
pub const PADDING_LEN: usize = 72;

fn malformed(command: &'static str, rule: &'static str) -> WireError {
    WireError::BadMechanismCommand {
        mechanism: "CURVE",
        command,
        rule,
    }
}

/// Runs a layout rule over the whole data; any shortfall or leftover is
/// the command's layout error.
fn run<'a, T>(
    rule: impl FnOnce(&'a [u8]) -> IResult<'a, T>,
    data: &'a [u8],
    error: WireError,
) -> Result<T, WireError> {
    match rule(data) {
        Ok(([], value)) => Ok(value),
        _ => Err(error),
    }
}

fn array<const N: usize>(input: &[u8]) -> IResult<'_, [u8; N]> {
    let (input, bytes) = take(N)(input)?;
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    Ok((input, out))
}

/// `hello = version:2 (01 00) padding:72 (zeros) C':32 nonce:8 box:80`
/// (G-C1, 26-R06..R08, 26-R13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// The client's transient public key C'.
    pub client_transient: PublicKey,
    /// The short nonce.
    pub nonce: u64,
    /// Box[64 zeros](C'->S).
    pub signature: [u8; SIGNATURE_BOX_LEN],
}

impl Hello {
    /// Parses HELLO data (after the name). A wrong length (26-R06),
    /// version (26-R07) or a non-zero padding octet (26-R08) is refused.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C1.
    pub fn parse(data: &[u8]) -> Result<Self, WireError> {
        let error = malformed("HELLO", "G-C1, 26-R06..R08");
        let rule = |input| -> IResult<'_, Self> {
            let (input, version) = array::<2>(input)?;
            let (input, padding) = take(PADDING_LEN)(input)?;
            let (input, key) = array::<KEY_LEN>(input)?;
            let (input, nonce) = be_u64(input)?;
            let (input, signature) = array::<SIGNATURE_BOX_LEN>(input)?;
            if version != VERSION || padding.iter().any(|&b| b != 0) {
                return Err(nom::Err::Failure(WireError::TruncatedBody));
            }
            Ok((
                input,
                Self {
                    client_transient: PublicKey::from_bytes(key),
                    nonce,
                    signature,
                },
            ))
        };
        run(rule, data, error)
    }

    /// The data after the name, 194 octets.
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(HELLO_DATA_LEN);
        out.put_slice(&VERSION);
        out.put_bytes(0, PADDING_LEN);
        out.put_slice(self.client_transient.as_bytes());
        out.put_u64(self.nonce);
        out.put_slice(&self.signature);
        out.freeze()
    }
}

/// `welcome = nonce:16 box:144` (G-C2, 26-R23).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Welcome {
    /// The server's long nonce.
    pub nonce: [u8; 16],
    /// Box[S' + cookie](S->C').
    pub boxed: [u8; WELCOME_BOX_LEN],
}

impl Welcome {
    /// Parses WELCOME data: exactly 160 octets (26-R23).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C2.
    pub fn parse(data: &[u8]) -> Result<Self, WireError> {
        let rule = |input| -> IResult<'_, Self> {
            let (input, nonce) = array::<16>(input)?;
            let (input, boxed) = array::<WELCOME_BOX_LEN>(input)?;
            Ok((input, Self { nonce, boxed }))
        };
        run(rule, data, malformed("WELCOME", "G-C2, 26-R23"))
    }

    /// The data after the name, 160 octets.
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(WELCOME_DATA_LEN);
        out.put_slice(&self.nonce);
        out.put_slice(&self.boxed);
        out.freeze()
    }
}

/// `initiate = cookie:96 nonce:8 box:144+` (G-C4, 26-R32).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Initiate {
    /// The cookie from WELCOME, returned unchanged.
    pub cookie: [u8; COOKIE_LEN],
    /// The short nonce.
    pub nonce: u64,
    /// Box[C + vouch + metadata](C'->S').
    pub boxed: Bytes,
}

impl Initiate {
    /// Parses INITIATE data: at least 248 octets (26-R32). The box shares
    /// `data`'s buffer.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C4.
    pub fn parse(data: &Bytes) -> Result<Self, WireError> {
        let rule = |input| -> IResult<'_, ([u8; COOKIE_LEN], u64, &[u8])> {
            let (input, cookie) = array::<COOKIE_LEN>(input)?;
            let (input, nonce) = be_u64(input)?;
            let (input, boxed) = rest(input)?;
            Ok((input, (cookie, nonce, boxed)))
        };
        let error = malformed("INITIATE", "G-C4, 26-R32");
        if data.len() < MIN_INITIATE_DATA_LEN {
            return Err(error);
        }
        let (cookie, nonce, boxed) = run(rule, data, error)?;
        Ok(Self {
            cookie,
            nonce,
            boxed: data.slice_ref(boxed),
        })
    }

    /// The data after the name.
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(COOKIE_LEN + 8 + self.boxed.len());
        out.put_slice(&self.cookie);
        out.put_u64(self.nonce);
        out.put_slice(&self.boxed);
        out.freeze()
    }
}

/// A command that is a short nonce and a box: READY (G-C6, at least 24
/// octets of data, 26-R45) and MESSAGE (G-C7, at least 25, 26-R54).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonceBox {
    /// The short nonce.
    pub nonce: u64,
    /// The box, sharing the command's buffer.
    pub boxed: Bytes,
}

impl NonceBox {
    /// Parses READY data (G-C6, 26-R45).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C6.
    pub fn parse_ready(data: &Bytes) -> Result<Self, WireError> {
        Self::parse(data, MIN_READY_DATA_LEN, malformed("READY", "G-C6, 26-R45"))
    }

    /// Parses MESSAGE data (G-C7, 26-R54).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C7.
    pub fn parse_message(data: &Bytes) -> Result<Self, WireError> {
        Self::parse(
            data,
            MIN_MESSAGE_DATA_LEN,
            malformed("MESSAGE", "G-C7, 26-R54"),
        )
    }

    fn parse(data: &Bytes, min: usize, error: WireError) -> Result<Self, WireError> {
        if data.len() < min {
            return Err(error);
        }
        let (nonce, boxed) = run(
            |input| -> IResult<'_, (u64, &[u8])> {
                let (input, nonce) = be_u64(input)?;
                let (input, boxed) = rest(input)?;
                Ok((input, (nonce, boxed)))
            },
            data,
            error,
        )?;
        Ok(Self {
            nonce,
            boxed: data.slice_ref(boxed),
        })
    }
}

/// The opened WELCOME box: S' and the cookie (G-C2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WelcomeContent {
    /// The server's transient public key S'.
    pub server_transient: PublicKey,
    /// The cookie to return in INITIATE.
    pub cookie: [u8; COOKIE_LEN],
}

impl WelcomeContent {
    /// Reads an opened WELCOME box: exactly 128 octets.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C2.
    pub fn parse(plain: &[u8]) -> Result<Self, WireError> {
        let rule = |input| -> IResult<'_, Self> {
            let (input, key) = array::<KEY_LEN>(input)?;
            let (input, cookie) = array::<COOKIE_LEN>(input)?;
            Ok((
                input,
                Self {
                    server_transient: PublicKey::from_bytes(key),
                    cookie,
                },
            ))
        };
        run(rule, plain, malformed("WELCOME", "G-C2"))
    }
}

/// The opened INITIATE box: C, the vouch and the metadata (G-C4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiateContent {
    /// The client's permanent public key C.
    pub client_permanent: PublicKey,
    /// The vouch: long nonce and Box[C' + S](C->S') (G-C5).
    pub vouch: [u8; VOUCH_LEN],
    /// The metadata octets (parsed by the caller, G10).
    pub metadata: Bytes,
}

impl InitiateContent {
    /// Reads an opened INITIATE box; the metadata shares `plain`'s buffer.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C4.
    pub fn parse(plain: &Bytes) -> Result<Self, WireError> {
        let rule = |input| -> IResult<'_, ([u8; KEY_LEN], [u8; VOUCH_LEN], &[u8])> {
            let (input, key) = array::<KEY_LEN>(input)?;
            let (input, vouch) = array::<VOUCH_LEN>(input)?;
            let (input, metadata) = rest(input)?;
            Ok((input, (key, vouch, metadata)))
        };
        let (key, vouch, metadata) = run(rule, plain, malformed("INITIATE", "G-C4"))?;
        Ok(Self {
            client_permanent: PublicKey::from_bytes(key),
            vouch,
            metadata: plain.slice_ref(metadata),
        })
    }
}
